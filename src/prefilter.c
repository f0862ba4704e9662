/* prefilter.c: the multi-pattern prefilter.
 *
 * Every pattern has a set of atoms (patterns.c): literals one of which each
 * of its matches contains. All atoms of all patterns, deduplicated, go into
 * one Hyperscan (or Vectorscan) literal database. A record is scanned once;
 * each atom found marks the patterns it belongs to as candidates, and only
 * candidates are run by PCRE2, which confirms them and gives the spans. A
 * pattern without atoms is always a candidate. So the prefilter can only
 * save work, never change a result, and its cost grows with the text, not
 * with the number of rules: Hyperscan's literal matcher (FDR) takes
 * thousands of literals in one pass.
 *
 * Literals, not the patterns themselves, because the lexicon alternations
 * are too large for Hyperscan's regex compiler (tens of seconds, or "pattern
 * too long"), while its literal compiler takes them in milliseconds.
 */
#include "prefilter.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#ifdef OFS_HAVE_HYPERSCAN
#include <hs/hs.h>

struct prefilter {
    hs_database_t *db;
    unsigned char *always;      /* always[id]: pattern id has no atoms */
    size_t         count;       /* patterns */
    size_t        *first;       /* atom k marks patterns[first[k] .. first[k + 1]) */
    size_t        *patterns;
};

struct prefilter_scratch {
    hs_scratch_t  *scratch;
    const prefilter *p;
    unsigned char *candidates;  /* during a scan */
};

typedef struct atom_entry { const char *atom; size_t pattern; } atom_entry;

static int cmp_atom_entry(const void *a, const void *b)
{
    const atom_entry *x = a, *y = b;
    int c = strcmp(x->atom, y->atom);
    return c ? c : (x->pattern > y->pattern) - (x->pattern < y->pattern);
}

prefilter *prefilter_build(const pattern_table *t)
{
    size_t n = pattern_table_count(t);
    if (n == 0) return NULL;
    prefilter *p = xcalloc(1, sizeof *p);
    p->count = n;
    p->always = xcalloc(n, 1);
    atom_entry *entries = NULL;
    size_t count = 0, cap = 0;
    for (size_t id = 0; id < n; id++) {
        char *const *atoms;
        size_t k;
        if (pattern_table_atoms(t, id, &atoms, &k) != 0) {
            p->always[id] = 1;
            continue;
        }
        for (size_t j = 0; j < k; j++) {
            atom_entry e = {atoms[j], id};
            VEC_PUSH(entries, count, cap, e);
        }
    }
    if (count > 1) qsort(entries, count, sizeof *entries, cmp_atom_entry);
    /* Distinct atoms become the database; each keeps its list of patterns. */
    const char **lits = xcalloc(count + 1, sizeof *lits);
    size_t *lens = xcalloc(count + 1, sizeof *lens);
    unsigned *flags = xcalloc(count + 1, sizeof *flags);
    unsigned *ids = xcalloc(count + 1, sizeof *ids);
    p->first = xcalloc(count + 2, sizeof *p->first);
    p->patterns = xcalloc(count + 1, sizeof *p->patterns);
    size_t distinct = 0;
    for (size_t i = 0; i < count; i++) {
        if (i == 0 || strcmp(entries[i].atom, entries[i - 1].atom) != 0) {
            p->first[distinct] = i;
            lits[distinct] = entries[i].atom;
            lens[distinct] = strlen(entries[i].atom);
            flags[distinct] = HS_FLAG_SINGLEMATCH;
            ids[distinct] = (unsigned)distinct;
            distinct++;
        }
        p->patterns[i] = entries[i].pattern;
    }
    p->first[distinct] = count;
    hs_compile_error_t *err = NULL;
    if (distinct == 0 ||
        hs_compile_lit_multi(lits, flags, ids, lens, (unsigned)distinct, HS_MODE_BLOCK, NULL, &p->db, &err) != HS_SUCCESS) {
        hs_free_compile_error(err);
        p->db = NULL;
    }
    free(lits);
    free(lens);
    free(flags);
    free(ids);
    free(entries);
    if (!p->db) {
        prefilter_free(p);
        return NULL;
    }
    return p;
}

void prefilter_free(prefilter *p)
{
    if (!p) return;
    hs_free_database(p->db);
    free(p->always);
    free(p->first);
    free(p->patterns);
    free(p);
}

prefilter_scratch *prefilter_scratch_create(const prefilter *p)
{
    if (!p) return NULL;
    prefilter_scratch *s = xcalloc(1, sizeof *s);
    s->p = p;
    if (hs_alloc_scratch(p->db, &s->scratch) != HS_SUCCESS) {
        free(s);
        return NULL;
    }
    return s;
}

void prefilter_scratch_free(prefilter_scratch *s)
{
    if (!s) return;
    hs_free_scratch(s->scratch);
    free(s);
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ctx)
{
    (void)from;
    (void)to;
    (void)flags;
    prefilter_scratch *s = ctx;
    const prefilter *p = s->p;
    for (size_t i = p->first[id]; i < p->first[id + 1]; i++) s->candidates[p->patterns[i]] = 1;
    return 0;
}

int prefilter_scan(const prefilter *p, prefilter_scratch *s, const char *text, size_t len, unsigned char *candidates,
                   size_t count)
{
    if (!p || !s || len > 0xFFFFFFFFu) {
        memset(candidates, 1, count);
        return p ? -1 : 0;
    }
    memcpy(candidates, p->always, count < p->count ? count : p->count);
    s->candidates = candidates;
    if (hs_scan(p->db, text, (unsigned)len, 0, s->scratch, on_match, s) != HS_SUCCESS) {
        memset(candidates, 1, count);
        return -1;
    }
    return 0;
}

#else /* no libhs: PCRE2 alone */

prefilter *prefilter_build(const pattern_table *t)
{
    (void)t;
    return NULL;
}
void prefilter_free(prefilter *p) { (void)p; }
prefilter_scratch *prefilter_scratch_create(const prefilter *p)
{
    (void)p;
    return NULL;
}
void prefilter_scratch_free(prefilter_scratch *s) { (void)s; }
int prefilter_scan(const prefilter *p, prefilter_scratch *s, const char *text, size_t len, unsigned char *candidates,
                   size_t count)
{
    (void)p;
    (void)s;
    (void)text;
    (void)len;
    memset(candidates, 1, count);
    return 0;
}
#endif

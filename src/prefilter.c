/* prefilter.c: the multi-pattern prefilter.
 *
 * Hyperscan scans a text once for all patterns at a cost that hardly grows
 * with their number. In prefilter mode (HS_FLAG_PREFILTER) it accepts the
 * constructs it cannot execute exactly, such as look-behind, and reports a
 * superset of the true matches: a pattern it does not report cannot match,
 * one it reports may. PCRE2 then confirms the candidates and gives the
 * spans. A pattern Hyperscan rejects even in prefilter mode (too large, say)
 * is left out of the database and is always a candidate, so the prefilter
 * can only save work, never change a result.
 */
#include "prefilter.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#ifdef OFS_HAVE_HYPERSCAN
#include <hs/hs.h>

struct prefilter {
    hs_database_t *db;
    unsigned char *outside;   /* outside[id]: not in the database */
    size_t         count;
};

struct prefilter_scratch {
    hs_scratch_t *scratch;
};

prefilter *prefilter_build(const pattern_table *t)
{
    size_t n = pattern_table_count(t);
    if (n == 0) return NULL;
    prefilter *p = xcalloc(1, sizeof *p);
    p->count = n;
    p->outside = xcalloc(n, 1);
    const char **exprs = xcalloc(n, sizeof *exprs);
    unsigned *flags = xcalloc(n, sizeof *flags);
    unsigned *ids = xcalloc(n, sizeof *ids);
    for (;;) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            if (p->outside[i]) continue;
            exprs[k] = pattern_table_regex(t, i);
            flags[k] = HS_FLAG_PREFILTER | HS_FLAG_UTF8 | HS_FLAG_UCP | HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH |
                       HS_FLAG_ALLOWEMPTY;
            ids[k] = (unsigned)i;
            k++;
        }
        if (k == 0) break;
        hs_compile_error_t *err = NULL;
        hs_error_t rc = hs_compile_multi(exprs, flags, ids, (unsigned)k, HS_MODE_BLOCK, NULL, &p->db, &err);
        if (rc == HS_SUCCESS) break;
        int bad = err ? err->expression : -1;
        hs_free_compile_error(err);
        p->db = NULL;
        if (bad < 0) break; /* not tied to one pattern: give up on the prefilter */
        p->outside[ids[bad]] = 1;
    }
    free(exprs);
    free(flags);
    free(ids);
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
    free(p->outside);
    free(p);
}

prefilter_scratch *prefilter_scratch_create(const prefilter *p)
{
    if (!p) return NULL;
    prefilter_scratch *s = xcalloc(1, sizeof *s);
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
    ((unsigned char *)ctx)[id] = 1;
    return 0;
}

int prefilter_scan(const prefilter *p, prefilter_scratch *s, const char *text, size_t len, unsigned char *candidates,
                   size_t count)
{
    if (!p || !s || len > 0xFFFFFFFFu) {
        memset(candidates, 1, count);
        return p ? -1 : 0;
    }
    memcpy(candidates, p->outside, count < p->count ? count : p->count);
    if (hs_scan(p->db, text, (unsigned)len, 0, s->scratch, on_match, candidates) != HS_SUCCESS) {
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

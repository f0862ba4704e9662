/* prefilter.c: the multi-pattern prefilter.
 *
 * Every unit (a pattern, or one top-level alternative of it: patterns.h)
 * has a set of atoms: literals one of which each of its matches contains,
 * each with how far before it a match can start. All atoms of all units,
 * deduplicated, go into one Hyperscan (or Vectorscan) literal database;
 * class atoms such as [€$£] or \d go into a second, small regex database.
 * A record is scanned once. Each atom found marks its units as candidates
 * and gives each a window of offsets where a match can start (from the
 * atom's start back by its distance); PCRE2 then runs only the candidates,
 * and only from inside their windows (pcre2_set_offset_limit stops it at a
 * window's end). A unit without atoms is always a candidate, searched in
 * the whole text. So the prefilter can only save work, never change a
 * result (the consistency test and fuzz_scan check it), and its cost grows
 * with the text, not with the number of rules: Hyperscan's literal matcher
 * (FDR) takes thousands of literals in one pass.
 *
 * Literals, not the patterns themselves, because the lexicon alternations
 * are too large for Hyperscan's regex compiler (tens of seconds, or "pattern
 * too long"), while its literal compiler takes them in milliseconds.
 */
#include "prefilter.h"

#include <stdlib.h>
#include <string.h>

#include "lexicon.h"
#include "util.h"

#ifdef OFS_HAVE_HYPERSCAN
#include <hs/hs.h>
#include <pthread.h>
#include <sodium.h>
#include <utf8proc.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

/* The literals are compiled in parts of about this many (at most
 * LITERAL_PARTS), up to COMPILE_AT_ONCE parts at a time, each in a thread.
 * Hyperscan's compile takes memory for a moment in proportion to what it is
 * given, and it is the larger part of loading the bundled rules: small
 * parts keep the peak low (the whole load peaks at 38 MB with one thread
 * and 45 MB with two, against 60 MB with parts of 8192), and two at a time
 * take about half the time on two cores. Each part is one more pass over
 * each record, which costs little beside confirming the candidates with
 * PCRE2 (2048 instead of 8192: +1.8% instructions per record). */
enum { LITERALS_PER_PART = 2048, LITERAL_PARTS = 16, COMPILE_AT_ONCE = 2 };

/* The databases: the literals (db[0 .. LITERAL_PARTS), the parts unused
 * NULL) and the class atoms ("[€$£]", "\\d") as regexes, either NULL. */
enum { LITERALS = 0, CLASSES = LITERAL_PARTS, DATABASES };

struct prefilter {
    hs_database_t *db[DATABASES];
    unsigned char *always;      /* always[u]: unit u has no atoms */
    size_t         count;       /* units */
    size_t        *first;       /* atom k marks units[first[k] .. first[k + 1]) */
    size_t        *units;
    size_t        *befores;     /* befores[i]: how far before the atom units[i] may start */
    unsigned char *bounds;      /* bounds[i]: ATOM_BOUNDED_* of the atom in units[i]'s matches */
    size_t        *len_min;     /* atom k's length in bytes: at least, */
    size_t        *len_max;     /* and at most (a class atom is one character) */
};

/* Where a match of one unit may start: [start, end] (both included). */
typedef struct window_entry { size_t unit; ofs_span window; } window_entry;

/* Windows beyond this many in one record are not kept: the units are
 * then searched in the whole text (same result, more work). */
enum { WINDOW_LIMIT = 1 << 16 };

struct prefilter_scratch {
    hs_scratch_t  *scratch;
    const prefilter *p;
    const char    *text;        /* the text being scanned */
    size_t         len;
    unsigned char *candidates;  /* candidates[u]: unit u may match the text scanned */
    size_t        *found;       /* the units whose atoms the scan found, each once */
    size_t         found_count;
    window_entry  *entries;     /* in the order found */
    size_t         entry_count, entry_cap;
    int            overflow;    /* more than WINDOW_LIMIT: no windows */
    ofs_span      *windows;     /* grouped by unit, sorted and merged */
    size_t         window_cap;
    size_t        *first;       /* unit u's windows: windows[first[u] .. first[u] + merged[u]) */
    size_t        *merged;
    char          *flat;        /* the text with its line breaks as spaces */
    size_t         flat_cap;
};

typedef struct atom_entry {
    const char   *atom;
    size_t        len, unit, before;
    unsigned char bounds;   /* ATOM_BOUNDED_* (lexicon.h) */
} atom_entry;

static int cmp_atom_entry(const void *a, const void *b)
{
    const atom_entry *x = a, *y = b;
    int c = strcmp(x->atom, y->atom);
    return c ? c : (x->unit > y->unit) - (x->unit < y->unit);
}

/* Orders a unit's atoms by length, longest first (then bytes), so that
 * drop_contained_atoms handles an atom before any atom inside it. */
static int cmp_longest_first(const void *a, const void *b)
{
    const atom_entry *x = a, *y = b;
    if (x->len != y->len) return x->len < y->len ? 1 : -1;
    return memcmp(x->atom, y->atom, x->len);
}

/* Where atom[0..len) is among e[0..n) (sorted by cmp_longest_first), or -1. */
static long find_atom(const atom_entry *e, size_t n, const char *atom, size_t len)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        size_t lm = e[mid].len;
        int c = lm != len ? (lm < len ? -1 : 1) : memcmp(e[mid].atom, atom, len);
        /* longest first: a longer entry sorts before */
        if (lm != len) c = -c;
        if (c == 0) return (long)mid;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return -1;
}

/* Drops each literal atom of one unit that contains another of its atoms:
 * wherever the longer one occurs, the shorter one does too, so the unit is
 * found all the same. The shorter atom's distance back to the match start
 * grows by where it sits inside the longer one, so that its windows cover
 * the dropped atom's. Fewer literals make a smaller database, compiled
 * faster and in less memory ("pasaporte", "pasaportes" -> "pasaport").
 * Returns the number of entries kept, moved to the front of e. */
static size_t drop_contained_atoms(atom_entry *e, size_t n)
{
    if (n < 2) return n;
    qsort(e, n, sizeof *e, cmp_longest_first);
    unsigned char *dropped = xcalloc(n, 1);
    for (size_t i = 0; i < n; i++) {
        const char *a = e[i].atom;
        size_t len = e[i].len;
        if (a[0] == '\x01') continue; /* a class atom */
        for (size_t from = 0; from < len && !dropped[i]; from++) {
            if (((unsigned char)a[from] & 0xC0) == 0x80) continue; /* inside a character */
            for (size_t m = len - from - (from == 0); m >= 1; m--) {
                long j = find_atom(e, n, a + from, m);
                if (j < 0 || (size_t)j == i || dropped[j]) continue;
                size_t need = e[i].before == OFS_UNBOUNDED ? OFS_UNBOUNDED : e[i].before + from;
                if (e[j].before != OFS_UNBOUNDED && (need == OFS_UNBOUNDED || need > e[j].before)) e[j].before = need;
                /* inside the longer atom, a side of the shorter one is
                 * bounded only where it is the longer one's bounded side */
                e[j].bounds &= (unsigned char)((from == 0 ? e[i].bounds & ATOM_BOUNDED_LEFT : 0) |
                                               (from + m == len ? e[i].bounds & ATOM_BOUNDED_RIGHT : 0));
                dropped[i] = 1;
                break;
            }
        }
    }
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (!dropped[i]) e[kept++] = e[i];
    free(dropped);
    return kept;
}

/* The database cache (prefilter_build's cache_dir).
 *
 * Compiling tens of thousands of literals takes Hyperscan most of a rule
 * set's load time (seconds for a large set). A compiled database is
 * serialised (hs_serialize_database) into cache_dir, under a name that is
 * a hash of everything the compiler was given: the literals and class
 * atoms with their ids and flags, the Hyperscan version and the CPU it
 * targets. The same rule set, loaded again, deserialises it instead; an
 * edited rule set has another name and compiles afresh. A file that does
 * not deserialise (truncated, another build) is compiled again and
 * replaced; the cache can be emptied at any time. */

typedef struct hs_input {
    const char *const *lits;
    const unsigned    *lit_ids, *lit_flags;
    const size_t      *lit_lens;
    size_t             nlits;
    const char *const *classes;
    const unsigned    *class_ids, *class_flags;
    size_t             nclasses;
} hs_input;

/* v as 8 little-endian bytes (for the hash and the cache file alike). */
static void put_u64(unsigned char b[8], uint64_t v)
{
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)(v >> (8 * i));
}

static void hash_u64(crypto_generichash_state *st, uint64_t v)
{
    unsigned char b[8];
    put_u64(b, v);
    crypto_generichash_update(st, b, sizeof b);
}

/* cache_dir/prefilter-<hash of in>.hsdb, malloc'd. */
static char *cache_path(const char *cache_dir, const hs_input *in)
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    static const char format[] = "offerscan prefilter cache 1";
    crypto_generichash_update(&st, (const unsigned char *)format, sizeof format);
    const char *version = hs_version();
    crypto_generichash_update(&st, (const unsigned char *)version, strlen(version) + 1);
    hs_platform_info_t platform = {0};
    if (hs_populate_platform(&platform) == HS_SUCCESS) {
        hash_u64(&st, platform.tune);
        hash_u64(&st, platform.cpu_features);
    }
    hash_u64(&st, in->nlits);
    for (size_t i = 0; i < in->nlits; i++) {
        hash_u64(&st, in->lit_ids[i]);
        hash_u64(&st, in->lit_flags[i]);
        hash_u64(&st, in->lit_lens[i]);
        crypto_generichash_update(&st, (const unsigned char *)in->lits[i], in->lit_lens[i]);
    }
    hash_u64(&st, in->nclasses);
    for (size_t i = 0; i < in->nclasses; i++) {
        hash_u64(&st, in->class_ids[i]);
        hash_u64(&st, in->class_flags[i]);
        crypto_generichash_update(&st, (const unsigned char *)in->classes[i], strlen(in->classes[i]) + 1);
    }
    unsigned char digest[32];
    crypto_generichash_final(&st, digest, sizeof digest);
    char hex[2 * sizeof digest + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    size_t size = strlen(cache_dir) + sizeof hex + 32;
    char *path = xmalloc(size);
    snprintf(path, size, "%s/prefilter-%s.hsdb", cache_dir, hex);
    return path;
}

/* A cache file: the magic, then each of the DATABASES as a 64-bit
 * little-endian length (0: none) and hs_serialize_database's bytes. */
static const char cache_magic[8] = {'O', 'F', 'S', 'P', 'F', 'D', 'B', '4'};

static int read_u64(FILE *f, uint64_t *v)
{
    unsigned char b[8];
    if (fread(b, 1, sizeof b, f) != sizeof b) return -1;
    *v = 0;
    for (int i = 7; i >= 0; i--) *v = (*v << 8) | b[i];
    return 0;
}

/* Reads one database; *db stays NULL for a length of 0. */
static int read_database(FILE *f, hs_database_t **db)
{
    uint64_t len;
    *db = NULL;
    if (read_u64(f, &len) != 0 || len > ((uint64_t)1 << 32)) return -1;
    if (len == 0) return 0;
    char *bytes = xmalloc((size_t)len);
    int rc = fread(bytes, 1, (size_t)len, f) == (size_t)len &&
                     hs_deserialize_database(bytes, (size_t)len, db) == HS_SUCCESS
                 ? 0
                 : -1;
    free(bytes);
    return rc;
}

/* Loads the databases from path into db[]. Returns 0, or -1 (nothing
 * loaded). */
static int cache_load(const char *path, hs_database_t *db[DATABASES])
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    char magic[sizeof cache_magic];
    int rc = fread(magic, 1, sizeof magic, f) == sizeof magic && memcmp(magic, cache_magic, sizeof magic) == 0 ? 0 : -1;
    for (int k = 0; k < DATABASES; k++) {
        db[k] = NULL;
        if (rc == 0) rc = read_database(f, &db[k]);
    }
    if (rc == 0 && (!db[LITERALS] || fgetc(f) != EOF)) rc = -1;
    fclose(f);
    if (rc != 0)
        for (int k = 0; k < DATABASES; k++) {
            hs_free_database(db[k]);
            db[k] = NULL;
        }
    return rc;
}

static int write_database(FILE *f, const hs_database_t *db)
{
    char *bytes = NULL;
    size_t len = 0;
    if (db && hs_serialize_database(db, &bytes, &len) != HS_SUCCESS) return -1;
    unsigned char b[8];
    put_u64(b, len);
    int rc = fwrite(b, 1, sizeof b, f) == sizeof b && fwrite(bytes, 1, len, f) == len ? 0 : -1;
    free(bytes); /* hs_serialize_database allocates with the misc allocator: malloc by default */
    return rc;
}

/* Writes the databases to path, through a temporary file renamed into
 * place, so that a reader never sees half a file. A failure leaves no
 * file: the next load compiles again. */
static void cache_store(const char *path, hs_database_t *const db[DATABASES])
{
    size_t size = strlen(path) + 32;
    char *tmp = xmalloc(size);
    snprintf(tmp, size, "%s.%ld.tmp", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    int ok = f && fwrite(cache_magic, 1, sizeof cache_magic, f) == sizeof cache_magic;
    for (int k = 0; k < DATABASES && ok; k++) ok = write_database(f, db[k]) == 0;
    if (f && fclose(f) != 0) ok = 0;
    if (!ok || rename(tmp, path) != 0) remove(tmp);
    free(tmp);
}

/* One part of the literals to compile, in a thread of its own. */
typedef struct literal_part {
    const char *const *lits;
    const unsigned    *flags, *ids;
    const size_t      *lens;
    unsigned           count;
    hs_database_t     *db;     /* NULL when the compile failed */
} literal_part;

static void *compile_literal_part(void *arg)
{
    literal_part *part = arg;
    hs_compile_error_t *err = NULL;
    if (hs_compile_lit_multi(part->lits, part->flags, part->ids, part->lens, part->count, HS_MODE_BLOCK, NULL,
                             &part->db, &err) != HS_SUCCESS) {
        hs_free_compile_error(err);
        part->db = NULL;
    }
    return NULL;
}

/* Compiles lits[0 .. nlits) into db[0 .. parts), at_once parts at a time
 * (the calling thread takes one of them). Returns 0, or -1 with every db
 * NULL when any part failed: without all the literals there is no
 * prefilter. */
static int compile_literals(const char **lits, const unsigned *flags, const unsigned *ids, const size_t *lens,
                            size_t nlits, size_t parts, size_t at_once, hs_database_t **db)
{
    literal_part job[LITERAL_PARTS];
    for (size_t k = 0; k < parts; k++) {
        size_t lo = nlits * k / parts, hi = nlits * (k + 1) / parts;
        job[k] = (literal_part){lits + lo, flags + lo, ids + lo, lens + lo, (unsigned)(hi - lo), NULL};
    }
    for (size_t k = 0; k < parts; k += at_once) {
        pthread_t thread[COMPILE_AT_ONCE];
        int started[COMPILE_AT_ONCE] = {0};
        for (size_t j = 1; j < at_once && k + j < parts; j++) /* where a thread cannot start, */
            started[j] = pthread_create(&thread[j], NULL, compile_literal_part, &job[k + j]) == 0;
        compile_literal_part(&job[k]);
        for (size_t j = 1; j < at_once && k + j < parts; j++) {
            if (started[j]) pthread_join(thread[j], NULL);
            else compile_literal_part(&job[k + j]); /* this thread compiles the part */
        }
    }
    int ok = 1;
    for (size_t k = 0; k < parts; k++) ok = ok && job[k].db;
    for (size_t k = 0; k < parts; k++) {
        if (!ok) hs_free_database(job[k].db);
        db[k] = ok ? job[k].db : NULL;
    }
    return ok ? 0 : -1;
}

prefilter *prefilter_build(const pattern_table *t, const char *cache_dir, int threads)
{
    size_t n = pattern_table_unit_count(t);
    if (n == 0) return NULL;
    prefilter *p = xcalloc(1, sizeof *p);
    p->count = n;
    p->always = xcalloc(n, 1);
    atom_entry *entries = NULL;
    size_t count = 0, cap = 0;
    for (size_t id = 0; id < n; id++) {
        char *const *atoms;
        const size_t *befores;
        const unsigned char *bounds;
        size_t k;
        if (pattern_table_unit_atoms(t, id, &atoms, &befores, &bounds, &k) != 0) {
            p->always[id] = 1;
            continue;
        }
        size_t unit_first = count;
        for (size_t j = 0; j < k; j++) {
            atom_entry e = {atoms[j], strlen(atoms[j]), id, befores[j], bounds[j]};
            VEC_PUSH(entries, count, cap, e);
        }
        count = unit_first + drop_contained_atoms(entries + unit_first, count - unit_first);
    }
    if (count > 1) qsort(entries, count, sizeof *entries, cmp_atom_entry);
    /* Distinct atoms become the databases (literals in one, classes in
     * the other); each keeps its list of units. */
    const char **lits = xcalloc(count + 1, sizeof *lits), **classes = xcalloc(count + 1, sizeof *classes);
    size_t *lens = xcalloc(count + 1, sizeof *lens);
    unsigned *flags = xcalloc(count + 1, sizeof *flags), *class_flags = xcalloc(count + 1, sizeof *class_flags);
    unsigned *ids = xcalloc(count + 1, sizeof *ids), *class_ids = xcalloc(count + 1, sizeof *class_ids);
    p->first = xcalloc(count + 2, sizeof *p->first);
    p->units = xcalloc(count + 1, sizeof *p->units);
    p->befores = xcalloc(count + 1, sizeof *p->befores);
    p->bounds = xcalloc(count + 1, sizeof *p->bounds);
    p->len_min = xcalloc(count + 1, sizeof *p->len_min);
    p->len_max = xcalloc(count + 1, sizeof *p->len_max);
    size_t distinct = 0, nlits = 0, nclasses = 0;
    for (size_t i = 0; i < count; i++) {
        if (i == 0 || strcmp(entries[i].atom, entries[i - 1].atom) != 0) {
            const char *atom = entries[i].atom;
            p->first[distinct] = i;
            if (atom[0] == '\x01') {
                classes[nclasses] = atom + 1;
                class_flags[nclasses] = HS_FLAG_UTF8 | HS_FLAG_UCP;
                class_ids[nclasses++] = (unsigned)distinct;
                p->len_min[distinct] = 1;
                p->len_max[distinct] = 4;
            } else {
                lits[nlits] = atom;
                lens[nlits] = strlen(atom);
                flags[nlits] = 0; /* every occurrence: each gives a window */
                ids[nlits++] = (unsigned)distinct;
                p->len_min[distinct] = p->len_max[distinct] = strlen(atom);
            }
            distinct++;
        }
        p->units[i] = entries[i].unit;
        p->befores[i] = entries[i].before;
        p->bounds[i] = entries[i].bounds;
    }
    p->first[distinct] = count;
    free(entries); /* before Hyperscan's compile, which sets the peak of the load */
    hs_input in = {lits, ids, flags, lens, nlits, classes, class_ids, class_flags, nclasses};
    char *cached = cache_dir && nlits ? cache_path(cache_dir, &in) : NULL;
    int from_cache = cached && cache_load(cached, p->db) == 0;
    size_t parts = (nlits + LITERALS_PER_PART - 1) / LITERALS_PER_PART;
    if (parts > LITERAL_PARTS) parts = LITERAL_PARTS;
    size_t at_once = threads < 1 ? 1 : threads > COMPILE_AT_ONCE ? COMPILE_AT_ONCE : (size_t)threads;
    if (!from_cache && nlits) compile_literals(lits, flags, ids, lens, nlits, parts, at_once, p->db + LITERALS);
    hs_compile_error_t *err = NULL;
    if (!from_cache && nclasses &&
        hs_compile_multi(classes, class_flags, class_ids, (unsigned)nclasses, HS_MODE_BLOCK, NULL, &p->db[CLASSES],
                         &err) != HS_SUCCESS) {
        hs_free_compile_error(err);
        p->db[CLASSES] = NULL;
    }
    if (nclasses && !p->db[CLASSES]) /* the units with class atoms are then always run */
        for (size_t k = 0; k < nclasses; k++)
            for (size_t i = p->first[class_ids[k]]; i < p->first[class_ids[k] + 1]; i++) p->always[p->units[i]] = 1;
    if (cached && !from_cache && p->db[LITERALS]) cache_store(cached, p->db);
    free(cached);
    free(lits);
    free(classes);
    free(lens);
    free(flags);
    free(class_flags);
    free(ids);
    free(class_ids);
    if (!p->db[LITERALS]) {
        prefilter_free(p);
        return NULL;
    }
    return p;
}

void prefilter_free(prefilter *p)
{
    if (!p) return;
    for (int k = 0; k < DATABASES; k++) hs_free_database(p->db[k]);
    free(p->always);
    free(p->first);
    free(p->units);
    free(p->befores);
    free(p->bounds);
    free(p->len_min);
    free(p->len_max);
    free(p);
}

prefilter_scratch *prefilter_scratch_create(const prefilter *p)
{
    if (!p) return NULL;
    prefilter_scratch *s = xcalloc(1, sizeof *s);
    s->p = p;
    for (int k = 0; k < DATABASES; k++) {
        if (p->db[k] && hs_alloc_scratch(p->db[k], &s->scratch) != HS_SUCCESS) { /* one scratch serves them all */
            hs_free_scratch(s->scratch);
            free(s);
            return NULL;
        }
    }
    s->first = xcalloc(p->count + 1, sizeof *s->first);
    s->merged = xcalloc(p->count + 1, sizeof *s->merged);
    s->candidates = xmalloc(p->count + 1);
    memcpy(s->candidates, p->always, p->count);
    s->found = xcalloc(p->count + 1, sizeof *s->found);
    return s;
}

void prefilter_scratch_free(prefilter_scratch *s)
{
    if (!s) return;
    hs_free_scratch(s->scratch);
    free(s->entries);
    free(s->windows);
    free(s->first);
    free(s->merged);
    free(s->candidates);
    free(s->found);
    free(s->flat);
    free(s);
}

/* Whether a letter or digit, as PCRE2's [\p{L}\p{N}] sees it, ends just
 * before text[pos] (before) or starts at it. Characters from U+2000 on are
 * taken as neither: their categories are the likeliest to differ between
 * utf8proc's Unicode version and PCRE2's, and "neither" only keeps a window. */
static int word_char_at(const char *text, size_t len, size_t pos, int before)
{
    if (before) {
        if (pos == 0) return 0;
        size_t back = 1;
        while (back < 4 && back < pos && ((unsigned char)text[pos - back] & 0xC0) == 0x80) back++;
        pos -= back;
    }
    if (pos >= len) return 0;
    utf8proc_int32_t cp;
    if (utf8proc_iterate((const utf8proc_uint8_t *)text + pos, (utf8proc_ssize_t)(len - pos), &cp) <= 0 ||
        cp >= 0x2000)
        return 0;
    utf8proc_category_t c = utf8proc_category(cp);
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
           (c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO);
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ctx)
{
    (void)from;
    (void)flags;
    prefilter_scratch *s = ctx;
    const prefilter *p = s->p;
    /* the atom starts in [first_start, last_start] */
    size_t first_start = (size_t)to > p->len_max[id] ? (size_t)to - p->len_max[id] : 0;
    size_t last_start = (size_t)to - p->len_min[id];
    /* which sides of the atom touch a word; a literal atom has one length
     * (and a class atom no bounds) */
    int inside = -1; /* ATOM_BOUNDED_* sides where it does, found when first needed */
    for (size_t i = p->first[id]; i < p->first[id + 1]; i++) {
        if (p->bounds[i]) {
            if (inside < 0)
                inside = (word_char_at(s->text, s->len, last_start, 1) ? ATOM_BOUNDED_LEFT : 0) |
                         (word_char_at(s->text, s->len, (size_t)to, 0) ? ATOM_BOUNDED_RIGHT : 0);
            if (p->bounds[i] & inside) continue; /* found inside a word: no match of units[i] here */
        }
        size_t u = p->units[i];
        if (!s->candidates[u]) {
            s->candidates[u] = 1;
            s->found[s->found_count++] = u;
        }
        if (s->overflow) continue;
        if (s->entry_count == WINDOW_LIMIT) {
            s->overflow = 1;
            continue;
        }
        size_t before = p->befores[i];
        window_entry e = {p->units[i],
                          {before == OFS_UNBOUNDED || before > first_start ? 0 : first_start - before, last_start}};
        VEC_PUSH(s->entries, s->entry_count, s->entry_cap, e);
    }
    return 0;
}

static int cmp_span(const void *a, const void *b)
{
    const ofs_span *x = a, *y = b;
    return (x->start > y->start) - (x->start < y->start);
}

/* Groups the entries by unit, each group sorted and merged. Only the
 * units found are touched: the cost follows the text, not the rule set. */
static void group_windows(prefilter_scratch *s)
{
    for (size_t i = 0; i < s->found_count; i++) s->merged[s->found[i]] = 0;
    for (size_t i = 0; i < s->entry_count; i++) s->merged[s->entries[i].unit]++;
    size_t at = 0;
    for (size_t i = 0; i < s->found_count; i++) {
        size_t u = s->found[i];
        s->first[u] = at;
        at += s->merged[u];
        s->merged[u] = 0;
    }
    if (at + 1 > s->window_cap) {
        s->windows = xrealloc(s->windows, (at + 1) * sizeof *s->windows);
        s->window_cap = at + 1;
    }
    for (size_t i = 0; i < s->entry_count; i++) {
        size_t u = s->entries[i].unit;
        s->windows[s->first[u] + s->merged[u]++] = s->entries[i].window;
    }
    for (size_t i = 0; i < s->found_count; i++) {
        size_t u = s->found[i];
        ofs_span *w = s->windows + s->first[u];
        size_t k = s->merged[u];
        if (k < 2) continue;
        qsort(w, k, sizeof *w, cmp_span);
        size_t out = 0;
        for (size_t j = 1; j < k; j++) {
            if (w[j].start <= w[out].end + 1) {
                if (w[j].end > w[out].end) w[out].end = w[j].end;
            } else {
                w[++out] = w[j];
            }
        }
        s->merged[u] = out + 1;
    }
}

size_t prefilter_windows(const prefilter_scratch *s, size_t u, const ofs_span **windows)
{
    if (!s || s->overflow || u >= s->p->count || s->p->always[u]) {
        *windows = NULL;
        return 0;
    }
    *windows = s->windows + s->first[u];
    return s->merged[u];
}

int prefilter_scan(prefilter_scratch *s, const char *text, size_t len)
{
    const prefilter *p = s->p;
    /* back to the units without atoms, touching only what the last scan set */
    for (size_t i = 0; i < s->found_count; i++) s->candidates[s->found[i]] = 0;
    s->found_count = 0;
    s->entry_count = 0;
    s->overflow = 0;
    /* A term of several words matches one space or one line break between
     * them (the normaliser leaves no longer runs), and its atom is the term
     * with spaces (lexicon.c): the atoms are looked for in the text with
     * its line breaks read as spaces. */
    if (memchr(text, '\n', len)) {
        if (len > s->flat_cap) {
            s->flat = xrealloc(s->flat, len);
            s->flat_cap = len;
        }
        for (size_t i = 0; i < len; i++) s->flat[i] = text[i] == '\n' ? ' ' : text[i];
        text = s->flat;
    }
    s->text = text;
    s->len = len;
    for (int k = 0; k < DATABASES; k++) {
        if (p->db[k] && (len > 0xFFFFFFFFu ||
                         hs_scan(p->db[k], text, (unsigned)len, 0, s->scratch, on_match, s) != HS_SUCCESS)) {
            s->overflow = 1;
            return -1;
        }
    }
    if (!s->overflow) group_windows(s);
    return 0;
}

const unsigned char *prefilter_candidates(const prefilter_scratch *s) { return s->candidates; }

size_t prefilter_found(const prefilter_scratch *s, const size_t **units)
{
    *units = s->found;
    return s->found_count;
}

const unsigned char *prefilter_always(const prefilter *p) { return p->always; }

#else /* no libhs: PCRE2 alone */

prefilter *prefilter_build(const pattern_table *t, const char *cache_dir, int threads)
{
    (void)t;
    (void)cache_dir;
    (void)threads;
    return NULL;
}
void prefilter_free(prefilter *p) { (void)p; }
prefilter_scratch *prefilter_scratch_create(const prefilter *p)
{
    (void)p;
    return NULL;
}
void prefilter_scratch_free(prefilter_scratch *s) { (void)s; }
size_t prefilter_windows(const prefilter_scratch *s, size_t u, const ofs_span **windows)
{
    (void)s;
    (void)u;
    *windows = NULL;
    return 0;
}
int prefilter_scan(prefilter_scratch *s, const char *text, size_t len)
{
    (void)s;
    (void)text;
    (void)len;
    return -1;
}
const unsigned char *prefilter_candidates(const prefilter_scratch *s)
{
    (void)s;
    return NULL;
}
size_t prefilter_found(const prefilter_scratch *s, const size_t **units)
{
    (void)s;
    *units = NULL;
    return 0;
}
const unsigned char *prefilter_always(const prefilter *p)
{
    (void)p;
    return NULL;
}
#endif

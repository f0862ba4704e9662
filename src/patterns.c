/* patterns.c: expanding, normalising and compiling rule patterns.
 *
 * An analyst writes a pattern in PCRE2 syntax with lexicon references:
 *
 *     {boat}.{0,40}(?:departs?|leaving)\s+{weekday}
 *
 * Expansion walks the pattern once, token by token:
 *   - {name} (a name starting with a letter or '_') becomes the lexicon's
 *     alternation, in a non-capturing group;
 *   - escapes (\d, \p{L}, \x{..}, \Q..\E), group openers ((?:, (?<name>,
 *     (?i)), quantifiers ({2,5}) and metacharacters are copied as they are;
 *   - inside a character class each literal character is normalised alone;
 *   - every run of literal text is normalised exactly like the scanned text
 *     (case folding, accents, Arabic letter variants, collapsed doubled
 *     letters) and re-escaped.
 * So "Passeport", "pasaporté" and "جواز" in a pattern match what they match
 * in the text, whatever the analyst's keyboard produced.
 */
#include "patterns.h"

#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "diag.h"
#include "normalize.h"
#include "util.h"

/* A set of literals one of which every match contains; valid == 0 means
 * no such set is known (anything may match). */
typedef struct atom_set {
    char  **items;
    size_t *befores;   /* befores[i]: the most bytes a match starts before items[i] */
    unsigned char *bounds; /* bounds[i]: ATOM_BOUNDED_* of items[i] (lexicon.h) */
    size_t  count, cap;
    int     valid;
    size_t *slots;     /* a hash index: slots[h] is 1 + the index of an item, or 0 */
    size_t  slot_cap;  /* a power of two, at least twice count (0: no index yet) */
} atom_set;

/* One top-level alternative of a pattern, compiled on its own. */
typedef struct pattern_unit {
    char       *regex;
    uint64_t    hash;      /* of regex, to find a unit already compiled */
    pcre2_code *code;
    /* Set once code has its JIT machine code, which it gets the first time
     * a matcher searches the unit when the table allows it
     * (pattern_table_jit). Units the prefilter never lets through are never
     * compiled. */
    atomic_int  jitted;
    atom_set    atoms;
} pattern_unit;

typedef struct compiled_pattern {
    char   *regex;        /* the whole expansion, for export and to share */
    size_t *units;        /* its alternatives, in order, as unit ids */
    size_t  unit_count;
} compiled_pattern;

static void atom_set_clear(atom_set *a);

struct pattern_table {
    compiled_pattern *items;
    size_t            count, cap;
    pattern_unit     *units;
    size_t            unit_count, unit_cap;
    int               jit;        /* units get JIT code on first use */
    pthread_mutex_t  *jit_lock;   /* held while a unit gets its JIT code */
};

/* A unit's last search in the current text: searched from `from`, it
 * found `found` (rc 1) or nothing (rc 0). */
typedef struct unit_memo {
    unsigned text;     /* pattern_matcher.text_number when it was stored */
    int      rc;
    size_t   from;
    ofs_span found;
} unit_memo;

struct pattern_matcher {
    const pattern_table  *table;
    unit_memo            *memo;     /* one per unit of the table */
    unsigned              text_number;
    pcre2_match_data     *data;
    pcre2_match_context  *context;
    pcre2_jit_stack      *jit_stack;
    ofs_span             *next;     /* per unit of a pattern: its next match */
    int                  *have;     /* 1 when next[k] holds one */
    size_t                next_cap;
};

pattern_table *pattern_table_create(void)
{
    pattern_table *t = xcalloc(1, sizeof(pattern_table));
    t->jit_lock = xmalloc(sizeof *t->jit_lock);
    pthread_mutex_init(t->jit_lock, NULL);
    return t;
}

void pattern_table_free(pattern_table *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->count; i++) {
        free(t->items[i].regex);
        free(t->items[i].units);
    }
    for (size_t i = 0; i < t->unit_count; i++) {
        free(t->units[i].regex);
        pcre2_code_free(t->units[i].code);
        atom_set_clear(&t->units[i].atoms);
    }
    free(t->items);
    free(t->units);
    pthread_mutex_destroy(t->jit_lock);
    free(t->jit_lock);
    free(t);
}

void pattern_table_loaded(pattern_table *t)
{
    for (size_t i = 0; i < t->unit_count; i++) {
        free(t->units[i].regex);
        t->units[i].regex = NULL;
    }
}

size_t pattern_table_count(const pattern_table *t) { return t->count; }
const char *pattern_table_regex(const pattern_table *t, size_t id) { return t->items[id].regex; }
size_t pattern_table_unit_count(const pattern_table *t) { return t->unit_count; }

size_t pattern_table_units(const pattern_table *t, size_t id, const size_t **units)
{
    *units = t->items[id].units;
    return t->items[id].unit_count;
}

static int is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

/* Length of the UTF-8 sequence starting with byte c (1 for invalid bytes). */
static size_t utf8_len(unsigned char c)
{
    if (c >= 0xF0) return 4;
    if (c >= 0xE0) return 3;
    if (c >= 0xC0) return 2;
    return 1;
}

/* Normalises a literal run and appends it escaped. */
static void flush_literal(strbuf *out, strbuf *lit)
{
    if (!lit->len) return;
    char *norm = norm_string(lit->buf);
    for (const char *p = norm; *p; p++) {
        if (strchr("\\^$.|?*+()[]{}", *p)) strbuf_putc(out, '\\');
        strbuf_putc(out, *p);
    }
    free(norm);
    strbuf_reset(lit);
}

/* Copies an escape sequence starting at s[i] == '\\'; returns the index after it. */
static size_t copy_escape(strbuf *out, const char *s, size_t i)
{
    size_t n = strlen(s);
    if (i + 1 >= n) {
        strbuf_putc(out, '\\');
        return i + 1;
    }
    char c = s[i + 1];
    if (c == 'Q') {
        const char *end = strstr(s + i + 2, "\\E");
        size_t stop = end ? (size_t)(end - s) + 2 : n;
        strbuf_append(out, s + i, stop - i);
        return stop;
    }
    if (strchr("pPxNgko", c) && i + 2 < n && s[i + 2] == '{') {
        const char *end = strchr(s + i + 2, '}');
        size_t stop = end ? (size_t)(end - s) + 1 : n;
        strbuf_append(out, s + i, stop - i);
        return stop;
    }
    if ((c == 'k' || c == 'g') && i + 2 < n && (s[i + 2] == '<' || s[i + 2] == '\'')) {
        const char *end = strchr(s + i + 3, s[i + 2] == '<' ? '>' : '\'');
        size_t stop = end ? (size_t)(end - s) + 1 : n;
        strbuf_append(out, s + i, stop - i);
        return stop;
    }
    size_t len = 1 + utf8_len((unsigned char)c);
    strbuf_append(out, s + i, len);
    return i + len;
}

/* For a group opened by "(?" at s[i], returns the index just after its
 * header: "(?:", "(?=", "(?<!", "(?<name>", "(?i)", "(?i:", "(?#...)". */
static size_t group_header_end(const char *s, size_t n, size_t i)
{
    size_t j = i + 2;
    if (j >= n) return n;
    char c = s[j];
    if (c == '#') {
        while (j < n && s[j] != ')') j++;
        return j < n ? j + 1 : n;
    }
    if (c == '<' && j + 1 < n && (s[j + 1] == '=' || s[j + 1] == '!')) return j + 2;
    if (c == '<' || c == '\'' || (c == 'P' && j + 1 < n && s[j + 1] == '<')) {
        char close = c == '\'' ? '\'' : '>';
        j += c == 'P' ? 2 : 1;
        while (j < n && s[j] != close) j++;
        return j < n ? j + 1 : n;
    }
    if (strchr("=!:>|", c)) return j + 1;
    size_t k = j;
    while (k < n && strchr("imnsxJU^-", s[k])) k++;
    if (k > j && k < n && (s[k] == ':' || s[k] == ')')) return k + 1;
    return j;
}

char *pattern_expand(const lexicon_set *lx, const char *s, char **bad_ref, size_t *bad_offset)
{
    strbuf out = {0}, lit = {0};
    size_t n = strlen(s), i = 0;
    *bad_ref = NULL;
    while (i < n) {
        char c = s[i];
        if (c == '\\') {
            flush_literal(&out, &lit);
            i = copy_escape(&out, s, i);
        } else if (c == '{' && i + 1 < n && is_name_start(s[i + 1])) {
            size_t j = i + 1;
            while (j < n && is_name_char(s[j])) j++;
            if (j < n && s[j] == '}') {
                flush_literal(&out, &lit);
                char *name = xstrndup(s + i + 1, j - i - 1);
                const char *re = lexicon_regex(lx, name);
                if (!re) {
                    *bad_ref = name;
                    *bad_offset = i;
                    strbuf_free(&out);
                    strbuf_free(&lit);
                    return NULL;
                }
                free(name);
                strbuf_puts(&out, "(?:");
                strbuf_puts(&out, re);
                strbuf_putc(&out, ')');
                i = j + 1;
            } else {
                strbuf_append(&lit, s + i, 1);
                i++;
            }
        } else if (c == '{') {
            /* a quantifier {n}, {n,m}: copy through the brace */
            flush_literal(&out, &lit);
            const char *end = strchr(s + i, '}');
            size_t stop = end ? (size_t)(end - s) + 1 : i + 1;
            strbuf_append(&out, s + i, stop - i);
            i = stop;
        } else if (c == '[') {
            flush_literal(&out, &lit);
            strbuf_putc(&out, '[');
            i++;
            if (i < n && s[i] == '^') strbuf_putc(&out, s[i++]);
            if (i < n && s[i] == ']') strbuf_putc(&out, s[i++]);
            while (i < n && s[i] != ']') {
                if (s[i] == '\\') {
                    i = copy_escape(&out, s, i);
                } else if (s[i] == '[' && i + 1 < n && s[i + 1] == ':') {
                    const char *end = strstr(s + i, ":]");
                    size_t stop = end ? (size_t)(end - s) + 2 : n;
                    strbuf_append(&out, s + i, stop - i);
                    i = stop;
                } else if ((unsigned char)s[i] < 0x80 && !is_name_start(s[i])) {
                    strbuf_putc(&out, s[i++]);
                } else {
                    size_t len = utf8_len((unsigned char)s[i]);
                    char *one = xstrndup(s + i, len);
                    char *norm = norm_string(one);
                    for (const char *p = norm; *p; p++) {
                        if (strchr("\\^-[]", *p)) strbuf_putc(&out, '\\');
                        strbuf_putc(&out, *p);
                    }
                    free(norm);
                    free(one);
                    i += len;
                }
            }
            if (i < n) strbuf_putc(&out, s[i++]);
        } else if (c == '(' && i + 1 < n && s[i + 1] == '?') {
            flush_literal(&out, &lit);
            size_t stop = group_header_end(s, n, i);
            strbuf_append(&out, s + i, stop - i);
            i = stop;
        } else if (strchr("^$.|?*+()", c)) {
            flush_literal(&out, &lit);
            strbuf_putc(&out, c);
            i++;
        } else {
            size_t len = utf8_len((unsigned char)c);
            if (i + len > n) len = n - i;
            strbuf_append(&lit, s + i, len);
            i += len;
        }
    }
    flush_literal(&out, &lit);
    strbuf_free(&lit);
    if (!out.buf) strbuf_append(&out, "", 0);
    /* the table keeps expansions for the run: give back the slack that
     * doubling left, up to half of each */
    return xrealloc(out.buf, out.len + 1);
}

/* ---- atoms: what the prefilter looks for ------------------------------
 *
 * Like YARA's atoms, an atom set of a pattern is a set of literals such that
 * every match of the pattern contains at least one of them. The prefilter
 * (prefilter.c) searches all atoms of all patterns at once; a pattern none
 * of whose atoms occurs in a record cannot match it and is never run.
 *
 * The atoms are read off the pattern as the analyst wrote it, with the
 * same token boundaries as the expansion above:
 *
 *     {boat}.{0,40}(?:depart|leaving)   -> the atoms of lexicon boat (one per
 *                                          term), or {depart, leaving}: the
 *                                          set whose shortest atom is longest
 *     places? (?:left|available)        -> {"place"} or {"left", "available"}
 *     \d+\s*(?:€|euro)                  -> {"€", "euro"}
 *     [a-z]+ing                         -> {"ing"}
 *     (?:a|\d+)x?                       -> none: the branch \d+ has no literal
 *
 * In a sequence, any required factor will do: a literal run, a lexicon, a
 * group (the union of its branches' sets, when every branch has one). A
 * factor made optional by ?, * or {0,n} is not required; a quantifier on a
 * literal makes only its last character optional. Look-arounds, classes,
 * escapes and '.' give no atoms. A pattern without atoms is always run.
 */
static void atom_set_clear(atom_set *a)
{
    for (size_t i = 0; i < a->count; i++) free(a->items[i]);
    free(a->items);
    free(a->befores);
    free(a->bounds);
    free(a->slots);
    *a = (atom_set){0};
}

/* Saturating arithmetic on widths, where OFS_UNBOUNDED absorbs. */
static size_t width_add(size_t a, size_t b)
{
    return a == OFS_UNBOUNDED || b == OFS_UNBOUNDED || a + b < a ? OFS_UNBOUNDED : a + b;
}

static size_t width_mul(size_t a, size_t k)
{
    if (a == 0 || k == 0) return 0;
    return a == OFS_UNBOUNDED || k == OFS_UNBOUNDED || a > OFS_UNBOUNDED / k ? OFS_UNBOUNDED : a * k;
}

/* FNV-1a, for the atom index and to find a unit already compiled. */
static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 14695981039346656037u;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

/* The slot of the index where atom is, or where it would go. */
static size_t *atom_set_slot(const atom_set *a, const char *atom, size_t n)
{
    size_t mask = a->slot_cap - 1, h = (size_t)fnv1a(atom, n) & mask;
    for (;; h = (h + 1) & mask) {
        size_t k = a->slots[h];
        if (!k || (strlen(a->items[k - 1]) == n && memcmp(a->items[k - 1], atom, n) == 0)) return &a->slots[h];
    }
}

/* Adds an atom that a match may start up to `before` bytes ahead of, with
 * its bounds; an atom already there keeps the larger distance and the
 * bounds both have. A lexicon brings thousands of atoms: a hash index
 * finds the one already there. */
static void atom_set_add(atom_set *a, const char *atom, size_t n, size_t before, unsigned char bounds)
{
    if ((a->count + 1) * 2 > a->slot_cap) {
        free(a->slots);
        a->slot_cap = a->slot_cap ? a->slot_cap * 2 : 16;
        a->slots = xcalloc(a->slot_cap, sizeof *a->slots);
        for (size_t i = 0; i < a->count; i++) *atom_set_slot(a, a->items[i], strlen(a->items[i])) = i + 1;
    }
    size_t *slot = atom_set_slot(a, atom, n);
    if (*slot) {
        size_t i = *slot - 1;
        if (before > a->befores[i]) a->befores[i] = before;
        a->bounds[i] &= bounds;
        return;
    }
    *slot = a->count + 1;
    size_t cap = a->cap;
    VEC_PUSH(a->items, a->count, a->cap, xstrndup(atom, n));
    if (a->cap != cap) {
        a->befores = xrealloc(a->befores, a->cap * sizeof *a->befores);
        a->bounds = xrealloc(a->bounds, a->cap * sizeof *a->bounds);
    }
    a->befores[a->count - 1] = before;
    a->bounds[a->count - 1] = bounds;
}

/* Moves every atom `shift` bytes further from the match start. */
static void atom_set_shift(atom_set *a, size_t shift)
{
    for (size_t i = 0; i < a->count; i++) a->befores[i] = width_add(a->befores[i], shift);
}

/* A class atom: one character of a class, kept as its regex after this
 * marker byte ("\x01[€$£]", "\x01\\d"). */
#define CLASS_ATOM '\x01'

/* An atom's worth as a filter, in bytes: a class counts as one, and one
 * of digits as none, since digits are in most messages: a pattern's other
 * atoms, where it has some, are the better filter. */
static size_t atom_len(const char *atom)
{
    if (atom[0] != CLASS_ATOM) return strlen(atom);
    return strstr(atom, "\\d") || strpbrk(atom + 1, "0123456789") ? 0 : 1;
}

static size_t atom_set_min_len(const atom_set *a)
{
    size_t m = (size_t)-1;
    for (size_t i = 0; i < a->count; i++)
        if (atom_len(a->items[i]) < m) m = atom_len(a->items[i]);
    return a->count ? m : 0;
}

/* A class that can serve as an atom: not negated, with members that are
 * plain characters, digit ranges, escaped punctuation or \d, and no
 * Unicode properties or white space (which match too much to filter).
 * s[start] is '[' and s[end] its ']'. */
static int class_is_atom(const char *s, size_t start, size_t end)
{
    if (s[start + 1] == '^') return 0;
    for (size_t i = start + 1; i < end; i++) {
        if (s[i] == '[') return 0; /* [:alpha:] */
        if (s[i] == '-' && i > start + 1 && i + 1 < end &&
            !(isdigit((unsigned char)s[i - 1]) && isdigit((unsigned char)s[i + 1])))
            return 0; /* a range of letters would fire on most records */
        if (s[i] == '\\') {
            char c = s[i + 1];
            if (!(c == 'd' || (ispunct((unsigned char)c) && c != '\\'))) return 0;
            i++;
        }
    }
    return 1;
}

/* Adds class atom regex[0..n) (expanded like the pattern) to a. */
static void atom_set_add_class(atom_set *a, const lexicon_set *lx, const char *src, size_t n, size_t before)
{
    char *one = xstrndup(src, n), *bad = NULL;
    size_t bad_offset;
    char *re = pattern_expand(lx, one, &bad, &bad_offset);
    free(one);
    free(bad);
    if (!re) return;
    char *atom = xasprintf("%c%s", CLASS_ATOM, re);
    free(re);
    a->valid = 1;
    atom_set_add(a, atom, strlen(atom), before, 0);
    free(atom);
}

/* Keeps in *best whichever of *best and *cand is the better filter. */
static void atom_set_pick(atom_set *best, atom_set *cand)
{
    if (!cand->valid || cand->count == 0) {
        atom_set_clear(cand);
        return;
    }
    if (!best->valid || atom_set_min_len(cand) > atom_set_min_len(best) ||
        (atom_set_min_len(cand) == atom_set_min_len(best) && cand->count < best->count)) {
        atom_set_clear(best);
        *best = *cand;
    } else {
        atom_set_clear(cand);
    }
    *cand = (atom_set){0};
}

typedef struct atom_parser {
    const char        *s;
    size_t             n, i;
    const lexicon_set *lx;
} atom_parser;

static atom_set atoms_alternation(atom_parser *p, int depth, size_t *width);

/* Length of a quantifier at s[i] ("?", "*", "+", "{2,5}", with a lazy or
 * possessive suffix), 0 when there is none; *optional when it allows zero,
 * *most the most repetitions it allows (OFS_UNBOUNDED for none). */
static size_t quantifier_at(const char *s, size_t n, size_t i, int *optional, size_t *most)
{
    *optional = 0;
    *most = 1;
    if (i >= n) return 0;
    size_t len = 0;
    if (s[i] == '?' || s[i] == '*') {
        *optional = 1;
        *most = s[i] == '?' ? 1 : OFS_UNBOUNDED;
        len = 1;
    } else if (s[i] == '+') {
        *most = OFS_UNBOUNDED;
        len = 1;
    } else if (s[i] == '{' && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9') {
        const char *end = strchr(s + i, '}');
        if (!end) return 0;
        *optional = s[i + 1] == '0' && (s[i + 2] == ',' || s[i + 2] == '}');
        const char *comma = memchr(s + i, ',', (size_t)(end - (s + i)));
        const char *upper = comma ? comma + 1 : s + i + 1;
        *most = upper == end ? OFS_UNBOUNDED : strtoul(upper, NULL, 10);
        len = (size_t)(end - (s + i)) + 1;
    } else if (s[i] == '{' && i + 1 < n && s[i + 1] == ',') {
        *optional = 1;
        const char *end = strchr(s + i, '}');
        *most = end && end > s + i + 2 ? strtoul(s + i + 2, NULL, 10) : OFS_UNBOUNDED;
        len = end ? (size_t)(end - (s + i)) + 1 : 1;
    }
    if (len && i + len < n && (s[i + len] == '?' || s[i + len] == '+')) len++;
    return len;
}

/* The most bytes the escape at s[i] == '\\' matches: 0 for assertions,
 * OFS_UNBOUNDED for back-references and \X, else one character. */
static size_t escape_width(const char *s, size_t n, size_t i)
{
    if (i + 1 >= n) return 4;
    char c = s[i + 1];
    if (strchr("bBAzZGK", c)) return 0;
    if ((c >= '1' && c <= '9') || c == 'g' || c == 'k' || c == 'X' || c == 'Q') return OFS_UNBOUNDED;
    return 4;
}

/* Normalises the literal run in lit like flush_literal does, offers it as
 * an atom starting *width bytes into the match, and adds its width to
 * *width. A quantifier (optional, at most `most` times) applies to the
 * run's last character. */
static void offer_literal(atom_set *best, strbuf *lit, int optional, size_t most, size_t *width)
{
    if (!lit->len) return;
    char *norm = norm_string(lit->buf);
    size_t len = strlen(norm), last = len;
    if (last) {
        last--;
        while (last && ((unsigned char)norm[last] & 0xC0) == 0x80) last--;
    }
    size_t atom_len = optional ? last : len;
    atom_set cand = {0};
    if (atom_len) {
        cand.valid = 1;
        atom_set_add(&cand, norm, atom_len, *width, 0); /* what the pattern puts around it is not known here */
    }
    atom_set_pick(best, &cand);
    *width = width_add(*width, width_add(last, width_mul(len - last, most)));
    free(norm);
    strbuf_reset(lit);
}

/* The atoms of a sequence; *width: the most bytes it matches. */
static atom_set atoms_sequence(atom_parser *p, int depth, size_t *width)
{
    atom_set best = {0};
    strbuf lit = {0}, skip = {0};
    const char *s = p->s;
    size_t w = 0; /* the most bytes matched before the current factor */
    while (p->i < p->n && s[p->i] != '|' && s[p->i] != ')') {
        char c = s[p->i];
        atom_set factor = {0};
        size_t fw = 0; /* the most bytes the factor matches */
        int literal_char = 0;
        if (c == '\\') {
            offer_literal(&best, &lit, 0, 1, &w);
            fw = escape_width(s, p->n, p->i);
            char e = p->i + 1 < p->n ? s[p->i + 1] : 0;
            if (e == 'd') {
                atom_set_add_class(&factor, p->lx, "\\d", 2, 0);
            } else if (ispunct((unsigned char)e)) { /* an escaped '+' or '$' is that character */
                factor.valid = 1;
                atom_set_add(&factor, &e, 1, 0, 0);
                fw = 1;
            }
            p->i = copy_escape(&skip, s, p->i);
        } else if (c == '{' && p->i + 1 < p->n && is_name_start(s[p->i + 1]) && strchr(s + p->i, '}')) {
            offer_literal(&best, &lit, 0, 1, &w);
            size_t j = p->i + 1;
            while (j < p->n && is_name_char(s[j])) j++;
            char *name = xstrndup(s + p->i + 1, j - p->i - 1);
            char *const *atoms;
            const size_t *befores;
            const unsigned char *bounds;
            size_t count;
            fw = OFS_UNBOUNDED;
            /* a lexicon's regex carries its own word bounds, so its atoms'
             * bounds hold wherever the pattern puts it */
            if (s[j] == '}' && lexicon_atoms(p->lx, name, &atoms, &befores, &bounds, &count, &fw) == 0 && count) {
                factor.valid = 1;
                for (size_t k = 0; k < count; k++)
                    atom_set_add(&factor, atoms[k], strlen(atoms[k]), befores[k], bounds[k]);
            }
            free(name);
            p->i = j < p->n ? j + 1 : p->n;
        } else if (c == '[') {
            offer_literal(&best, &lit, 0, 1, &w);
            fw = 4;
            size_t start = p->i++;
            if (p->i < p->n && s[p->i] == '^') p->i++;
            if (p->i < p->n && s[p->i] == ']') p->i++;
            while (p->i < p->n && s[p->i] != ']') p->i = s[p->i] == '\\' ? copy_escape(&skip, s, p->i) : p->i + 1;
            if (p->i < p->n) {
                if (class_is_atom(s, start, p->i)) atom_set_add_class(&factor, p->lx, s + start, p->i + 1 - start, 0);
                p->i++;
            }
        } else if (c == '(') {
            offer_literal(&best, &lit, 0, 1, &w);
            size_t start = p->i;
            size_t body = s[p->i + 1] == '?' ? group_header_end(s, p->n, p->i) : p->i + 1;
            int lookaround = s[start + 1] == '?' && (s[start + 2] == '=' || s[start + 2] == '!' ||
                                                     (s[start + 2] == '<' && (s[start + 3] == '=' || s[start + 3] == '!')));
            int comment = s[start + 1] == '?' && s[start + 2] == '#';
            int option_only = body > start && s[body - 1] == ')';
            p->i = body;
            if (!comment && !option_only) {
                size_t sub_width = OFS_UNBOUNDED;
                atom_set sub = depth < 32 ? atoms_alternation(p, depth + 1, &sub_width) : (atom_set){0};
                if (p->i < p->n && s[p->i] == ')') p->i++;
                if (lookaround) atom_set_clear(&sub);
                else {
                    factor = sub;
                    fw = sub_width;
                }
            }
        } else if (strchr(".^$", c)) {
            offer_literal(&best, &lit, 0, 1, &w);
            fw = c == '.' ? 4 : 0;
            p->i++;
        } else if (c == '{' || c == '?' || c == '*' || c == '+') {
            p->i++; /* a stray quantifier: nothing to learn */
        } else {
            size_t len = utf8_len((unsigned char)c);
            if (p->i + len > p->n) len = p->n - p->i;
            strbuf_append(&lit, s + p->i, len);
            p->i += len;
            literal_char = 1;
        }
        int optional;
        size_t most;
        size_t q = quantifier_at(s, p->n, p->i, &optional, &most);
        if (literal_char) {
            if (q) offer_literal(&best, &lit, optional, most, &w);
        } else {
            if (!optional) {
                /* an atom may lie in any repetition but the first */
                atom_set_shift(&factor, width_add(w, width_mul(fw, most == OFS_UNBOUNDED ? most : most - 1)));
                atom_set_pick(&best, &factor);
            }
            w = width_add(w, width_mul(fw, most));
        }
        atom_set_clear(&factor);
        p->i += q;
    }
    offer_literal(&best, &lit, 0, 1, &w);
    strbuf_free(&lit);
    strbuf_free(&skip);
    *width = w;
    return best;
}

/* The atoms of an alternation: the union of its branches' atoms, when
 * every branch has some. *width: the widest branch. */
static atom_set atoms_alternation(atom_parser *p, int depth, size_t *width)
{
    atom_set all = atoms_sequence(p, depth, width);
    while (p->i < p->n && p->s[p->i] == '|') {
        p->i++;
        size_t bw;
        atom_set branch = atoms_sequence(p, depth, &bw);
        if (bw > *width) *width = bw;
        if (all.valid && branch.valid) {
            for (size_t k = 0; k < branch.count; k++)
                atom_set_add(&all, branch.items[k], strlen(branch.items[k]), branch.befores[k], branch.bounds[k]);
        } else {
            atom_set_clear(&all);
        }
        atom_set_clear(&branch);
    }
    return all;
}

static atom_set pattern_atoms(const lexicon_set *lx, const char *source)
{
    atom_parser p = {source, strlen(source), 0, lx};
    size_t width;
    atom_set a = atoms_alternation(&p, 0, &width);
    if (p.i < p.n) atom_set_clear(&a); /* an unbalanced ')': do not guess */
    return a;
}

int pattern_table_unit_atoms(const pattern_table *t, size_t unit, char *const **atoms, const size_t **befores,
                             const unsigned char **bounds, size_t *count)
{
    const atom_set *a = &t->units[unit].atoms;
    if (!a->valid) return -1;
    *atoms = a->items;
    *befores = a->befores;
    *bounds = a->bounds;
    *count = a->count;
    return 0;
}

void pattern_table_drop_atoms(pattern_table *t)
{
    for (size_t i = 0; i < t->unit_count; i++) atom_set_clear(&t->units[i].atoms);
}

/* The line and column of byte offset off of a pattern that starts at
 * line:col (a block scalar may span lines). */
static void offset_position(const char *source, size_t off, int line, int col, int *out_line, int *out_col)
{
    *out_line = line;
    *out_col = col;
    for (size_t i = 0; i < off && source[i]; i++) {
        if (source[i] == '\n') {
            (*out_line)++;
            *out_col = 1;
        } else if (((unsigned char)source[i] & 0xC0) != 0x80) {
            (*out_col)++;
        }
    }
}

/* No PCRE2_CASELESS: the text is case-folded, and so is every literal and
 * class member of a pattern, so caseless matching would only cost time. */
static pcre2_code *compile_regex(const char *re, int *err, PCRE2_SIZE *off)
{
    return pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP | PCRE2_USE_OFFSET_LIMIT, err, off,
                         NULL);
}

/* Nested unbounded quantifiers such as (a+)+ or (\w*)* can backtrack
 * catastrophically; returns the offset of the outer quantifier, or -1. */
static long nested_quantifier(const char *s)
{
    int inner[64];
    int depth = 0;
    for (size_t i = 0; s[i]; i++) {
        char c = s[i];
        if (c == '\\' && s[i + 1]) {
            i++;
            continue;
        }
        if (c == '(' && depth < 64) {
            inner[depth++] = 0;
        } else if ((c == '+' || c == '*') && depth > 0 && i > 0 && s[i - 1] != '(' && s[i - 1] != '?') {
            inner[depth - 1] = 1;
        } else if (c == ')' && depth > 0) {
            depth--;
            if (inner[depth] && (s[i + 1] == '+' || s[i + 1] == '*' || s[i + 1] == '{')) return (long)i + 1;
            if (inner[depth] && depth > 0) inner[depth - 1] = 1;
        }
    }
    return -1;
}

/* The most alternatives a pattern is split into; beyond, the rest stay
 * together in the last unit. */
#define MAX_UNITS 64

/* Splits source at its top-level '|' into starts[]/lens[]; returns their
 * number (1: not split). A pattern is kept whole when splitting could change
 * what it means: inline options at the top level ("(?i)a|b"), capture
 * numbers or names that back-references use. */
static size_t split_alternatives(const char *s, size_t *starts, size_t *lens)
{
    size_t n = strlen(s), count = 0, depth = 0, from = 0;
    starts[0] = 0;
    lens[0] = n;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\\') {
            char e = i + 1 < n ? s[i + 1] : 0;
            if ((e >= '1' && e <= '9') || e == 'g' || e == 'k') return 1;
            if (e == 'Q') {
                const char *end = strstr(s + i + 2, "\\E");
                i = end ? (size_t)(end - s) + 1 : n;
            } else {
                i++;
            }
        } else if (c == '[') {
            i++;
            if (i < n && s[i] == '^') i++;
            if (i < n && s[i] == ']') i++;
            while (i < n && s[i] != ']') i += s[i] == '\\' ? 2 : 1;
        } else if (c == '(') {
            if (s[i + 1] == '?' && (s[i + 2] == 'P' || s[i + 2] == '\'' || s[i + 2] == '|' ||
                                    (s[i + 2] == '<' && s[i + 3] != '=' && s[i + 3] != '!')))
                return 1;
            if (depth == 0 && s[i + 1] == '?') {
                size_t j = i + 2;
                while (j < n && strchr("imnsxJU^-", s[j])) j++;
                if (j > i + 2 && j < n && s[j] == ')') return 1; /* (?i) for what follows */
            }
            depth++;
        } else if (c == ')') {
            if (depth) depth--;
        } else if (c == '|' && depth == 0 && count + 1 < MAX_UNITS) {
            starts[count] = from;
            lens[count] = i - from;
            count++;
            from = i + 1;
        }
    }
    starts[count] = from;
    lens[count] = n - from;
    return count + 1;
}

/* The share of PCRE2's limit on a compiled pattern (64 KiB with the usual
 * 2-byte links) that a unit may take before lint warns: lexicons grow, and
 * a unit past the limit no longer loads. */
#define UNIT_SIZE_WARN 0.75

/* The largest compiled pattern PCRE2 takes: 2^(8 x link size) code units. */
static double pcre2_size_limit(void)
{
    uint32_t link = 2;
    pcre2_config(PCRE2_CONFIG_LINKSIZE, &link);
    return link >= 4 ? 4294967296.0 : (double)(1ul << (8 * link));
}

/* Expands, compiles and adds one alternative as a unit, or finds the same
 * unit already there. Returns its id, or -1 with *err and *off set.
 * *size: the new unit's compiled size in bytes (0 when it was there). */
static long unit_add(pattern_table *t, const lexicon_set *lx, const char *part, int *err, PCRE2_SIZE *off,
                     size_t *size)
{
    *size = 0;
    char *bad_ref;
    size_t bad_offset;
    char *re = pattern_expand(lx, part, &bad_ref, &bad_offset);
    if (!re) { /* cannot happen: the whole pattern expanded */
        free(bad_ref);
        *err = PCRE2_ERROR_INTERNAL_DUPMATCH;
        *off = 0;
        return -1;
    }
    /* FNV-1a: comparing hashes first keeps the search for a duplicate
     * cheap in rule sets of thousands of units */
    uint64_t hash = fnv1a(re, strlen(re));
    for (size_t i = 0; i < t->unit_count; i++) {
        if (t->units[i].hash == hash && t->units[i].regex && strcmp(t->units[i].regex, re) == 0) {
            free(re);
            return (long)i;
        }
    }
    pcre2_code *code = compile_regex(re, err, off);
    if (!code) {
        free(re);
        return -1;
    }
    pcre2_pattern_info(code, PCRE2_INFO_SIZE, size);
    pattern_unit u = {re, hash, code, 0, pattern_atoms(lx, part)};
    VEC_PUSH(t->units, t->unit_count, t->unit_cap, u);
    return (long)(t->unit_count - 1);
}

long pattern_table_add(pattern_table *t, const lexicon_set *lx, const char *source, const char *file,
                       int line, int col, ofs_diags *d)
{
    int err, eline, ecol;
    PCRE2_SIZE off;
    /* A syntax error in what the analyst wrote is reported at its own
     * position: {lexicon} references are valid literals to PCRE2. */
    pcre2_code *raw = compile_regex(source, &err, &off);
    if (!raw) {
        char msg[256];
        pattern_error_message(err, msg, sizeof msg);
        offset_position(source, off, line, col, &eline, &ecol);
        diag_add(d, OFS_ERROR, file, eline, ecol, "invalid regex at offset %zu of the pattern: %s", (size_t)off, msg);
        return -1;
    }
    pcre2_code_free(raw);
    long nested = nested_quantifier(source);
    if (nested >= 0) {
        offset_position(source, (size_t)nested, line, col, &eline, &ecol);
        diag_add(d, OFS_WARNING, file, eline, ecol,
                 "nested quantifier at offset %ld of the pattern may backtrack catastrophically", nested);
    }
    char *bad_ref;
    size_t bad_offset;
    char *re = pattern_expand(lx, source, &bad_ref, &bad_offset);
    if (!re) {
        const char *near = lexicon_closest(lx, bad_ref);
        offset_position(source, bad_offset, line, col, &eline, &ecol);
        diag_add(d, OFS_ERROR, file, eline, ecol, "unknown lexicon '{%s}' at offset %zu of the pattern%s%s%s", bad_ref,
                 bad_offset, near ? " (did you mean '{" : "", near ? near : "", near ? "}'?)" : "");
        free(bad_ref);
        return -1;
    }
    for (size_t i = 0; i < t->count; i++) {
        if (strcmp(t->items[i].regex, re) == 0) {
            free(re);
            return (long)i;
        }
    }
    /* Each top-level alternative is compiled on its own: a pattern such as
     * '{boat}|{crossing_term}|...' would otherwise soon outgrow PCRE2's
     * limit on a compiled pattern, and each alternative gets atoms, and so
     * prefilter windows, of its own. */
    size_t starts[MAX_UNITS], lens[MAX_UNITS];
    size_t nparts = split_alternatives(source, starts, lens);
    compiled_pattern cp = {re, xcalloc(nparts, sizeof(size_t)), nparts};
    double limit = pcre2_size_limit();
    for (size_t k = 0; k < nparts; k++) {
        char *part = xstrndup(source + starts[k], lens[k]);
        size_t size;
        long unit = unit_add(t, lx, part, &err, &off, &size);
        if (unit < 0) {
            char msg[256];
            pattern_error_message(err, msg, sizeof msg);
            offset_position(source, starts[k], line, col, &eline, &ecol);
            diag_add(d, OFS_ERROR, file, eline, ecol, "invalid regex after expanding lexicons%s%.80s%s: %s",
                     nparts > 1 ? " in the alternative '" : " in '", part, lens[k] > 80 ? "...'" : "'", msg);
            free(part);
            free(cp.units);
            free(re);
            return -1;
        }
        cp.units[k] = (size_t)unit;
        if ((double)size > UNIT_SIZE_WARN * limit) {
            offset_position(source, starts[k], line, col, &eline, &ecol);
            diag_add(d, OFS_WARNING, file, eline, ecol,
                     "%s compiles to %zu bytes, %.0f%% of PCRE2's limit: it stops loading if it or its lexicons "
                     "grow; split it into top-level alternatives (A|B), each compiled on its own",
                     nparts > 1 ? "this alternative" : "the pattern", size, 100.0 * (double)size / limit);
        }
        free(part);
    }
    VEC_PUSH(t->items, t->count, t->cap, cp);
    return (long)(t->count - 1);
}

void pattern_table_jit(pattern_table *t) { t->jit = 1; }

/* The code to run for unit u, given its JIT machine code first if this is
 * the unit's first search (by any thread) and the table allows JIT. The
 * code gets it in place, under the table's lock, before any thread runs
 * it. A copy per unit (so that no thread would run a code being compiled)
 * kept the bytecode of every unit used twice, and threads starting
 * together compiled the same units: in place, labelling 8 MB with the
 * bundled rules peaks 2.2 MB lower with one thread, 2.6 MB with two.
 * Where JIT fails, pcre2_match runs the code in the interpreter. */
static const pcre2_code *unit_code(const pattern_table *t, size_t u)
{
    pattern_unit *unit = &t->units[u];
    if (!t->jit || atomic_load_explicit(&unit->jitted, memory_order_acquire)) return unit->code;
    pthread_mutex_lock(t->jit_lock);
    if (!atomic_load_explicit(&unit->jitted, memory_order_relaxed)) {
        (void)pcre2_jit_compile(unit->code, PCRE2_JIT_COMPLETE);
        atomic_store_explicit(&unit->jitted, 1, memory_order_release);
    }
    pthread_mutex_unlock(t->jit_lock);
    return unit->code;
}

void pattern_error_message(int code, char *buf, size_t size)
{
    if (pcre2_get_error_message(code, (PCRE2_UCHAR *)buf, size) < 0) snprintf(buf, size, "error %d", code);
}

pattern_matcher *pattern_matcher_create(const pattern_table *t, unsigned match_limit, unsigned depth_limit)
{
    pattern_matcher *m = xcalloc(1, sizeof *m);
    m->table = t;
    m->memo = xcalloc(t->unit_count + 1, sizeof *m->memo);
    m->text_number = 1;
    m->data = pcre2_match_data_create(32, NULL);
    m->context = pcre2_match_context_create(NULL);
    if (!m->data || !m->context) {
        pattern_matcher_free(m);
        return NULL;
    }
    pcre2_set_match_limit(m->context, match_limit);
    pcre2_set_depth_limit(m->context, depth_limit);
    m->jit_stack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL);
    if (m->jit_stack) pcre2_jit_stack_assign(m->context, NULL, m->jit_stack);
    return m;
}

void pattern_matcher_free(pattern_matcher *m)
{
    if (!m) return;
    pcre2_match_data_free(m->data);
    pcre2_match_context_free(m->context);
    pcre2_jit_stack_free(m->jit_stack);
    free(m->memo);
    free(m->next);
    free(m->have);
    free(m);
}

/* The next position after a match ending at end (one character on when
 * the match was empty). */
static size_t after_match(const char *text, size_t len, size_t start, size_t end)
{
    if (end > start) return end;
    size_t pos = end + 1;
    while (pos < len && ((unsigned char)text[pos] & 0xC0) == 0x80) pos++;
    return pos;
}

void pattern_matcher_new_text(pattern_matcher *m)
{
    if (++m->text_number == 0) { /* wrapped: forget every memo */
        memset(m->memo, 0, (m->table->unit_count + 1) * sizeof *m->memo);
        m->text_number = 1;
    }
}

static int unit_search_windows(pattern_matcher *m, size_t u, const char *text, size_t len, const unit_search *s,
                               size_t from, ofs_span *found);

/* The first match of unit u starting at or after from, inside the unit's
 * windows (the whole text when s is NULL or has none). Returns 1 with
 * *found, 0 when there is none, or a PCRE2 error code.
 *
 * Whether a match starts at a position does not depend on where the
 * search began, so a search from f that found a match at p (or none)
 * answers every later search from f' in [f, p] (or any f' >= f): the
 * memo saves the repeated searches of a unit shared by several patterns. */
static int unit_next(pattern_matcher *m, size_t u, const char *text, size_t len, const unit_search *s, size_t from,
                     ofs_span *found)
{
    unit_memo *memo = &m->memo[u];
    if (memo->text == m->text_number && memo->from <= from && (memo->rc == 0 || memo->found.start >= from)) {
        if (memo->rc == 1) *found = memo->found;
        return memo->rc;
    }
    int rc = unit_search_windows(m, u, text, len, s, from, found);
    if (rc == 0 || rc == 1) *memo = (unit_memo){m->text_number, rc, from, rc == 1 ? *found : (ofs_span){0, 0}};
    return rc;
}

static int unit_search_windows(pattern_matcher *m, size_t u, const char *text, size_t len, const unit_search *s,
                               size_t from, ofs_span *found)
{
    if (s && s->skip) return 0;
    ofs_span whole = {0, len};
    const ofs_span *w = s && s->windows ? s->windows : &whole;
    size_t nw = s && s->windows ? s->window_count : 1;
    const pcre2_code *code = unit_code(m->table, u);
    int rc = 0;
    for (size_t k = 0; k < nw && from <= len; k++) {
        if (w[k].end < from) continue;
        size_t pos = from;
        if (w[k].start > pos) {
            /* a window may start inside a character: start at its first byte */
            pos = w[k].start < len ? w[k].start : len;
            while (pos > from && ((unsigned char)text[pos] & 0xC0) == 0x80) pos--;
        }
        /* a match must start at or before the window's end */
        pcre2_set_offset_limit(m->context, w[k].end);
        rc = pcre2_match(code, (PCRE2_SPTR)text, len, pos, PCRE2_NO_UTF_CHECK, m->data, m->context);
        if (rc == PCRE2_ERROR_NOMATCH) {
            rc = 0;
            continue;
        }
        if (rc < 0) break;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->data);
        *found = (ofs_span){ov[0], ov[1]};
        rc = 1;
        break;
    }
    pcre2_set_offset_limit(m->context, PCRE2_UNSET);
    return rc;
}

int pattern_find_all(pattern_matcher *m, size_t id, const char *text, size_t len, const unit_search *search,
                     ofs_span *out, size_t max, size_t *n)
{
    const compiled_pattern *p = &m->table->items[id];
    size_t k = p->unit_count;
    if (k > m->next_cap) {
        m->next = xrealloc(m->next, k * sizeof *m->next);
        m->have = xrealloc(m->have, k * sizeof *m->have);
        m->next_cap = k;
    }
    *n = 0;
    /* As PCRE2 runs an alternation: the leftmost match of any unit, the
     * first unit on a tie; then on from its end. */
    int rc = 0;
    for (size_t u = 0; u < k && rc >= 0; u++) {
        rc = unit_next(m, p->units[u], text, len, search ? &search[u] : NULL, 0, &m->next[u]);
        m->have[u] = rc == 1;
    }
    while (rc >= 0 && *n < max) {
        size_t best = k;
        for (size_t u = 0; u < k; u++)
            if (m->have[u] && (best == k || m->next[u].start < m->next[best].start)) best = u;
        if (best == k) break;
        ofs_span found = m->next[best];
        out[(*n)++] = found;
        size_t pos = after_match(text, len, found.start, found.end);
        for (size_t u = 0; u < k && rc >= 0; u++) {
            if (!m->have[u] || m->next[u].start >= pos) continue;
            rc = unit_next(m, p->units[u], text, len, search ? &search[u] : NULL, pos, &m->next[u]);
            m->have[u] = rc == 1;
        }
    }
    return rc < 0 ? rc : 0;
}

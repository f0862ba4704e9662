/* gazetteer.c: the names of countries and places, and the words that say
 * which way a journey goes, loaded from the rule bundle; tokens and lookups.
 *
 * The data
 * --------
 * Four files of rules/lexicon/, found by their one top-level key:
 *
 *   countries:        every ISO 3166-1 country, its flag and its names in
 *                     thirteen languages (generated from Debian's iso-codes
 *                     by scripts/gen_countries.py);
 *   country_aliases:  colloquial names ("الطليان", "Talyan", "Yunanistan",
 *                     "libyan coast"), adjectives ("libyan", "italiana",
 *                     "ليبي") and regions with no country ("Europe");
 *   places:           ports, beaches, islands, border towns and cities on
 *                     the migration routes, each with its English exonym,
 *                     its country and its spellings;
 *   route_cues:       direction words (from/to/via, before or after a
 *                     place), the words that may stand between a cue and its
 *                     place, conjunctions, "then", arrows and dashes, and
 *                     the pieces attached to names (below).
 *
 * Matching without one pattern per name
 * -------------------------------------
 * Text is cut into word tokens (gaz_tokenize). A token's KEY is its text
 * with every run of one repeated letter collapsed, which is what the
 * normaliser's de-obfuscation does to the text: "Annaba" -> "anaba",
 * "لليبيا" -> "ليبيا". Every name in the data goes through the same steps
 * (norm_string, and the de-obfuscating normalisation too, then tokens,
 * then keys joined with one space), so
 *
 *     "Grande-Synthe"   -> "grande synthe"
 *     "Reggio Calabria" -> "regio calabria"
 *     "🇱🇾"              -> "🇱🇾"  (a flag is one token)
 *
 * and a name of one to four words is found by hashing the keys of one to
 * four consecutive tokens: a handful of hash probes per token, whatever the
 * size of the gazetteer. Each key maps to its meanings (gaz_cand), best
 * first: a country before a place, a place before a region, adjectives
 * last; places in file order ("Tripoli" is Libya before Lebanon). A name
 * that is both a country (written by hand in country_aliases.yaml) and a
 * city of it ("تونس") keeps the city as a second meaning, which the route
 * finder takes when the other end of a route is a city ("تونس - جنوة").
 *
 * Words with something attached
 * -----------------------------
 * A token that is not a name as it stands may be one once an attached
 * piece is taken off (gaz_match_at); what the piece means goes with it:
 *
 *   Arabic script:  [و|ف] [من|ل|ب|ك|م+ال] [ال] stem
 *                   "والطليان" = و + ال + طليان, "لايطاليا" = ل + ايطاليا,
 *                   "للطليان" = ل + (ا)ل + طليان, "بليبيا" = ب + ليبيا.
 *                   The stem is looked up as it is and with "ال" in front.
 *                   "من" and "ل" give the place a direction (from, to);
 *                   "و" joins it to the place before ("ليبيا وتونس").
 *                   Because de-obfuscation collapses "لليبيا" to "ليبيا",
 *                   an Arabic token that starts with "ل" is re-read from
 *                   the original text without collapsing to see the "لل".
 *                   Suffixes: Sorani Kurdish "لە هەولێرەوە" (from Erbil),
 *                   Pashto "تر استانبوله" (oblique ending).
 *   Ethiopic:       Tigrinya "ብሱዳን" (by way of Sudan).
 *   Arabizi:        l/li/lel + stem ("ltalya": to Italy), mel/mn + stem.
 *   Turkish:        stem + case suffix, with or without an apostrophe:
 *                   "İzmir'den", "Libyadan" (from), "Yunanistan'a",
 *                   "İtalyaya" (to), "Libya'da" (in). Without an
 *                   apostrophe the stem must be at least four letters (five
 *                   before a one-letter suffix), and the suffix must follow
 *                   vowel harmony ("Almanya" + "ya", never + "ye": Kurmanji
 *                   "Almanyayê" is "of Germany"), so that ordinary words do
 *                   not turn into places.
 *   Kurmanji:       stem + oblique case ending, without vowel harmony:
 *                   "ji Bosnayê" (from Bosnia), "li Yewnanistanê" (in
 *                   Greece); the ending says no direction, the word before
 *                   does.
 *
 * Everything is read-only once loaded: any number of threads may share a
 * gazetteer.
 */
#include "gazetteer.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "diag.h"
#include "normalize.h"

/* ---- a string -> index hash map ------------------------------------------- */

typedef struct strmap_slot {
    char    *key;      /* NULL: empty */
    size_t   len;
    uint64_t hash;
    size_t   value;
} strmap_slot;

/* A bit per hash value (two bits per key) in front of the slots: most
 * words of a text are in no map, and the test is answered from 8 KiB that
 * stay in cache instead of a slot array that does not. */
#define STRMAP_BLOOM_WORDS 1024
typedef struct strmap {
    strmap_slot *slots;
    size_t       cap, count;    /* cap is a power of two */
    uint64_t    *bloom;         /* STRMAP_BLOOM_WORDS words, made by strmap_put */
} strmap;

static inline void bloom_bits(uint64_t h, size_t *w1, uint64_t *b1, size_t *w2, uint64_t *b2)
{
    uint32_t x = (uint32_t)(h >> 16), y = (uint32_t)(h >> 40);
    *w1 = (x >> 6) & (STRMAP_BLOOM_WORDS - 1);
    *b1 = 1ull << (x & 63);
    *w2 = (y >> 6) & (STRMAP_BLOOM_WORDS - 1);
    *b2 = 1ull << (y & 63);
}

static uint64_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull;          /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

static strmap_slot *strmap_find(const strmap *m, const char *key, size_t len, uint64_t h)
{
    if (!m->cap) return NULL;
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        strmap_slot *s = &m->slots[i];
        if (!s->key) return s;
        if (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0) return s;
    }
}

static void strmap_grow(strmap *m)
{
    strmap old = *m;
    m->cap = old.cap ? old.cap * 2 : 1024;
    m->slots = xcalloc(m->cap, sizeof *m->slots);
    for (size_t i = 0; i < old.cap; i++) {
        if (!old.slots[i].key) continue;
        strmap_slot *s = strmap_find(m, old.slots[i].key, old.slots[i].len, old.slots[i].hash);
        *s = old.slots[i];
    }
    free(old.slots);
}

/* The value under key, or SIZE_MAX. */
static size_t strmap_get(const strmap *m, const char *key, size_t len)
{
    if (!m->bloom) return SIZE_MAX;
    uint64_t h = hash_bytes(key, len), b1, b2;
    size_t w1, w2;
    bloom_bits(h, &w1, &b1, &w2, &b2);
    if (!(m->bloom[w1] & b1) || !(m->bloom[w2] & b2)) return SIZE_MAX;
    strmap_slot *s = strmap_find(m, key, len, h);
    return s && s->key ? s->value : SIZE_MAX;
}

/* The value slot of key, inserted with value SIZE_MAX when new. */
static size_t *strmap_put(strmap *m, const char *key, size_t len)
{
    if ((m->count + 1) * 2 > m->cap) strmap_grow(m);
    uint64_t h = hash_bytes(key, len), b1, b2;
    size_t w1, w2;
    if (!m->bloom) m->bloom = xcalloc(STRMAP_BLOOM_WORDS, sizeof *m->bloom);
    bloom_bits(h, &w1, &b1, &w2, &b2);
    m->bloom[w1] |= b1;
    m->bloom[w2] |= b2;
    strmap_slot *s = strmap_find(m, key, len, h);
    if (!s->key) {
        s->key = xstrndup(key, len);
        s->len = len;
        s->hash = h;
        s->value = SIZE_MAX;
        m->count++;
    }
    return &s->value;
}

static void strmap_free(strmap *m)
{
    for (size_t i = 0; i < m->cap; i++) free(m->slots[i].key);
    free(m->slots);
    free(m->bloom);
}

/* ---- the gazetteer ----------------------------------------------------------- */

typedef struct cand_set {
    gaz_cand *items;
    size_t    count, cap;
} cand_set;

/* An attached particle: its normalised text and what it does. */
enum { AFFIX_CONJ, AFFIX_PREP, AFFIX_PREP_ART, AFFIX_ARTICLE };
typedef struct affix {
    char  *text;
    size_t len;
    int    slot;    /* AFFIX_* for Arabic prefixes */
    int    role;    /* GAZ_ROLE_* */
} affix;
typedef struct affix_list { affix *items; size_t count, cap; } affix_list;

enum { SYM_ARROW, SYM_BACK, SYM_DASH, SYM_LIST, SYM_PAREN, SYM_COLON, SYM_BREAK, SYM_COUNT };
typedef struct sym_list { char **items; size_t *lens; size_t count, cap, lens_cap; } sym_list;

struct gazetteer {
    gaz_entry **entries;
    size_t      nentries, entries_cap;
    gaz_entry  *country_by_code[26 * 26];
    gaz_entry  *adjective_by_code[26 * 26];
    strmap      names;           /* key -> index into sets */
    strmap      exact;           /* a country_aliases `exact:` name, case-folded as written -> index into sets */
    strmap      exact_keys;      /* the collapsed keys of those names: a word with one of them is
                                    read again from the original text */
    size_t      exact_key_max;   /* the longest of those keys (0: none), a cheap first test */
    cand_set   *sets;
    size_t      nsets, sets_cap;
    strmap      cues;            /* key -> GAZ_CUE_* bits */
    strmap      firsts;          /* the first word of every name key: a cheap
                                    test before joining and looking up words */
    sym_list    syms[SYM_COUNT];
    int32_t    *sym_cps;         /* every code point of every symbol, sorted */
    size_t      nsym_cps, sym_cps_cap;
    affix_list  arabic_prefixes, arabic_suffixes, latin_prefixes, ethiopic_prefixes, turkish_suffixes,
                kurmanji_suffixes;
    ofs_norm   *norm;            /* used while loading */
    const char *spelling_lang;   /* while loading: the language key of the spellings being read, or NULL */
};

/* ---- characters -------------------------------------------------------------- */

static inline size_t next_cp(const char *s, size_t len, size_t p, int32_t *cp)
{
    if ((unsigned char)s[p] < 0x80) { /* ASCII: most of the text */
        *cp = (unsigned char)s[p];
        return 1;
    }
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + p, (utf8proc_ssize_t)(len - p), cp);
    if (n <= 0) {
        *cp = -1;
        return 1;
    }
    return (size_t)n;
}

static inline int is_ascii_letter(int32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static inline int is_letter(int32_t c)
{
    if (c < 0x80) return is_ascii_letter(c);
    utf8proc_category_t k = utf8proc_category(c);
    return k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_LO;
}

static int is_apostrophe(int32_t c)
{
    return c == '\'' || c == 0x2019 || c == 0x2018 || c == 0x02BC || c == '`' || c == 0xB4;
}

static inline int is_word_cp(int32_t c)
{
    if (c < 0x80) return c >= 0 && (is_ascii_letter(c) || (c >= '0' && c <= '9'));
    if (is_apostrophe(c)) return 0;
    if (c == 0x0640) return 1; /* tatweel, in case the normaliser left it */
    utf8proc_category_t k = utf8proc_category(c);
    return (k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_LO) ||
           (k >= UTF8PROC_CATEGORY_MN && k <= UTF8PROC_CATEGORY_ME) ||
           (k >= UTF8PROC_CATEGORY_ND && k <= UTF8PROC_CATEGORY_NO);
}

static int is_regional_indicator(int32_t c) { return c >= 0x1F1E6 && c <= 0x1F1FF; }

static int is_arabic_cp(int32_t c)
{
    return (c >= 0x0600 && c <= 0x06FF) || (c >= 0x0750 && c <= 0x077F) || (c >= 0x08A0 && c <= 0x08FF) ||
           (c >= 0xFB50 && c <= 0xFDFF) || (c >= 0xFE70 && c <= 0xFEFF);
}

static int is_latin_cp(int32_t c) { return c < 0x0250 || (c >= 0x1E00 && c <= 0x1EFF); }

static int is_ethiopic_cp(int32_t c) { return (c >= 0x1200 && c <= 0x139F) || (c >= 0x2D80 && c <= 0x2DDF); }

/* Appends s[0..len) to out with every run of one repeated letter collapsed,
 * then a NUL. Returns the length appended (without the NUL). */
static size_t append_collapsed(strbuf *out, const char *s, size_t len)
{
    size_t before = out->len;
    /* the result is never longer than s: make room once, write in place */
    grow_array((void **)&out->buf, &out->cap, out->len + len + 2, 1);
    char *dst = out->buf + out->len;
    int32_t prev = -1;
    for (size_t p = 0; p < len;) {
        int32_t c;
        size_t n = next_cp(s, len, p, &c);
        if (c == 0x0640) { /* tatweel: nothing */
            p += n;
            continue;
        }
        if (!(c == prev && is_letter(c))) {
            memcpy(dst, s + p, n);
            dst += n;
        }
        prev = c;
        p += n;
    }
    *dst = '\0';   /* the separator, counted in out->len like strbuf_putc's */
    size_t n = (size_t)(dst - out->buf) - before;
    out->len = before + n + 1;
    out->buf[out->len] = '\0';
    return n;
}

/* ---- tokens -------------------------------------------------------------------- */

void gaz_tokens_reset(gaz_tokens *t)
{
    t->count = 0;
    t->in = NULL;
    strbuf_reset(&t->keys);
}

void gaz_tokens_free(gaz_tokens *t)
{
    free(t->items);
    strbuf_free(&t->keys);
    norm_free(t->scratch);
    memset(t, 0, sizeof *t);
}

/* Where token tok stands in the original text of in: [*os, *oe). Returns
 * 0 when the original is not known. */
static int original_span(const extract_input *in, const gaz_token *tok, size_t *os, size_t *oe)
{
    if (!in || !in->norm) return 0;
    norm_to_orig(in->norm, tok->start, tok->end, os, oe);
    return *oe > *os && *oe <= in->orig_len;
}

/* The raw form of an Arabic token, re-read from the original text without
 * de-obfuscation; appended to t->keys. Returns 1 when it differs. */
static int reread_raw(gaz_tokens *t, const extract_input *in, gaz_token *tok)
{
    size_t os, oe;
    if (!original_span(in, tok, &os, &oe) || oe - os > 256) return 0;
    if (!t->scratch) t->scratch = norm_create();
    if (!t->scratch || norm_run(t->scratch, in->orig + os, oe - os, 0) != 0) return 0;
    size_t len;
    const char *s = norm_text(t->scratch, &len);
    for (size_t p = 0; p < len;) { /* must still be one word */
        int32_t c;
        size_t n = next_cp(s, len, p, &c);
        if (!is_word_cp(c)) return 0;
        p += n;
    }
    const char *cur = t->keys.buf + tok->raw_off;
    if (len == tok->raw_len && memcmp(s, cur, len) == 0) return 0;
    tok->raw_off = t->keys.len;
    tok->raw_len = len;
    strbuf_append(&t->keys, s, len);
    strbuf_putc(&t->keys, '\0');
    return 1;
}

void gaz_tokenize(const char *text, size_t len, const extract_input *in, gaz_tokens *t)
{
    size_t p = 0;
    size_t last_word_end = SIZE_MAX;   /* end of the previous word token */
    int pending_apos = 0;
    t->in = in;
    while (p < len) {
        int32_t c;
        size_t n = next_cp(text, len, p, &c);
        if (is_regional_indicator(c)) {
            int32_t c2;
            size_t n2 = p + n < len ? next_cp(text, len, p + n, &c2) : 0;
            if (n2 && is_regional_indicator(c2)) {
                gaz_token tok = {0};
                tok.start = p;
                tok.end = p + n + n2;
                tok.script = GAZ_SCRIPT_FLAG;
                tok.key_off = tok.raw_off = t->keys.len;
                tok.key_len = tok.raw_len = tok.end - tok.start;
                strbuf_append(&t->keys, text + p, tok.key_len);
                strbuf_putc(&t->keys, '\0');
                VEC_PUSH(t->items, t->count, t->cap, tok);
                p = tok.end;
            } else {
                p += n;
            }
            pending_apos = 0;
            last_word_end = SIZE_MAX;
            continue;
        }
        if (is_apostrophe(c) && last_word_end == p && p + n < len) {
            int32_t c2;
            next_cp(text, len, p + n, &c2);
            if (is_word_cp(c2)) {
                pending_apos = 1;
                p += n;
                continue;
            }
        }
        if (!is_word_cp(c)) {
            pending_apos = 0;
            p += n;
            continue;
        }
        gaz_token tok = {0};
        tok.start = p;
        tok.script = GAZ_SCRIPT_OTHER;
        while (p < len) {
            n = next_cp(text, len, p, &c);
            if (!is_word_cp(c)) break;
            if (tok.script == GAZ_SCRIPT_OTHER && is_letter(c))
                tok.script = is_arabic_cp(c)     ? GAZ_SCRIPT_ARABIC
                             : is_latin_cp(c)    ? GAZ_SCRIPT_LATIN
                             : is_ethiopic_cp(c) ? GAZ_SCRIPT_ETHIOPIC
                                                 : GAZ_SCRIPT_OTHER;
            p += n;
        }
        tok.end = p;
        if (tok.script == GAZ_SCRIPT_OTHER) { /* digits only, or another script: Latin rules for digits */
            int32_t c0;
            next_cp(text, len, tok.start, &c0);
            if (c0 < 0x80) tok.script = GAZ_SCRIPT_LATIN;
        }
        if (pending_apos && t->count) {
            tok.apos_before = 1;
            t->items[t->count - 1].apos_after = 1;
        }
        pending_apos = 0;
        tok.raw_off = t->keys.len;
        tok.raw_len = tok.end - tok.start;
        strbuf_append(&t->keys, text + tok.start, tok.raw_len);
        strbuf_putc(&t->keys, '\0');
        tok.key_off = t->keys.len;
        tok.key_len = append_collapsed(&t->keys, text + tok.start, tok.raw_len);
        if (in && tok.script == GAZ_SCRIPT_ARABIC) {
            /* "لليبيا" collapsed to "ليبيا": look at the original */
            const char *k = t->keys.buf + tok.key_off;
            if (tok.key_len >= 2 && (unsigned char)k[0] == 0xD9 && (unsigned char)k[1] == 0x84) reread_raw(t, in, &tok);
        }
        VEC_PUSH(t->items, t->count, t->cap, tok);
        last_word_end = p;
    }
}

/* ---- keys of data strings ---------------------------------------------------- */

/* The key of already normalised text s: its token keys joined with spaces,
 * and "'" at the end when with_apos and s ends with an apostrophe. Returns
 * the number of tokens (0: nothing to index). */
static size_t key_of_normalised(const char *s, int with_apos, strbuf *out)
{
    gaz_tokens t = {0};
    size_t len = strlen(s);
    gaz_tokenize(s, len, NULL, &t);
    strbuf_reset(out);
    for (size_t i = 0; i < t.count; i++) {
        if (i) strbuf_putc(out, ' ');
        strbuf_append(out, gaz_token_key(&t, i), t.items[i].key_len);
    }
    if (with_apos && t.count && len) {
        /* the last code point */
        size_t p = len;
        while (p > 0 && ((unsigned char)s[p - 1] & 0xC0) == 0x80) p--;
        if (p > 0) p--;
        int32_t c;
        next_cp(s, len, p, &c);
        if (is_apostrophe(c) && p >= t.items[t.count - 1].end) strbuf_putc(out, '\'');
    }
    size_t n = t.count;
    gaz_tokens_free(&t);
    return n;
}

/* The keys of a data string, as norm_string makes it and as de-obfuscation
 * makes it (they differ for some names); nkeys gets 0, 1 or 2. Returns the
 * largest word count. */
static size_t keys_of(gazetteer *g, const char *s, int with_apos, strbuf keys[2], size_t *nkeys)
{
    *nkeys = 0;
    char *plain = norm_string(s);
    size_t words = 0;
    if (plain) {
        size_t w = key_of_normalised(plain, with_apos, &keys[0]);
        if (w) {
            *nkeys = 1;
            words = w;
        }
        free(plain);
    }
    if (norm_run(g->norm, s, strlen(s), NORM_DEOBFUSCATE) == 0) {
        size_t w = key_of_normalised(norm_text(g->norm, NULL), with_apos, &keys[*nkeys]);
        if (w && !(*nkeys && keys[0].len == keys[1].len && memcmp(keys[0].buf, keys[1].buf, keys[0].len) == 0)) {
            (*nkeys)++;
            if (w > words) words = w;
        } else if (w && !*nkeys) {
            *nkeys = 1;
            words = w;
        }
    }
    return words;
}

/* ---- building ----------------------------------------------------------------- */

static int code_index(const char *cc)
{
    if (!(cc[0] >= 'A' && cc[0] <= 'Z' && cc[1] >= 'A' && cc[1] <= 'Z' && cc[2] == '\0')) return -1;
    return (cc[0] - 'A') * 26 + (cc[1] - 'A');
}

static gaz_entry *new_entry(gazetteer *g, gaz_kind kind, const char *cc, const char *name)
{
    gaz_entry *e = xcalloc(1, sizeof *e);
    e->kind = kind;
    if (cc) memcpy(e->country, cc, 3);
    e->name = xstrdup(name);
    VEC_PUSH(g->entries, g->nentries, g->entries_cap, e);
    return e;
}

static int kind_rank(gaz_kind k) { return (int)k; }

/* Adds the meaning e to key; returns the set's index. generated: the name
 * comes from countries.yaml. particles: see gaz_cand.takes_particles. */
static size_t add_name_key(gazetteer *g, strmap *map, const char *key, size_t len, const gaz_entry *e,
                           int generated, int particles)
{
    size_t *v = strmap_put(map, key, len);
    if (*v == SIZE_MAX) {
        cand_set empty = {0};
        VEC_PUSH(g->sets, g->nsets, g->sets_cap, empty);
        *v = g->nsets - 1;
    }
    cand_set *cs = &g->sets[*v];
    for (size_t i = 0; i < cs->count; i++)
        if (cs->items[i].entry == e) {
            if (!generated) cs->items[i].generated = 0;   /* also written by hand */
            if (particles) cs->items[i].takes_particles = 1;
            return *v;
        }
    gaz_cand c = {e, 0, (unsigned char)(generated != 0), (unsigned char)(particles != 0)};
    VEC_PUSH(cs->items, cs->count, cs->cap, c);
    /* keep the set in kind order, stable */
    for (size_t i = cs->count - 1; i > 0 && kind_rank(cs->items[i - 1].entry->kind) > kind_rank(e->kind); i--) {
        gaz_cand tmp = cs->items[i - 1];
        cs->items[i - 1] = cs->items[i];
        cs->items[i] = tmp;
    }
    return *v;
}

typedef struct idx_list { size_t *items; size_t count, cap; } idx_list;

/* Whether the spellings being read may follow an Arabic attached particle:
 * those of Arabic and those of no stated language. */
static int takes_particles(const gazetteer *g)
{
    return !g->spelling_lang || strcmp(g->spelling_lang, "ar") == 0;
}

/* Indexes node's string as a name of e. Records the sets touched in
 * touched (may be NULL). generated: the name comes from countries.yaml
 * (whose long official names are skipped quietly); a hand-written name too
 * long to be matched gets a warning. */
static void add_name(gazetteer *g, const char *file, const ynode *node, const gaz_entry *e, idx_list *touched,
                     int generated, ofs_diags *d)
{
    strbuf keys[2] = {{0}, {0}};
    size_t nkeys;
    size_t words = keys_of(g, node->value, 0, keys, &nkeys);
    if (words > 4) {
        if (!generated)
            diag_add(d, OFS_WARNING, file, node->line, node->col,
                     "'%s' has more than four words and will never be matched", node->value);
    } else {
        for (size_t k = 0; k < nkeys; k++) {
            size_t set = add_name_key(g, &g->names, keys[k].buf, keys[k].len, e, generated, takes_particles(g));
            if (touched) VEC_PUSH(touched->items, touched->count, touched->cap, set);
        }
    }
    strbuf_free(&keys[0]);
    strbuf_free(&keys[1]);
}

/* Calls fn for every string in node: a string, a list of strings, or a map
 * of language -> string or list. Reports anything else. */
typedef void (*string_fn)(gazetteer *g, const char *file, const ynode *s, void *ctx, ofs_diags *d);

static int valid_lang(const char *k)
{
    size_t n = strlen(k);
    size_t i = 0;
    while (i < n && k[i] >= 'a' && k[i] <= 'z') i++;
    if (i < 2 || i > 3) return 0;
    if (i == n) return 1;
    if (k[i] != '-') return 0;
    for (size_t j = i + 1; j < n; j++)
        if (!(k[j] >= 'a' && k[j] <= 'z')) return 0;
    return n - i - 1 >= 2 && n - i - 1 <= 8;
}

static void each_string(gazetteer *g, const char *file, const ynode *node, string_fn fn, void *ctx, ofs_diags *d,
                        int allow_map)
{
    if (!node) return;
    if (node->kind == YNODE_SCALAR) {
        if (node->value[0]) fn(g, file, node, ctx, d);
        return;
    }
    if (node->kind == YNODE_SEQ) {
        for (size_t i = 0; i < node->count; i++) {
            const ynode *it = node->items[i];
            if (it->kind != YNODE_SCALAR)
                diag_add(d, OFS_ERROR, file, it->line, it->col, "expected a string here, found %s",
                         ynode_kind_name(it));
            else if (it->value[0])
                fn(g, file, it, ctx, d);
        }
        return;
    }
    if (!allow_map) {
        diag_add(d, OFS_ERROR, file, node->line, node->col, "expected a list of strings, found %s",
                 ynode_kind_name(node));
        return;
    }
    for (size_t i = 0; i < node->count; i++) {
        if (!valid_lang(node->keys[i]->value))
            diag_add(d, OFS_ERROR, file, node->keys[i]->line, node->keys[i]->col,
                     "'%s' is not a language code (en, fr, ar, ar-latn, ...)", node->keys[i]->value);
        g->spelling_lang = node->keys[i]->value;
        each_string(g, file, node->items[i], fn, ctx, d, 0);
        g->spelling_lang = NULL;
    }
}

typedef struct name_ctx {
    const gaz_entry *entry;
    idx_list        *touched;
    int              generated;
} name_ctx;

static void name_cb(gazetteer *g, const char *file, const ynode *s, void *ctx, ofs_diags *d)
{
    name_ctx *nc = ctx;
    add_name(g, file, s, nc->entry, nc->touched, nc->generated, d);
}

/* Marks the spellings in node (true, false or a list) of entry e as needing
 * a direction cue. touched: the sets of all of e's names. */
typedef struct cue_mark_ctx {
    const gaz_entry *entry;
    int              any_kind;   /* match the entry's country rather than the entry */
} cue_mark_ctx;

static void needs_cue_cb(gazetteer *g, const char *file, const ynode *s, void *ctx, ofs_diags *d)
{
    cue_mark_ctx *cm = ctx;
    strbuf keys[2] = {{0}, {0}};
    size_t nkeys;
    keys_of(g, s->value, 0, keys, &nkeys);
    int found = 0;
    for (size_t k = 0; k < nkeys; k++) {
        size_t set = strmap_get(&g->names, keys[k].buf, keys[k].len);
        if (set == SIZE_MAX) continue;
        cand_set *cs = &g->sets[set];
        for (size_t i = 0; i < cs->count; i++) {
            const gaz_entry *e = cs->items[i].entry;
            if (e == cm->entry ||
                (cm->any_kind && e->kind == GAZ_COUNTRY && strcmp(e->country, cm->entry->country) == 0)) {
                cs->items[i].needs_cue = 1;
                found = 1;
            }
        }
    }
    if (!found)
        diag_add(d, OFS_ERROR, file, s->line, s->col, "needs_cue: '%s' is not one of the names given for %s",
                 s->value, cm->entry->name);
    strbuf_free(&keys[0]);
    strbuf_free(&keys[1]);
}

static void mark_needs_cue(gazetteer *g, const char *file, const ynode *node, const gaz_entry *e,
                           const idx_list *touched, int any_kind, ofs_diags *d)
{
    if (!node) return;
    if (node->kind == YNODE_SCALAR && node->plain &&
        (strcmp(node->value, "true") == 0 || strcmp(node->value, "false") == 0)) {
        if (strcmp(node->value, "true") == 0)
            for (size_t t = 0; t < touched->count; t++) {
                cand_set *cs = &g->sets[touched->items[t]];
                for (size_t i = 0; i < cs->count; i++)
                    if (cs->items[i].entry == e) cs->items[i].needs_cue = 1;
            }
        return;
    }
    cue_mark_ctx cm = {e, any_kind};
    each_string(g, file, node, needs_cue_cb, &cm, d, 0);
}

static const ynode *top_value(const ydoc *doc, const char *key)
{
    if (!doc->root || doc->root->kind != YNODE_MAP || doc->root->count != 1) return NULL;
    if (strcmp(doc->root->keys[0]->value, key) != 0) return NULL;
    return doc->root->items[0];
}

static const char *scalar_of(const char *file, const ynode *map, const char *key, int required, ofs_diags *d)
{
    const ynode *n = ynode_get(map, key);
    if (!n) {
        if (required) diag_add(d, OFS_ERROR, file, map->line, map->col, "missing '%s'", key);
        return NULL;
    }
    if (n->kind != YNODE_SCALAR || !n->value[0]) {
        diag_add(d, OFS_ERROR, file, n->line, n->col, "'%s' must be a non-empty string", key);
        return NULL;
    }
    return n->value;
}

/* A country code that the countries file defines; reports it otherwise. */
static gaz_entry *known_country(gazetteer *g, const char *file, const ynode *map, const char *key, ofs_diags *d)
{
    const char *cc = scalar_of(file, map, key, 1, d);
    if (!cc) return NULL;
    int i = code_index(cc);
    if (i < 0 || !g->country_by_code[i]) {
        const ynode *n = ynode_get(map, key);
        diag_add(d, OFS_ERROR, file, n->line, n->col, "'%s' is not an ISO 3166-1 alpha-2 code of countries.yaml", cc);
        return NULL;
    }
    return g->country_by_code[i];
}

static void load_countries(gazetteer *g, const char *file, const ynode *list, ofs_diags *d)
{
    static const char *const known[] = {"code", "flag", "names", NULL};
    if (list->kind != YNODE_SEQ) {
        diag_add(d, OFS_ERROR, file, list->line, list->col, "countries: expected a list, found %s",
                 ynode_kind_name(list));
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        const ynode *c = list->items[i];
        if (c->kind != YNODE_MAP) {
            diag_add(d, OFS_ERROR, file, c->line, c->col, "expected a country (a mapping), found %s",
                     ynode_kind_name(c));
            continue;
        }
        ynode_check_keys(file, c, known, d);
        const char *cc = scalar_of(file, c, "code", 1, d);
        if (!cc) continue;
        int ci = code_index(cc);
        if (ci < 0) {
            const ynode *n = ynode_get(c, "code");
            diag_add(d, OFS_ERROR, file, n->line, n->col, "'%s' is not an ISO 3166-1 alpha-2 code", cc);
            continue;
        }
        if (g->country_by_code[ci]) {
            diag_add(d, OFS_ERROR, file, c->line, c->col, "country %s is listed twice", cc);
            continue;
        }
        const ynode *names = ynode_get(c, "names");
        const ynode *en = names ? ynode_get(names, "en") : NULL;
        const char *english = cc;
        if (en && en->kind == YNODE_SEQ && en->count && en->items[0]->kind == YNODE_SCALAR)
            english = en->items[0]->value;
        else if (en && en->kind == YNODE_SCALAR)
            english = en->value;
        gaz_entry *e = new_entry(g, GAZ_COUNTRY, cc, english);
        g->country_by_code[ci] = e;
        name_ctx nc = {e, NULL, 1};
        const ynode *flag = ynode_get(c, "flag");
        if (flag) each_string(g, file, flag, name_cb, &nc, d, 0);
        if (!names)
            diag_add(d, OFS_ERROR, file, c->line, c->col, "country %s has no names", cc);
        else if (names->kind != YNODE_MAP)
            diag_add(d, OFS_ERROR, file, names->line, names->col, "names: expected language: [names], found %s",
                     ynode_kind_name(names));
        else
            each_string(g, file, names, name_cb, &nc, d, 1);
    }
}

/* s[0..len) case-folded, without accents, NUL-terminated (the caller
 * frees it), or NULL when it is not valid UTF-8. Doubled letters stay. */
static char *fold_exact(const char *s, size_t len)
{
    utf8proc_uint8_t *out = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &out,
                                      UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK);
    if (n < 0) return NULL;
    return (char *)out;
}

/* An `exact:` name of a country: one word whose doubled letters matter
 * ("EEUU", the United States, which normalisation would make "EU"). It is
 * matched only where the text writes it so, never through its collapsed
 * key. */
static void exact_cb(gazetteer *g, const char *file, const ynode *s, void *ctx, ofs_diags *d)
{
    const gaz_entry *e = ctx;
    strbuf keys[2] = {{0}, {0}};
    size_t nkeys;
    size_t words = keys_of(g, s->value, 0, keys, &nkeys);
    char *folded = fold_exact(s->value, strlen(s->value));
    if (words != 1 || !folded) {
        diag_add(d, OFS_ERROR, file, s->line, s->col, "an exact name is one word: '%s'", s->value);
    } else {
        add_name_key(g, &g->exact, folded, strlen(folded), e, 0, 0);
        *strmap_put(&g->exact_keys, keys[0].buf, keys[0].len) = 0;
        if (keys[0].len > g->exact_key_max) g->exact_key_max = keys[0].len;
    }
    free(folded);
    strbuf_free(&keys[0]);
    strbuf_free(&keys[1]);
}

static void load_aliases(gazetteer *g, const char *file, const ynode *list, ofs_diags *d)
{
    static const char *const known[] = {"country", "region", "names", "adjectives", "needs_cue", "exact", NULL};
    if (list->kind != YNODE_SEQ) {
        diag_add(d, OFS_ERROR, file, list->line, list->col, "country_aliases: expected a list, found %s",
                 ynode_kind_name(list));
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        const ynode *a = list->items[i];
        if (a->kind != YNODE_MAP) {
            diag_add(d, OFS_ERROR, file, a->line, a->col, "expected a mapping with country: or region:, found %s",
                     ynode_kind_name(a));
            continue;
        }
        ynode_check_keys(file, a, known, d);
        gaz_entry *e;
        const ynode *names = ynode_get(a, "names"), *adjs = ynode_get(a, "adjectives");
        if (ynode_get(a, "region")) {
            const char *region = scalar_of(file, a, "region", 1, d);
            if (!region) continue;
            if (ynode_get(a, "country") || adjs)
                diag_add(d, OFS_ERROR, file, a->line, a->col, "a region has names only (no country, no adjectives)");
            e = new_entry(g, GAZ_REGION, NULL, region);
        } else {
            e = known_country(g, file, a, "country", d);
            if (!e) continue;
        }
        idx_list touched = {0};
        name_ctx nc = {e, &touched, 0};
        if (names) each_string(g, file, names, name_cb, &nc, d, 1);
        if (adjs) {
            int ci = code_index(e->country);
            gaz_entry *adj = g->adjective_by_code[ci];
            if (!adj) adj = g->adjective_by_code[ci] = new_entry(g, GAZ_ADJECTIVE, e->country, e->name);
            name_ctx ac = {adj, NULL, 0};
            each_string(g, file, adjs, name_cb, &ac, d, 1);
        }
        mark_needs_cue(g, file, ynode_get(a, "needs_cue"), e, &touched, 1, d);
        free(touched.items);
        if (ynode_get(a, "exact")) each_string(g, file, ynode_get(a, "exact"), exact_cb, e, d, 0);
    }
}

/* Reads a place's "near" list of country codes into e. */
static void load_near(gazetteer *g, const char *file, const ynode *node, gaz_entry *e, ofs_diags *d)
{
    if (!node) return;
    if (node->kind != YNODE_SEQ) {
        diag_add(d, OFS_ERROR, file, node->line, node->col, "near: expected a list of country codes, found %s",
                 ynode_kind_name(node));
        return;
    }
    for (size_t i = 0; i < node->count; i++) {
        const ynode *it = node->items[i];
        int ci = it->kind == YNODE_SCALAR ? code_index(it->value) : -1;
        if (ci < 0 || !g->country_by_code[ci] || strlen(it->value) != 2)
            diag_add(d, OFS_ERROR, file, it->line, it->col, "near: '%s' is not an ISO 3166-1 alpha-2 code of countries.yaml",
                     it->kind == YNODE_SCALAR ? it->value : ynode_kind_name(it));
        else if (e->nnear == GAZ_MAX_NEAR)
            diag_add(d, OFS_ERROR, file, it->line, it->col, "near: at most %d countries", GAZ_MAX_NEAR);
        else
            memcpy(e->near[e->nnear++], it->value, 3);
    }
}

static void load_places(gazetteer *g, const char *file, const ynode *list, ofs_diags *d)
{
    static const char *const known[] = {"name", "country", "spellings", "needs_cue", "near", NULL};
    if (list->kind != YNODE_SEQ) {
        diag_add(d, OFS_ERROR, file, list->line, list->col, "places: expected a list, found %s",
                 ynode_kind_name(list));
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        const ynode *p = list->items[i];
        if (p->kind != YNODE_MAP) {
            diag_add(d, OFS_ERROR, file, p->line, p->col, "expected a place (a mapping), found %s", ynode_kind_name(p));
            continue;
        }
        ynode_check_keys(file, p, known, d);
        const char *name = scalar_of(file, p, "name", 1, d);
        gaz_entry *country = known_country(g, file, p, "country", d);
        if (!name || !country) continue;
        gaz_entry *e = new_entry(g, GAZ_PLACE, country->country, name);
        idx_list touched = {0};
        name_ctx nc = {e, &touched, 0};
        add_name(g, file, ynode_get(p, "name"), e, &touched, 0, d);
        each_string(g, file, ynode_get(p, "spellings"), name_cb, &nc, d, 1);
        mark_needs_cue(g, file, ynode_get(p, "needs_cue"), e, &touched, 0, d);
        load_near(g, file, ynode_get(p, "near"), e, d);
        free(touched.items);
    }
}

/* ---- route cues ------------------------------------------------------------------ */

typedef struct cue_ctx { unsigned bits; } cue_ctx;

static void cue_cb(gazetteer *g, const char *file, const ynode *s, void *ctx, ofs_diags *d)
{
    cue_ctx *cc = ctx;
    strbuf keys[2] = {{0}, {0}};
    size_t nkeys;
    size_t words = keys_of(g, s->value, 1, keys, &nkeys);
    if (!nkeys)
        diag_add(d, OFS_ERROR, file, s->line, s->col, "'%s' has no letters: a cue must be a word", s->value);
    else if (words > 4)
        diag_add(d, OFS_ERROR, file, s->line, s->col, "'%s': a cue has at most four words", s->value);
    for (size_t k = 0; k < nkeys && words <= 4; k++) {
        size_t *v = strmap_put(&g->cues, keys[k].buf, keys[k].len);
        if (*v == SIZE_MAX) *v = 0;
        *v |= cc->bits;
    }
    strbuf_free(&keys[0]);
    strbuf_free(&keys[1]);
}

typedef struct sym_ctx { sym_list *list; } sym_ctx;

static void sym_cb(gazetteer *g, const char *file, const ynode *s, void *ctx, ofs_diags *d)
{
    (void)g;
    (void)file;
    (void)d;
    sym_ctx *sc = ctx;
    char *n = norm_string(s->value);
    if (n && n[0]) {
        size_t count = sc->list->count;
        VEC_PUSH(sc->list->lens, count, sc->list->lens_cap, strlen(n));
        VEC_PUSH(sc->list->items, sc->list->count, sc->list->cap, n);
    } else {
        free(n);
    }
}

typedef struct affix_ctx { affix_list *list; int slot, role; } affix_ctx;

static void affix_cb(gazetteer *g, const char *file, const ynode *s, void *ctx, ofs_diags *d)
{
    (void)g;
    affix_ctx *ac = ctx;
    char *n = norm_string(s->value);
    if (!n || !n[0] || strchr(n, ' ')) {
        diag_add(d, OFS_ERROR, file, s->line, s->col, "'%s' must be one piece of a word", s->value);
        free(n);
        return;
    }
    affix a = {n, strlen(n), ac->slot, ac->role};
    VEC_PUSH(ac->list->items, ac->list->count, ac->list->cap, a);
}

static void load_affixes(gazetteer *g, const char *file, const ynode *map, affix_list *list,
                         const char *const *names, const int *slots, const int *roles, ofs_diags *d)
{
    if (map->kind != YNODE_MAP) {
        diag_add(d, OFS_ERROR, file, map->line, map->col, "expected a mapping, found %s", ynode_kind_name(map));
        return;
    }
    ynode_check_keys(file, map, names, d);
    for (size_t i = 0; names[i]; i++) {
        affix_ctx ac = {list, slots[i], roles[i]};
        each_string(g, file, ynode_get(map, names[i]), affix_cb, &ac, d, 0);
    }
}

static void load_cues(gazetteer *g, const char *file, const ynode *map, ofs_diags *d)
{
    static const char *const known[] = {"from", "to", "via", "between", "from_after", "to_after", "via_after",
                                        "to_or_at", "at", "from_after_weak", "sequence", "not", "not_after", "until",
                                        "until_after", "documents", "seat", "skip", "conjunctions",
                                        "symbols", "arabic_prefixes", "arabic_suffixes", "latin_prefixes",
                                        "ethiopic_prefixes", "turkish_suffixes", "kurmanji_suffixes", NULL};
    static const unsigned bits[] = {GAZ_CUE_FROM, GAZ_CUE_TO, GAZ_CUE_VIA, GAZ_CUE_BETWEEN,
                                    GAZ_CUE_FROM_AFTER, GAZ_CUE_TO_AFTER, GAZ_CUE_VIA_AFTER,
                                    GAZ_CUE_TO_WEAK, GAZ_CUE_AT, GAZ_CUE_FROM_AFTER_WEAK, GAZ_SEQ,
                                    GAZ_NOT, GAZ_NOT_AFTER, GAZ_CUE_TO | GAZ_CUE_UNTIL,
                                    GAZ_CUE_TO_AFTER | GAZ_CUE_UNTIL_AFTER, GAZ_DOC_WORD, GAZ_CUE_SEAT};
    if (map->kind != YNODE_MAP) {
        diag_add(d, OFS_ERROR, file, map->line, map->col, "route_cues: expected a mapping, found %s",
                 ynode_kind_name(map));
        return;
    }
    ynode_check_keys(file, map, known, d);
    for (size_t i = 0; i < sizeof bits / sizeof *bits; i++) {
        cue_ctx cc = {bits[i]};
        each_string(g, file, ynode_get(map, known[i]), cue_cb, &cc, d, 1);
    }
    const ynode *skip = ynode_get(map, "skip");
    if (skip) {
        static const char *const skips[] = {"articles", "nouns", "of", NULL};
        static const unsigned skip_bits[] = {GAZ_SKIP_ARTICLE, GAZ_SKIP_NOUN, GAZ_SKIP_OF};
        if (skip->kind != YNODE_MAP) {
            diag_add(d, OFS_ERROR, file, skip->line, skip->col, "skip: expected articles:, nouns:, of:");
        } else {
            ynode_check_keys(file, skip, skips, d);
            for (size_t i = 0; skips[i]; i++) {
                cue_ctx cc = {skip_bits[i]};
                each_string(g, file, ynode_get(skip, skips[i]), cue_cb, &cc, d, 1);
            }
        }
    }
    cue_ctx conj = {GAZ_CONJ};
    each_string(g, file, ynode_get(map, "conjunctions"), cue_cb, &conj, d, 1);
    const ynode *syms = ynode_get(map, "symbols");
    if (syms) {
        static const char *const sym_names[] = {"arrows", "back_arrows", "dashes", "lists", "parentheses",
                                                "colons", "sentence_ends", NULL};
        if (syms->kind != YNODE_MAP) {
            diag_add(d, OFS_ERROR, file, syms->line, syms->col, "symbols: expected a mapping");
        } else {
            ynode_check_keys(file, syms, sym_names, d);
            for (size_t i = 0; sym_names[i]; i++) {
                sym_ctx sc = {&g->syms[i]};
                each_string(g, file, ynode_get(syms, sym_names[i]), sym_cb, &sc, d, 0);
            }
        }
    }
    const ynode *n;
    if ((n = ynode_get(map, "arabic_prefixes"))) {
        static const char *const names[] = {"conjunction", "from", "from_before_article", "to", "other",
                                            "article", NULL};
        static const int slots[] = {AFFIX_CONJ, AFFIX_PREP, AFFIX_PREP_ART, AFFIX_PREP, AFFIX_PREP, AFFIX_ARTICLE};
        static const int roles[] = {GAZ_ROLE_NONE, GAZ_ROLE_FROM, GAZ_ROLE_FROM, GAZ_ROLE_TO, GAZ_ROLE_NONE,
                                    GAZ_ROLE_NONE};
        load_affixes(g, file, n, &g->arabic_prefixes, names, slots, roles, d);
    }
    static const char *const simple_names[] = {"from", "to", "via", "at", "other", NULL};
    static const int simple_slots[] = {AFFIX_PREP, AFFIX_PREP, AFFIX_PREP, AFFIX_PREP, AFFIX_PREP};
    static const int simple_roles[] = {GAZ_ROLE_FROM, GAZ_ROLE_TO, GAZ_ROLE_VIA, GAZ_ROLE_AT, GAZ_ROLE_NONE};
    if ((n = ynode_get(map, "arabic_suffixes")))
        load_affixes(g, file, n, &g->arabic_suffixes, simple_names, simple_slots, simple_roles, d);
    if ((n = ynode_get(map, "latin_prefixes")))
        load_affixes(g, file, n, &g->latin_prefixes, simple_names, simple_slots, simple_roles, d);
    if ((n = ynode_get(map, "ethiopic_prefixes")))
        load_affixes(g, file, n, &g->ethiopic_prefixes, simple_names, simple_slots, simple_roles, d);
    if ((n = ynode_get(map, "turkish_suffixes")))
        load_affixes(g, file, n, &g->turkish_suffixes, simple_names, simple_slots, simple_roles, d);
    if ((n = ynode_get(map, "kurmanji_suffixes")))
        load_affixes(g, file, n, &g->kurmanji_suffixes, simple_names, simple_slots, simple_roles, d);
}

/* After loading, a name that is both a country and a place of that
 * country is read first as the country when the name is written by hand
 * in country_aliases.yaml ("تونس" is Tunisia before Tunis; the city stays
 * as a second reading that the route finder may pick), and only as the
 * place when the country name comes from countries.yaml (Kurmanji "Tûnis"
 * must not hide the city Tunis). */
static int cmp_cp(const void *a, const void *b);

static void finish_sets(gazetteer *g)
{
    for (size_t l = 0; l < SYM_COUNT; l++)
        for (size_t i = 0; i < g->syms[l].count; i++) {
            const char *sym = g->syms[l].items[i];
            size_t len = strlen(sym);
            for (size_t p = 0; p < len;) {
                int32_t c;
                p += next_cp(sym, len, p, &c);
                if (c >= 0) VEC_PUSH(g->sym_cps, g->nsym_cps, g->sym_cps_cap, c);
            }
        }
    if (g->nsym_cps) qsort(g->sym_cps, g->nsym_cps, sizeof *g->sym_cps, cmp_cp);

    for (size_t s = 0; s < g->nsets; s++) {
        cand_set *cs = &g->sets[s];
        size_t out = 0;
        for (size_t i = 0; i < cs->count; i++) {
            const gaz_entry *e = cs->items[i].entry;
            int shadowed = 0;
            for (size_t j = 0; j < cs->count; j++) {
                const gaz_cand *o = &cs->items[j];
                if (strcmp(o->entry->country, e->country) != 0) continue;
                if (e->kind == GAZ_COUNTRY && cs->items[i].generated && o->entry->kind == GAZ_PLACE) shadowed = 1;
            }
            if (!shadowed) cs->items[out++] = cs->items[i];
        }
        cs->count = out;
    }
}

/* Fills g->firsts with the first word of each name key ("costa" of "costa
 * rica"). A reading whose first word is not there cannot start a name, so
 * gaz_match_at skips the joins and lookups for it. */
static void build_firsts(gazetteer *g)
{
    for (size_t i = 0; i < g->names.cap; i++) {
        const strmap_slot *s = &g->names.slots[i];
        if (!s->key) continue;
        const char *sp = memchr(s->key, ' ', s->len);
        *strmap_put(&g->firsts, s->key, sp ? (size_t)(sp - s->key) : s->len) = 1;
    }
}

gazetteer *gazetteer_load(const ofs_bundle *b, ofs_diags *d)
{
    gazetteer *g = xcalloc(1, sizeof *g);
    g->norm = norm_create();
    size_t errors = ofs_diags_errors(d);
    int have_countries = 0;
    /* countries first: the other files name them */
    for (size_t i = 0; i < b->count; i++) {
        const ynode *v = top_value(b->docs[i], "countries");
        if (v) {
            load_countries(g, b->docs[i]->file, v, d);
            have_countries = 1;
        }
    }
    static const char *const later[] = {"country_aliases", "places", "route_cues"};
    for (size_t k = 0; k < 3; k++)
        for (size_t i = 0; i < b->count; i++) {
            const ynode *v = top_value(b->docs[i], later[k]);
            if (!v) continue;
            if (!have_countries && k < 2) {
                diag_add(d, OFS_ERROR, b->docs[i]->file, v->line, v->col,
                         "%s: needs the countries: file (rules/lexicon/countries.yaml) in the same rule set",
                         later[k]);
                continue;
            }
            if (k == 0) load_aliases(g, b->docs[i]->file, v, d);
            else if (k == 1) load_places(g, b->docs[i]->file, v, d);
            else load_cues(g, b->docs[i]->file, v, d);
        }
    finish_sets(g);
    build_firsts(g);
    norm_free(g->norm);
    g->norm = NULL;
    if (ofs_diags_errors(d) > errors) {
        gazetteer_free(g);
        return NULL;
    }
    return g;
}

void gazetteer_free(gazetteer *g)
{
    if (!g) return;
    for (size_t i = 0; i < g->nentries; i++) {
        free_const(g->entries[i]->name);
        free(g->entries[i]);
    }
    free(g->entries);
    for (size_t i = 0; i < g->nsets; i++) free(g->sets[i].items);
    free(g->sets);
    free(g->sym_cps);
    strmap_free(&g->names);
    strmap_free(&g->exact);
    strmap_free(&g->exact_keys);
    strmap_free(&g->cues);
    strmap_free(&g->firsts);
    for (size_t s = 0; s < SYM_COUNT; s++) {
        for (size_t i = 0; i < g->syms[s].count; i++) free(g->syms[s].items[i]);
        free(g->syms[s].items);
        free(g->syms[s].lens);
    }
    affix_list *lists[] = {&g->arabic_prefixes, &g->arabic_suffixes, &g->latin_prefixes, &g->ethiopic_prefixes,
                           &g->turkish_suffixes, &g->kurmanji_suffixes};
    for (size_t l = 0; l < sizeof lists / sizeof *lists; l++) {
        for (size_t i = 0; i < lists[l]->count; i++) free(lists[l]->items[i].text);
        free(lists[l]->items);
    }
    norm_free(g->norm);
    free(g);
}

/* ---- lookups ------------------------------------------------------------------ */

size_t gaz_lookup(const gazetteer *g, const char *key, size_t len, const gaz_cand **cands)
{
    size_t set = strmap_get(&g->names, key, len);
    if (set == SIZE_MAX || !g->sets[set].count) return 0;
    *cands = g->sets[set].items;
    return g->sets[set].count;
}

unsigned gaz_cue(const gazetteer *g, const char *key, size_t len)
{
    size_t v = strmap_get(&g->cues, key, len);
    return v == SIZE_MAX ? 0 : (unsigned)v;
}

static int gap_has(const char *s, size_t len, const sym_list *l)
{
    for (size_t i = 0; i < l->count; i++) {
        const char *sym = l->items[i];
        size_t n = l->lens[i];
        for (size_t p = 0; p + n <= len; p++)
            if (s[p] == sym[0] && memcmp(s + p, sym, n) == 0) return 1;
    }
    return 0;
}

static int cmp_cp(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return x < y ? -1 : x > y;
}

unsigned gaz_gap(const gazetteer *g, const char *text, size_t start, size_t end)
{
    if (end <= start) return GAZ_GAP_SPACE;
    const char *s = text + start;
    size_t len = end - start;
    size_t sp = 0;
    while (sp < len && (s[sp] == ' ' || s[sp] == '\t')) sp++;
    if (sp == len) return GAZ_GAP_SPACE;   /* the common case */
    unsigned bits = 0;
    if (gap_has(s, len, &g->syms[SYM_BREAK])) bits |= GAZ_GAP_BREAK;
    if (gap_has(s, len, &g->syms[SYM_ARROW])) bits |= GAZ_GAP_ARROW;
    else if (gap_has(s, len, &g->syms[SYM_BACK])) bits |= GAZ_GAP_BACK;
    else if (gap_has(s, len, &g->syms[SYM_DASH])) bits |= GAZ_GAP_DASH;
    if (gap_has(s, len, &g->syms[SYM_LIST])) bits |= GAZ_GAP_LIST;
    if (gap_has(s, len, &g->syms[SYM_PAREN])) bits |= GAZ_GAP_PAREN;
    if (gap_has(s, len, &g->syms[SYM_COLON])) bits |= GAZ_GAP_COLON;
    /* any other punctuation */
    for (size_t p = 0; p < len;) {
        int32_t c;
        size_t n = next_cp(s, len, p, &c);
        p += n;
        if (c < 0 || is_apostrophe(c)) continue;
        utf8proc_category_t k = utf8proc_category(c);
        if (k < UTF8PROC_CATEGORY_PC || k > UTF8PROC_CATEGORY_PO) continue;
        if (!g->nsym_cps || !bsearch(&c, g->sym_cps, g->nsym_cps, sizeof *g->sym_cps, cmp_cp)) bits |= GAZ_GAP_OTHER;
    }
    if (!bits) bits = GAZ_GAP_SPACE;
    return bits;
}

/* ---- matching with morphology ------------------------------------------------- */

/* A way of reading one word: the key to look up and what was attached. */
typedef struct word_form {
    char   key[192];
    size_t len;
    int    role, conj;
    int    suffix;     /* a case ending was taken off the end of the word */
    int    particles;  /* Arabic particles were taken off its start */
} word_form;

#define MAX_FORMS 48

static int starts_with(const char *s, size_t len, const char *p, size_t plen)
{
    return plen == 0 || (plen <= len && s[0] == p[0] && memcmp(s, p, plen) == 0);
}

/* Whether s[0..len) ends with x[0..xlen), x shorter than s; the last byte
 * first, as most words fail there. */
static int ends_with_shorter(const char *s, size_t len, const char *x, size_t xlen)
{
    if (xlen >= len) return 0;
    if (xlen && s[len - 1] != x[xlen - 1]) return 0;
    return memcmp(s + len - xlen, x, xlen) == 0;
}

static size_t count_letters(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t p = 0; p < len;) {
        int32_t c;
        p += next_cp(s, len, p, &c);
        if (is_letter(c)) n++;
    }
    return n;
}

/* Writes s[0..len) to dst with runs of one repeated letter collapsed, and
 * a NUL. Returns the length, or SIZE_MAX when it does not fit in cap. */
static size_t collapse_into(char *dst, size_t cap, const char *s, size_t len)
{
    size_t out = 0;
    int32_t prev = -1;
    for (size_t p = 0; p < len;) {
        int32_t c;
        size_t n = next_cp(s, len, p, &c);
        if (c != 0x0640 && !(c == prev && is_letter(c))) {
            if (out + n >= cap) return SIZE_MAX;
            memcpy(dst + out, s + p, n);
            out += n;
        }
        prev = c;
        p += n;
    }
    dst[out] = '\0';
    return out;
}

/* Appends the reading a + b (collapsed) to forms. */
static void add_form(word_form *forms, size_t *nforms, const char *a, size_t alen, const char *b, size_t blen,
                     int role, int conj)
{
    if (*nforms >= MAX_FORMS) return;
    char joined[192];
    if (alen + blen >= sizeof joined) return;
    memcpy(joined, a, alen);
    memcpy(joined + alen, b, blen);
    word_form *f = &forms[*nforms];
    size_t n = collapse_into(f->key, sizeof f->key, joined, alen + blen);
    if (n == SIZE_MAX) return;
    f->len = n;
    f->role = role;
    f->conj = conj;
    f->suffix = 0;
    f->particles = 0;
    (*nforms)++;
}

static const affix *find_article(const gazetteer *g)
{
    for (size_t i = 0; i < g->arabic_prefixes.count; i++)
        if (g->arabic_prefixes.items[i].slot == AFFIX_ARTICLE) return &g->arabic_prefixes.items[i];
    return NULL;
}

/* The article's last letter (the "ل" of "ال"), as text and length. */
static const char *lam_text(const affix *article)
{
    size_t p = article->len;
    while (p > 0 && ((unsigned char)article->text[p - 1] & 0xC0) == 0x80) p--;
    return article->text + (p > 0 ? p - 1 : 0);
}

static size_t lam_len(const affix *article) { return (size_t)(article->text + article->len - lam_text(article)); }

/* The readings of an Arabic-script word with prefixes taken off. */
static void arabic_forms(const gazetteer *g, const char *raw, size_t len, word_form *forms, size_t *nforms)
{
    size_t first = *nforms;
    const affix_list *pl = &g->arabic_prefixes;
    const affix *article = find_article(g);
    static const affix none = {NULL, 0, AFFIX_PREP, GAZ_ROLE_NONE};
    for (size_t ci = 0; ci <= pl->count; ci++) {
        const affix *conj = ci == pl->count ? &none : &pl->items[ci];
        if (ci < pl->count && conj->slot != AFFIX_CONJ) continue;
        if (!starts_with(raw, len, conj->text, conj->len)) continue;
        const char *r1 = raw + conj->len;
        size_t l1 = len - conj->len;
        for (size_t pi = 0; pi <= pl->count; pi++) {
            const affix *prep = pi == pl->count ? &none : &pl->items[pi];
            if (pi < pl->count && prep->slot != AFFIX_PREP && prep->slot != AFFIX_PREP_ART) continue;
            if (!starts_with(r1, l1, prep->text, prep->len)) continue;
            const char *r2 = r1 + prep->len;
            size_t l2 = l1 - prep->len;
            /* the article: "ال", or its "ل" after the preposition "ل" (لل) */
            for (int ai = 0; ai < 3; ai++) {
                const char *art = NULL;
                size_t alen = 0;
                if (ai == 1) {
                    if (!article) continue;
                    art = article->text;
                    alen = article->len;
                } else if (ai == 2) {
                    if (!article || prep->role != GAZ_ROLE_TO || prep->len == 0) continue;
                    art = prep->text; /* "ل" again */
                    alen = prep->len;
                }
                if (alen && !starts_with(r2, l2, art, alen)) continue;
                if (prep->slot == AFFIX_PREP_ART && ai == 0) continue;
                if (conj->len == 0 && prep->len == 0 && alen == 0) continue; /* the plain word */
                const char *stem = r2 + alen;
                size_t sl = l2 - alen;
                if (count_letters(stem, sl) < 3) continue; /* "لرم" (I have) is not ل + رم (Rome) */
                int role = prep->role, cj = conj->len > 0;
                if (alen && article) {
                    add_form(forms, nforms, article->text, article->len, stem, sl, role, cj);
                    add_form(forms, nforms, "", 0, stem, sl, role, cj);
                    /* "اللبنانية" lost the stem's "ل" to collapsing: "ال" + "لبنانية" */
                    if (ai == 1) add_form(forms, nforms, lam_text(article), lam_len(article), stem, sl, role, cj);
                } else {
                    add_form(forms, nforms, "", 0, stem, sl, role, cj);
                    if (article) add_form(forms, nforms, article->text, article->len, stem, sl, role, cj);
                }
            }
        }
    }
    for (size_t f = first; f < *nforms; f++) forms[f].particles = 1;
}

/* The readings of a word with one attached prefix (from list) taken off,
 * leaving at least min_letters letters. */
static void prefix_forms(const affix_list *list, const char *raw, size_t len, size_t min_letters, word_form *forms,
                         size_t *nforms)
{
    for (size_t i = 0; i < list->count; i++) {
        const affix *a = &list->items[i];
        if (!starts_with(raw, len, a->text, a->len) || a->len >= len) continue;
        if (count_letters(raw + a->len, len - a->len) < min_letters) continue;
        add_form(forms, nforms, "", 0, raw + a->len, len - a->len, a->role, 0);
    }
}

/* The readings of a word with one attached suffix (from list) taken off,
 * leaving at least min_letters letters, one more before a one-letter
 * suffix (Sorani "پرون", yesterday, is no "پرو" + "ن"). */
static void suffix_forms(const affix_list *list, const char *raw, size_t len, size_t min_letters, word_form *forms,
                         size_t *nforms)
{
    for (size_t i = 0; i < list->count; i++) {
        const affix *a = &list->items[i];
        if (!ends_with_shorter(raw, len, a->text, a->len)) continue;
        size_t need = min_letters + (count_letters(a->text, a->len) < 2 ? 1 : 0);
        if (count_letters(raw, len - a->len) < need) continue;
        size_t before = *nforms;
        add_form(forms, nforms, "", 0, raw, len - a->len, a->role, 0);
        if (*nforms > before) forms[before].suffix = 1;
    }
}

/* Turkish vowel harmony, as far as normalised text shows it: after a stem
 * whose last vowel is a, o or u the suffix has a ("Yunanistan'a",
 * "Bodrum'dan"), after e the suffix has e ("Türkiye'ye"); i may stand for
 * either (ı is folded to i). This keeps Kurmanji "Almanyayê" (of Germany)
 * from reading as Turkish "to Germany". */
static int harmonic(const char *stem, size_t slen, const char *suffix, size_t xlen)
{
    char want = 0;
    for (size_t k = xlen; k-- > 0;)
        if (suffix[k] == 'a' || suffix[k] == 'e') want = suffix[k];
    if (!want) return 1;
    for (size_t k = slen; k-- > 0;) {
        char v = stem[k];
        if (v == 'a' || v == 'o' || v == 'u') return want == 'a';
        if (v == 'e') return want == 'e';
        if (v == 'i') return 1;
    }
    return 1;
}

/* Adds the readings of raw with one of the case endings taken off: the
 * stem keeps at least four letters (five for a one-letter ending), and
 * with harmony the ending must agree with the stem's vowels. */
static void ending_forms(const affix_list *endings, int harmony, const char *raw, size_t len, word_form *forms,
                         size_t *nforms)
{
    for (size_t i = 0; i < endings->count; i++) {
        const affix *a = &endings->items[i];
        if (!ends_with_shorter(raw, len, a->text, a->len)) continue;
        size_t stem_letters = count_letters(raw, len - a->len);
        size_t suffix_letters = count_letters(a->text, a->len);
        if (stem_letters < 4 || (suffix_letters < 2 && stem_letters < 5)) continue;
        if (harmony && !harmonic(raw, len - a->len, a->text, a->len)) continue;
        add_form(forms, nforms, "", 0, raw, len - a->len, a->role, 0);
    }
}

/* The readings of a Latin-script word: Arabizi prefixes, Turkish suffixes
 * (with vowel harmony), then Kurmanji case endings (without: "Bosnayê",
 * "Yewnanistanê" are oblique forms, whatever their vowels). */
static void latin_forms(const gazetteer *g, const char *raw, size_t len, int with_prefixes, word_form *forms,
                        size_t *nforms, size_t *nprefix)
{
    if (with_prefixes) prefix_forms(&g->latin_prefixes, raw, len, 4, forms, nforms);
    *nprefix = *nforms;   /* the readings from here on have a suffix taken off */
    ending_forms(&g->turkish_suffixes, 1, raw, len, forms, nforms);
    ending_forms(&g->kurmanji_suffixes, 0, raw, len, forms, nforms);
}

/* Whether one of the n meanings is spelled so in Arabic (gaz_cand.takes_particles). */
static int any_takes_particles(const gaz_cand *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (c[i].takes_particles) return 1;
    return 0;
}

static int kinds_ok(const gaz_cand *c, size_t n, unsigned mask, int no_adjectives)
{
    for (size_t i = 0; i < n; i++) {
        gaz_kind k = c[i].entry->kind;
        if (no_adjectives && k == GAZ_ADJECTIVE) continue;
        if (mask & (1u << k)) return 1;
    }
    return 0;
}

/* Whether tokens a and a+1 may belong to one name: only spaces, hyphens,
 * dots or an apostrophe between them. */
static int joinable(const char *text, const gaz_token *a, const gaz_token *b)
{
    if (a->script == GAZ_SCRIPT_FLAG || b->script == GAZ_SCRIPT_FLAG) return 0;
    size_t len = b->start - a->end;
    const char *s = text + a->end;
    if (len > 8) return 0;
    for (size_t p = 0; p < len;) {
        int32_t c;
        size_t n = next_cp(s, len, p, &c);
        if (!(c == ' ' || c == '\t' || c == 0xA0 || c == '-' || c == 0x2010 || c == 0x2011 || c == '.' ||
              c == 0x200C || is_apostrophe(c)))
            return 0;
        p += n;
    }
    return 1;
}

/* The role of the suffix in token i (written after an apostrophe), or -1. */
static int apostrophe_suffix(const gazetteer *g, const gaz_tokens *t, size_t i)
{
    if (i >= t->count || !t->items[i].apos_before) return -1;
    const char *raw = gaz_token_raw(t, i);
    size_t len = t->items[i].raw_len;
    for (size_t k = 0; k < g->turkish_suffixes.count; k++) {
        const affix *a = &g->turkish_suffixes.items[k];
        if (a->len == len && memcmp(a->text, raw, len) == 0) return a->role;
    }
    return -1;
}

/* The keys of tokens [i, i + n) joined with spaces, the first replaced by
 * first (a reading of it) and, when last is given, the last by last.
 * Returns the length, or SIZE_MAX when too long. */
static size_t join_key(const gaz_tokens *t, size_t i, size_t n, const word_form *first, const word_form *last,
                       char *key, size_t cap)
{
    size_t len = 0;
    for (size_t k = 0; k < n; k++) {
        const char *w = gaz_token_key(t, i + k);
        size_t wl = t->items[i + k].key_len;
        if (k == 0 && first) {
            w = first->key;
            wl = first->len;
        }
        if (k == n - 1 && last) {
            w = last->key;
            wl = last->len;
        }
        if (len + wl + 2 >= cap) return SIZE_MAX;
        if (k) key[len++] = ' ';
        memcpy(key + len, w, wl);
        len += wl;
    }
    return len;
}

/* Whether some name key has w[0..wl) as its first word (1 when w has a
 * space, which the first-word set cannot answer). */
static int may_start_name(const gazetteer *g, const char *w, size_t wl)
{
    if (memchr(w, ' ', wl)) return 1;
    return strmap_get(&g->firsts, w, wl) != SIZE_MAX;
}

/* Tries each reading of the first word with n = maxn..1 words. */
static int try_firsts(const gazetteer *g, const gaz_tokens *t, size_t i, size_t maxn, const word_form *forms,
                      size_t nforms, unsigned kind_mask, gaz_match *m)
{
    unsigned char can_start[MAX_FORMS];
    size_t nstart = 0;
    for (size_t f = 0; f < nforms; f++) {
        can_start[f] = (unsigned char)may_start_name(g, forms[f].key, forms[f].len);
        nstart += can_start[f];
    }
    if (!nstart) return 0;
    for (size_t n = maxn; n >= 1; n--)
        for (size_t f = 0; f < nforms; f++) {
            if (!can_start[f]) continue;
            char key[1024];
            size_t len = join_key(t, i, n, &forms[f], NULL, key, sizeof key);
            const gaz_cand *c;
            size_t nc = len == SIZE_MAX ? 0 : gaz_lookup(g, key, len, &c);
            if (!nc || !kinds_ok(c, nc, kind_mask, 0)) continue;
            /* after particles, a name that Arabic does not spell so needs four
             * letters: "عدلي" (judicial) is no "ع" + Urdu "دلی" (Delhi) */
            if (forms[f].particles && !any_takes_particles(c, nc) && count_letters(forms[f].key, forms[f].len) < 4)
                continue;
            m->first = i;
            m->last = i + n - 1;
            m->cands = c;
            m->ncands = nc;
            m->role = forms[f].role;
            m->conj = forms[f].conj;
            m->suffix = forms[f].suffix;   /* Sorani "لە ڕێگای بۆسنەوە": the word before wins */
            m->apostrophe = 0;
            m->at = m->role == GAZ_ROLE_AT;
            if (m->at) m->role = GAZ_ROLE_NONE;
            int sr = apostrophe_suffix(g, t, i + n);   /* "İzmir'den", "Kanarya Adaları'na" */
            if (sr >= 0 && t->items[i + n - 1].script == GAZ_SCRIPT_LATIN) {
                m->last = i + n;
                m->suffix = m->apostrophe = 1;
                if (sr == GAZ_ROLE_AT) m->at = 1;
                else if (sr != GAZ_ROLE_NONE) m->role = sr;
            }
            return 1;
        }
    return 0;
}

/* Whether token i's first letter was written twice in the original text
 * (normalisation collapsed it): Spanish "lloran" (they cry) is then no
 * Arabizi "l" (to) + "Oran". 0 when the original is not known. */
static int doubled_first_letter(const gaz_tokens *t, size_t i)
{
    size_t os, oe;
    if (!original_span(t->in, &t->items[i], &os, &oe) || oe < os + 2) return 0;
    unsigned char a = (unsigned char)t->in->orig[os], b = (unsigned char)t->in->orig[os + 1];
    return a < 0x80 && isalpha(a) && tolower(a) == tolower(b);
}

/* Tries the last word with a Turkish suffix or (one word) an Arabizi prefix
 * taken off, with n = maxn..1 words. */
static int try_lasts(const gazetteer *g, const gaz_tokens *t, size_t i, size_t maxn, unsigned kind_mask,
                     gaz_match *m)
{
    /* with two or more words, the first word is token i's key as it stands */
    int first_can_start = maxn > 1 && may_start_name(g, gaz_token_key(t, i), t->items[i].key_len);
    for (size_t n = maxn; n >= 1; n--) {
        const gaz_token *last = &t->items[i + n - 1];
        if (last->script != GAZ_SCRIPT_LATIN) continue;
        if (n > 1 && !first_can_start) continue;
        word_form lasts[MAX_FORMS];
        size_t nlast = 0, nprefix = 0;
        latin_forms(g, gaz_token_raw(t, i + n - 1), last->raw_len, n == 1, lasts, &nlast, &nprefix);
        for (size_t f = 0; f < nlast; f++) {
            char key[1024];
            size_t len = join_key(t, i, n, NULL, &lasts[f], key, sizeof key);
            const gaz_cand *c;
            size_t nc = len == SIZE_MAX ? 0 : gaz_lookup(g, key, len, &c);
            if (!nc || !kinds_ok(c, nc, kind_mask, 1)) continue;
            if (f < nprefix && doubled_first_letter(t, i)) continue;
            m->first = i;
            m->last = i + n - 1;
            m->cands = c;
            m->ncands = nc;
            m->role = lasts[f].role;
            m->at = m->role == GAZ_ROLE_AT;
            if (m->at) m->role = GAZ_ROLE_NONE;
            m->conj = 0;
            m->suffix = f >= nprefix;
            m->apostrophe = 0;
            return 1;
        }
    }
    return 0;
}

/* An `exact:` name written at token i as in the original text ("EEUU"),
 * as its candidate set, or SIZE_MAX. */
static size_t exact_name_at(const gazetteer *g, const gaz_tokens *t, size_t i)
{
    const gaz_token *tok = &t->items[i];
    size_t os, oe;
    if (tok->key_len > g->exact_key_max || tok->script != GAZ_SCRIPT_LATIN ||
        strmap_get(&g->exact_keys, gaz_token_key(t, i), tok->key_len) == SIZE_MAX ||
        !original_span(t->in, tok, &os, &oe))
        return SIZE_MAX;
    char *folded = fold_exact(t->in->orig + os, oe - os);
    size_t set = folded ? strmap_get(&g->exact, folded, strlen(folded)) : SIZE_MAX;
    free(folded);
    return set;
}

int gaz_match_at(const gazetteer *g, const char *text, const gaz_tokens *t, size_t i, unsigned kind_mask,
                 gaz_match *m)
{
    if (i >= t->count) return 0;
    const gaz_token *first = &t->items[i];
    size_t exact = exact_name_at(g, t, i);
    if (exact != SIZE_MAX && kinds_ok(g->sets[exact].items, g->sets[exact].count, kind_mask, 0)) {
        memset(m, 0, sizeof *m);   /* no role, nothing attached */
        m->first = m->last = i;
        m->cands = g->sets[exact].items;
        m->ncands = g->sets[exact].count;
        return 1;
    }
    size_t maxn = 1;
    while (maxn < 4 && i + maxn < t->count && joinable(text, &t->items[i + maxn - 1], &t->items[i + maxn])) maxn++;

    word_form plain;
    size_t nplain = 0;
    add_form(&plain, &nplain, "", 0, gaz_token_key(t, i), first->key_len, 0, 0);
    if (!nplain) return 0;
    /* an Arabic word that lost a doubled letter tries its prefixes first:
     * "للبنان" is "to Lebanon", not "Lebanon" */
    const char *raw = gaz_token_raw(t, i);
    int prefixes_first = first->script == GAZ_SCRIPT_ARABIC &&
                         !(first->raw_len == first->key_len && memcmp(raw, gaz_token_key(t, i), first->key_len) == 0);
    if (!prefixes_first && try_firsts(g, t, i, maxn, &plain, 1, kind_mask, m)) return 1;
    if (first->script == GAZ_SCRIPT_ARABIC || first->script == GAZ_SCRIPT_ETHIOPIC) {
        word_form forms[MAX_FORMS];
        size_t nforms = 0;
        if (first->script == GAZ_SCRIPT_ARABIC) {
            arabic_forms(g, raw, first->raw_len, forms, &nforms);
            /* Sorani Kurdish "لە هەولێرەوە": from Erbil */
            suffix_forms(&g->arabic_suffixes, raw, first->raw_len, 3, forms, &nforms);
        } else {
            prefix_forms(&g->ethiopic_prefixes, raw, first->raw_len, 2, forms, &nforms);
        }
        if (try_firsts(g, t, i, maxn, forms, nforms, kind_mask, m)) return 1;
    }
    if (prefixes_first && try_firsts(g, t, i, maxn, &plain, 1, kind_mask, m)) return 1;
    return try_lasts(g, t, i, maxn, kind_mask, m);
}

/* ---- the document extractor's question ----------------------------------------- */

int gazetteer_lookup_country(const gazetteer *g, const char *text, size_t len, char cc[3])
{
    cc[0] = '\0';
    if (!g || !text || !len) return 0;
    gaz_tokens t = {0};
    gaz_tokenize(text, len, NULL, &t);
    int found = 0;
    gaz_match m;
    if (t.count && gaz_match_at(g, text, &t, 0, (1u << GAZ_COUNTRY) | (1u << GAZ_ADJECTIVE), &m) &&
        m.last + 1 == t.count) {
        for (size_t i = 0; i < m.ncands; i++) {
            const gaz_entry *e = m.cands[i].entry;
            if ((e->kind == GAZ_COUNTRY || e->kind == GAZ_ADJECTIVE) && e->country[0]) {
                memcpy(cc, e->country, 3);
                found = 1;
                break;
            }
        }
    }
    gaz_tokens_free(&t);
    return found;
}

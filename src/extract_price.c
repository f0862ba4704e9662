/* extract_price.c: finds the prices a text states ("1400-1600€", "USD 2000",
 * "12 alf dinar", "٨٠ مليون سنتيم", "۱۲ هزار تومان") and writes each as an
 * amount in currency units, an optional maximum and an ISO 4217 code, with
 * its span in the original text. All words and signs come from
 * rules/lexicon/currencies.yaml (`currencies:`) and
 * rules/lexicon/number_words.yaml (`number_words:`).
 *
 * How it works
 * ------------
 * Prices are found in one left-to-right pass over the normalised text (see
 * normalize.h: lower case, ASCII digits, Arabic letter variants unified,
 * doubled letters collapsed, so "millions" reads "milions"), in three
 * steps. Every word of the data files is normalised by the same norm_run
 * (NORM_DEOBFUSCATE) as the text, so the two always compare equal. A text
 * with no digit and no number word cannot hold a price and is skipped.
 *
 * 1. Tokens. The text is cut into
 *    - NUMBER: digits with the separators people write inside numbers. The
 *      shape decides which separator is the decimal one:
 *        "1.400,50" "1,400.50" "1 298,00" "1'049,95"  two kinds: the last decides
 *        "1.144.000" "12 000" "1,00,000"             one kind, repeated: thousands
 *        "3.500" "3,500" "73,460"                    one, three digits after: thousands
 *        "3,5" "12.99" "3.3900" "0.750"              otherwise: decimal
 *        "$119. 95" "118, 99 TL"                     a spaced decimal, before a currency
 *        "50,-" "50,000/-" ".75"                      whole amounts, a fraction
 *      A space groups digits only before exactly three digits ("3 500"),
 *      and Arabic ٬ and ٫ are the thousands and decimal signs. A number that
 *      cannot be an amount is kept but marked bad: a phone number ("+218 91
 *      234 5678", "0912345678", with the groups after it), a date or time
 *      ("12/05", "12.05.2024", "2024-05-12", "10:30"), a percentage ("50%",
 *      Turkish "%50") and a number glued to a Latin word ("22h", "20kg",
 *      "A320"). A number glued to Arabic letters ("ب1500") is fine.
 *    - TERM: a word or sign of the data files, found with a byte trie of
 *      their normalised spellings: the longest spelling that starts here and
 *      ends at a word boundary. One term may have several roles: "de" is a
 *      range start and a filler, "الف" a multiplier, "da" a range start
 *      (Italian) and a currency (Algerian dinar, only after an amount).
 *    - WORD (other letters) and PUNCT (any other character).
 *    Each token remembers the gap before it: none, spaces, or a line break;
 *    nothing below reaches across a line break but the currency a list of
 *    prices names once (inherits_currency).
 *
 * 2. Grammar. Each good number (or number word such as "الفين") starts an
 *    amount, and a range when another amount follows a range word:
 *
 *        amount := [currency] number multiplier* [number] [filler] [currency]
 *        range  := [start] amount (to | and) amount [end]
 *
 *    "12 alf dinar" is 12 × 1000 dinar; "70 milions de centimes" is
 *    70 × 10^6 × 0.01 = 700000 DZD; "2 bin 500 euro" and "11 ألف و200 يورو"
 *    are 2500 EUR and 11200 EUR. A currency
 *    may stand left ("€1400", "USD 2000"; symbols and codes only, so "Euro
 *    2024" is no price) or right ("1400 €", "3000 dinars"). A currency
 *    between two numbers goes with the style of the first: "R$ 139 R$ 135"
 *    is two prefixed prices, "2000 € 30 persons" one suffixed price. When
 *    both sides have a currency, a weak one ("$") gives way ("$1,190 AUD" is
 *    AUD, "NZD $100" is NZD); else the left one wins.
 *    A range needs a range word between the amounts: "-", "to", "à", "الى"
 *    make one by themselves ("1400 - 1600€", "from 2000 to 2500 euros"),
 *    "and", "et", "و", "ile" only after a start word or before an end word
 *    ("entre 2000 et 2500", "بين 2000 و 2500", "2000 ile 2500 arası"). The
 *    second amount must be larger, and the two currencies, where both are
 *    given, the same. A multiplier on the second amount also applies to the
 *    first when that keeps the order ("5-10k €" is 5000-10000). An amount
 *    with no currency on either side is not a price, unless a multiplier
 *    in it implies a unit ("60 مليون" = 60 million centimes, "8 lakh" PKR),
 *    or it follows a price of a like size and takes its currency ("1,500
 *    dlls la mica, el social 800": inherits_currency says when).
 *    A smaller number with a smaller multiplier adds on ("3 لاکھ 20 ہزار",
 *    "۲ میلیون و ۵۰۰ هزار"), number words joined by "and" add up ("مية
 *    وعشرين مليون"), and "and a half" adds half of the last unit ("5 mlayen
 *    w nos"). A change word before the range ("subió de 3 mil a 12 mil")
 *    makes the two amounts two prices.
 *
 * 3. Currency. A spelling means one ISO code, or depends on the country the
 *    text is about (country_context): "dinar" is TND in Tunisia and LYD in
 *    Libya, and is left out when no country resolves it. A unit converts:
 *    "toman" is 10 IRR, "centime" 0.01 DZD. When normalisation makes two
 *    spellings equal (Persian ریال and Arabic ريال, "RF" and "Rf", "د.إ"
 *    and "د.أ"), the one spelled exactly like the original text wins, then
 *    one that normalisation leaves unchanged, then the first in the file.
 *    Abbreviations with dots between letters ("د.ت", "L.E.") and spellings
 *    marked match_case ("KM", "Ft") are only taken when the original text
 *    has them so, because their normalised form is an ordinary word.
 *
 * Spans are normalised byte offsets mapped back with norm_to_orig.
 */
#include "extract.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "diag.h"
#include "util.h"

#define NONE ((uint32_t)-1)

/* ---- compiled data ------------------------------------------------------ */

typedef struct country_code {
    char   country[3];
    char   code[4];
    double factor; /* this country's own factor; 0 when the entry's applies */
} country_code;

/* What a currency spelling or unit stands for. */
typedef struct money {
    country_code *by_country;
    size_t        country_count;
    char          fallback[4]; /* `code:` or `default:`; "" when none */
    double        factor;      /* 0.01 for centimes, 10 for toman, else 1 */
} money;

enum term_kind {
    TERM_CURRENCY,
    TERM_MULTIPLIER,
    TERM_NUMBER,
    TERM_START,
    TERM_TO,
    TERM_AND,
    TERM_END,
    TERM_FILLER,
    TERM_IMPLIED,  /* a multiplier that implies a unit when no currency is given */
    TERM_FRACTION, /* "and a half" after an amount: "5 mlayen w nos" */
    TERM_CHANGE,   /* before a range start: "subió de 3 mil a 12 mil" is two prices */
    TERM_NOT_PRICE /* near an amount, says it is no price: "seized", "a fine of", "salary" */
};
#define ROLE(k) (1u << (k))

enum term_flag {
    TF_BEFORE = 1u << 0,     /* a currency that may stand before the amount */
    TF_WEAK = 1u << 1,       /* gives way to another currency next to the amount */
    TF_MATCH_CASE = 1u << 2, /* the original text must be exactly `raw` */
    TF_SPELLED = 1u << 3,    /* the original must be `raw` up to ASCII case */
    TF_NATURAL = 1u << 4,    /* normalisation leaves `raw` as it is */
    TF_JOINED = 1u << 5      /* a number word with a glued "and" ("وعشرين") */
};

typedef struct term {
    char         *raw;   /* as written in the data file */
    char         *key;   /* normalised */
    uint32_t      next;  /* next term with the same key, or NONE */
    uint32_t      money; /* currencies and units: index in moneys */
    unsigned      flags;
    double        value; /* multipliers and number words */
    unsigned char kind;
} term;

/* A byte trie of the normalised keys. While loading, children are a linked
 * list sorted by byte; once loaded, each node's children are copied to a
 * sorted run of `edges` that lookups binary-search. */
typedef struct trie_node {
    uint32_t      child, sibling; /* while loading */
    uint32_t      terms;          /* first term whose key ends here, or NONE */
    uint32_t      edge_start, edge_count;
    unsigned char byte;
} trie_node;

typedef struct trie_edge {
    unsigned char byte;
    uint32_t      node;
} trie_edge;

struct price_data {
    term      *terms;
    size_t     term_count, term_cap;
    money     *moneys;
    size_t     money_count, money_cap;
    trie_node *nodes;
    size_t     node_count, node_cap;
    trie_edge *edges;
    size_t     edge_count;
    size_t     number_word_count; /* number words ("الفين"): with any, every text is tokenised */
};

/* ---- characters --------------------------------------------------------- */

static int32_t decode_at(const char *s, size_t len, size_t pos, size_t *n)
{
    if ((unsigned char)s[pos] < 0x80) {
        *n = 1;
        return (unsigned char)s[pos];
    }
    utf8proc_int32_t cp;
    utf8proc_ssize_t r = utf8proc_iterate((const utf8proc_uint8_t *)s + pos,
                                          (utf8proc_ssize_t)(len - pos), &cp);
    if (r <= 0) {
        *n = 1;
        return 0xFFFD;
    }
    *n = (size_t)r;
    return cp;
}

/* The character that ends just before pos, or -1 at the start. */
static int32_t decode_before(const char *s, size_t len, size_t pos)
{
    if (pos == 0) return -1;
    size_t b = pos - 1;
    while (b > 0 && ((unsigned char)s[b] & 0xC0) == 0x80 && pos - b < 4) b--;
    size_t n;
    return decode_at(s, len, b, &n);
}

static int is_letter(int32_t cp)
{
    if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
    utf8proc_category_t c = utf8proc_category(cp);
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
           c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_MC || c == UTF8PROC_CATEGORY_ME;
}

static int is_latin_letter(int32_t cp)
{
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
           (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7);
}

static int is_space(int32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' ||
           cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
           cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

static int is_line_break(int32_t cp)
{
    return cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' || cp == 0x2028 || cp == 0x2029;
}

/* Length of the horizontal space character at pos (space, tab, no-break
 * and thin spaces), or 0. */
static size_t space_bytes(const char *s, size_t len, size_t pos)
{
    unsigned char c = (unsigned char)s[pos];
    if (c == ' ' || c == '\t') return 1;
    if (c < 0x80) return 0;
    size_t n;
    int32_t cp = decode_at(s, len, pos, &n);
    return is_space(cp) && !is_line_break(cp) ? n : 0;
}

/* 0-9 for ASCII, Arabic-Indic and Persian digits (the normaliser turns the
 * latter into ASCII; they are read here too so that nothing depends on it). */
static int digit_of(int32_t cp)
{
    if (cp >= '0' && cp <= '9') return cp - '0';
    if (cp >= 0x660 && cp <= 0x669) return cp - 0x660;
    if (cp >= 0x6F0 && cp <= 0x6F9) return cp - 0x6F0;
    return -1;
}

static int digit_at(const char *s, size_t len, size_t pos, size_t *n)
{
    if (pos >= len) return -1;
    return digit_of(decode_at(s, len, pos, n));
}

/* ---- loading ------------------------------------------------------------ */

typedef struct loader {
    price_data *p;
    ofs_diags  *d;
    const char *file;
    ofs_norm   *norm;
    size_t      errors;
} loader;

static void load_error(loader *L, const ynode *n, const char *what)
{
    diag_add(L->d, OFS_ERROR, L->file, n ? n->line : 0, n ? n->col : 0, "%s", what);
    L->errors++;
}

static int expect_kind(loader *L, const ynode *n, ynode_kind kind, const char *where)
{
    if (n && n->kind == kind) return 1;
    char msg[256];
    snprintf(msg, sizeof msg, "%s must be %s, not %s", where,
             kind == YNODE_SCALAR ? "a string" : kind == YNODE_SEQ ? "a list" : "a mapping",
             n ? ynode_kind_name(n) : "empty");
    load_error(L, n, msg);
    return 0;
}

static int check_keys(loader *L, const ynode *map, const char *const *allowed, const char *where)
{
    int ok = 1;
    for (size_t i = 0; i < map->count; i++) {
        const char *k = map->keys[i]->value;
        int found = 0;
        for (size_t j = 0; allowed[j]; j++)
            if (strcmp(k, allowed[j]) == 0) found = 1;
        if (!found) {
            char msg[256];
            snprintf(msg, sizeof msg, "unknown key '%s' in %s", k, where);
            load_error(L, map->keys[i], msg);
            ok = 0;
        }
    }
    return ok;
}

static int parse_bool(loader *L, const ynode *n, int *out)
{
    if (!expect_kind(L, n, YNODE_SCALAR, "a flag")) return 0;
    if (!strcmp(n->value, "true") || !strcmp(n->value, "yes")) *out = 1;
    else if (!strcmp(n->value, "false") || !strcmp(n->value, "no")) *out = 0;
    else {
        load_error(L, n, "a flag must be true or false");
        return 0;
    }
    return 1;
}

static int upper_code(const char *s, size_t n)
{
    if (strlen(s) != n) return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 'A' || s[i] > 'Z') return 0;
    return 1;
}

static int parse_currency_code(loader *L, const ynode *n, char out[4])
{
    if (!expect_kind(L, n, YNODE_SCALAR, "a currency code")) return 0;
    if (!upper_code(n->value, 3)) {
        char msg[256];
        snprintf(msg, sizeof msg, "'%s' is not an ISO 4217 currency code (three capital letters)",
                 n->value);
        load_error(L, n, msg);
        return 0;
    }
    memcpy(out, n->value, 4);
    return 1;
}

/* Normalises s as the text is normalised, with runs of white space made one
 * space and the ends trimmed. Returns a malloc'd string. */
static char *normalise_word(loader *L, const char *s)
{
    size_t len;
    if (norm_run(L->norm, s, strlen(s), NORM_DEOBFUSCATE) != 0) return xstrdup(s);
    const char *t = norm_text(L->norm, &len);
    strbuf sb = {0};
    size_t i = 0;
    while (i < len) {
        size_t n;
        int32_t cp = decode_at(t, len, i, &n);
        if (is_space(cp)) {
            while (i < len && is_space(decode_at(t, len, i, &n))) i += n;
            if (sb.len && i < len) strbuf_putc(&sb, ' ');
            continue;
        }
        strbuf_append(&sb, t + i, n);
        i += n;
    }
    if (!sb.buf) strbuf_puts(&sb, "");
    return sb.buf;
}

/* Letters on both sides of a '.' in s ("د.ت", "l.e."). */
static int has_inner_dot(const char *s)
{
    size_t len = strlen(s);
    int32_t prev = -1;
    for (size_t i = 0; i < len;) {
        size_t n;
        int32_t cp = decode_at(s, len, i, &n);
        if (cp == '.' && prev >= 0 && is_letter(prev) && i + 1 < len) {
            size_t m;
            if (is_letter(decode_at(s, len, i + 1, &m))) return 1;
        }
        prev = cp;
        i += n;
    }
    return 0;
}

static uint32_t trie_find(const price_data *p, uint32_t node, unsigned char b)
{
    const trie_edge *e = p->edges + p->nodes[node].edge_start;
    size_t lo = 0, hi = p->nodes[node].edge_count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (e[mid].byte < b) lo = mid + 1;
        else hi = mid;
    }
    return lo < p->nodes[node].edge_count && e[lo].byte == b ? e[lo].node : NONE;
}

/* Copies every node's children into its sorted run of edges. */
static void trie_freeze(price_data *p)
{
    free(p->edges);
    p->edges = xcalloc(p->node_count ? p->node_count : 1, sizeof *p->edges);
    p->edge_count = 0;
    for (size_t i = 0; i < p->node_count; i++) {
        p->nodes[i].edge_start = (uint32_t)p->edge_count;
        for (uint32_t c = p->nodes[i].child; c != NONE; c = p->nodes[c].sibling) {
            trie_edge e = {p->nodes[c].byte, c};
            p->edges[p->edge_count++] = e;
        }
        p->nodes[i].edge_count = (uint32_t)p->edge_count - p->nodes[i].edge_start;
    }
}

static uint32_t trie_child(price_data *p, uint32_t node, unsigned char b)
{
    uint32_t c = p->nodes[node].child, prev = NONE;
    while (c != NONE && p->nodes[c].byte < b) {
        prev = c;
        c = p->nodes[c].sibling;
    }
    if (c != NONE && p->nodes[c].byte == b) return c;
    trie_node fresh = {NONE, c, NONE, 0, 0, b};
    VEC_PUSH(p->nodes, p->node_count, p->node_cap, fresh);
    uint32_t id = (uint32_t)(p->node_count - 1);
    if (prev == NONE) p->nodes[node].child = id;
    else p->nodes[prev].sibling = id;
    return id;
}

/* Adds one spelling, after the terms with the same key (file order decides
 * ties). Duplicates (same key, role, meaning and flags) are dropped. */
static void add_term(loader *L, const ynode *at, const char *raw, unsigned char kind,
                     unsigned flags, double value, uint32_t money_index)
{
    price_data *p = L->p;
    char *key = normalise_word(L, raw);
    if (!key[0]) {
        free(key);
        load_error(L, at, "empty word");
        return;
    }
    uint32_t node = 0;
    for (const char *c = key; *c; c++) node = trie_child(p, node, (unsigned char)*c);
    if (strcmp(key, raw) == 0) flags |= TF_NATURAL;
    if (kind == TERM_CURRENCY && has_inner_dot(raw)) flags |= TF_SPELLED;
    uint32_t last = NONE;
    for (uint32_t id = p->nodes[node].terms; id != NONE; id = p->terms[id].next) {
        term *t = &p->terms[id];
        if (t->kind == kind && t->value == value && t->money == money_index &&
            (t->flags & ~(unsigned)TF_NATURAL) == (flags & ~(unsigned)TF_NATURAL) &&
            ((flags & (TF_MATCH_CASE | TF_SPELLED)) == 0 || strcmp(t->raw, raw) == 0)) {
            t->flags |= flags & TF_NATURAL;
            free(key);
            return;
        }
        last = id;
    }
    if (kind == TERM_NUMBER) p->number_word_count++;
    term t = {xstrdup(raw), key, NONE, money_index, flags, value, kind};
    VEC_PUSH(p->terms, p->term_count, p->term_cap, t);
    uint32_t id = (uint32_t)(p->term_count - 1);
    if (last == NONE) p->nodes[node].terms = id;
    else p->terms[last].next = id;
}

/* Glued words for one language: prefixes ("بال" + "دولار") and suffixes
 * (Sorani "پاوەند" + "یان"), each a list or NULL. A glued prefix adds
 * prefix_flags to the spelling it makes. */
typedef struct affixes {
    const ynode *prefixes, *suffixes;
    unsigned     prefix_flags;
} affixes;

static void add_glued(loader *L, const ynode *item, const ynode *list, const char *text,
                      int before, unsigned char kind, unsigned flags, double value,
                      uint32_t money_index)
{
    if (!list || list->kind != YNODE_SEQ) return;
    for (size_t i = 0; i < list->count; i++) {
        const ynode *a = list->items[i];
        if (a->kind != YNODE_SCALAR) continue;
        char *joined = before ? xasprintf("%s%s", a->value, text) : xasprintf("%s%s", text, a->value);
        add_term(L, item, joined, kind, flags & ~(unsigned)TF_NATURAL, value, money_index);
        free(joined);
    }
}

/* One spelling item: a string, or {text, match_case, weak, before}. */
static void add_spelling(loader *L, const ynode *item, unsigned char kind, unsigned flags,
                         double value, uint32_t money_index, const affixes *glue)
{
    const char *text = NULL;
    if (item->kind == YNODE_SCALAR) {
        text = item->value;
    } else if (item->kind == YNODE_MAP) {
        static const char *const keys[] = {"text", "match_case", "weak", "before", NULL};
        if (!check_keys(L, item, keys, "a spelling")) return;
        const ynode *t = ynode_get(item, "text");
        if (!t) {
            load_error(L, item, "a spelling written as a mapping needs `text:`");
            return;
        }
        if (!expect_kind(L, t, YNODE_SCALAR, "`text:`")) return;
        text = t->value;
        int b;
        const ynode *f;
        if ((f = ynode_get(item, "match_case")) && parse_bool(L, f, &b))
            flags = b ? flags | TF_MATCH_CASE : flags & ~(unsigned)TF_MATCH_CASE;
        if ((f = ynode_get(item, "weak")) && parse_bool(L, f, &b))
            flags = b ? flags | TF_WEAK : flags & ~(unsigned)TF_WEAK;
        if ((f = ynode_get(item, "before")) && parse_bool(L, f, &b))
            flags = b ? flags | TF_BEFORE : flags & ~(unsigned)TF_BEFORE;
    } else {
        expect_kind(L, item, YNODE_SCALAR, "a spelling");
        return;
    }
    add_term(L, item, text, kind, flags, value, money_index);
    if (glue) {
        add_glued(L, item, glue->prefixes, text, 1, kind, flags | glue->prefix_flags, value,
                  money_index);
        add_glued(L, item, glue->suffixes, text, 0, kind, flags, value, money_index);
    }
}

/* A word list: a string, a list, or a mapping from language to either.
 * prefixes and suffixes (may be NULL) map languages to glued words, added
 * to the words of that language; a prefix adds prefix_flags. */
static void add_word_list(loader *L, const ynode *n, unsigned char kind, unsigned flags,
                          double value, uint32_t money_index, const ynode *prefixes,
                          const ynode *suffixes, unsigned prefix_flags, const char *where)
{
    if (!n) return;
    if (n->kind == YNODE_SCALAR || (n->kind == YNODE_MAP && ynode_get(n, "text"))) {
        add_spelling(L, n, kind, flags, value, money_index, NULL);
    } else if (n->kind == YNODE_SEQ) {
        for (size_t i = 0; i < n->count; i++)
            add_spelling(L, n->items[i], kind, flags, value, money_index, NULL);
    } else {
        for (size_t i = 0; i < n->count; i++) {
            const ynode *list = n->items[i];
            const char *lang = n->keys[i]->value;
            affixes glue = {prefixes ? ynode_get(prefixes, lang) : NULL,
                            suffixes ? ynode_get(suffixes, lang) : NULL, prefix_flags};
            if (list->kind == YNODE_SCALAR) {
                add_spelling(L, list, kind, flags, value, money_index, &glue);
            } else if (expect_kind(L, list, YNODE_SEQ, where)) {
                for (size_t j = 0; j < list->count; j++)
                    add_spelling(L, list->items[j], kind, flags, value, money_index, &glue);
            }
        }
    }
}

/* The meaning part of a currency entry or unit: code_key ("code" or
 * "currency"), by_country, default, factor. Returns the money index or NONE. */
static uint32_t parse_money(loader *L, const ynode *entry, const char *code_key)
{
    money m = {NULL, 0, "", 1.0};
    const ynode *code = ynode_get(entry, code_key);
    const ynode *byc = ynode_get(entry, "by_country");
    const ynode *def = ynode_get(entry, "default");
    const ynode *factor = ynode_get(entry, "factor");
    size_t before = L->errors;
    if (!code && !byc) {
        char msg[128];
        snprintf(msg, sizeof msg, "an entry needs `%s:` or `by_country:`", code_key);
        load_error(L, entry, msg);
        return NONE;
    }
    if (code) parse_currency_code(L, code, m.fallback);
    if (def) {
        if (code) load_error(L, def, "`default:` is for entries with `by_country:` only");
        else parse_currency_code(L, def, m.fallback);
    }
    if (byc && expect_kind(L, byc, YNODE_MAP, "`by_country:`")) {
        m.by_country = xcalloc(byc->count ? byc->count : 1, sizeof *m.by_country);
        for (size_t i = 0; i < byc->count; i++) {
            const char *cc = byc->keys[i]->value;
            if (!upper_code(cc, 2)) {
                char msg[256];
                snprintf(msg, sizeof msg, "'%s' is not an ISO 3166 country code (two capital letters)", cc);
                load_error(L, byc->keys[i], msg);
                continue;
            }
            /* a code, or {currency: TND, factor: 0.001} for a country that
             * counts the unit differently */
            country_code *c = &m.by_country[m.country_count];
            const ynode *val = byc->items[i], *code_node = val;
            c->factor = 0;
            if (val->kind == YNODE_MAP) {
                static const char *const keys[] = {"currency", "factor", NULL};
                if (!check_keys(L, val, keys, "a `by_country:` value")) continue;
                const ynode *f = ynode_get(val, "factor");
                code_node = ynode_get(val, "currency");
                if (f && (ynode_number(f, &c->factor) != 0 || !(c->factor > 0))) {
                    load_error(L, f, "`factor:` must be a positive number");
                    continue;
                }
                if (!code_node) {
                    load_error(L, val, "a `by_country:` mapping needs `currency:`");
                    continue;
                }
            }
            if (parse_currency_code(L, code_node, c->code)) {
                memcpy(c->country, cc, 3);
                m.country_count++;
            }
        }
    }
    if (factor && (ynode_number(factor, &m.factor) != 0 || !(m.factor > 0))) {
        load_error(L, factor, "`factor:` must be a positive number");
        m.factor = 1.0;
    }
    if (L->errors > before) {
        free(m.by_country);
        return NONE;
    }
    VEC_PUSH(L->p->moneys, L->p->money_count, L->p->money_cap, m);
    return (uint32_t)(L->p->money_count - 1);
}

static void load_currencies(loader *L, const ynode *root)
{
    if (!expect_kind(L, root, YNODE_MAP, "`currencies:`")) return;
    static const char *const top[] = {"prefixes", "suffixes", "list", NULL};
    check_keys(L, root, top, "`currencies:`");
    const ynode *prefixes = ynode_get(root, "prefixes");
    if (prefixes && !expect_kind(L, prefixes, YNODE_MAP, "`prefixes:`")) prefixes = NULL;
    const ynode *suffixes = ynode_get(root, "suffixes");
    if (suffixes && !expect_kind(L, suffixes, YNODE_MAP, "`suffixes:`")) suffixes = NULL;
    const ynode *list = ynode_get(root, "list");
    if (!list) {
        load_error(L, root, "`currencies:` needs a `list:` of currencies");
        return;
    }
    if (!expect_kind(L, list, YNODE_SEQ, "`list:`")) return;
    static const char *const keys[] = {"name", "code", "by_country", "default", "symbols",
                                       "names", "factor", "note", NULL};
    for (size_t i = 0; i < list->count; i++) {
        const ynode *e = list->items[i];
        if (!expect_kind(L, e, YNODE_MAP, "a currency")) continue;
        if (!check_keys(L, e, keys, "a currency")) continue;
        uint32_t m = parse_money(L, e, "code");
        if (m == NONE) continue;
        add_word_list(L, ynode_get(e, "symbols"), TERM_CURRENCY, TF_BEFORE, 0, m, NULL, NULL, 0,
                      "`symbols:`");
        add_word_list(L, ynode_get(e, "names"), TERM_CURRENCY, 0, 0, m, prefixes, suffixes, 0,
                      "`names:`");
    }
}

/* A list of {value, words}. prefixes (may be NULL) maps languages to glued
 * words meaning "and" ("و" + "عشرين"). */
static void load_valued(loader *L, const ynode *list, unsigned char kind, const ynode *prefixes,
                        const char *where)
{
    if (!list) return;
    if (!expect_kind(L, list, YNODE_SEQ, where)) return;
    static const char *const keys[] = {"value", "words", "note", NULL};
    for (size_t i = 0; i < list->count; i++) {
        const ynode *e = list->items[i];
        if (!expect_kind(L, e, YNODE_MAP, where) || !check_keys(L, e, keys, where)) continue;
        double v;
        const ynode *vn = ynode_get(e, "value");
        if (!vn || ynode_number(vn, &v) != 0 || !(v > 0)) {
            load_error(L, vn ? vn : e, "`value:` must be a positive number");
            continue;
        }
        add_word_list(L, ynode_get(e, "words"), kind, 0, v, NONE, prefixes, NULL, TF_JOINED,
                      "`words:`");
    }
}

static void load_number_words(loader *L, const ynode *root)
{
    if (!expect_kind(L, root, YNODE_MAP, "`number_words:`")) return;
    static const char *const top[] = {"multipliers", "numbers", "prefixes", "fractions", "units",
                                      "implied", "ranges", "fillers", "not_prices", NULL};
    check_keys(L, root, top, "`number_words:`");
    const ynode *prefixes = ynode_get(root, "prefixes");
    if (prefixes && !expect_kind(L, prefixes, YNODE_MAP, "`prefixes:`")) prefixes = NULL;
    load_valued(L, ynode_get(root, "multipliers"), TERM_MULTIPLIER, NULL, "`multipliers:`");
    load_valued(L, ynode_get(root, "numbers"), TERM_NUMBER, prefixes, "`numbers:`");
    load_valued(L, ynode_get(root, "fractions"), TERM_FRACTION, NULL, "`fractions:`");

    /* units stand in for a currency ("80 مليون سنتيم"); implied units are
     * multipliers that say the unit only when no currency is given ("60
     * مليون" alone) */
    static const char *const sections[] = {"units", "implied"};
    for (int s = 0; s < 2; s++) {
        const ynode *units = ynode_get(root, sections[s]);
        char where[32];
        snprintf(where, sizeof where, "`%s:`", sections[s]);
        if (!units || !expect_kind(L, units, YNODE_SEQ, where)) continue;
        static const char *const keys[] = {"name", "currency", "by_country", "default",
                                           "factor", "words", "note", NULL};
        for (size_t i = 0; i < units->count; i++) {
            const ynode *e = units->items[i];
            if (!expect_kind(L, e, YNODE_MAP, "a unit") || !check_keys(L, e, keys, "a unit"))
                continue;
            uint32_t m = parse_money(L, e, "currency");
            if (m != NONE)
                add_word_list(L, ynode_get(e, "words"), s ? TERM_IMPLIED : TERM_CURRENCY, 0, 0, m,
                              NULL, NULL, 0, "`words:`");
        }
    }

    const ynode *ranges = ynode_get(root, "ranges");
    if (ranges && expect_kind(L, ranges, YNODE_MAP, "`ranges:`")) {
        static const char *const keys[] = {"start", "to", "and", "end", "change", NULL};
        check_keys(L, ranges, keys, "`ranges:`");
        static const struct {
            const char   *key;
            unsigned char kind;
        } parts[] = {{"start", TERM_START}, {"to", TERM_TO},   {"and", TERM_AND},
                     {"end", TERM_END},     {"change", TERM_CHANGE}};
        for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
            char where[32];
            snprintf(where, sizeof where, "`%s:`", parts[i].key);
            add_word_list(L, ynode_get(ranges, parts[i].key), parts[i].kind, 0, 0, NONE, NULL, NULL,
                          0, where);
        }
    }
    add_word_list(L, ynode_get(root, "fillers"), TERM_FILLER, 0, 0, NONE, NULL, NULL, 0,
                  "`fillers:`");
    add_word_list(L, ynode_get(root, "not_prices"), TERM_NOT_PRICE, 0, 0, NONE, NULL, NULL, 0,
                  "`not_prices:`");
}

/* Frees the data and everything it owns. NULL is fine. */
void price_data_free(price_data *p)
{
    if (!p) return;
    for (size_t i = 0; i < p->term_count; i++) {
        free(p->terms[i].raw);
        free(p->terms[i].key);
    }
    for (size_t i = 0; i < p->money_count; i++) free(p->moneys[i].by_country);
    free(p->edges);
    free(p->terms);
    free(p->moneys);
    free(p->nodes);
    free(p);
}

/* Compiles every `currencies:` and `number_words:` document of the bundle.
 * Returns the data (read-only afterwards, shareable between threads; free
 * with price_data_free), or NULL after adding each problem to d as
 * file:line:column. A rule set with no `currencies:` file gets a warning and
 * data that finds nothing. */
price_data *price_data_load(const ofs_bundle *b, ofs_diags *d)
{
    price_data *p = xcalloc(1, sizeof *p);
    trie_node root = {NONE, NONE, NONE, 0, 0, 0};
    VEC_PUSH(p->nodes, p->node_count, p->node_cap, root);
    loader L = {p, d, NULL, norm_create(), 0};
    int have_currencies = 0;
    for (size_t i = 0; b && i < b->count; i++) {
        const ydoc *doc = b->docs[i];
        if (!doc->root || doc->root->kind != YNODE_MAP) continue;
        L.file = doc->file;
        const ynode *c = ynode_get(doc->root, "currencies");
        const ynode *w = ynode_get(doc->root, "number_words");
        if (c) {
            load_currencies(&L, c);
            have_currencies = 1;
        }
        if (w) load_number_words(&L, w);
    }
    norm_free(L.norm);
    trie_freeze(p);
    if (!have_currencies)
        diag_add(d, OFS_WARNING, "rules", 0, 0,
                 "no `currencies:` file in the rule set: no prices will be found");
    if (L.errors) {
        price_data_free(p);
        return NULL;
    }
    return p;
}

/* ---- matching data terms ------------------------------------------------ */

/* Byte-wise equality of the original text span with raw, optionally
 * ignoring ASCII case. */
static int orig_equals(const extract_input *in, size_t start, size_t end, const char *raw,
                       int fold)
{
    const char *s;
    size_t n;
    if (in->norm) {
        size_t os, oe;
        norm_to_orig(in->norm, start, end, &os, &oe);
        if (oe > in->orig_len || os > oe) return 0;
        s = in->orig + os;
        n = oe - os;
    } else {
        s = in->text + start;
        n = end - start;
    }
    if (strlen(raw) != n) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char a = (unsigned char)s[i], c = (unsigned char)raw[i];
        if (fold) {
            if (a >= 'A' && a <= 'Z') a = (unsigned char)(a + 32);
            if (c >= 'A' && c <= 'Z') c = (unsigned char)(c + 32);
        }
        if (a != c) return 0;
    }
    return 1;
}

enum tok_kind { T_NUM, T_TERM, T_WORD, T_PUNCT };

typedef struct tok {
    size_t        start, end; /* normalised bytes */
    double        value;      /* T_NUM: the number; T_TERM: a number word's value */
    double        mult;       /* T_TERM: multiplier, 0 when it is none */
    uint32_t      cur;        /* T_TERM: the currency term, NONE when none */
    uint32_t      implied;    /* T_TERM: the money a multiplier implies, NONE when none */
    double        fraction;   /* T_TERM: "and a half" = 0.5, 0 when none */
    unsigned      roles;      /* T_TERM: ROLE(kind) for each role */
    int32_t       cp;         /* T_PUNCT: the character */
    unsigned char kind;
    unsigned char gap;        /* before it: 0 none, 1 spaces, 2 a line break */
    unsigned char bad;        /* T_NUM: cannot be an amount */
    unsigned char used;       /* T_TERM: currency taken by an amount */
    unsigned char latin;      /* T_WORD, T_TERM: ends with a Latin letter */
    unsigned char joined;     /* T_TERM: a number word with a glued "and" */
} tok;

typedef struct tok_list {
    tok   *items;
    size_t count, cap;
} tok_list;

/* Matches a data term at pos. Returns its end (> pos) and fills t, or
 * returns pos when none matches. */
static size_t match_term(const price_data *p, const extract_input *in, size_t pos, tok *t)
{
    const char *s = in->text;
    size_t len = in->len;
    enum { MAX_HITS = 48 };
    size_t hit_end[MAX_HITS];
    uint32_t hit_node[MAX_HITS];
    size_t hits = 0;
    size_t n0;
    if (is_letter(decode_at(s, len, pos, &n0)) && is_letter(decode_before(s, len, pos)))
        return pos; /* not at the start of a word */
    uint32_t node = 0;
    size_t i = pos;
    while (i < len && hits < MAX_HITS) {
        unsigned char c = (unsigned char)s[i];
        size_t sp = space_bytes(s, len, i);
        if (sp) { /* a run of spaces in the text matches one space in a key */
            uint32_t next;
            if (i == pos || (next = trie_find(p, node, ' ')) == NONE) break;
            while ((sp = space_bytes(s, len, i)) > 0) i += sp;
            node = next;
            continue;
        }
        node = trie_find(p, node, c);
        if (node == NONE) break;
        i++;
        /* keys are whole UTF-8 characters, so a key can only end on one */
        if (p->nodes[node].terms != NONE) {
            hit_end[hits] = i;
            hit_node[hits] = node;
            hits++;
        }
    }
    if (!hits) return pos;
    while (hits-- > 0) {
        size_t end = hit_end[hits];
        int32_t last = decode_before(s, len, end);
        if (end < len && is_letter(last)) {
            size_t n;
            if (is_letter(decode_at(s, len, end, &n))) continue;
        }
        uint32_t best = NONE;
        int best_score = -1;
        unsigned roles = 0;
        double mult = 0, number = 0, fraction = 0;
        uint32_t implied = NONE;
        int joined = 0;
        for (uint32_t id = p->nodes[hit_node[hits]].terms; id != NONE; id = p->terms[id].next) {
            const term *tm = &p->terms[id];
            int exact = orig_equals(in, pos, end, tm->raw, 0);
            int folded = exact || orig_equals(in, pos, end, tm->raw, 1);
            if ((tm->flags & TF_MATCH_CASE) && !exact) continue;
            if ((tm->flags & TF_SPELLED) && !folded) continue;
            roles |= ROLE(tm->kind);
            if (tm->kind == TERM_MULTIPLIER) mult = tm->value;
            if (tm->kind == TERM_NUMBER) {
                number = tm->value;
                joined = (tm->flags & TF_JOINED) != 0;
            }
            if (tm->kind == TERM_FRACTION) fraction = tm->value;
            if (tm->kind == TERM_IMPLIED && implied == NONE) implied = tm->money;
            if (tm->kind == TERM_CURRENCY) {
                int score = exact ? 3 : folded ? 2 : (tm->flags & TF_NATURAL) ? 1 : 0;
                if (score > best_score) {
                    best_score = score;
                    best = id;
                }
            }
        }
        if (!roles) continue;
        t->kind = T_TERM;
        t->roles = roles;
        t->cur = best;
        t->mult = mult;
        t->value = number;
        t->joined = (unsigned char)joined;
        t->fraction = fraction;
        t->implied = implied;
        t->latin = (unsigned char)is_latin_letter(last);
        return end;
    }
    return pos;
}

/* Whether a currency term starts at pos, after spaces (or the text ends),
 * one whose amounts may have cents. */
static int currency_or_end_at(const price_data *p, const extract_input *in, size_t pos)
{
    size_t n;
    while (pos < in->len && is_space(decode_at(in->text, in->len, pos, &n))) pos += n;
    if (pos >= in->len) return 1;
    tok t = {0};
    t.cur = NONE;
    t.implied = NONE;
    if (match_term(p, in, pos, &t) == pos || t.cur == NONE) return 0;
    /* a unit of a million centimes has no cents: "moteur 200, 60 melyoun" is two numbers */
    return !(p->moneys[p->terms[t.cur].money].factor > 1);
}

/* ---- numbers ------------------------------------------------------------ */

enum sep_kind { SEP_DOT, SEP_COMMA, SEP_APOS, SEP_SPACE, SEP_ADEC, SEP_ATHOU, SEP_SPACED };

#define MAX_GROUPS 12
#define MAX_DIGITS 40

typedef struct num_shape {
    char   digits[MAX_DIGITS + 1];
    size_t gstart[MAX_GROUPS], glen[MAX_GROUPS];
    int    sep[MAX_GROUPS];
    size_t groups;
    size_t ndigits;
} num_shape;

/* Reads a run of digits at pos into the shape. Returns the end. */
static size_t read_group(const char *s, size_t len, size_t pos, num_shape *sh)
{
    size_t n;
    int dv;
    sh->gstart[sh->groups] = sh->ndigits;
    while ((dv = digit_at(s, len, pos, &n)) >= 0) {
        if (sh->ndigits < MAX_DIGITS) sh->digits[sh->ndigits] = (char)('0' + dv);
        sh->ndigits++;
        pos += n;
    }
    sh->glen[sh->groups] = sh->ndigits - sh->gstart[sh->groups];
    sh->groups++;
    return pos;
}

static size_t count_digits(const char *s, size_t len, size_t pos, size_t *end)
{
    size_t n, c = 0;
    while (digit_at(s, len, pos, &n) >= 0) {
        c++;
        pos += n;
    }
    *end = pos;
    return c;
}

static int is_sep_char(int32_t cp, int *kind)
{
    switch (cp) {
    case '.': *kind = SEP_DOT; return 1;
    case ',': *kind = SEP_COMMA; return 1;
    case '\'': case 0x2019: *kind = SEP_APOS; return 1;
    case 0x66B: *kind = SEP_ADEC; return 1;
    case 0x66C: *kind = SEP_ATHOU; return 1;
    default: return 0;
    }
}

/* Decides the value of a lexed shape. Returns 0 and sets *value, or -1 when
 * the digits do not form an amount (a date such as 12.05.2024). */
static int shape_value(num_shape *sh, size_t leading_dots, double *value)
{
    size_t nsep = sh->groups - 1;
    if (sh->ndigits > MAX_DIGITS) return -1;
    if (leading_dots && nsep == 0) { /* ".75" */
        char buf[MAX_DIGITS + 4] = "0.";
        memcpy(buf + 2, sh->digits, sh->ndigits);
        buf[2 + sh->ndigits] = '\0';
        *value = strtod(buf, NULL);
        return 0;
    }
    long dec = -1; /* index of the decimal separator */
    if (nsep > 0) {
        int last = sh->sep[nsep - 1];
        if (last == SEP_SPACED || last == SEP_ADEC) {
            dec = (long)nsep - 1;
        } else if (last == SEP_DOT || last == SEP_COMMA) {
            int same = 0;
            for (size_t i = 0; i + 1 < nsep; i++)
                if (sh->sep[i] == last) same = 1;
            if (same) dec = -1;
            else if (nsep >= 2) dec = (long)nsep - 1;
            else if (sh->glen[1] == 3 && sh->glen[0] <= 3 &&
                     !(sh->glen[0] == 1 && sh->digits[0] == '0'))
                dec = -1;
            else dec = 0;
        }
    }
    size_t nthou = dec >= 0 ? (size_t)dec : nsep;
    if (nthou > 0) {
        int kind = sh->sep[0];
        int indian = kind == SEP_COMMA && sh->glen[0] <= 2 && sh->glen[nthou] == 3;
        if (sh->glen[0] < 1 || sh->glen[0] > 3) return -1;
        for (size_t i = 0; i < nthou; i++) {
            if (sh->sep[i] != kind) return -1;
            size_t gl = sh->glen[i + 1];
            if (gl != 3) indian = indian && gl == 2 && i + 1 < nthou;
        }
        for (size_t i = 1; i <= nthou; i++)
            if (sh->glen[i] != 3 && !(indian && sh->glen[i] == 2)) return -1;
        if (indian && sh->glen[nthou] != 3) return -1;
    }
    char buf[MAX_DIGITS + 4];
    size_t b = 0;
    for (size_t g = 0; g < sh->groups; g++) {
        if (dec >= 0 && g == (size_t)dec + 1) buf[b++] = '.';
        memcpy(buf + b, sh->digits + sh->gstart[g], sh->glen[g]);
        b += sh->glen[g];
    }
    buf[b] = '\0';
    *value = strtod(buf, NULL);
    return 0;
}

/* After a phone-like start, takes in the digit groups that follow ("+218
 * 91 234 5678"), up to 15 digits, stopping before a group that a currency
 * or multiplier follows. Returns the new end. */
static size_t absorb_groups(const price_data *p, const extract_input *in, size_t pos,
                            size_t digits)
{
    const char *s = in->text;
    size_t len = in->len, n;
    while (pos < len) {
        int32_t cp = decode_at(s, len, pos, &n);
        size_t q = pos;
        if (cp == ' ' || cp == '-' || cp == '.' || cp == '(' || cp == ')' || cp == 0xA0) q += n;
        size_t end, c = count_digits(s, len, q, &end);
        if (c == 0 || digits + c > 15) break;
        size_t after = end;
        while (after < len && decode_at(s, len, after, &n) == ' ') after += n;
        tok t = {0};
        t.cur = NONE;
        t.implied = NONE;
        if (after < len && match_term(p, in, after, &t) > after && (t.cur != NONE || t.mult > 0))
            break;
        digits += c;
        pos = end;
    }
    return pos;
}

/* Lexes the number at pos (a digit, or up to two dots before a digit) into
 * t. Returns its end. */
static size_t lex_number(const price_data *p, const extract_input *in, size_t pos, tok *t)
{
    const char *s = in->text;
    size_t len = in->len, n;
    num_shape sh;
    memset(&sh, 0, sizeof sh);
    size_t dots = 0, q = pos;
    while (q < len && s[q] == '.') {
        dots++;
        q++;
    }
    q = read_group(s, len, q, &sh);
    /* After '%' or '#' ("%50", "#1") the number is no amount; reading no
     * further keeps "%50 500 TL" from becoming 50500. */
    int32_t before = decode_before(s, len, pos);
    int only_spaces = 1, stop = before == '%' || before == '#';
    while (!stop && sh.groups < MAX_GROUPS && q < len) {
        int32_t cp = decode_at(s, len, q, &n);
        int kind;
        size_t end, c;
        if (is_sep_char(cp, &kind)) {
            if (digit_at(s, len, q + n, &(size_t){0}) >= 0) {
                sh.sep[sh.groups - 1] = kind;
                q = read_group(s, len, q + n, &sh);
                only_spaces = 0;
                continue;
            }
            if ((cp == '.' || cp == ',') && q + n < len && s[q + n] == ' ' &&
                count_digits(s, len, q + n + 1, &end) == 2 && currency_or_end_at(p, in, end)) {
                sh.sep[sh.groups - 1] = SEP_SPACED;
                q = read_group(s, len, q + n + 1, &sh);
                break;
            }
            if ((cp == '.' || cp == ',') && q + n < len && s[q + n] == '-') {
                q += n;
                while (q < len && s[q] == '-') q++;
            }
            break;
        }
        if (is_space(cp) && !is_line_break(cp) && only_spaces && sh.glen[0] >= 1 &&
            sh.glen[0] <= 3 && sh.digits[0] != '0' && !dots) {
            c = count_digits(s, len, q + n, &end);
            if (c == 3) {
                sh.sep[sh.groups - 1] = SEP_SPACE;
                q = read_group(s, len, q + n, &sh);
                continue;
            }
        }
        stop = 1;
    }
    if (q + 1 < len && s[q] == '/' && s[q + 1] == '-') q += 2; /* "Rs 50,000/-" */
    t->kind = T_NUM;
    if (shape_value(&sh, dots, &t->value) != 0) t->bad = 1;

    /* What stands around it. */
    int32_t after = q < len ? decode_at(s, len, q, &n) : -1;
    size_t intlen = sh.glen[0];
    if (before == '+' || (intlen >= 2 && sh.digits[0] == '0' && !dots)) {
        t->bad = 1;
        q = absorb_groups(p, in, q, sh.ndigits);
        return q;
    }
    if (before == '%' || before == '#' || after == '%' || intlen > 15) t->bad = 1;
    size_t end;
    if ((after == ':' || after == '/') && count_digits(s, len, q + 1, &end) > 0) {
        t->bad = 1; /* a time or a date: 10:30, 12/05/2024 */
        while (q < len && (s[q] == ':' || s[q] == '/') && count_digits(s, len, q + 1, &end) > 0)
            q = end;
    } else if (after == '-' && sh.groups == 1 && intlen <= 4 &&
               count_digits(s, len, q + 1, &end) > 0 && end < len && s[end] == '-' &&
               count_digits(s, len, end + 1, &end) > 0) {
        t->bad = 1; /* 2024-05-12 */
        q = end;
    }
    return q;
}

/* ---- tokens ------------------------------------------------------------- */

static void tokenise(const price_data *p, const extract_input *in, tok_list *out)
{
    const char *s = in->text;
    size_t len = in->len, pos = 0;
    unsigned char gap = 0;
    while (pos < len) {
        size_t n;
        int32_t cp = decode_at(s, len, pos, &n);
        if (is_space(cp)) {
            if (is_line_break(cp)) gap = 2;
            else if (!gap) gap = 1;
            pos += n;
            continue;
        }
        tok t;
        memset(&t, 0, sizeof t);
        t.cur = NONE;
        t.implied = NONE;
        t.start = pos;
        t.gap = gap;
        tok *prev = out->count ? &out->items[out->count - 1] : NULL;
        size_t dots = 0;
        while (pos + dots < len && s[pos + dots] == '.') dots++;
        size_t m;
        int32_t left = decode_before(s, len, pos);
        /* ".75 €", "$..75", but not "prix...500" or "prix.500" */
        int number_start = digit_of(cp) >= 0 ||
                           (dots > 0 && dots <= 2 && digit_at(s, len, pos + dots, &m) >= 0 &&
                            left != '.' && !is_letter(left) && digit_of(left) < 0);
        size_t end;
        if (number_start && prev && gap == 0 && prev->latin &&
            (prev->kind == T_WORD || (prev->kind == T_TERM && prev->cur == NONE))) {
            /* Digits glued to a Latin word are part of it: "A320", "k12",
             * and Arabizi letters ("dafa3", "m3a"), which must not take the
             * number after them ("dafa3 120 geneh" is 120, not 3120). */
            int32_t last = cp;
            while (pos < len && (digit_of(cp = decode_at(s, len, pos, &n)) >= 0 || is_letter(cp))) {
                last = cp;
                pos += n;
            }
            t.kind = T_WORD;
            t.latin = (unsigned char)(is_latin_letter(last) || digit_of(last) >= 0);
        } else if (number_start) {
            pos = lex_number(p, in, pos, &t);
        } else if ((end = match_term(p, in, pos, &t)) > pos) {
            pos = end;
        } else if (is_letter(cp)) {
            int32_t last = cp;
            while (pos < len && is_letter(cp = decode_at(s, len, pos, &n))) {
                last = cp;
                pos += n;
            }
            t.kind = T_WORD;
            t.latin = (unsigned char)is_latin_letter(last);
            if (prev && gap == 0 && prev->kind == T_NUM) prev->bad = 1; /* 22h, 20kg */
        } else {
            t.kind = T_PUNCT;
            t.cp = cp;
            pos += n;
        }
        t.end = pos;
        VEC_PUSH(out->items, out->count, out->cap, t);
        gap = 0;
    }
}

/* ---- grammar ------------------------------------------------------------ */

typedef struct quantity {
    size_t first, last; /* tokens, currencies included */
    size_t num;         /* the number or number word */
    size_t after;       /* its last token before a right currency */
    double value;       /* the number with its multipliers */
    double mult;        /* product of the multipliers, 1 when none */
    long   left, left2, right; /* currency tokens, -1 when none */
    long   implied;     /* a multiplier token that implies a unit, -1 when none */
} quantity;

static int has_role(const tok *t, enum term_kind k)
{
    return t->kind == T_TERM && (t->roles & ROLE(k));
}

static int free_currency(const price_data *p, const tok *t, int before)
{
    return t->kind == T_TERM && t->cur != NONE && !t->used &&
           (!before || (p->terms[t->cur].flags & TF_BEFORE));
}

static int good_number(const tok *t)
{
    return t->kind == T_NUM && !t->bad;
}

/* The largest power of 1000 not above v (1 below 1000): "الفين ونص" is
 * 2000 + half of 1000, "مليون ونص" 1000000 + half of 1000000. */
static double thousands_magnitude(double v)
{
    double m = 1;
    while (m * 1000 <= v) m *= 1000;
    return m;
}

/* The largest power of ten not above v. */
static double decimal_magnitude(double v)
{
    double m = 1;
    while (m * 10 <= v) m *= 10;
    return m;
}

/* Whether a number word of value part may be added to the words read so
 * far (value): "مية وعشرين" (100 + 20), and Arabic units before tens,
 * "خمسة وعشرين" (5 + 20); not "الفين و تلات الاف", a range. */
static int joins_number(double value, double part)
{
    return part < decimal_magnitude(value) || (value < 10 && part < 100 && fmod(part, 10) == 0);
}

/* A number, or a number word that starts an amount ("quinientos", not the
 * "وعشرين" that only joins one). */
static int number_or_word(const tok *t)
{
    return good_number(t) || (has_role(t, TERM_NUMBER) && !t->joined);
}

/* Reads the amount whose number is token i. Returns 0 when there is none. */
static int parse_amount(const price_data *p, const tok *tk, size_t n, size_t i, quantity *a)
{
    const tok *t = &tk[i];
    int word = 0;
    if (good_number(t)) {
        a->value = t->value;
    } else if (has_role(t, TERM_NUMBER) && !t->joined) {
        a->value = t->value;
        word = 1;
    } else {
        return 0;
    }
    a->num = i;
    a->mult = 1;
    a->left = a->left2 = a->right = a->implied = -1;
    size_t j = i + 1;
    /* "مية وعشرين", "مية و عشرين": number words joined by "and" add up; a
     * smaller one right after hundreds or thousands too ("ciento cincuenta",
     * "mil quinientos") */
    while (word && j < n && tk[j].gap <= 1) {
        size_t w = j;
        if (has_role(&tk[j], TERM_AND) && j + 1 < n && tk[j + 1].gap <= 1) w = j + 1;
        int glued = tk[w].joined != 0; /* "وعشرين" */
        int joined = w != j ? !glued : glued || a->value >= 100;
        if (!has_role(&tk[w], TERM_NUMBER) || !joined || !joins_number(a->value, tk[w].value)) break;
        a->value += tk[w].value;
        j = w + 1;
    }
    /* Multipliers; after number words only larger ones ("مية وعشرين مليون") */
    double last_mult = 1;
    for (int k = 0; k < 2 && j < n && tk[j].kind == T_TERM && tk[j].mult > 0 && tk[j].gap <= 1 &&
                    (!word || tk[j].mult > a->value);
         k++, j++) {
        a->mult *= tk[j].mult;
        last_mult = tk[j].mult;
        if (tk[j].implied != NONE && a->implied < 0) a->implied = (long)j;
    }
    a->value *= a->mult;
    if (a->mult > 1 && j < n) {
        /* "3 لاکھ 20 ہزار", "۲ میلیون و ۵۰۰ هزار", "iki bin beş yüz": a
         * smaller number with a smaller multiplier adds to the first */
        size_t k = j;
        if (has_role(&tk[k], TERM_AND) && tk[k].gap <= 1) k++;
        if (k + 1 < n && number_or_word(&tk[k]) && tk[k].gap <= 1 && tk[k + 1].gap <= 1 &&
            tk[k + 1].kind == T_TERM && tk[k + 1].mult > 0 && tk[k + 1].mult < a->mult &&
            tk[k].value * tk[k + 1].mult < a->mult) {
            a->value += tk[k].value * tk[k + 1].mult;
            last_mult = tk[k + 1].mult;
            j = k + 2;
        } else if (k + 1 < n && number_or_word(&tk[k]) && tk[k].gap <= 1 && tk[k].value < a->mult &&
                   free_currency(p, &tk[k + 1], 0) && tk[k + 1].gap <= 1) {
            /* "2 bin 500 euro", "tres mil quinientos euros", "11 ألف و500
             * يورو", "2 mil y 500 euros": a smaller number right after a
             * multiplier (or its "and"), then a currency */
            a->value += tk[k].value;
            j = k + 1;
        }
    }
    /* "7 ملاين و نص", "مليون ونص", "الفين ونص": and a half of the last unit */
    if (j < n && tk[j].kind == T_TERM && tk[j].fraction > 0 && tk[j].gap <= 1) {
        double unit = a->mult > 1 ? last_mult : word ? thousands_magnitude(a->value) : 1;
        a->value += tk[j].fraction * unit;
        j++;
    }
    a->after = j - 1;

    size_t k = j;
    if (k + 1 < n && has_role(&tk[k], TERM_FILLER) && tk[k].gap <= 1 &&
        free_currency(p, &tk[k + 1], 0) && tk[k + 1].gap <= 1)
        k++;
    /* not "el 7ars", "ya 3ars": Arabizi writes letters as digits, so Latin
     * letters glued to one lone digit are a word, not a currency code */
    int arabizi = tk[i].kind == T_NUM && tk[i].end - tk[i].start == 1 && j == i + 1 && k == j && k < n &&
                  tk[k].gap == 0 && tk[k].latin;
    if (k < n && free_currency(p, &tk[k], 0) && tk[k].gap <= 1 && !arabizi) a->right = (long)k;
    size_t tail = NONE;
    /* "5 mlayen w nos", "3 mlayen et demi": the half after a unit */
    if (a->right >= 0 && k + 1 < n && tk[k + 1].kind == T_TERM && tk[k + 1].fraction > 0 &&
        tk[k + 1].gap <= 1 && tk[a->after].fraction == 0) {
        a->value += tk[k + 1].fraction * (a->mult > 1 ? last_mult : 1);
        tail = k + 1;
    }

    if (!word && i > 0) {
        size_t m = i - 1;
        int ok = tk[i].gap <= 1;
        if (ok && tk[m].kind == T_PUNCT && tk[m].cp == ':' && m > 0) {
            ok = tk[m].gap <= 1;
            m--;
        }
        if (ok && free_currency(p, &tk[m], 1)) {
            a->left = (long)m;
            if (m > 0 && tk[m].gap <= 1 && free_currency(p, &tk[m - 1], 1)) a->left2 = (long)m - 1;
        }
    }
    if (word && a->right < 0 && a->implied < 0) return 0;
    /* "R$ 139 R$ 135": a currency between two numbers goes to the second
     * one when the first has its own on the left. */
    if (a->left >= 0 && a->right >= 0 && (size_t)a->right + 1 < n &&
        good_number(&tk[a->right + 1]) && tk[a->right + 1].gap <= 1 &&
        (p->terms[tk[a->right].cur].flags & TF_BEFORE) && tail == NONE)
        a->right = -1;
    a->first = a->left2 >= 0 ? (size_t)a->left2 : a->left >= 0 ? (size_t)a->left : i;
    a->last = tail != NONE ? tail : a->right >= 0 ? (size_t)a->right : a->after;
    return 1;
}

/* The code a money stands for in country cc, with its factor; NULL when
 * neither the country nor a default resolves it. */
static const char *money_resolve(const money *m, const char *cc, double *factor)
{
    *factor = m->factor;
    if (cc && cc[0])
        for (size_t i = 0; i < m->country_count; i++)
            if (strcmp(m->by_country[i].country, cc) == 0) {
                if (m->by_country[i].factor > 0) *factor = m->by_country[i].factor;
                return m->by_country[i].code;
            }
    return m->fallback[0] ? m->fallback : NULL;
}

/* The currency of an amount: the first resolved strong currency among left,
 * second left and right, else a resolved weak one. An amount with none of
 * these takes the unit its multiplier implies ("60 مليون"). */
static const char *amount_currency(const price_data *p, const tok *tk, size_t n_tokens,
                                   const quantity *a, const char *cc, double *factor)
{
    long cands[3] = {a->left, a->left2, a->right};
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < 3; i++) {
            if (cands[i] < 0) continue;
            const term *tm = &p->terms[tk[cands[i]].cur];
            if (((tm->flags & TF_WEAK) != 0) != (pass == 1)) continue;
            const char *code = money_resolve(&p->moneys[tm->money], cc, factor);
            if (code) return code;
        }
    }
    /* not "3 millions de migrants": a filler names what is counted */
    if (a->left < 0 && a->left2 < 0 && a->right < 0 && a->implied >= 0 &&
        !(a->after + 1 < n_tokens && has_role(&tk[a->after + 1], TERM_FILLER)))
        return money_resolve(&p->moneys[tk[a->implied].implied], cc, factor);
    return NULL;
}

static void mark_used(tok *tk, const quantity *a)
{
    if (a->left >= 0) tk[a->left].used = 1;
    if (a->left2 >= 0) tk[a->left2].used = 1;
    if (a->right >= 0) tk[a->right].used = 1;
}

/* Rounds away the noise of multiplying decimals (1.1 × 1000). */
static double tidy(double x)
{
    double r = round(x);
    if (fabs(x - r) <= 1e-9 * fmax(1.0, fabs(x))) return r;
    if (fabs(x) < 1e9) return round(x * 1e6) / 1e6;
    return x;
}

static void emit(const extract_input *in, const tok *tk, size_t first, size_t last, double amount,
                 double amax, int has_max, const char *code, price_list *out)
{
    ofs_price pr;
    memset(&pr, 0, sizeof pr);
    pr.amount = tidy(amount);
    pr.amount_max = has_max ? tidy(amax) : 0;
    pr.has_max = has_max;
    memcpy(pr.currency, code, 3);
    pr.currency[3] = '\0';
    if (in->norm) {
        norm_to_orig(in->norm, tk[first].start, tk[last].end, &pr.span.start, &pr.span.end);
    } else {
        pr.span.start = tk[first].start;
        pr.span.end = tk[last].end;
    }
    VEC_PUSH(out->items, out->count, out->cap, pr);
}

/* Tries a range whose first amount is a. Returns 1 after emitting it, with
 * *next set to the token after it. */
static int try_range(const price_data *p, const extract_input *in, tok *tk, size_t n,
                     quantity *a, const char *cc, price_list *out, size_t *next)
{
    size_t t = a->last + 1;
    if (t + 1 >= n || tk[t].gap > 1) return 0;
    int to = has_role(&tk[t], TERM_TO), and = has_role(&tk[t], TERM_AND);
    if (!to && !and) return 0;
    size_t bnum = t + 1;
    if (tk[bnum].gap > 1) return 0;
    if (bnum + 1 < n && free_currency(p, &tk[bnum], 1) && good_number(&tk[bnum + 1]) &&
        tk[bnum + 1].gap <= 1)
        bnum++;
    quantity b;
    if (!good_number(&tk[bnum]) || !parse_amount(p, tk, n, bnum, &b)) return 0;
    size_t last = b.last;
    if (!to) {
        int start = a->first > 0 && has_role(&tk[a->first - 1], TERM_START) && tk[a->first].gap <= 1;
        int end = last + 1 < n && has_role(&tk[last + 1], TERM_END) && tk[last + 1].gap <= 1;
        if (!start && !end) return 0;
    }
    if (last + 1 < n && has_role(&tk[last + 1], TERM_END) && tk[last + 1].gap <= 1) last++;
    double fa = 1, fb = 1;
    const char *ca = amount_currency(p, tk, n, a, cc, &fa);
    const char *cb = amount_currency(p, tk, n, &b, cc, &fb);
    if (!ca && !cb) return 0;
    if (ca && cb && strcmp(ca, cb) != 0) return 0;
    if (!ca) fa = fb;
    if (!cb) fb = fa;
    double av = a->value, bv = b.value;
    if (a->mult == 1 && b.mult > 1 && av <= bv / b.mult) av *= b.mult;
    av *= fa;
    bv *= fb;
    /* "subió de 3 mil a 12 mil dólares", "rose from 2000 to 3000", "ارتفع
     * السعر من 3000 الى 5000": a price then and a price now, two prices. The
     * change word stands before the start word, with at most one word (the
     * subject) between them. */
    size_t f = a->first;
    int change = f >= 1 && tk[f].gap <= 1 && has_role(&tk[f - 1], TERM_CHANGE);
    if (!change && f >= 2 && tk[f].gap <= 1 && has_role(&tk[f - 1], TERM_START))
        for (size_t back = 2; back <= 3 && back <= f && !change; back++)
            change = tk[f - back + 1].gap <= 1 && has_role(&tk[f - back], TERM_CHANGE);
    if (change) {
        emit(in, tk, a->first, a->last, av, 0, 0, ca ? ca : cb, out);
        emit(in, tk, b.first, last, bv, 0, 0, cb ? cb : ca, out);
    } else {
        if (!(bv > av)) return 0;
        emit(in, tk, a->first, last, av, bv, 1, ca ? ca : cb, out);
    }
    mark_used(tk, a);
    mark_used(tk, &b);
    *next = last + 1;
    return 1;
}

/* Whether amount a, in brackets, says again the price found just before it
 * in the same currency: "80 millions centimes (٨٠ مليون)", "5 mlyon (50
 * alf dh)". */
static int restates(const tok *tk, const quantity *a, double amount, const char *code,
                    const price_list *out, size_t first_out)
{
    if (out->count <= first_out || a->first == 0) return 0;
    const tok *open = &tk[a->first - 1];
    const ofs_price *last = &out->items[out->count - 1];
    return open->kind == T_PUNCT && open->cp == '(' && !last->has_max && last->amount == amount &&
           strcmp(last->currency, code) == 0;
}

/* Whether the bare amount a (no currency on either side, none implied),
 * after a price of prev in its own currency, is a second price in the
 * same currency: a list of fares or of documents names the currency once
 * ("4500 دولار للكبير و2000 للصغير", "la mica 1,500 dlls, el social 800",
 * "1 500 euros par personne, contre 1 000 l'an dernier"). Only an amount of
 * a like size (at most 6 times larger or smaller: not the 40 people of a
 * boat, a phone number), not a year ("depuis 2019"), not a share ("90%"),
 * not one number of a run of numbers (phone numbers and dates written in
 * groups, "9000-0017"), and not a number that a word names ("48 h", "45
 * min", "15 días", "400 واحد"): a word may follow only an amount with a
 * multiplier ("150 mil de adelanto", "تدفع 30 ألف مقدم"). */
static int inherits_currency(const tok *tk, size_t n, const quantity *a, double prev)
{
    double v = a->value;
    if (v <= 0 || prev <= 0 || fmax(v, prev) > 6 * fmin(v, prev)) return 0;
    if (a->mult == 1 && v >= 1950 && v <= 2035 && fmod(v, 100) != 0) return 0;
    if (a->num > 0 && tk[a->num - 1].kind == T_NUM && tk[a->num].gap <= 1) return 0;
    if (a->after + 1 < n) {
        const tok *next = &tk[a->after + 1];
        if (next->gap <= 1 && (next->kind == T_NUM || (next->kind == T_PUNCT && next->cp == '%'))) return 0;
        if (next->gap == 0 && next->kind != T_WORD && a->after + 2 < n && tk[a->after + 2].kind == T_NUM &&
            tk[a->after + 2].gap == 0)
            return 0;
        /* a range start names no currency: "45 min" is Arabizi "min" (from) */
        int word = next->kind == T_WORD || (next->kind == T_TERM && next->roles == ROLE(TERM_START));
        if (next->gap <= 1 && word && a->mult == 1) return 0;
    }
    return 1;
}

/* Whether token t ends a sentence (the normaliser writes the Arabic "؟"
 * as "?"). */
static int ends_sentence(const tok *t)
{
    return t->kind == T_PUNCT && (t->cp == '.' || t->cp == '!' || t->cp == '?');
}

/* How many words either side of an amount a not_prices word may stand. */
enum { NOT_PRICE_REACH = 6 };

/* Whether a not_prices word stands within NOT_PRICE_REACH tokens of the
 * amount, in its sentence: "seized £48,000 in cash", "60 000 euros en
 * liquide ont été saisis", "justificatif de ressources de 615 €", "salario
 * 2.200 € al mes" are amounts, not prices. */
static int named_no_price(const tok *tk, size_t n, const quantity *a)
{
    for (size_t k = a->first, steps = 0; k > 0 && steps < NOT_PRICE_REACH && tk[k].gap < 2; steps++) {
        k--;
        if (ends_sentence(&tk[k])) break;
        if (has_role(&tk[k], TERM_NOT_PRICE)) return 1;
    }
    for (size_t k = a->last + 1, steps = 0; k < n && steps < NOT_PRICE_REACH && tk[k].gap < 2; k++, steps++) {
        if (ends_sentence(&tk[k])) break;
        if (has_role(&tk[k], TERM_NOT_PRICE)) return 1;
    }
    return 0;
}

/* Whether the text can hold a price at all: a digit (ASCII, Arabic-Indic
 * U+0660-0669, Persian U+06F0-06F9), or, when the data has number words
 * ("ألفين", "mil"), any text: with hundreds of them, tokenising (one trie
 * walk per word) costs less than looking for each word in the text. */
static int may_hold_price(const price_data *p, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= '0' && c <= '9') return 1;
        if (i + 1 < len) {
            unsigned char d = (unsigned char)s[i + 1];
            if ((c == 0xD9 && d >= 0xA0 && d <= 0xA9) || (c == 0xDB && d >= 0xB0 && d <= 0xB9))
                return 1;
        }
    }
    return p->number_word_count > 0;
}

/* Appends to out every price in the text, in text order, with spans in the
 * original bytes. country_context (NULL or "" for none) resolves currency
 * words such as "dinar". Allocates only its own scratch, freed on return;
 * out grows with VEC_PUSH and belongs to the caller. */
void price_find(const price_data *p, const extract_input *in, const char *country_context,
                price_list *out)
{
    if (!p || !in || !in->text || in->len == 0 || p->term_count == 0) return;
    if (!may_hold_price(p, in->text, in->len)) return;
    const char *cc = country_context ? country_context : "";
    size_t first_out = out->count;
    tok_list tl = {0};
    tokenise(p, in, &tl);
    tok *tk = tl.items;
    size_t n = tl.count;
    const char *last_code = NULL; /* the last price's currency, when it was written with one */
    double last_value = 0;
    for (size_t i = 0; i < n;) {
        quantity a;
        if (!parse_amount(p, tk, n, i, &a)) {
            i++;
            continue;
        }
        size_t next;
        if (try_range(p, in, tk, n, &a, cc, out, &next)) {
            i = next;
            continue;
        }
        double factor = 1;
        const char *code = amount_currency(p, tk, n, &a, cc, &factor);
        /* a bare amount takes the currency of the price before it; one with
         * a currency word that names none here ("50 libras" of luggage) is
         * not bare */
        int bare = a.left < 0 && a.left2 < 0 && a.right < 0 && a.implied < 0;
        if (code && named_no_price(tk, n, &a)) {
            code = NULL; /* seized cash, a fine, a salary: no price, nor a currency to pass on */
        } else if (code && factor == 1 && !bare) {
            last_code = code;
            last_value = a.value;
        } else if (!code && bare && last_code && inherits_currency(tk, n, &a, last_value)) {
            code = last_code;
        }
        if (code && !restates(tk, &a, tidy(a.value * factor), code, out, first_out))
            emit(in, tk, a.first, a.last, a.value * factor, 0, 0, code, out);
        mark_used(tk, &a);
        i = (code ? a.last : a.after) + 1;
    }
    free(tl.items);
}

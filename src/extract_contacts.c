/* extract_contacts.c: phone numbers, @handles and links in a text.
 *
 * Contacts are found in the ORIGINAL text, not the normalised one: a handle
 * or a link must be reported exactly as written ("@Ali_Boats", not
 * "@ali_boats"), and the de-obfuscation that helps keyword matching would
 * only damage them. Spans are therefore original byte offsets directly.
 *
 * Three token shapes are matched with PCRE2 patterns compiled (with JIT) once
 * in contact_data_load:
 *
 *   links    "https://..." and "www...." anywhere, and bare links to the
 *            hosts listed in the `contact_sites:` file ("t.me/boats_ly",
 *            "wa.me/218910001234", "m.facebook.com/x"). Trailing
 *            punctuation is trimmed ("t.me/x." -> "t.me/x"), as is a closing
 *            bracket with no opening one inside the link.
 *   handles  "@name" with 3 to 32 of [A-Za-z0-9_.], starting with a letter or
 *            "_" ("@2000€" is a price, not a handle), not preceded by a
 *            letter, digit, "." or "@" (so "ali@mail.com" gives none) and
 *            not inside a link.
 *   phones   numbers written with an international prefix: "+" or "00",
 *            then digits in groups separated by spaces, dots, dashes or
 *            brackets, ASCII or Eastern Arabic / Persian digits:
 *                "+218 91-000-1234"   "(+218) 91 000 1234"
 *                "00218910001234"     "+٢١٨٩١٠٠٠١٢٣٤"
 *            and the number inside a WhatsApp link ("wa.me/218910001234",
 *            "api.whatsapp.com/send?phone=218910001234").
 *
 * A phone match is then read group by group. Its country is that of the
 * longest entry of the `calling_codes:` file that begins the digits, so
 * "+1 242 ..." is BS while "+1 212 ..." is US, and "+7 701 ..." is KZ; its
 * calling code proper is the shortest such entry ("1", "7": ITU codes are
 * prefix-free), which is what the rules below count from. Then:
 *   - "(0)" after the code is dropped ("+44 (0)20 ..." -> "+4420...");
 *   - a 0 right after the code is a trunk prefix and dropped
 *     ("+218 091 000 1234" -> "+218910001234"), except for codes marked
 *     leading_zero (Italy: "+39 06 ..." keeps its 0);
 *   - the number ends at a group boundary: the longest run of groups that
 *     gives at most 15 digits in all (the E.164 limit) and, when the code's
 *     data lists the national lengths, one of those lengths. So
 *     "+218 91 000 1234 24/7" stops before "24", and "+218910001234 1500"
 *     stops before "1500";
 *   - a last group followed by a currency sign or glued to letters is not
 *     part of the number ("+39 333 1234567 50€");
 *   - a number whose code is unknown, or whose national part is shorter
 *     than 6 digits (or than the code's shortest listed length), is not a
 *     phone. That, with the required prefix, keeps prices, dates and years
 *     out.
 * The value is E.164 ("+218910001234") and the country the code's ISO code
 * ("" for satellite and other non-geographic codes).
 *
 * Numbers written without an international prefix ("0912345678") are NOT
 * reported: the value of a phone is E.164, and the country cannot be told
 * reliably (the country a text names is mostly the destination, not the
 * number's). Investigators can still find them in the text.
 *
 * Each (kind, value) pair is reported once, at its first position; contacts
 * are appended in the order of their start in the text.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <pcre2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

#include "diag.h"
#include "extract.h"
#include "util.h"

/* Longest calling-code prefix accepted in the data ("3906698", Vatican). */
#define CODE_MAX_DIGITS 7
/* E.164: at most 15 digits after "+". */
#define E164_MAX_DIGITS 15
/* Shortest national number accepted when the code lists no lengths. */
#define NATIONAL_MIN_DIGITS 6
#define MAX_LENGTHS 8
/* Most digit groups read in one phone match. */
#define MAX_GROUPS 24

typedef struct calling_code {
    char          digits[CODE_MAX_DIGITS + 1];
    char          country[3];
    unsigned char lengths[MAX_LENGTHS];   /* national number lengths, if fixed */
    size_t        length_count;
    int           leading_zero;           /* national numbers begin with 0 */
    const char   *file;                   /* where it is written (while loading) */
    int           line, col;
} calling_code;

struct contact_data {
    calling_code *codes;                   /* sorted by digits */
    size_t        code_count, code_cap;
    pcre2_code   *phone_re, *whatsapp_re, *handle_re, *link_re;
};

/* ---- loading ------------------------------------------------------------ */

static int cmp_code(const void *a, const void *b)
{
    return strcmp(((const calling_code *)a)->digits, ((const calling_code *)b)->digits);
}

static int is_iso_country(const char *s)
{
    return s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' && s[2] == '\0';
}

/* Reads the value of one calling code (a country, or a mapping). Returns 0,
 * or -1 after adding an error. */
static int read_code_value(const char *file, const ynode *v, calling_code *cc, ofs_diags *d)
{
    const ynode *country = v;
    if (v->kind == YNODE_MAP) {
        country = NULL;
        for (size_t i = 0; i < v->count; i++) {
            const char *key = v->keys[i]->value;
            const ynode *item = v->items[i];
            if (strcmp(key, "country") == 0) {
                country = item;
            } else if (strcmp(key, "lengths") == 0) {
                if (item->kind != YNODE_SEQ || item->count == 0 || item->count > MAX_LENGTHS) {
                    diag_add(d, OFS_ERROR, file, item->line, item->col,
                             "'lengths' must be a list of 1 to %d numbers of digits", MAX_LENGTHS);
                    return -1;
                }
                for (size_t j = 0; j < item->count; j++) {
                    double n;
                    if (ynode_number(item->items[j], &n) != 0 || n < 1 || n > 14 || n != (int)n) {
                        diag_add(d, OFS_ERROR, file, item->items[j]->line, item->items[j]->col,
                                 "a national number length must be a whole number from 1 to 14");
                        return -1;
                    }
                    cc->lengths[cc->length_count++] = (unsigned char)n;
                }
            } else if (strcmp(key, "leading_zero") == 0) {
                if (item->kind != YNODE_SCALAR ||
                    (strcmp(item->value, "true") != 0 && strcmp(item->value, "false") != 0)) {
                    diag_add(d, OFS_ERROR, file, item->line, item->col,
                             "'leading_zero' must be true or false");
                    return -1;
                }
                cc->leading_zero = strcmp(item->value, "true") == 0;
            } else {
                diag_add(d, OFS_ERROR, file, v->keys[i]->line, v->keys[i]->col,
                         "unknown key '%s' (expected country, lengths, leading_zero)", key);
                return -1;
            }
        }
        if (!country) {
            diag_add(d, OFS_ERROR, file, v->line, v->col, "this calling code has no 'country'");
            return -1;
        }
    }
    if (country->kind != YNODE_SCALAR ||
        (country->value[0] != '\0' && !is_iso_country(country->value))) {
        diag_add(d, OFS_ERROR, file, country->line, country->col,
                 "a country must be an ISO 3166-1 code in capitals (LY, IT) or \"\"");
        return -1;
    }
    memcpy(cc->country, country->value, strlen(country->value) + 1);
    return 0;
}

/* Adds the codes of one `calling_codes:` mapping. Returns the number of
 * errors added. */
static int load_codes(contact_data *c, const char *file, const ynode *map, ofs_diags *d)
{
    if (map->kind != YNODE_MAP) {
        diag_add(d, OFS_ERROR, file, map->line, map->col,
                 "'calling_codes' must be a mapping of codes to countries, not %s",
                 ynode_kind_name(map));
        return 1;
    }
    int errors = 0;
    for (size_t i = 0; i < map->count; i++) {
        const ynode *key = map->keys[i];
        const char *k = key->value;
        size_t n = strlen(k);
        int ok = n >= 1 && n <= CODE_MAX_DIGITS && k[0] != '0';
        for (size_t j = 0; ok && j < n; j++) ok = k[j] >= '0' && k[j] <= '9';
        if (!ok) {
            diag_add(d, OFS_ERROR, file, key->line, key->col,
                     "'%s' is not a calling code (1 to %d digits, not starting with 0)", k,
                     CODE_MAX_DIGITS);
            errors++;
            continue;
        }
        calling_code cc;
        memset(&cc, 0, sizeof cc);
        memcpy(cc.digits, k, n + 1);
        cc.file = file;
        cc.line = key->line;
        cc.col = key->col;
        if (read_code_value(file, map->items[i], &cc, d) != 0) {
            errors++;
            continue;
        }
        VEC_PUSH(c->codes, c->code_count, c->code_cap, cc);
    }
    return errors;
}

static pcre2_code *compile_re(const char *pattern, uint32_t extra, const char *file, ofs_diags *d)
{
    int err;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF | extra, &err,
                                   &off, NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        diag_add(d, OFS_ERROR, file, 0, 0, "contact pattern does not compile at offset %zu: %s",
                 (size_t)off, (const char *)msg);
        return NULL;
    }
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
    return re;
}

/* Digits as people write them: ASCII, Arabic-Indic, Extended Arabic-Indic
 * (Persian, Urdu) and fullwidth. digit_value below must agree. */
#define DIGIT "[0-9\\x{0660}-\\x{0669}\\x{06F0}-\\x{06F9}\\x{FF10}-\\x{FF19}]"
/* What may separate digit groups: blanks, dots, dashes, brackets, and the
 * invisible direction marks that Arabic keyboards insert around numbers. */
#define PHONE_SEP "[\\h.\\-()\\x{200E}\\x{200F}\\x{202A}-\\x{202E}\\x{2066}-\\x{2069}]"
/* Characters of a URL (RFC 3986), ASCII only so that a link glued to the
 * next word of Arabic text ends where the Latin script does. */
#define URL_CHAR "[A-Za-z0-9\\-._~:/?#\\[\\]@!$&'()*+,;=%]"

/* At most PHONE_MAX_DIGITS digits are read: enough to see past the end of
 * any E.164 number, and a bound on the work for a long run of digits. */
#define PHONE_MAX_DIGITS "40"
static const char phone_pattern[] =
    "(?<![\\d+\\x{FF0B}])(?:[+\\x{FF0B}]|[0\\x{0660}\\x{06F0}]{2})(?:" PHONE_SEP "{0,3}" DIGIT
    "){7," PHONE_MAX_DIGITS "}";
static const char whatsapp_pattern[] =
    "(?:wa\\.me/|whatsapp\\.com/send/?\\?phone=|whatsapp://send/?\\?phone=)(?:\\+|%2b)?(" DIGIT
    "{7,15})(?!" DIGIT ")";
static const char handle_pattern[] = "(?<![A-Za-z0-9_.@/\\\\-])@([A-Za-z0-9_.]+)";

/* Builds the link pattern from the bare hosts of `contact_sites:`. */
static char *link_pattern(const char *const *hosts, size_t count)
{
    strbuf sb = {0};
    strbuf_puts(&sb, "(?<![A-Za-z0-9@._/\\-])(?:https?://" URL_CHAR "+|www\\." URL_CHAR "+");
    if (count) {
        strbuf_puts(&sb, "|(?:[a-z0-9\\-]+\\.)*(?:");
        for (size_t i = 0; i < count; i++) {
            if (i) strbuf_putc(&sb, '|');
            for (const char *p = hosts[i]; *p; p++) {
                if (*p == '.' || *p == '-') strbuf_putc(&sb, '\\');
                strbuf_putc(&sb, *p);
            }
        }
        strbuf_puts(&sb, ")/" URL_CHAR "+");
    }
    strbuf_putc(&sb, ')');
    return sb.buf;
}

/* Collects the hosts of one `contact_sites:` list. Returns the number of
 * errors added. */
static int load_sites(const char *file, const ynode *list, char ***hosts, size_t *count,
                      size_t *cap, ofs_diags *d)
{
    if (list->kind != YNODE_SEQ) {
        diag_add(d, OFS_ERROR, file, list->line, list->col,
                 "'contact_sites' must be a list of host names, not %s", ynode_kind_name(list));
        return 1;
    }
    int errors = 0;
    for (size_t i = 0; i < list->count; i++) {
        const ynode *h = list->items[i];
        int ok = h->kind == YNODE_SCALAR && strchr(h->value ? h->value : "", '.') != NULL;
        for (const char *p = ok ? h->value : ""; ok && *p; p++)
            ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '-';
        if (!ok) {
            diag_add(d, OFS_ERROR, file, h->line, h->col,
                     "a contact site must be a host name in lower case, like t.me");
            errors++;
            continue;
        }
        char *copy = xstrdup(h->value);
        VEC_PUSH(*hosts, *count, *cap, copy);
    }
    return errors;
}

/* Returns the compiled contact data, or NULL after adding errors to d. A
 * rule set with no `calling_codes:` file gets a warning, and its phones are
 * then reported without a country. Free with contact_data_free. */
contact_data *contact_data_load(const ofs_bundle *b, ofs_diags *d)
{
    contact_data *c = xcalloc(1, sizeof *c);
    char **hosts = NULL;
    size_t host_count = 0, host_cap = 0;
    int errors = 0, have_codes = 0;
    const char *code_file = "<calling_codes>", *site_file = "<contact_sites>";
    for (size_t i = 0; b && i < b->count; i++) {
        const ydoc *doc = b->docs[i];
        const ynode *codes = ynode_get(doc->root, "calling_codes");
        const ynode *sites = ynode_get(doc->root, "contact_sites");
        if (codes) {
            errors += load_codes(c, doc->file, codes, d);
            have_codes = 1;
            code_file = doc->file;
        }
        if (sites) {
            errors += load_sites(doc->file, sites, &hosts, &host_count, &host_cap, d);
            site_file = doc->file;
        }
    }
    if (!have_codes)
        diag_add(d, OFS_WARNING, code_file, 0, 0,
                 "no `calling_codes:` file in the rule set: phone numbers get no country");
    if (c->code_count) qsort(c->codes, c->code_count, sizeof *c->codes, cmp_code);
    for (size_t i = 1; i < c->code_count; i++) { /* across files: yamldoc checks inside one */
        const calling_code *a = &c->codes[i - 1], *b2 = &c->codes[i];
        if (strcmp(a->digits, b2->digits) == 0) {
            diag_add(d, OFS_ERROR, b2->file, b2->line, b2->col,
                     "calling code %s is also listed in %s:%d", b2->digits, a->file, a->line);
            errors++;
        }
    }
    char *links = link_pattern((const char *const *)hosts, host_count);
    c->phone_re = compile_re(phone_pattern, 0, code_file, d);
    c->whatsapp_re = compile_re(whatsapp_pattern, PCRE2_CASELESS, code_file, d);
    c->handle_re = compile_re(handle_pattern, 0, site_file, d);
    c->link_re = compile_re(links, PCRE2_CASELESS, site_file, d);
    free(links);
    for (size_t i = 0; i < host_count; i++) free(hosts[i]);
    free(hosts);
    if (errors || !c->phone_re || !c->whatsapp_re || !c->handle_re || !c->link_re) {
        contact_data_free(c);
        return NULL;
    }
    return c;
}

/* Frees everything; NULL is fine. */
void contact_data_free(contact_data *c)
{
    if (!c) return;
    pcre2_code_free(c->phone_re);
    pcre2_code_free(c->whatsapp_re);
    pcre2_code_free(c->handle_re);
    pcre2_code_free(c->link_re);
    free(c->codes);
    free(c);
}

/* ---- finding ------------------------------------------------------------ */

/* Decodes the character at s[i] (of len bytes). Returns its byte length
 * (1 for an invalid byte, with *cp = -1). */
static size_t char_at(const char *s, size_t len, size_t i, utf8proc_int32_t *cp)
{
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                          (utf8proc_ssize_t)(len - i), cp);
    if (n <= 0) {
        *cp = -1;
        return 1;
    }
    return (size_t)n;
}

/* The value of a digit matched by DIGIT, or -1. */
static int digit_value(utf8proc_int32_t cp)
{
    if (cp >= '0' && cp <= '9') return cp - '0';
    if (cp >= 0x0660 && cp <= 0x0669) return cp - 0x0660;
    if (cp >= 0x06F0 && cp <= 0x06F9) return cp - 0x06F0;
    if (cp >= 0xFF10 && cp <= 0xFF19) return cp - 0xFF10;
    return -1;
}

/* What the calling-code data says about a number. */
typedef struct code_match {
    const calling_code *code;     /* the ITU calling code: the shortest entry */
    const calling_code *country;  /* the longest entry: "1416" CA within "1" */
    const unsigned char *lengths; /* national lengths, from the longest entry that has them */
    size_t               length_count;
    int                  leading_zero;
} code_match;

/* Looks up the entries that begin digits[0..n). ITU calling codes are
 * prefix-free, so the shortest entry is the calling code itself and any
 * longer one ("1416", "77", "441534") a part of its numbering plan that
 * belongs to another country. Returns 1 and fills m, or 0 when no code
 * begins the digits. */
static int find_code(const contact_data *c, const char *digits, size_t n, code_match *m)
{
    memset(m, 0, sizeof *m);
    calling_code probe;
    for (size_t len = 1; len <= n && len <= CODE_MAX_DIGITS; len++) {
        memcpy(probe.digits, digits, len);
        probe.digits[len] = '\0';
        const calling_code *hit = bsearch(&probe, c->codes, c->code_count, sizeof *c->codes, cmp_code);
        if (!hit) continue;
        if (!m->code) m->code = hit;
        m->country = hit;
        m->leading_zero |= hit->leading_zero;
        if (hit->length_count) {
            m->lengths = hit->lengths;
            m->length_count = hit->length_count;
        }
    }
    return m->code != NULL;
}

typedef struct candidate {
    ofs_contact contact;
    size_t      order;     /* position in discovery, for a stable sort */
} candidate;

typedef struct candidate_list { candidate *items; size_t count, cap; } candidate_list;

static void add_candidate(candidate_list *l, ofs_contact_kind kind, char *value,
                          const char *country, size_t start, size_t end)
{
    candidate cand;
    memset(&cand, 0, sizeof cand);
    cand.contact.kind = kind;
    cand.contact.value = value;
    if (country) memcpy(cand.contact.country, country, strlen(country) + 1);
    cand.contact.span.start = start;
    cand.contact.span.end = end;
    cand.order = l->count;
    VEC_PUSH(l->items, l->count, l->cap, cand);
}

/* 1 when [start, end) overlaps one of spans, which are in text order and
 * do not overlap each other (links found left to right). */
static int overlaps(const ofs_span *spans, size_t count, size_t start, size_t end)
{
    size_t lo = 0, hi = count; /* first span that ends after start */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (spans[mid].end <= start) lo = mid + 1;
        else hi = mid;
    }
    return lo < count && spans[lo].start < end;
}

/* One group of digits inside a phone match. */
typedef struct digit_group {
    size_t first, count;      /* its digits in the digit buffer */
    size_t end;               /* byte offset after its last digit */
    int    bracketed_zero;    /* "(0)": a trunk prefix to drop */
} digit_group;

/* 1 when the text right after byte end (a blank at most between) is a
 * currency sign or a percent sign, or a letter glued to the digits: the
 * digits before are an amount, not the end of a phone number. */
static int amount_follows(const char *s, size_t len, size_t end)
{
    utf8proc_int32_t cp;
    if (end >= len) return 0;
    size_t n = char_at(s, len, end, &cp);
    if (cp < 0) return 0;
    utf8proc_category_t cat = utf8proc_category(cp);
    if (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) return 1;
    if (cp == ' ' || cp == 0xA0 || cp == 0x202F) {
        if (end + n >= len) return 0;
        char_at(s, len, end + n, &cp);
        if (cp < 0) return 0;
        cat = utf8proc_category(cp);
    }
    return cat == UTF8PROC_CATEGORY_SC || cp == '%';
}

static int length_listed(const code_match *m, size_t n)
{
    for (size_t i = 0; i < m->length_count; i++)
        if (m->lengths[i] == n) return 1;
    return 0;
}

/* Reads the phone number matched at s[start..end) and adds it to l when it
 * is one. *resume gets where to search again: after the number reported, or
 * after the first digit group when there is none. */
static void read_phone(const contact_data *c, const char *s, size_t len, size_t start, size_t end,
                       candidate_list *l, size_t *resume)
{
    char digits[MAX_GROUPS * 16];
    size_t ndigits = 0, ngroups = 0;
    digit_group groups[MAX_GROUPS];
    size_t i = start;
    utf8proc_int32_t cp;
    /* The prefix: "+" or "00" (in any script). */
    i += char_at(s, len, i, &cp);
    if (cp != '+' && cp != 0xFF0B) i += char_at(s, len, i, &cp);
    int open_bracket = 0;
    while (i < end && ngroups < MAX_GROUPS) {
        size_t n = char_at(s, len, i, &cp);
        int v = digit_value(cp);
        if (v < 0) {
            if (cp == '(') open_bracket = 1;
            i += n;
            continue;
        }
        digit_group g = {ndigits, 0, 0, 0};
        while (i < end && v >= 0 && ndigits < sizeof digits - 1) {
            digits[ndigits++] = (char)('0' + v);
            g.count++;
            i += n;
            if (i < end) {
                n = char_at(s, len, i, &cp);
                v = digit_value(cp);
            } else {
                v = -1;
            }
        }
        g.end = i;
        g.bracketed_zero = open_bracket && g.count == 1 && digits[g.first] == '0' && i < end &&
                           s[i] == ')' && ngroups > 0;
        open_bracket = 0;
        groups[ngroups++] = g;
    }
    *resume = ngroups ? groups[0].end : end;
    if (ngroups == 0) return;

    /* The digits that count: all but a bracketed "(0)". */
    char number[sizeof digits];
    size_t nnumber = 0, upto[MAX_GROUPS];
    for (size_t g = 0; g < ngroups; g++) {
        if (!groups[g].bracketed_zero) {
            memcpy(number + nnumber, digits + groups[g].first, groups[g].count);
            nnumber += groups[g].count;
        }
        upto[g] = nnumber;
    }
    code_match cm;
    size_t code_len;
    if (c->code_count) {
        if (!find_code(c, number, nnumber, &cm)) return;
        code_len = strlen(cm.code->digits);
    } else {
        memset(&cm, 0, sizeof cm);
        code_len = number[0] == '1' || number[0] == '7' ? 1 : 2; /* a guess; no country */
    }
    size_t trunk = nnumber > code_len && number[code_len] == '0' && !cm.leading_zero;

    size_t last = ngroups;
    if (ngroups > 1 && amount_follows(s, len, groups[ngroups - 1].end)) last = ngroups - 1;
    size_t min_national = NATIONAL_MIN_DIGITS;
    for (size_t k = 0; k < cm.length_count; k++)
        if (cm.lengths[k] < min_national) min_national = cm.lengths[k];
    size_t best = 0, best_listed = 0;
    for (size_t g = 0; g < last; g++) {
        if (upto[g] < code_len + trunk) continue;
        size_t national = upto[g] - code_len - trunk;
        if (upto[g] - trunk > E164_MAX_DIGITS) break;
        if (national < min_national) continue;
        best = g + 1;
        if (length_listed(&cm, national)) best_listed = g + 1;
    }
    if (best_listed) best = best_listed;
    if (!best) return;

    size_t total = upto[best - 1];
    strbuf value = {0};
    strbuf_putc(&value, '+');
    strbuf_append(&value, number, code_len);
    strbuf_append(&value, number + code_len + trunk, total - code_len - trunk);
    add_candidate(l, OFS_CONTACT_PHONE, value.buf, cm.country ? cm.country->country : "", start,
                  groups[best - 1].end);
    *resume = groups[best - 1].end;
}

static int is_trailing_punct(char ch)
{
    return ch == '.' || ch == ',' || ch == ';' || ch == ':' || ch == '!' || ch == '?' ||
           ch == '\'' || ch == '"' || ch == '*';
}

/* Trims trailing punctuation and unbalanced closing brackets off a link;
 * returns its new length. */
static size_t trim_link(const char *s, size_t n)
{
    long round = 0, square = 0; /* closing minus opening brackets */
    for (size_t i = 0; i < n; i++) {
        round += (s[i] == ')') - (s[i] == '(');
        square += (s[i] == ']') - (s[i] == '[');
    }
    while (n > 0) {
        char last = s[n - 1];
        if (is_trailing_punct(last)) {
            n--;
        } else if (last == ')' && round > 0) {
            round--;
            n--;
        } else if (last == ']' && square > 0) {
            square--;
            n--;
        } else {
            break;
        }
    }
    return n;
}

/* 1 when the link s[0..n) has something after its scheme or bare host:
 * a host after "https://" or "www.", a path after "t.me/". */
static int link_has_body(const char *s, size_t n)
{
    if (n > 4 && strncasecmp(s, "http", 4) == 0) {
        const char *colon = memchr(s, ':', n);
        return colon && (size_t)(colon - s) + 3 < n;
    }
    if (n > 4 && strncasecmp(s, "www.", 4) == 0) return memchr(s + 4, '.', n - 4) != NULL;
    const char *slash = memchr(s, '/', n);
    return slash && (size_t)(slash - s) + 1 < n;
}

/* Frees a value string (ofs_contact holds it as const char *). */
static void free_value(const char *s)
{
    free((void *)(uintptr_t)s);
}

/* Orders by kind, value, then text position: repeats follow the first. */
static int cmp_by_value(const void *a, const void *b)
{
    const candidate *x = a, *y = b;
    if (x->contact.kind != y->contact.kind) return x->contact.kind < y->contact.kind ? -1 : 1;
    int c = strcmp(x->contact.value, y->contact.value);
    if (c) return c;
    if (x->contact.span.start != y->contact.span.start)
        return x->contact.span.start < y->contact.span.start ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static int cmp_candidate(const void *a, const void *b)
{
    const candidate *x = a, *y = b;
    if (x->contact.span.start != y->contact.span.start)
        return x->contact.span.start < y->contact.span.start ? -1 : 1;
    if (x->contact.kind != y->contact.kind) return x->contact.kind < y->contact.kind ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Appends to out every phone, handle and link in in->orig, each (kind, value)
 * once, in text order. The values are malloc'd and owned by out (freed by
 * contact_list_reset). Nothing is appended for an empty text; allocation
 * failure aborts (util.h). */
/* Whether s[0..len) has "www." in any case (the bare www link). */
static int has_www(const char *s, size_t len)
{
    for (const char *p = s, *end = s + len; (p = memchr(p, '.', (size_t)(end - p))) != NULL; p++)
        if (p - s >= 3 && (p[-1] | 0x20) == 'w' && (p[-2] | 0x20) == 'w' && (p[-3] | 0x20) == 'w') return 1;
    return 0;
}

/* The length of the zero digit at s[i] ("0", "٠" or "۰"), or 0. */
static size_t zero_at(const char *s, size_t len, size_t i)
{
    unsigned char b = (unsigned char)s[i];
    if (b == '0') return 1;
    if (i + 1 < len && ((b == 0xD9 && (unsigned char)s[i + 1] == 0xA0) || (b == 0xDB && (unsigned char)s[i + 1] == 0xB0)))
        return 2;
    return 0;
}

/* Whether phone_pattern can match in s[0..len): it needs a "+", a
 * full-width plus (U+FF0B) or two zero digits in a row. */
static int may_have_phone(const char *s, size_t len)
{
    if (memchr(s, '+', len)) return 1;
    for (size_t i = 0; i < len; i++) {
        unsigned char b = (unsigned char)s[i];
        if (b == 0xEF && i + 2 < len && (unsigned char)s[i + 1] == 0xBC && (unsigned char)s[i + 2] == 0x8B) return 1;
        size_t z = zero_at(s, len, i);
        if (z && i + z < len && zero_at(s, len, i + z)) return 1;
    }
    return 0;
}

void contact_find(const contact_data *c, const extract_input *in, contact_list *out)
{
    if (!c || !in->orig || in->orig_len == 0) return;
    const char *s = in->orig;
    size_t len = in->orig_len;
    /* Cheap tests first: most records have no contact at all. Links and
     * WhatsApp links need a "/" (or "www." for a bare www link), phones a
     * "+" or two zeros in a row, handles an "@". */
    int maybe_link = memchr(s, '/', len) != NULL || has_www(s, len);
    int maybe_phone = may_have_phone(s, len);
    int maybe_handle = memchr(s, '@', len) != NULL;
    if (!maybe_link && !maybe_phone && !maybe_handle) return;
    candidate_list found = {0};
    ofs_span *links = NULL;
    size_t link_count = 0, link_cap = 0;
    pcre2_match_data *md = pcre2_match_data_create(4, NULL);

    /* Links first: phones and handles inside a link are part of it. */
    for (size_t at = 0; maybe_link && at < len;) {
        if (pcre2_match(c->link_re, (PCRE2_SPTR)s, len, at, 0, md, NULL) < 0) break;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        size_t ms = ov[0], me = ov[1];
        at = me > ms ? me : ms + 1;
        size_t n = trim_link(s + ms, me - ms);
        if (!link_has_body(s + ms, n)) continue; /* "t.me/", "https://", "www." alone */
        ofs_span sp = {ms, ms + n};
        VEC_PUSH(links, link_count, link_cap, sp);
        add_candidate(&found, OFS_CONTACT_LINK, xstrndup(s + ms, n), "", ms, ms + n);
    }

    /* Phones in WhatsApp links. */
    for (size_t at = 0; maybe_link && at < len;) {
        if (pcre2_match(c->whatsapp_re, (PCRE2_SPTR)s, len, at, 0, md, NULL) < 0) break;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        size_t ds = ov[2], de = ov[3];
        at = ov[1];
        char number[64];
        size_t nn = 0;
        utf8proc_int32_t cp;
        for (size_t i = ds; i < de && nn < sizeof number - 1;) {
            i += char_at(s, len, i, &cp);
            int v = digit_value(cp);
            if (v >= 0) number[nn++] = (char)('0' + v);
        }
        number[nn] = '\0';
        code_match cm;
        memset(&cm, 0, sizeof cm);
        if (c->code_count && !find_code(c, number, nn, &cm)) continue;
        add_candidate(&found, OFS_CONTACT_PHONE, xasprintf("+%s", number),
                      cm.country ? cm.country->country : "", ds, de);
    }

    /* Phones written with "+" or "00". */
    for (size_t at = 0; maybe_phone && at < len;) {
        if (pcre2_match(c->phone_re, (PCRE2_SPTR)s, len, at, 0, md, NULL) < 0) break;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        size_t ms = ov[0], me = ov[1], resume = me;
        if (overlaps(links, link_count, ms, me)) {
            at = me;
            continue;
        }
        read_phone(c, s, len, ms, me, &found, &resume);
        at = resume > ms ? resume : ms + 1;
    }

    /* Handles. */
    for (size_t at = 0; maybe_handle && at < len;) {
        if (pcre2_match(c->handle_re, (PCRE2_SPTR)s, len, at, 0, md, NULL) < 0) break;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        size_t ms = ov[0], me = ov[1];
        at = me;
        while (me > ms + 1 && s[me - 1] == '.') me--;
        size_t name = me - ms - 1;
        char first = s[ms + 1];
        int starts_ok = (first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') ||
                        first == '_';
        if (name < 3 || name > 32 || !starts_ok) continue;
        if (ov[1] < len && s[ov[1]] == '@') continue; /* "@a@b": an address of some kind */
        if (overlaps(links, link_count, ms, me)) continue;
        add_candidate(&found, OFS_CONTACT_HANDLE, xstrndup(s + ms, me - ms), "", ms, me);
    }
    pcre2_match_data_free(md);
    free(links);

    /* Each (kind, value) once, at its first position; then text order. */
    if (found.count) {
        qsort(found.items, found.count, sizeof *found.items, cmp_by_value);
        for (size_t i = 1; i < found.count; i++) {
            const ofs_contact *prev = &found.items[i - 1].contact;
            ofs_contact *ct = &found.items[i].contact;
            if (prev->kind == ct->kind && strcmp(prev->value, ct->value) == 0) ct->span.end = SIZE_MAX;
        }
        qsort(found.items, found.count, sizeof *found.items, cmp_candidate);
    }
    for (size_t i = 0; i < found.count; i++) {
        ofs_contact *ct = &found.items[i].contact;
        if (ct->span.end == SIZE_MAX) free_value(ct->value); /* a repeat */
        else VEC_PUSH(out->items, out->count, out->cap, *ct);
    }
    free(found.items);
}

/* Frees the values and empties the list, keeping its storage. */
void contact_list_reset(contact_list *l)
{
    for (size_t i = 0; i < l->count; i++) free_value(l->items[i].value);
    l->count = 0;
}

/* Frees the values and the storage; the list is then empty and reusable. */
void contact_list_free(contact_list *l)
{
    contact_list_reset(l);
    free(l->items);
    l->items = NULL;
    l->cap = 0;
}

/* extract_documents.c: the travel and identity documents a text names
 * (passport, id_card, visa, residence_permit, driving_licence), with the
 * issuing country when the text states it next to the name.
 *
 * The names come from the `document_types:` file, per type and language
 * ("passport", "passeport", "جواز سفر", "pasaport*", "پاسپورت"...). Each
 * term is normalised exactly like the text (norm_run with NORM_DEOBFUSCATE:
 * case, accents, Arabic letter forms, leetspeak, doubled letters), so the
 * term "passport" and the text "P@SSPORT" meet as "pasport". All terms are
 * then compiled into ONE PCRE2 pattern (JIT): a trie of the terms, so that
 * terms with the same beginning are tried together, each ending in an empty
 * capture group that names it:
 *
 *     (?:(?<![\p{L}\p{M}\p{N}])(?:p+a+s+(?:p+o+r+t+(?:s+()|())|a+p+o+r+t+...)
 *         |t+i+t+r+e+[\s\-_]*d+e+[\s\-_]*s+e+j+o+u+r+()|...)
 *       |ج+و+ا+ز+(?:[\s\-_]*س+ف+ر+()|[\p{L}\p{M}]*())|...)(?![\p{L}\p{M}\p{N}])
 *
 * Every letter may repeat ("l+") and a space may be a hyphen or nothing
 * ("id card", "id-card", "idcard"), so a term matches whether or not the
 * normaliser collapsed the doubled letters or joined the pieces of a word.
 * Trying 250 terms one after the other at every byte took over a second
 * per megabyte; the trie scans a megabyte in about 20 ms.
 *
 * Longer terms come first (a node's children in the order of their longest
 * term, a term that ends at a node after them), so at one position "carte
 * de séjour" wins over a shorter term inside it. Terms match whole words
 * only ("visa" is not in "visage"). A "*" in the data lets a word go on
 * ("pasaport*": pasaportu) or take letters before it ("*جواز": بجواز,
 * والجواز); for the latter the pattern has no word-start test and the match
 * is extended back to the start of the word afterwards. A term listed under
 * `exclude:` ("visa card") is matched the same way and skipped, so the
 * document term inside it is not reported.
 *
 * The issuing country is looked for in the words right next to the term,
 * separated from it by blanks only (a comma or a full stop ends the search):
 * one to three words before or after, longest first, each asked of
 * gazetteer_lookup_country ("italian", "francais", "ليبي", "united
 * kingdom"), or a flag emoji (🇮🇹). Languages listed in `adjective_before:`
 * look before the term first ("Italian passport", "İtalyan pasaportu"), the
 * others after it first ("passeport français", "جواز سفر ليبي", "پاسپورت
 * ایتالیایی"). An Arabic adjective with the article is tried without it too
 * ("الليبي" -> "ليبي"). "Schengen visa" names no country: "".
 *
 * Each (type, country) is reported once, at its first mention, and a type
 * with no country is dropped when the same type is also named with one
 * ("passport ... Italian passport" gives one passport, IT). Spans are mapped
 * back to the original text with norm_to_orig.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "diag.h"
#include "extract.h"
#include "util.h"

typedef struct doc_term {
    size_t type;              /* index into types */
    int    lead;              /* letters may come before it ("*جواز") */
    int    adjective_before;  /* its language puts the country adjective first */
    int    exclude;           /* a phrase that names no document */
    char  *pattern;           /* its piece of the combined pattern */
    size_t norm_len;          /* length of its normalised text, for ordering */
    size_t order;
} doc_term;

struct document_data {
    const gazetteer *gaz;
    char           **types;
    size_t           type_count, type_cap;
    doc_term        *terms;
    size_t           term_count, term_cap;
    pcre2_code      *re;
    size_t          *group_term;   /* capture group g (from 1) ends term group_term[g - 1] */
    size_t           group_count;
};

/* ---- loading ------------------------------------------------------------ */

typedef struct load_state {
    document_data *dd;
    ofs_norm      *norm;
    ofs_diags     *diags;
    const char    *file;
    char         **adjective_first;   /* language codes */
    size_t         adjective_count, adjective_cap;
    int            errors;
} load_state;

static int is_word_char(utf8proc_int32_t cp)
{
    utf8proc_category_t c = utf8proc_category(cp);
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_ND) ||
           c == UTF8PROC_CATEGORY_NL || c == UTF8PROC_CATEGORY_NO;
}

static int is_apostrophe(utf8proc_int32_t cp)
{
    return cp == '\'' || cp == 0x2019 || cp == 0x02BC || cp == '`';
}

/* What a run of letters attached to a term by "*" may be. */
#define TERM_LETTERS "[\\p{L}\\p{M}]*"
/* Where a word starts, and where it ends. */
#define WORD_START "(?<![\\p{L}\\p{M}\\p{N}])"
#define WORD_END "(?![\\p{L}\\p{M}\\p{N}])"
/* What a space in a term matches: spaces, hyphens, or nothing, since the
 * normaliser joins short pieces ("id-card" -> "idcard"). */
#define TERM_SPACE "[\\s\\-_]*"

/* Separates the atoms of a term's pattern (one letter, a space...). */
#define ATOM_SEP '\x01'

/* Turns the normalised term t into its pattern: a list of atoms joined by
 * ATOM_SEP ("p+", "a+", "[\s\-_]*", ...), from which compile_terms builds
 * a trie. */
static char *term_pattern(const char *t, int lead, int trail)
{
    strbuf sb = {0};
    /* A term must start a word, unless "*" lets letters come before it: then
     * document_find extends the match back to the start of the word. Leaving
     * the leading letters out of the pattern keeps a literal first letter in
     * every alternative, so PCRE2 can skip ahead to the places where one
     * starts instead of trying every term at every byte. */
    if (!lead) strbuf_puts(&sb, WORD_START);
    size_t len = strlen(t);
    for (size_t i = 0; i < len;) {
        if (sb.len) strbuf_putc(&sb, ATOM_SEP);
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)t + i,
                                              (utf8proc_ssize_t)(len - i), &cp);
        if (n <= 0) { /* normalised text is valid UTF-8; be safe anyway */
            i++;
            continue;
        }
        if (cp == ' ' || cp == '\t') {
            while (i + 1 < len && (t[i + 1] == ' ' || t[i + 1] == '\t')) i++;
            strbuf_puts(&sb, TERM_SPACE);
        } else if (cp == '-' || cp == '_') {
            strbuf_puts(&sb, "[\\s\\-_]*");
        } else if (is_apostrophe(cp)) {
            strbuf_puts(&sb, "['\\x{2019}\\x{02BC}`\\s]?");
        } else if (cp < 0x80 && !((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
                                   (cp >= '0' && cp <= '9'))) {
            strbuf_putc(&sb, '\\');
            strbuf_putc(&sb, (char)cp);
        } else if (utf8proc_category(cp) >= UTF8PROC_CATEGORY_LU &&
                   utf8proc_category(cp) <= UTF8PROC_CATEGORY_LO) {
            /* a letter, once or repeated: "pasport" matches "passport" */
            strbuf_append(&sb, t + i, (size_t)n);
            strbuf_putc(&sb, '+');
            while (i + 2 * (size_t)n <= len && memcmp(t + i, t + i + n, (size_t)n) == 0)
                i += (size_t)n;
        } else {
            strbuf_append(&sb, t + i, (size_t)n);
        }
        i += (size_t)n;
    }
    if (trail) {
        strbuf_putc(&sb, ATOM_SEP);
        strbuf_puts(&sb, TERM_LETTERS);
    }
    return sb.buf;
}

static size_t add_type(document_data *dd, const char *name)
{
    for (size_t i = 0; i < dd->type_count; i++)
        if (strcmp(dd->types[i], name) == 0) return i;
    char *copy = xstrdup(name);
    VEC_PUSH(dd->types, dd->type_count, dd->type_cap, copy);
    return dd->type_count - 1;
}

/* Adds one term as written in the data ("*جواز", "pasaport*"). */
static void add_term(load_state *ls, size_t type, const char *lang, const ynode *n, int exclude)
{
    if (n->kind != YNODE_SCALAR) {
        diag_add(ls->diags, OFS_ERROR, ls->file, n->line, n->col,
                 "a document term must be a string, not %s", ynode_kind_name(n));
        ls->errors++;
        return;
    }
    const char *s = n->value;
    size_t len = strlen(s);
    int lead = 0, trail = 0;
    while (len && (*s == ' ' || *s == '*')) lead |= *s == '*', s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '*')) trail |= s[len - 1] == '*', len--;
    if (len == 0) {
        diag_add(ls->diags, OFS_ERROR, ls->file, n->line, n->col, "empty document term");
        ls->errors++;
        return;
    }
    if (norm_run(ls->norm, s, len, NORM_DEOBFUSCATE) != 0) {
        diag_add(ls->diags, OFS_ERROR, ls->file, n->line, n->col, "out of memory");
        ls->errors++;
        return;
    }
    size_t nlen;
    const char *t = norm_text(ls->norm, &nlen);
    while (nlen && *t == ' ') t++, nlen--;
    while (nlen && t[nlen - 1] == ' ') nlen--;
    char *normalised = xstrndup(t, nlen);
    doc_term term;
    memset(&term, 0, sizeof term);
    term.type = type;
    term.exclude = exclude;
    term.lead = lead;
    term.pattern = term_pattern(normalised, lead, trail);
    term.norm_len = nlen;
    term.order = ls->dd->term_count;
    free(normalised);
    for (size_t i = 0; lang && i < ls->adjective_count; i++)
        if (strcmp(ls->adjective_first[i], lang) == 0) term.adjective_before = 1;
    for (size_t i = 0; i < ls->dd->term_count; i++) {
        if (strcmp(ls->dd->terms[i].pattern, term.pattern) == 0) { /* same word, two languages */
            free(term.pattern);
            return;
        }
    }
    VEC_PUSH(ls->dd->terms, ls->dd->term_count, ls->dd->term_cap, term);
}

static void add_term_list(load_state *ls, size_t type, const char *lang, const ynode *list,
                          int exclude)
{
    if (list->kind != YNODE_SEQ) {
        diag_add(ls->diags, OFS_ERROR, ls->file, list->line, list->col,
                 "the terms of '%s' must be a list, not %s", lang ? lang : "exclude",
                 ynode_kind_name(list));
        ls->errors++;
        return;
    }
    for (size_t i = 0; i < list->count; i++) add_term(ls, type, lang, list->items[i], exclude);
}

static int is_type_name(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || *s == '_')) return 0;
    return 1;
}

static void load_types(load_state *ls, const ynode *types)
{
    if (types->kind != YNODE_MAP) {
        diag_add(ls->diags, OFS_ERROR, ls->file, types->line, types->col,
                 "'types' must be a mapping of document types, not %s", ynode_kind_name(types));
        ls->errors++;
        return;
    }
    for (size_t i = 0; i < types->count; i++) {
        const ynode *key = types->keys[i], *langs = types->items[i];
        if (!is_type_name(key->value)) {
            diag_add(ls->diags, OFS_ERROR, ls->file, key->line, key->col,
                     "'%s' is not a document type name (lower case and _)", key->value);
            ls->errors++;
            continue;
        }
        if (langs->kind != YNODE_MAP) {
            diag_add(ls->diags, OFS_ERROR, ls->file, langs->line, langs->col,
                     "document type '%s' must map languages to terms, not %s", key->value,
                     ynode_kind_name(langs));
            ls->errors++;
            continue;
        }
        size_t type = add_type(ls->dd, key->value);
        for (size_t j = 0; j < langs->count; j++) {
            const char *lang = langs->keys[j]->value;
            int exclude = strcmp(lang, "exclude") == 0;
            add_term_list(ls, type, exclude ? NULL : lang, langs->items[j], exclude);
        }
    }
}

/* Reads one `document_types:` mapping. */
static void load_file(load_state *ls, const ynode *root)
{
    if (root->kind != YNODE_MAP) {
        diag_add(ls->diags, OFS_ERROR, ls->file, root->line, root->col,
                 "'document_types' must be a mapping with 'types' and 'adjective_before'");
        ls->errors++;
        return;
    }
    const ynode *types = NULL;
    for (size_t i = 0; i < root->count; i++) {
        const ynode *key = root->keys[i], *v = root->items[i];
        if (strcmp(key->value, "types") == 0) {
            types = v;
        } else if (strcmp(key->value, "adjective_before") == 0) {
            if (v->kind != YNODE_SEQ) {
                diag_add(ls->diags, OFS_ERROR, ls->file, v->line, v->col,
                         "'adjective_before' must be a list of language codes");
                ls->errors++;
                continue;
            }
            for (size_t j = 0; j < v->count; j++) {
                if (v->items[j]->kind != YNODE_SCALAR) {
                    diag_add(ls->diags, OFS_ERROR, ls->file, v->items[j]->line, v->items[j]->col,
                             "a language code must be a string");
                    ls->errors++;
                    continue;
                }
                char *copy = xstrdup(v->items[j]->value);
                VEC_PUSH(ls->adjective_first, ls->adjective_count, ls->adjective_cap, copy);
            }
        } else {
            diag_add(ls->diags, OFS_ERROR, ls->file, key->line, key->col,
                     "unknown key '%s' (expected types, adjective_before)", key->value);
            ls->errors++;
        }
    }
    if (!types) {
        diag_add(ls->diags, OFS_ERROR, ls->file, root->line, root->col,
                 "'document_types' has no 'types'");
        ls->errors++;
        return;
    }
    load_types(ls, types);
}

static int cmp_term(const void *a, const void *b)
{
    const doc_term *x = a, *y = b;
    if (x->norm_len != y->norm_len) return x->norm_len > y->norm_len ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* The terms as a trie of atoms, so that the pattern tries the terms that
 * share a beginning together: "p+a+s+(?:p+o+r+t+...|a+p+o+r+t+...)". */
typedef struct trie_node {
    char              *atom;       /* NULL at the root */
    struct trie_node **kids;
    size_t             kid_count, kid_cap;
    long               term;       /* the term that ends here, or -1 */
} trie_node;

static trie_node *trie_new(const char *atom, size_t len)
{
    trie_node *n = xcalloc(1, sizeof *n);
    n->atom = atom ? xstrndup(atom, len) : NULL;
    n->term = -1;
    return n;
}

static void trie_free(trie_node *n)
{
    for (size_t i = 0; i < n->kid_count; i++) trie_free(n->kids[i]);
    free(n->kids);
    free(n->atom);
    free(n);
}

/* Adds term number index with pattern (atoms joined by ATOM_SEP). Terms are
 * added longest first, so the children of a node are in that order. */
static void trie_add(trie_node *root, const char *pattern, long index)
{
    trie_node *n = root;
    for (const char *p = pattern; *p;) {
        const char *e = strchr(p, ATOM_SEP);
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len) {
            trie_node *next = NULL;
            for (size_t i = 0; i < n->kid_count && !next; i++)
                if (strlen(n->kids[i]->atom) == len && memcmp(n->kids[i]->atom, p, len) == 0)
                    next = n->kids[i];
            if (!next) {
                next = trie_new(p, len);
                VEC_PUSH(n->kids, n->kid_count, n->kid_cap, next);
            }
            n = next;
        }
        p += len + (e != NULL);
    }
    if (n->term < 0) n->term = index;
}

/* Writes the pattern of the subtree at n. A term ends with an empty capture
 * group, the last alternative of its node (so that longer terms are tried
 * first); group_term[g] records which term group g ends. */
static void trie_emit(const trie_node *n, strbuf *sb, size_t **group_term, size_t *groups,
                      size_t *cap)
{
    if (n->atom) strbuf_puts(sb, n->atom);
    size_t alts = n->kid_count + (n->term >= 0);
    if (alts == 0) return;
    if (alts > 1) strbuf_puts(sb, "(?:");
    for (size_t i = 0; i < n->kid_count; i++) {
        if (i) strbuf_putc(sb, '|');
        trie_emit(n->kids[i], sb, group_term, groups, cap);
    }
    if (n->term >= 0) {
        if (n->kid_count) strbuf_putc(sb, '|');
        strbuf_puts(sb, "()");
        size_t t = (size_t)n->term;
        VEC_PUSH(*group_term, *groups, *cap, t);
    }
    if (alts > 1) strbuf_putc(sb, ')');
}

static int compile_terms(document_data *dd, const char *file, ofs_diags *d)
{
    if (dd->term_count == 0) return 0;
    qsort(dd->terms, dd->term_count, sizeof *dd->terms, cmp_term);
    trie_node *root = trie_new(NULL, 0);
    for (size_t i = 0; i < dd->term_count; i++) trie_add(root, dd->terms[i].pattern, (long)i);
    strbuf sb = {0};
    size_t cap = 0;
    strbuf_puts(&sb, "(?:");
    trie_emit(root, &sb, &dd->group_term, &dd->group_count, &cap);
    strbuf_puts(&sb, ")" WORD_END);
    trie_free(root);
    int err;
    PCRE2_SIZE off;
    dd->re = pcre2_compile((PCRE2_SPTR)sb.buf, sb.len,
                           PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS | PCRE2_MATCH_INVALID_UTF, &err,
                           &off, NULL);
    if (!dd->re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        diag_add(d, OFS_ERROR, file, 0, 0, "document terms do not compile at offset %zu: %s",
                 (size_t)off, (const char *)msg);
        strbuf_free(&sb);
        return -1;
    }
    strbuf_free(&sb);
    pcre2_jit_compile(dd->re, PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
    return 0;
}

/* Returns the compiled document names, or NULL after adding errors to d. g
 * (which may be NULL, and must outlive the result) gives the issuing
 * countries. A rule set with no `document_types:` file gets a warning and
 * finds no documents. Free with document_data_free. */
document_data *document_data_load(const ofs_bundle *b, const gazetteer *g, ofs_diags *d)
{
    document_data *dd = xcalloc(1, sizeof *dd);
    dd->gaz = g;
    load_state ls;
    memset(&ls, 0, sizeof ls);
    ls.dd = dd;
    ls.diags = d;
    ls.norm = norm_create();
    const char *file = "<document_types>";
    int found = 0;
    for (size_t i = 0; b && i < b->count; i++) {
        const ynode *root = ynode_get(b->docs[i]->root, "document_types");
        if (!root) continue;
        ls.file = file = b->docs[i]->file;
        found = 1;
        load_file(&ls, root);
    }
    if (!found)
        diag_add(d, OFS_WARNING, file, 0, 0,
                 "no `document_types:` file in the rule set: no documents will be found");
    norm_free(ls.norm);
    for (size_t i = 0; i < ls.adjective_count; i++) free(ls.adjective_first[i]);
    free(ls.adjective_first);
    if (ls.errors || compile_terms(dd, file, d) != 0) {
        document_data_free(dd);
        return NULL;
    }
    return dd;
}

/* Frees everything; NULL is fine. */
void document_data_free(document_data *dd)
{
    if (!dd) return;
    pcre2_code_free(dd->re);
    free(dd->group_term);
    for (size_t i = 0; i < dd->term_count; i++) free(dd->terms[i].pattern);
    free(dd->terms);
    for (size_t i = 0; i < dd->type_count; i++) free(dd->types[i]);
    free(dd->types);
    free(dd);
}

/* ---- finding ------------------------------------------------------------ */

/* A word of the normalised text, or a flag emoji. */
typedef struct word {
    size_t start, end;
    int    blank_before;   /* only blanks between the previous word and this one */
    char   flag[3];        /* the country of a flag emoji, "" for a word */
} word;

typedef struct word_list { word *items; size_t count, cap; } word_list;

static int is_blank(utf8proc_int32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == 0xA0 || cp == 0x202F || cp == 0x200C;
}

static int is_regional_indicator(utf8proc_int32_t cp)
{
    return cp >= 0x1F1E6 && cp <= 0x1F1FF;
}

/* Splits text into words (letters, with apostrophes and hyphens inside) and
 * flags, noting which are separated by blanks only. */
static void split_words(const char *text, size_t len, word_list *out)
{
    int blank_gap = 1;
    for (size_t i = 0; i < len;) {
        utf8proc_int32_t cp, cp2 = -1;
        utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)text + i,
                                              (utf8proc_ssize_t)(len - i), &cp);
        if (n <= 0) {
            i++;
            blank_gap = 0;
            continue;
        }
        if (is_regional_indicator(cp) && i + (size_t)n < len &&
            utf8proc_iterate((const utf8proc_uint8_t *)text + i + n,
                             (utf8proc_ssize_t)(len - i - (size_t)n), &cp2) == 4 &&
            is_regional_indicator(cp2)) {
            word w = {i, i + 8, blank_gap, {0}};
            w.flag[0] = (char)('A' + (cp - 0x1F1E6));
            w.flag[1] = (char)('A' + (cp2 - 0x1F1E6));
            VEC_PUSH(out->items, out->count, out->cap, w);
            i += 8;
            blank_gap = 1;
            continue;
        }
        if (!is_word_char(cp)) {
            if (!is_blank(cp)) blank_gap = 0;
            i += (size_t)n;
            continue;
        }
        word w = {i, 0, blank_gap, {0}};
        size_t j = i + (size_t)n;
        while (j < len) {
            utf8proc_ssize_t m = utf8proc_iterate((const utf8proc_uint8_t *)text + j,
                                                  (utf8proc_ssize_t)(len - j), &cp);
            if (m <= 0) break;
            if (is_word_char(cp)) {
                j += (size_t)m;
                continue;
            }
            /* an apostrophe or hyphen between letters: "l'italie", "sud-soudanais" */
            if ((is_apostrophe(cp) || cp == '-') && j + (size_t)m < len) {
                utf8proc_int32_t next;
                if (utf8proc_iterate((const utf8proc_uint8_t *)text + j + m,
                                     (utf8proc_ssize_t)(len - j - (size_t)m), &next) > 0 &&
                    is_word_char(next)) {
                    j += (size_t)m;
                    continue;
                }
            }
            break;
        }
        w.end = j;
        VEC_PUSH(out->items, out->count, out->cap, w);
        i = j;
        blank_gap = 1;
    }
}

/* Asks the gazetteer about text[start..end). One Arabic word is also tried
 * without its article: "الفرنسية" -> "فرنسية", and, since doubled letters
 * are collapsed, "الليبي" (now "اليبي") -> "ليبي". */
static int lookup(const document_data *dd, const char *text, size_t start, size_t end, int one,
                  char cc[3])
{
    if (!dd->gaz) return 0;
    if (gazetteer_lookup_country(dd->gaz, text + start, end - start, cc)) return 1;
    static const char alef[] = "\xd8\xa7", lam[] = "\xd9\x84"; /* ا ل */
    if (!one || end - start <= 6 || memcmp(text + start, alef, 2) != 0 ||
        memcmp(text + start + 2, lam, 2) != 0)
        return 0;
    if (gazetteer_lookup_country(dd->gaz, text + start + 4, end - start - 4, cc)) return 1;
    return gazetteer_lookup_country(dd->gaz, text + start + 2, end - start - 2, cc);
}

/* One document term found in the normalised text. */
typedef struct term_hit {
    const doc_term *term;
    size_t          start, end;     /* normalised bytes */
    size_t          first, last;    /* its words */
    int             has_words;
    char            country[3];
} term_hit;

typedef struct beside_state {
    const document_data *dd;
    const char          *text;
    const word_list     *words;
    const int           *owner;     /* per word: the hit it is part of, or -1 */
    unsigned char       *claimed;   /* per word: already some document's country */
} beside_state;

/* Looks for the country of hit h in the words after it (dir > 0) or before
 * it (dir < 0): one to three words, longest first, joined to it by blanks
 * only, not part of another term and not already another document's
 * country, or a flag. Returns 1 and sets h->country, claiming the words. */
static int country_beside(const beside_state *bs, term_hit *h, int dir)
{
    const word_list *w = bs->words;
    size_t run[3], k = 0;
    if (dir > 0) {
        for (size_t i = h->last + 1; i < w->count && k < 3 && w->items[i].blank_before &&
                                     bs->owner[i] < 0 && !bs->claimed[i];
             i++)
            run[k++] = i;
    } else {
        for (size_t i = h->first; i > 0 && k < 3 && w->items[i].blank_before &&
                                  bs->owner[i - 1] < 0 && !bs->claimed[i - 1];
             i--)
            run[k++] = i - 1;
    }
    if (k == 0) return 0;
    if (w->items[run[0]].flag[0]) {
        memcpy(h->country, w->items[run[0]].flag, 3);
        bs->claimed[run[0]] = 1;
        return 1;
    }
    for (size_t n = k; n > 0; n--) {
        int has_flag = 0;
        for (size_t i = 0; i < n; i++) has_flag |= w->items[run[i]].flag[0] != 0;
        if (has_flag) continue;
        size_t s = dir > 0 ? w->items[run[0]].start : w->items[run[n - 1]].start;
        size_t e = dir > 0 ? w->items[run[n - 1]].end : w->items[run[0]].end;
        if (lookup(bs->dd, bs->text, s, e, n == 1, h->country)) {
            for (size_t i = 0; i < n; i++) bs->claimed[run[i]] = 1;
            return 1;
        }
        h->country[0] = '\0';
    }
    return 0;
}

/* Finds the issuing countries: first on each term's preferred side, then,
 * for the terms still without one, on the other side. */
static void find_countries(const document_data *dd, const char *text, const word_list *words,
                           term_hit *hits, size_t count)
{
    int *owner = xmalloc((words->count ? words->count : 1) * sizeof *owner);
    unsigned char *claimed = xcalloc(words->count ? words->count : 1, 1);
    for (size_t i = 0; i < words->count; i++) owner[i] = -1;
    for (size_t h = 0; h < count; h++)
        for (size_t i = hits[h].first; hits[h].has_words && i <= hits[h].last; i++)
            owner[i] = (int)h;
    beside_state bs = {dd, text, words, owner, claimed};
    for (int pass = 0; pass < 2; pass++) {
        for (size_t h = 0; h < count; h++) {
            if (!hits[h].has_words || hits[h].country[0]) continue;
            int dir = hits[h].term->adjective_before ? -1 : 1;
            country_beside(&bs, &hits[h], pass ? -dir : dir);
        }
    }
    free(owner);
    free(claimed);
}

/* The start of the word that text[at] is in (at itself at a word start). */
static size_t word_start(const char *text, size_t at)
{
    while (at > 0) {
        size_t p = at - 1;
        while (p > 0 && ((unsigned char)text[p] & 0xC0) == 0x80) p--;
        utf8proc_int32_t cp;
        if (utf8proc_iterate((const utf8proc_uint8_t *)text + p, (utf8proc_ssize_t)(at - p), &cp) <= 0)
            break;
        utf8proc_category_t c = utf8proc_category(cp);
        if (!(c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_ME)) break;
        at = p;
    }
    return at;
}

/* Appends to out every document the text names, with its issuing country
 * when stated, in text order. The type strings belong to dd. Allocation
 * failure aborts (util.h). */
void document_find(const document_data *dd, const extract_input *in, document_list *out)
{
    if (!dd || !dd->re || !in->text || in->len == 0) return;
    const char *text = in->text;
    size_t len = in->len;
    term_hit *hits = NULL;
    size_t hit_count = 0, hit_cap = 0;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(dd->re, NULL);
    for (size_t at = 0; at < len;) {
        if (pcre2_match(dd->re, (PCRE2_SPTR)text, len, at, 0, md, NULL) < 0) break;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        size_t ms = ov[0], me = ov[1];
        at = me > ms ? me : ms + 1;
        /* the term is the one whose group took part in the match */
        size_t groups = pcre2_get_ovector_count(md), g = 1;
        while (g < groups && ov[2 * g] == PCRE2_UNSET) g++;
        if (g >= groups || g > dd->group_count) continue;
        const doc_term *term = &dd->terms[dd->group_term[g - 1]];
        if (term->exclude) continue;
        if (term->lead) ms = word_start(text, ms);
        term_hit h;
        memset(&h, 0, sizeof h);
        h.term = term;
        h.start = ms;
        h.end = me;
        VEC_PUSH(hits, hit_count, hit_cap, h);
    }
    pcre2_match_data_free(md);
    if (hit_count == 0) return;

    /* The words of the text, and those of each hit (hits are in order). */
    word_list words = {0};
    split_words(text, len, &words);
    for (size_t j = 0, i = 0; j < hit_count; j++) {
        term_hit *h = &hits[j];
        while (i < words.count && words.items[i].end <= h->start) i++;
        h->first = i;
        for (size_t k = i; k < words.count && words.items[k].start < h->end; k++)
            h->last = k, h->has_words = 1;
    }
    find_countries(dd, text, &words, hits, hit_count);
    free(words.items);

    /* Each (type, country) once; a type without country only when it is
     * never named with one. */
    unsigned char *type_has_country = xcalloc(dd->type_count ? dd->type_count : 1, 1);
    for (size_t j = 0; j < hit_count; j++)
        if (hits[j].country[0]) type_has_country[hits[j].term->type] = 1;
    size_t first_new = out->count;
    for (size_t j = 0; j < hit_count; j++) {
        const term_hit *h = &hits[j];
        const char *type = dd->types[h->term->type];
        if (!h->country[0] && type_has_country[h->term->type]) continue;
        int seen = 0;
        for (size_t k = first_new; k < out->count && !seen; k++)
            seen = out->items[k].type == type && strcmp(out->items[k].country, h->country) == 0;
        if (seen) continue;
        ofs_document doc;
        memset(&doc, 0, sizeof doc);
        doc.type = type;
        memcpy(doc.country, h->country, sizeof doc.country);
        if (in->norm) {
            norm_to_orig(in->norm, h->start, h->end, &doc.span.start, &doc.span.end);
        } else {
            doc.span.start = h->start;
            doc.span.end = h->end;
        }
        VEC_PUSH(out->items, out->count, out->cap, doc);
    }
    free(type_has_country);
    free(hits);
}

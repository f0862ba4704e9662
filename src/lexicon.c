/* lexicon.c: term lists per language, turned into regex alternations.
 *
 * A lexicon file looks like this:
 *
 *     lexicons:
 *       boat:
 *         description: Words for a boat used for crossings.
 *         terms:
 *           en: [boat, dinghy, zodiac, "big boat"]
 *           ar: [قارب, مركب, فلوكه, "*بوطي"]
 *           any: ["🚤", "⛵"]
 *
 * Every term is normalised exactly like the text (so "Bateau", "bâteau" and
 * "bateau" are one term, and so are "جواز" and "جواز"), escaped, and
 * joined into one alternation, longest first:
 *
 *     (?:(?<![\p{L}\p{N}])(?:big\s+boat|boat|dinghy|...))(?![\p{L}\p{N}])
 *
 * built as a trie, so that common prefixes are tried once:
 * b(?:ig\s+boat|oat). A '*' at the start or end of a term lets letters stand
 * there, for prefixes and suffixes ("*بوطي" also matches the بوطي of
 * "البوطي", "pasaport*" also matches "pasaportu").
 */
#include "lexicon.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "normalize.h"
#include "util.h"

typedef struct lexicon {
    char  *name;
    char  *regex;
    char **atoms;       /* for each term, a literal every match contains */
    size_t *befores;    /* befores[i]: the most bytes a match starts before atoms[i] */
    size_t atom_count, atom_cap;
    size_t width;       /* the most bytes a match spans, or OFS_UNBOUNDED */
} lexicon;

struct lexicon_set {
    lexicon *items;
    size_t   count, cap;
};

static void escape_regex(strbuf *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strchr("\\^$.|?*+()[]{}#", s[i]) && s[i]) strbuf_putc(out, '\\');
        if (s[i] == ' ') {
            strbuf_puts(out, "\\s+");
            while (i + 1 < n && s[i + 1] == ' ') i++;
            continue;
        }
        strbuf_putc(out, s[i]);
    }
}


/* The most bytes the normalised term core s[0..n) spans in normalised
 * text: a space stands for one white-space character (the normaliser
 * leaves no runs), up to 3 bytes in UTF-8. */
static size_t core_width(const char *s, size_t n)
{
    size_t w = n;
    for (size_t i = 0; i < n; i++) w += s[i] == ' ' ? 2 : 0;
    return w;
}

/* The atom of a term: the longest space-free piece of its normalised core
 * (without '*' wildcards): "big boat" -> "boat", "*بوطي" -> "بوطي". Every
 * match of the term's regex contains it, at most *before bytes after the
 * match starts (the match starts where the core does). malloc'd, or NULL
 * when empty. */
static char *term_atom(const char *term, size_t *before)
{
    size_t n = strlen(term);
    int pre = n > 0 && term[0] == '*';
    int post = n > 1 && term[n - 1] == '*';
    char *core = xstrndup(term + pre, n - (size_t)pre - (size_t)post);
    char *norm = norm_string(core);
    free(core);
    const char *best = NULL;
    size_t best_len = 0;
    for (const char *p = norm; *p;) {
        while (*p == ' ') p++;
        const char *start = p;
        while (*p && *p != ' ') p++;
        if ((size_t)(p - start) > best_len) {
            best = start;
            best_len = (size_t)(p - start);
        }
    }
    char *atom = best ? xstrndup(best, best_len) : NULL;
    const char *first = norm; /* where the trimmed core, and so the match, starts */
    while (*first == ' ') first++;
    *before = best ? core_width(first, (size_t)(best - first)) : 0;
    free(norm);
    return atom;
}

static int valid_name(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || *s == '_')) return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_')) return 0;
    return 1;
}


/* Reads one lexicon's `terms:` mapping into an alternation. */
/* A trie of terms, emitted as a regex with common prefixes factored out:
 * "boat", "boats*", "bateau" -> b(?:oat(?:s\p{L}*|)|ateau). PCRE2 then tries
 * a few characters at each position instead of every term in turn. */
typedef struct trie_node {
    char              *label;       /* one UTF-8 character, or " " for white space */
    struct trie_node **kids;
    size_t             kid_count, kid_cap;
    int                end_exact;   /* a term ends here */
    int                end_wild;    /* a term with a trailing '*' ends here */
} trie_node;

static void trie_free(trie_node *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->kid_count; i++) trie_free(t->kids[i]);
    free(t->kids);
    free(t->label);
    free(t);
}

/* Adds the normalised term core; returns 1 when it was new. */
static int trie_add(trie_node *root, const char *core, int wild)
{
    trie_node *node = root;
    for (const char *p = core; *p;) {
        size_t len = 1;
        if (*p == ' ') {
            while (p[len] == ' ') len++;
        } else {
            while (p[len] && ((unsigned char)p[len] & 0xC0) == 0x80) len++;
        }
        const char *label = *p == ' ' ? " " : p;
        size_t label_len = *p == ' ' ? 1 : len;
        trie_node *next = NULL;
        for (size_t i = 0; i < node->kid_count && !next; i++)
            if (strlen(node->kids[i]->label) == label_len && memcmp(node->kids[i]->label, label, label_len) == 0)
                next = node->kids[i];
        if (!next) {
            next = xcalloc(1, sizeof *next);
            next->label = xstrndup(label, label_len);
            VEC_PUSH(node->kids, node->kid_count, node->kid_cap, next);
        }
        node = next;
        p += len;
    }
    int fresh = wild ? !node->end_wild : !node->end_exact;
    if (wild) node->end_wild = 1;
    else node->end_exact = 1;
    return fresh;
}

static int cmp_node(const void *a, const void *b)
{
    return strcmp((*(trie_node *const *)a)->label, (*(trie_node *const *)b)->label);
}

static void trie_emit(strbuf *out, trie_node *node)
{
    size_t alts = node->kid_count + (node->end_wild ? 1 : 0) + (node->end_exact && node->kid_count ? 1 : 0);
    if (node->kid_count > 1) qsort(node->kids, node->kid_count, sizeof *node->kids, cmp_node);
    if (alts > 1) strbuf_puts(out, "(?:");
    for (size_t i = 0; i < node->kid_count; i++) {
        if (i) strbuf_putc(out, '|');
        escape_regex(out, node->kids[i]->label, strlen(node->kids[i]->label));
        trie_emit(out, node->kids[i]);
    }
    if (node->end_wild) {
        if (node->kid_count) strbuf_putc(out, '|');
        strbuf_puts(out, "\\p{L}*");
    }
    if (node->end_exact && node->kid_count) strbuf_putc(out, '|'); /* the empty alternative, tried last */
    if (alts > 1) strbuf_putc(out, ')');
}

/* Adds atom (taken) with its distance from the match start; an atom
 * shared by several terms keeps the largest distance. */
static void add_atom(lexicon *lex, char *atom, size_t before)
{
    for (size_t i = 0; i < lex->atom_count; i++) {
        if (strcmp(lex->atoms[i], atom) == 0) {
            if (before > lex->befores[i]) lex->befores[i] = before;
            free(atom);
            return;
        }
    }
    size_t cap = lex->atom_cap;
    VEC_PUSH(lex->atoms, lex->atom_count, lex->atom_cap, atom);
    if (lex->atom_cap != cap) lex->befores = xrealloc(lex->befores, lex->atom_cap * sizeof *lex->befores);
    lex->befores[lex->atom_count - 1] = before;
}

static char *build_regex(const char *file, const ynode *terms, ofs_diags *d, lexicon *lex)
{
    /* plain: terms that start at a word boundary; prefixed: terms with a
     * leading '*', which may follow letters. */
    trie_node *plain = xcalloc(1, sizeof *plain), *prefixed = xcalloc(1, sizeof *prefixed);
    size_t count = 0;
    for (size_t i = 0; i < terms->count; i++) {
        const ynode *list = terms->items[i];
        if (list->kind != YNODE_SEQ) {
            diag_add(d, OFS_ERROR, file, list->line, list->col,
                     "terms for '%s' must be a list, not %s", terms->keys[i]->value, ynode_kind_name(list));
            continue;
        }
        for (size_t j = 0; j < list->count; j++) {
            const ynode *t = list->items[j];
            if (t->kind != YNODE_SCALAR || !t->value[0]) {
                diag_add(d, OFS_ERROR, file, t->line, t->col, "a term must be a non-empty string");
                continue;
            }
            size_t n = strlen(t->value);
            int pre = t->value[0] == '*';
            int post = n > 1 && t->value[n - 1] == '*';
            char *core = xstrndup(t->value + pre, n - (size_t)pre - (size_t)post);
            char *norm = norm_string(core);
            free(core);
            const char *start = norm;
            while (*start == ' ') start++;
            size_t len = strlen(start);
            while (len && start[len - 1] == ' ') len--;
            if (len == 0) {
                diag_add(d, OFS_WARNING, file, t->line, t->col, "term '%s' is empty after normalisation", t->value);
                free(norm);
                continue;
            }
            char *clean = xstrndup(start, len);
            if (trie_add(pre ? prefixed : plain, clean, post)) {
                count++;
                size_t w = post ? OFS_UNBOUNDED : core_width(clean, len);
                if (w > lex->width) lex->width = w;
                size_t before = 0;
                char *atom = term_atom(t->value, &before);
                if (atom) add_atom(lex, atom, before);
            }
            free(clean);
            free(norm);
        }
    }
    /* A term with a leading '*' may end a longer word: it is matched where
     * no digit precedes it, and its span starts at the term. (Matching the
     * letters before it with \p{L}* would try every start position inside
     * every word, and stop PCRE2 from skipping ahead to a possible first
     * character.) */
    strbuf re = {0};
    strbuf_puts(&re, "(?:");
    if (plain->kid_count) {
        strbuf_puts(&re, "(?<![\\p{L}\\p{N}])");
        trie_emit(&re, plain);
    }
    if (plain->kid_count && prefixed->kid_count) strbuf_putc(&re, '|');
    if (prefixed->kid_count) {
        strbuf_puts(&re, "(?<!\\p{N})");
        trie_emit(&re, prefixed);
    }
    strbuf_puts(&re, ")(?![\\p{L}\\p{N}])");
    trie_free(plain);
    trie_free(prefixed);
    if (count == 0) {
        strbuf_free(&re);
        return NULL;
    }
    return re.buf;
}

static void lexicon_free_one(lexicon *l);

static const char *const lexicon_keys[] = {"description", "terms", NULL};

lexicon_set *lexicon_load(const ofs_bundle *b, ofs_diags *d)
{
    lexicon_set *lx = xcalloc(1, sizeof *lx);
    size_t errors = ofs_diags_errors(d);
    for (size_t f = 0; f < b->count; f++) {
        const ydoc *doc = b->docs[f];
        const ynode *all = ynode_get(doc->root, "lexicons");
        if (!all) continue;
        if (all->kind != YNODE_MAP) {
            diag_add(d, OFS_ERROR, doc->file, all->line, all->col,
                     "'lexicons' must be a mapping of names to lexicons, not %s", ynode_kind_name(all));
            continue;
        }
        for (size_t i = 0; i < all->count; i++) {
            const ynode *key = all->keys[i], *def = all->items[i];
            if (!valid_name(key->value)) {
                diag_add(d, OFS_ERROR, doc->file, key->line, key->col,
                         "lexicon name '%s' must be lower-case letters, digits and '_'", key->value);
                continue;
            }
            if (lexicon_regex(lx, key->value)) {
                diag_add(d, OFS_ERROR, doc->file, key->line, key->col, "lexicon '%s' is defined twice",
                         key->value);
                continue;
            }
            if (def->kind != YNODE_MAP) {
                diag_add(d, OFS_ERROR, doc->file, def->line, def->col,
                         "lexicon '%s' must be a mapping with 'terms', not %s", key->value,
                         ynode_kind_name(def));
                continue;
            }
            ynode_check_keys(doc->file, def, lexicon_keys, d);
            const ynode *terms = ynode_get(def, "terms");
            if (!terms || terms->kind != YNODE_MAP) {
                diag_add(d, OFS_ERROR, doc->file, def->line, def->col,
                         "lexicon '%s' needs 'terms': a mapping from language to a list of terms",
                         key->value);
                continue;
            }
            lexicon item = {xstrdup(key->value), NULL, NULL, NULL, 0, 0, 0};
            char *re = build_regex(doc->file, terms, d, &item);
            item.regex = re;
            if (!re) {
                lexicon_free_one(&item);
                diag_add(d, OFS_ERROR, doc->file, terms->line, terms->col, "lexicon '%s' has no terms",
                         key->value);
                continue;
            }
            VEC_PUSH(lx->items, lx->count, lx->cap, item);
        }
    }
    if (ofs_diags_errors(d) > errors) {
        lexicon_free(lx);
        return NULL;
    }
    return lx;
}

static void lexicon_free_one(lexicon *l)
{
    free(l->name);
    free(l->regex);
    for (size_t i = 0; i < l->atom_count; i++) free(l->atoms[i]);
    free(l->atoms);
    free(l->befores);
}

void lexicon_free(lexicon_set *lx)
{
    if (!lx) return;
    for (size_t i = 0; i < lx->count; i++) lexicon_free_one(&lx->items[i]);
    free(lx->items);
    free(lx);
}

const char *lexicon_regex(const lexicon_set *lx, const char *name)
{
    for (size_t i = 0; lx && i < lx->count; i++)
        if (strcmp(lx->items[i].name, name) == 0) return lx->items[i].regex;
    return NULL;
}

int lexicon_atoms(const lexicon_set *lx, const char *name, char *const **atoms, const size_t **befores,
                  size_t *count, size_t *width)
{
    for (size_t i = 0; lx && i < lx->count; i++) {
        if (strcmp(lx->items[i].name, name) == 0) {
            *atoms = lx->items[i].atoms;
            *befores = lx->items[i].befores;
            *count = lx->items[i].atom_count;
            *width = lx->items[i].width;
            return 0;
        }
    }
    return -1;
}

const char *lexicon_closest(const lexicon_set *lx, const char *name)
{
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t i = 0; lx && i < lx->count; i++) {
        size_t dist = edit_distance(lx->items[i].name, name);
        if (dist < best_d) {
            best_d = dist;
            best = lx->items[i].name;
        }
    }
    return best;
}

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
 *     (?<![\p{L}\p{N}])(?:big boat|dinghy|zodiac|boat|...)(?![\p{L}\p{N}])
 *
 * A '*' at the start or end of a term lets any letters stand there, for
 * prefixes and suffixes ("*بوطي" also matches "البوطي", "pasaport*" also
 * matches "pasaportu").
 */
#include "lexicon.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "normalize.h"
#include "util.h"

typedef struct lexicon {
    char *name;
    char *regex;
} lexicon;

struct lexicon_set {
    lexicon *items;
    size_t   count, cap;
};

static void escape_regex(strbuf *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strchr("\\^$.|?*+()[]{}/#", s[i]) && s[i]) strbuf_putc(out, '\\');
        if (s[i] == ' ') {
            strbuf_puts(out, "\\s+");
            while (i + 1 < n && s[i + 1] == ' ') i++;
            continue;
        }
        strbuf_putc(out, s[i]);
    }
}

void lexicon_term_regex(strbuf *out, const char *term)
{
    size_t n = strlen(term);
    int pre = n > 0 && term[0] == '*';
    int post = n > 1 && term[n - 1] == '*';
    char *core = xstrndup(term + pre, n - (size_t)pre - (size_t)post);
    char *norm = norm_string(core);
    if (pre) strbuf_puts(out, "\\p{L}*");
    escape_regex(out, norm, strlen(norm));
    if (post) strbuf_puts(out, "\\p{L}*");
    free(norm);
    free(core);
}

static int valid_name(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || *s == '_')) return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_')) return 0;
    return 1;
}

static int cmp_len_desc(const void *a, const void *b)
{
    size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);
    if (la != lb) return la < lb ? 1 : -1;
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads one lexicon's `terms:` mapping into an alternation. */
static char *build_regex(const char *file, const ynode *terms, ofs_diags *d)
{
    char **alts = NULL;
    size_t count = 0, cap = 0;
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
            strbuf sb = {0};
            lexicon_term_regex(&sb, t->value);
            if (!sb.buf || !sb.buf[0]) {
                diag_add(d, OFS_WARNING, file, t->line, t->col,
                         "term '%s' is empty after normalisation", t->value);
                strbuf_free(&sb);
                continue;
            }
            int dup = 0;
            for (size_t k = 0; k < count && !dup; k++) dup = strcmp(alts[k], sb.buf) == 0;
            if (dup) strbuf_free(&sb);
            else VEC_PUSH(alts, count, cap, sb.buf);
        }
    }
    qsort(alts, count, sizeof *alts, cmp_len_desc);
    strbuf re = {0};
    strbuf_puts(&re, "(?<![\\p{L}\\p{N}])(?:");
    for (size_t k = 0; k < count; k++) {
        if (k) strbuf_putc(&re, '|');
        strbuf_puts(&re, alts[k]);
        free(alts[k]);
    }
    strbuf_puts(&re, ")(?![\\p{L}\\p{N}])");
    free(alts);
    if (count == 0) {
        strbuf_free(&re);
        return NULL;
    }
    return re.buf;
}

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
            char *re = build_regex(doc->file, terms, d);
            if (!re) {
                diag_add(d, OFS_ERROR, doc->file, terms->line, terms->col, "lexicon '%s' has no terms",
                         key->value);
                continue;
            }
            lexicon item = {xstrdup(key->value), re};
            VEC_PUSH(lx->items, lx->count, lx->cap, item);
        }
    }
    if (ofs_diags_errors(d) > errors) {
        lexicon_free(lx);
        return NULL;
    }
    return lx;
}

void lexicon_free(lexicon_set *lx)
{
    if (!lx) return;
    for (size_t i = 0; i < lx->count; i++) {
        free(lx->items[i].name);
        free(lx->items[i].regex);
    }
    free(lx->items);
    free(lx);
}

const char *lexicon_regex(const lexicon_set *lx, const char *name)
{
    for (size_t i = 0; lx && i < lx->count; i++)
        if (strcmp(lx->items[i].name, name) == 0) return lx->items[i].regex;
    return NULL;
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

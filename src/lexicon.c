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
 *     (?:(?<![\p{L}\p{N}])(?:big\sboat|boat|dinghy|...))(?![\p{L}\p{N}])
 *
 * built as a trie, so that common prefixes are tried once:
 * b(?:ig\sboat|oat). A space is one \s, not \s+: the normaliser leaves
 * no runs of white space, and a repeat costs JIT code in every term that
 * has one (\s+ made the JIT code of the bundled rules a third larger).
 * A '*' at the start or end of a term lets letters stand there, for
 * prefixes and suffixes ("*بوطي" also matches the بوطي of "البوطي",
 * "pasaport*" also matches "pasaportu").
 *
 * A language may also list particles it writes glued to the front of a word
 * (attached_prefixes.yaml: Arabic و ف ب ل ال ...). Its plain terms of at
 * least min_letters letters then match after one of them too: the term
 * "فيزا" also matches "والفيزا" and "بالفيزا", and the match starts at the
 * particle, unless the whole word is a set phrase listed under not_glued
 * ("بالضبط", exactly). A shorter first word of a phrase takes only the
 * particles listed under before_short_words (Arabic و: "ما تقولوش" also
 * matches "وما تقولوش", but not "لما تقولوش"):
 *
 *     (?<![\p{L}\p{N}])(?:(?!(?:بالضبط|...)(?![\p{L}\p{N}]))(?:و(?:ال|)|ب(?:ال|)|...))?(?:فيزا|...)
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
    unsigned char *bounds; /* bounds[i]: ATOM_BOUNDED_* of atoms[i] in every match */
    size_t atom_count, atom_cap;
    size_t width;       /* the most bytes a match spans, or OFS_UNBOUNDED */
} lexicon;

struct lexicon_set {
    lexicon *items;
    size_t   count, cap;
};

/* The particles one language glues to the front of words, as a regex
 * group of their normalised forms: "(?:و(?:ال|ب|)|ب(?:ال|)|...)". */
typedef struct attached_prefixes {
    char  *lang;
    char  *regex;
    char  *first_letters; /* the letters the particles start with, escaped for a class */
    size_t max_bytes;     /* the longest particle, in bytes */
    int    short_words;   /* these go before first words shorter than min_letters */
} attached_prefixes;

typedef struct attached_set {
    attached_prefixes *items;
    size_t             count, cap;
    size_t             min_letters;   /* shorter terms take no particle */
    char              *not_glued;     /* "(?!(?:بالضبط|...)(?![\p{L}\p{N}]))", or NULL */
} attached_set;

static void escape_regex(strbuf *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strchr("\\^$.|?*+()[]{}#", s[i]) && s[i]) strbuf_putc(out, '\\');
        if (s[i] == ' ') { /* one \s: the normalised text has no runs */
            strbuf_puts(out, "\\s");
            while (i + 1 < n && s[i + 1] == ' ') i++;
            continue;
        }
        strbuf_putc(out, s[i]);
    }
}


/* One character (a trie label: a UTF-8 character or " ") for a regex
 * character class. */
static void escape_class(strbuf *out, const char *c)
{
    if (strcmp(c, " ") == 0) {
        strbuf_puts(out, "\\s");
        return;
    }
    if (strchr("\\]^-[", c[0]) && c[0]) strbuf_putc(out, '\\');
    strbuf_puts(out, c);
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

/* Terms' atoms grow word by word up to this many bytes: longer literals
 * filter little better, and make Hyperscan's compile slower and larger. */
enum { ATOM_MAX_BYTES = 16 };

/* The atom of a term: the longest word of its normalised core (clean,
 * trimmed, without the '*' wildcards: pre and post say where it had them),
 * with the words around it while they fit in ATOM_MAX_BYTES: "big boat"
 * -> "big boat", "*بوطي" -> "بوطي". Every match of the term's regex
 * contains it, with one white-space character where the atom has a space
 * (the normaliser leaves no longer runs, and the prefilter reads line
 * breaks as spaces), at most *before bytes after the match starts (the
 * match starts where the core does). Words around filter far better than
 * the word alone: "manda foto" is rare where "manda" is not. *bounds: the
 * sides where the atom meets a space of the term or a term edge that the
 * regex bounds, (?<![\p{L}\p{N}]) or (?![\p{L}\p{N}]); open_start says the
 * start is not bounded (a leading '*', or particles glued in front).
 * malloc'd, or NULL when empty. */
static char *term_atom(const char *clean, int pre, int post, int open_start, size_t *before, unsigned char *bounds)
{
    const char *first = clean; /* where the core, and so the match, starts */
    const char *end = first + strlen(first);
    /* the longest word */
    const char *best = NULL, *best_end = NULL;
    for (const char *p = first; p < end;) {
        while (p < end && *p == ' ') p++;
        const char *start = p;
        while (p < end && *p != ' ') p++;
        if (p > start && (!best || p - start > best_end - best)) {
            best = start;
            best_end = p;
        }
    }
    *before = 0;
    *bounds = 0;
    if (!best) return NULL;
    /* then the words after it, then before it, while they fit */
    for (;;) {
        const char *next_end = best_end;
        if (next_end < end) {
            next_end++; /* the space */
            while (next_end < end && *next_end != ' ') next_end++;
            if (next_end - best <= ATOM_MAX_BYTES) {
                best_end = next_end;
                continue;
            }
        }
        const char *prev = best;
        if (prev > first) {
            prev--; /* the space */
            while (prev > first && prev[-1] != ' ') prev--;
            if (best_end - prev <= ATOM_MAX_BYTES) {
                best = prev;
                continue;
            }
        }
        break;
    }
    char *atom = xstrndup(best, (size_t)(best_end - best));
    *before = core_width(first, (size_t)(best - first));
    if (best > first || !(pre || open_start)) *bounds |= ATOM_BOUNDED_LEFT;
    if (best_end < end || !post) *bounds |= ATOM_BOUNDED_RIGHT;
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
    char               label[5];    /* one UTF-8 character, or " " for white space */
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
            /* normalised text is valid UTF-8: at most 4 bytes */
            while (len < 4 && p[len] && ((unsigned char)p[len] & 0xC0) == 0x80) len++;
        }
        const char *label = *p == ' ' ? " " : p;
        size_t label_len = *p == ' ' ? 1 : len;
        trie_node *next = NULL;
        for (size_t i = 0; i < node->kid_count && !next; i++)
            if (strlen(node->kids[i]->label) == label_len && memcmp(node->kids[i]->label, label, label_len) == 0)
                next = node->kids[i];
        if (!next) {
            next = xcalloc(1, sizeof *next);
            memcpy(next->label, label, label_len);
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

/* Sorts a node's children by label: most nodes have a handful, which an
 * insertion sort puts in order faster than qsort's calls. */
static void sort_kids(trie_node *node)
{
    trie_node **k = node->kids;
    size_t n = node->kid_count;
    if (n > 16) {
        qsort(k, n, sizeof *k, cmp_node);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        trie_node *t = k[i];
        size_t j = i;
        for (; j > 0 && strcmp(k[j - 1]->label, t->label) > 0; j--) k[j] = k[j - 1];
        k[j] = t;
    }
}

static void trie_emit(strbuf *out, trie_node *node)
{
    size_t alts = node->kid_count + (node->end_wild ? 1 : 0) + (node->end_exact && node->kid_count ? 1 : 0);
    sort_kids(node);
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

/* Adds atom (taken) with its distance from the match start and its
 * bounds. Atoms shared by several terms are merged by merge_atoms. */
static void add_atom(lexicon *lex, char *atom, size_t before, unsigned char bounds)
{
    size_t cap = lex->atom_cap;
    VEC_PUSH(lex->atoms, lex->atom_count, lex->atom_cap, atom);
    if (lex->atom_cap != cap) {
        lex->befores = xrealloc(lex->befores, lex->atom_cap * sizeof *lex->befores);
        lex->bounds = xrealloc(lex->bounds, lex->atom_cap * sizeof *lex->bounds);
    }
    lex->befores[lex->atom_count - 1] = before;
    lex->bounds[lex->atom_count - 1] = bounds;
}

typedef struct atom_ref { const char *atom; size_t index; } atom_ref;

static int cmp_atom_ref(const void *a, const void *b)
{
    const atom_ref *x = a, *y = b;
    int c = strcmp(x->atom, y->atom);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* Merges the atoms that several terms share: the first keeps the largest
 * distance and the bounds they all have, in the order the atoms were
 * added. By sorting, not by a search per atom: a lexicon has thousands. */
static void merge_atoms(lexicon *lex)
{
    size_t n = lex->atom_count;
    if (n < 2) return;
    atom_ref *order = xcalloc(n, sizeof *order);
    for (size_t i = 0; i < n; i++) order[i] = (atom_ref){lex->atoms[i], i};
    qsort(order, n, sizeof *order, cmp_atom_ref);
    size_t keep = order[0].index;
    for (size_t k = 1; k < n; k++) {
        size_t dup = order[k].index;
        if (strcmp(lex->atoms[keep], order[k].atom) != 0) {
            keep = dup; /* the first of a new run */
            continue;
        }
        if (lex->befores[dup] > lex->befores[keep]) lex->befores[keep] = lex->befores[dup];
        lex->bounds[keep] &= lex->bounds[dup];
        free(lex->atoms[dup]);
        lex->atoms[dup] = NULL;
    }
    free(order);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (!lex->atoms[i]) continue;
        lex->atoms[kept] = lex->atoms[i];
        lex->befores[kept] = lex->befores[i];
        lex->bounds[kept] = lex->bounds[i];
        kept++;
    }
    lex->atom_count = kept;
}

/* The letters of the first word of a normalised term. */
static size_t first_word_letters(const char *s)
{
    size_t n = 0;
    for (; *s && *s != ' '; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static char *build_regex(const char *file, const ynode *terms, ofs_diags *d, lexicon *lex, const attached_set *at)
{
    /* plain: terms that start at a word boundary; prefixed: terms with a
     * leading '*', which may follow letters; glued[k]: plain terms of the
     * language of at->items[k], which may also follow one of its particles. */
    trie_node *plain = xcalloc(1, sizeof *plain), *prefixed = xcalloc(1, sizeof *prefixed);
    trie_node **glued = xcalloc(at->count + 1, sizeof *glued);
    for (size_t k = 0; k < at->count; k++) glued[k] = xcalloc(1, sizeof **glued);
    ofs_norm *nz = norm_create();
    size_t count = 0;
    for (size_t i = 0; i < terms->count; i++) {
        const ynode *list = terms->items[i];
        /* the language's particles, [0] before words of min_letters or more, [1] before shorter ones */
        const attached_prefixes *particles[2] = {NULL, NULL};
        trie_node *glued_trie[2] = {NULL, NULL};
        for (size_t k = 0; k < at->count; k++) {
            int sw = at->items[k].short_words != 0;
            if (!particles[sw] && strcmp(at->items[k].lang, terms->keys[i]->value) == 0) {
                particles[sw] = &at->items[k];
                glued_trie[sw] = glued[k];
            }
        }
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
            char *norm = norm_string_with(nz, core);
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
            /* a short first word takes particles only in a phrase ("ما تقولوش"):
             * alone, a two-letter word after "و" is too often another word */
            int sw = first_word_letters(clean) < at->min_letters;
            int glue = particles[sw] && !pre && (!sw || strchr(clean, ' '));
            size_t extra = glue ? particles[sw]->max_bytes : 0;
            if (trie_add(pre ? prefixed : glue ? glued_trie[sw] : plain, clean, post)) {
                count++;
                size_t w = post ? OFS_UNBOUNDED : core_width(clean, len) + extra;
                if (w > lex->width) lex->width = w;
                size_t before = 0;
                unsigned char bounds = 0;
                char *atom = term_atom(clean, pre, post, glue, &before, &bounds);
                if (atom) add_atom(lex, atom, before + extra, bounds);
            }
            free(clean);
            free(norm);
        }
    }
    norm_free(nz);
    merge_atoms(lex);
    /* A term with a leading '*' may end a longer word: it is matched where
     * no digit precedes it, and its span starts at the term. (Matching the
     * letters before it with \p{L}* would try every start position inside
     * every word, and stop PCRE2 from skipping ahead to a possible first
     * character.) */
    strbuf re = {0};
    strbuf_puts(&re, "(?:");
    int alternatives = 0;
    if (plain->kid_count) {
        strbuf_puts(&re, "(?<![\\p{L}\\p{N}])");
        trie_emit(&re, plain);
        alternatives++;
    }
    for (size_t k = 0; k < at->count; k++) {
        if (!glued[k]->kid_count) continue;
        if (alternatives++) strbuf_putc(&re, '|');
        /* the letters such a match can start with, checked first: most
         * positions of most texts fail there at once */
        strbuf_puts(&re, "(?=[");
        for (size_t i = 0; i < glued[k]->kid_count; i++) escape_class(&re, glued[k]->kids[i]->label);
        strbuf_puts(&re, at->items[k].first_letters);
        strbuf_puts(&re, "])(?<![\\p{L}\\p{N}])(?:");
        if (at->not_glued) strbuf_puts(&re, at->not_glued); /* no particle in a set phrase */
        strbuf_puts(&re, at->items[k].regex);
        strbuf_puts(&re, ")?(?:");
        trie_emit(&re, glued[k]);
        strbuf_putc(&re, ')');
    }
    if (prefixed->kid_count) {
        if (alternatives++) strbuf_putc(&re, '|');
        strbuf_puts(&re, "(?<!\\p{N})");
        trie_emit(&re, prefixed);
    }
    strbuf_puts(&re, ")(?![\\p{L}\\p{N}])");
    trie_free(plain);
    trie_free(prefixed);
    for (size_t k = 0; k < at->count; k++) trie_free(glued[k]);
    free(glued);
    if (count == 0) {
        strbuf_free(&re);
        return NULL;
    }
    return re.buf;
}

static void lexicon_free_one(lexicon *l);

static const char *const lexicon_keys[] = {"description", "terms", NULL};

static void attached_free(attached_set *at)
{
    free(at->not_glued);
    for (size_t i = 0; i < at->count; i++) {
        free(at->items[i].lang);
        free(at->items[i].regex);
        free(at->items[i].first_letters);
    }
    free(at->items);
}

/* The normalised items of list, each one word, in a malloc'd array of
 * *n malloc'd strings; an item that is not one word is an error in d
 * (what names it: "a particle"). */
static char **normalised_words(const char *file, const ynode *list, const char *what, ofs_diags *d, size_t *n)
{
    char **words = xcalloc(list->count + 1, sizeof *words);
    *n = 0;
    for (size_t j = 0; j < list->count; j++) {
        const ynode *t = list->items[j];
        char *norm = t->kind == YNODE_SCALAR ? norm_string(t->value) : NULL;
        if (!norm || !norm[0] || strchr(norm, ' ')) {
            diag_add(d, OFS_ERROR, file, t->line, t->col, "%s must be one word of letters", what);
            free(norm);
            continue;
        }
        words[(*n)++] = norm;
    }
    return words;
}

static void words_free(char **words, size_t n)
{
    for (size_t j = 0; j < n; j++) free(words[j]);
    free(words);
}

/* The mapping under doc's top-level key, or NULL when there is none or
 * (an error in d) it is not a mapping; what says what it must be. */
static const ynode *top_mapping(const ydoc *doc, const char *key, const char *what, ofs_diags *d)
{
    const ynode *all = ynode_get(doc->root, key);
    if (all && all->kind != YNODE_MAP) {
        diag_add(d, OFS_ERROR, doc->file, all->line, all->col, "'%s' must be %s, not %s", key, what,
                 ynode_kind_name(all));
        return NULL;
    }
    return all;
}

/* "(?!(?:بالضبط|...)(?![\p{L}\p{N}]))" for the set phrases words[0..n):
 * a trie like the particles, tried where a particle might start. */
static char *not_glued_regex(char **words, size_t n)
{
    trie_node *set = xcalloc(1, sizeof *set);
    for (size_t j = 0; j < n; j++) trie_add(set, words[j], 0);
    strbuf sb = {0};
    strbuf_puts(&sb, "(?!(?:");
    trie_emit(&sb, set);
    strbuf_puts(&sb, ")(?![\\p{L}\\p{N}]))");
    trie_free(set);
    return sb.buf;
}

/* The particles words[0..n) of language lang. As a trie, like the terms:
 * "و(?:ال|ب|)|ب(?:ال|)|..." tries a few letters at each position, not every
 * particle. The text has its doubled letters collapsed, so "ال" + "لجوء"
 * reads "الجوء": a particle of two letters or more also stands without its
 * last letter when the term starts with that letter, "ا(?=ل)" (one trie per
 * such last letter). Changes the words (it cuts their last letters). */
static attached_prefixes particles_of(const char *lang, char **words, size_t n)
{
    trie_node *particles = xcalloc(1, sizeof *particles);
    trie_node **shortened = NULL;  /* shortened[k]: the particles ending in lasts[k], cut */
    char **lasts = NULL;
    size_t last_count = 0, last_cap = 0, longest = 0;
    for (size_t j = 0; j < n; j++) {
        char *word = words[j];
        trie_add(particles, word, 0);
        size_t len = strlen(word), last = len;
        if (len > longest) longest = len;
        while (last > 0 && ((unsigned char)word[--last] & 0xC0) == 0x80) {}
        if (last == 0) continue; /* one letter */
        size_t k = 0;
        while (k < last_count && strcmp(lasts[k], word + last) != 0) k++;
        if (k == last_count) {
            size_t cap = last_cap;
            VEC_PUSH(lasts, last_count, last_cap, xstrdup(word + last));
            if (last_cap != cap) shortened = xrealloc(shortened, last_cap * sizeof *shortened);
            shortened[k] = xcalloc(1, sizeof **shortened);
        }
        word[last] = '\0';
        trie_add(shortened[k], word, 0);
    }
    strbuf re = {0}, first = {0};
    strbuf_puts(&re, "(?:");
    trie_emit(&re, particles);
    for (size_t k = 0; k < last_count; k++) {
        strbuf_puts(&re, "|(?:");
        trie_emit(&re, shortened[k]);
        strbuf_puts(&re, ")(?=");
        escape_regex(&re, lasts[k], strlen(lasts[k]));
        strbuf_putc(&re, ')');
        trie_free(shortened[k]);
        free(lasts[k]);
    }
    strbuf_putc(&re, ')');
    for (size_t p = 0; p < particles->kid_count; p++) escape_class(&first, particles->kids[p]->label);
    trie_free(particles);
    free(shortened);
    free(lasts);
    return (attached_prefixes){xstrdup(lang), re.buf, first.buf ? first.buf : xstrdup(""), longest, 0};
}

/* Adds the particles of language lang (words[0..n)), before first words
 * shorter than min_letters when short_words. */
static void attached_add(attached_set *at, const char *lang, char **words, size_t n, int short_words)
{
    attached_prefixes a = particles_of(lang, words, n);
    a.short_words = short_words;
    VEC_PUSH(at->items, at->count, at->cap, a);
}

/* The normalised words of list, the value of key, in *n of them; an error
 * in d (and NULL, *n 0) when it is not a non-empty list. what names an
 * item in errors ("a particle"). Free with words_free. */
static char **word_list(const ydoc *doc, const char *key, const ynode *list, const char *what, ofs_diags *d,
                        size_t *n)
{
    *n = 0;
    if (list->kind != YNODE_SEQ || list->count == 0) {
        diag_add(d, OFS_ERROR, doc->file, list->line, list->col, "'%s' must be a non-empty list of words", key);
        return NULL;
    }
    return normalised_words(doc->file, list, what, d, n);
}

/* Reads before_short_words: a mapping of languages to lists of particles. */
static void short_words_load(const ydoc *doc, const ynode *map, ofs_diags *d, attached_set *at)
{
    if (map->kind != YNODE_MAP) {
        diag_add(d, OFS_ERROR, doc->file, map->line, map->col,
                 "'before_short_words' must be a mapping of languages to lists of particles, not %s",
                 ynode_kind_name(map));
        return;
    }
    for (size_t j = 0; j < map->count; j++) {
        size_t n;
        char **words = word_list(doc, map->keys[j]->value, map->items[j], "a particle", d, &n);
        if (n) attached_add(at, map->keys[j]->value, words, n, 1);
        words_free(words, n);
    }
}

/* Reads the `attached_prefixes:` mapping (min_letters, then a list of
 * particles per language) of whichever file has one. */
static void attached_load(const ofs_bundle *b, ofs_diags *d, attached_set *at)
{
    at->min_letters = 3;
    for (size_t f = 0; f < b->count; f++) {
        const ydoc *doc = b->docs[f];
        const ynode *all = top_mapping(doc, "attached_prefixes", "a mapping of languages to lists of particles", d);
        if (!all) continue;
        for (size_t i = 0; i < all->count; i++) {
            const ynode *key = all->keys[i], *list = all->items[i];
            if (strcmp(key->value, "min_letters") == 0) {
                double v;
                if (ynode_number(list, &v) != 0 || v < 1 || v > 20 || v != (double)(size_t)v)
                    diag_add(d, OFS_ERROR, doc->file, list->line, list->col,
                             "'min_letters' must be a whole number from 1 to 20");
                else
                    at->min_letters = (size_t)v;
                continue;
            }
            if (strcmp(key->value, "before_short_words") == 0) {
                short_words_load(doc, list, d, at);
                continue;
            }
            int set_phrases = strcmp(key->value, "not_glued") == 0;
            size_t n;
            char **words =
                word_list(doc, key->value, list, set_phrases ? "a word in 'not_glued'" : "a particle", d, &n);
            if (n && set_phrases) {
                free(at->not_glued);
                at->not_glued = not_glued_regex(words, n);
            } else if (n) {
                attached_add(at, key->value, words, n, 0);
            }
            words_free(words, n);
        }
    }
}

lexicon_set *lexicon_load(const ofs_bundle *b, ofs_diags *d)
{
    lexicon_set *lx = xcalloc(1, sizeof *lx);
    size_t errors = ofs_diags_errors(d);
    attached_set at = {0};
    attached_load(b, d, &at);
    for (size_t f = 0; f < b->count; f++) {
        const ydoc *doc = b->docs[f];
        const ynode *all = top_mapping(doc, "lexicons", "a mapping of names to lexicons", d);
        if (!all) continue;
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
            lexicon item = {xstrdup(key->value), NULL, NULL, NULL, NULL, 0, 0, 0};
            char *re = build_regex(doc->file, terms, d, &item, &at);
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
    attached_free(&at);
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
    free(l->bounds);
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
                  const unsigned char **bounds, size_t *count, size_t *width)
{
    for (size_t i = 0; lx && i < lx->count; i++) {
        if (strcmp(lx->items[i].name, name) == 0) {
            *atoms = lx->items[i].atoms;
            *befores = lx->items[i].befores;
            *bounds = lx->items[i].bounds;
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

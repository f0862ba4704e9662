/* lexicon.h: named lists of terms per language (the YAML files in rules/lexicon/),
 * referenced from patterns as {name}. Internal to the library. */
#ifndef OFS_LEXICON_H
#define OFS_LEXICON_H

#include "bundle.h"

typedef struct lexicon_set lexicon_set;

/* Loads every `lexicons:` file of the bundle. Each lexicon becomes one
 * regex alternation of its normalised terms. Returns the set (free with
 * lexicon_free), or NULL after adding errors to d. */
lexicon_set *lexicon_load(const ofs_bundle *b, ofs_diags *d);
void lexicon_free(lexicon_set *lx);

/* The regex for lexicon name (owned by the set), or NULL when unknown. */
const char *lexicon_regex(const lexicon_set *lx, const char *name);
/* The known name closest to name, for "did you mean", or NULL. */
const char *lexicon_closest(const lexicon_set *lx, const char *name);

/* Appends to out the regex for one term as an analyst writes it: the term
 * is normalised like the text and escaped; a leading or trailing '*' allows
 * any letters before or after it. No word boundaries are added. */
struct strbuf;
void lexicon_term_regex(struct strbuf *out, const char *term);

#endif

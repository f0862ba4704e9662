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
/* A width or distance in bytes with no bound. */
#define OFS_UNBOUNDED ((size_t)-1)

/* What stands next to an atom in every match that contains it: no letter
 * or digit just before it (ATOM_BOUNDED_LEFT), just after it
 * (ATOM_BOUNDED_RIGHT). The prefilter skips an atom found inside a word. */
enum { ATOM_BOUNDED_LEFT = 1, ATOM_BOUNDED_RIGHT = 2 };

/* The atoms of lexicon name: for each term, a literal that every match of
 * the term contains (see term_atom in lexicon.c), owned by the set, in
 * befores[i] the most bytes a match may start before atoms[i] does, and in
 * bounds[i] its ATOM_BOUNDED_* flags. *width is the most bytes a match
 * spans (OFS_UNBOUNDED with a trailing '*'). Returns 0, or -1 when the
 * lexicon is unknown. */
int lexicon_atoms(const lexicon_set *lx, const char *name, char *const **atoms, const size_t **befores,
                  const unsigned char **bounds, size_t *count, size_t *width);

/* The known name closest to name, for "did you mean", or NULL. */
const char *lexicon_closest(const lexicon_set *lx, const char *name);



#endif

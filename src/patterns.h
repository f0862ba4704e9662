/* patterns.h: every distinct rule pattern, expanded and compiled once.
 * Internal to the library.
 *
 * Rules name their patterns; many rules share a pattern such as "{boat}".
 * The table keeps each distinct expanded regex once, compiled with PCRE2
 * (UTF, Unicode properties, JIT; no caseless: the text is case-folded), so a scan evaluates each at
 * most once per record however many rules use it.
 */
#ifndef OFS_PATTERNS_H
#define OFS_PATTERNS_H

#include <stddef.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "lexicon.h"
#include "offerscan.h"

typedef struct pattern_table pattern_table;

/* Returns an empty table. Free with pattern_table_free (NULL is fine). */
pattern_table *pattern_table_create(void);
void pattern_table_free(pattern_table *t);

/* Expands and compiles source as written at file:line:col. Lexicon
 * references {name} are replaced by the lexicon's alternation; literal text
 * is normalised like the scanned text. Each top-level alternative of the
 * pattern ("{boat}|{crossing_term}") becomes a unit compiled on its own
 * (identical units are shared across patterns). Returns the pattern's id
 * (the same id for the same expansion), or -1 after adding an error to d:
 * an unknown lexicon (with a did-you-mean) or a regex error with its
 * offset. */
long pattern_table_add(pattern_table *t, const lexicon_set *lx, const char *source, const char *file,
                       int line, int col, ofs_diags *d);

/* Frees what only adding patterns needs (each unit's expanded regex, kept
 * to find a unit written twice), a few MB with the bundled rules: call it
 * once every pattern is added. Units added afterwards are not shared with
 * earlier ones. */
void pattern_table_loaded(pattern_table *t);

/* Number of patterns, and pattern id's expanded regex (owned by the table). */
size_t pattern_table_count(const pattern_table *t);
const char *pattern_table_regex(const pattern_table *t, size_t id);

/* Number of units (alternatives compiled on their own) in the table, and
 * the units of pattern id, in order, in *units (owned by the table):
 * returns their number. */
size_t pattern_table_unit_count(const pattern_table *t);
size_t pattern_table_units(const pattern_table *t, size_t id, const size_t **units);

/* The atoms of a unit: literals one of which every match contains (owned
 * by the table), in befores[i] the most bytes a match may start before
 * atoms[i] starts (OFS_UNBOUNDED when no bound is known), and in bounds[i]
 * the ATOM_BOUNDED_* flags (lexicon.h) that hold in every match. A class
 * atom is the marker byte 0x01 and the class's regex ("\x01[€$£]").
 * Returns 0, or -1 when the unit has none and must always be run. */
int pattern_table_unit_atoms(const pattern_table *t, size_t unit, char *const **atoms, const size_t **befores,
                             const unsigned char **bounds, size_t *count);
/* Frees every unit's atoms, once the prefilter has been compiled from them
 * (3 MB with the bundled rules, held for the whole run otherwise);
 * pattern_table_unit_atoms then returns -1 for every unit. */
void pattern_table_drop_atoms(pattern_table *t);

/* Expands source as pattern_table_add does, without compiling. Returns a
 * malloc'd regex, or NULL with *bad_ref set to the unknown lexicon name (a
 * malloc'd string the caller frees) and *bad_offset to its offset. */
char *pattern_expand(const lexicon_set *lx, const char *source, char **bad_ref, size_t *bad_offset);

/* Lets the table's units be compiled to machine code (PCRE2 JIT), which
 * matches several times faster than the interpreter but takes about 15
 * times the memory. Each unit is compiled the first time a matcher
 * searches it, so a unit the prefilter never lets through costs neither
 * the time nor the memory. Matchers may then run in several threads; the
 * call itself is not thread-safe: make it before any matcher runs. */
void pattern_table_jit(pattern_table *t);

/* Per-thread matching state for a table: match data and a match context
 * carrying the limits. */
typedef struct pattern_matcher pattern_matcher;
pattern_matcher *pattern_matcher_create(const pattern_table *t, unsigned match_limit, unsigned depth_limit);
void pattern_matcher_free(pattern_matcher *m);

/* Starts a new text: the matcher remembers each unit's last search (many
 * patterns share a unit, and they are all run on the same text), and
 * forgets it here. Call it before the first pattern_find_all of a text,
 * and again whenever the text or the windows given for a unit change. */
void pattern_matcher_new_text(pattern_matcher *m);

/* What the prefilter says of one unit of a pattern for this text. */
typedef struct unit_search {
    int             skip;          /* 1: the unit cannot match */
    const ofs_span *windows;       /* where its matches can start (sorted, disjoint, [start, end]
                                    * both included), or NULL: anywhere */
    size_t          window_count;
} unit_search;

/* Finds up to max non-overlapping matches of pattern id in text[0..len)
 * (normalised, valid UTF-8), leftmost first, as PCRE2 would with the whole
 * alternation, storing them in out and their number in *n. search holds one
 * entry per unit of the pattern, or is NULL to search every unit in the
 * whole text; the result is the same either way as long as the windows hold
 * every offset where a unit's match can start. Returns 0, or a PCRE2 error
 * code (such as PCRE2_ERROR_MATCHLIMIT) when matching stopped; the matches
 * found before it are kept. */
int pattern_find_all(pattern_matcher *m, size_t id, const char *text, size_t len, const unit_search *search,
                     ofs_span *out, size_t max, size_t *n);

/* A readable message for a PCRE2 error code, in buf. */
void pattern_error_message(int code, char *buf, size_t size);

#endif

/* prefilter.h: Hyperscan (or Vectorscan) databases over the atoms of every
 * unit of a rule set's patterns (see patterns.h), so that PCRE2 only
 * confirms the units that can match a record, and only near their atoms.
 * Internal. Without libhs, prefilter_build returns NULL and every unit is a
 * candidate, searched in the whole text. */
#ifndef OFS_PREFILTER_H
#define OFS_PREFILTER_H

#include <stddef.h>

#include "patterns.h"

typedef struct prefilter prefilter;
typedef struct prefilter_scratch prefilter_scratch;

/* Compiles the atoms of the table's units into the databases. Units
 * without atoms are always candidates. With a cache_dir (may be NULL),
 * databases compiled for the same atoms before are read from there, and
 * new ones are written there (a write that fails is skipped). Returns NULL
 * when libhs is not built in or the database cannot be built (then every
 * unit is a candidate). Up to `threads` threads compile parts of the
 * literals at once (at most 2: each adds its compile's memory to the
 * peak). Free with prefilter_free. */
prefilter *prefilter_build(const pattern_table *t, const char *cache_dir, int threads);
void prefilter_free(prefilter *p);

/* Per-thread scratch space; NULL when p is NULL or out of memory. Free
 * with prefilter_scratch_free. */
prefilter_scratch *prefilter_scratch_create(const prefilter *p);
void prefilter_scratch_free(prefilter_scratch *s);

/* Scans text[0..len) for every atom: afterwards, prefilter_candidates(s)[u]
 * is 1 for every unit that may match the text (the units without atoms
 * included), and prefilter_windows says where. Returns 0, or -1 when the
 * scan failed (then treat every unit as a candidate, anywhere). */
int prefilter_scan(prefilter_scratch *s, const char *text, size_t len);

/* After prefilter_scan: candidates[u] for every unit (owned by s). */
const unsigned char *prefilter_candidates(const prefilter_scratch *s);

/* After prefilter_scan: the units whose atoms were found, each once, in
 * *units (owned by s); returns their number. The units without atoms are
 * candidates too (prefilter_always). */
size_t prefilter_found(const prefilter_scratch *s, const size_t **units);

/* always[u] for every unit: 1 when unit u has no atoms (or only class
 * atoms that could not be compiled), so is a candidate on every text.
 * Owned by p; NULL without libhs. */
const unsigned char *prefilter_always(const prefilter *p);

/* After prefilter_scan, where a match of candidate unit u can start:
 * sorted, disjoint windows [start, end] (both included) around the atoms
 * found, owned by s until its next scan. Returns their number; returns 0
 * with *windows NULL when they are not known (the unit has no atoms, the
 * record had too many atom hits, or there is no prefilter): then search
 * the whole text. */
size_t prefilter_windows(const prefilter_scratch *s, size_t u, const ofs_span **windows);

#endif

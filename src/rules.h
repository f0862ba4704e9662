/* rules.h: the compiled rule set (struct ofs_rules) as the loader builds it
 * and the scanner reads it. Internal to the library.
 *
 * A rule set is: lexicons (named term lists), rules (each with named
 * patterns, conditions over them, a label and a weight), thresholds, and
 * the extractors' data. It is built once by rules_build and is read-only
 * afterwards, so threads share it.
 */
#ifndef OFS_RULES_H
#define OFS_RULES_H

#include <pthread.h>
#include <stddef.h>

#include "bundle.h"
#include "extract.h"
#include "lexicon.h"
#include "offerscan.h"
#include "patterns.h"
#include "prefilter.h"

/* "terms within N words of each other": words between the end of the
 * earlier match and the start of the later one, at most `within`. */
typedef struct near_cond {
    size_t a, b;              /* indexes into the rule's patterns */
    int    within;
    int    line, col;
} near_cond;

typedef struct rule_example {
    char *text;
    int   must_match;         /* 1: in `match:`, 0: in `no_match:` */
    char *expect_json;        /* for a mapping example: its routes/prices as JSON, or NULL */
    int   line, col;
} rule_example;

typedef struct rule_pattern {
    char  *name;
    size_t id;                /* index in the rule set's pattern table */
    int    line, col;
} rule_pattern;

typedef struct rule {
    char         *id;
    char         *description;
    char         *file;
    int           line, col;
    char         *label_text;   /* "crossing_offer" or "a,b" */
    unsigned      label_mask;
    double        weight;
    char        **languages;
    size_t        language_count;
    rule_pattern *patterns;
    size_t        pattern_count;
    size_t       *all, *any, *none;  /* indexes into patterns */
    size_t        all_count, any_count, none_count;
    near_cond    *near;
    size_t        near_count;
    rule_example *examples;
    size_t        example_count;
} rule;

typedef struct scan_limits {
    unsigned match_limit;     /* PCRE2 match limit per pattern call */
    unsigned depth_limit;     /* PCRE2 depth limit */
    size_t   max_matches;     /* matches kept per pattern per record */
} scan_limits;

struct ofs_rules {
    lexicon_set   *lexicons;  /* while the rules are read; NULL after rules_build */
    pattern_table *patterns;
    rule          *rules;
    size_t         rule_count;
    double         threshold[OFS_LABEL_COUNT];
    scan_limits    limits;
    gazetteer     *gazetteer;
    price_data    *prices;
    contact_data  *contacts;
    document_data *documents;
    /* unit_rules[unit_rule_first[u] .. unit_rule_first[u + 1]): the rules,
     * ascending, that a match of unit u can make fire (u is in one of their
     * patterns other than a `none` one). */
    size_t        *unit_rule_first, *unit_rules;
    /* The prefilter is compiled when the first scanner is created (lint
     * never pays for it), reading and writing its database in cache_dir
     * when one is set; prefilter_lock guards that one write. */
    pthread_mutex_t prefilter_lock;
    int             prefilter_built;
    prefilter      *prefilter;
    char           *cache_dir;
};

/* The rule set's prefilter, compiled on first use (thread-safe: call it
 * before scanning), when the patterns' JIT compiling is switched on too;
 * NULL when there is none. rules_prefilter_threads lets up to `threads`
 * threads compile it (prefilter_build), if this call is the first;
 * rules_prefilter compiles in one. */
const prefilter *rules_prefilter(const ofs_rules *rs);
const prefilter *rules_prefilter_threads(const ofs_rules *rs, int threads);

/* Builds a rule set from a loaded bundle. Every problem (with its position)
 * goes to d. Returns NULL when there were errors; with lint_only set, the
 * extractors' data is not loaded. The bundle may be freed afterwards. */
ofs_rules *rules_build(const ofs_bundle *b, ofs_diags *d);

#endif

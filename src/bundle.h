/* bundle.h: the set of YAML files that make up a rule set, read from a
 * directory or from the copy of rules/ built into the library, each parsed
 * once into a yamldoc. Every loader (rules, lexicons, config, gazetteer,
 * currencies) picks its files by their top-level key. */
#ifndef OFS_BUNDLE_H
#define OFS_BUNDLE_H

#include "yamldoc.h"

typedef struct ofs_bundle {
    ydoc  **docs;      /* sorted by file path */
    size_t  count;
} ofs_bundle;

/* Reads every *.yaml file under dir (recursively; README and other files are
 * ignored), naming each by its path. Returns NULL after adding errors to d
 * when a file cannot be read or parsed, or when dir holds no YAML file. */
ofs_bundle *bundle_load_dir(const char *dir, ofs_diags *d);
/* The same for the rules/ built into the library. */
ofs_bundle *bundle_load_builtin(ofs_diags *d);
void bundle_free(ofs_bundle *b);

/* The built-in files, generated at build time from rules/ (builtin_rules.c). */
typedef struct builtin_file { const char *path; const unsigned char *data; size_t len; } builtin_file;
extern const builtin_file builtin_rule_files[];
extern const size_t builtin_rule_file_count;

#endif

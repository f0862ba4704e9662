/* yamldoc.h: a YAML document as a tree of nodes that remember their line
 * and column, read with libyaml. Every module that reads rule data (rules,
 * lexicons, gazetteer, config) uses it, so every error names file:line:col.
 */
#ifndef OFS_YAMLDOC_H
#define OFS_YAMLDOC_H

#include <stddef.h>

#include "offerscan.h"

typedef enum { YNODE_SCALAR, YNODE_SEQ, YNODE_MAP } ynode_kind;

typedef struct ynode ynode;
struct ynode {
    ynode_kind kind;
    int        line, col;       /* 1-based position of the node's start */
    char      *value;           /* scalar text, NUL-terminated */
    int        plain;           /* scalar written without quotes */
    ynode    **items;           /* sequence items, or map values */
    ynode    **keys;            /* map keys (scalars) */
    size_t     count;
};

typedef struct ydoc {
    char  *file;
    ynode *root;                /* NULL for an empty document */
} ydoc;

/* Largest rule file accepted, and deepest nesting. */
#define YDOC_MAX_BYTES (16u << 20)
#define YDOC_MAX_DEPTH 64

/* Parses data[0..len) named file. Returns the document (free with
 * ydoc_free), or NULL after adding an error with the position to d. */
ydoc *ydoc_parse(const char *file, const char *data, size_t len, ofs_diags *d);
void ydoc_free(ydoc *doc);

/* The value under key in a map node, or NULL (also when map is not a map). */
const ynode *ynode_get(const ynode *map, const char *key);
/* Human name of a node kind: "a string", "a list", "a mapping". */
const char *ynode_kind_name(const ynode *n);

/* Parses a scalar as a number. Returns 0 and sets *out, or -1. */
int ynode_number(const ynode *n, double *out);

/* Adds an error for each key of map that is not in the NULL-terminated
 * list known, with a did-you-mean when one is close. */
void ynode_check_keys(const char *file, const ynode *map, const char *const *known, ofs_diags *d);

/* The node as a JSON value (jansson): plain numbers become numbers, plain
 * null/~ null, true/false booleans. The caller owns the reference. */
struct json_t;
struct json_t *ynode_to_json(const ynode *n);

#endif

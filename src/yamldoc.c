/* yamldoc.c: libyaml events folded into a node tree with positions. */
#include "yamldoc.h"

#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <yaml.h>

#include "diag.h"
#include "util.h"

static ynode *node_new(ynode_kind kind, const yaml_mark_t *m)
{
    ynode *n = xcalloc(1, sizeof *n);
    n->kind = kind;
    n->line = (int)m->line + 1;
    n->col = (int)m->column + 1;
    return n;
}

static void node_free(ynode *n)
{
    if (!n) return;
    for (size_t i = 0; i < n->count; i++) {
        node_free(n->items[i]);
        if (n->keys) node_free(n->keys[i]);
    }
    free(n->items);
    free(n->keys);
    free(n->value);
    free(n);
}

void ydoc_free(ydoc *doc)
{
    if (!doc) return;
    node_free(doc->root);
    free(doc->file);
    free(doc);
}

typedef struct parse_state {
    yaml_parser_t parser;
    const char   *file;
    ofs_diags    *diags;
} parse_state;

static void report_parser_error(parse_state *ps)
{
    yaml_parser_t *p = &ps->parser;
    const yaml_mark_t *m = p->problem ? &p->problem_mark : &p->context_mark;
    diag_add(ps->diags, OFS_ERROR, ps->file, (int)m->line + 1, (int)m->column + 1,
             "YAML syntax error: %s%s%s", p->problem ? p->problem : "malformed document",
             p->context ? " " : "", p->context ? p->context : "");
}

/* Parses one node whose first event is ev (consumed). Returns NULL on error. */
static ynode *parse_node(parse_state *ps, yaml_event_t *ev, int depth)
{
    if (depth > YDOC_MAX_DEPTH) {
        diag_add(ps->diags, OFS_ERROR, ps->file, (int)ev->start_mark.line + 1,
                 (int)ev->start_mark.column + 1, "nesting deeper than %d levels", YDOC_MAX_DEPTH);
        yaml_event_delete(ev);
        return NULL;
    }
    ynode *n = NULL;
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        n = node_new(YNODE_SCALAR, &ev->start_mark);
        n->value = xstrndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
        n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        yaml_event_delete(ev);
        return n;
    case YAML_ALIAS_EVENT:
        diag_add(ps->diags, OFS_ERROR, ps->file, (int)ev->start_mark.line + 1,
                 (int)ev->start_mark.column + 1, "YAML aliases (*name) are not supported in rule files");
        yaml_event_delete(ev);
        return NULL;
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        int is_map = ev->type == YAML_MAPPING_START_EVENT;
        n = node_new(is_map ? YNODE_MAP : YNODE_SEQ, &ev->start_mark);
        yaml_event_delete(ev);
        size_t cap = 0, kcap = 0, kcount = 0;
        for (;;) {
            yaml_event_t child;
            if (!yaml_parser_parse(&ps->parser, &child)) {
                report_parser_error(ps);
                if (is_map && kcount > n->count) node_free(n->keys[kcount - 1]);
                node_free(n);
                return NULL;
            }
            if (child.type == YAML_SEQUENCE_END_EVENT || child.type == YAML_MAPPING_END_EVENT) {
                yaml_event_delete(&child);
                break;
            }
            ynode *c = parse_node(ps, &child, depth + 1);
            if (!c) {
                if (is_map && kcount > n->count) node_free(n->keys[kcount - 1]); /* a key without its value */
                node_free(n);
                return NULL;
            }
            if (is_map && kcount == n->count) {
                if (c->kind != YNODE_SCALAR) {
                    diag_add(ps->diags, OFS_ERROR, ps->file, c->line, c->col,
                             "a mapping key must be a plain string");
                    node_free(c);
                    node_free(n);
                    return NULL;
                }
                for (size_t i = 0; i < kcount; i++) {
                    if (strcmp(n->keys[i]->value, c->value) == 0) {
                        diag_add(ps->diags, OFS_ERROR, ps->file, c->line, c->col,
                                 "duplicate key '%s' (first at line %d)", c->value, n->keys[i]->line);
                        node_free(c);
                        node_free(n);
                        return NULL;
                    }
                }
                VEC_PUSH(n->keys, kcount, kcap, c);
            } else {
                VEC_PUSH(n->items, n->count, cap, c);
            }
        }
        return n;
    }
    default:
        diag_add(ps->diags, OFS_ERROR, ps->file, (int)ev->start_mark.line + 1,
                 (int)ev->start_mark.column + 1, "unexpected YAML event");
        yaml_event_delete(ev);
        return NULL;
    }
}

ydoc *ydoc_parse(const char *file, const char *data, size_t len, ofs_diags *d)
{
    if (len > YDOC_MAX_BYTES) {
        diag_add(d, OFS_ERROR, file, 1, 1, "file is %zu bytes; rule files are limited to %u bytes",
                 len, (unsigned)YDOC_MAX_BYTES);
        return NULL;
    }
    parse_state ps = {.file = file, .diags = d};
    yaml_parser_initialize(&ps.parser);
    yaml_parser_set_input_string(&ps.parser, (const unsigned char *)data, len);
    ydoc *doc = xcalloc(1, sizeof *doc);
    doc->file = xstrdup(file);
    int ok = 1, seen_doc = 0;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&ps.parser, &ev)) {
            report_parser_error(&ps);
            ok = 0;
            break;
        }
        yaml_event_type_t t = ev.type;
        if (t == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (t == YAML_DOCUMENT_START_EVENT) {
            if (seen_doc++) {
                diag_add(d, OFS_ERROR, file, (int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1,
                         "a rule file holds one YAML document");
                yaml_event_delete(&ev);
                ok = 0;
                break;
            }
            yaml_event_delete(&ev);
            continue;
        }
        if (t == YAML_STREAM_START_EVENT || t == YAML_DOCUMENT_END_EVENT) {
            yaml_event_delete(&ev);
            continue;
        }
        doc->root = parse_node(&ps, &ev, 0);
        if (!doc->root) {
            ok = 0;
            break;
        }
    }
    yaml_parser_delete(&ps.parser);
    if (!ok) {
        ydoc_free(doc);
        return NULL;
    }
    return doc;
}

const ynode *ynode_get(const ynode *map, const char *key)
{
    if (!map || map->kind != YNODE_MAP) return NULL;
    for (size_t i = 0; i < map->count; i++)
        if (strcmp(map->keys[i]->value, key) == 0) return map->items[i];
    return NULL;
}

const char *ynode_kind_name(const ynode *n)
{
    switch (n->kind) {
    case YNODE_SCALAR: return "a string";
    case YNODE_SEQ: return "a list";
    default: return "a mapping";
    }
}

int ynode_number(const ynode *n, double *out)
{
    if (!n || n->kind != YNODE_SCALAR || !n->plain || !n->value[0]) return -1;
    char *end;
    double v = strtod(n->value, &end);
    if (*end) return -1;
    *out = v;
    return 0;
}

void ynode_check_keys(const char *file, const ynode *map, const char *const *known, ofs_diags *d)
{
    for (size_t i = 0; i < map->count; i++) {
        const char *k = map->keys[i]->value;
        int ok = 0;
        const char *best = NULL;
        size_t best_d = 3;
        for (const char *const *kk = known; *kk; kk++) {
            if (strcmp(*kk, k) == 0) ok = 1;
            size_t dist = edit_distance(*kk, k);
            if (dist < best_d) {
                best_d = dist;
                best = *kk;
            }
        }
        if (!ok)
            diag_add(d, OFS_ERROR, file, map->keys[i]->line, map->keys[i]->col, "unknown key '%s'%s%s%s", k,
                     best ? " (did you mean '" : "", best ? best : "", best ? "'?)" : "");
    }
}

json_t *ynode_to_json(const ynode *n)
{
    if (!n) return json_null();
    if (n->kind == YNODE_SCALAR) {
        double v;
        if (n->plain && (strcmp(n->value, "null") == 0 || strcmp(n->value, "~") == 0)) return json_null();
        if (n->plain && strcmp(n->value, "true") == 0) return json_true();
        if (n->plain && strcmp(n->value, "false") == 0) return json_false();
        if (ynode_number(n, &v) == 0) return json_real(v);
        return json_string(n->value);
    }
    if (n->kind == YNODE_SEQ) {
        json_t *a = json_array();
        for (size_t i = 0; i < n->count; i++) json_array_append_new(a, ynode_to_json(n->items[i]));
        return a;
    }
    json_t *o = json_object();
    for (size_t i = 0; i < n->count; i++) json_object_set_new(o, n->keys[i]->value, ynode_to_json(n->items[i]));
    return o;
}

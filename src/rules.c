/* rules.c: loading a rule set: rule files, lexicons, config and the
 * extractors' data, with every problem reported as file:line:column.
 *
 * A rule file:
 *
 *     rules:
 *       - id: crossing.boat_with_price
 *         label: crossing_offer
 *         description: A boat or departure term near a price.
 *         languages: [en, fr]
 *         weight: 2
 *         patterns:
 *           boat: '{boat}'
 *           price: '{price}'
 *         conditions:
 *           all: [boat]
 *           any: [price]
 *           none: []
 *           near: [{terms: [boat, price], within: 10}]
 *         examples:
 *           match: ["Boat to Lampedusa, 2000 euro"]
 *           no_match: ["The boat sank, 2000 people died"]
 *
 * See rules/README.md for the analyst's description of every key.
 */
#include "rules.h"

#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "util.h"

const char *const ofs_label_names[OFS_LABEL_COUNT] = {"crossing_offer", "document_offer", "route_advice"};

int ofs_label_index(const char *name)
{
    for (int i = 0; i < OFS_LABEL_COUNT; i++)
        if (strcmp(ofs_label_names[i], name) == 0) return i;
    return -1;
}

/* The top-level keys a rule-set file may have: each names the file's kind. */
static const char *const file_kinds[] = {
    "rules", "lexicons", "config", "countries", "country_aliases", "places", "route_cues",
    "currencies", "number_words", "calling_codes", "contact_sites", "document_types", "attached_prefixes", NULL,
};

static const char *const rule_keys[] = {
    "id", "label", "description", "languages", "weight", "patterns", "conditions", "examples", NULL,
};
static const char *const condition_keys[] = {"all", "any", "none", "near", NULL};
static const char *const near_keys[] = {"terms", "within", NULL};
static const char *const example_keys[] = {"match", "no_match", NULL};
static const char *const example_item_keys[] = {"text", "routes", "prices", NULL};
static const char *const config_keys[] = {"thresholds", "match_limit", "depth_limit", "max_matches", NULL};

typedef struct loader {
    ofs_rules  *rs;
    ofs_diags  *d;
    const char *file;
    size_t      rule_cap;
} loader;

static const char *string_value(loader *ld, const ynode *n, const char *what)
{
    if (!n) return NULL;
    if (n->kind != YNODE_SCALAR) {
        diag_add(ld->d, OFS_ERROR, ld->file, n->line, n->col, "'%s' must be a string, not %s", what,
                 ynode_kind_name(n));
        return NULL;
    }
    return n->value;
}

static void rule_free(rule *r)
{
    free(r->id);
    free(r->description);
    free(r->file);
    free(r->label_text);
    for (size_t i = 0; i < r->language_count; i++) free(r->languages[i]);
    free(r->languages);
    for (size_t i = 0; i < r->pattern_count; i++) free(r->patterns[i].name);
    free(r->patterns);
    free(r->all);
    free(r->any);
    free(r->none);
    free(r->near);
    for (size_t i = 0; i < r->example_count; i++) {
        free(r->examples[i].text);
        free(r->examples[i].expect_json);
    }
    free(r->examples);
}

static long find_pattern(const rule *r, const char *name)
{
    for (size_t i = 0; i < r->pattern_count; i++)
        if (strcmp(r->patterns[i].name, name) == 0) return (long)i;
    return -1;
}

/* Reports an unknown pattern name with the closest one the rule has. */
static void unknown_pattern(loader *ld, const rule *r, const ynode *n)
{
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t i = 0; i < r->pattern_count; i++) {
        size_t dist = edit_distance(r->patterns[i].name, n->value);
        if (dist < best_d) {
            best_d = dist;
            best = r->patterns[i].name;
        }
    }
    diag_add(ld->d, OFS_ERROR, ld->file, n->line, n->col, "rule '%s' has no pattern named '%s'%s%s%s", r->id,
             n->value, best ? " (did you mean '" : "", best ? best : "", best ? "'?)" : "");
}

static void read_name_list(loader *ld, rule *r, const ynode *list, const char *what, size_t **out,
                           size_t *count)
{
    if (!list) return;
    if (list->kind != YNODE_SEQ) {
        diag_add(ld->d, OFS_ERROR, ld->file, list->line, list->col,
                 "'%s' must be a list of pattern names, not %s", what, ynode_kind_name(list));
        return;
    }
    size_t cap = 0;
    for (size_t i = 0; i < list->count; i++) {
        const ynode *n = list->items[i];
        if (!string_value(ld, n, what)) continue;
        long idx = find_pattern(r, n->value);
        if (idx < 0) {
            unknown_pattern(ld, r, n);
            continue;
        }
        VEC_PUSH(*out, *count, cap, (size_t)idx);
    }
}

static void read_conditions(loader *ld, rule *r, const ynode *c)
{
    if (!c) return;
    if (c->kind != YNODE_MAP) {
        diag_add(ld->d, OFS_ERROR, ld->file, c->line, c->col, "'conditions' must be a mapping, not %s",
                 ynode_kind_name(c));
        return;
    }
    ynode_check_keys(ld->file, c, condition_keys, ld->d);
    read_name_list(ld, r, ynode_get(c, "all"), "all", &r->all, &r->all_count);
    read_name_list(ld, r, ynode_get(c, "any"), "any", &r->any, &r->any_count);
    read_name_list(ld, r, ynode_get(c, "none"), "none", &r->none, &r->none_count);
    const ynode *near = ynode_get(c, "near");
    if (!near) return;
    if (near->kind != YNODE_SEQ) {
        diag_add(ld->d, OFS_ERROR, ld->file, near->line, near->col,
                 "'near' must be a list of {terms: [a, b], within: N}, not %s", ynode_kind_name(near));
        return;
    }
    size_t cap = 0;
    for (size_t i = 0; i < near->count; i++) {
        const ynode *n = near->items[i];
        if (n->kind != YNODE_MAP) {
            diag_add(ld->d, OFS_ERROR, ld->file, n->line, n->col,
                     "each 'near' entry must be a mapping {terms: [a, b], within: N}");
            continue;
        }
        ynode_check_keys(ld->file, n, near_keys, ld->d);
        const ynode *terms = ynode_get(n, "terms");
        const ynode *within = ynode_get(n, "within");
        double w;
        if (!terms || terms->kind != YNODE_SEQ || terms->count != 2) {
            diag_add(ld->d, OFS_ERROR, ld->file, n->line, n->col, "'near' needs 'terms': a list of two pattern names");
            continue;
        }
        if (!within || ynode_number(within, &w) != 0 || w < 0 || w > 1000) {
            diag_add(ld->d, OFS_ERROR, ld->file, within ? within->line : n->line, within ? within->col : n->col,
                     "'within' must be a number of words from 0 to 1000");
            continue;
        }
        long a = -1, b = -1;
        if (string_value(ld, terms->items[0], "terms") && (a = find_pattern(r, terms->items[0]->value)) < 0)
            unknown_pattern(ld, r, terms->items[0]);
        if (string_value(ld, terms->items[1], "terms") && (b = find_pattern(r, terms->items[1]->value)) < 0)
            unknown_pattern(ld, r, terms->items[1]);
        if (a < 0 || b < 0) continue;
        near_cond nc = {(size_t)a, (size_t)b, (int)w, n->line, n->col};
        VEC_PUSH(r->near, r->near_count, cap, nc);
    }
}

/* The expected extraction of a mapping example, as a JSON object text
 * holding whichever of routes and prices it states. */
static char *yaml_extract_expectation(const ynode *n)
{
    const ynode *routes = ynode_get(n, "routes"), *prices = ynode_get(n, "prices");
    if (!routes && !prices) return NULL;
    json_t *o = json_object();
    if (routes) json_object_set_new(o, "routes", ynode_to_json(routes));
    if (prices) json_object_set_new(o, "prices", ynode_to_json(prices));
    char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return s;
}

static void read_examples(loader *ld, rule *r, const ynode *ex)
{
    if (!ex) return;
    if (ex->kind != YNODE_MAP) {
        diag_add(ld->d, OFS_ERROR, ld->file, ex->line, ex->col,
                 "'examples' must be a mapping with 'match' and 'no_match' lists, not %s", ynode_kind_name(ex));
        return;
    }
    ynode_check_keys(ld->file, ex, example_keys, ld->d);
    size_t cap = 0;
    for (int must = 1; must >= 0; must--) {
        const char *key = must ? "match" : "no_match";
        const ynode *list = ynode_get(ex, key);
        if (!list) continue;
        if (list->kind != YNODE_SEQ) {
            diag_add(ld->d, OFS_ERROR, ld->file, list->line, list->col, "'%s' must be a list of texts", key);
            continue;
        }
        for (size_t i = 0; i < list->count; i++) {
            const ynode *n = list->items[i];
            rule_example e = {NULL, must, NULL, n->line, n->col};
            if (n->kind == YNODE_SCALAR) {
                e.text = xstrdup(n->value);
            } else if (n->kind == YNODE_MAP) {
                ynode_check_keys(ld->file, n, example_item_keys, ld->d);
                const char *t = string_value(ld, ynode_get(n, "text"), "text");
                if (!t) {
                    diag_add(ld->d, OFS_ERROR, ld->file, n->line, n->col, "an example mapping needs 'text'");
                    continue;
                }
                e.text = xstrdup(t);
                e.expect_json = yaml_extract_expectation(n);
            } else {
                diag_add(ld->d, OFS_ERROR, ld->file, n->line, n->col,
                         "an example must be a text or a mapping with 'text'");
                continue;
            }
            VEC_PUSH(r->examples, r->example_count, cap, e);
        }
    }
}

static void read_label(loader *ld, rule *r, const ynode *n)
{
    if (!n) {
        diag_add(ld->d, OFS_ERROR, ld->file, r->line, r->col, "rule '%s' has no 'label'", r->id);
        return;
    }
    const ynode *one = n;
    size_t count = 1;
    if (n->kind == YNODE_SEQ) count = n->count;
    strbuf text = {0};
    for (size_t i = 0; i < count; i++) {
        if (n->kind == YNODE_SEQ) one = n->items[i];
        if (!string_value(ld, one, "label")) {
            strbuf_free(&text);
            return;
        }
        int idx = ofs_label_index(one->value);
        if (idx < 0) {
            const char *best = NULL;
            size_t best_d = 4;
            for (int k = 0; k < OFS_LABEL_COUNT; k++) {
                size_t dist = edit_distance(ofs_label_names[k], one->value);
                if (dist < best_d) {
                    best_d = dist;
                    best = ofs_label_names[k];
                }
            }
            diag_add(ld->d, OFS_ERROR, ld->file, one->line, one->col,
                     "unknown label '%s'%s%s%s (labels: crossing_offer, document_offer, route_advice)",
                     one->value, best ? " (did you mean '" : "", best ? best : "", best ? "'?)" : "");
            strbuf_free(&text);
            return;
        }
        r->label_mask |= 1u << idx;
        if (text.len) strbuf_putc(&text, ',');
        strbuf_puts(&text, one->value);
    }
    r->label_text = text.buf;
}

static void read_rule(loader *ld, const ynode *n)
{
    if (n->kind != YNODE_MAP) {
        diag_add(ld->d, OFS_ERROR, ld->file, n->line, n->col, "a rule must be a mapping, not %s", ynode_kind_name(n));
        return;
    }
    size_t errors = ofs_diags_errors(ld->d);
    ynode_check_keys(ld->file, n, rule_keys, ld->d);
    rule r = {0};
    r.file = xstrdup(ld->file);
    r.line = n->line;
    r.col = n->col;
    const char *id = string_value(ld, ynode_get(n, "id"), "id");
    if (!id) {
        diag_add(ld->d, OFS_ERROR, ld->file, n->line, n->col, "rule has no 'id'");
        id = "?";
    }
    r.id = xstrdup(id);
    for (size_t i = 0; i < ld->rs->rule_count; i++) {
        if (strcmp(ld->rs->rules[i].id, r.id) == 0) {
            const ynode *idn = ynode_get(n, "id");
            diag_add(ld->d, OFS_ERROR, ld->file, idn->line, idn->col, "duplicate rule id '%s' (first at %s:%d)",
                     r.id, ld->rs->rules[i].file, ld->rs->rules[i].line);
        }
    }
    read_label(ld, &r, ynode_get(n, "label"));
    const char *desc = string_value(ld, ynode_get(n, "description"), "description");
    if (!desc) diag_add(ld->d, OFS_ERROR, ld->file, n->line, n->col, "rule '%s' has no 'description'", r.id);
    r.description = xstrdup(desc ? desc : "");

    const ynode *w = ynode_get(n, "weight");
    if (!w) {
        diag_add(ld->d, OFS_ERROR, ld->file, n->line, n->col, "rule '%s' has no 'weight'", r.id);
    } else if (ynode_number(w, &r.weight) != 0) {
        diag_add(ld->d, OFS_ERROR, ld->file, w->line, w->col, "'weight' must be a number, not '%s'",
                 w->kind == YNODE_SCALAR ? w->value : ynode_kind_name(w));
    }

    const ynode *langs = ynode_get(n, "languages");
    if (!langs || langs->kind != YNODE_SEQ || langs->count == 0) {
        diag_add(ld->d, OFS_ERROR, ld->file, langs ? langs->line : n->line, langs ? langs->col : n->col,
                 "rule '%s' needs 'languages': a list of ISO 639-1 codes", r.id);
    } else {
        size_t cap = 0;
        for (size_t i = 0; i < langs->count; i++)
            if (string_value(ld, langs->items[i], "languages"))
                VEC_PUSH(r.languages, r.language_count, cap, xstrdup(langs->items[i]->value));
    }

    const ynode *pats = ynode_get(n, "patterns");
    if (!pats || pats->kind != YNODE_MAP || pats->count == 0) {
        diag_add(ld->d, OFS_ERROR, ld->file, pats ? pats->line : n->line, pats ? pats->col : n->col,
                 "rule '%s' needs 'patterns': a mapping from names to regexes", r.id);
    } else {
        size_t cap = 0;
        for (size_t i = 0; i < pats->count; i++) {
            const ynode *pv = pats->items[i];
            if (!string_value(ld, pv, "patterns")) continue;
            /* A quoted or block scalar's column is where its text starts
             * (after the quote): offsets inside the pattern count from there. */
            int col = pv->col + (pv->plain ? 0 : 1);
            long id_ = pattern_table_add(ld->rs->patterns, ld->rs->lexicons, pv->value, ld->file, pv->line, col, ld->d);
            if (id_ < 0) continue;
            rule_pattern rp = {xstrdup(pats->keys[i]->value), (size_t)id_, pv->line, pv->col};
            VEC_PUSH(r.patterns, r.pattern_count, cap, rp);
        }
    }
    read_conditions(ld, &r, ynode_get(n, "conditions"));
    read_examples(ld, &r, ynode_get(n, "examples"));
    if (r.example_count == 0)
        diag_add(ld->d, OFS_WARNING, ld->file, n->line, n->col, "rule '%s' has no examples", r.id);

    if (ofs_diags_errors(ld->d) > errors) {
        rule_free(&r);
        return;
    }
    VEC_PUSH(ld->rs->rules, ld->rs->rule_count, ld->rule_cap, r);
}

static void read_config(loader *ld, const ynode *c)
{
    if (c->kind != YNODE_MAP) {
        diag_add(ld->d, OFS_ERROR, ld->file, c->line, c->col, "'config' must be a mapping, not %s", ynode_kind_name(c));
        return;
    }
    ynode_check_keys(ld->file, c, config_keys, ld->d);
    const ynode *th = ynode_get(c, "thresholds");
    if (th && th->kind == YNODE_MAP) {
        for (size_t i = 0; i < th->count; i++) {
            int idx = ofs_label_index(th->keys[i]->value);
            double v;
            if (idx < 0) {
                diag_add(ld->d, OFS_ERROR, ld->file, th->keys[i]->line, th->keys[i]->col,
                         "unknown label '%s' in thresholds", th->keys[i]->value);
            } else if (ynode_number(th->items[i], &v) != 0 || v <= 0) {
                diag_add(ld->d, OFS_ERROR, ld->file, th->items[i]->line, th->items[i]->col,
                         "a threshold must be a number above 0");
            } else {
                ld->rs->threshold[idx] = v;
            }
        }
    } else if (th) {
        diag_add(ld->d, OFS_ERROR, ld->file, th->line, th->col, "'thresholds' must map each label to a number");
    }
    struct { const char *key; double lo, hi; } limits[] = {
        {"match_limit", 1000, 1e9}, {"depth_limit", 100, 1e7}, {"max_matches", 1, 10000},
    };
    for (size_t i = 0; i < sizeof limits / sizeof *limits; i++) {
        const ynode *v = ynode_get(c, limits[i].key);
        double x;
        if (!v) continue;
        if (ynode_number(v, &x) != 0 || x < limits[i].lo || x > limits[i].hi) {
            diag_add(ld->d, OFS_ERROR, ld->file, v->line, v->col, "'%s' must be a number from %.0f to %.0f",
                     limits[i].key, limits[i].lo, limits[i].hi);
            continue;
        }
        if (i == 0) ld->rs->limits.match_limit = (unsigned)x;
        if (i == 1) ld->rs->limits.depth_limit = (unsigned)x;
        if (i == 2) ld->rs->limits.max_matches = (size_t)x;
    }
}

static void check_file_kind(const ydoc *doc, ofs_diags *d)
{
    if (doc->root->kind != YNODE_MAP) {
        diag_add(d, OFS_ERROR, doc->file, doc->root->line, doc->root->col,
                 "a rule-set file must be a mapping with one top-level key (rules, lexicons, config, ...)");
        return;
    }
    ynode_check_keys(doc->file, doc->root, file_kinds, d);
}

/* Calls fn(rs, unit, rule, arg) for each unit of each pattern of each rule
 * that can make the rule fire (its `none` patterns cannot). */
static void each_rule_unit(ofs_rules *rs, void (*fn)(ofs_rules *, size_t, size_t, void *), void *arg)
{
    for (size_t ri = 0; ri < rs->rule_count; ri++) {
        const rule *r = &rs->rules[ri];
        for (size_t i = 0; i < r->pattern_count; i++) {
            int only_none = 0;
            for (size_t k = 0; k < r->none_count; k++) only_none |= r->none[k] == i;
            if (only_none) continue;
            const size_t *units;
            size_t n = pattern_table_units(rs->patterns, r->patterns[i].id, &units);
            for (size_t u = 0; u < n; u++) fn(rs, units[u], ri, arg);
        }
    }
}

/* arg: last[u], the last rule counted or stored for unit u, plus one */
static void count_rule_unit(ofs_rules *rs, size_t u, size_t ri, void *arg)
{
    size_t *last = arg;
    if (last[u] == ri + 1) return;
    last[u] = ri + 1;
    rs->unit_rule_first[u + 1]++;
}

static void store_rule_unit(ofs_rules *rs, size_t u, size_t ri, void *arg)
{
    size_t *last = arg, *next = last + pattern_table_unit_count(rs->patterns);
    if (last[u] == ri + 1) return;
    last[u] = ri + 1;
    rs->unit_rules[next[u]++] = ri;
}

/* Builds unit_rule_first/unit_rules, so that a scan evaluates only the
 * rules whose units the prefilter found. */
static void index_rules_by_unit(ofs_rules *rs)
{
    size_t n = pattern_table_unit_count(rs->patterns);
    rs->unit_rule_first = xcalloc(n + 2, sizeof *rs->unit_rule_first);
    size_t *last = xcalloc(2 * n + 1, sizeof *last);
    each_rule_unit(rs, count_rule_unit, last);
    for (size_t u = 0; u < n; u++) rs->unit_rule_first[u + 1] += rs->unit_rule_first[u];
    rs->unit_rules = xcalloc(rs->unit_rule_first[n] + 1, sizeof *rs->unit_rules);
    memset(last, 0, n * sizeof *last);
    memcpy(last + n, rs->unit_rule_first, n * sizeof *last);
    each_rule_unit(rs, store_rule_unit, last);
    free(last);
}

ofs_rules *rules_build(const ofs_bundle *b, ofs_diags *d)
{
    size_t errors = ofs_diags_errors(d);
    ofs_rules *rs = xcalloc(1, sizeof *rs);
    pthread_mutex_init(&rs->prefilter_lock, NULL);
    for (int i = 0; i < OFS_LABEL_COUNT; i++) rs->threshold[i] = 2.0;
    rs->limits = (scan_limits){1000000, 10000, 32};
    for (size_t f = 0; f < b->count; f++) check_file_kind(b->docs[f], d);

    rs->lexicons = lexicon_load(b, d);
    rs->patterns = pattern_table_create();
    loader ld = {rs, d, NULL, 0};
    int have_config = 0;
    for (size_t f = 0; f < b->count && rs->lexicons; f++) {
        const ydoc *doc = b->docs[f];
        ld.file = doc->file;
        const ynode *cfg = ynode_get(doc->root, "config");
        if (cfg) {
            if (have_config++)
                diag_add(d, OFS_ERROR, doc->file, cfg->line, cfg->col, "a rule set has one 'config' file");
            read_config(&ld, cfg);
        }
        const ynode *list = ynode_get(doc->root, "rules");
        if (!list) continue;
        if (list->kind != YNODE_SEQ) {
            diag_add(d, OFS_ERROR, doc->file, list->line, list->col, "'rules' must be a list of rules, not %s",
                     ynode_kind_name(list));
            continue;
        }
        for (size_t i = 0; i < list->count; i++) read_rule(&ld, list->items[i]);
    }
    index_rules_by_unit(rs);
    pattern_table_loaded(rs->patterns);
    /* the patterns hold the lexicons' expansions now */
    lexicon_free(rs->lexicons);
    rs->lexicons = NULL;
    rs->gazetteer = gazetteer_load(b, d);
    rs->prices = price_data_load(b, d);
    rs->contacts = contact_data_load(b, d);
    rs->documents = rs->gazetteer ? document_data_load(b, rs->gazetteer, d) : NULL;
    if (ofs_diags_errors(d) > errors) {
        ofs_rules_free(rs);
        return NULL;
    }
    return rs;
}

ofs_rules *ofs_rules_load_dir(const char *dir, ofs_diags *d)
{
    ofs_bundle *b = bundle_load_dir(dir, d);
    if (!b) return NULL;
    ofs_rules *rs = rules_build(b, d);
    bundle_free(b);
    return rs;
}

ofs_rules *ofs_rules_load_builtin(ofs_diags *d)
{
    ofs_bundle *b = bundle_load_builtin(d);
    if (!b) return NULL;
    ofs_rules *rs = rules_build(b, d);
    bundle_free(b);
    return rs;
}

void ofs_rules_free(ofs_rules *rs)
{
    if (!rs) return;
    for (size_t i = 0; i < rs->rule_count; i++) rule_free(&rs->rules[i]);
    free(rs->rules);
    free(rs->unit_rule_first);
    free(rs->unit_rules);
    pattern_table_free(rs->patterns);
    lexicon_free(rs->lexicons);
    gazetteer_free(rs->gazetteer);
    price_data_free(rs->prices);
    contact_data_free(rs->contacts);
    document_data_free(rs->documents);
    prefilter_free(rs->prefilter);
    free(rs->cache_dir);
    pthread_mutex_destroy(&rs->prefilter_lock);
    free(rs);
}

int ofs_rules_set_cache(ofs_rules *rs, const char *dir)
{
    struct stat st;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) return -1;
    if (stat(dir, &st) != 0) return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    if (access(dir, W_OK | X_OK) != 0) return -1;
    pthread_mutex_lock(&rs->prefilter_lock);
    free(rs->cache_dir);
    rs->cache_dir = xstrdup(dir);
    pthread_mutex_unlock(&rs->prefilter_lock);
    return 0;
}

size_t ofs_rules_count(const ofs_rules *rs) { return rs->rule_count; }
const char *ofs_rules_id(const ofs_rules *rs, size_t i) { return i < rs->rule_count ? rs->rules[i].id : NULL; }

const prefilter *rules_prefilter(const ofs_rules *rs) { return rules_prefilter_threads(rs, 1); }

const prefilter *rules_prefilter_threads(const ofs_rules *rs, int threads)
{
    ofs_rules *m = (ofs_rules *)(uintptr_t)rs; /* the one lazily written field, under its lock */
    pthread_mutex_lock(&m->prefilter_lock);
    if (!m->prefilter_built) {
        /* Compiling the prefilter takes tens of MB for a moment, handed
         * back before any JIT code (made as units are first searched)
         * takes its own, so the two peaks do not add up. */
        m->prefilter = prefilter_build(m->patterns, m->cache_dir, threads);
        pattern_table_drop_atoms(m->patterns);
#ifdef __GLIBC__
        malloc_trim(0);
#endif
        pattern_table_jit(m->patterns);
        m->prefilter_built = 1;
    }
    pthread_mutex_unlock(&m->prefilter_lock);
    return m->prefilter;
}

size_t ofs_rules_pattern_count(const ofs_rules *rs) { return pattern_table_count(rs->patterns); }
const char *ofs_rules_pattern(const ofs_rules *rs, size_t i)
{
    return i < pattern_table_count(rs->patterns) ? pattern_table_regex(rs->patterns, i) : NULL;
}

static json_t *name_list(const rule *r, const size_t *idx, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(a, json_string(r->patterns[idx[i]].name));
    return a;
}

char *ofs_rules_export_json(const ofs_rules *rs)
{
    json_t *o = json_object(), *th = json_object(), *rules = json_array();
    for (int l = 0; l < OFS_LABEL_COUNT; l++) json_object_set_new(th, ofs_label_names[l], json_real(rs->threshold[l]));
    json_object_set_new(o, "thresholds", th);
    for (size_t i = 0; i < rs->rule_count; i++) {
        const rule *r = &rs->rules[i];
        json_t *labels = json_array(), *pats = json_object(), *near = json_array();
        for (int l = 0; l < OFS_LABEL_COUNT; l++)
            if (r->label_mask & (1u << l)) json_array_append_new(labels, json_string(ofs_label_names[l]));
        for (size_t k = 0; k < r->pattern_count; k++)
            json_object_set_new(pats, r->patterns[k].name, json_string(pattern_table_regex(rs->patterns, r->patterns[k].id)));
        for (size_t k = 0; k < r->near_count; k++)
            json_array_append_new(near, json_pack("[ssi]", r->patterns[r->near[k].a].name, r->patterns[r->near[k].b].name,
                                                  r->near[k].within));
        json_array_append_new(rules, json_pack("{s:s,s:o,s:f,s:o,s:o,s:o,s:o,s:o}", "id", r->id, "labels", labels,
                                               "weight", r->weight, "patterns", pats, "all",
                                               name_list(r, r->all, r->all_count), "any",
                                               name_list(r, r->any, r->any_count), "none",
                                               name_list(r, r->none, r->none_count), "near", near));
    }
    json_object_set_new(o, "rules", rules);
    char *s = json_dumps(o, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(o);
    return s;
}

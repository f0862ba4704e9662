/* examples.c: running the examples that every rule carries. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "rules.h"
#include "util.h"

static int fired(const ofs_result *r, const char *id)
{
    for (size_t i = 0; i < r->evidence_count; i++)
        if (strcmp(r->evidence[i].rule_id, id) == 0) return 1;
    return 0;
}

static json_t *place_json(const ofs_place *p)
{
    json_t *o = json_pack("{s:s}", "country", p->country);
    if (p->place) json_object_set_new(o, "place", json_string(p->place));
    return o;
}

/* The result's routes and prices in the annotation's shape, numbers as reals
 * so that they compare equal to the ones read from YAML. */
static json_t *extraction_json(const ofs_result *r, int routes, int prices)
{
    json_t *o = json_object();
    if (routes) {
        json_t *a = json_array();
        for (size_t i = 0; i < r->route_count; i++)
            json_array_append_new(a, json_pack("{s:o,s:o}", "from",
                                               r->routes[i].has_from ? place_json(&r->routes[i].from) : json_null(),
                                               "to", place_json(&r->routes[i].to)));
        json_object_set_new(o, "routes", a);
    }
    if (prices) {
        json_t *a = json_array();
        for (size_t i = 0; i < r->price_count; i++) {
            const ofs_price *p = &r->prices[i];
            json_t *j = json_pack("{s:f,s:s}", "amount", p->amount, "currency", p->currency);
            if (p->has_max) json_object_set_new(j, "amount_max", json_real(p->amount_max));
            json_array_append_new(a, j);
        }
        json_object_set_new(o, "prices", a);
    }
    return o;
}

size_t ofs_rules_check_examples(const ofs_rules *rs, ofs_diags *d, size_t *checked)
{
    ofs_scanner *sc = ofs_scanner_create(rs);
    size_t failures = 0;
    *checked = 0;
    for (size_t i = 0; i < rs->rule_count; i++) {
        const rule *r = &rs->rules[i];
        for (size_t k = 0; k < r->example_count; k++) {
            const rule_example *e = &r->examples[k];
            const ofs_result *res = ofs_scan(sc, e->text, strlen(e->text));
            (*checked)++;
            int hit = fired(res, r->id);
            if (hit != e->must_match) {
                diag_add(d, OFS_ERROR, r->file, e->line, e->col, "rule '%s' %s: \"%s\"", r->id,
                         e->must_match ? "should match this example but does not" : "should not match this example but does",
                         e->text);
                failures++;
                continue;
            }
            if (!e->expect_json) continue;
            json_t *want = json_loads(e->expect_json, 0, NULL);
            json_t *got = extraction_json(res, json_object_get(want, "routes") != NULL,
                                          json_object_get(want, "prices") != NULL);
            if (!json_equal(want, got)) {
                char *gs = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
                diag_add(d, OFS_ERROR, r->file, e->line, e->col, "rule '%s' example extracts %s, expected %s", r->id,
                         gs, e->expect_json);
                free(gs);
                failures++;
            }
            json_decref(want);
            json_decref(got);
        }
    }
    ofs_scanner_free(sc);
    return failures;
}

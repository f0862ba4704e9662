/* test_write_csv.c: the CSV/TSV writer (src/write_csv.c) over hand-made
 * results, so that the flattened columns (first route, first price) are
 * tested without depending on a rule set.
 *
 * Each line of the case file is a JSON object:
 *   {"name": "...", "delimiter": "," or "\t", "expected": "the row",
 *    "header": true}                          the header row, or
 *   {"name": "...", "delimiter": ",", "expected": "the row",
 *    "result": null | {"labels": [...], "scores": [c, d, a],
 *               "routes": [{"from": null | {"country": "LY", "place": "Zuwara"},
 *                           "to": {...}}],
 *               "prices": [{"amount": 2000, "amount_max": 2500, "currency": "EUR"}],
 *               "invalid_utf8": true},
 *    "record": {"id": <JSON value>, "file": "in.jsonl", "line": 3,
 *               "source": {...}, "error": "..."}}
 * Add a case by adding a line. Usage: test_write_csv CASES.jsonl
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "offerscan.h"

static ofs_place place_of(json_t *j)
{
    ofs_place p;
    memset(&p, 0, sizeof p);
    const char *cc = json_string_value(json_object_get(j, "country"));
    if (cc) snprintf(p.country, sizeof p.country, "%s", cc);
    p.place = json_string_value(json_object_get(j, "place"));
    return p;
}

/* Builds the row for one case. Returns it (malloc'd). */
static char *row_of(json_t *c, ofs_csv_dialect *dialect)
{
    if (json_is_true(json_object_get(c, "header"))) return ofs_csv_header(dialect);
    json_t *jr = json_object_get(c, "result"), *jrec = json_object_get(c, "record");
    ofs_record rec;
    memset(&rec, 0, sizeof rec);
    json_t *id = json_object_get(jrec, "id");
    char *id_json = id ? json_dumps(id, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    json_t *src = json_object_get(jrec, "source");
    char *source_json = src ? json_dumps(src, JSON_COMPACT) : NULL;
    rec.id_json = id_json;
    rec.source_json = source_json;
    rec.file = json_string_value(json_object_get(jrec, "file"));
    rec.line = (size_t)json_integer_value(json_object_get(jrec, "line"));
    rec.error = json_string_value(json_object_get(jrec, "error"));
    rec.text = rec.error ? NULL : "";

    ofs_result r;
    memset(&r, 0, sizeof r);
    ofs_route routes[8];
    ofs_price prices[8];
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(jr, "labels"), i, v) {
        int l = ofs_label_index(json_string_value(v));
        if (l >= 0) r.labelled[l] = 1;
    }
    json_array_foreach(json_object_get(jr, "scores"), i, v) {
        if (i < OFS_LABEL_COUNT) r.score[i] = json_number_value(v);
    }
    json_array_foreach(json_object_get(jr, "routes"), i, v) {
        if (i >= 8) break;
        json_t *from = json_object_get(v, "from");
        routes[i].has_from = json_is_object(from);
        routes[i].from = place_of(from);
        routes[i].to = place_of(json_object_get(v, "to"));
        r.route_count = i + 1;
    }
    json_array_foreach(json_object_get(jr, "prices"), i, v) {
        if (i >= 8) break;
        memset(&prices[i], 0, sizeof prices[i]);
        prices[i].amount = json_number_value(json_object_get(v, "amount"));
        json_t *max = json_object_get(v, "amount_max");
        prices[i].has_max = max != NULL;
        prices[i].amount_max = json_number_value(max);
        const char *cur = json_string_value(json_object_get(v, "currency"));
        snprintf(prices[i].currency, sizeof prices[i].currency, "%s", cur ? cur : "");
        r.price_count = i + 1;
    }
    r.routes = routes;
    r.prices = prices;
    r.invalid_utf8 = json_is_true(json_object_get(jr, "invalid_utf8"));
    char *row = ofs_result_to_csv(json_is_object(jr) ? &r : NULL, &rec, dialect);
    free(id_json);
    free(source_json);
    return row;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_write_csv CASES.jsonl\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    char *line = NULL;
    size_t cap = 0, line_no = 0, passed = 0, failed = 0;
    while (getline(&line, &cap, f) > 0) {
        line_no++;
        if (line[0] == '\n' || line[0] == '#') continue;
        json_error_t err;
        json_t *c = json_loads(line, 0, &err);
        if (!json_is_object(c)) {
            fprintf(stderr, "%s:%zu:%d: not a JSON object: %s\n", argv[1], line_no, err.column, err.text);
            json_decref(c);
            failed++;
            continue;
        }
        const char *delim = json_string_value(json_object_get(c, "delimiter"));
        ofs_csv_dialect dialect = {delim && delim[0] ? delim[0] : ','};
        const char *want = json_string_value(json_object_get(c, "expected"));
        char *got = row_of(c, &dialect);
        if (!want || !got || strcmp(want, got) != 0) {
            fprintf(stderr, "%s:%zu: %s\n  expected: %s\n  got:      %s\n", argv[1], line_no,
                    json_string_value(json_object_get(c, "name")), want ? want : "(none)", got ? got : "(none)");
            failed++;
        } else {
            passed++;
        }
        free(got);
        json_decref(c);
    }
    free(line);
    fclose(f);
    printf("write_csv: %zu cases, %zu passed, %zu failed\n", passed + failed, passed, failed);
    return failed || !passed;
}

/* evaluate.c: a rule set against gold records (offerscan eval, diff, CI gate).
 *
 * Each gold record (ANNOTATION.md) is labelled and compared:
 *   - labels: per label, true/false positives and false negatives; "flagged"
 *     treats any label as positive; macro-F1 is the mean of the three F1s;
 *   - routes: a predicted route matches a gold route when both countries
 *     match and, where the gold names a place, the same place (compared
 *     after normalisation, so "Almería" = "Almeria"); each gold route is
 *     matched at most once; scored as micro precision/recall/F1;
 *   - prices: currency, amount and amount_max (when either side has one)
 *     must match; scored the same way;
 *   - per language: the same label figures for each `lang` ("ar-latn" for
 *     Arabic in Latin script);
 *   - per rule, in the manner of Snorkel's labelling-function analysis:
 *     how often it fires, its precision (a positive rule is right when the
 *     gold has its label, a negative rule when the gold has none of its
 *     labels), the true positives that only it found, and its conflicts
 *     (records where a rule of the opposite sign on the same label fired).
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diag.h"
#include "normalize.h"
#include "rules.h"
#include "util.h"

typedef struct counts { size_t tp, fp, fn; } counts;

typedef struct lang_stats {
    char  *lang;
    size_t records;
    counts label[OFS_LABEL_COUNT];
    counts flagged;
} lang_stats;

typedef struct rule_stats { size_t fires, correct, unique_tp, conflicts; } rule_stats;

typedef struct eval_record {
    char    *id, *lang, *text, *rules;
    unsigned gold, predicted;
} eval_record;

struct ofs_eval {
    const ofs_rules *rules;
    ofs_scanner     *scanner;
    eval_record     *records;
    size_t           record_count, record_cap;
    counts           label[OFS_LABEL_COUNT], flagged, routes, prices;
    lang_stats      *langs;
    size_t           lang_count, lang_cap;
    rule_stats      *rule;
};

ofs_eval *ofs_eval_create(const ofs_rules *rules)
{
    ofs_eval *e = xcalloc(1, sizeof *e);
    e->rules = rules;
    e->scanner = ofs_scanner_create(rules);
    e->rule = xcalloc(rules->rule_count + 1, sizeof *e->rule);
    return e;
}

void ofs_eval_free(ofs_eval *e)
{
    if (!e) return;
    ofs_scanner_free(e->scanner);
    for (size_t i = 0; i < e->record_count; i++) {
        free(e->records[i].id);
        free(e->records[i].lang);
        free(e->records[i].text);
        free(e->records[i].rules);
    }
    free(e->records);
    for (size_t i = 0; i < e->lang_count; i++) free(e->langs[i].lang);
    free(e->langs);
    free(e->rule);
    free(e);
}

static void count(counts *c, int gold, int pred)
{
    if (gold && pred) c->tp++;
    else if (pred) c->fp++;
    else if (gold) c->fn++;
}

static double precision(const counts *c) { return c->tp + c->fp ? (double)c->tp / (double)(c->tp + c->fp) : 1.0; }
static double recall(const counts *c) { return c->tp + c->fn ? (double)c->tp / (double)(c->tp + c->fn) : 1.0; }
static double f1(const counts *c)
{
    double p = precision(c), r = recall(c);
    return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
}

static lang_stats *lang_for(ofs_eval *e, const char *lang)
{
    for (size_t i = 0; i < e->lang_count; i++)
        if (strcmp(e->langs[i].lang, lang) == 0) return &e->langs[i];
    lang_stats ls = {0};
    ls.lang = xstrdup(lang);
    VEC_PUSH(e->langs, e->lang_count, e->lang_cap, ls);
    return &e->langs[e->lang_count - 1];
}

static int same_text(const char *a, const char *b)
{
    char *na = norm_string(a), *nb = norm_string(b);
    int same = strcmp(na, nb) == 0;
    free(na);
    free(nb);
    return same;
}

static int place_matches(const json_t *gold, const ofs_place *p)
{
    const char *country = json_string_value(json_object_get(gold, "country"));
    const char *place = json_string_value(json_object_get(gold, "place"));
    if (!country || strcasecmp(country, p->country) != 0) return 0;
    if (place && (!p->place || !same_text(place, p->place))) return 0;
    return 1;
}

static int route_matches(const json_t *gold, const ofs_route *r)
{
    const json_t *from = json_object_get(gold, "from");
    if (!json_is_object(from)) {
        if (r->has_from) return 0;
    } else if (!r->has_from || !place_matches(from, &r->from)) {
        return 0;
    }
    return place_matches(json_object_get(gold, "to"), &r->to);
}

static int price_matches(const json_t *gold, const ofs_price *p)
{
    const char *cur = json_string_value(json_object_get(gold, "currency"));
    double amount = json_number_value(json_object_get(gold, "amount"));
    const json_t *max = json_object_get(gold, "amount_max");
    if (!cur || strcmp(cur, p->currency) != 0) return 0;
    if (fabs(amount - p->amount) > 1e-6 * fmax(1.0, fabs(amount))) return 0;
    if ((max != NULL) != (p->has_max != 0)) return 0;
    if (max && fabs(json_number_value(max) - p->amount_max) > 1e-6 * fmax(1.0, fabs(p->amount_max))) return 0;
    return 1;
}

/* Greedy one-to-one matching of gold items against n predicted items. */
static void match_items(counts *c, const json_t *gold, size_t n, int (*matches)(const json_t *, const void *, size_t),
                        const void *pred)
{
    size_t gn = json_array_size(gold);
    unsigned char *used = xcalloc(n + 1, 1);
    for (size_t g = 0; g < gn; g++) {
        size_t k = 0;
        while (k < n && (used[k] || !matches(json_array_get(gold, g), pred, k))) k++;
        if (k < n) {
            used[k] = 1;
            c->tp++;
        } else {
            c->fn++;
        }
    }
    for (size_t k = 0; k < n; k++)
        if (!used[k]) c->fp++;
    free(used);
}

static int route_at(const json_t *g, const void *pred, size_t k) { return route_matches(g, &((const ofs_route *)pred)[k]); }
static int price_at(const json_t *g, const void *pred, size_t k) { return price_matches(g, &((const ofs_price *)pred)[k]); }

static void rule_analysis(ofs_eval *e, const ofs_result *r, unsigned gold)
{
    const rule *rules = e->rules->rules;
    for (size_t i = 0; i < r->evidence_count; i++) {
        size_t ri = 0;
        while (ri < e->rules->rule_count && rules[ri].id != r->evidence[i].rule_id) ri++;
        const ofs_evidence *ev = &r->evidence[i];
        rule_stats *rs = &e->rule[ri];
        rs->fires++;
        if (ev->weight >= 0 ? (gold & ev->label_mask) != 0 : (gold & ev->label_mask) == 0) rs->correct++;
        for (size_t j = 0; j < r->evidence_count; j++) {
            const ofs_evidence *o = &r->evidence[j];
            if (j != i && (o->label_mask & ev->label_mask) && (o->weight < 0) != (ev->weight < 0)) {
                rs->conflicts++;
                break;
            }
        }
        if (ev->weight > 0) {
            for (int l = 0; l < OFS_LABEL_COUNT; l++) {
                unsigned bit = 1u << l;
                if (!(ev->label_mask & bit) || !(gold & bit) || !r->labelled[l]) continue;
                size_t others = 0;
                for (size_t j = 0; j < r->evidence_count; j++)
                    if (j != i && r->evidence[j].weight > 0 && (r->evidence[j].label_mask & bit)) others++;
                if (!others) rs->unique_tp++;
            }
        }
    }
}

static int add_record(ofs_eval *e, const char *file, size_t line, json_t *o, ofs_diags *d)
{
    const char *id = json_string_value(json_object_get(o, "id"));
    const char *lang = json_string_value(json_object_get(o, "lang"));
    const char *script = json_string_value(json_object_get(o, "script"));
    const json_t *text = json_object_get(o, "text");
    const json_t *labels = json_object_get(o, "labels");
    const json_t *routes = json_object_get(o, "routes");
    const json_t *prices = json_object_get(o, "prices");
    if (!id || !lang || !json_is_string(text) || !json_is_array(labels) || !json_is_array(routes) ||
        !json_is_array(prices)) {
        diag_add(d, OFS_ERROR, file, (int)line, 1,
                 "a gold record needs id, lang, text, labels, routes and prices (ANNOTATION.md)");
        return -1;
    }
    unsigned gold = 0;
    for (size_t i = 0; i < json_array_size(labels); i++) {
        const char *l = json_string_value(json_array_get(labels, i));
        int idx = l ? ofs_label_index(l) : -1;
        if (idx < 0) {
            diag_add(d, OFS_ERROR, file, (int)line, 1, "unknown label '%s'", l ? l : "(not a string)");
            return -1;
        }
        gold |= 1u << idx;
    }
    const ofs_result *r = ofs_scan(e->scanner, json_string_value(text), json_string_length(text));
    unsigned pred = 0;
    for (int l = 0; l < OFS_LABEL_COUNT; l++)
        if (r->labelled[l]) pred |= 1u << l;

    char *lang_key = script && strcmp(script, "latn") == 0 ? xasprintf("%s-latn", lang) : xstrdup(lang);
    lang_stats *ls = lang_for(e, lang_key);
    ls->records++;
    for (int l = 0; l < OFS_LABEL_COUNT; l++) {
        count(&e->label[l], gold >> l & 1, pred >> l & 1);
        count(&ls->label[l], gold >> l & 1, pred >> l & 1);
    }
    count(&e->flagged, gold != 0, pred != 0);
    count(&ls->flagged, gold != 0, pred != 0);
    match_items(&e->routes, routes, r->route_count, route_at, r->routes);
    match_items(&e->prices, prices, r->price_count, price_at, r->prices);
    rule_analysis(e, r, gold);

    strbuf fired = {0};
    for (size_t i = 0; i < r->evidence_count; i++)
        strbuf_printf(&fired, "%s%s", i ? "," : "", r->evidence[i].rule_id);
    eval_record rec = {xstrdup(id), lang_key, xstrdup(json_string_value(text)), fired.buf ? fired.buf : xstrdup(""),
                       gold, pred};
    VEC_PUSH(e->records, e->record_count, e->record_cap, rec);
    return 0;
}

int ofs_eval_add_file(ofs_eval *e, const char *path, ofs_diags *d)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        diag_add(d, OFS_ERROR, path, 0, 0, "cannot open gold file");
        return -1;
    }
    char *line = NULL;
    size_t cap = 0, line_no = 0;
    ssize_t n;
    int rc = 0;
    while ((n = getline(&line, &cap, f)) >= 0) {
        line_no++;
        size_t len = (size_t)n;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
        if (len == 0) continue;
        json_error_t err;
        json_t *o = json_loadb(line, len, 0, &err);
        if (!o || !json_is_object(o)) {
            diag_add(d, OFS_ERROR, path, (int)line_no, o ? 1 : err.column, "malformed gold record: %s",
                     o ? "not an object" : err.text);
            rc = -1;
        } else if (add_record(e, path, line_no, o, d) != 0) {
            rc = -1;
        }
        json_decref(o);
    }
    free(line);
    fclose(f);
    return rc;
}

double ofs_eval_metric(const ofs_eval *e, const char *name)
{
    double macro = 0;
    for (int l = 0; l < OFS_LABEL_COUNT; l++) {
        macro += f1(&e->label[l]) / OFS_LABEL_COUNT;
        size_t n = strlen(ofs_label_names[l]);
        if (strncmp(name, ofs_label_names[l], n) == 0 && strcmp(name + n, "_f1") == 0) return f1(&e->label[l]);
    }
    if (strcmp(name, "macro_f1") == 0) return macro;
    if (strcmp(name, "flagged_f1") == 0) return f1(&e->flagged);
    if (strcmp(name, "route_f1") == 0) return f1(&e->routes);
    if (strcmp(name, "price_f1") == 0) return f1(&e->prices);
    if (strcmp(name, "min_language_flagged_f1") == 0) {
        double m = 1.0;
        for (size_t i = 0; i < e->lang_count; i++) m = fmin(m, f1(&e->langs[i].flagged));
        return m;
    }
    return -1;
}

static json_t *counts_json(const counts *c)
{
    return json_pack("{s:I,s:I,s:I,s:f,s:f,s:f}", "tp", (json_int_t)c->tp, "fp", (json_int_t)c->fp, "fn",
                     (json_int_t)c->fn, "precision", precision(c), "recall", recall(c), "f1", f1(c));
}

static double label_macro(const counts *label)
{
    double m = 0;
    for (int l = 0; l < OFS_LABEL_COUNT; l++) m += f1(&label[l]) / OFS_LABEL_COUNT;
    return m;
}

char *ofs_eval_report_json(const ofs_eval *e)
{
    json_t *o = json_object();
    json_object_set_new(o, "records", json_integer((json_int_t)e->record_count));
    json_t *labels = json_object();
    for (int l = 0; l < OFS_LABEL_COUNT; l++) json_object_set_new(labels, ofs_label_names[l], counts_json(&e->label[l]));
    json_object_set_new(o, "labels", labels);
    json_object_set_new(o, "macro_f1", json_real(label_macro(e->label)));
    json_object_set_new(o, "flagged", counts_json(&e->flagged));
    json_object_set_new(o, "routes", counts_json(&e->routes));
    json_object_set_new(o, "prices", counts_json(&e->prices));
    json_t *langs = json_object();
    for (size_t i = 0; i < e->lang_count; i++) {
        const lang_stats *ls = &e->langs[i];
        json_t *j = json_pack("{s:I,s:o,s:f}", "records", (json_int_t)ls->records, "flagged", counts_json(&ls->flagged),
                              "macro_f1", label_macro(ls->label));
        json_object_set_new(langs, ls->lang, j);
    }
    json_object_set_new(o, "languages", langs);
    json_t *rules = json_array();
    for (size_t i = 0; i < e->rules->rule_count; i++) {
        const rule_stats *rs = &e->rule[i];
        json_array_append_new(rules, json_pack("{s:s,s:s,s:f,s:I,s:f,s:I,s:I}", "rule", e->rules->rules[i].id, "label",
                                               e->rules->rules[i].label_text, "weight", e->rules->rules[i].weight,
                                               "fires", (json_int_t)rs->fires, "precision",
                                               rs->fires ? (double)rs->correct / (double)rs->fires : 0.0, "unique_tp",
                                               (json_int_t)rs->unique_tp, "conflicts", (json_int_t)rs->conflicts));
    }
    json_object_set_new(o, "rules", rules);
    json_t *errors = json_array();
    for (size_t i = 0; i < e->record_count; i++) {
        const eval_record *r = &e->records[i];
        if (r->gold == r->predicted) continue;
        json_t *fp = json_array(), *fn = json_array();
        for (int l = 0; l < OFS_LABEL_COUNT; l++) {
            if ((r->predicted & ~r->gold) >> l & 1) json_array_append_new(fp, json_string(ofs_label_names[l]));
            if ((r->gold & ~r->predicted) >> l & 1) json_array_append_new(fn, json_string(ofs_label_names[l]));
        }
        json_array_append_new(errors, json_pack("{s:s,s:s,s:o,s:o,s:s}", "id", r->id, "lang", r->lang,
                                                "false_positive", fp, "false_negative", fn, "rules", r->rules));
    }
    json_object_set_new(o, "errors", errors);
    char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(o);
    return s;
}

static void print_counts(FILE *f, const char *name, const counts *c)
{
    fprintf(f, "  %-16s %5zu %5zu %5zu   %.3f  %.3f  %.3f\n", name, c->tp, c->fp, c->fn, precision(c), recall(c), f1(c));
}

static int cmp_lang(const void *a, const void *b)
{
    return strcmp(((const lang_stats *)a)->lang, ((const lang_stats *)b)->lang);
}

void ofs_eval_print(const ofs_eval *e, FILE *f, int errors)
{
    fprintf(f, "%zu records\n\n  %-16s %5s %5s %5s   %-5s  %-5s  %-5s\n", e->record_count, "", "tp", "fp", "fn", "P", "R",
            "F1");
    for (int l = 0; l < OFS_LABEL_COUNT; l++) print_counts(f, ofs_label_names[l], &e->label[l]);
    print_counts(f, "flagged", &e->flagged);
    print_counts(f, "routes", &e->routes);
    print_counts(f, "prices", &e->prices);
    fprintf(f, "  macro-F1 %.3f\n\nper language:\n  %-8s %7s  %-6s %-6s %-6s  %s\n", label_macro(e->label), "lang",
            "records", "flag-P", "flag-R", "flag-F1", "macro-F1");
    lang_stats *sorted = xcalloc(e->lang_count + 1, sizeof *sorted);
    memcpy(sorted, e->langs, e->lang_count * sizeof *sorted);
    qsort(sorted, e->lang_count, sizeof *sorted, cmp_lang);
    for (size_t i = 0; i < e->lang_count; i++) {
        const lang_stats *ls = &sorted[i];
        fprintf(f, "  %-8s %7zu  %.3f  %.3f  %.3f   %.3f\n", ls->lang, ls->records, precision(&ls->flagged),
                recall(&ls->flagged), f1(&ls->flagged), label_macro(ls->label));
    }
    free(sorted);
    fprintf(f, "\nper rule:\n  %-40s %6s %6s %6s %6s %9s\n", "rule", "weight", "fires", "prec", "unique", "conflicts");
    for (size_t i = 0; i < e->rules->rule_count; i++) {
        const rule_stats *rs = &e->rule[i];
        fprintf(f, "  %-40s %+6.1f %6zu %6.2f %6zu %9zu\n", e->rules->rules[i].id, e->rules->rules[i].weight, rs->fires,
                rs->fires ? (double)rs->correct / (double)rs->fires : 0.0, rs->unique_tp, rs->conflicts);
    }
    if (!errors) return;
    fprintf(f, "\nerrors (FP: labelled but not in gold; FN: in gold but not labelled):\n");
    for (size_t i = 0; i < e->record_count; i++) {
        const eval_record *r = &e->records[i];
        for (int l = 0; l < OFS_LABEL_COUNT; l++) {
            int fp = (r->predicted & ~r->gold) >> l & 1, fn = (r->gold & ~r->predicted) >> l & 1;
            if (!fp && !fn) continue;
            fprintf(f, "  %s %-14s %-12s %.100s\n      fired: %s\n", fp ? "FP" : "FN", ofs_label_names[l], r->id, r->text,
                    r->rules[0] ? r->rules : "(none)");
        }
    }
}

size_t ofs_eval_record_count(const ofs_eval *e) { return e->record_count; }
const char *ofs_eval_record_id(const ofs_eval *e, size_t i) { return e->records[i].id; }
const char *ofs_eval_record_text(const ofs_eval *e, size_t i) { return e->records[i].text; }
unsigned ofs_eval_record_gold(const ofs_eval *e, size_t i) { return e->records[i].gold; }
unsigned ofs_eval_record_predicted(const ofs_eval *e, size_t i) { return e->records[i].predicted; }
const char *ofs_eval_record_rules(const ofs_eval *e, size_t i) { return e->records[i].rules; }

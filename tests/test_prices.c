/* test_prices.c: runs the price extractor (src/extract_price.c) on case
 * files and on an external test suite.
 *
 *   test_prices --cases DIR RULES_DIR
 *       Each line of DIR/<lang>.jsonl is {"text": ..., "prices": [...], "country": "DZ"}
 *       ("country", the country the text is about, is optional). The prices
 *       found must equal the expected list exactly and in order: amount,
 *       amount_max (present or not) and currency. Each failure is printed as
 *       file:line. Exit 0 when all pass, 1 otherwise.
 *
 *   test_prices --suite FILE RULES_DIR --floor FLOOR_FILE [--verbose]
 *       FILE is an external JSON Lines suite (shared/external/SOURCES.md): a
 *       case passes when every expected (amount, currency) is among the
 *       prices found; amount_max and extra prices are ignored, because the
 *       suite annotates only one price per text. Prints
 *       "price suite: N/M = X.XXX" and fails when the accuracy is below the
 *       number in FLOOR_FILE. Exits 77 (skipped) when FILE does not exist.
 *
 * Both load the rule directory with bundle_load_dir, the price data with
 * price_data_load, and normalise each text with norm_run(NORM_DEOBFUSCATE),
 * as the scanner does.
 */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "extract.h"
#include "normalize.h"
#include "util.h"

#define SKIP_CODE 77

typedef struct engine {
    ofs_bundle *bundle;
    price_data *prices;
    ofs_norm   *norm;
    price_list  found;
} engine;

static int engine_open(engine *e, const char *rules_dir)
{
    memset(e, 0, sizeof *e);
    ofs_diags *d = ofs_diags_create();
    e->bundle = bundle_load_dir(rules_dir, d);
    if (e->bundle) e->prices = price_data_load(e->bundle, d);
    ofs_diags_print(d, stderr);
    ofs_diags_free(d);
    e->norm = norm_create();
    if (!e->prices) {
        fprintf(stderr, "test_prices: cannot load the price data from %s\n", rules_dir);
        return -1;
    }
    return 0;
}

static void engine_close(engine *e)
{
    price_data_free(e->prices);
    bundle_free(e->bundle);
    norm_free(e->norm);
    free(e->found.items);
}

static void engine_run(engine *e, const char *text, size_t len, const char *country)
{
    e->found.count = 0;
    if (norm_run(e->norm, text, len, NORM_DEOBFUSCATE) != 0) {
        fprintf(stderr, "test_prices: out of memory\n");
        exit(2);
    }
    extract_input in;
    in.orig = text;
    in.orig_len = len;
    in.norm = e->norm;
    in.text = norm_text(e->norm, &in.len);
    price_find(e->prices, &in, country ? country : "", &e->found);
}

static int same_number(double a, double b)
{
    return fabs(a - b) <= 1e-6 * fmax(1.0, fmax(fabs(a), fabs(b)));
}

static void print_price(FILE *f, const ofs_price *p)
{
    fprintf(f, "{%.10g", p->amount);
    if (p->has_max) fprintf(f, "-%.10g", p->amount_max);
    fprintf(f, " %s}", p->currency);
}

static void print_found(FILE *f, const price_list *l, const char *text)
{
    fprintf(f, "[");
    for (size_t i = 0; i < l->count; i++) {
        if (i) fprintf(f, ", ");
        print_price(f, &l->items[i]);
        const ofs_span *s = &l->items[i].span;
        fprintf(f, " \"%.*s\"", (int)(s->end - s->start), text + s->start);
    }
    fprintf(f, "]");
}

/* Reads an expected price. Returns 0, or -1 with a message. */
static int read_expected(json_t *j, ofs_price *out, const char **why)
{
    memset(out, 0, sizeof *out);
    json_t *amount = json_object_get(j, "amount");
    json_t *max = json_object_get(j, "amount_max");
    json_t *cur = json_object_get(j, "currency");
    if (!json_is_number(amount) || !json_is_string(cur) || strlen(json_string_value(cur)) != 3) {
        *why = "each price needs a number \"amount\" and a 3-letter \"currency\"";
        return -1;
    }
    out->amount = json_number_value(amount);
    if (max) {
        if (!json_is_number(max)) {
            *why = "\"amount_max\" must be a number";
            return -1;
        }
        out->amount_max = json_number_value(max);
        out->has_max = 1;
    }
    memcpy(out->currency, json_string_value(cur), 4);
    return 0;
}

static int price_equal(const ofs_price *a, const ofs_price *b)
{
    return same_number(a->amount, b->amount) && a->has_max == b->has_max &&
           (!a->has_max || same_number(a->amount_max, b->amount_max)) &&
           strcmp(a->currency, b->currency) == 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs one case file. Adds to *cases and *failed. */
static int run_case_file(engine *e, const char *path, size_t *cases, size_t *failed)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "%s: cannot open: %s\n", path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    int lineno = 0;
    while ((got = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r')) line[--got] = '\0';
        const char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        if (!*p) continue;
        json_error_t err;
        json_t *j = json_loads(line, 0, &err);
        json_t *text = j ? json_object_get(j, "text") : NULL;
        json_t *prices = j ? json_object_get(j, "prices") : NULL;
        json_t *country = j ? json_object_get(j, "country") : NULL;
        (*cases)++;
        if (!j || !json_is_string(text) || !json_is_array(prices) ||
            (country && !json_is_string(country))) {
            printf("%s:%d: bad case: %s\n", path, lineno,
                   j ? "needs \"text\" (string), \"prices\" (list), optional \"country\"" : err.text);
            (*failed)++;
            json_decref(j);
            continue;
        }
        const char *t = json_string_value(text);
        size_t tlen = json_string_length(text);
        engine_run(e, t, tlen, country ? json_string_value(country) : "");
        size_t want = json_array_size(prices);
        int ok = want == e->found.count;
        const char *why = NULL;
        for (size_t i = 0; i < want; i++) {
            ofs_price exp;
            if (read_expected(json_array_get(prices, i), &exp, &why) != 0) {
                ok = 0;
                break;
            }
            if (ok && !price_equal(&exp, &e->found.items[i])) ok = 0;
        }
        if (!ok) {
            (*failed)++;
            printf("%s:%d: %s\n", path, lineno, t);
            if (why) printf("  bad case: %s\n", why);
            printf("  expected: [");
            for (size_t i = 0; i < want && !why; i++) {
                ofs_price exp;
                read_expected(json_array_get(prices, i), &exp, &why);
                if (i) printf(", ");
                print_price(stdout, &exp);
            }
            printf("]\n  found:    ");
            print_found(stdout, &e->found, t);
            printf("\n");
        }
        json_decref(j);
    }
    free(line);
    fclose(f);
    return 0;
}

static int run_cases(engine *e, const char *dir)
{
    DIR *dh = opendir(dir);
    if (!dh) {
        fprintf(stderr, "%s: cannot open: %s\n", dir, strerror(errno));
        return 1;
    }
    char **names = NULL;
    size_t count = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(dh))) {
        size_t l = strlen(de->d_name);
        if (l > 6 && strcmp(de->d_name + l - 6, ".jsonl") == 0) {
            char *path = xasprintf("%s/%s", dir, de->d_name);
            VEC_PUSH(names, count, cap, path);
        }
    }
    closedir(dh);
    qsort(names, count, sizeof *names, cmp_str);
    size_t cases = 0, failed = 0;
    int io = 0;
    for (size_t i = 0; i < count; i++) {
        if (run_case_file(e, names[i], &cases, &failed) != 0) io = 1;
        free(names[i]);
    }
    free(names);
    printf("prices: %zu cases in %zu files, %zu failed\n", cases, count, failed);
    return (failed || io || cases == 0) ? 1 : 0;
}

static int run_suite(engine *e, const char *path, const char *floor_path, int verbose)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("price suite: skipped, %s not found\n", path);
        return SKIP_CODE;
    }
    double floor = 0;
    if (floor_path) {
        FILE *ff = fopen(floor_path, "r");
        if (!ff || fscanf(ff, "%lf", &floor) != 1) {
            fprintf(stderr, "%s: cannot read the floor\n", floor_path);
            if (ff) fclose(ff);
            fclose(f);
            return 1;
        }
        fclose(ff);
    }
    char *line = NULL;
    size_t cap = 0, total = 0, passed = 0;
    ssize_t got;
    int lineno = 0;
    while ((got = getline(&line, &cap, f)) >= 0) {
        lineno++;
        json_error_t err;
        json_t *j = json_loads(line, 0, &err);
        if (!j) continue;
        json_t *text = json_object_get(j, "text");
        json_t *prices = json_object_get(j, "prices");
        json_t *country = json_object_get(j, "country");
        if (!json_is_string(text) || !json_is_array(prices)) {
            json_decref(j);
            continue;
        }
        total++;
        engine_run(e, json_string_value(text), json_string_length(text),
                   json_is_string(country) ? json_string_value(country) : "");
        int ok = 1;
        for (size_t i = 0; i < json_array_size(prices); i++) {
            ofs_price exp;
            const char *why;
            if (read_expected(json_array_get(prices, i), &exp, &why) != 0) {
                ok = 0;
                break;
            }
            int found = 0;
            for (size_t k = 0; k < e->found.count; k++)
                if (same_number(exp.amount, e->found.items[k].amount) &&
                    strcmp(exp.currency, e->found.items[k].currency) == 0)
                    found = 1;
            if (!found) ok = 0;
        }
        if (ok) passed++;
        else if (verbose) {
            char *dump = json_dumps(prices, JSON_COMPACT);
            printf("%s:%d: %s\n  expected: %s\n  found:    ", path, lineno,
                   json_string_value(text), dump ? dump : "?");
            free(dump);
            print_found(stdout, &e->found, json_string_value(text));
            printf("\n");
        }
        json_decref(j);
    }
    free(line);
    fclose(f);
    double acc = total ? (double)passed / (double)total : 0;
    printf("price suite: %zu/%zu = %.3f (floor %.2f)\n", passed, total, acc, floor);
    return acc + 1e-9 >= floor && total > 0 ? 0 : 1;
}

static int usage(void)
{
    fprintf(stderr, "usage: test_prices --cases DIR RULES_DIR\n"
                    "       test_prices --suite FILE RULES_DIR [--floor FILE] [--verbose]\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 4) return usage();
    const char *mode = argv[1], *target = argv[2], *rules = argv[3];
    const char *floor_path = NULL;
    int verbose = 0;
    for (int i = 4; i < argc; i++) {
        if (strcmp(argv[i], "--floor") == 0 && i + 1 < argc) floor_path = argv[++i];
        else if (strcmp(argv[i], "--verbose") == 0) verbose = 1;
        else return usage();
    }
    int suite = strcmp(mode, "--suite") == 0;
    if (!suite && strcmp(mode, "--cases") != 0) return usage();
    if (suite) {
        FILE *probe = fopen(target, "r");
        if (!probe) {
            printf("price suite: skipped, %s not found\n", target);
            return SKIP_CODE;
        }
        fclose(probe);
    }
    engine e;
    if (engine_open(&e, rules) != 0) {
        engine_close(&e);
        return 1;
    }
    int rc = suite ? run_suite(&e, target, floor_path, verbose) : run_cases(&e, target);
    engine_close(&e);
    return rc;
}

/* test_report.c: checks the figures of `offerscan report` on labelled files
 * whose counts are known.
 *
 *     test_report DIR
 *
 * Every NAME.jsonl in DIR (lines of `offerscan label` output, hand-written
 * and fictitious) is read into a report, and the report's JSON is compared
 * with NAME.expected.json field by field:
 *
 *   - an object in the expected file lists only the fields it checks; each
 *     must be present in the report with the expected value;
 *   - an array must have exactly the expected length, and each item is
 *     compared the same way (so [{"country": "LY"}, {}] checks the first
 *     item's country and that there are two);
 *   - numbers are compared to within 1e-9, strings and null exactly.
 *
 * An optional NAME.options.json sets the report options: {"title": ...,
 * "redact": true, "redact_key": "..."}. A failure prints the file and the
 * path of the field ("routes[0].prices[0].median: expected 3750, got
 * 3700"). Exit status 0 when every field of every case matches.
 */
#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "offerscan.h"
#include "util.h"

static int failures;

static void fail(const char *file, const char *path, const char *fmt, const json_t *want, const json_t *got)
{
    char *w = json_dumps(want, JSON_ENCODE_ANY | JSON_COMPACT);
    char *g = got ? json_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT) : xstrdup("(absent)");
    if (g && strlen(g) > 300) strcpy(g + 290, "...");
    printf("FAIL %s: %s: %s: expected %s, got %s\n", file, path[0] ? path : "(top)", fmt, w, g);
    free(w);
    free(g);
    failures++;
}

/* Compares got against the expected subset want, reporting under path. */
static void compare(const char *file, const char *path, const json_t *want, const json_t *got)
{
    if (!got) {
        fail(file, path, "missing", want, got);
        return;
    }
    if (json_is_object(want)) {
        if (!json_is_object(got)) {
            fail(file, path, "not an object", want, got);
            return;
        }
        const char *key;
        json_t *w;
        json_object_foreach((json_t *)(uintptr_t)want, key, w) {
            char *sub = xasprintf("%s%s%s", path, path[0] ? "." : "", key);
            compare(file, sub, w, json_object_get(got, key));
            free(sub);
        }
    } else if (json_is_array(want)) {
        if (!json_is_array(got) || json_array_size(got) != json_array_size(want)) {
            fail(file, path, "list differs in length", want, got);
            return;
        }
        for (size_t i = 0; i < json_array_size(want); i++) {
            char *sub = xasprintf("%s[%zu]", path, i);
            compare(file, sub, json_array_get(want, i), json_array_get(got, i));
            free(sub);
        }
    } else if (json_is_number(want)) {
        if (!json_is_number(got) || fabs(json_number_value(want) - json_number_value(got)) > 1e-9)
            fail(file, path, "differs", want, got);
    } else if (!json_equal((json_t *)(uintptr_t)want, (json_t *)(uintptr_t)got)) {
        fail(file, path, "differs", want, got);
    }
}

static json_t *load(const char *path, int required)
{
    json_error_t err;
    json_t *j = json_load_file(path, 0, &err);
    if (!j && required) {
        printf("FAIL %s:%d:%d: %s\n", path, err.line, err.column, err.text);
        failures++;
    }
    return j;
}

static void run_case(const char *dir, const char *name)
{
    char *input = xasprintf("%s/%s.jsonl", dir, name);
    char *expected_path = xasprintf("%s/%s.expected.json", dir, name);
    char *options_path = xasprintf("%s/%s.options.json", dir, name);
    json_t *expected = load(expected_path, 1), *options = load(options_path, 0);
    ofs_report_options opt = {json_string_value(json_object_get(options, "title")),
                              json_is_true(json_object_get(options, "redact")),
                              json_string_value(json_object_get(options, "redact_key"))};
    ofs_diags *d = ofs_diags_create();
    ofs_report *rep = ofs_report_create(&opt, d);
    FILE *in = fopen(input, "r");
    if (!rep || !in || !expected) {
        printf("FAIL %s: cannot run (%s)\n", input, !in ? "cannot open" : !rep ? "bad options" : "no expected file");
        ofs_diags_print(d, stdout);
        failures++;
    } else {
        char *line = NULL;
        size_t cap = 0, no = 0;
        ssize_t n;
        while ((n = getline(&line, &cap, in)) > 0) {
            no++;
            if (n > 1) ofs_report_add_line(rep, line, (size_t)n, input, no, d);
        }
        free(line);
        char *buf = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&buf, &len);
        int rc = ofs_report_write_json(rep, mem);
        fclose(mem);
        json_error_t err;
        json_t *got = rc == 0 ? json_loadb(buf, len, 0, &err) : NULL;
        if (!got) {
            printf("FAIL %s: the report is not valid JSON\n", input);
            failures++;
        } else {
            int before = failures;
            compare(expected_path, "", expected, got);
            if (failures == before) printf("ok   %s\n", name);
        }
        json_decref(got);
        free(buf);
    }
    if (in) fclose(in);
    ofs_report_free(rep);
    ofs_diags_free(d);
    json_decref(expected);
    json_decref(options);
    free(input);
    free(expected_path);
    free(options_path);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_report DIR\n");
        return 2;
    }
    DIR *dir = opendir(argv[1]);
    if (!dir) {
        perror(argv[1]);
        return 2;
    }
    char **names = NULL;
    size_t count = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        size_t n = strlen(e->d_name);
        if (n > 6 && strcmp(e->d_name + n - 6, ".jsonl") == 0) VEC_PUSH(names, count, cap, xstrndup(e->d_name, n - 6));
    }
    closedir(dir);
    qsort(names, count, sizeof *names, cmp_str);
    for (size_t i = 0; i < count; i++) {
        run_case(argv[1], names[i]);
        free(names[i]);
    }
    free(names);
    printf("report: %zu case(s), %d failure(s)\n", count, failures);
    return failures || !count ? 1 : 0;
}

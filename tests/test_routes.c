/* test_routes.c: runs the route cases in the .jsonl files of tests/extract/routes.
 *
 *   test_routes RULES_DIR CASES_DIR [FILE.jsonl ...]
 *
 * Each line of a case file is one case, in the shape of shared/ANNOTATION.md:
 *
 *   {"text": "from Zuwara to Lampedusa",
 *    "routes": [{"from": {"country": "LY", "place": "Zuwara"},
 *                "to": {"country": "IT", "place": "Lampedusa"}}],
 *    "country_context": "LY"}              (optional)
 *
 * "from": null is a lone destination. The routes must be exactly those
 * found, in any order. A line {"lookup": "passaporto italiano's word",
 * "country": "IT"} checks gazetteer_lookup_country instead ("country": null
 * when nothing must be found). Lines that are empty or start with // are
 * skipped. Each failure prints file:line with what was expected and found;
 * OFS_TEST_VERBOSE=1 prints every case.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bundle.h"
#include "extract.h"
#include "normalize.h"
#include "util.h"

typedef struct strlist { char **items; size_t count, cap; } strlist;

static void strlist_free(strlist *l)
{
    for (size_t i = 0; i < l->count; i++) free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->count = l->cap = 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void place_str(strbuf *sb, const char *cc, const char *place)
{
    strbuf_puts(sb, cc && cc[0] ? cc : "??");
    if (place) {
        strbuf_putc(sb, '/');
        strbuf_puts(sb, place);
    }
}

/* "LY/Zuwara > IT/Lampedusa", "null > IT" */
static char *route_str(const ofs_route *r)
{
    strbuf sb = {0};
    if (r->has_from) place_str(&sb, r->from.country, r->from.place);
    else strbuf_puts(&sb, "null");
    strbuf_puts(&sb, " > ");
    place_str(&sb, r->to.country, r->to.place);
    return sb.buf;
}

static int json_place(json_t *p, strbuf *sb)
{
    if (!json_is_object(p)) return -1;
    json_t *cc = json_object_get(p, "country"), *pl = json_object_get(p, "place");
    if (!json_is_string(cc) || (pl && !json_is_string(pl) && !json_is_null(pl))) return -1;
    place_str(sb, json_string_value(cc), json_is_string(pl) ? json_string_value(pl) : NULL);
    return 0;
}

static int expected_routes(json_t *routes, strlist *out)
{
    if (!json_is_array(routes)) return -1;
    size_t i;
    json_t *r;
    json_array_foreach(routes, i, r) {
        strbuf sb = {0};
        json_t *from = json_object_get(r, "from"), *to = json_object_get(r, "to");
        int bad = !json_is_object(r) || !from || !to;
        if (!bad && json_is_null(from)) strbuf_puts(&sb, "null");
        else if (!bad) bad = json_place(from, &sb) != 0;
        strbuf_puts(&sb, " > ");
        if (!bad) bad = json_place(to, &sb) != 0;
        if (bad) {
            strbuf_free(&sb);
            return -1;
        }
        VEC_PUSH(out->items, out->count, out->cap, sb.buf);
    }
    return 0;
}

static void print_list(const char *what, const strlist *l)
{
    fprintf(stderr, "    %s:", what);
    if (!l->count) fprintf(stderr, " (none)");
    for (size_t i = 0; i < l->count; i++) fprintf(stderr, "%s %s", i ? ";" : "", l->items[i]);
    fprintf(stderr, "\n");
}

typedef struct totals { size_t cases, failed; } totals;

static void run_file(const gazetteer *g, ofs_norm *norm, const char *path, totals *tot, int verbose)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "%s: cannot open\n", path);
        tot->failed++;
        return;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int lineno = 0;
    route_list routes = {0};
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
        const char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        if (!*p || (p[0] == '/' && p[1] == '/')) continue;
        json_error_t err;
        json_t *c = json_loads(p, 0, &err);
        tot->cases++;
        if (!c || !json_is_object(c)) {
            fprintf(stderr, "%s:%d: not a JSON object: %s\n", path, lineno, c ? "" : err.text);
            tot->failed++;
            json_decref(c);
            continue;
        }
        json_t *lookup = json_object_get(c, "lookup");
        if (json_is_string(lookup)) {
            const char *s = json_string_value(lookup);
            json_t *want = json_object_get(c, "country");
            norm_run(norm, s, strlen(s), NORM_DEOBFUSCATE);
            size_t len;
            const char *t = norm_text(norm, &len);
            char cc[3];
            int found = gazetteer_lookup_country(g, t, len, cc);
            const char *w = json_is_string(want) ? json_string_value(want) : "";
            int ok = found ? strcmp(cc, w) == 0 : w[0] == '\0';
            if (!ok) {
                fprintf(stderr, "%s:%d: FAIL lookup \"%s\": expected %s, found %s\n", path, lineno, s,
                        w[0] ? w : "nothing", found ? cc : "nothing");
                tot->failed++;
            } else if (verbose) {
                printf("%s:%d: ok lookup \"%s\" -> %s\n", path, lineno, s, found ? cc : "nothing");
            }
            json_decref(c);
            continue;
        }
        json_t *text = json_object_get(c, "text");
        strlist want = {0}, got = {0};
        if (!json_is_string(text) || expected_routes(json_object_get(c, "routes"), &want) != 0) {
            fprintf(stderr, "%s:%d: a case needs \"text\" and \"routes\" in the annotation shape\n", path, lineno);
            tot->failed++;
            strlist_free(&want);
            json_decref(c);
            continue;
        }
        const char *s = json_string_value(text);
        size_t slen = json_string_length(text);
        norm_run(norm, s, slen, NORM_DEOBFUSCATE);
        extract_input in = {s, slen, norm, NULL, 0};
        in.text = norm_text(norm, &in.len);
        routes.count = 0;
        char ctxcc[3] = "xx";
        route_find(g, &in, &routes, ctxcc);
        int spans_ok = 1;
        for (size_t i = 0; i < routes.count; i++) {
            const ofs_route *r = &routes.items[i];
            VEC_PUSH(got.items, got.count, got.cap, route_str(r));
            if (r->to.span.end > slen || r->to.span.start >= r->to.span.end) spans_ok = 0;
            if (r->has_from && (r->from.span.end > slen || r->from.span.start >= r->from.span.end)) spans_ok = 0;
        }
        if (want.count) qsort(want.items, want.count, sizeof *want.items, cmp_str);
        if (got.count) qsort(got.items, got.count, sizeof *got.items, cmp_str);
        int ok = want.count == got.count && spans_ok;
        for (size_t i = 0; ok && i < want.count; i++) ok = strcmp(want.items[i], got.items[i]) == 0;
        json_t *wctx = json_object_get(c, "country_context");
        int ctx_ok = !wctx || (json_is_string(wctx) && strcmp(json_string_value(wctx), ctxcc) == 0) ||
                     (json_is_null(wctx) && ctxcc[0] == '\0');
        if (!ok || !ctx_ok) {
            fprintf(stderr, "%s:%d: FAIL %s\n", path, lineno, s);
            print_list("expected", &want);
            print_list("found   ", &got);
            if (!spans_ok) fprintf(stderr, "    a span is outside the text or empty\n");
            if (!ctx_ok)
                fprintf(stderr, "    country_context: expected %s, found %s\n",
                        json_is_string(wctx) ? json_string_value(wctx) : "none", ctxcc[0] ? ctxcc : "none");
            tot->failed++;
        } else if (verbose) {
            printf("%s:%d: ok", path, lineno);
            for (size_t i = 0; i < got.count; i++) printf("%s %s", i ? ";" : "", got.items[i]);
            printf(" [%s]\n", ctxcc);
        }
        strlist_free(&want);
        strlist_free(&got);
        json_decref(c);
    }
    free(routes.items);
    free(line);
    fclose(f);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s RULES_DIR CASES_DIR [FILE.jsonl ...]\n", argv[0]);
        return 2;
    }
    int verbose = getenv("OFS_TEST_VERBOSE") && getenv("OFS_TEST_VERBOSE")[0] == '1';
    ofs_diags *d = ofs_diags_create();
    ofs_bundle *b = bundle_load_dir(argv[1], d);
    gazetteer *g = b ? gazetteer_load(b, d) : NULL;
    if (ofs_diags_count(d)) ofs_diags_print(d, stderr);
    if (!g) {
        fprintf(stderr, "test_routes: cannot load the gazetteer from %s\n", argv[1]);
        bundle_free(b);
        ofs_diags_free(d);
        return 1;
    }
    strlist files = {0};
    if (argc > 3) {
        for (int i = 3; i < argc; i++) VEC_PUSH(files.items, files.count, files.cap, xstrdup(argv[i]));
    } else {
        DIR *dir = opendir(argv[2]);
        if (!dir) {
            fprintf(stderr, "test_routes: cannot open %s\n", argv[2]);
            return 1;
        }
        struct dirent *e;
        while ((e = readdir(dir)))
            if (ends_with(e->d_name, ".jsonl"))
                VEC_PUSH(files.items, files.count, files.cap, xasprintf("%s/%s", argv[2], e->d_name));
        closedir(dir);
        if (files.count) qsort(files.items, files.count, sizeof *files.items, cmp_str);
    }
    totals tot = {0, 0};
    ofs_norm *norm = norm_create();
    for (size_t i = 0; i < files.count; i++) run_file(g, norm, files.items[i], &tot, verbose);
    norm_free(norm);
    printf("test_routes: %zu cases in %zu files, %zu failed\n", tot.cases, files.count, tot.failed);
    strlist_free(&files);
    gazetteer_free(g);
    bundle_free(b);
    ofs_diags_free(d);
    return tot.failed || tot.cases == 0 ? 1 : 0;
}

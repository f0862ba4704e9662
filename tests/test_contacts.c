/* test_contacts.c: runs the contact and document extractors over case files.
 *
 *     test_contacts RULES_DIR CASES...
 *
 * CASES are .jsonl files, or directories whose .jsonl files are all read
 * (tests/extract/contacts/<lang>.jsonl). Each line is one case:
 *
 *   {"text": "...",
 *    "contacts": [{"kind": "phone", "value": "+218910001234", "country": "LY"},
 *                 {"kind": "handle", "value": "@ali"}, {"kind": "link", "value": "t.me/x"}],
 *    "documents": [{"type": "passport", "country": "IT"}]}
 *
 * A list that is absent is not checked; a present list must match exactly,
 * in text order. Inside an item, "country" and "match" (the original text
 * the span covers) are checked only when present. Blank lines and lines
 * starting with "#" are skipped. A failure prints file:line, what was
 * expected and what was found. Exit status 0 when every case passes.
 */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "extract.h"
#include "normalize.h"
#include "util.h"

typedef struct fixture {
    gazetteer     *gaz;
    contact_data  *contacts;
    document_data *documents;
    ofs_norm      *norm;
    contact_list   found_contacts;
    document_list  found_documents;
} fixture;

static const char *kind_name(ofs_contact_kind k)
{
    switch (k) {
    case OFS_CONTACT_PHONE: return "phone";
    case OFS_CONTACT_HANDLE: return "handle";
    default: return "link";
    }
}

static json_t *span_text(const char *text, ofs_span sp)
{
    return json_stringn(text + sp.start, sp.end - sp.start);
}

static json_t *contacts_json(const contact_list *l, const char *text)
{
    json_t *a = json_array();
    for (size_t i = 0; i < l->count; i++) {
        const ofs_contact *c = &l->items[i];
        json_t *o = json_pack("{s:s, s:s}", "kind", kind_name(c->kind), "value", c->value);
        if (c->kind == OFS_CONTACT_PHONE) json_object_set_new(o, "country", json_string(c->country));
        json_object_set_new(o, "match", span_text(text, c->span));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *documents_json(const document_list *l, const char *text)
{
    json_t *a = json_array();
    for (size_t i = 0; i < l->count; i++) {
        const ofs_document *d = &l->items[i];
        json_t *o = json_pack("{s:s, s:s}", "type", d->type, "country", d->country);
        json_object_set_new(o, "match", span_text(text, d->span));
        json_array_append_new(a, o);
    }
    return a;
}

/* 1 when every key of want has the same value in got (keys absent from
 * want are not checked). */
static int item_matches(json_t *want, json_t *got)
{
    const char *key;
    json_t *value;
    json_object_foreach(want, key, value) {
        if (!json_equal(value, json_object_get(got, key))) return 0;
    }
    return 1;
}

static int list_matches(json_t *want, json_t *got)
{
    if (!json_is_array(want) || json_array_size(want) != json_array_size(got)) return 0;
    for (size_t i = 0; i < json_array_size(want); i++)
        if (!json_is_object(json_array_get(want, i)) ||
            !item_matches(json_array_get(want, i), json_array_get(got, i)))
            return 0;
    return 1;
}

static void report(const char *file, int line, const char *what, json_t *want, json_t *got,
                   const char *text)
{
    char *w = json_dumps(want, JSON_COMPACT);
    char *g = json_dumps(got, JSON_COMPACT);
    fprintf(stderr, "%s:%d: %s differ\n  text:     %s\n  expected: %s\n  found:    %s\n", file,
            line, what, text, w ? w : "?", g ? g : "?");
    free(w);
    free(g);
}

/* Runs one case; returns 1 when it passes. */
static int run_case(fixture *fx, const char *file, int line, json_t *c)
{
    json_t *jt = json_object_get(c, "text");
    if (!json_is_string(jt)) {
        fprintf(stderr, "%s:%d: a case needs a \"text\" string\n", file, line);
        return 0;
    }
    const char *text = json_string_value(jt);
    size_t len = json_string_length(jt);
    if (norm_run(fx->norm, text, len, NORM_DEOBFUSCATE) != 0) {
        fprintf(stderr, "%s:%d: out of memory\n", file, line);
        return 0;
    }
    extract_input in = {text, len, fx->norm, NULL, 0};
    in.text = norm_text(fx->norm, &in.len);
    contact_list_reset(&fx->found_contacts);
    fx->found_documents.count = 0;
    contact_find(fx->contacts, &in, &fx->found_contacts);
    document_find(fx->documents, &in, &fx->found_documents);

    int ok = 1;
    json_t *want = json_object_get(c, "contacts");
    if (want) {
        json_t *got = contacts_json(&fx->found_contacts, text);
        if (!list_matches(want, got)) {
            report(file, line, "contacts", want, got, text);
            ok = 0;
        }
        json_decref(got);
    }
    want = json_object_get(c, "documents");
    if (want) {
        json_t *got = documents_json(&fx->found_documents, text);
        if (!list_matches(want, got)) {
            report(file, line, "documents", want, got, text);
            ok = 0;
        }
        json_decref(got);
    }
    return ok;
}

/* Runs every case of one .jsonl file; adds to *cases and *failed. */
static void run_file(fixture *fx, const char *path, int *cases, int *failed)
{
    size_t size;
    char *data = read_file(path, &size);
    if (!data) {
        fprintf(stderr, "%s: cannot read\n", path);
        (*failed)++;
        return;
    }
    int line = 0;
    for (char *p = data, *next; p && *p; p = next) {
        line++;
        char *nl = strchr(p, '\n');
        next = nl ? nl + 1 : NULL;
        if (nl) *nl = '\0';
        const char *q = p;
        while (*q == ' ' || *q == '\t' || *q == '\r') q++;
        if (!*q || *q == '#') continue;
        json_error_t err;
        json_t *c = json_loads(q, 0, &err);
        (*cases)++;
        if (!json_is_object(c)) {
            fprintf(stderr, "%s:%d:%d: not a JSON object: %s\n", path, line, err.column, err.text);
            (*failed)++;
        } else if (!run_case(fx, path, line, c)) {
            (*failed)++;
        }
        json_decref(c);
    }
    free(data);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory: its .jsonl files in name order. Anything else: one file. */
static void run_path(fixture *fx, const char *path, int *cases, int *failed)
{
    DIR *dh = opendir(path);
    if (!dh) {
        run_file(fx, path, cases, failed);
        return;
    }
    char **names = NULL;
    size_t count = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dh))) {
        if (e->d_name[0] == '.' || !ends_with(e->d_name, ".jsonl")) continue;
        char *full = xasprintf("%s/%s", path, e->d_name);
        VEC_PUSH(names, count, cap, full);
    }
    closedir(dh);
    qsort(names, count, sizeof *names, cmp_str);
    for (size_t i = 0; i < count; i++) {
        run_file(fx, names[i], cases, failed);
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s RULES_DIR CASES...\n", argv[0]);
        return 2;
    }
    ofs_diags *d = ofs_diags_create();
    ofs_bundle *b = bundle_load_dir(argv[1], d);
    fixture fx;
    memset(&fx, 0, sizeof fx);
    if (b) {
        fx.gaz = gazetteer_load(b, d);
        fx.contacts = contact_data_load(b, d);
        fx.documents = document_data_load(b, fx.gaz, d);
    }
    ofs_diags_print(d, stderr);
    int cases = 0, failed = 0;
    if (!b || !fx.gaz || !fx.contacts || !fx.documents) {
        fprintf(stderr, "%s: the rule set does not load\n", argv[1]);
        failed = 1;
    } else {
        fx.norm = norm_create();
        for (int i = 2; i < argc; i++) run_path(&fx, argv[i], &cases, &failed);
        printf("contacts and documents: %d cases, %d passed, %d failed\n", cases,
               cases - failed, failed);
    }

    contact_list_free(&fx.found_contacts);
    free(fx.found_documents.items);
    norm_free(fx.norm);
    document_data_free(fx.documents);
    contact_data_free(fx.contacts);
    gazetteer_free(fx.gaz);
    bundle_free(b);
    ofs_diags_free(d);
    return failed || cases == 0 ? 1 : 0;
}

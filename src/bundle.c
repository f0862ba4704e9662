/* bundle.c: reading a rule directory (or the built-in copy) into documents. */
#include "bundle.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "diag.h"
#include "util.h"

typedef struct path_list { char **items; size_t count, cap; } path_list;

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void collect_yaml(const char *dir, path_list *out, ofs_diags *d, int depth)
{
    DIR *dh = opendir(dir);
    if (!dh) {
        diag_add(d, OFS_ERROR, dir, 0, 0, "cannot open rule directory: %s", strerror(errno));
        return;
    }
    struct dirent *e;
    while ((e = readdir(dh))) {
        if (e->d_name[0] == '.') continue;
        char *path = xasprintf("%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode) && depth < 8) {
            collect_yaml(path, out, d, depth + 1);
            free(path);
        } else if (ends_with(e->d_name, ".yaml") || ends_with(e->d_name, ".yml")) {
            VEC_PUSH(out->items, out->count, out->cap, path);
        } else {
            free(path);
        }
    }
    closedir(dh);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_doc(const void *a, const void *b)
{
    return strcmp((*(ydoc *const *)a)->file, (*(ydoc *const *)b)->file);
}

static void bundle_add(ofs_bundle *b, size_t *cap, const char *name, const char *data, size_t len,
                       ofs_diags *d, int *failed)
{
    ydoc *doc = ydoc_parse(name, data, len, d);
    if (!doc) {
        *failed = 1;
        return;
    }
    if (!doc->root) { /* an empty file is allowed and ignored */
        ydoc_free(doc);
        return;
    }
    VEC_PUSH(b->docs, b->count, *cap, doc);
}

ofs_bundle *bundle_load_dir(const char *dir, ofs_diags *d)
{
    path_list paths = {0};
    size_t before = ofs_diags_errors(d);
    collect_yaml(dir, &paths, d, 0);
    if (ofs_diags_errors(d) > before) {
        for (size_t i = 0; i < paths.count; i++) free(paths.items[i]);
        free(paths.items);
        return NULL;
    }
    if (paths.count > 1) qsort(paths.items, paths.count, sizeof *paths.items, cmp_str);
    ofs_bundle *b = xcalloc(1, sizeof *b);
    size_t cap = 0;
    int failed = 0;
    for (size_t i = 0; i < paths.count; i++) {
        size_t len;
        char *data = read_file(paths.items[i], &len);
        if (!data) {
            diag_add(d, OFS_ERROR, paths.items[i], 0, 0, "cannot read: %s", strerror(errno));
            failed = 1;
        } else {
            bundle_add(b, &cap, paths.items[i], data, len, d, &failed);
            free(data);
        }
        free(paths.items[i]);
    }
    free(paths.items);
    if (!failed && paths.count == 0) {
        diag_add(d, OFS_ERROR, dir, 0, 0, "no .yaml rule files in this directory");
        failed = 1;
    }
    if (failed) {
        bundle_free(b);
        return NULL;
    }
    return b;
}

ofs_bundle *bundle_load_builtin(ofs_diags *d)
{
    ofs_bundle *b = xcalloc(1, sizeof *b);
    size_t cap = 0;
    int failed = 0;
    for (size_t i = 0; i < builtin_rule_file_count; i++) {
        const builtin_file *f = &builtin_rule_files[i];
        char *name = xasprintf("<builtin>/%s", f->path);
        bundle_add(b, &cap, name, (const char *)f->data, f->len, d, &failed);
        free(name);
    }
    if (failed) {
        bundle_free(b);
        return NULL;
    }
    if (b->count > 1) qsort(b->docs, b->count, sizeof *b->docs, cmp_doc);
    return b;
}

void bundle_free(ofs_bundle *b)
{
    if (!b) return;
    for (size_t i = 0; i < b->count; i++) ydoc_free(b->docs[i]);
    free(b->docs);
    free(b);
}

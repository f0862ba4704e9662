/* diag.c: a list of problems, each with file, line and column. */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>

#include "util.h"

struct ofs_diags {
    ofs_diag *items;
    size_t    count, cap;
    size_t    errors;
};

ofs_diags *ofs_diags_create(void)
{
    return calloc(1, sizeof(ofs_diags));
}

void ofs_diags_free(ofs_diags *d)
{
    if (!d) return;
    for (size_t i = 0; i < d->count; i++) {
        free_const(d->items[i].file);
        free_const(d->items[i].message);
    }
    free(d->items);
    free(d);
}

size_t ofs_diags_count(const ofs_diags *d) { return d ? d->count : 0; }
size_t ofs_diags_errors(const ofs_diags *d) { return d ? d->errors : 0; }

const ofs_diag *ofs_diags_get(const ofs_diags *d, size_t i)
{
    return d && i < d->count ? &d->items[i] : NULL;
}

void diag_add(ofs_diags *d, ofs_severity sev, const char *file, int line, int column,
              const char *fmt, ...)
{
    if (!d) return;
    strbuf sb = {0};
    va_list ap;
    va_start(ap, fmt);
    char tmp[1024];
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    strbuf_puts(&sb, tmp);
    ofs_diag item = {sev, xstrdup(file ? file : "<input>"), line, column, sb.buf};
    VEC_PUSH(d->items, d->count, d->cap, item);
    if (sev == OFS_ERROR) d->errors++;
}

void ofs_diags_print(const ofs_diags *d, FILE *f)
{
    for (size_t i = 0; i < ofs_diags_count(d); i++) {
        const ofs_diag *g = &d->items[i];
        const char *sev = g->severity == OFS_ERROR ? "error" : "warning";
        if (g->line > 0)
            fprintf(f, "%s:%d:%d: %s: %s\n", g->file, g->line, g->column, sev, g->message);
        else
            fprintf(f, "%s: %s: %s\n", g->file, sev, g->message);
    }
}

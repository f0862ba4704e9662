/* normalize.c: PLACEHOLDER identity normaliser; being replaced (see normalize.h). */
#include "normalize.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

struct ofs_norm {
    char   *text;
    size_t  len, cap;
    size_t *start, *end;
    size_t  map_cap;
    int     invalid;
};

ofs_norm *norm_create(void) { return xcalloc(1, sizeof(ofs_norm)); }

void norm_free(ofs_norm *n)
{
    if (!n) return;
    free(n->text);
    free(n->start);
    free(n->end);
    free(n);
}

int norm_run(ofs_norm *n, const char *src, size_t len, unsigned flags)
{
    (void)flags;
    grow_array((void **)&n->text, &n->cap, len + 1, 1);
    size_t mc = n->map_cap;
    grow_array((void **)&n->start, &mc, len + 1, sizeof(size_t));
    mc = n->map_cap;
    grow_array((void **)&n->end, &mc, len + 1, sizeof(size_t));
    n->map_cap = mc;
    for (size_t i = 0; i < len; i++) {
        char c = src[i];
        n->text[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
        n->start[i] = i;
        n->end[i] = i + 1;
    }
    n->start[len] = n->end[len] = len;
    n->text[len] = '\0';
    n->len = len;
    n->invalid = 0;
    return 0;
}

const char *norm_text(const ofs_norm *n, size_t *len)
{
    if (len) *len = n->len;
    return n->text ? n->text : "";
}

void norm_to_orig(const ofs_norm *n, size_t start, size_t end, size_t *os, size_t *oe)
{
    if (start >= n->len) {
        *os = *oe = n->len ? n->end[n->len - 1] : 0;
        return;
    }
    *os = n->start[start];
    *oe = end > start ? n->end[end - 1] : *os;
}

int norm_had_invalid_utf8(const ofs_norm *n) { return n->invalid; }

char *norm_string(const char *s)
{
    ofs_norm *n = norm_create();
    norm_run(n, s, strlen(s), 0);
    char *r = xstrdup(norm_text(n, NULL));
    norm_free(n);
    return r;
}

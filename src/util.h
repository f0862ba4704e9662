/* util.h: small helpers shared by every module: checked allocation,
 * growable arrays and a string builder. Internal to the library. */
#ifndef OFS_UTIL_H
#define OFS_UTIL_H

#include <stdarg.h>
#include <stddef.h>

/* Allocation that aborts with a message on failure: the library treats out
 * of memory as fatal, like most command-line tools. */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* Frees memory the library owns but exposes through a const pointer. */
void free_const(const void *p);
char *xstrndup(const char *s, size_t n);
/* Returns a malloc'd string formatted like printf. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grows *items (of *cap elements of size elem) so that it holds at least
 * need elements. */
void grow_array(void **items, size_t *cap, size_t need, size_t elem);
#define VEC_PUSH(arr, count, cap, value)                                          \
    do {                                                                          \
        grow_array((void **)&(arr), &(cap), (count) + 1, sizeof *(arr));          \
        (arr)[(count)++] = (value);                                               \
    } while (0)

/* A NUL-terminated string builder. Zero-initialise, append, then take buf
 * (the caller frees it) or call strbuf_free. */
typedef struct strbuf { char *buf; size_t len, cap; } strbuf;
void strbuf_append(strbuf *sb, const char *s, size_t n);
void strbuf_puts(strbuf *sb, const char *s);
void strbuf_putc(strbuf *sb, char c);
void strbuf_printf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_reset(strbuf *sb);
void strbuf_free(strbuf *sb);

/* Reads a whole file. Returns a malloc'd NUL-terminated buffer and sets
 * *len, or NULL with errno set. */
char *read_file(const char *path, size_t *len);

/* Levenshtein distance between two short ASCII strings, for did-you-mean. */
size_t edit_distance(const char *a, const char *b);

#endif

/* test_normalize.c: runs the normaliser's case files (tests/normalize/NAME.tsv)
 * and checks its offset map on every case and on random text.
 *
 * Usage: test_normalize DIR
 *
 * Case file format, one case per line, columns separated by a TAB:
 *
 *     input<TAB>expected normalised text
 *     input<TAB>normalised substring<TAB>original substring it maps back to
 *
 * Escapes in any column: \t \n \r \\ \s (space) \# (a '#' at the start of a
 * column) \xNN (one byte, so invalid UTF-8 can be written). Lines starting
 * with '#' and empty lines are skipped. "%mode raw" switches the following
 * cases to norm_run flags 0, "%mode deobfuscate" back to NORM_DEOBFUSCATE
 * (the default, what the engine uses).
 *
 * For every case the driver also checks that:
 *   - norm_had_invalid_utf8 says whether the input is valid UTF-8;
 *   - every normalised byte maps to a non-empty span inside the input, and
 *     both ends of the spans never go backwards (the map is monotonic);
 *   - normalising the expected output again gives it back (idempotence:
 *     rule data written in normalised form stays as it is).
 * Then it runs random mixtures of tricky fragments through the same map
 * checks, checks that a reused normaliser (warm caches) and a fresh one
 * agree, that the output is idempotent, and that norm_string agrees with
 * norm_run.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "normalize.h"

static int failures;
static int cases, span_cases, random_cases;

/* ---- helpers ------------------------------------------------------------- */

static void print_escaped(FILE *f, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n') fputs("\\n", f);
        else if (c == '\t') fputs("\\t", f);
        else if (c == '\\') fputs("\\\\", f);
        else if (c < 0x20 || c == 0x7f) fprintf(f, "\\x%02x", c);
        else fputc(c, f);
    }
}

/* Unescapes s in place; returns the new length. */
static size_t unescape(char *s)
{
    char *w = s;
    for (const char *r = s; *r; r++) {
        if (*r != '\\' || !r[1]) {
            *w++ = *r;
            continue;
        }
        r++;
        switch (*r) {
        case 't': *w++ = '\t'; break;
        case 'n': *w++ = '\n'; break;
        case 'r': *w++ = '\r'; break;
        case 's': *w++ = ' '; break;
        case '#': *w++ = '#'; break;
        case '\\': *w++ = '\\'; break;
        case 'x': {
            char hex[3] = {0};
            if (r[1] && r[2]) {
                hex[0] = r[1];
                hex[1] = r[2];
                *w++ = (char)strtol(hex, NULL, 16);
                r += 2;
            }
            break;
        }
        default: *w++ = '\\'; *w++ = *r; break;
        }
    }
    *w = '\0';
    return (size_t)(w - s);
}

static int valid_utf8(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t r = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                              (utf8proc_ssize_t)(n - i), &cp);
        if (r <= 0) return 0;
        i += (size_t)r;
    }
    return 1;
}

/* The map checks. where: "file:line" or a description. */
static int check_map(const ofs_norm *n, const char *in, size_t in_len, const char *where)
{
    size_t len;
    const char *text = norm_text(n, &len);
    if (strlen(text) != len) {
        printf("%s: norm_text has a NUL inside or a wrong length\n", where);
        return 0;
    }
    if (!valid_utf8(text, len)) {
        printf("%s: normalised text is not valid UTF-8\n", where);
        return 0;
    }
    if (norm_had_invalid_utf8(n) != !valid_utf8(in, in_len)) {
        printf("%s: norm_had_invalid_utf8 says %d\n", where, norm_had_invalid_utf8(n));
        return 0;
    }
    size_t prev_s = 0, prev_e = 0;
    for (size_t i = 0; i < len; i++) {
        size_t s, e;
        norm_to_orig(n, i, i + 1, &s, &e);
        if (!(s < e && e <= in_len)) {
            printf("%s: byte %zu maps to [%zu,%zu), input has %zu bytes\n", where, i, s, e, in_len);
            return 0;
        }
        if (s < prev_s || e < prev_e) {
            printf("%s: map goes backwards at byte %zu: [%zu,%zu) after [%zu,%zu)\n",
                   where, i, s, e, prev_s, prev_e);
            return 0;
        }
        prev_s = s;
        prev_e = e;
    }
    if (len) {
        size_t s, e, s0, e0;
        norm_to_orig(n, 0, len, &s, &e);
        norm_to_orig(n, 0, 1, &s0, &e0);
        if (s != s0 || e != prev_e) {
            printf("%s: whole-text span [%zu,%zu) is not the union of its bytes\n", where, s, e);
            return 0;
        }
        norm_to_orig(n, len, len, &s, &e);
        if (s != e || s != prev_e) {
            printf("%s: empty span at the end maps to [%zu,%zu)\n", where, s, e);
            return 0;
        }
    }
    return 1;
}

/* ---- case files ---------------------------------------------------------- */

static void fail_case(const char *where, const char *what, const char *in, size_t in_len,
                      const char *want, size_t want_len, const char *got, size_t got_len)
{
    failures++;
    printf("%s: %s\n  input:    ", where, what);
    print_escaped(stdout, in, in_len);
    printf("\n  expected: ");
    print_escaped(stdout, want, want_len);
    printf("\n  got:      ");
    print_escaped(stdout, got, got_len);
    printf("\n");
}

static void run_line(ofs_norm *n, char *line, unsigned flags, const char *where)
{
    char *cols[4] = {0};
    size_t ncol = 0;
    char *p = line;
    while (ncol < 4) {
        cols[ncol++] = p;
        char *tab = strchr(p, '\t');
        if (!tab) break;
        *tab = '\0';
        p = tab + 1;
    }
    if (ncol < 2 || ncol > 3) {
        failures++;
        printf("%s: expected 2 or 3 columns, found %zu\n", where, ncol);
        return;
    }
    size_t in_len = unescape(cols[0]);
    size_t want_len = unescape(cols[1]);
    norm_run(n, cols[0], in_len, flags);
    size_t len;
    const char *text = norm_text(n, &len);
    if (!check_map(n, cols[0], in_len, where)) {
        failures++;
        return;
    }
    if (ncol == 2) {
        cases++;
        if (len != want_len || memcmp(text, cols[1], len) != 0) {
            fail_case(where, "wrong normalisation", cols[0], in_len, cols[1], want_len, text, len);
            return;
        }
        /* idempotence: the expected text normalises to itself */
        char *again = malloc(len + 1);
        memcpy(again, text, len + 1);
        norm_run(n, again, len, flags);
        const char *t2 = norm_text(n, &len);
        if (len != want_len || memcmp(t2, again, len) != 0)
            fail_case(where, "not idempotent: normalising the output changes it",
                      again, want_len, again, want_len, t2, len);
        free(again);
        return;
    }
    span_cases++;
    size_t orig_len = unescape(cols[2]);
    const char *hit = NULL;
    for (size_t i = 0; want_len && i + want_len <= len && !hit; i++)
        if (memcmp(text + i, cols[1], want_len) == 0) hit = text + i;
    if (!hit) {
        fail_case(where, "substring not found in the normalised text", cols[0], in_len,
                  cols[1], want_len, text, len);
        return;
    }
    size_t s, e;
    norm_to_orig(n, (size_t)(hit - text), (size_t)(hit - text) + want_len, &s, &e);
    if (e - s != orig_len || memcmp(cols[0] + s, cols[2], orig_len) != 0)
        fail_case(where, "wrong original span", cols[0], in_len, cols[2], orig_len,
                  cols[0] + s, e - s);
}

static void run_file(ofs_norm *n, const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        failures++;
        printf("%s: cannot open\n", path);
        return;
    }
    unsigned flags = NORM_DEOBFUSCATE;
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    int lineno = 0;
    while ((got = getline(&line, &cap, f)) != -1) {
        lineno++;
        while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r')) line[--got] = '\0';
        if (got == 0 || line[0] == '#') continue;
        char where[4200];
        snprintf(where, sizeof where, "%s:%d", path, lineno);
        if (line[0] == '%') {
            if (strcmp(line, "%mode raw") == 0) flags = 0;
            else if (strcmp(line, "%mode deobfuscate") == 0) flags = NORM_DEOBFUSCATE;
            else {
                failures++;
                printf("%s: unknown directive '%s'\n", where, line);
            }
            continue;
        }
        run_line(n, line, flags, where);
    }
    free(line);
    fclose(f);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(ofs_norm *n, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        printf("%s: cannot open directory\n", dir);
        return 0;
    }
    char *names[256];
    size_t count = 0;
    struct dirent *ent;
    while ((ent = readdir(d)) && count < 256) {
        size_t l = strlen(ent->d_name);
        if (l > 4 && strcmp(ent->d_name + l - 4, ".tsv") == 0) {
            names[count] = malloc(l + 1);
            memcpy(names[count++], ent->d_name, l + 1);
        }
    }
    closedir(d);
    qsort(names, count, sizeof *names, cmp_names);
    for (size_t i = 0; i < count; i++) {
        run_file(n, dir, names[i]);
        free(names[i]);
    }
    return (int)count;
}

/* ---- random text --------------------------------------------------------- */

static const char *const fragments[] = {
    "a", "b", "s", "S", "o", "P", "pass", "port", "boat", " ", "  ", "\n", "\r\n", "\t", ".",
    "-", "_", "*", "@", "$", "0", "1", "3", "5", "7", "9", "k", "12k", "3.5k", "+218",
    "www.", "://", "/", "t.me/", "@ali_99", "x@y.com", "\xc3\xa9", "e\xcc\x81", "\xc3\x9f",
    "\xef\xac\x81", "\xd8\xa3", "\xd8\xa8", "\xd9\x8e", "\xd9\x80", "\xd8\xa9", "\xdb\x8c",
    "\xd9\xa1", "\xdb\xb5", "\xd9\xab", "\xd9\xac", "\xe2\x80\x8b", "\xe2\x80\x8d",
    "\xef\xb8\x8f", "\xf0\x9f\x9b\xa5", "\xf0\x9f\x87\xae", "\xf0\x9f\x87\xb9", "\xc2\xa0",
    "\xe2\x80\xa8", "\xff", "\xc3", "\xe2\x82", "\x00", "\xef\xb7\xba", "\xe2\x83\xa3",
    "\xc2\xb7", "\xef\xbb\xb7", "\xc4\xb1", "\xea\xb0\x80", "\xe1\x84\x80\xe1\x85\xa1",
    "\xcc\x88", "\xc2\xa8", "\xef\xb9\xb0",
};

static unsigned long rng_state = 12345;
static unsigned rng(unsigned n)
{
    rng_state = rng_state * 6364136223846793005UL + 1442695040888963407UL;
    return (unsigned)((rng_state >> 33) % n);
}

static void run_random(ofs_norm *n, int rounds)
{
    const unsigned nfrag = sizeof fragments / sizeof *fragments;
    char buf[1024];
    for (int r = 0; r < rounds; r++) {
        size_t len = 0;
        unsigned pieces = 1 + rng(40);
        for (unsigned i = 0; i < pieces; i++) {
            unsigned k = rng(nfrag);
            /* fragments[] entries with an embedded NUL are one byte long */
            size_t fl = fragments[k][0] ? strlen(fragments[k]) : 1;
            if (len + fl >= sizeof buf) break;
            memcpy(buf + len, fragments[k], fl);
            len += fl;
        }
        for (int mode = 0; mode < 2; mode++) {
            unsigned flags = mode ? NORM_DEOBFUSCATE : 0;
            char where[64];
            snprintf(where, sizeof where, "random case %d (flags %u)", r, flags);
            norm_run(n, buf, len, flags);
            random_cases++;
            if (!check_map(n, buf, len, where)) {
                failures++;
                printf("  input: ");
                print_escaped(stdout, buf, len);
                printf("\n");
                return;
            }
            /* a fresh normaliser (cold caches) gives the same text and map */
            ofs_norm *fresh = norm_create();
            norm_run(fresh, buf, len, flags);
            size_t l1, l2;
            const char *t1 = norm_text(n, &l1), *t2 = norm_text(fresh, &l2);
            int same = l1 == l2 && memcmp(t1, t2, l1) == 0;
            for (size_t i = 0; same && i < l1; i++) {
                size_t s1, e1, s2, e2;
                norm_to_orig(n, i, i + 1, &s1, &e1);
                norm_to_orig(fresh, i, i + 1, &s2, &e2);
                same = s1 == s2 && e1 == e2;
            }
            if (!same) {
                failures++;
                printf("%s: a reused normaliser and a fresh one differ\n  input: ", where);
                print_escaped(stdout, buf, len);
                printf("\n  reused: ");
                print_escaped(stdout, t1, l1);
                printf("\n  fresh:  ");
                print_escaped(stdout, t2, l2);
                printf("\n");
            }
            /* idempotence: normalising the output again changes nothing */
            norm_run(fresh, t1, l1, flags);
            t2 = norm_text(fresh, &l2);
            if (l1 != l2 || memcmp(t1, t2, l1) != 0) {
                failures++;
                printf("%s: not idempotent\n  input:  ", where);
                print_escaped(stdout, buf, len);
                printf("\n  once:   ");
                print_escaped(stdout, t1, l1);
                printf("\n  twice:  ");
                print_escaped(stdout, t2, l2);
                printf("\n");
            }
            norm_free(fresh);
        }
        /* norm_string is norm_run with NORM_DEOBFUSCATE on a C string */
        buf[len] = '\0';
        size_t clen = strlen(buf);
        char *s = norm_string(buf);
        norm_run(n, buf, clen, NORM_DEOBFUSCATE);
        if (!s || strcmp(s, norm_text(n, NULL)) != 0) {
            failures++;
            printf("random case %d: norm_string differs from norm_run\n  input:       ", r);
            print_escaped(stdout, buf, clen);
            printf("\n  norm_string: ");
            if (s) print_escaped(stdout, s, strlen(s));
            printf("\n  norm_run:    ");
            print_escaped(stdout, norm_text(n, NULL), strlen(norm_text(n, NULL)));
            printf("\n");
        }
        free(s);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    ofs_norm *n = norm_create();
    if (!n) return 2;
    int files = run_dir(n, argv[1]);
    run_random(n, 10000);
    norm_free(n);
    printf("normalize: %d files, %d cases, %d span cases, %d random runs, %d failures\n",
           files, cases, span_cases, random_cases, failures);
    return failures || files == 0 ? 1 : 0;
}

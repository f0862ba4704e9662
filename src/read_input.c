/* read_input.c: input records from JSON Lines or plain text, one per line.
 *
 * Every line that holds a record yields exactly one ofs_record, even when it
 * cannot be read: a malformed JSON line becomes a record with `error` set
 * (with the line and column), so that output and input stay aligned.
 * A UTF-8 byte-order mark at the start and CR before LF are dropped. In
 * JSON Lines, blank lines are not records; in text, every line is.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "diag.h"
#include "offerscan.h"
#include "util.h"

struct ofs_reader {
    FILE       *f;
    int         owns_file;
    char       *name;
    ofs_format  format;
    char       *text_field, *id_field;
    ofs_diags  *diags;
    char       *line;
    size_t      line_cap;
    size_t      line_no;
    json_t     *doc;        /* the current JSON line */
    char       *id_json;
    char       *text;       /* a copy for JSON string values */
    char       *error;
    size_t      size;       /* of a regular file, else 0 */
    size_t      offset;     /* bytes consumed */
};

ofs_reader *ofs_reader_open(const char *path, const ofs_read_options *opt, ofs_diags *d)
{
    FILE *f = stdin;
    int owns = 0;
    if (path && strcmp(path, "-") != 0) {
        f = fopen(path, "rb");
        if (!f) {
            diag_add(d, OFS_ERROR, path, 0, 0, "cannot open input: %s", strerror(errno));
            return NULL;
        }
        owns = 1;
    }
    ofs_reader *r = xcalloc(1, sizeof *r);
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode)) r->size = (size_t)st.st_size;
    r->f = f;
    r->owns_file = owns;
    r->name = xstrdup(path ? path : "-");
    r->format = opt ? opt->format : OFS_FORMAT_AUTO;
    r->text_field = xstrdup(opt && opt->text_field ? opt->text_field : "text");
    r->id_field = xstrdup(opt && opt->id_field ? opt->id_field : "id");
    r->diags = d;
    return r;
}

void ofs_reader_close(ofs_reader *r)
{
    if (!r) return;
    if (r->owns_file) fclose(r->f);
    json_decref(r->doc);
    free(r->id_json);
    free(r->text);
    free(r->error);
    free(r->line);
    free(r->name);
    free(r->text_field);
    free(r->id_field);
    free(r);
}

/* Follows a dotted path ("message.body") through JSON objects. */
static json_t *json_path(json_t *root, const char *path)
{
    json_t *cur = root;
    const char *p = path;
    while (cur && *p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        char *key = xstrndup(p, n);
        cur = json_is_object(cur) ? json_object_get(cur, key) : NULL;
        free(key);
        p = dot ? dot + 1 : p + n;
    }
    return cur;
}

static int is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r') return 0;
    return 1;
}

static void clear_record(ofs_reader *r)
{
    json_decref(r->doc);
    r->doc = NULL;
    free(r->id_json);
    r->id_json = NULL;
    free(r->text);
    r->text = NULL;
    free(r->error);
    r->error = NULL;
}

static void read_json_record(ofs_reader *r, const char *line, size_t n, ofs_record *rec)
{
    json_error_t err;
    r->doc = json_loadb(line, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (!r->doc) {
        r->error = xasprintf("%s:%zu:%d: malformed JSON: %s", r->name, r->line_no, err.column, err.text);
        return;
    }
    if (!json_is_object(r->doc)) {
        r->error = xasprintf("%s:%zu:1: a JSON Lines record must be an object", r->name, r->line_no);
        return;
    }
    json_t *id = json_path(r->doc, r->id_field);
    if (id && (json_is_string(id) || json_is_integer(id) || json_is_real(id)))
        r->id_json = json_dumps(id, JSON_ENCODE_ANY | JSON_COMPACT);
    rec->id_json = r->id_json;
    json_t *text = json_path(r->doc, r->text_field);
    if (!text) {
        r->error = xasprintf("%s:%zu:1: no field '%s' in this record", r->name, r->line_no, r->text_field);
        return;
    }
    if (!json_is_string(text)) {
        r->error = xasprintf("%s:%zu:1: field '%s' is not a string", r->name, r->line_no, r->text_field);
        return;
    }
    rec->text = json_string_value(text);
    rec->len = json_string_length(text);
}

int ofs_reader_next(ofs_reader *r, ofs_record *rec)
{
    clear_record(r);
    memset(rec, 0, sizeof *rec);
    for (;;) {
        errno = 0;
        ssize_t got = getline(&r->line, &r->line_cap, r->f);
        if (got < 0) {
            if (ferror(r->f)) {
                diag_add(r->diags, OFS_ERROR, r->name, (int)r->line_no + 1, 0, "read error: %s",
                         strerror(errno ? errno : EIO));
                return -1;
            }
            return 0;
        }
        r->line_no++;
        r->offset += (size_t)got;
        size_t n = (size_t)got;
        char *line = r->line;
        if (r->line_no == 1 && n >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
            line += 3;
            n -= 3;
        }
        if (n && line[n - 1] == '\n') n--;
        if (n && line[n - 1] == '\r') n--;
        if (r->format == OFS_FORMAT_AUTO) {
            if (is_blank(line, n)) continue;
            size_t i = 0;
            while (i < n && (line[i] == ' ' || line[i] == '\t')) i++;
            r->format = line[i] == '{' ? OFS_FORMAT_JSONL : OFS_FORMAT_TEXT;
        }
        rec->file = r->name;
        rec->line = r->line_no;
        if (r->format == OFS_FORMAT_JSONL) {
            if (is_blank(line, n)) continue;
            read_json_record(r, line, n, rec);
        } else {
            r->text = xstrndup(line, n);
            r->id_json = xasprintf("%zu", r->line_no);
            rec->id_json = r->id_json;
            rec->text = r->text;
            rec->len = n;
        }
        if (r->error) {
            rec->error = r->error;
            rec->text = NULL;
            rec->len = 0;
        }
        return 1;
    }
}

size_t ofs_reader_size(const ofs_reader *r) { return r->size; }
size_t ofs_reader_offset(const ofs_reader *r) { return r->offset; }

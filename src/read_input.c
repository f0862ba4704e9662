/* read_input.c: opening an input, detecting its format, and the buffered
 * byte source and record storage that every format reader shares.
 *
 * An input is a file, standard input, a memory buffer, or (for plain text
 * with whole_file) a directory whose regular files are read one record
 * each, in sorted order. Bytes are read with read(2) into one growable
 * buffer, so that a pipe is consumed as it arrives and the first block can
 * be examined before any format reads it. A UTF-8 byte-order mark at the
 * start is dropped for every format.
 *
 * With OFS_FORMAT_AUTO the format is chosen from the first non-blank line
 * (and, for a JSON document, up to DETECT_BYTES bytes):
 *
 *   {"id": 1, "text": "..."}                  a JSON object on one line: JSON Lines
 *   {  (alone, or an object with "messages")  Telegram Desktop's result.json
 *   12/03/2024, 21:15 - Amina: ...            WhatsApp (Android)
 *   [12.03.24, 21:15:03] Amina: ...           WhatsApp (iOS)
 *   id<TAB>date<TAB>text                      TSV: a header naming the text column
 *   id,date,text                              CSV: a header naming the text column
 *   anything else                             plain text, one record per line
 *
 * A header row counts only when it names the text column (--text-field,
 * "text" by default): a first line such as "Boat on Friday, 2000 euro" has
 * a comma but is text, not a header.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>

#include "diag.h"
#include "read_internal.h"

/* Bytes looked at to detect a format, and the size of one read. */
#define DETECT_BYTES (64u << 10)
#define READ_BYTES (64u << 10)

/* ---- the byte source ---------------------------------------------------- */

size_t rd_fill(ofs_reader *r, size_t want)
{
    if (r->read_failed) return (size_t)-1;
    size_t avail = r->buf_len - r->buf_pos;
    if (avail >= want || r->eof) return avail;
    if (r->buf_pos > 0) {
        memmove(r->buf, r->buf + r->buf_pos, avail);
        r->buf_len = avail;
        r->buf_pos = 0;
    }
    while (r->buf_len < want && !r->eof) {
        size_t need = r->buf_len + (want - r->buf_len > READ_BYTES ? want - r->buf_len : READ_BYTES);
        if (need > r->buf_cap) {
            size_t cap = r->buf_cap ? r->buf_cap : READ_BYTES;
            while (cap < need) cap *= 2;
            r->buf = xrealloc(r->buf, cap);
            r->buf_cap = cap;
        }
        size_t room = r->buf_cap - r->buf_len;
        if (r->mem) {
            size_t n = r->mem_len - r->mem_pos < room ? r->mem_len - r->mem_pos : room;
            memcpy(r->buf + r->buf_len, r->mem + r->mem_pos, n);
            r->mem_pos += n;
            r->buf_len += n;
            if (r->mem_pos == r->mem_len) r->eof = 1;
            continue;
        }
        if (!r->f) {
            r->eof = 1;
            break;
        }
        ssize_t got = read(fileno(r->f), r->buf + r->buf_len, room);
        if (got < 0) {
            if (errno == EINTR) continue;
            diag_add(r->diags, OFS_ERROR, r->name, (int)r->line_no + 1, 0, "read error: %s", strerror(errno));
            r->read_failed = 1;
            return (size_t)-1;
        }
        if (got == 0) r->eof = 1;
        r->buf_len += (size_t)got;
    }
    return r->buf_len - r->buf_pos;
}

/* Finds the next line in the buffer, reading more as needed: *n gets its
 * length with the "\n". Returns 1, 0 at the end, -1 on a read error. */
static int next_line_span(ofs_reader *r, size_t *n)
{
    size_t scanned = 0;
    for (;;) {
        size_t avail = r->buf_len - r->buf_pos;
        const char *start = r->buf + r->buf_pos;
        const char *nl = avail > scanned ? memchr(start + scanned, '\n', avail - scanned) : NULL;
        if (nl) {
            *n = (size_t)(nl - start) + 1;
            return 1;
        }
        scanned = avail;
        if (r->eof) {
            if (avail == 0) return 0;
            *n = avail;
            return 1;
        }
        size_t got = rd_fill(r, avail + (avail < READ_BYTES ? READ_BYTES : avail));
        if (got == (size_t)-1) return -1;
    }
}

int rd_line_raw(ofs_reader *r, const char **line, size_t *len)
{
    size_t n;
    int rc = next_line_span(r, &n);
    if (rc <= 0) return rc;
    *line = r->buf + r->buf_pos;
    *len = n;
    r->buf_pos += n;
    r->offset += n;
    r->line_no++;
    return 1;
}

int rd_line(ofs_reader *r, const char **line, size_t *len, int chomp)
{
    int rc = rd_line_raw(r, line, len);
    if (rc <= 0) return rc;
    size_t n = *len;
    if (n && (*line)[n - 1] == '\n') n--;
    if (chomp && n && (*line)[n - 1] == '\r') n--;
    *len = n;
    return 1;
}

int rd_block(ofs_reader *r, const char **data, size_t *len)
{
    size_t avail = rd_fill(r, 1);
    if (avail == (size_t)-1) return -1;
    if (avail == 0) return 0;
    *data = r->buf + r->buf_pos;
    *len = avail;
    r->buf_pos += avail;
    r->offset += avail;
    return 1;
}

int rd_peek_first_line(ofs_reader *r, const char **line, size_t *len, int *complete)
{
    size_t pos = r->buf_pos;
    for (;;) {
        const char *start = r->buf + pos;
        size_t avail = r->buf_len - pos;
        const char *nl = memchr(start, '\n', avail);
        size_t n = nl ? (size_t)(nl - start) : avail;
        size_t k = 0;
        while (k < n && (start[k] == ' ' || start[k] == '\t' || start[k] == '\r')) k++;
        if (k == n && nl) { /* a blank line: skip it */
            pos += n + 1;
            continue;
        }
        if (k == n) return 0;
        *complete = nl != NULL || r->eof;
        if (n && start[n - 1] == '\r') n--;
        *line = start;
        *len = n;
        return 1;
    }
}

/* ---- the current record ------------------------------------------------- */

void rd_begin(ofs_reader *r, ofs_record *rec, size_t line)
{
    strbuf_reset(&r->text);
    free(r->id_json);
    free(r->source_json);
    free(r->error);
    r->id_json = r->source_json = r->error = NULL;
    memset(rec, 0, sizeof *rec);
    rec->file = r->rec_file ? r->rec_file : r->name;
    rec->line = line;
}

void rd_set_text(ofs_reader *r, ofs_record *rec, const char *s, size_t n)
{
    strbuf_reset(&r->text);
    strbuf_append(&r->text, s, n);
    if (!r->text.buf) strbuf_append(&r->text, "", 0);
    rec->text = r->text.buf;
    rec->len = n;
}

void rd_set_id(ofs_reader *r, ofs_record *rec, char *id_json)
{
    free(r->id_json);
    r->id_json = id_json;
    rec->id_json = id_json;
}

void rd_set_source(ofs_reader *r, ofs_record *rec, char *source_json)
{
    free(r->source_json);
    r->source_json = source_json;
    rec->source_json = source_json;
}

void rd_set_error(ofs_reader *r, ofs_record *rec, size_t line, size_t column, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *msg = xmalloc(n > 0 ? (size_t)n + 1 : 1);
    msg[0] = '\0';
    if (n > 0) vsnprintf(msg, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    free(r->error);
    const char *file = rec->file ? rec->file : r->name;
    if (column)
        r->error = xasprintf("%s:%zu:%zu: %s", file, line, column, msg);
    else
        r->error = xasprintf("%s:%zu: %s", file, line, msg);
    free(msg);
    rec->error = r->error;
    rec->text = NULL;
    rec->len = 0;
}

char *rd_json_string(const char *s, size_t n)
{
    strbuf sb = {0};
    size_t i = 0;
    while (i < n) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
        if (k <= 0 || cp == 0) {
            strbuf_puts(&sb, k <= 0 ? "\xEF\xBF\xBD" : " ");
            i += k <= 0 ? 1 : (size_t)k;
        } else {
            strbuf_append(&sb, s + i, (size_t)k);
            i += (size_t)k;
        }
    }
    json_t *j = json_stringn(sb.buf ? sb.buf : "", sb.len);
    strbuf_free(&sb);
    char *out = json_dumps(j, JSON_ENCODE_ANY);
    json_decref(j);
    return out;
}

json_t *rd_json_path(json_t *root, const char *path)
{
    if (!json_is_object(root)) return NULL;
    json_t *whole = json_object_get(root, path);
    if (whole) return whole;
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

/* ---- format detection ---------------------------------------------------- */

static int contains(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (s[i] == needle[0] && memcmp(s + i, needle, k) == 0) return 1;
    return 0;
}

/* Reads until the first non-blank line is complete or DETECT_BYTES are in. */
static int fill_first_line(ofs_reader *r)
{
    for (;;) {
        const char *line;
        size_t len;
        int complete;
        if (rd_peek_first_line(r, &line, &len, &complete) && complete) return 0;
        size_t avail = r->buf_len - r->buf_pos;
        if (r->eof || avail >= DETECT_BYTES) return 0;
        if (rd_fill(r, avail + 1) == (size_t)-1) return -1;
    }
}

static ofs_format detect_format(ofs_reader *r)
{
    const char *line;
    size_t len;
    int complete;
    if (!rd_peek_first_line(r, &line, &len, &complete)) return OFS_FORMAT_TEXT;
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t')) i++;
    if (line[i] == '{') {
        if (complete) {
            json_t *j = json_loadb(line, len, JSON_ALLOW_NUL, NULL);
            if (j) {
                int telegram = json_is_object(j) && json_is_array(json_object_get(j, "messages"));
                json_decref(j);
                return telegram ? OFS_FORMAT_TELEGRAM : OFS_FORMAT_JSONL;
            }
        }
        /* A pretty-printed document ("{" alone on its line) or one long line. */
        size_t k = len;
        while (k > i + 1 && (line[k - 1] == ' ' || line[k - 1] == '\t')) k--;
        if (k == i + 1 || !complete) {
            rd_fill(r, DETECT_BYTES);
            if (contains(r->buf + r->buf_pos, r->buf_len - r->buf_pos, "\"messages\"")) return OFS_FORMAT_TELEGRAM;
        }
        return OFS_FORMAT_JSONL;
    }
    if (whatsapp_line_starts_message(line, len)) return OFS_FORMAT_WHATSAPP;
    if (csv_header_has_column(line, len, '\t', r->text_field)) return OFS_FORMAT_TSV;
    if (csv_header_has_column(line, len, ',', r->text_field)) return OFS_FORMAT_CSV;
    return OFS_FORMAT_TEXT;
}

static const reader_format *format_table(ofs_format f)
{
    switch (f) {
    case OFS_FORMAT_JSONL: return &read_jsonl_format;
    case OFS_FORMAT_CSV: return &read_csv_format;
    case OFS_FORMAT_TSV: return &read_tsv_format;
    case OFS_FORMAT_TELEGRAM: return &read_telegram_format;
    case OFS_FORMAT_WHATSAPP: return &read_whatsapp_format;
    default: return &read_text_format;
    }
}

/* ---- opening and closing ---------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists the regular files of dir (not recursing, skipping dot files). */
static int list_directory(ofs_reader *r, const char *dir)
{
    DIR *dh = opendir(dir);
    if (!dh) {
        diag_add(r->diags, OFS_ERROR, dir, 0, 0, "cannot open input directory: %s", strerror(errno));
        return -1;
    }
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(dh))) {
        if (e->d_name[0] == '.') continue;
        size_t dl = strlen(dir);
        char *path = dl && dir[dl - 1] == '/' ? xasprintf("%s%s", dir, e->d_name) : xasprintf("%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            VEC_PUSH(r->files, r->file_count, cap, path);
            r->size += (size_t)st.st_size;
        } else {
            free(path);
        }
    }
    closedir(dh);
    if (r->file_count) qsort(r->files, r->file_count, sizeof *r->files, cmp_str);
    return 0;
}

static ofs_reader *reader_new(const char *name, const ofs_read_options *opt, ofs_diags *d)
{
    ofs_reader *r = xcalloc(1, sizeof *r);
    r->name = xstrdup(name);
    r->format = opt ? opt->format : OFS_FORMAT_AUTO;
    r->text_field = xstrdup(opt && opt->text_field ? opt->text_field : "text");
    r->id_field = xstrdup(opt && opt->id_field ? opt->id_field : "id");
    r->whole_file = opt ? opt->whole_file : 0;
    r->diags = d;
    r->buf_cap = 4096;
    r->buf = xmalloc(r->buf_cap); /* never NULL: pointer arithmetic on it is always defined */
    if (r->whole_file) r->format = OFS_FORMAT_TEXT;
    return r;
}

/* Drops a byte-order mark, detects the format and opens its reader. */
static ofs_reader *reader_start(ofs_reader *r)
{
    if (r->f || r->mem) {
        if (fill_first_line(r) < 0) {
            ofs_reader_close(r);
            return NULL;
        }
        if (r->buf_len - r->buf_pos >= 3 && memcmp(r->buf + r->buf_pos, "\xEF\xBB\xBF", 3) == 0) {
            r->buf_pos += 3;
            r->offset += 3;
        }
        if (r->format == OFS_FORMAT_AUTO) r->format = detect_format(r);
    }
    if (r->format == OFS_FORMAT_AUTO) r->format = OFS_FORMAT_TEXT;
    r->fmt = format_table(r->format);
    if (r->fmt->open && r->fmt->open(r) != 0) {
        ofs_reader_close(r);
        return NULL;
    }
    return r;
}

ofs_reader *ofs_reader_open(const char *path, const ofs_read_options *opt, ofs_diags *d)
{
    int is_stdin = !path || strcmp(path, "-") == 0;
    ofs_reader *r = reader_new(is_stdin ? "-" : path, opt, d);
    if (is_stdin) {
        r->f = stdin;
    } else {
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            if (!r->whole_file) {
                diag_add(d, OFS_ERROR, path, 0, 0,
                         "is a directory: read it with --whole-file (whole_file) for one record per file");
                ofs_reader_close(r);
                return NULL;
            }
            if (list_directory(r, path) != 0) {
                ofs_reader_close(r);
                return NULL;
            }
            return reader_start(r);
        }
        r->f = fopen(path, "rb");
        if (!r->f) {
            diag_add(d, OFS_ERROR, path, 0, 0, "cannot open input: %s", strerror(errno));
            ofs_reader_close(r);
            return NULL;
        }
        r->owns_file = 1;
    }
    struct stat st;
    if (fstat(fileno(r->f), &st) == 0 && S_ISREG(st.st_mode)) r->size = (size_t)st.st_size;
    return reader_start(r);
}

ofs_reader *ofs_reader_open_buffer(const char *data, size_t len, const char *name, const ofs_read_options *opt,
                                   ofs_diags *d)
{
    ofs_reader *r = reader_new(name ? name : "-", opt, d);
    r->mem = data ? data : "";
    r->mem_len = data ? len : 0;
    r->size = r->mem_len;
    if (r->mem_len == 0) r->eof = 1;
    return reader_start(r);
}

void ofs_reader_close(ofs_reader *r)
{
    if (!r) return;
    if (r->fmt && r->fmt->close) r->fmt->close(r);
    if (r->owns_file) fclose(r->f);
    for (size_t i = 0; i < r->file_count; i++) free(r->files[i]);
    free(r->files);
    free(r->buf);
    strbuf_free(&r->text);
    free(r->id_json);
    free(r->source_json);
    free(r->error);
    free(r->name);
    free(r->text_field);
    free(r->id_field);
    free(r);
}

int ofs_reader_next(ofs_reader *r, ofs_record *rec)
{
    return r->fmt->next(r, rec);
}

int rd_can_split(const ofs_reader *r)
{
    return r->fmt->split && r->fmt->parse;
}

int rd_next_line(ofs_reader *r, const char **line, size_t *len, size_t *line_no)
{
    return r->fmt->split(r, line, len, line_no);
}

ofs_reader *rd_parser_create(const ofs_reader *r)
{
    ofs_read_options opt = {.text_field = r->text_field, .id_field = r->id_field};
    ofs_reader *p = reader_new(r->name, &opt, NULL);
    p->format = r->format;
    p->fmt = r->fmt;
    p->eof = 1;
    return p;
}

void rd_parse_line(ofs_reader *parser, const char *line, size_t len, size_t line_no, ofs_record *rec)
{
    parser->fmt->parse(parser, line, len, line_no, rec);
}

ofs_format ofs_reader_format(const ofs_reader *r)
{
    return r->format;
}

size_t ofs_reader_size(const ofs_reader *r) { return r->size; }
size_t ofs_reader_offset(const ofs_reader *r) { return r->offset; }

const char *ofs_format_name(ofs_format f)
{
    static const char *const names[] = {"auto", "jsonl", "text", "csv", "tsv", "telegram", "whatsapp"};
    return (unsigned)f < sizeof names / sizeof names[0] ? names[f] : "unknown";
}

int ofs_format_parse(const char *name, ofs_format *out)
{
    for (int f = OFS_FORMAT_AUTO; f <= OFS_FORMAT_WHATSAPP; f++) {
        if (strcmp(name, ofs_format_name((ofs_format)f)) == 0) {
            *out = (ofs_format)f;
            return 0;
        }
    }
    return -1;
}

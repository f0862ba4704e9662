/* read_csv.c: CSV and TSV input with a header row, parsed by libcsv.
 *
 * The first row names the columns; the text and the id are the columns
 * named by --text-field and --id-field (exactly, else ignoring case). Each
 * later row is one record, whose source carries its row number (1 for the
 * first row after the header):
 *
 *     id,date,text
 *     p1,2024-03-12,"Boat Friday, 2000 euro"    -> id "p1", source {"row": 1}
 *
 * Without an id column the id is the row number. Fields are taken exactly
 * as written (no spaces trimmed), quoted fields may hold delimiters,
 * doubled quotes and line breaks (RFC 4180; "\r\n" and "\n" both end a
 * row), and blank lines (white space only) between rows are skipped.
 *
 * The parser runs in strict mode, and a row it cannot read still yields a
 * record, with `error` and the line and column of the problem:
 *   - a quote inside an unquoted field, or text after a closing quote;
 *   - a row with more or fewer fields than the header;
 *   - a quoted field still open at the end of the file.
 * After a malformed row, parsing starts again on the next line. A header
 * without the text column is an error for the whole input.
 *
 * Line numbers: the input is fed to libcsv one line at a time, so a row's
 * line is the line where its first byte was fed; a row that spans lines
 * (a quoted line break) is reported at its first line.
 */
#include <csv.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diag.h"
#include "read_internal.h"

/* Bytes handed to libcsv at a time. */
#define SLICE_BYTES (256u << 10)

/* One finished row, waiting to be handed out. */
typedef struct csv_out {
    char  *text;
    size_t len;
    char  *id_json;
    char  *source_json;
    char  *error;         /* the message, without its position */
    size_t line;          /* where the row starts */
    size_t err_line, err_column;
} csv_out;

typedef struct csv_state {
    struct csv_parser parser;
    unsigned char     delim;
    int               header_done;
    strbuf           *fields;       /* the row being parsed */
    size_t            field_count, field_cap;
    char            **header;
    size_t            header_count;
    long              text_col, id_col;
    int               row_open;     /* bytes of a row have been fed */
    size_t            row_line;     /* the line where that row started */
    size_t            feed_line;    /* the line being fed */
    size_t            rows;         /* data rows finished */
    csv_out          *queue;
    size_t            q_head, q_count, q_cap;
    int               fatal;        /* the header is unusable */
    int               finished;     /* csv_fini was called */
    ofs_reader       *reader;
} csv_state;

/* No trimming: a field's bytes are the text, and offsets refer to them. */
static int never_space(unsigned char c)
{
    (void)c;
    return 0;
}

static int is_term(unsigned char c)
{
    return c == CSV_CR || c == CSV_LF;
}

static void parser_init(csv_state *st)
{
    csv_init(&st->parser, CSV_STRICT | CSV_STRICT_FINI);
    csv_set_delim(&st->parser, st->delim);
    csv_set_space_func(&st->parser, never_space);
    csv_set_term_func(&st->parser, is_term);
    csv_set_realloc_func(&st->parser, xrealloc);
    csv_set_free_func(&st->parser, free);
}

static void on_field(void *s, size_t len, void *data)
{
    csv_state *st = data;
    if (!st->row_open) {
        st->row_open = 1;
        st->row_line = st->feed_line;
    }
    if (st->field_count == st->field_cap) {
        size_t cap = st->field_cap ? st->field_cap * 2 : 16;
        st->fields = xrealloc(st->fields, cap * sizeof *st->fields);
        memset(st->fields + st->field_cap, 0, (cap - st->field_cap) * sizeof *st->fields);
        st->field_cap = cap;
    }
    strbuf *f = &st->fields[st->field_count++];
    strbuf_reset(f);
    strbuf_append(f, s ? s : "", s ? len : 0);
}

static long find_column(const csv_state *st, const char *name)
{
    for (size_t i = 0; i < st->header_count; i++)
        if (strcmp(st->header[i], name) == 0) return (long)i;
    for (size_t i = 0; i < st->header_count; i++)
        if (strcasecmp(st->header[i], name) == 0) return (long)i;
    return -1;
}

static void push_out(csv_state *st, csv_out o)
{
    if (st->q_head > 0 && st->q_head == st->q_count) st->q_head = st->q_count = 0;
    VEC_PUSH(st->queue, st->q_count, st->q_cap, o);
}

static void take_header(csv_state *st)
{
    ofs_reader *r = st->reader;
    st->header = xcalloc(st->field_count ? st->field_count : 1, sizeof *st->header);
    st->header_count = st->field_count;
    for (size_t i = 0; i < st->field_count; i++) st->header[i] = xstrdup(st->fields[i].buf ? st->fields[i].buf : "");
    st->header_done = 1;
    st->text_col = find_column(st, r->text_field);
    st->id_col = find_column(st, r->id_field);
    if (st->text_col < 0) {
        strbuf names = {0};
        for (size_t i = 0; i < st->header_count && i < 20; i++) {
            strbuf_puts(&names, i ? ", " : "");
            strbuf_puts(&names, st->header[i]);
        }
        diag_add(r->diags, OFS_ERROR, r->name, (int)st->row_line, 1,
                 "the header has no column '%s' (columns: %s); name the text column with --text-field",
                 r->text_field, names.buf ? names.buf : "none");
        strbuf_free(&names);
        st->fatal = 1;
    }
}

static void on_row(int terminator, void *data)
{
    (void)terminator;
    csv_state *st = data;
    if (!st->row_open) { /* libcsv reports no empty rows, but be safe */
        st->row_open = 1;
        st->row_line = st->feed_line;
    }
    if (!st->header_done) {
        take_header(st);
    } else if (!st->fatal) {
        st->rows++;
        csv_out o = {0};
        o.line = st->row_line;
        if (st->id_col >= 0 && (size_t)st->id_col < st->field_count) {
            const strbuf *f = &st->fields[st->id_col];
            if (f->len) o.id_json = rd_json_string(f->buf, f->len);
        } else if (st->id_col < 0) {
            o.id_json = xasprintf("%zu", st->rows);
        }
        o.source_json = xasprintf("{\"row\":%zu}", st->rows);
        if (st->field_count != st->header_count) {
            o.error = xasprintf("malformed CSV row: %zu field%s, the header has %zu", st->field_count,
                                st->field_count == 1 ? "" : "s", st->header_count);
            o.err_line = st->row_line;
            o.err_column = 1;
        } else {
            const strbuf *f = &st->fields[st->text_col];
            o.text = xmalloc(f->len + 1);
            memcpy(o.text, f->buf ? f->buf : "", f->len);
            o.text[f->len] = '\0';
            o.len = f->len;
        }
        push_out(st, o);
    }
    st->field_count = 0;
    st->row_open = 0;
}

/* A row the parser rejected at byte `at` of the line being fed. */
static void row_failed(csv_state *st, size_t at, const char *why)
{
    if (!st->header_done) {
        diag_add(st->reader->diags, OFS_ERROR, st->reader->name, (int)st->feed_line, (int)at + 1,
                 "malformed CSV header: %s", why);
        st->fatal = 1;
        return;
    }
    st->rows++;
    csv_out o = {0};
    o.line = st->row_open ? st->row_line : st->feed_line;
    o.error = xasprintf("malformed CSV row: %s", why);
    o.err_line = st->feed_line;
    o.err_column = at + 1;
    o.source_json = xasprintf("{\"row\":%zu}", st->rows);
    if (st->id_col >= 0 && (size_t)st->id_col < st->field_count && st->fields[st->id_col].len)
        o.id_json = rd_json_string(st->fields[st->id_col].buf, st->fields[st->id_col].len);
    else if (st->id_col < 0)
        o.id_json = xasprintf("%zu", st->rows);
    push_out(st, o);
    st->field_count = 0;
    st->row_open = 0;
    csv_free(&st->parser);
    parser_init(st);
}

static int is_blank_line(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != '\r' && s[i] != '\n' && s[i] != ' ' && s[i] != '\t') return 0;
    return 1;
}

/* Feeds one line to libcsv. Returns the bytes parsed (n unless it failed).
 * libcsv grows a field's buffer by a fixed block (128 bytes), which makes a
 * huge field quadratic wherever realloc copies (under ASan, for one): so the
 * line goes in slices, and before each the block is set to the buffer's
 * size, which doubles the buffer instead. */
static size_t parse_line(csv_state *st, const char *line, size_t n)
{
    size_t done = 0;
    while (done < n) {
        size_t slice = n - done < SLICE_BYTES ? n - done : SLICE_BYTES;
        size_t have = csv_get_buffer_size(&st->parser);
        csv_set_blk_size(&st->parser, have > 128 ? have : 128);
        size_t got = csv_parse(&st->parser, line + done, slice, on_field, on_row, st);
        done += got;
        if (got < slice) break;
    }
    return done;
}

/* Feeds lines until a record is queued or the input ends. */
static int feed(ofs_reader *r, csv_state *st)
{
    while (st->q_head == st->q_count && !st->fatal && !st->finished) {
        const char *line;
        size_t n;
        int rc = rd_line_raw(r, &line, &n);
        if (rc < 0) return -1;
        if (rc == 0) {
            st->finished = 1;
            st->feed_line = r->line_no;
            if (csv_fini(&st->parser, on_field, on_row, st) != 0) {
                st->feed_line = st->row_line;
                row_failed(st, 0, "a quoted field is still open at the end of the file");
            }
            break;
        }
        st->feed_line = r->line_no;
        if (!st->row_open) {
            if (is_blank_line(line, n)) continue;
            st->row_open = 1;
            st->row_line = r->line_no;
        }
        size_t done = parse_line(st, line, n);
        if (done < n) {
            if (csv_error(&st->parser) == CSV_EPARSE)
                row_failed(st, done, "a quote must open and close a whole field (write \"\" for a quote inside it)");
            else
                row_failed(st, done, csv_strerror(csv_error(&st->parser)));
        }
    }
    return st->fatal ? -1 : 0;
}

static int csv_next(ofs_reader *r, ofs_record *rec)
{
    csv_state *st = r->state;
    if (feed(r, st) < 0) return -1;
    if (st->q_head == st->q_count) return 0;
    csv_out *o = &st->queue[st->q_head++];
    rd_begin(r, rec, o->line);
    rd_set_id(r, rec, o->id_json);
    rd_set_source(r, rec, o->source_json);
    if (o->error) rd_set_error(r, rec, o->err_line, o->err_column, "%s", o->error);
    else rd_set_text(r, rec, o->text, o->len);
    free(o->text);
    free(o->error);
    memset(o, 0, sizeof *o);
    return 1;
}

static int open_with(ofs_reader *r, unsigned char delim)
{
    csv_state *st = xcalloc(1, sizeof *st);
    st->delim = delim;
    st->reader = r;
    st->text_col = st->id_col = -1;
    parser_init(st);
    r->state = st;
    return 0;
}

static int csv_open(ofs_reader *r) { return open_with(r, CSV_COMMA); }
static int tsv_open(ofs_reader *r) { return open_with(r, CSV_TAB); }

static void csv_close(ofs_reader *r)
{
    csv_state *st = r->state;
    if (!st) return;
    csv_free(&st->parser);
    for (size_t i = 0; i < st->field_cap; i++) strbuf_free(&st->fields[i]);
    free(st->fields);
    for (size_t i = 0; i < st->header_count; i++) free(st->header[i]);
    free(st->header);
    for (size_t i = st->q_head; i < st->q_count; i++) {
        free(st->queue[i].text);
        free(st->queue[i].id_json);
        free(st->queue[i].source_json);
        free(st->queue[i].error);
    }
    free(st->queue);
    free(st);
    r->state = NULL;
}

/* ---- detection ----------------------------------------------------------- */

typedef struct header_probe {
    const char *column;
    size_t      fields;
    int         found;
    int         bad;     /* an empty or very long name: not a header */
} header_probe;

static void probe_field(void *s, size_t len, void *data)
{
    header_probe *hp = data;
    hp->fields++;
    if (len == 0 || len > 64) hp->bad = 1;
    size_t cl = strlen(hp->column);
    if (s && len == cl && strncasecmp(s, hp->column, cl) == 0) hp->found = 1;
}

static void probe_row(int c, void *data)
{
    (void)c;
    (void)data;
}

int csv_header_has_column(const char *s, size_t n, char delim, const char *column)
{
    if (!memchr(s, delim, n)) return 0;
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) return 0;
    csv_set_delim(&p, (unsigned char)delim);
    csv_set_space_func(&p, never_space);
    header_probe hp = {column, 0, 0, 0};
    int ok = csv_parse(&p, s, n, probe_field, probe_row, &hp) == n && csv_fini(&p, probe_field, probe_row, &hp) == 0;
    csv_free(&p);
    return ok && !hp.bad && hp.fields >= 2 && hp.found;
}

const reader_format read_csv_format = {"csv", csv_open, csv_next, csv_close, NULL, NULL};
const reader_format read_tsv_format = {"tsv", tsv_open, csv_next, csv_close, NULL, NULL};

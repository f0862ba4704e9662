/* read_text.c: plain text input.
 *
 * One record per line: every line is a record, a blank one too (so line N
 * of the input is record N of the output), with the line number as its id.
 * "\r\n" line ends lose the "\r"; any other byte, NUL and invalid UTF-8
 * included, is kept and handed to the scanner as it is.
 *
 * With whole_file, one record per input: the whole file (or standard
 * input) is one text whose id is the file name; a directory gives one
 * record per regular file in it, in sorted order, and a file in it that
 * cannot be read still gives its record, with an error.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "read_internal.h"

typedef struct text_state {
    int done;   /* whole_file on a stream: the one record was given */
} text_state;

static int text_open(ofs_reader *r)
{
    r->state = xcalloc(1, sizeof(text_state));
    return 0;
}

static void text_close(ofs_reader *r)
{
    free(r->state);
    r->state = NULL;
}

/* One record per file of a directory. */
static int next_file(ofs_reader *r, ofs_record *rec)
{
    if (r->file_index >= r->file_count) return 0;
    const char *path = r->files[r->file_index++];
    r->rec_file = path;
    rd_begin(r, rec, 1);
    rd_set_id(r, rec, rd_json_string(path, strlen(path)));
    size_t len;
    char *data = read_file(path, &len);
    if (!data) {
        rd_set_error(r, rec, 1, 0, "cannot read: %s", strerror(errno));
        return 1;
    }
    r->offset += len;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) rd_set_text(r, rec, data + 3, len - 3);
    else rd_set_text(r, rec, data, len);
    free(data);
    return 1;
}

/* The whole stream as one record. */
static int next_whole(ofs_reader *r, ofs_record *rec)
{
    text_state *st = r->state;
    if (st->done) return 0;
    st->done = 1;
    rd_begin(r, rec, 1);
    const char *data;
    size_t len;
    int rc;
    while ((rc = rd_block(r, &data, &len)) == 1) strbuf_append(&r->text, data, len);
    if (rc < 0) return -1;
    if (!r->text.buf) strbuf_append(&r->text, "", 0);
    rec->text = r->text.buf;
    rec->len = r->text.len;
    rd_set_id(r, rec, rd_json_string(r->name, strlen(r->name)));
    return 1;
}

static int text_next(ofs_reader *r, ofs_record *rec)
{
    if (r->whole_file) return r->f || r->mem ? next_whole(r, rec) : next_file(r, rec);
    const char *line;
    size_t len;
    int rc = rd_line(r, &line, &len, 1);
    if (rc <= 0) return rc;
    rd_begin(r, rec, r->line_no);
    rd_set_id(r, rec, xasprintf("%zu", r->line_no));
    rd_set_text(r, rec, line, len);
    return 1;
}

const reader_format read_text_format = {"text", text_open, text_next, text_close, NULL, NULL};

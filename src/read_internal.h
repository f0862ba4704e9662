/* read_internal.h: what the input readers share. Internal to the library.
 *
 * ofs_reader (read_input.c) owns the input: a file, standard input or a
 * memory buffer, read in blocks into one growable buffer, so that the
 * first block can be looked at to detect the format before any format
 * reads it. Each format (read_jsonl.c, read_text.c, read_csv.c,
 * read_telegram.c, read_whatsapp.c) is a table of three functions over the
 * reader and its own state. The reader also owns the storage of the
 * current record (text, id, source, error), which every format fills
 * through the helpers below and which is cleared before each record.
 */
#ifndef OFS_READ_INTERNAL_H
#define OFS_READ_INTERNAL_H

#include <stdio.h>

#include "offerscan.h"
#include "util.h"

typedef struct reader_format {
    const char *name;
    /* Prepares the format's state (r->state). Returns 0, or -1 after
     * adding an error to r->diags. */
    int (*open)(ofs_reader *r);
    /* As ofs_reader_next: 1 for a record, 0 at the end, -1 on a read error. */
    int (*next)(ofs_reader *r, ofs_record *rec);
    /* Frees r->state (which may be NULL). */
    void (*close)(ofs_reader *r);
    /* Optional, for formats whose every record is one line that can be
     * parsed on its own (JSON Lines), so that worker threads can parse what
     * the reading thread only cuts out. split: as next, but gives the
     * record's line unparsed (valid until the next read) and its number.
     * parse: fills rec from such a line, as next would have. */
    int (*split)(ofs_reader *r, const char **line, size_t *len, size_t *line_no);
    void (*parse)(ofs_reader *r, const char *line, size_t len, size_t line_no, ofs_record *rec);
} reader_format;

extern const reader_format read_jsonl_format, read_text_format, read_csv_format, read_tsv_format,
    read_telegram_format, read_whatsapp_format;

struct ofs_reader {
    /* The input: exactly one of f (a file or stdin) and mem is used. */
    FILE       *f;
    int         owns_file;
    const char *mem;
    size_t      mem_len, mem_pos;
    char       *name;          /* as given; "-" for standard input */
    ofs_format  format;        /* never OFS_FORMAT_AUTO once open */
    char       *text_field, *id_field;
    int         whole_file;
    ofs_diags  *diags;
    size_t      size;          /* of a regular file, else 0 */
    size_t      offset;        /* bytes consumed */

    /* Buffered input: bytes [buf_pos, buf_len) of buf are read, not consumed. */
    char       *buf;
    size_t      buf_pos, buf_len, buf_cap;
    int         eof;           /* the source has no more bytes */
    int         read_failed;   /* a read error was added to diags */
    size_t      line_no;       /* lines consumed by rd_line */

    /* Every regular file of a directory, sorted (text --whole-file). */
    char      **files;
    size_t      file_count, file_index;

    const reader_format *fmt;
    void       *state;

    /* The current record's storage, cleared by rd_begin. */
    strbuf      text;
    char       *id_json;
    char       *source_json;
    char       *error;
    const char *rec_file;      /* when not the reader's name; owned elsewhere */
};

/* Makes at least want bytes available from buf_pos unless the input ends
 * first. Returns the number available (may be less than want at the end),
 * or (size_t)-1 after a read error (added to diags). */
size_t rd_fill(ofs_reader *r, size_t want);

/* The next line, without its "\n" (and without a "\r" before it when chomp
 * is set): *line points into the buffer and is valid until the next read.
 * Returns 1 for a line, 0 at the end, -1 on a read error. Counts lines in
 * r->line_no. */
int rd_line(ofs_reader *r, const char **line, size_t *len, int chomp);

/* Like rd_line, but the line keeps its "\n" (when it has one), for formats
 * that hand raw bytes to a parser. */
int rd_line_raw(ofs_reader *r, const char **line, size_t *len);

/* Consumes and returns the next block of bytes (any size, at least one
 * byte). Returns 1, 0 at the end, -1 on a read error. */
int rd_block(ofs_reader *r, const char **data, size_t *len);

/* Clears the previous record and *rec, and sets rec->file and rec->line. */
void rd_begin(ofs_reader *r, ofs_record *rec, size_t line);

/* Sets the record's text to a copy of s[0..n) (any bytes, NUL included). */
void rd_set_text(ofs_reader *r, ofs_record *rec, const char *s, size_t n);

/* Takes ownership of id_json / source_json (malloc'd JSON text, or NULL)
 * and points the record at them. */
void rd_set_id(ofs_reader *r, ofs_record *rec, char *id_json);
void rd_set_source(ofs_reader *r, ofs_record *rec, char *source_json);

/* Marks the record as unreadable: error "file:line:column: message"
 * (column 0 leaves it out); the text is dropped. */
void rd_set_error(ofs_reader *r, ofs_record *rec, size_t line, size_t column, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Parsing apart from reading (batch.c). rd_can_split: 1 when r's format
 * has split and parse. rd_next_line: r's next record as an unparsed line,
 * as split. rd_parser_create: a reader without input, with r's name,
 * fields and format, that parses lines for one thread (rd_parse_line; the
 * record's storage is the parser's, valid until its next parse); free it
 * with ofs_reader_close. */
int rd_can_split(const ofs_reader *r);
int rd_next_line(ofs_reader *r, const char **line, size_t *len, size_t *line_no);
ofs_reader *rd_parser_create(const ofs_reader *r);
void rd_parse_line(ofs_reader *parser, const char *line, size_t len, size_t line_no, ofs_record *rec);

/* s[0..n) as a JSON string text (malloc'd), with each byte that is not
 * UTF-8 replaced by U+FFFD, for ids and source fields taken from raw input. */
char *rd_json_string(const char *s, size_t n);

/* Follows a dotted path ("message.body") through JSON objects; a key that
 * exists with the dots in it ("message.body" itself) is tried first.
 * Returns a borrowed reference, or NULL. */
struct json_t;
struct json_t *rd_json_path(struct json_t *root, const char *path);

/* The first line of the buffered input after leading blank lines, for
 * format detection: *line and *len, without "\r\n"; *complete is 0 when the
 * line runs past what was buffered. Returns 0 when there is no such line. */
int rd_peek_first_line(ofs_reader *r, const char **line, size_t *len, int *complete);

/* 1 when s[0..n) is a line that starts a WhatsApp message (read_whatsapp.c). */
int whatsapp_line_starts_message(const char *s, size_t n);
/* 1 when the CSV header line s[0..n) names column `column` with delimiter
 * delim (read_csv.c). */
int csv_header_has_column(const char *s, size_t n, char delim, const char *column);

#endif

/* read_jsonl.c: JSON Lines input, one JSON object per line.
 *
 * The text and the id are found by dotted paths (--text-field message.body
 * follows nested objects; a key that itself contains the dots is tried
 * first). Blank lines are not records. Every other line is exactly one
 * record, even when it cannot be read: malformed JSON (invalid UTF-8
 * included, which JSON does not allow), a value that is not an object, a
 * missing or non-string text field each give a record with `error`
 * ("file:line:column: message") and, where it could be read, the id.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "read_internal.h"

static int is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r') return 0;
    return 1;
}

static int jsonl_split(ofs_reader *r, const char **line, size_t *len, size_t *line_no)
{
    for (;;) {
        int rc = rd_line(r, line, len, 1);
        if (rc <= 0) return rc;
        if (!is_blank(*line, *len)) break;
    }
    *line_no = r->line_no;
    return 1;
}

static void jsonl_parse(ofs_reader *r, const char *line, size_t n, size_t line_no, ofs_record *rec)
{
    rd_begin(r, rec, line_no);
    json_error_t err;
    json_t *doc = json_loadb(line, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (!doc) {
        rd_set_error(r, rec, line_no, err.column > 0 ? (size_t)err.column : 1, "malformed JSON: %s", err.text);
        return;
    }
    if (!json_is_object(doc)) {
        json_decref(doc);
        rd_set_error(r, rec, line_no, 1, "a JSON Lines record must be an object");
        return;
    }
    json_t *id = rd_json_path(doc, r->id_field);
    if (id && (json_is_string(id) || json_is_integer(id) || json_is_real(id)))
        rd_set_id(r, rec, json_dumps(id, JSON_ENCODE_ANY | JSON_COMPACT));
    json_t *text = rd_json_path(doc, r->text_field);
    if (!text)
        rd_set_error(r, rec, line_no, 1, "no field '%s' in this record", r->text_field);
    else if (!json_is_string(text))
        rd_set_error(r, rec, line_no, 1, "field '%s' is not a string", r->text_field);
    else
        rd_set_text(r, rec, json_string_value(text), json_string_length(text));
    json_decref(doc);
}

static int jsonl_next(ofs_reader *r, ofs_record *rec)
{
    const char *line;
    size_t n, line_no;
    int rc = jsonl_split(r, &line, &n, &line_no);
    if (rc == 1) jsonl_parse(r, line, n, line_no, rec);
    return rc;
}

const reader_format read_jsonl_format = {"jsonl", NULL, jsonl_next, NULL, jsonl_split, jsonl_parse};

/* fuzz_reader.c: libFuzzer target for one input reader (FUZZ_FORMAT, set at
 * build time: one executable per format), and for the JSON Lines and CSV
 * writers over what it reads.
 *
 * Checks, beyond the sanitizers: every record has either text or an error,
 * never both; a record's source is a JSON object; the writers give one line
 * (no raw newline) per record; reading stops.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "offerscan.h"

#ifndef FUZZ_FORMAT
#define FUZZ_FORMAT OFS_FORMAT_AUTO
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ofs_read_options opt = {FUZZ_FORMAT, "text", "id", 0};
    ofs_diags *d = ofs_diags_create();
    ofs_reader *r = ofs_reader_open_buffer((const char *)data, size, "fuzz", &opt, d);
    if (!r) {
        if (ofs_diags_errors(d) == 0) abort(); /* a failure must say why */
        ofs_diags_free(d);
        return 0;
    }
    ofs_csv_dialect tsv = {'\t'};
    ofs_record rec;
    size_t count = 0;
    int rc;
    while ((rc = ofs_reader_next(r, &rec)) == 1) {
        if (++count > size + 1) abort(); /* more records than bytes: a loop */
        if ((rec.text == NULL) == (rec.error == NULL)) abort();
        if (rec.text && rec.text[rec.len] != '\0') abort();
        if (rec.source_json) {
            json_t *s = json_loads(rec.source_json, 0, NULL);
            if (!json_is_object(s)) abort();
            json_decref(s);
        }
        char *line = ofs_result_to_jsonl(NULL, &rec);
        if (!line || strchr(line, '\n')) abort();
        /* an id with a NUL in it is kept, written \u0000 */
        json_t *j = json_loads(line, JSON_ALLOW_NUL, NULL);
        if (!json_is_object(j)) abort();
        json_decref(j);
        free(line);
        line = ofs_result_to_csv(NULL, &rec, &tsv);
        if (!line) abort();
        free(line);
    }
    if (rc < 0 && ofs_diags_errors(d) == 0) abort();
    ofs_reader_close(r);
    ofs_diags_free(d);
    return 0;
}

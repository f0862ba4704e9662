/* write_csv.c: one result as one CSV or TSV row, for spreadsheets.
 *
 * The lists of a result are flattened: labels are joined with ";", each
 * label's score is a column, and only the first route and the first price
 * are kept (the JSON Lines output has them all):
 *
 *     id,labels,crossing_offer,document_offer,route_advice,route_from,...
 *     p1,crossing_offer,4,0,0,Zuwara,LY,Lampedusa,IT,2000,,EUR,,in.csv,2,"{""row"":1}",
 *
 * Quoting is libcsv's (csv_write2): a field is quoted only when it holds
 * the delimiter, a quote or a line break. Fields that come from the input
 * (id, file, source, error) are defused for spreadsheets: one that starts
 * with =, +, -, @, a tab or a carriage return, which a spreadsheet would
 * run as a formula, gets a leading "'".
 */
#include <csv.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "offerscan.h"
#include "util.h"

static const char *const fixed_before[] = {"id", "labels"};
static const char *const fixed_after[] = {
    "route_from", "route_from_country", "route_to", "route_to_country", "price_amount", "price_amount_max",
    "price_currency", "invalid_utf8", "file", "line", "source", "error",
};

static char delimiter_of(const void *ctx)
{
    const ofs_csv_dialect *d = ctx;
    return d && d->delimiter ? d->delimiter : ',';
}

/* Appends one field, after the delimiter unless it is the first. */
static void put_field(strbuf *sb, char delim, int first, const char *s, size_t n, int from_input)
{
    if (!first) strbuf_putc(sb, delim);
    int defuse = from_input && n && strchr("=+-@\t\r", s[0]);
    int quote = 0;
    for (size_t i = 0; i < n && !quote; i++)
        if (s[i] == delim || s[i] == '"' || s[i] == '\n' || s[i] == '\r') quote = 1;
    if (!quote) {
        if (defuse) strbuf_putc(sb, '\'');
        strbuf_append(sb, s, n);
        return;
    }
    char *src = NULL;
    if (defuse) {
        src = xmalloc(n + 1);
        src[0] = '\'';
        memcpy(src + 1, s, n);
        s = src;
        n++;
    }
    size_t cap = 2 * n + 2;
    char *out = xmalloc(cap);
    size_t len = csv_write2(out, cap, s, n, '"');
    strbuf_append(sb, out, len);
    free(out);
    free(src);
}

static void put_str(strbuf *sb, char delim, const char *s, int from_input)
{
    put_field(sb, delim, 0, s ? s : "", s ? strlen(s) : 0, from_input);
}

static void put_number(strbuf *sb, char delim, double v)
{
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.10g", v);
    put_str(sb, delim, tmp, 0);
}

char *ofs_csv_header(const ofs_csv_dialect *dialect)
{
    char delim = delimiter_of(dialect);
    strbuf sb = {0};
    for (size_t i = 0; i < sizeof fixed_before / sizeof *fixed_before; i++)
        put_field(&sb, delim, i == 0, fixed_before[i], strlen(fixed_before[i]), 0);
    for (int l = 0; l < OFS_LABEL_COUNT; l++) put_str(&sb, delim, ofs_label_names[l], 0);
    for (size_t i = 0; i < sizeof fixed_after / sizeof *fixed_after; i++) put_str(&sb, delim, fixed_after[i], 0);
    return sb.buf;
}

/* The id as a cell: a JSON string's value, or a number as written. */
static void put_id(strbuf *sb, char delim, const char *id_json)
{
    json_t *id = id_json ? json_loads(id_json, JSON_DECODE_ANY, NULL) : NULL;
    if (json_is_string(id)) put_field(sb, delim, 1, json_string_value(id), json_string_length(id), 1);
    else put_field(sb, delim, 1, id_json && id ? id_json : "", id_json && id ? strlen(id_json) : 0, 0);
    json_decref(id);
}

static void put_place(strbuf *sb, char delim, const ofs_place *p)
{
    put_str(sb, delim, p ? p->place : NULL, 0);
    put_str(sb, delim, p ? p->country : NULL, 0);
}

char *ofs_result_to_csv(const ofs_result *r, const ofs_record *rec, void *ctx)
{
    char delim = delimiter_of(ctx);
    strbuf sb = {0};
    put_id(&sb, delim, rec->id_json);

    strbuf labels = {0};
    for (int l = 0; r && l < OFS_LABEL_COUNT; l++) {
        if (!r->labelled[l]) continue;
        if (labels.len) strbuf_putc(&labels, ';');
        strbuf_puts(&labels, ofs_label_names[l]);
    }
    put_str(&sb, delim, labels.buf, 0);
    strbuf_free(&labels);
    for (int l = 0; l < OFS_LABEL_COUNT; l++) {
        if (r) put_number(&sb, delim, r->score[l]);
        else put_str(&sb, delim, NULL, 0);
    }

    const ofs_route *rt = r && r->route_count ? &r->routes[0] : NULL;
    put_place(&sb, delim, rt && rt->has_from ? &rt->from : NULL);
    put_place(&sb, delim, rt ? &rt->to : NULL);

    const ofs_price *p = r && r->price_count ? &r->prices[0] : NULL;
    if (p) put_number(&sb, delim, p->amount);
    else put_str(&sb, delim, NULL, 0);
    if (p && p->has_max) put_number(&sb, delim, p->amount_max);
    else put_str(&sb, delim, NULL, 0);
    put_str(&sb, delim, p ? p->currency : NULL, 0);

    put_str(&sb, delim, r && r->invalid_utf8 ? "true" : NULL, 0);
    put_str(&sb, delim, rec->file ? rec->file : "-", 1);
    char line[32];
    snprintf(line, sizeof line, "%zu", rec->line);
    put_str(&sb, delim, line, 0);
    put_str(&sb, delim, rec->source_json, 1);
    put_str(&sb, delim, rec->error, 1);
    return sb.buf;
}

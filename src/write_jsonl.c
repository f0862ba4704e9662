/* write_jsonl.c: one result as one JSON Lines object.
 *
 * {"id": ..., "labels": [...], "scores": {"crossing_offer": {"score": 3,
 *  "threshold": 2}, ...}, "routes": [...], "prices": [...], "contacts": [...],
 *  "documents": [...], "evidence": [{"rule": ..., "label": ..., "weight": ...,
 *  "spans": [{"pattern": ..., "start": ..., "end": ..., "text": ...}]}],
 *  "source": {"file": ..., "line": ...}}
 * plus "error", "notes" and "invalid_utf8" when they apply. Routes and
 * prices follow ANNOTATION.md, each with a "span" added.
 *
 * The object is written in this order straight into one buffer, as
 * json_dumps(JSON_COMPACT) would write it: building a jansson tree for each
 * record and dumping it cost 40% of the time per record (callgrind), most
 * of it jansson's bookkeeping for each of the ~15 arrays and objects. The
 * strings and the real numbers are still written by jansson (put_string,
 * put_json), apart from the plain ASCII that it would copy as it is.
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "offerscan.h"
#include "util.h"

/* A JSON string of s[0..n), with invalid UTF-8 replaced by U+FFFD. */
static json_t *json_text(const char *s, size_t n)
{
    /* valid UTF-8, the usual case: jansson checks and copies it as it is */
    json_t *valid = json_stringn(s, n);
    if (valid) return valid;
    strbuf sb = {0};
    size_t i = 0;
    while (i < n) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
        if (k <= 0) {
            strbuf_puts(&sb, "\xEF\xBF\xBD");
            i++;
        } else {
            strbuf_append(&sb, s + i, (size_t)k);
            i += (size_t)k;
        }
    }
    json_t *j = json_stringn(sb.buf ? sb.buf : "", sb.len);
    strbuf_free(&sb);
    return j;
}

#define DUMP_FLAGS (JSON_ENCODE_ANY | JSON_COMPACT | JSON_PRESERVE_ORDER)

/* Appends j as json_dumps writes it, in one pass: room is made first for
 * the longest text a string or a real can give (n bytes take at most
 * 6n + 2, each byte a \u00XX escape; a real at most 32). A source object
 * that does not fit is dumped again at the size jansson asked for. */
static void put_json(strbuf *sb, const json_t *j)
{
    size_t room = json_is_string(j) ? 6 * json_string_length(j) + 2 : 32;
    grow_array((void **)&sb->buf, &sb->cap, sb->len + room + 1, 1);
    size_t n = json_dumpb(j, sb->buf + sb->len, room, DUMP_FLAGS);
    if (n > room) {
        grow_array((void **)&sb->buf, &sb->cap, sb->len + n + 1, 1);
        n = json_dumpb(j, sb->buf + sb->len, n, DUMP_FLAGS);
    }
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

/* True when jansson would write s[0..n) between quotes as it is: printable
 * ASCII without '"' or '\\' (the ids, codes and names of the rule set). */
static int plain_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') return 0;
    }
    return 1;
}

/* Appends s[0..n) as a JSON string; invalid UTF-8 becomes U+FFFD. */
static void put_string(strbuf *sb, const char *s, size_t n)
{
    if (plain_ascii(s, n)) {
        strbuf_putc(sb, '"');
        strbuf_append(sb, s, n);
        strbuf_putc(sb, '"');
        return;
    }
    json_t *j = json_text(s, n);
    put_json(sb, j);
    json_decref(j);
}

static void put_cstring(strbuf *sb, const char *s) { put_string(sb, s, strlen(s)); }

/* Appends "key": after a ',' unless the key opens its object. The keys
 * are the schema's own, plain ASCII. */
static void put_key(strbuf *sb, const char *key, int first)
{
    if (!first) strbuf_putc(sb, ',');
    strbuf_putc(sb, '"');
    strbuf_puts(sb, key);
    strbuf_puts(sb, "\":");
}

static void put_integer(strbuf *sb, long long v)
{
    char digits[24];
    size_t n = 0;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        digits[sizeof digits - 1 - n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) digits[sizeof digits - 1 - n++] = '-';
    strbuf_append(sb, digits + sizeof digits - n, n);
}

/* A number as an integer when it is whole (2, not 2.0): amounts, scores,
 * thresholds and weights alike. Other numbers as jansson writes reals. */
static void put_number(strbuf *sb, double v)
{
    if (v == floor(v) && fabs(v) < 9e15) {
        put_integer(sb, (long long)v);
        return;
    }
    json_t *j = json_real(v);
    put_json(sb, j);
    json_decref(j);
}

static void put_span(strbuf *sb, ofs_span s)
{
    strbuf_putc(sb, '[');
    put_integer(sb, (long long)s.start);
    strbuf_putc(sb, ',');
    put_integer(sb, (long long)s.end);
    strbuf_putc(sb, ']');
}

static void put_place(strbuf *sb, const ofs_place *p)
{
    strbuf_putc(sb, '{');
    put_key(sb, "country", 1);
    put_cstring(sb, p->country);
    if (p->place) {
        put_key(sb, "place", 0);
        put_cstring(sb, p->place);
    }
    put_key(sb, "span", 0);
    put_span(sb, p->span);
    strbuf_putc(sb, '}');
}

static const char *contact_kind_name(ofs_contact_kind k)
{
    return k == OFS_CONTACT_PHONE ? "phone" : k == OFS_CONTACT_HANDLE ? "handle" : "link";
}

/* Appends ,"key":"value", a string member after the first. */
static void put_member(strbuf *sb, const char *key, const char *value)
{
    put_key(sb, key, 0);
    put_cstring(sb, value);
}

/* Appends ,"span":[start,end]}, the last member of an extraction. */
static void put_span_member(strbuf *sb, ofs_span span)
{
    put_key(sb, "span", 0);
    put_span(sb, span);
    strbuf_putc(sb, '}');
}

/* Appends ,"key":[...], put_item writing each of the count items of size
 * bytes at items; ctx is passed through. */
typedef void (*put_item_fn)(strbuf *sb, const void *item, const void *ctx);
static void put_list(strbuf *sb, const char *key, const void *items, size_t count, size_t size, put_item_fn put_item,
                     const void *ctx)
{
    put_key(sb, key, 0);
    strbuf_putc(sb, '[');
    for (size_t i = 0; i < count; i++) {
        if (i) strbuf_putc(sb, ',');
        put_item(sb, (const char *)items + i * size, ctx);
    }
    strbuf_putc(sb, ']');
}

static void put_route(strbuf *sb, const void *item, const void *ctx)
{
    const ofs_route *rt = item;
    (void)ctx;
    strbuf_puts(sb, "{\"from\":");
    if (rt->has_from) put_place(sb, &rt->from);
    else strbuf_puts(sb, "null");
    put_key(sb, "to", 0);
    put_place(sb, &rt->to);
    strbuf_putc(sb, '}');
}

static void put_price(strbuf *sb, const void *item, const void *ctx)
{
    const ofs_price *p = item;
    (void)ctx;
    strbuf_puts(sb, "{\"amount\":");
    put_number(sb, p->amount);
    if (p->has_max) {
        put_key(sb, "amount_max", 0);
        put_number(sb, p->amount_max);
    }
    put_member(sb, "currency", p->currency);
    put_span_member(sb, p->span);
}

static void put_contact(strbuf *sb, const void *item, const void *ctx)
{
    const ofs_contact *c = item;
    (void)ctx;
    strbuf_puts(sb, "{\"kind\":");
    put_cstring(sb, contact_kind_name(c->kind));
    put_member(sb, "value", c->value);
    if (c->country[0]) put_member(sb, "country", c->country);
    put_span_member(sb, c->span);
}

static void put_document(strbuf *sb, const void *item, const void *ctx)
{
    const ofs_document *d = item;
    (void)ctx;
    strbuf_puts(sb, "{\"type\":");
    put_cstring(sb, d->type);
    if (d->country[0]) put_member(sb, "country", d->country);
    put_span_member(sb, d->span);
}

static void put_note(strbuf *sb, const void *item, const void *ctx)
{
    (void)ctx;
    put_cstring(sb, *(const char *const *)item);
}

/* One span of evidence; ctx is the record, whose text the span quotes. */
static void put_match(strbuf *sb, const void *item, const void *ctx)
{
    const ofs_match *m = item;
    const ofs_record *rec = ctx;
    strbuf_puts(sb, "{\"pattern\":");
    put_cstring(sb, m->pattern);
    put_key(sb, "start", 0);
    put_integer(sb, (long long)m->span.start);
    put_key(sb, "end", 0);
    put_integer(sb, (long long)m->span.end);
    if (rec->text && m->span.end <= rec->len) {
        put_key(sb, "text", 0);
        put_string(sb, rec->text + m->span.start, m->span.end - m->span.start);
    }
    strbuf_putc(sb, '}');
}

static void put_evidence(strbuf *sb, const void *item, const void *ctx)
{
    const ofs_evidence *e = item;
    strbuf_puts(sb, "{\"rule\":");
    put_cstring(sb, e->rule_id);
    put_member(sb, "label", e->label);
    put_key(sb, "weight", 0);
    put_number(sb, e->weight);
    put_list(sb, "spans", e->matches, e->match_count, sizeof *e->matches, put_match, ctx);
    strbuf_putc(sb, '}');
}

/* The record's own metadata, with its file and line set. A reader's
 * source object (CSV row, Telegram or WhatsApp fields) goes through
 * jansson, which keeps a "file" or "line" it already has in its place. */
static void put_source(strbuf *sb, const ofs_record *rec)
{
    const char *file = rec->file ? rec->file : "-";
    put_key(sb, "source", 0);
    json_t *source = rec->source_json ? json_loads(rec->source_json, 0, NULL) : NULL;
    if (!json_is_object(source)) {
        json_decref(source);
        strbuf_putc(sb, '{');
        put_key(sb, "file", 1);
        put_cstring(sb, file);
        put_key(sb, "line", 0);
        put_integer(sb, (long long)rec->line);
        strbuf_putc(sb, '}');
        return;
    }
    json_object_set_new(source, "file", json_text(file, strlen(file)));
    json_object_set_new(source, "line", json_integer((json_int_t)rec->line));
    put_json(sb, source);
    json_decref(source);
}

char *ofs_result_to_jsonl(const ofs_result *r, const ofs_record *rec)
{
    strbuf sb = {0};
    strbuf_putc(&sb, '{');
    put_key(&sb, "id", 1);
    /* the readers hand the id over as compact JSON written by jansson */
    strbuf_puts(&sb, rec->id_json ? rec->id_json : "null");

    put_key(&sb, "labels", 0);
    strbuf_putc(&sb, '[');
    int any = 0;
    for (int l = 0; r && l < OFS_LABEL_COUNT; l++) {
        if (!r->labelled[l]) continue;
        if (any++) strbuf_putc(&sb, ',');
        put_cstring(&sb, ofs_label_names[l]);
    }
    strbuf_putc(&sb, ']');
    put_key(&sb, "scores", 0);
    strbuf_putc(&sb, '{');
    for (int l = 0; r && l < OFS_LABEL_COUNT; l++) {
        put_key(&sb, ofs_label_names[l], l == 0);
        strbuf_putc(&sb, '{');
        put_key(&sb, "score", 1);
        put_number(&sb, r->score[l]);
        put_key(&sb, "threshold", 0);
        put_number(&sb, r->threshold[l]);
        strbuf_putc(&sb, '}');
    }
    strbuf_putc(&sb, '}');
    put_list(&sb, "routes", r ? r->routes : NULL, r ? r->route_count : 0, sizeof *r->routes, put_route, NULL);
    put_list(&sb, "prices", r ? r->prices : NULL, r ? r->price_count : 0, sizeof *r->prices, put_price, NULL);
    put_list(&sb, "contacts", r ? r->contacts : NULL, r ? r->contact_count : 0, sizeof *r->contacts, put_contact,
             NULL);
    put_list(&sb, "documents", r ? r->documents : NULL, r ? r->document_count : 0, sizeof *r->documents,
             put_document, NULL);
    put_list(&sb, "evidence", r ? r->evidence : NULL, r ? r->evidence_count : 0, sizeof *r->evidence, put_evidence,
             rec);

    if (rec->error) put_member(&sb, "error", rec->error);
    if (r && r->invalid_utf8) {
        put_key(&sb, "invalid_utf8", 0);
        strbuf_puts(&sb, "true");
    }
    if (r && r->note_count)
        put_list(&sb, "notes", r->notes, r->note_count, sizeof *r->notes, put_note, NULL);
    put_source(&sb, rec);
    strbuf_putc(&sb, '}');
    return sb.buf;
}

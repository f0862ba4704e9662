/* write_jsonl.c: one result as one JSON Lines object.
 *
 * {"id": ..., "labels": [...], "scores": {"crossing_offer": {"score": 3,
 *  "threshold": 2}, ...}, "routes": [...], "prices": [...], "contacts": [...],
 *  "documents": [...], "evidence": [{"rule": ..., "label": ..., "weight": ...,
 *  "spans": [{"pattern": ..., "start": ..., "end": ..., "text": ...}]}],
 *  "source": {"file": ..., "line": ...}}
 * plus "error", "notes" and "invalid_utf8" when they apply. Routes and
 * prices follow ANNOTATION.md, each with a "span" added.
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

static json_t *json_span(ofs_span s)
{
    json_t *a = json_array();
    json_array_append_new(a, json_integer((json_int_t)s.start));
    json_array_append_new(a, json_integer((json_int_t)s.end));
    return a;
}

/* A number as an integer when it is whole (2, not 2.0): amounts, scores,
 * thresholds and weights alike. */
static json_t *json_number(double v)
{
    if (v == floor(v) && fabs(v) < 9e15) return json_integer((json_int_t)v);
    return json_real(v);
}

static json_t *json_place(const ofs_place *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "country", json_string(p->country));
    if (p->place) json_object_set_new(o, "place", json_string(p->place));
    json_object_set_new(o, "span", json_span(p->span));
    return o;
}

static const char *contact_kind_name(ofs_contact_kind k)
{
    return k == OFS_CONTACT_PHONE ? "phone" : k == OFS_CONTACT_HANDLE ? "handle" : "link";
}

static void add_extractions(json_t *o, const ofs_result *r)
{
    json_t *routes = json_array(), *prices = json_array(), *contacts = json_array(), *docs = json_array();
    for (size_t i = 0; r && i < r->route_count; i++) {
        const ofs_route *rt = &r->routes[i];
        json_t *j = json_object();
        json_object_set_new(j, "from", rt->has_from ? json_place(&rt->from) : json_null());
        json_object_set_new(j, "to", json_place(&rt->to));
        json_array_append_new(routes, j);
    }
    for (size_t i = 0; r && i < r->price_count; i++) {
        const ofs_price *p = &r->prices[i];
        json_t *j = json_object();
        json_object_set_new(j, "amount", json_number(p->amount));
        if (p->has_max) json_object_set_new(j, "amount_max", json_number(p->amount_max));
        json_object_set_new(j, "currency", json_string(p->currency));
        json_object_set_new(j, "span", json_span(p->span));
        json_array_append_new(prices, j);
    }
    for (size_t i = 0; r && i < r->contact_count; i++) {
        const ofs_contact *c = &r->contacts[i];
        json_t *j = json_object();
        json_object_set_new(j, "kind", json_string(contact_kind_name(c->kind)));
        json_object_set_new(j, "value", json_text(c->value, strlen(c->value)));
        if (c->country[0]) json_object_set_new(j, "country", json_string(c->country));
        json_object_set_new(j, "span", json_span(c->span));
        json_array_append_new(contacts, j);
    }
    for (size_t i = 0; r && i < r->document_count; i++) {
        const ofs_document *d = &r->documents[i];
        json_t *j = json_object();
        json_object_set_new(j, "type", json_string(d->type));
        if (d->country[0]) json_object_set_new(j, "country", json_string(d->country));
        json_object_set_new(j, "span", json_span(d->span));
        json_array_append_new(docs, j);
    }
    json_object_set_new(o, "routes", routes);
    json_object_set_new(o, "prices", prices);
    json_object_set_new(o, "contacts", contacts);
    json_object_set_new(o, "documents", docs);
}

char *ofs_result_to_jsonl(const ofs_result *r, const ofs_record *rec)
{
    json_t *o = json_object();
    json_t *id = NULL;
    if (rec->id_json) id = json_loads(rec->id_json, JSON_DECODE_ANY, NULL);
    json_object_set_new(o, "id", id ? id : json_null());

    json_t *labels = json_array(), *scores = json_object();
    for (int l = 0; r && l < OFS_LABEL_COUNT; l++) {
        if (r->labelled[l]) json_array_append_new(labels, json_string(ofs_label_names[l]));
        json_t *sc = json_object();
        json_object_set_new(sc, "score", json_number(r->score[l]));
        json_object_set_new(sc, "threshold", json_number(r->threshold[l]));
        json_object_set_new(scores, ofs_label_names[l], sc);
    }
    json_object_set_new(o, "labels", labels);
    json_object_set_new(o, "scores", scores);
    add_extractions(o, r);

    json_t *evidence = json_array();
    for (size_t i = 0; r && i < r->evidence_count; i++) {
        const ofs_evidence *e = &r->evidence[i];
        json_t *spans = json_array();
        for (size_t k = 0; k < e->match_count; k++) {
            const ofs_match *m = &e->matches[k];
            json_t *s = json_object();
            json_object_set_new(s, "pattern", json_string(m->pattern));
            json_object_set_new(s, "start", json_integer((json_int_t)m->span.start));
            json_object_set_new(s, "end", json_integer((json_int_t)m->span.end));
            if (rec->text && m->span.end <= rec->len)
                json_object_set_new(s, "text", json_text(rec->text + m->span.start, m->span.end - m->span.start));
            json_array_append_new(spans, s);
        }
        json_t *ev = json_object();
        json_object_set_new(ev, "rule", json_string(e->rule_id));
        json_object_set_new(ev, "label", json_string(e->label));
        json_object_set_new(ev, "weight", json_number(e->weight));
        json_object_set_new(ev, "spans", spans);
        json_array_append_new(evidence, ev);
    }
    json_object_set_new(o, "evidence", evidence);

    if (rec->error) json_object_set_new(o, "error", json_string(rec->error));
    if (r && r->invalid_utf8) json_object_set_new(o, "invalid_utf8", json_true());
    if (r && r->note_count) {
        json_t *notes = json_array();
        for (size_t i = 0; i < r->note_count; i++) json_array_append_new(notes, json_string(r->notes[i]));
        json_object_set_new(o, "notes", notes);
    }
    json_t *source = rec->source_json ? json_loads(rec->source_json, 0, NULL) : NULL;
    if (!json_is_object(source)) {
        json_decref(source);
        source = json_object();
    }
    json_object_set_new(source, "file", json_text(rec->file ? rec->file : "-", rec->file ? strlen(rec->file) : 1));
    json_object_set_new(source, "line", json_integer((json_int_t)rec->line));
    json_object_set_new(o, "source", source);
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return s;
}

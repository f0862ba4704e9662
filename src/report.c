/* report.c: `offerscan report`: what a labelled batch holds, at a glance, as
 * a terminal summary, as JSON for other tools, and as one self-contained
 * HTML page with inline SVG charts.
 *
 * The approach. A report is one pass over the output lines of `offerscan
 * label` (gold records of ANNOTATION.md work too: they have labels, routes
 * and prices). Each line is parsed with jansson and folded into a handful of
 * aggregates, each a growable array with a hash map from its key:
 *
 *   contacts   key "kind:value" (handles compared case-insensitively), with
 *              the records that mention it and how many of them are flagged
 *   languages  key `lang` (top level or source.lang; "ar-latn" when the
 *              record also says "script": "latn"), else "unknown"
 *   days       key days since 1970-01-01, from source.date ("2024-03-05",
 *              "2024-03-05T10:00:00Z" or Unix seconds)
 *   routes     key "LY>IT": origin and destination country, with the places
 *              seen on each side and the prices of the records, per currency
 *   documents  per issuing country and per type
 *
 * A record is FLAGGED when it carries at least one label. The definitions
 * an analyst reads on the page:
 *
 *   - incidents: records per label (a record with two labels is an incident
 *     of each);
 *   - a possible facilitator is a handle, phone number or link seen in at
 *     least one flagged record, counted once however often it appears;
 *   - routes offered are the routes of flagged records; one record counts
 *     once per distinct origin -> destination pair. A route without a stated
 *     origin is kept, as "origin not stated";
 *   - prices of a flagged record go to every route of that record (most
 *     offers state one route), or to "route not stated"; a range 1400-1600
 *     counts as its midpoint; the same amount twice in one record counts
 *     once. Minimum, quartiles, median and maximum interpolate linearly
 *     between the sorted values (the median of 1000, 2000 is 1500);
 *   - over time, records are bucketed by day when the dated span is at most
 *     62 days, by month up to 10 years, else by year; a contact is "new" in
 *     the bucket of the first dated record that mentions it.
 *
 * Only the records a reader may want to open (flagged, or carrying a
 * contact or a document) are kept, each as a trimmed JSON text for the
 * page's records section, so memory grows with the interesting part of a
 * batch, not with its size. The writers sort and compute the figures on
 * first use (report_finish); adding a line afterwards starts over.
 *
 * Redaction replaces handles, phone numbers, links, senders and chat names
 * by a keyed BLAKE2b hash (libsodium's crypto_generichash) of "kind:value":
 * "@h:3f9a2c1b", "+tel:8c01d2e4", "link:t.me/5be0a7c1". The key is hashed
 * to 32 bytes first, so any passphrase of 8 bytes or more works; the same
 * key gives the same pseudonyms across reports, so two shared reports can
 * still be joined on them, and without the key the values cannot be
 * recovered by trying every phone number. Evidence texts (which may quote
 * a number) are left out of a redacted report.
 */
#include <ctype.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bundle.h"
#include "diag.h"
#include "offerscan.h"
#include "util.h"
#include "yamldoc.h"

#define NO_DAY LONG_MIN
#define TEXT_ROWS 10          /* rows of a top list in the text summary */
#define HTML_ROWS 25          /* rows of a top table on the page */
#define FACILITATOR_ROWS 200  /* rows of the facilitator table on the page */
#define EXAMPLES 5            /* example record links per table row */
#define MAX_SHOWN_RECORDS 1500
#define FLOW_NODES 8          /* origins or destinations drawn before "other" */
#define PRICE_ROWS 12         /* routes per price chart */
#define LANG_ROWS 14          /* languages drawn before "other" */
#define MIN_KEY_BYTES 8

/* ---- small containers ----------------------------------------------------- */

/* Indices of kept records, ascending; a record is added once. */
typedef struct idx_list {
    size_t *items;
    size_t  count, cap;
} idx_list;

static void idx_add(idx_list *l, size_t i)
{
    if (l->count && l->items[l->count - 1] == i) return;
    VEC_PUSH(l->items, l->count, l->cap, i);
}

/* An open-addressing hash map from a string to an index. */
typedef struct strmap {
    char  **keys;
    size_t *vals;
    size_t  cap, count;
} strmap;

static uint64_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211u;
    }
    return h;
}

static size_t strmap_slot(const strmap *m, const char *key)
{
    size_t mask = m->cap - 1, i = (size_t)str_hash(key) & mask;
    while (m->keys[i] && strcmp(m->keys[i], key) != 0) i = (i + 1) & mask;
    return i;
}

/* The index stored under key, or SIZE_MAX. */
static size_t strmap_get(const strmap *m, const char *key)
{
    if (!m->cap) return SIZE_MAX;
    size_t i = strmap_slot(m, key);
    return m->keys[i] ? m->vals[i] : SIZE_MAX;
}

static void strmap_put(strmap *m, const char *key, size_t val)
{
    if ((m->count + 1) * 10 > m->cap * 7) {
        strmap old = *m;
        m->cap = old.cap ? old.cap * 2 : 64;
        m->keys = xcalloc(m->cap, sizeof *m->keys);
        m->vals = xcalloc(m->cap, sizeof *m->vals);
        for (size_t i = 0; i < old.cap; i++) {
            if (!old.keys[i]) continue;
            size_t j = strmap_slot(m, old.keys[i]);
            m->keys[j] = old.keys[i];
            m->vals[j] = old.vals[i];
        }
        free(old.keys);
        free(old.vals);
    }
    size_t i = strmap_slot(m, key);
    if (!m->keys[i]) {
        m->keys[i] = xstrdup(key);
        m->count++;
    }
    m->vals[i] = val;
}

static void strmap_free(strmap *m)
{
    for (size_t i = 0; i < m->cap; i++) free(m->keys[i]);
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

/* qsort, which must not be given a NULL array even with nothing to sort. */
static void sort_items(void *base, size_t count, size_t size, int (*cmp)(const void *, const void *))
{
    if (count > 1) qsort(base, count, size, cmp);
}

/* A name with a count over all records and over flagged ones. */
typedef struct name_count {
    char  *name;
    size_t count, flagged;
} name_count;

typedef struct name_counts {
    name_count *items;
    size_t      count, cap;
} name_counts;

static void name_count_add(name_counts *l, const char *name, int flagged)
{
    for (size_t i = 0; i < l->count; i++)
        if (strcmp(l->items[i].name, name) == 0) {
            l->items[i].count++;
            l->items[i].flagged += flagged ? 1 : 0;
            return;
        }
    name_count n = {xstrdup(name), 1, flagged ? 1u : 0u};
    VEC_PUSH(l->items, l->count, l->cap, n);
}

static int cmp_name_count(const void *a, const void *b)
{
    const name_count *x = a, *y = b;
    if (x->count != y->count) return x->count < y->count ? 1 : -1;
    return strcmp(x->name, y->name);
}

static void name_counts_free(name_counts *l)
{
    for (size_t i = 0; i < l->count; i++) free(l->items[i].name);
    free(l->items);
}

/* ---- what a report holds -------------------------------------------------- */

enum { K_PHONE, K_HANDLE, K_LINK, K_COUNT };
static const char *const kind_names[K_COUNT] = {"phone", "handle", "link"};

/* Names of the labels for people, in ofs_label_names order. */
static const char *const label_titles[OFS_LABEL_COUNT] = {"Crossing offers", "Document offers", "Route advice"};

typedef struct contact {
    int      kind;
    char    *value;        /* as first seen */
    char    *shown;        /* value, or its pseudonym when redacting */
    char     country[3];   /* a phone's country, "" otherwise */
    idx_list records;      /* kept records that mention it */
    size_t   flagged;      /* of which flagged */
    long     first_day;    /* first dated mention, NO_DAY when none */
} contact;

/* A kept record: flagged, or with a contact or a document. */
typedef struct record {
    char    *id;           /* the id as shown */
    unsigned labels;       /* bit i: ofs_label_names[i] */
    char    *detail;       /* trimmed JSON for the records section */
    int      shown;        /* on the page (set by the HTML writer) */
} record;

typedef struct lang_stat {
    char  *name;
    size_t records, flagged, label[OFS_LABEL_COUNT];
} lang_stat;

typedef struct day_stat {
    long   day;
    size_t records, flagged, label[OFS_LABEL_COUNT], documents, route_offers;
} day_stat;

typedef struct price_list {
    char    currency[4];
    double *values;
    size_t  count, cap;
} price_list;

typedef struct price_stats {
    double min, q1, median, q3, max;
} price_stats;

typedef struct route {
    char        from[3], to[3];   /* "" when not stated */
    name_counts from_places, to_places;
    idx_list    records;
    price_list *prices;
    size_t      nprices, cprices;
} route;

typedef struct country_stat {
    char        country[3];
    size_t      items, flagged_items;   /* documents, or distinct phone numbers */
    name_counts types;                  /* document types */
    idx_list    records;
} country_stat;

/* A time bucket of the timeline. */
typedef struct bucket {
    long   key;
    char   name[32];
    size_t records, flagged, label[OFS_LABEL_COUNT], documents, route_offers, new_contacts[K_COUNT];
} bucket;

struct ofs_report {
    char         *title;
    int           redact;
    unsigned char key[crypto_generichash_KEYBYTES];

    size_t lines, records, errors, unreadable, flagged, label[OFS_LABEL_COUNT];
    size_t unflagged_route_records;

    record *recs;
    size_t  nrecs, crecs;

    contact *contacts;
    size_t   ncontacts, ccontacts;
    strmap   contact_map;

    lang_stat *langs;
    size_t     nlangs, clangs;
    strmap     lang_map;

    day_stat *days;
    size_t    ndays, cdays;
    strmap    day_map;
    size_t    dated, undated;

    route *routes;
    size_t nroutes, croutes;
    strmap route_map;
    route  no_route;          /* prices of flagged records without a route */

    country_stat *doc_countries;
    size_t        ndoc_countries, cdoc_countries;
    strmap        doc_map;
    size_t        documents, flagged_documents, doc_records;
    size_t        docs_no_country, flagged_docs_no_country;
    name_counts   doc_types;

    /* Computed by report_finish. */
    int            finished;
    contact      **by_kind[K_COUNT];   /* sorted by records, then flagged */
    size_t         nkind[K_COUNT], flagged_kind[K_COUNT];
    contact      **facilitators;       /* sorted by flagged records */
    size_t         nfacilitators;
    country_stat  *phone_countries;    /* sorted by numbers */
    size_t         nphone_countries, phones_no_country;
    country_stat **doc_order;
    route        **route_order;
    lang_stat    **lang_order;
    bucket        *buckets;
    size_t         nbuckets;
    int            granularity;        /* 0 day, 1 month, 2 year */
    long           first_day, last_day;
    char         **currencies;         /* with prices in flagged records, sorted */
    size_t         ncurrencies;

    strmap country_names;              /* ISO code -> English name */
    char **country_name_values;
    size_t ncountry_names, ccountry_names;
    int    names_loaded;
};

/* ---- dates ------------------------------------------------------------------ */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static long days_from_civil(long y, long m, long d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, long *y, long *m, long *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

static void day_name(long day, char *buf, size_t n)
{
    long y, m, d;
    civil_from_days(day, &y, &m, &d);
    snprintf(buf, n, "%04ld-%02d-%02d", y, (int)m, (int)d);
}

/* The day of a date value: "YYYY-MM-DD..." or Unix seconds (milliseconds
 * when it is too large for seconds). NO_DAY when it is neither. */
static long parse_day(const json_t *v)
{
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        for (int i = 0; i < 10; i++) {
            if (i == 4 || i == 7) {
                if (s[i] != '-') return NO_DAY;
            } else if (!isdigit((unsigned char)s[i])) {
                return NO_DAY;
            }
        }
        long y = strtol(s, NULL, 10), m = strtol(s + 5, NULL, 10), d = strtol(s + 8, NULL, 10);
        if (m < 1 || m > 12 || d < 1 || d > 31) return NO_DAY;
        return days_from_civil(y, m, d);
    }
    if (json_is_number(v)) {
        double t = json_number_value(v);
        if (t > 1e11) t /= 1000;
        if (!(t > 0 && t < 1e11)) return NO_DAY;
        return (long)floor(t / 86400.0);
    }
    return NO_DAY;
}

/* ---- redaction ------------------------------------------------------------ */

/* The pseudonym of value: prefix + 8 hex digits of the keyed hash of
 * "what:value". malloc'd. */
static char *pseudonym(const ofs_report *rep, const char *prefix, const char *what, const char *value)
{
    unsigned char h[crypto_generichash_BYTES_MIN];
    char *msg = xasprintf("%s:%s", what, value);
    crypto_generichash(h, sizeof h, (const unsigned char *)msg, strlen(msg), rep->key, sizeof rep->key);
    free(msg);
    char hex[9];
    for (int i = 0; i < 4; i++) snprintf(hex + 2 * i, 3, "%02x", h[i]);
    return xasprintf("%s%s", prefix, hex);
}

/* How a contact value is shown: itself, or its pseudonym. A link keeps its
 * host ("link:t.me/5be0a7c1"). malloc'd. */
static char *contact_shown(const ofs_report *rep, int kind, const char *value)
{
    if (!rep->redact) return xstrdup(value);
    if (kind == K_HANDLE) {   /* handles are matched without case: so are their pseudonyms */
        char *lower = xstrdup(value);
        for (char *p = lower; *p; p++) *p = (char)tolower((unsigned char)*p);
        char *out = pseudonym(rep, "@h:", "handle", lower);
        free(lower);
        return out;
    }
    if (kind == K_PHONE) return pseudonym(rep, "+tel:", "phone", value);
    const char *host = strstr(value, "://");
    host = host ? host + 3 : value;
    size_t n = strcspn(host, "/?#");
    if (n == 0 || n > 64 || !memchr(host, '.', n)) return pseudonym(rep, "link:", "link", value);
    char *h = xstrndup(host, n);
    for (char *p = h; *p; p++) *p = (char)tolower((unsigned char)*p);
    char *prefix = xasprintf("link:%s/", h);
    char *out = pseudonym(rep, prefix, "link", value);
    free(prefix);
    free(h);
    return out;
}

static int kind_of(const char *s)
{
    for (int k = 0; k < K_COUNT; k++)
        if (s && strcmp(s, kind_names[k]) == 0) return k;
    return -1;
}

/* ---- creating ----------------------------------------------------------- */

ofs_report *ofs_report_create(const ofs_report_options *opt, ofs_diags *d)
{
    if (sodium_init() < 0) {
        diag_add(d, OFS_ERROR, "report", 0, 0, "libsodium could not start");
        return NULL;
    }
    ofs_report *rep = xcalloc(1, sizeof *rep);
    rep->title = xstrdup(opt && opt->title ? opt->title : "offerscan report");
    if (opt && opt->redact) {
        const char *key = opt->redact_key;
        if (!key || !key[0]) {
            diag_add(d, OFS_ERROR, "report", 0, 0,
                     "--redact needs a key: give --redact-key KEY or set OFFERSCAN_REDACT_KEY "
                     "(the same key gives the same pseudonyms in every report)");
            ofs_report_free(rep);
            return NULL;
        }
        if (strlen(key) < MIN_KEY_BYTES) {
            diag_add(d, OFS_ERROR, "report", 0, 0,
                     "the redaction key is too short (%zu bytes): use at least %d, better a long random one",
                     strlen(key), MIN_KEY_BYTES);
            ofs_report_free(rep);
            return NULL;
        }
        rep->redact = 1;
        crypto_generichash(rep->key, sizeof rep->key, (const unsigned char *)key, strlen(key), NULL, 0);
    }
    rep->no_route.from[0] = rep->no_route.to[0] = '\0';
    return rep;
}

static void route_free(route *r)
{
    name_counts_free(&r->from_places);
    name_counts_free(&r->to_places);
    free(r->records.items);
    for (size_t i = 0; i < r->nprices; i++) free(r->prices[i].values);
    free(r->prices);
}

static void country_stat_free(country_stat *c)
{
    name_counts_free(&c->types);
    free(c->records.items);
}

static void unfinish(ofs_report *rep)
{
    for (int k = 0; k < K_COUNT; k++) {
        free(rep->by_kind[k]);
        rep->by_kind[k] = NULL;
    }
    free(rep->facilitators);
    rep->facilitators = NULL;
    for (size_t i = 0; i < rep->nphone_countries; i++) country_stat_free(&rep->phone_countries[i]);
    free(rep->phone_countries);
    rep->phone_countries = NULL;
    rep->nphone_countries = 0;
    free(rep->doc_order);
    rep->doc_order = NULL;
    free(rep->route_order);
    rep->route_order = NULL;
    free(rep->lang_order);
    rep->lang_order = NULL;
    free(rep->buckets);
    rep->buckets = NULL;
    rep->nbuckets = 0;
    free(rep->currencies);
    rep->currencies = NULL;
    rep->ncurrencies = 0;
    rep->finished = 0;
}

void ofs_report_free(ofs_report *rep)
{
    if (!rep) return;
    unfinish(rep);
    free(rep->title);
    for (size_t i = 0; i < rep->nrecs; i++) {
        free(rep->recs[i].id);
        free(rep->recs[i].detail);
    }
    free(rep->recs);
    for (size_t i = 0; i < rep->ncontacts; i++) {
        free(rep->contacts[i].value);
        free(rep->contacts[i].shown);
        free(rep->contacts[i].records.items);
    }
    free(rep->contacts);
    strmap_free(&rep->contact_map);
    for (size_t i = 0; i < rep->nlangs; i++) free(rep->langs[i].name);
    free(rep->langs);
    strmap_free(&rep->lang_map);
    free(rep->days);
    strmap_free(&rep->day_map);
    for (size_t i = 0; i < rep->nroutes; i++) route_free(&rep->routes[i]);
    free(rep->routes);
    strmap_free(&rep->route_map);
    route_free(&rep->no_route);
    for (size_t i = 0; i < rep->ndoc_countries; i++) country_stat_free(&rep->doc_countries[i]);
    free(rep->doc_countries);
    strmap_free(&rep->doc_map);
    name_counts_free(&rep->doc_types);
    strmap_free(&rep->country_names);
    for (size_t i = 0; i < rep->ncountry_names; i++) free(rep->country_name_values[i]);
    free(rep->country_name_values);
    sodium_memzero(rep->key, sizeof rep->key);
    free(rep);
}

/* ---- adding one line ---------------------------------------------------- */

static const char *obj_str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* A two-letter country code from a JSON value, or "". */
static void copy_country(char out[3], const json_t *v)
{
    const char *s = json_string_value(v);
    out[0] = '\0';
    if (s && strlen(s) == 2) {
        out[0] = (char)toupper((unsigned char)s[0]);
        out[1] = (char)toupper((unsigned char)s[1]);
        out[2] = '\0';
    }
}

static lang_stat *lang_for(ofs_report *rep, const json_t *o)
{
    const json_t *src = json_object_get(o, "source");
    const char *lang = obj_str(o, "lang");
    if (!lang) lang = obj_str(src, "lang");
    const char *script = obj_str(o, "script");
    if (!script) script = obj_str(src, "script");
    char *name = lang && lang[0] ? (script && strcmp(script, "latn") == 0 ? xasprintf("%s-latn", lang) : xstrdup(lang))
                                 : xstrdup("unknown");
    size_t i = strmap_get(&rep->lang_map, name);
    if (i == SIZE_MAX) {
        lang_stat l = {xstrdup(name), 0, 0, {0}};
        VEC_PUSH(rep->langs, rep->nlangs, rep->clangs, l);
        i = rep->nlangs - 1;
        strmap_put(&rep->lang_map, name, i);
    }
    free(name);
    return &rep->langs[i];
}

static day_stat *day_for(ofs_report *rep, long day)
{
    char key[32];
    snprintf(key, sizeof key, "%ld", day);
    size_t i = strmap_get(&rep->day_map, key);
    if (i == SIZE_MAX) {
        day_stat s = {day, 0, 0, {0}, 0, 0};
        VEC_PUSH(rep->days, rep->ndays, rep->cdays, s);
        i = rep->ndays - 1;
        strmap_put(&rep->day_map, key, i);
    }
    return &rep->days[i];
}

static route *route_for(ofs_report *rep, const char *from, const char *to)
{
    char key[8];
    snprintf(key, sizeof key, "%s>%s", from, to);
    size_t i = strmap_get(&rep->route_map, key);
    if (i == SIZE_MAX) {
        route r;
        memset(&r, 0, sizeof r);
        memcpy(r.from, from, 3);
        memcpy(r.to, to, 3);
        VEC_PUSH(rep->routes, rep->nroutes, rep->croutes, r);
        i = rep->nroutes - 1;
        strmap_put(&rep->route_map, key, i);
    }
    return &rep->routes[i];
}

static void route_add_price(route *r, const char *currency, double amount)
{
    price_list *pl = NULL;
    for (size_t i = 0; i < r->nprices; i++)
        if (strcmp(r->prices[i].currency, currency) == 0) pl = &r->prices[i];
    if (!pl) {
        price_list n;
        memset(&n, 0, sizeof n);
        snprintf(n.currency, sizeof n.currency, "%s", currency);
        VEC_PUSH(r->prices, r->nprices, r->cprices, n);
        pl = &r->prices[r->nprices - 1];
    }
    VEC_PUSH(pl->values, pl->count, pl->cap, amount);
}

static country_stat *doc_country_for(ofs_report *rep, const char *country)
{
    size_t i = strmap_get(&rep->doc_map, country);
    if (i == SIZE_MAX) {
        country_stat c;
        memset(&c, 0, sizeof c);
        memcpy(c.country, country, 3);
        VEC_PUSH(rep->doc_countries, rep->ndoc_countries, rep->cdoc_countries, c);
        i = rep->ndoc_countries - 1;
        strmap_put(&rep->doc_map, country, i);
    }
    return &rep->doc_countries[i];
}

/* The id of a record as shown: its "id", or file:line. malloc'd. */
static char *record_id(const json_t *o, const char *file, size_t line)
{
    const json_t *id = json_object_get(o, "id");
    if (json_is_string(id)) return xstrdup(json_string_value(id));
    if (json_is_integer(id)) return xasprintf("%lld", (long long)json_integer_value(id));
    if (json_is_real(id)) return xasprintf("%g", json_real_value(id));
    const json_t *src = json_object_get(o, "source");
    const char *sf = obj_str(src, "file");
    json_int_t sl = json_integer_value(json_object_get(src, "line"));
    if (sf && sl > 0) return xasprintf("%s:%lld", sf, (long long)sl);
    return xasprintf("%s:%zu", file ? file : "-", line);
}

/* The trimmed copy of a record kept for the records section. */
static char *record_detail(const json_t *o, const char *id, unsigned labels, const char *lang)
{
    json_t *d = json_object();
    json_object_set_new(d, "id", json_string(id));
    json_object_set_new(d, "labels", json_integer((json_int_t)labels));
    json_object_set_new(d, "lang", json_string(lang));
    const json_t *src = json_object_get(o, "source");
    if (json_is_object(src)) json_object_set(d, "source", (json_t *)(uintptr_t)src);
    const char *keys[] = {"routes", "prices", "contacts", "documents"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        const json_t *v = json_object_get(o, keys[i]);
        if (json_is_array(v) && json_array_size(v)) json_object_set(d, keys[i], (json_t *)(uintptr_t)v);
    }
    const json_t *ev = json_object_get(o, "evidence");
    if (json_is_array(ev) && json_array_size(ev)) {
        json_t *out = json_array();
        size_t i;
        const json_t *e;
        json_array_foreach(ev, i, e) {
            json_t *texts = json_array();
            size_t k;
            const json_t *s;
            json_array_foreach(json_object_get(e, "spans"), k, s) {
                const char *t = obj_str(s, "text");
                if (t) json_array_append_new(texts, json_string(t));
            }
            json_array_append_new(out, json_pack("{s:s?,s:o}", "rule", obj_str(e, "rule"), "texts", texts));
        }
        json_object_set_new(d, "evidence", out);
    }
    char *s = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(d);
    return s;
}

static void add_contact(ofs_report *rep, const json_t *c, size_t rec_index, int flagged, long day)
{
    int kind = kind_of(obj_str(c, "kind"));
    const char *value = obj_str(c, "value");
    if (kind < 0 || !value || !value[0]) return;
    char *key = xasprintf("%d:%s", kind, value);
    if (kind == K_HANDLE)
        for (char *p = key; *p; p++) *p = (char)tolower((unsigned char)*p);
    size_t i = strmap_get(&rep->contact_map, key);
    if (i == SIZE_MAX) {
        contact n;
        memset(&n, 0, sizeof n);
        n.kind = kind;
        n.value = xstrdup(value);
        n.first_day = NO_DAY;
        copy_country(n.country, json_object_get(c, "country"));
        VEC_PUSH(rep->contacts, rep->ncontacts, rep->ccontacts, n);
        i = rep->ncontacts - 1;
        strmap_put(&rep->contact_map, key, i);
    }
    free(key);
    contact *ct = &rep->contacts[i];
    if (!ct->country[0]) copy_country(ct->country, json_object_get(c, "country"));
    if (ct->records.count && ct->records.items[ct->records.count - 1] == rec_index) return;
    idx_add(&ct->records, rec_index);
    if (flagged) ct->flagged++;
    if (day != NO_DAY && (ct->first_day == NO_DAY || day < ct->first_day)) ct->first_day = day;
}

/* The routes of a flagged record (each distinct origin -> destination once),
 * and its distinct prices, each given to each of its routes (or to "route
 * not stated"). Sets *route_offers to the number of distinct routes. */
static void add_routes(ofs_report *rep, const json_t *routes, const json_t *prices, size_t rec_index,
                       int *route_offers)
{
    enum { MAX_PER_RECORD = 64 };
    size_t mine[MAX_PER_RECORD];   /* indices into rep->routes, which may move */
    size_t nmine = 0;
    size_t i;
    const json_t *rt;
    json_array_foreach(routes, i, rt) {
        const json_t *from = json_object_get(rt, "from"), *to = json_object_get(rt, "to");
        if (!json_is_object(to)) continue;
        char fc[3], tc[3];
        copy_country(fc, json_object_get(from, "country"));
        copy_country(tc, json_object_get(to, "country"));
        if (!tc[0]) continue;
        route *r = route_for(rep, fc, tc);
        size_t ri = (size_t)(r - rep->routes);
        const char *fp = obj_str(from, "place"), *tp = obj_str(to, "place");
        if (fp && fp[0]) name_count_add(&r->from_places, fp, 1);
        if (tp && tp[0]) name_count_add(&r->to_places, tp, 1);
        size_t k = 0;
        while (k < nmine && mine[k] != ri) k++;
        if (k < nmine || nmine == MAX_PER_RECORD) continue;
        mine[nmine++] = ri;
        idx_add(&r->records, rec_index);
    }
    *route_offers = (int)nmine;
    double amounts[MAX_PER_RECORD];
    char currencies[MAX_PER_RECORD][4];
    size_t nprices = 0;
    const json_t *p;
    json_array_foreach(prices, i, p) {
        const char *cur = obj_str(p, "currency");
        const json_t *a = json_object_get(p, "amount"), *amax = json_object_get(p, "amount_max");
        if (!cur || strlen(cur) != 3 || !json_is_number(a)) continue;
        double v = json_number_value(a);
        if (json_is_number(amax) && json_number_value(amax) > v) v = (v + json_number_value(amax)) / 2;
        if (!(v > 0) || !isfinite(v)) continue;
        size_t k = 0;
        while (k < nprices && !(amounts[k] == v && strcmp(currencies[k], cur) == 0)) k++;
        if (k < nprices || nprices == MAX_PER_RECORD) continue;
        amounts[nprices] = v;
        memcpy(currencies[nprices], cur, 4);
        nprices++;
    }
    if (!nprices) return;
    if (!nmine) {
        idx_add(&rep->no_route.records, rec_index);
        for (size_t k = 0; k < nprices; k++) route_add_price(&rep->no_route, currencies[k], amounts[k]);
        return;
    }
    for (size_t m = 0; m < nmine; m++)
        for (size_t k = 0; k < nprices; k++) route_add_price(&rep->routes[mine[m]], currencies[k], amounts[k]);
}

int ofs_report_add_line(ofs_report *rep, const char *line, size_t len, const char *file, size_t line_no,
                        ofs_diags *d)
{
    if (rep->finished) unfinish(rep);
    rep->lines++;
    json_error_t err;
    json_t *o = json_loadb(line, len, JSON_DECODE_ANY, &err);
    if (!json_is_object(o)) {
        if (o)
            diag_add(d, OFS_ERROR, file ? file : "-", (int)line_no, 1, "not a JSON object");
        else
            diag_add(d, OFS_ERROR, file ? file : "-", (int)line_no, err.column, "malformed JSON: %s", err.text);
        json_decref(o);
        rep->unreadable++;
        return -1;
    }
    const json_t *labels = json_object_get(o, "labels");
    if (json_object_get(o, "error")) {
        rep->records++;
        rep->errors++;
        json_decref(o);
        return 1;
    }
    if (!json_is_array(labels)) {
        diag_add(d, OFS_ERROR, file ? file : "-", (int)line_no, 1,
                 "no \"labels\" list: this is not a line of `offerscan label` output");
        json_decref(o);
        rep->unreadable++;
        return -1;
    }
    rep->records++;
    unsigned mask = 0;
    size_t i;
    const json_t *v;
    json_array_foreach(labels, i, v) {
        int l = json_is_string(v) ? ofs_label_index(json_string_value(v)) : -1;
        if (l >= 0) mask |= 1u << l;
    }
    int flagged = mask != 0;
    const json_t *src = json_object_get(o, "source");
    const json_t *date = json_object_get(src, "date");
    if (!date) date = json_object_get(o, "date");
    long day = date ? parse_day(date) : NO_DAY;

    lang_stat *lang = lang_for(rep, o);
    lang->records++;
    day_stat *ds = NULL;
    if (day != NO_DAY) {
        ds = day_for(rep, day);
        ds->records++;
        rep->dated++;
    } else {
        rep->undated++;
    }
    if (flagged) {
        rep->flagged++;
        lang->flagged++;
        if (ds) ds->flagged++;
    }
    for (int l = 0; l < OFS_LABEL_COUNT; l++)
        if (mask & (1u << l)) {
            rep->label[l]++;
            lang->label[l]++;
            if (ds) ds->label[l]++;
        }

    const json_t *contacts = json_object_get(o, "contacts"), *docs = json_object_get(o, "documents");
    const json_t *routes = json_object_get(o, "routes"), *prices = json_object_get(o, "prices");
    int kept = flagged || json_array_size(contacts) || json_array_size(docs);
    size_t rec_index = rep->nrecs;
    if (kept) {
        record r = {record_id(o, file, line_no), mask, NULL, 0};
        r.detail = record_detail(o, r.id, mask, lang->name);
        VEC_PUSH(rep->recs, rep->nrecs, rep->crecs, r);
    }
    json_array_foreach(contacts, i, v) add_contact(rep, v, rec_index, flagged, day);

    if (json_array_size(docs)) rep->doc_records++;
    json_array_foreach(docs, i, v) {
        const char *type = obj_str(v, "type");
        char cc[3];
        copy_country(cc, json_object_get(v, "country"));
        rep->documents++;
        if (flagged) rep->flagged_documents++;
        if (ds) ds->documents++;
        name_count_add(&rep->doc_types, type ? type : "unknown", flagged);
        if (!cc[0]) {
            rep->docs_no_country++;
            if (flagged) rep->flagged_docs_no_country++;
            continue;
        }
        country_stat *c = doc_country_for(rep, cc);
        c->items++;
        if (flagged) c->flagged_items++;
        name_count_add(&c->types, type ? type : "unknown", flagged);
        idx_add(&c->records, rec_index);
    }

    if (flagged) {
        int offers = 0;
        add_routes(rep, json_is_array(routes) ? routes : NULL, json_is_array(prices) ? prices : NULL, rec_index,
                   &offers);
        if (ds) ds->route_offers += (size_t)offers;
    } else if (json_array_size(routes)) {
        rep->unflagged_route_records++;
    }
    json_decref(o);
    return 0;
}

/* ---- finishing: sorting and the derived figures ------------------------- */

static int cmp_contact(const void *a, const void *b)
{
    const contact *x = *(const contact *const *)a, *y = *(const contact *const *)b;
    if (x->records.count != y->records.count) return x->records.count < y->records.count ? 1 : -1;
    if (x->flagged != y->flagged) return x->flagged < y->flagged ? 1 : -1;
    return strcmp(x->value, y->value);
}

static int cmp_facilitator(const void *a, const void *b)
{
    const contact *x = *(const contact *const *)a, *y = *(const contact *const *)b;
    if (x->flagged != y->flagged) return x->flagged < y->flagged ? 1 : -1;
    return cmp_contact(a, b);
}

static int cmp_country_stat(const void *a, const void *b)
{
    const country_stat *x = a, *y = b;
    if (x->items != y->items) return x->items < y->items ? 1 : -1;
    if (x->records.count != y->records.count) return x->records.count < y->records.count ? 1 : -1;
    return strcmp(x->country, y->country);
}

static int cmp_country_stat_ptr(const void *a, const void *b)
{
    return cmp_country_stat(*(const country_stat *const *)a, *(const country_stat *const *)b);
}

static int cmp_route(const void *a, const void *b)
{
    const route *x = *(const route *const *)a, *y = *(const route *const *)b;
    if (x->records.count != y->records.count) return x->records.count < y->records.count ? 1 : -1;
    int c = strcmp(x->from, y->from);
    return c ? c : strcmp(x->to, y->to);
}

static int cmp_lang(const void *a, const void *b)
{
    const lang_stat *x = *(const lang_stat *const *)a, *y = *(const lang_stat *const *)b;
    int ux = strcmp(x->name, "unknown") == 0, uy = strcmp(y->name, "unknown") == 0;
    if (ux != uy) return ux - uy;
    if (x->records != y->records) return x->records < y->records ? 1 : -1;
    return strcmp(x->name, y->name);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmp_idx(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static double quantile(const double *sorted, size_t n, double p)
{
    if (n == 0) return 0;
    double pos = p * (double)(n - 1);
    size_t lo = (size_t)floor(pos), hi = lo + 1 < n ? lo + 1 : lo;
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - (double)lo);
}

static price_stats stats_of(const price_list *pl)
{
    price_stats s = {pl->values[0], quantile(pl->values, pl->count, 0.25), quantile(pl->values, pl->count, 0.5),
                     quantile(pl->values, pl->count, 0.75), pl->values[pl->count - 1]};
    return s;
}

/* Loads the English country names from the built-in `countries:` file.
 * Only that file is parsed, so a broken file elsewhere in a rule set being
 * edited does not cost the report its names; without them, codes are shown. */
static void load_country_names(ofs_report *rep)
{
    rep->names_loaded = 1;
    for (size_t i = 0; i < builtin_rule_file_count; i++) {
        const builtin_file *bf = &builtin_rule_files[i];
        const char *data = (const char *)bf->data;
        if (bf->len < 10 || !(strncmp(data, "countries:", 10) == 0 || strstr(data, "\ncountries:"))) continue;
        ydoc *doc = ydoc_parse(bf->path, data, bf->len, NULL);
        const ynode *list = doc ? ynode_get(doc->root, "countries") : NULL;
        for (size_t k = 0; list && list->kind == YNODE_SEQ && k < list->count; k++) {
            const ynode *code = ynode_get(list->items[k], "code");
            const ynode *en = ynode_get(ynode_get(list->items[k], "names"), "en");
            if (!code || code->kind != YNODE_SCALAR || !en || en->kind != YNODE_SEQ || !en->count) continue;
            const ynode *name = en->items[en->count - 1];   /* the common name when there is one */
            if (name->kind != YNODE_SCALAR) continue;
            VEC_PUSH(rep->country_name_values, rep->ncountry_names, rep->ccountry_names, xstrdup(name->value));
            strmap_put(&rep->country_names, code->value, rep->ncountry_names - 1);
        }
        ydoc_free(doc);
    }
}

/* The English name of a country code, or the code; "" is "not stated". */
static const char *country_name(const ofs_report *rep, const char *cc)
{
    if (!cc || !cc[0]) return "not stated";
    size_t i = strmap_get(&rep->country_names, cc);
    return i == SIZE_MAX ? cc : rep->country_name_values[i];
}

static long bucket_key(long day, int granularity)
{
    if (granularity == 0) return day;
    long y, m, d;
    civil_from_days(day, &y, &m, &d);
    return granularity == 1 ? y * 12 + (m - 1) : y;
}

static void bucket_name(long key, int granularity, char *buf, size_t n)
{
    if (granularity == 0) day_name(key, buf, n);
    else if (granularity == 1) snprintf(buf, n, "%04ld-%02ld", key / 12, key % 12 + 1);
    else snprintf(buf, n, "%04ld", key);
}

static void finish_timeline(ofs_report *rep)
{
    if (!rep->ndays) return;
    long lo = rep->days[0].day, hi = lo;
    for (size_t i = 1; i < rep->ndays; i++) {
        if (rep->days[i].day < lo) lo = rep->days[i].day;
        if (rep->days[i].day > hi) hi = rep->days[i].day;
    }
    rep->first_day = lo;
    rep->last_day = hi;
    rep->granularity = hi - lo <= 62 ? 0 : hi - lo <= 3660 ? 1 : 2;
    long k0 = bucket_key(lo, rep->granularity), k1 = bucket_key(hi, rep->granularity);
    rep->nbuckets = (size_t)(k1 - k0 + 1);
    rep->buckets = xcalloc(rep->nbuckets, sizeof *rep->buckets);
    for (size_t i = 0; i < rep->nbuckets; i++) {
        rep->buckets[i].key = k0 + (long)i;
        bucket_name(rep->buckets[i].key, rep->granularity, rep->buckets[i].name, sizeof rep->buckets[i].name);
    }
    for (size_t i = 0; i < rep->ndays; i++) {
        const day_stat *s = &rep->days[i];
        bucket *b = &rep->buckets[bucket_key(s->day, rep->granularity) - k0];
        b->records += s->records;
        b->flagged += s->flagged;
        for (int l = 0; l < OFS_LABEL_COUNT; l++) b->label[l] += s->label[l];
        b->documents += s->documents;
        b->route_offers += s->route_offers;
    }
    for (size_t i = 0; i < rep->ncontacts; i++) {
        const contact *c = &rep->contacts[i];
        if (c->first_day == NO_DAY) continue;
        rep->buckets[bucket_key(c->first_day, rep->granularity) - k0].new_contacts[c->kind]++;
    }
}

static void add_currency(ofs_report *rep, const char *cur)
{
    for (size_t i = 0; i < rep->ncurrencies; i++)
        if (strcmp(rep->currencies[i], cur) == 0) return;
    size_t cap = rep->ncurrencies;
    rep->currencies = xrealloc(rep->currencies, (cap + 1) * sizeof *rep->currencies);
    rep->currencies[rep->ncurrencies++] = (char *)(uintptr_t)cur;
}

static void finish_prices(ofs_report *rep, route *r)
{
    for (size_t k = 0; k < r->nprices; k++) {
        sort_items(r->prices[k].values, r->prices[k].count, sizeof(double), cmp_double);
        add_currency(rep, r->prices[k].currency);
    }
    sort_items(r->from_places.items, r->from_places.count, sizeof(name_count), cmp_name_count);
    sort_items(r->to_places.items, r->to_places.count, sizeof(name_count), cmp_name_count);
}

static void report_finish(ofs_report *rep)
{
    if (rep->finished) return;
    if (!rep->names_loaded) load_country_names(rep);
    /* contacts */
    for (int k = 0; k < K_COUNT; k++) {
        rep->by_kind[k] = xcalloc(rep->ncontacts + 1, sizeof(contact *));
        rep->nkind[k] = rep->flagged_kind[k] = 0;
    }
    rep->facilitators = xcalloc(rep->ncontacts + 1, sizeof(contact *));
    rep->nfacilitators = 0;
    for (size_t i = 0; i < rep->ncontacts; i++) {
        contact *c = &rep->contacts[i];
        if (!c->shown) c->shown = contact_shown(rep, c->kind, c->value);
        rep->by_kind[c->kind][rep->nkind[c->kind]++] = c;
        if (c->flagged) {
            rep->flagged_kind[c->kind]++;
            rep->facilitators[rep->nfacilitators++] = c;
        }
    }
    for (int k = 0; k < K_COUNT; k++) sort_items(rep->by_kind[k], rep->nkind[k], sizeof(contact *), cmp_contact);
    sort_items(rep->facilitators, rep->nfacilitators, sizeof(contact *), cmp_facilitator);

    /* phone countries */
    strmap pm = {0};
    rep->phones_no_country = 0;
    for (size_t i = 0; i < rep->nkind[K_PHONE]; i++) {
        const contact *c = rep->by_kind[K_PHONE][i];
        if (!c->country[0]) {
            rep->phones_no_country++;
            continue;
        }
        size_t j = strmap_get(&pm, c->country);
        if (j == SIZE_MAX) {
            rep->phone_countries = xrealloc(rep->phone_countries, (rep->nphone_countries + 1) * sizeof(country_stat));
            country_stat *n = &rep->phone_countries[rep->nphone_countries];
            memset(n, 0, sizeof *n);
            memcpy(n->country, c->country, 3);
            j = rep->nphone_countries++;
            strmap_put(&pm, c->country, j);
        }
        country_stat *pc = &rep->phone_countries[j];
        pc->items++;
        if (c->flagged) pc->flagged_items++;
        for (size_t r = 0; r < c->records.count; r++) VEC_PUSH(pc->records.items, pc->records.count, pc->records.cap, c->records.items[r]);
    }
    strmap_free(&pm);
    for (size_t i = 0; i < rep->nphone_countries; i++) {
        idx_list *l = &rep->phone_countries[i].records;
        sort_items(l->items, l->count, sizeof(size_t), cmp_idx);
        size_t w = 0;
        for (size_t r = 0; r < l->count; r++)
            if (w == 0 || l->items[w - 1] != l->items[r]) l->items[w++] = l->items[r];
        l->count = w;
    }
    if (rep->nphone_countries)
        sort_items(rep->phone_countries, rep->nphone_countries, sizeof(country_stat), cmp_country_stat);

    /* documents */
    rep->doc_order = xcalloc(rep->ndoc_countries + 1, sizeof(country_stat *));
    for (size_t i = 0; i < rep->ndoc_countries; i++) {
        rep->doc_order[i] = &rep->doc_countries[i];
        sort_items(rep->doc_countries[i].types.items, rep->doc_countries[i].types.count, sizeof(name_count),
              cmp_name_count);
    }
    sort_items(rep->doc_order, rep->ndoc_countries, sizeof(country_stat *), cmp_country_stat_ptr);
    sort_items(rep->doc_types.items, rep->doc_types.count, sizeof(name_count), cmp_name_count);

    /* routes and prices */
    rep->route_order = xcalloc(rep->nroutes + 1, sizeof(route *));
    for (size_t i = 0; i < rep->nroutes; i++) {
        rep->route_order[i] = &rep->routes[i];
        finish_prices(rep, &rep->routes[i]);
    }
    sort_items(rep->route_order, rep->nroutes, sizeof(route *), cmp_route);
    finish_prices(rep, &rep->no_route);
    if (rep->ncurrencies) sort_items(rep->currencies, rep->ncurrencies, sizeof(char *), cmp_str_ptr);

    /* languages and time */
    rep->lang_order = xcalloc(rep->nlangs + 1, sizeof(lang_stat *));
    for (size_t i = 0; i < rep->nlangs; i++) rep->lang_order[i] = &rep->langs[i];
    sort_items(rep->lang_order, rep->nlangs, sizeof(lang_stat *), cmp_lang);
    finish_timeline(rep);
    rep->finished = 1;
}

/* ---- number formatting -------------------------------------------------- */

/* 1234567 -> "1,234,567". */
static const char *fmt_count(char *buf, size_t n, size_t v)
{
    char tmp[32];
    int len = snprintf(tmp, sizeof tmp, "%zu", v);
    size_t o = 0;
    for (int i = 0; i < len && o + 2 < n; i++) {
        if (i > 0 && (len - i) % 3 == 0) buf[o++] = ',';
        buf[o++] = tmp[i];
    }
    buf[o] = '\0';
    return buf;
}

/* An amount with thousands separators, and cents only when it has any. */
static const char *fmt_amount(char *buf, size_t n, double v)
{
    double whole = floor(v + 0.5);
    if (fabs(v - whole) < 0.005 && v < 1e15) return fmt_count(buf, n, (size_t)whole);
    fmt_count(buf, n > 3 ? n - 3 : n, (size_t)floor(v));
    unsigned cents = (unsigned)floor((v - floor(v)) * 100 + 0.5);
    if (cents > 99) cents = 99;
    size_t len = strlen(buf);
    if (len + 3 < n) {
        buf[len] = '.';
        buf[len + 1] = (char)('0' + cents / 10);
        buf[len + 2] = (char)('0' + cents % 10);
        buf[len + 3] = '\0';
    }
    return buf;
}

static const char *fmt_percent(char *buf, size_t n, size_t part, size_t whole)
{
    if (!whole) snprintf(buf, n, "-");
    else snprintf(buf, n, "%.0f%%", 100.0 * (double)part / (double)whole);
    return buf;
}

/* An axis tick: 1,250 below 100,000; then 250k, 1.5M. */
static const char *fmt_tick(char *buf, size_t n, double v, double axis_max)
{
    if (v == 0) {
        snprintf(buf, n, "0");
        return buf;
    }
    if (axis_max >= 1e6) {
        double m = v / 1e6;
        if (fabs(m - floor(m + 0.5)) < 1e-9) snprintf(buf, n, "%.0fM", m);
        else snprintf(buf, n, "%.2gM", m);
        return buf;
    }
    if (axis_max >= 1e5) {
        snprintf(buf, n, "%.0fk", v / 1e3);
        return buf;
    }
    return fmt_amount(buf, n, v);
}

/* The smallest 1, 2 or 5 x 10^k at least v. */
static double nice_ceiling(double v)
{
    if (v <= 0) return 1;
    double p = pow(10, floor(log10(v)));
    double steps[] = {1, 2, 2.5, 5, 10};
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
        if (steps[i] * p >= v - 1e-9) return steps[i] * p;
    return 10 * p;
}

/* An axis from 0 for values up to maxv: a nice step (1, 2, 2.5 or 5 x
 * 10^k, whole when integer is set) and the number of steps, 1 to 5. */
static int axis_steps(double maxv, int integer, double *step)
{
    *step = nice_ceiling(maxv / 4);
    if (integer) *step = *step < 1 ? 1 : ceil(*step);
    int n = (int)ceil(maxv / *step - 1e-9);
    return n < 1 ? 1 : n;
}

/* ---- JSON ---------------------------------------------------------------- */

static json_t *json_ids(const ofs_report *rep, const idx_list *l)
{
    json_t *a = json_array();
    for (size_t i = 0; i < l->count; i++) json_array_append_new(a, json_string(rep->recs[l->items[i]].id));
    return a;
}

static json_t *json_flagged_ids(const ofs_report *rep, const idx_list *l)
{
    json_t *a = json_array();
    for (size_t i = 0; i < l->count; i++)
        if (rep->recs[l->items[i]].labels) json_array_append_new(a, json_string(rep->recs[l->items[i]].id));
    return a;
}

static json_t *json_number_of(double v)
{
    if (v == floor(v) && fabs(v) < 9e15) return json_integer((json_int_t)v);
    return json_real(v);
}

static json_t *json_labels(const size_t counts[OFS_LABEL_COUNT])
{
    json_t *o = json_object();
    for (int l = 0; l < OFS_LABEL_COUNT; l++)
        json_object_set_new(o, ofs_label_names[l], json_integer((json_int_t)counts[l]));
    return o;
}

static json_t *json_contact(const ofs_report *rep, const contact *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "kind", json_string(kind_names[c->kind]));
    json_object_set_new(o, "value", json_string(c->shown));
    if (c->country[0]) json_object_set_new(o, "country", json_string(c->country));
    json_object_set_new(o, "records", json_integer((json_int_t)c->records.count));
    json_object_set_new(o, "flagged_records", json_integer((json_int_t)c->flagged));
    json_object_set_new(o, "ids", json_ids(rep, &c->records));
    json_object_set_new(o, "flagged_ids", json_flagged_ids(rep, &c->records));
    return o;
}

static json_t *json_prices(const route *r)
{
    json_t *a = json_array();
    for (size_t k = 0; k < r->nprices; k++) {
        const price_list *pl = &r->prices[k];
        price_stats s = stats_of(pl);
        json_t *values = json_array();
        for (size_t i = 0; i < pl->count; i++) json_array_append_new(values, json_number_of(pl->values[i]));
        json_array_append_new(a, json_pack("{s:s,s:I,s:o,s:o,s:o,s:o,s:o,s:o}", "currency", pl->currency, "count",
                                           (json_int_t)pl->count, "min", json_number_of(s.min), "q1",
                                           json_number_of(s.q1), "median", json_number_of(s.median), "q3",
                                           json_number_of(s.q3), "max", json_number_of(s.max), "values", values));
    }
    return a;
}

static json_t *json_places(const name_counts *l)
{
    json_t *a = json_array();
    for (size_t i = 0; i < l->count; i++) json_array_append_new(a, json_string(l->items[i].name));
    return a;
}

static json_t *json_country_stat(const ofs_report *rep, const country_stat *c, const char *items)
{
    json_t *o = json_object();
    json_object_set_new(o, "country", json_string(c->country));
    json_object_set_new(o, "name", json_string(country_name(rep, c->country)));
    char flagged_key[48];
    snprintf(flagged_key, sizeof flagged_key, "flagged_%s", items);
    json_object_set_new(o, items, json_integer((json_int_t)c->items));
    json_object_set_new(o, flagged_key, json_integer((json_int_t)c->flagged_items));
    json_object_set_new(o, "records", json_integer((json_int_t)c->records.count));
    if (c->types.count) {
        json_t *t = json_object();
        for (size_t i = 0; i < c->types.count; i++)
            json_object_set_new(t, c->types.items[i].name, json_integer((json_int_t)c->types.items[i].count));
        json_object_set_new(o, "types", t);
    }
    json_object_set_new(o, "ids", json_ids(rep, &c->records));
    return o;
}

static json_t *report_json(ofs_report *rep)
{
    report_finish(rep);
    json_t *o = json_object();
    json_object_set_new(o, "report", json_string("offerscan"));
    json_object_set_new(o, "version", json_string(OFS_VERSION));
    json_object_set_new(o, "title", json_string(rep->title));
    json_object_set_new(o, "redacted", json_boolean(rep->redact));
    json_object_set_new(o, "records",
                        json_pack("{s:I,s:I,s:I,s:I,s:I}", "total", (json_int_t)rep->records, "flagged",
                                  (json_int_t)rep->flagged, "unflagged", (json_int_t)(rep->records - rep->flagged - rep->errors),
                                  "errors", (json_int_t)rep->errors, "unreadable_lines", (json_int_t)rep->unreadable));
    json_t *inc = json_labels(rep->label);
    json_object_set_new(inc, "any", json_integer((json_int_t)rep->flagged));
    json_object_set_new(o, "incidents", inc);

    json_t *langs = json_array();
    for (size_t i = 0; i < rep->nlangs; i++) {
        const lang_stat *l = rep->lang_order[i];
        json_array_append_new(langs, json_pack("{s:s,s:I,s:I,s:o}", "lang", l->name, "records", (json_int_t)l->records,
                                               "flagged", (json_int_t)l->flagged, "incidents", json_labels(l->label)));
    }
    json_object_set_new(o, "languages", langs);

    json_t *cs = json_object();
    json_object_set_new(cs, "handles", json_integer((json_int_t)rep->nkind[K_HANDLE]));
    json_object_set_new(cs, "links", json_integer((json_int_t)rep->nkind[K_LINK]));
    json_object_set_new(cs, "phones", json_integer((json_int_t)rep->nkind[K_PHONE]));
    json_object_set_new(cs, "phone_countries", json_integer((json_int_t)rep->nphone_countries));
    json_object_set_new(cs, "phones_without_country", json_integer((json_int_t)rep->phones_no_country));
    json_object_set_new(cs, "flagged_handles", json_integer((json_int_t)rep->flagged_kind[K_HANDLE]));
    json_object_set_new(cs, "flagged_links", json_integer((json_int_t)rep->flagged_kind[K_LINK]));
    json_object_set_new(cs, "flagged_phones", json_integer((json_int_t)rep->flagged_kind[K_PHONE]));
    json_object_set_new(cs, "facilitators", json_integer((json_int_t)rep->nfacilitators));
    json_object_set_new(o, "contacts", cs);

    json_t *fac = json_array();
    for (size_t i = 0; i < rep->nfacilitators; i++) json_array_append_new(fac, json_contact(rep, rep->facilitators[i]));
    json_object_set_new(o, "facilitators", fac);
    const char *kind_keys[K_COUNT] = {"phones", "handles", "links"};
    for (int k = 0; k < K_COUNT; k++) {
        json_t *a = json_array();
        for (size_t i = 0; i < rep->nkind[k]; i++) json_array_append_new(a, json_contact(rep, rep->by_kind[k][i]));
        json_object_set_new(o, kind_keys[k], a);
    }
    json_t *pcs = json_array();
    for (size_t i = 0; i < rep->nphone_countries; i++)
        json_array_append_new(pcs, json_country_stat(rep, &rep->phone_countries[i], "numbers"));
    json_object_set_new(o, "phone_countries", pcs);

    json_t *docs = json_object();
    json_object_set_new(docs, "total", json_integer((json_int_t)rep->documents));
    json_object_set_new(docs, "flagged", json_integer((json_int_t)rep->flagged_documents));
    json_object_set_new(docs, "records", json_integer((json_int_t)rep->doc_records));
    json_object_set_new(docs, "issuing_countries", json_integer((json_int_t)rep->ndoc_countries));
    json_object_set_new(docs, "without_country", json_integer((json_int_t)rep->docs_no_country));
    json_t *types = json_array();
    for (size_t i = 0; i < rep->doc_types.count; i++)
        json_array_append_new(types, json_pack("{s:s,s:I,s:I}", "type", rep->doc_types.items[i].name, "count",
                                               (json_int_t)rep->doc_types.items[i].count, "flagged",
                                               (json_int_t)rep->doc_types.items[i].flagged));
    json_object_set_new(docs, "types", types);
    json_t *dcs = json_array();
    for (size_t i = 0; i < rep->ndoc_countries; i++)
        json_array_append_new(dcs, json_country_stat(rep, rep->doc_order[i], "documents"));
    json_object_set_new(docs, "countries", dcs);
    json_object_set_new(o, "documents", docs);

    json_t *routes = json_array();
    size_t offers = 0;
    for (size_t i = 0; i < rep->nroutes; i++) {
        const route *r = rep->route_order[i];
        offers += r->records.count;
        json_t *ro = json_object();
        json_object_set_new(ro, "from", r->from[0] ? json_string(r->from) : json_null());
        json_object_set_new(ro, "from_name", json_string(country_name(rep, r->from)));
        json_object_set_new(ro, "from_places", json_places(&r->from_places));
        json_object_set_new(ro, "to", json_string(r->to));
        json_object_set_new(ro, "to_name", json_string(country_name(rep, r->to)));
        json_object_set_new(ro, "to_places", json_places(&r->to_places));
        json_object_set_new(ro, "records", json_integer((json_int_t)r->records.count));
        json_object_set_new(ro, "prices", json_prices(r));
        json_object_set_new(ro, "ids", json_ids(rep, &r->records));
        json_array_append_new(routes, ro);
    }
    json_object_set_new(o, "route_offers", json_integer((json_int_t)offers));
    json_object_set_new(o, "routes", routes);
    json_object_set_new(o, "prices_without_route", json_prices(&rep->no_route));
    json_object_set_new(o, "unflagged_records_with_routes", json_integer((json_int_t)rep->unflagged_route_records));

    json_t *tl = json_object();
    static const char *const gran[] = {"day", "month", "year"};
    json_object_set_new(tl, "dated_records", json_integer((json_int_t)rep->dated));
    json_object_set_new(tl, "undated_records", json_integer((json_int_t)rep->undated));
    if (rep->nbuckets) {
        char a[32], b[32];
        day_name(rep->first_day, a, sizeof a);
        day_name(rep->last_day, b, sizeof b);
        json_object_set_new(tl, "granularity", json_string(gran[rep->granularity]));
        json_object_set_new(tl, "first", json_string(a));
        json_object_set_new(tl, "last", json_string(b));
    }
    json_t *buckets = json_array();
    for (size_t i = 0; i < rep->nbuckets; i++) {
        const bucket *bk = &rep->buckets[i];
        json_array_append_new(
            buckets, json_pack("{s:s,s:I,s:I,s:o,s:I,s:I,s:I,s:I,s:I}", "period", bk->name, "records",
                               (json_int_t)bk->records, "flagged", (json_int_t)bk->flagged, "incidents",
                               json_labels(bk->label), "documents", (json_int_t)bk->documents, "route_offers",
                               (json_int_t)bk->route_offers, "new_handles", (json_int_t)bk->new_contacts[K_HANDLE],
                               "new_phones", (json_int_t)bk->new_contacts[K_PHONE], "new_links",
                               (json_int_t)bk->new_contacts[K_LINK]));
    }
    json_object_set_new(tl, "buckets", buckets);
    json_object_set_new(o, "timeline", tl);
    return o;
}

int ofs_report_write_json(ofs_report *rep, FILE *f)
{
    json_t *o = report_json(rep);
    int rc = json_dumpf(o, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (rc == 0) fputc('\n', f);
    return rc == 0 && !ferror(f) ? 0 : -1;
}

/* ---- text ---------------------------------------------------------------- */

/* "Libya (Zuwara, Tripoli)", or "origin not stated". malloc'd. */
static char *route_end_name(const ofs_report *rep, const char *cc, const name_counts *places, size_t max_places)
{
    strbuf sb = {0};
    strbuf_puts(&sb, cc[0] ? country_name(rep, cc) : "not stated");
    for (size_t i = 0; i < places->count && i < max_places; i++) {
        strbuf_puts(&sb, i == 0 ? " (" : ", ");
        strbuf_puts(&sb, places->items[i].name);
    }
    if (places->count > max_places) strbuf_printf(&sb, ", +%zu", places->count - max_places);
    if (places->count) strbuf_putc(&sb, ')');
    return sb.buf;
}

/* Prints s left-aligned in width characters (code points, not bytes, so
 * that "Türkiye" lines up with "Libya"); a longer s is printed whole. */
static void text_cell(FILE *f, const char *s, size_t width)
{
    size_t chars = 0;
    for (const char *p = s; *p; p++)
        if (((unsigned char)*p & 0xC0) != 0x80) chars++;
    fputs(s, f);
    for (; chars < width; chars++) fputc(' ', f);
}

static void text_ids(FILE *f, const ofs_report *rep, const idx_list *l, size_t max)
{
    for (size_t i = 0; i < l->count && i < max; i++) fprintf(f, "%s%s", i ? ", " : "", rep->recs[l->items[i]].id);
    if (l->count > max) fprintf(f, ", +%zu more", l->count - max);
}

static void text_prices(FILE *f, const route *r, const char *indent)
{
    char a[32], b[32], c[32];
    for (size_t k = 0; k < r->nprices; k++) {
        price_stats s = stats_of(&r->prices[k]);
        fprintf(f, "%s%s  n=%zu  min %s  median %s  max %s\n", indent, r->prices[k].currency, r->prices[k].count,
                fmt_amount(a, sizeof a, s.min), fmt_amount(b, sizeof b, s.median), fmt_amount(c, sizeof c, s.max));
    }
}

int ofs_report_write_text(ofs_report *rep, FILE *f)
{
    report_finish(rep);
    char a[32], b[32];
    fprintf(f, "offerscan report: %s%s\n\n", rep->title, rep->redact ? " (redacted)" : "");
    fprintf(f, "Records              %8zu   flagged %zu (%s)", rep->records, rep->flagged,
            fmt_percent(a, sizeof a, rep->flagged, rep->records));
    if (rep->errors) fprintf(f, ", %zu with errors", rep->errors);
    if (rep->unreadable) fprintf(f, ", %zu unreadable lines", rep->unreadable);
    fputc('\n', f);
    if (rep->nbuckets) {
        day_name(rep->first_day, a, sizeof a);
        day_name(rep->last_day, b, sizeof b);
        fprintf(f, "Dates                %s to %s (%zu dated, %zu undated)\n", a, b, rep->dated, rep->undated);
    } else {
        fprintf(f, "Dates                none (no record has a source.date)\n");
    }

    fprintf(f, "\nIncidents            records\n");
    for (int l = 0; l < OFS_LABEL_COUNT; l++)
        fprintf(f, "  %-18s %8zu   %s\n", label_titles[l], rep->label[l], fmt_percent(a, sizeof a, rep->label[l], rep->records));

    fprintf(f, "\nContacts             distinct   in flagged records\n");
    fprintf(f, "  %-18s %8zu   %zu\n", "handles", rep->nkind[K_HANDLE], rep->flagged_kind[K_HANDLE]);
    fprintf(f, "  %-18s %8zu   %zu\n", "links", rep->nkind[K_LINK], rep->flagged_kind[K_LINK]);
    fprintf(f, "  %-18s %8zu   %zu   from %zu countr%s", "phone numbers", rep->nkind[K_PHONE],
            rep->flagged_kind[K_PHONE], rep->nphone_countries, rep->nphone_countries == 1 ? "y" : "ies");
    if (rep->phones_no_country) fprintf(f, " (+%zu unknown)", rep->phones_no_country);
    fputc('\n', f);
    fprintf(f, "  %-18s %8zu   (handles, phones and links in flagged records)\n", "facilitators", rep->nfacilitators);

    fprintf(f, "\nDocuments            %8zu   %zu in flagged records, %zu issuing countr%s", rep->documents,
            rep->flagged_documents, rep->ndoc_countries, rep->ndoc_countries == 1 ? "y" : "ies");
    if (rep->docs_no_country) fprintf(f, ", %zu without a country", rep->docs_no_country);
    fputc('\n', f);
    for (size_t i = 0; i < rep->doc_types.count; i++)
        fprintf(f, "  %-18s %8zu   %zu\n", rep->doc_types.items[i].name, rep->doc_types.items[i].count,
                rep->doc_types.items[i].flagged);

    fprintf(f, "\nLanguages            records  flagged  crossing  document  advice\n");
    for (size_t i = 0; i < rep->nlangs; i++) {
        const lang_stat *l = rep->lang_order[i];
        fputs("  ", f);
        text_cell(f, l->name, 18);
        fprintf(f, " %8zu %8zu %9zu %9zu %7zu\n", l->records, l->flagged, l->label[0], l->label[1],
                l->label[2]);
    }

    fprintf(f, "\nRoutes offered       %zu route%s in flagged records\n", rep->nroutes, rep->nroutes == 1 ? "" : "s");
    for (size_t i = 0; i < rep->nroutes && i < 2 * TEXT_ROWS; i++) {
        const route *r = rep->route_order[i];
        char *from = route_end_name(rep, r->from, &r->from_places, 3), *to = route_end_name(rep, r->to, &r->to_places, 3);
        fprintf(f, "  %s -> %s: %zu offer%s\n", from, to, r->records.count, r->records.count == 1 ? "" : "s");
        text_prices(f, r, "      ");
        free(from);
        free(to);
    }
    if (rep->nroutes > 2 * TEXT_ROWS) fprintf(f, "  ... %zu more (see --format json)\n", rep->nroutes - 2 * TEXT_ROWS);
    if (rep->no_route.nprices) {
        fprintf(f, "  route not stated: %zu flagged record%s with prices\n", rep->no_route.records.count,
                rep->no_route.records.count == 1 ? "" : "s");
        text_prices(f, &rep->no_route, "      ");
    }
    if (rep->unflagged_route_records)
        fprintf(f, "  (%zu unflagged record%s a route too; not counted as offers)\n", rep->unflagged_route_records,
                rep->unflagged_route_records == 1 ? " states" : "s state");

    if (rep->nbuckets) {
        static const char *const gran[] = {"day", "month", "year"};
        fprintf(f, "\nOver time (by %s)  records  flagged  crossing  document  advice  new contacts  documents\n",
                gran[rep->granularity]);
        for (size_t i = 0; i < rep->nbuckets; i++) {
            const bucket *bk = &rep->buckets[i];
            fprintf(f, "  %-16s %8zu %8zu %9zu %9zu %7zu %13zu %10zu\n", bk->name, bk->records, bk->flagged,
                    bk->label[0], bk->label[1], bk->label[2],
                    bk->new_contacts[0] + bk->new_contacts[1] + bk->new_contacts[2], bk->documents);
        }
    }

    fprintf(f, "\nPossible facilitators (%zu)\n", rep->nfacilitators);
    for (size_t i = 0; i < rep->nfacilitators && i < TEXT_ROWS; i++) {
        const contact *c = rep->facilitators[i];
        fputs("  ", f);
        text_cell(f, c->shown, 24);
        fprintf(f, " %-6s %-2s  %zu flagged / %zu records: ", kind_names[c->kind], c->country, c->flagged,
                c->records.count);
        text_ids(f, rep, &c->records, 4);
        fputc('\n', f);
    }
    if (rep->nfacilitators > TEXT_ROWS) fprintf(f, "  ... %zu more\n", rep->nfacilitators - TEXT_ROWS);

    if (rep->nphone_countries) {
        fprintf(f, "\nPhone countries      numbers  records\n");
        for (size_t i = 0; i < rep->nphone_countries && i < TEXT_ROWS; i++) {
            const country_stat *c = &rep->phone_countries[i];
            fprintf(f, "  %-2s ", c->country);
            text_cell(f, country_name(rep, c->country), 15);
            fprintf(f, " %8zu %8zu\n", c->items, c->records.count);
        }
    }
    if (rep->ndoc_countries) {
        fprintf(f, "\nDocument countries   documents  records\n");
        for (size_t i = 0; i < rep->ndoc_countries && i < TEXT_ROWS; i++) {
            const country_stat *c = rep->doc_order[i];
            fprintf(f, "  %-2s ", c->country);
            text_cell(f, country_name(rep, c->country), 15);
            fprintf(f, " %10zu %8zu\n", c->items, c->records.count);
        }
    }
    return ferror(f) ? -1 : 0;
}

/* ---- HTML: helpers ------------------------------------------------------- */

/* Appends s with &, <, >, " and ' escaped: safe in text and attributes. */
static void h_esc(strbuf *sb, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': strbuf_puts(sb, "&amp;"); break;
        case '<': strbuf_puts(sb, "&lt;"); break;
        case '>': strbuf_puts(sb, "&gt;"); break;
        case '"': strbuf_puts(sb, "&quot;"); break;
        case '\'': strbuf_puts(sb, "&#39;"); break;
        default: strbuf_putc(sb, *s);
        }
    }
}

static const char *const label_colors[OFS_LABEL_COUNT] = {"#2f5d8a", "#c0812a", "#4a8a6a"};

/* Appends a machine name escaped, with '_' shown as a space ("id card"). */
static void h_name(strbuf *sb, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '_') strbuf_putc(sb, ' ');
        else {
            char one[2] = {*s, '\0'};
            h_esc(sb, one);
        }
    }
}

/* Rough width in pixels of s at 12px (for laying out SVG labels). */
static double text_width(const char *s)
{
    size_t chars = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) chars++;
    return 6.8 * (double)chars;
}

/* Links to up to EXAMPLES of the records in l, marking them shown. */
static void h_examples(strbuf *sb, ofs_report *rep, const idx_list *l)
{
    size_t n = 0;
    /* flagged records first: they are the ones that make the row matter */
    for (int pass = 0; pass < 2 && n < EXAMPLES; pass++)
        for (size_t i = 0; i < l->count && n < EXAMPLES; i++) {
            record *r = &rep->recs[l->items[i]];
            if ((pass == 0) != (r->labels != 0)) continue;
            r->shown = 1;
            strbuf_printf(sb, "%s<a href=\"#r%zu\">", n ? ", " : "", l->items[i]);
            h_esc(sb, r->id);
            strbuf_puts(sb, "</a>");
            n++;
        }
    if (l->count > n) strbuf_printf(sb, " <span class=\"more\">+%zu more</span>", l->count - n);
}

static void h_country(strbuf *sb, const ofs_report *rep, const char *cc)
{
    h_esc(sb, country_name(rep, cc));
    if (cc[0]) {
        strbuf_puts(sb, " <span class=\"code\">");
        h_esc(sb, cc);
        strbuf_puts(sb, "</span>");
    }
}

static void h_route_name(strbuf *sb, const ofs_report *rep, const route *r)
{
    char *from = route_end_name(rep, r->from, &r->from_places, 3), *to = route_end_name(rep, r->to, &r->to_places, 3);
    h_esc(sb, from);
    strbuf_puts(sb, " → ");
    h_esc(sb, to);
    free(from);
    free(to);
}

/* ---- HTML: charts --------------------------------------------------------- */

/* Incidents per label, each bar against the track of all records. */
static void chart_labels(strbuf *sb, const ofs_report *rep)
{
    const double W = 500, left = 118, right = 78, row = 36, top = 6;
    double plot = W - left - right, H = top * 2 + row * OFS_LABEL_COUNT;
    strbuf_printf(sb, "<svg class=\"chart\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"Incidents by label\">\n", W, H);
    for (int l = 0; l < OFS_LABEL_COUNT; l++) {
        double y = top + row * l, w = rep->records ? plot * (double)rep->label[l] / (double)rep->records : 0;
        char pct[16], n[32];
        strbuf_printf(sb, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", left - 10, y + row / 2 + 4,
                      label_titles[l]);
        strbuf_printf(sb, "<rect x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" height=\"18\" rx=\"3\" fill=\"#edf0f4\"/>\n", left,
                      y + row / 2 - 9, plot);
        strbuf_printf(sb, "<rect x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" height=\"18\" rx=\"3\" fill=\"%s\"><title>%s: %zu of %zu records</title></rect>\n",
                      left, y + row / 2 - 9, w, label_colors[l], label_titles[l], rep->label[l], rep->records);
        strbuf_printf(sb, "<text x=\"%.0f\" y=\"%.1f\" class=\"val\">%s <tspan class=\"muted\">%s</tspan></text>\n",
                      left + plot + 8, y + row / 2 + 4, fmt_count(n, sizeof n, rep->label[l]),
                      fmt_percent(pct, sizeof pct, rep->label[l], rep->records));
    }
    strbuf_puts(sb, "</svg>\n");
}

/* Incidents per language, stacked by label. */
static void chart_langs(strbuf *sb, const ofs_report *rep)
{
    size_t rows = rep->nlangs > LANG_ROWS ? LANG_ROWS + 1 : rep->nlangs;
    size_t (*counts)[OFS_LABEL_COUNT + 1] = xcalloc(rows ? rows : 1, sizeof *counts);
    const char **names = xcalloc(rows ? rows : 1, sizeof *names);
    for (size_t i = 0; i < rep->nlangs; i++) {
        size_t r = i < LANG_ROWS || rep->nlangs <= LANG_ROWS ? i : LANG_ROWS;
        const lang_stat *l = rep->lang_order[i];
        names[r] = r == LANG_ROWS && rep->nlangs > LANG_ROWS ? "other" : l->name;
        for (int k = 0; k < OFS_LABEL_COUNT; k++) counts[r][k] += l->label[k];
        counts[r][OFS_LABEL_COUNT] += l->records;
    }
    double maxv = 1;
    for (size_t r = 0; r < rows; r++) {
        double s = (double)(counts[r][0] + counts[r][1] + counts[r][2]);
        if (s > maxv) maxv = s;
    }
    const double W = 500, left = 64, right = 124, row = 28, top = 6;
    double plot = W - left - right, H = top * 2 + row * (double)rows;
    strbuf_printf(sb, "<svg class=\"chart\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"Incidents by language\">\n", W, H);
    for (size_t r = 0; r < rows; r++) {
        double y = top + row * (double)r, x = left;
        strbuf_printf(sb, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">", left - 10, y + row / 2 + 4);
        h_esc(sb, names[r]);
        strbuf_puts(sb, "</text>\n");
        strbuf_printf(sb, "<rect x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" height=\"14\" rx=\"2\" fill=\"#f1f3f6\"/>\n", left,
                      y + row / 2 - 7, plot);
        size_t total = 0;
        for (int k = 0; k < OFS_LABEL_COUNT; k++) {
            double w = plot * (double)counts[r][k] / maxv;
            total += counts[r][k];
            if (w <= 0) continue;
            strbuf_printf(sb, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"14\" fill=\"%s\"><title>", x,
                          y + row / 2 - 7, w, label_colors[k]);
            h_esc(sb, names[r]);
            strbuf_printf(sb, ": %zu %s</title></rect>\n", counts[r][k], label_titles[k]);
            x += w;
        }
        char a[32], b[32];
        strbuf_printf(sb, "<text x=\"%.0f\" y=\"%.1f\" class=\"val\">%s <tspan class=\"muted\">of %s records</tspan></text>\n",
                      left + plot + 8, y + row / 2 + 4, fmt_count(a, sizeof a, total),
                      fmt_count(b, sizeof b, counts[r][OFS_LABEL_COUNT]));
    }
    strbuf_puts(sb, "</svg>\n");
    free(counts);
    free(names);
}

/* Incidents per time bucket, stacked by label, over a column of all records. */
static void chart_timeline(strbuf *sb, const ofs_report *rep)
{
    const double W = 1040, H = 250, left = 52, right = 12, top = 14, bottom = 34;
    double plot_w = W - left - right, plot_h = H - top - bottom;
    double maxv = 1;
    for (size_t i = 0; i < rep->nbuckets; i++) {
        const bucket *b = &rep->buckets[i];
        double inc = (double)(b->label[0] + b->label[1] + b->label[2]);
        if ((double)b->records > maxv) maxv = (double)b->records;
        if (inc > maxv) maxv = inc;
    }
    /* gridlines at whole numbers: the step is a nice number of records */
    double step;
    int nsteps = axis_steps(maxv, 1, &step);
    double ymax = step * nsteps, band = plot_w / (double)rep->nbuckets;
    double bw = band * 0.72 > 36 ? 36 : band * 0.72;
    strbuf_printf(sb, "<svg class=\"chart\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"Records and incidents over time\">\n", W, H);
    for (int t = 0; t <= nsteps; t++) {
        double v = step * t, y = top + plot_h - plot_h * v / ymax;
        char a[32];
        strbuf_printf(sb, "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>\n", left, W - right, y, y);
        strbuf_printf(sb, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" class=\"axis\">%s</text>\n", left - 6, y + 4,
                      fmt_tick(a, sizeof a, v, ymax));
    }
    size_t every = rep->nbuckets <= 12 ? 1 : (rep->nbuckets + 11) / 12;
    for (size_t i = 0; i < rep->nbuckets; i++) {
        const bucket *b = &rep->buckets[i];
        double cx = left + band * ((double)i + 0.5), x = cx - bw / 2, base = top + plot_h;
        double hr = plot_h * (double)b->records / ymax;
        strbuf_printf(sb, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#e3e7ed\"><title>%s: %zu records, %zu flagged</title></rect>\n",
                      x, base - hr, bw, hr, b->name, b->records, b->flagged);
        double y = base;
        double iw = bw * 0.56;
        for (int l = 0; l < OFS_LABEL_COUNT; l++) {
            double h = plot_h * (double)b->label[l] / ymax;
            if (h <= 0) continue;
            y -= h;
            strbuf_printf(sb, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s: %zu %s</title></rect>\n",
                          cx - iw / 2, y, iw, h, label_colors[l], b->name, b->label[l], label_titles[l]);
        }
        if (i % every == 0)
            strbuf_printf(sb, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\" class=\"axis\">%s</text>\n", cx,
                          H - bottom + 18, b->name);
    }
    strbuf_printf(sb, "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" class=\"base\"/>\n", left, W - right,
                  top + plot_h, top + plot_h);
    strbuf_puts(sb, "</svg>\n");
}

/* One side of the flow chart: a country and its offers. */
typedef struct flow_node {
    char   country[3];
    int    other;
    size_t total, used;
    double y;
    double centre;   /* a destination: mean position of its origins */
} flow_node;

static size_t flow_index(flow_node *nodes, size_t n, const char *cc)
{
    for (size_t i = 0; i < n; i++)
        if (!nodes[i].other && strcmp(nodes[i].country, cc) == 0) return i;
    return n - 1;   /* "other" is last when present */
}

static int cmp_flow_node(const void *a, const void *b)
{
    const flow_node *x = a, *y = b;
    if (x->total != y->total) return x->total < y->total ? 1 : -1;
    return strcmp(x->country, y->country);
}

/* Destinations by the mean position of their origins (weighted by offers),
 * "other" last: the barycentre heuristic, so that bands cross little. */
static int cmp_flow_centre(const void *a, const void *b)
{
    const flow_node *x = a, *y = b;
    if (x->other != y->other) return x->other - y->other;
    if (x->centre != y->centre) return x->centre > y->centre ? 1 : -1;
    return cmp_flow_node(a, b);
}

/* Collects one side's nodes: the FLOW_NODES largest and "other". */
static size_t flow_side(const ofs_report *rep, int to_side, flow_node **out)
{
    flow_node *all = xcalloc(rep->nroutes + 1, sizeof *all);
    size_t n = 0;
    for (size_t i = 0; i < rep->nroutes; i++) {
        const route *r = rep->route_order[i];
        const char *cc = to_side ? r->to : r->from;
        size_t k = 0;
        while (k < n && strcmp(all[k].country, cc) != 0) k++;
        if (k == n) memcpy(all[n++].country, cc, 3);
        all[k].total += r->records.count;
    }
    sort_items(all, n, sizeof *all, cmp_flow_node);
    if (n > FLOW_NODES + 1) {
        size_t rest = 0;
        for (size_t i = FLOW_NODES; i < n; i++) rest += all[i].total;
        memset(&all[FLOW_NODES], 0, sizeof *all);
        all[FLOW_NODES].other = 1;
        all[FLOW_NODES].total = rest;
        n = FLOW_NODES + 1;
    }
    *out = all;
    return n;
}

/* Routes as a flow from origins (left) to destinations (right), band
 * widths proportional to offers. */
static void chart_flow(strbuf *sb, const ofs_report *rep)
{
    flow_node *from, *to;
    size_t nf = flow_side(rep, 0, &from), nt = flow_side(rep, 1, &to);
    for (size_t i = 0; i < rep->nroutes; i++) {
        const route *r = rep->route_order[i];
        to[flow_index(to, nt, r->to)].centre +=
            (double)flow_index(from, nf, r->from) * (double)r->records.count;
    }
    for (size_t i = 0; i < nt; i++) to[i].centre /= (double)(to[i].total ? to[i].total : 1);
    sort_items(to, nt, sizeof *to, cmp_flow_centre);
    size_t total = 0;
    for (size_t i = 0; i < nf; i++) total += from[i].total;
    size_t most = nf > nt ? nf : nt;
    const double W = 1040, gap = 12, top = 10, nodew = 12, x0 = 230, x1 = W - 242;
    double H = 60 + 34 * (double)most, avail = H - 2 * top - gap * (double)(most - 1);
    double scale = avail / (double)(total ? total : 1);
    strbuf_printf(sb, "<svg class=\"chart\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"Routes: origin to destination\">\n", W, H);
    for (int side = 0; side < 2; side++) {
        flow_node *nodes = side ? to : from;
        size_t n = side ? nt : nf;
        double used = 0;
        for (size_t i = 0; i < n; i++) used += scale * (double)nodes[i].total;
        double y = top + (H - 2 * top - used - gap * (double)(n - 1)) / 2;
        for (size_t i = 0; i < n; i++) {
            nodes[i].y = y;
            y += scale * (double)nodes[i].total + gap;
        }
    }
    /* Bands: inside an origin they are stacked in the order of their
     * destinations, inside a destination in the order of their origins, so
     * that bands cross as little as they can. */
    size_t nr = rep->nroutes;
    size_t *fi = xcalloc(nr + 1, sizeof *fi), *ti = xcalloc(nr + 1, sizeof *ti);
    double *ya = xcalloc(nr + 1, sizeof *ya), *yb = xcalloc(nr + 1, sizeof *yb);
    for (size_t i = 0; i < nr; i++) {
        fi[i] = flow_index(from, nf, rep->route_order[i]->from);
        ti[i] = flow_index(to, nt, rep->route_order[i]->to);
    }
    for (size_t a = 0; a < nf; a++)
        for (size_t b = 0; b < nt; b++)
            for (size_t i = 0; i < nr; i++) {
                if (fi[i] != a || ti[i] != b) continue;
                ya[i] = from[a].y + scale * (double)from[a].used;
                from[a].used += rep->route_order[i]->records.count;
            }
    for (size_t b = 0; b < nt; b++)
        for (size_t a = 0; a < nf; a++)
            for (size_t i = 0; i < nr; i++) {
                if (fi[i] != a || ti[i] != b) continue;
                yb[i] = to[b].y + scale * (double)to[b].used;
                to[b].used += rep->route_order[i]->records.count;
            }
    for (size_t i = 0; i < nr; i++) {
        const route *r = rep->route_order[i];
        double h = scale * (double)r->records.count;
        double xa = x0 + nodew, xb = x1, xm = (xa + xb) / 2;
        strbuf_printf(sb,
                      "<path d=\"M%.1f %.1fC%.1f %.1f %.1f %.1f %.1f %.1fL%.1f %.1fC%.1f %.1f %.1f %.1f %.1f %.1fZ\" class=\"band\"><title>",
                      xa, ya[i], xm, ya[i], xm, yb[i], xb, yb[i], xb, yb[i] + h, xm, yb[i] + h, xm, ya[i] + h, xa, ya[i] + h);
        h_esc(sb, country_name(rep, r->from));
        strbuf_puts(sb, " → ");
        h_esc(sb, country_name(rep, r->to));
        strbuf_printf(sb, ": %zu offer%s</title></path>\n", r->records.count, r->records.count == 1 ? "" : "s");
    }
    free(fi);
    free(ti);
    free(ya);
    free(yb);
    for (int side = 0; side < 2; side++) {
        flow_node *nodes = side ? to : from;
        size_t n = side ? nt : nf;
        double x = side ? x1 : x0;
        for (size_t i = 0; i < n; i++) {
            double h = scale * (double)nodes[i].total;
            char c[32];
            strbuf_printf(sb, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.0f\" height=\"%.1f\" rx=\"2\" class=\"node\"/>\n", x,
                          nodes[i].y, nodew, h < 1 ? 1 : h);
            strbuf_printf(sb, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">", side ? x + nodew + 8 : x - 8,
                          nodes[i].y + h / 2 + 4, side ? "start" : "end");
            h_esc(sb, nodes[i].other ? "other" : country_name(rep, nodes[i].country));
            strbuf_printf(sb, " <tspan class=\"muted\">%s</tspan></text>\n", fmt_count(c, sizeof c, nodes[i].total));
        }
    }
    strbuf_puts(sb, "</svg>\n");
    free(from);
    free(to);
}

/* The prices of one currency per route: a box from the first to the third
 * quartile, the median as a bar, whiskers to min and max, every price as
 * a dot. */
static void chart_prices(strbuf *sb, const ofs_report *rep, const char *currency)
{
    const route *rows[PRICE_ROWS + 1];
    const price_list *lists[PRICE_ROWS + 1];
    size_t n = 0;
    double maxv = 0;
    for (size_t i = 0; i <= rep->nroutes && n < PRICE_ROWS + 1; i++) {
        const route *r = i < rep->nroutes ? rep->route_order[i] : &rep->no_route;
        if (i < rep->nroutes && n == PRICE_ROWS) continue;
        for (size_t k = 0; k < r->nprices; k++)
            if (strcmp(r->prices[k].currency, currency) == 0) {
                rows[n] = r;
                lists[n++] = &r->prices[k];
                if (r->prices[k].values[r->prices[k].count - 1] > maxv) maxv = r->prices[k].values[r->prices[k].count - 1];
            }
    }
    double step;
    int nsteps = axis_steps(maxv, 0, &step);
    double xmax = step * nsteps;
    const double W = 500, left = 166, right = 112, row = 34, top = 8, axis = 26;
    double plot = W - left - right, H = top + row * (double)n + axis;
    strbuf_printf(sb, "<svg class=\"chart\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"Prices in %s per route\">\n",
                  W, H, currency);
    for (int t = 0; t <= nsteps; t++) {
        double v = step * t, x = left + plot * v / xmax;
        char a[32];
        strbuf_printf(sb, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.1f\" class=\"grid\"/>\n", x, x, top,
                      top + row * (double)n);
        strbuf_printf(sb, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"axis\">%s</text>\n", x,
                      top + row * (double)n + 17, fmt_tick(a, sizeof a, v, xmax));
    }
    for (size_t i = 0; i < n; i++) {
        const price_list *pl = lists[i];
        price_stats s = stats_of(pl);
        double cy = top + row * ((double)i + 0.5);
        char *label;
        if (rows[i] == &rep->no_route) {
            label = xstrdup("route not stated");
        } else {
            strbuf nb = {0};
            strbuf_puts(&nb, country_name(rep, rows[i]->from));
            strbuf_puts(&nb, " → ");
            strbuf_puts(&nb, country_name(rep, rows[i]->to));
            label = nb.buf;
        }
        if (text_width(label) > left - 14) {
            /* keep it on one line: cut at a character boundary */
            size_t keep = (size_t)((left - 24) / 6.8), chars = 0, b = 0;
            while (label[b] && chars < keep) {
                b++;
                while (((unsigned char)label[b] & 0xC0) == 0x80) b++;
                chars++;
            }
            label[b] = '\0';
            char *l2 = xasprintf("%s…", label);
            free(label);
            label = l2;
        }
        strbuf_printf(sb, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">", left - 12, cy + 4);
        h_esc(sb, label);
        strbuf_puts(sb, "</text>\n");
        free(label);
#define PX(v) (left + plot * (v) / xmax)
        strbuf_printf(sb, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"whisker\"/>\n", PX(s.min),
                      PX(s.max), cy, cy);
        strbuf_printf(sb, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"14\" rx=\"2\" class=\"box\"/>\n", PX(s.q1),
                      cy - 7, PX(s.q3) - PX(s.q1) < 1 ? 1 : PX(s.q3) - PX(s.q1));
        for (size_t k = 0; k < pl->count; k++) {
            double jitter = pl->count > 1 ? (double)((k * 7) % 5) * 2.5 - 5 : 0;
            char a[32];
            strbuf_printf(sb, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.2\" class=\"dot\"><title>%s %s</title></circle>\n",
                          PX(pl->values[k]), cy + jitter, fmt_amount(a, sizeof a, pl->values[k]), currency);
        }
        strbuf_printf(sb, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"median\"/>\n", PX(s.median),
                      PX(s.median), cy - 10, cy + 10);
#undef PX
        char m[32];
        strbuf_printf(sb, "<text x=\"%.0f\" y=\"%.1f\" class=\"val\">%s <tspan class=\"muted\">n=%zu</tspan></text>\n",
                      W - right + 10, cy + 4, fmt_amount(m, sizeof m, s.median), pl->count);
    }
    strbuf_puts(sb, "</svg>\n");
}

/* ---- HTML: the page ------------------------------------------------------ */

/* The page's style sheet, in pieces (C compilers need not take one long string). */
static const char *const page_css[] = {
    ":root{--ink:#1d2430;--muted:#687385;--line:#e3e7ee;--bg:#f5f6f8;--card:#fff;--accent:#2f5d8a;"
    "--c0:#2f5d8a;--c1:#c0812a;--c2:#4a8a6a}\n"
    "*{box-sizing:border-box}\n"
    "html{scroll-behavior:smooth}\n"
    "body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,"
    "\"Noto Sans\",\"Helvetica Neue\",Arial,sans-serif;-webkit-font-smoothing:antialiased}\n"
    "main{max-width:1140px;margin:0 auto;padding:32px 28px 72px}\n"
    "a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}\n"
    "header.top{display:flex;flex-wrap:wrap;align-items:flex-end;justify-content:space-between;gap:8px 24px;"
    "border-bottom:1px solid var(--line);padding-bottom:18px}\n"
    "header.top h1{font-size:28px;line-height:1.2;margin:0;font-weight:700;letter-spacing:-.01em}\n"
    ".eyebrow{text-transform:uppercase;letter-spacing:.08em;font-size:12px;color:var(--muted);font-weight:600;margin:0 0 6px}\n"
    ".sub{color:var(--muted);margin:6px 0 0;font-size:14px}\n"
    ".badge{display:inline-block;background:#fff4dc;color:#7a5200;border:1px solid #f0d9a4;border-radius:999px;"
    "padding:2px 10px;font-size:12px;font-weight:600}\n"
    "nav.toc{display:flex;flex-wrap:wrap;gap:4px 18px;font-size:14px;margin:14px 0 0}\n"
    ".kpis{display:grid;grid-template-columns:repeat(5,1fr);gap:12px;margin:24px 0 8px}\n"
    ".kpi{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:14px 16px 12px}\n"
    ".kpi .n{font-size:30px;font-weight:700;line-height:1.1;font-variant-numeric:tabular-nums;letter-spacing:-.01em}\n"
    ".kpi .k{font-size:13px;font-weight:600;margin-top:4px}\n"
    ".kpi .d{font-size:12px;color:var(--muted)}\n"
    ".kpi.l0{box-shadow:inset 0 3px 0 var(--c0)}.kpi.l1{box-shadow:inset 0 3px 0 var(--c1)}"
    ".kpi.l2{box-shadow:inset 0 3px 0 var(--c2)}.kpi.hi{box-shadow:inset 0 3px 0 #9b3d3d}\n"
    "section{margin-top:44px}\n"
    "h2{font-size:20px;margin:0 0 4px;letter-spacing:-.01em}\n"
    "h3{font-size:15px;margin:22px 0 8px}\n"
    ".lead{color:var(--muted);margin:0 0 16px;font-size:14px;max-width:780px}\n"
    ".grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:16px;align-items:start}\n"
    ".grid21{display:grid;grid-template-columns:2fr 1fr;gap:16px;align-items:start}\n"
    ".tablewrap+.lead,.tablewrap+p{margin-top:10px}\n"
    "figure{margin:0;background:var(--card);border:1px solid var(--line);border-radius:12px;padding:14px 16px 12px}\n"
    "figure+figure{margin-top:0}\n",
    "figcaption{font-weight:600;font-size:14px;margin:0 0 10px;display:flex;flex-wrap:wrap;gap:4px 14px;align-items:baseline}\n"
    "figcaption .note{font-weight:400;color:var(--muted);font-size:12px}\n"
    ".legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-weight:400;font-size:12px;color:var(--muted)}\n"
    ".legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}\n"
    "svg.chart{display:block;width:100%;height:auto}\n"
    "svg.chart text{font-size:12px;fill:var(--ink);font-family:inherit}\n"
    "svg.chart .muted,svg.chart .axis{fill:var(--muted)}\n"
    "svg.chart .val{font-weight:600;font-variant-numeric:tabular-nums}\n"
    "svg.chart .grid{stroke:#edf0f4;stroke-width:1}svg.chart .base{stroke:#b9c0cb;stroke-width:1}\n"
    "svg.chart .band{fill:var(--c0);fill-opacity:.28;stroke:var(--c0);stroke-opacity:.35;stroke-width:.6}\n"
    "svg.chart .band:hover{fill-opacity:.5}\n"
    "svg.chart .node{fill:#3b4a5e}\n"
    "svg.chart .box{fill:#dfe7f1;stroke:#8aa1bd;stroke-width:1}\n"
    "svg.chart .whisker{stroke:#8aa1bd;stroke-width:1.5}\n"
    "svg.chart .median{stroke:var(--ink);stroke-width:2.5}\n"
    "svg.chart .dot{fill:var(--c0);fill-opacity:.75;stroke:#fff;stroke-width:.8}\n"
    ".tablewrap{background:var(--card);border:1px solid var(--line);border-radius:12px;overflow:auto}\n"
    "table{border-collapse:collapse;width:100%;font-size:14px}\n"
    "th{text-align:left;font-weight:600;color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em;"
    "padding:10px 12px;border-bottom:1px solid var(--line);white-space:nowrap;background:#fafbfc}\n"
    "td{padding:8px 12px;border-bottom:1px solid var(--line);vertical-align:top}\n"
    "tr:last-child td{border-bottom:0}\n"
    "th.num,td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    "td.ex{font-size:13px;color:var(--muted)}td.nowrap{white-space:nowrap}\n"
    ".code{color:var(--muted);font-size:12px;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,\"DejaVu Sans Mono\",monospace}\n"
    ".mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,\"DejaVu Sans Mono\",monospace;font-size:13px}\n"
    ".more{color:var(--muted);white-space:nowrap}\n"
    ".empty{background:var(--card);border:1px dashed var(--line);border-radius:12px;padding:16px;color:var(--muted);font-size:14px}\n"
    ".chip{display:inline-block;border-radius:999px;padding:0 9px;font-size:12px;font-weight:600;color:#fff;line-height:20px}\n",
    ".chip.l0{background:var(--c0)}.chip.l1{background:var(--c1)}.chip.l2{background:var(--c2)}"
    ".chip.none{background:#eef0f3;color:var(--muted)}\n"
    ".kind{display:inline-block;font-size:11px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);width:62px}\n"
    ".records{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:12px}\n"
    ".rec{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:12px 14px;font-size:14px;"
    "scroll-margin-top:16px}\n"
    ".rec:target{outline:3px solid #f2c94c;outline-offset:1px}\n"
    ".rec h4{margin:0 0 6px;font-size:14px;display:flex;flex-wrap:wrap;gap:6px;align-items:center}\n"
    ".rec .meta{color:var(--muted);font-size:12px;margin-bottom:6px}\n"
    ".rec dl{display:grid;grid-template-columns:82px 1fr;gap:3px 10px;margin:0}\n"
    ".rec dt{color:var(--muted);font-size:12px;padding-top:1px}.rec dd{margin:0;overflow-wrap:anywhere}\n"
    ".q{background:#fff6d6;border-radius:3px;padding:0 3px}\n"
    "footer{margin-top:56px;color:var(--muted);font-size:13px;border-top:1px solid var(--line);padding-top:16px}\n"
    "footer dt{font-weight:600;color:var(--ink)}footer dd{margin:0 0 8px}\n"
    "@media (max-width:900px){.grid21{grid-template-columns:1fr}.kpis{grid-template-columns:repeat(2,1fr)}}\n"
    "@media (max-width:700px){main{padding:20px 14px 48px}.grid2{grid-template-columns:1fr}}\n"
    "@media print{body{background:#fff}.rec,figure,.kpi,.tablewrap{break-inside:avoid}}\n",
    NULL,
};

static void h_kpi(strbuf *sb, const char *cls, size_t n, const char *what, const char *detail)
{
    char a[32];
    strbuf_printf(sb, "<div class=\"kpi %s\"><div class=\"n\">%s</div><div class=\"k\">%s</div><div class=\"d\">", cls,
                  fmt_count(a, sizeof a, n), what);
    h_esc(sb, detail);
    strbuf_puts(sb, "</div></div>\n");
}

static void h_legend(strbuf *sb)
{
    strbuf_puts(sb, "<span class=\"legend\">");
    for (int l = 0; l < OFS_LABEL_COUNT; l++)
        strbuf_printf(sb, "<span><i style=\"background:%s\"></i>%s</span>", label_colors[l], label_titles[l]);
    strbuf_puts(sb, "</span>");
}

/* A table of contacts: with show_kind, a mixed list (facilitators) with a
 * kind column; the country column only when some contact has one. */
static void h_contact_table(strbuf *sb, ofs_report *rep, contact **list, size_t n, size_t max, int show_kind)
{
    char a[32], b[32];
    int countries = 0;
    for (size_t i = 0; i < n && i < max; i++) countries |= list[i]->country[0] != '\0';
    strbuf_puts(sb, "<div class=\"tablewrap\"><table><thead><tr>");
    strbuf_puts(sb, show_kind ? "<th>Contact</th>" : "<th>Value</th>");
    if (countries) strbuf_puts(sb, "<th>Country</th>");
    strbuf_puts(sb, "<th class=\"num\">Flagged records</th><th class=\"num\">All records</th><th>Records</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < n && i < max; i++) {
        const contact *c = list[i];
        strbuf_puts(sb, "<tr><td>");
        if (show_kind) strbuf_printf(sb, "<span class=\"kind\">%s</span>", kind_names[c->kind]);
        strbuf_puts(sb, "<bdi class=\"mono\">");
        h_esc(sb, c->shown);
        strbuf_puts(sb, "</bdi></td>");
        if (countries) {
            strbuf_puts(sb, "<td>");
            if (c->country[0]) h_country(sb, rep, c->country);
            strbuf_puts(sb, "</td>");
        }
        strbuf_printf(sb, "<td class=\"num\">%s</td><td class=\"num\">%s</td><td class=\"ex\">",
                      fmt_count(a, sizeof a, c->flagged), fmt_count(b, sizeof b, c->records.count));
        h_examples(sb, rep, &c->records);
        strbuf_puts(sb, "</td></tr>\n");
    }
    strbuf_puts(sb, "</tbody></table></div>\n");
    if (n > max) strbuf_printf(sb, "<p class=\"lead\">Showing %zu of %zu; the JSON report (--format json) lists all.</p>\n", max, n);
}

static void h_country_table(strbuf *sb, ofs_report *rep, country_stat *const *list, size_t n, const char *items,
                            int types)
{
    char a[32], b[32], c[32];
    strbuf_printf(sb, "<div class=\"tablewrap\"><table><thead><tr><th>Country</th><th class=\"num\">%s</th>"
                      "<th class=\"num\">In flagged records</th>%s<th class=\"num\">Records</th><th>Examples</th></tr></thead><tbody>\n",
                  items, types ? "<th>Types</th>" : "");
    for (size_t i = 0; i < n && i < HTML_ROWS; i++) {
        const country_stat *s = list[i];
        strbuf_puts(sb, "<tr><td>");
        h_country(sb, rep, s->country);
        strbuf_printf(sb, "</td><td class=\"num\">%s</td><td class=\"num\">%s</td>", fmt_count(a, sizeof a, s->items),
                      fmt_count(b, sizeof b, s->flagged_items));
        if (types) {
            strbuf_puts(sb, "<td>");
            for (size_t k = 0; k < s->types.count; k++) {
                strbuf_puts(sb, k ? ", " : "");
                h_name(sb, s->types.items[k].name);
                strbuf_printf(sb, " <span class=\"more\">%zu</span>", s->types.items[k].count);
            }
            strbuf_puts(sb, "</td>");
        }
        strbuf_printf(sb, "<td class=\"num\">%s</td><td class=\"ex\">", fmt_count(c, sizeof c, s->records.count));
        h_examples(sb, rep, &s->records);
        strbuf_puts(sb, "</td></tr>\n");
    }
    strbuf_puts(sb, "</tbody></table></div>\n");
}

static void h_place(strbuf *sb, const ofs_report *rep, const json_t *p)
{
    if (!json_is_object(p)) {
        strbuf_puts(sb, "<span class=\"more\">not stated</span>");
        return;
    }
    char cc[3];
    copy_country(cc, json_object_get(p, "country"));
    const char *place = obj_str(p, "place");
    strbuf_puts(sb, "<bdi>");
    if (place) {
        h_esc(sb, place);
        if (cc[0]) {
            strbuf_puts(sb, " <span class=\"code\">");
            h_esc(sb, cc);
            strbuf_puts(sb, "</span>");
        }
    } else {
        h_esc(sb, country_name(rep, cc));
    }
    strbuf_puts(sb, "</bdi>");
}

/* One record of the records section, from its trimmed JSON. */
/* Appends " <span class="code">CC</span>" for a country code, or nothing. */
static void h_country_code(strbuf *sb, const char *cc)
{
    if (!cc) return;
    strbuf_puts(sb, " <span class=\"code\">");
    h_esc(sb, cc);
    strbuf_puts(sb, "</span>");
}

static void h_record(strbuf *sb, const ofs_report *rep, size_t index)
{
    const record *r = &rep->recs[index];
    json_t *d = json_loads(r->detail, 0, NULL);
    if (!d) return;
    strbuf_printf(sb, "<article class=\"rec\" id=\"r%zu\"><h4><bdi>", index);
    h_esc(sb, r->id);
    strbuf_puts(sb, "</bdi>");
    for (int l = 0; l < OFS_LABEL_COUNT; l++)
        if (r->labels & (1u << l)) {
            strbuf_printf(sb, " <span class=\"chip l%d\">", l);
            h_name(sb, ofs_label_names[l]);
            strbuf_puts(sb, "</span>");
        }
    if (!r->labels) strbuf_puts(sb, " <span class=\"chip none\">no label</span>");
    strbuf_puts(sb, "</h4><div class=\"meta\">");
    const json_t *src = json_object_get(d, "source");
    const char *lang = obj_str(d, "lang");
    h_esc(sb, lang);
    const json_t *date = json_object_get(src, "date");
    if (json_is_string(date)) {
        strbuf_puts(sb, " · ");
        h_esc(sb, json_string_value(date));
    }
    const char *file = obj_str(src, "file");
    if (file) {
        strbuf_puts(sb, " · <bdi>");
        h_esc(sb, file);
        strbuf_printf(sb, ":%lld</bdi>", (long long)json_integer_value(json_object_get(src, "line")));
    }
    const char *meta_keys[] = {"chat", "sender"};
    for (int k = 0; k < 2; k++) {
        const char *v = obj_str(src, meta_keys[k]);
        if (!v) continue;
        strbuf_printf(sb, " · %s <bdi>", meta_keys[k]);
        if (rep->redact) {
            char *p = pseudonym(rep, k ? "sender:" : "chat:", meta_keys[k], v);
            h_esc(sb, p);
            free(p);
        } else {
            h_esc(sb, v);
        }
        strbuf_puts(sb, "</bdi>");
    }
    strbuf_puts(sb, "</div><dl>");
    size_t i;
    const json_t *v;
    const json_t *routes = json_object_get(d, "routes");
    if (json_array_size(routes)) {
        strbuf_puts(sb, "<dt>Routes</dt><dd>");
        json_array_foreach(routes, i, v) {
            strbuf_puts(sb, i ? "; " : "");
            h_place(sb, rep, json_object_get(v, "from"));
            strbuf_puts(sb, " → ");
            h_place(sb, rep, json_object_get(v, "to"));
        }
        strbuf_puts(sb, "</dd>");
    }
    const json_t *prices = json_object_get(d, "prices");
    if (json_array_size(prices)) {
        strbuf_puts(sb, "<dt>Prices</dt><dd>");
        json_array_foreach(prices, i, v) {
            char a[32], b[32];
            const json_t *amax = json_object_get(v, "amount_max");
            strbuf_printf(sb, "%s%s", i ? "; " : "", fmt_amount(a, sizeof a, json_number_value(json_object_get(v, "amount"))));
            if (json_is_number(amax)) strbuf_printf(sb, "–%s", fmt_amount(b, sizeof b, json_number_value(amax)));
            strbuf_puts(sb, " ");
            h_esc(sb, obj_str(v, "currency"));
        }
        strbuf_puts(sb, "</dd>");
    }
    const json_t *contacts = json_object_get(d, "contacts");
    if (json_array_size(contacts)) {
        strbuf_puts(sb, "<dt>Contacts</dt><dd>");
        json_array_foreach(contacts, i, v) {
            int kind = kind_of(obj_str(v, "kind"));
            const char *value = obj_str(v, "value");
            if (kind < 0 || !value) continue;
            char *shown = contact_shown(rep, kind, value);
            strbuf_printf(sb, "%s<span class=\"more\">%s</span> <bdi class=\"mono\">", i ? "<br>" : "", kind_names[kind]);
            h_esc(sb, shown);
            strbuf_puts(sb, "</bdi>");
            free(shown);
            h_country_code(sb, obj_str(v, "country"));
        }
        strbuf_puts(sb, "</dd>");
    }
    const json_t *docs = json_object_get(d, "documents");
    if (json_array_size(docs)) {
        strbuf_puts(sb, "<dt>Documents</dt><dd>");
        json_array_foreach(docs, i, v) {
            strbuf_puts(sb, i ? "; " : "");
            h_name(sb, obj_str(v, "type"));
            h_country_code(sb, obj_str(v, "country"));
        }
        strbuf_puts(sb, "</dd>");
    }
    const json_t *ev = json_object_get(d, "evidence");
    if (json_array_size(ev)) {
        strbuf_puts(sb, "<dt>Evidence</dt><dd>");
        json_array_foreach(ev, i, v) {
            strbuf_puts(sb, i ? "<br>" : "");
            strbuf_puts(sb, "<span class=\"mono\">");
            h_esc(sb, obj_str(v, "rule"));
            strbuf_puts(sb, "</span>");
            if (rep->redact) continue;
            size_t k;
            const json_t *t;
            json_array_foreach(json_object_get(v, "texts"), k, t) {
                strbuf_puts(sb, " <bdi class=\"q\">");
                h_esc(sb, json_string_value(t));
                strbuf_puts(sb, "</bdi>");
            }
        }
        strbuf_puts(sb, "</dd>");
    }
    strbuf_puts(sb, "</dl></article>\n");
    json_decref(d);
}

static void h_section(strbuf *sb, const char *id, const char *title, const char *lead)
{
    strbuf_printf(sb, "<section id=\"%s\"><h2>%s</h2>\n", id, title);
    if (lead) strbuf_printf(sb, "<p class=\"lead\">%s</p>\n", lead);
}

static void h_routes(strbuf *sb, ofs_report *rep)
{
    char a[32], b[32], c[32], d[32];
    h_section(sb, "routes", "Routes offered",
              "Origin → destination as the flagged records state them, counted once per record. "
              "Prices are those of the same records.");
    if (!rep->nroutes) {
        strbuf_puts(sb, "<p class=\"empty\">No flagged record states a route.");
        if (rep->unflagged_route_records)
            strbuf_printf(sb, " %zu unflagged record%s do%s.", rep->unflagged_route_records,
                          rep->unflagged_route_records == 1 ? "" : "s", rep->unflagged_route_records == 1 ? "es" : "");
        strbuf_puts(sb, "</p></section>\n");
        return;
    }
    strbuf_puts(sb, "<figure><figcaption>Flow of offers<span class=\"note\">from origin (left) to destination (right); "
                    "band width = offers</span></figcaption>\n");
    chart_flow(sb, rep);
    strbuf_puts(sb, "</figure>\n<h3>Routes and prices</h3><div class=\"tablewrap\"><table><thead><tr><th>Origin → destination</th>"
                    "<th class=\"num\">Offers</th><th class=\"num\">Price: min · <b>median</b> · max</th><th>Records</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < rep->nroutes && i < HTML_ROWS; i++) {
        const route *r = rep->route_order[i];
        strbuf_puts(sb, "<tr><td><bdi>");
        h_route_name(sb, rep, r);
        strbuf_printf(sb, "</bdi></td><td class=\"num\">%s</td><td class=\"num\">", fmt_count(a, sizeof a, r->records.count));
        for (size_t k = 0; k < r->nprices; k++) {
            price_stats s = stats_of(&r->prices[k]);
            strbuf_printf(sb, "%s%s · <b>%s</b> · %s <span class=\"code\">%s</span>", k ? "<br>" : "", fmt_amount(b, sizeof b, s.min),
                          fmt_amount(c, sizeof c, s.median), fmt_amount(d, sizeof d, s.max), r->prices[k].currency);
        }
        if (!r->nprices) strbuf_puts(sb, "<span class=\"more\">no price stated</span>");
        strbuf_puts(sb, "</td><td class=\"ex\">");
        h_examples(sb, rep, &r->records);
        strbuf_puts(sb, "</td></tr>\n");
    }
    strbuf_puts(sb, "</tbody></table></div>\n");
    if (rep->nroutes > HTML_ROWS) strbuf_printf(sb, "<p class=\"lead\">Showing %d of %zu routes.</p>\n", HTML_ROWS, rep->nroutes);
    if (rep->unflagged_route_records)
        strbuf_printf(sb, "<p class=\"lead\">%zu unflagged record%s a route too (news, questions, legal travel); %s not counted here.</p>\n",
                      rep->unflagged_route_records, rep->unflagged_route_records == 1 ? " states" : "s state",
                      rep->unflagged_route_records == 1 ? "it is" : "they are");
    strbuf_puts(sb, "</section>\n");
}

static void h_prices(strbuf *sb, const ofs_report *rep)
{
    h_section(sb, "prices", "Prices per route",
              "Each dot is one price in a flagged record; the box spans the middle half of the prices, the dark bar "
              "is the median, the whiskers reach the lowest and highest price. A range counts as its midpoint.");
    if (!rep->ncurrencies) {
        strbuf_puts(sb, "<p class=\"empty\">No flagged record states a price.</p></section>\n");
        return;
    }
    strbuf_puts(sb, "<div class=\"grid2\">\n");
    for (size_t i = 0; i < rep->ncurrencies; i++) {
        strbuf_printf(sb, "<figure><figcaption>Prices in %s<span class=\"note\">median and number of prices on the right</span></figcaption>\n",
                      rep->currencies[i]);
        chart_prices(sb, rep, rep->currencies[i]);
        strbuf_puts(sb, "</figure>\n");
    }
    strbuf_puts(sb, "</div></section>\n");
}

int ofs_report_write_html(ofs_report *rep, FILE *f)
{
    report_finish(rep);
    for (size_t i = 0; i < rep->nrecs; i++) rep->recs[i].shown = 0;
    strbuf head = {0}, sb = {0};
    char a[32], b[32], c[96];

    /* the body first: its tables decide which records the page must show */
    strbuf_puts(&sb, "<section class=\"kpis\" aria-label=\"Figures\">\n");
    snprintf(c, sizeof c, "%s flagged (%s)", fmt_count(a, sizeof a, rep->flagged), fmt_percent(b, sizeof b, rep->flagged, rep->records));
    h_kpi(&sb, "", rep->records, "records", c);
    for (int l = 0; l < OFS_LABEL_COUNT; l++) {
        char cls[8];
        snprintf(cls, sizeof cls, "l%d", l);
        snprintf(c, sizeof c, "%s of records", fmt_percent(a, sizeof a, rep->label[l], rep->records));
        h_kpi(&sb, cls, rep->label[l], label_titles[l], c);
    }
    snprintf(c, sizeof c, "contacts in flagged records");
    h_kpi(&sb, "hi", rep->nfacilitators, "possible facilitators", c);
    snprintf(c, sizeof c, "%zu in flagged records", rep->flagged_kind[K_HANDLE]);
    h_kpi(&sb, "", rep->nkind[K_HANDLE], "distinct handles", c);
    snprintf(c, sizeof c, "%zu in flagged records", rep->flagged_kind[K_LINK]);
    h_kpi(&sb, "", rep->nkind[K_LINK], "distinct links", c);
    snprintf(c, sizeof c, "from %zu countr%s", rep->nphone_countries, rep->nphone_countries == 1 ? "y" : "ies");
    h_kpi(&sb, "", rep->nkind[K_PHONE], "phone numbers", c);
    snprintf(c, sizeof c, "%zu issuing countr%s", rep->ndoc_countries, rep->ndoc_countries == 1 ? "y" : "ies");
    h_kpi(&sb, "", rep->documents, "documents", c);
    size_t offers = 0;
    for (size_t i = 0; i < rep->nroutes; i++) offers += rep->routes[i].records.count;
    snprintf(c, sizeof c, "%zu offer%s", offers, offers == 1 ? "" : "s");
    h_kpi(&sb, "", rep->nroutes, "routes offered", c);
    strbuf_puts(&sb, "</section>\n");

    /* incidents */
    h_section(&sb, "incidents", "Incidents", "Records per label. A record may carry more than one label.");
    strbuf_puts(&sb, "<div class=\"grid2\"><figure><figcaption>By label<span class=\"note\">bar: share of all records</span></figcaption>\n");
    chart_labels(&sb, rep);
    strbuf_puts(&sb, "</figure><figure><figcaption>By language ");
    h_legend(&sb);
    strbuf_puts(&sb, "</figcaption>\n");
    chart_langs(&sb, rep);
    strbuf_puts(&sb, "</figure></div></section>\n");

    /* time */
    h_section(&sb, "time", "Over time", NULL);
    if (rep->nbuckets) {
        static const char *const gran[] = {"day", "month", "year"};
        day_name(rep->first_day, a, sizeof a);
        day_name(rep->last_day, b, sizeof b);
        strbuf_printf(&sb, "<p class=\"lead\">By %s, from %s to %s. Grey: all records; colours: incidents.", gran[rep->granularity], a, b);
        if (rep->undated) strbuf_printf(&sb, " %zu record%s without a date are left out.", rep->undated, rep->undated == 1 ? "" : "s");
        strbuf_puts(&sb, "</p>\n<figure><figcaption>Records and incidents ");
        h_legend(&sb);
        strbuf_puts(&sb, "</figcaption>\n");
        chart_timeline(&sb, rep);
        strbuf_puts(&sb, "</figure>\n<h3>Per period</h3><div class=\"tablewrap\"><table><thead><tr><th>Period</th>"
                         "<th class=\"num\">Records</th><th class=\"num\">Flagged</th><th class=\"num\">Crossing</th>"
                         "<th class=\"num\">Document</th><th class=\"num\">Advice</th><th class=\"num\">New contacts</th>"
                         "<th class=\"num\">Documents</th><th class=\"num\">Route offers</th></tr></thead><tbody>\n");
        for (size_t i = 0; i < rep->nbuckets; i++) {
            const bucket *bk = &rep->buckets[i];
            size_t nc = bk->new_contacts[K_HANDLE] + bk->new_contacts[K_PHONE] + bk->new_contacts[K_LINK];
            strbuf_printf(&sb, "<tr><td class=\"nowrap\">%s</td><td class=\"num\">%zu</td><td class=\"num\">%zu</td><td class=\"num\">%zu</td>"
                               "<td class=\"num\">%zu</td><td class=\"num\">%zu</td>"
                               "<td class=\"num\" title=\"%zu handles, %zu phones, %zu links\">%zu</td>"
                               "<td class=\"num\">%zu</td><td class=\"num\">%zu</td></tr>\n",
                          bk->name, bk->records, bk->flagged, bk->label[0], bk->label[1], bk->label[2],
                          bk->new_contacts[K_HANDLE], bk->new_contacts[K_PHONE], bk->new_contacts[K_LINK], nc,
                          bk->documents, bk->route_offers);
        }
        strbuf_puts(&sb, "</tbody></table></div>\n");
    } else {
        strbuf_puts(&sb, "<p class=\"empty\">No record carries a date (<span class=\"mono\">source.date</span>), so there is no timeline.</p>\n");
    }
    strbuf_puts(&sb, "</section>\n");

    h_routes(&sb, rep);
    h_prices(&sb, rep);

    /* contacts */
    h_section(&sb, "facilitators", "Possible facilitators",
              "Every handle, phone number and link that appears in at least one flagged record, counted once, "
              "most flagged first. A contact is a lead, not a finding: check the records.");
    if (rep->nfacilitators)
        h_contact_table(&sb, rep, rep->facilitators, rep->nfacilitators, FACILITATOR_ROWS, 1);
    else
        strbuf_puts(&sb, "<p class=\"empty\">No contact appears in a flagged record.</p>\n");
    strbuf_puts(&sb, "</section>\n");

    h_section(&sb, "contacts", "Handles, phones and links", "All records, flagged or not, most frequent first.");
    strbuf_puts(&sb, "<h3>Top handles</h3>\n");
    if (rep->nkind[K_HANDLE]) h_contact_table(&sb, rep, rep->by_kind[K_HANDLE], rep->nkind[K_HANDLE], HTML_ROWS, 0);
    else strbuf_puts(&sb, "<p class=\"empty\">No handle.</p>\n");
    strbuf_puts(&sb, "<h3>Phone numbers by country</h3>\n");
    if (rep->nphone_countries) {
        country_stat **pcs = xcalloc(rep->nphone_countries, sizeof *pcs);
        for (size_t i = 0; i < rep->nphone_countries; i++) pcs[i] = &rep->phone_countries[i];
        h_country_table(&sb, rep, pcs, rep->nphone_countries, "Numbers", 0);
        free(pcs);
    } else {
        strbuf_puts(&sb, "<p class=\"empty\">No phone number with a known country.</p>\n");
    }
    if (rep->phones_no_country)
        strbuf_printf(&sb, "<p class=\"lead\">%zu number%s without a known calling code.</p>\n", rep->phones_no_country,
                      rep->phones_no_country == 1 ? "" : "s");
    strbuf_puts(&sb, "<h3>Links</h3>\n");
    if (rep->nkind[K_LINK]) h_contact_table(&sb, rep, rep->by_kind[K_LINK], rep->nkind[K_LINK], HTML_ROWS, 0);
    else strbuf_puts(&sb, "<p class=\"empty\">No link.</p>\n");
    strbuf_puts(&sb, "</section>\n");

    h_section(&sb, "documents", "Documents", NULL);
    strbuf_printf(&sb, "<p class=\"lead\">%s document%s mentioned in %zu record%s (%zu in flagged records); "
                       "%zu issuing countr%s stated, %zu without a country.</p>\n",
                  fmt_count(a, sizeof a, rep->documents), rep->documents == 1 ? "" : "s", rep->doc_records,
                  rep->doc_records == 1 ? "" : "s", rep->flagged_documents, rep->ndoc_countries,
                  rep->ndoc_countries == 1 ? "y" : "ies", rep->docs_no_country);
    if (rep->documents) {
        strbuf_puts(&sb, "<div class=\"grid21\"><div><h3>By issuing country</h3>\n");
        if (rep->ndoc_countries) h_country_table(&sb, rep, rep->doc_order, rep->ndoc_countries, "Documents", 1);
        else strbuf_puts(&sb, "<p class=\"empty\">No document states its issuing country.</p>\n");
        strbuf_puts(&sb, "</div><div><h3>By type</h3><div class=\"tablewrap\"><table><thead><tr><th>Type</th>"
                         "<th class=\"num\">Mentions</th><th class=\"num\">In flagged records</th></tr></thead><tbody>\n");
        for (size_t i = 0; i < rep->doc_types.count; i++) {
            strbuf_puts(&sb, "<tr><td>");
            h_name(&sb, rep->doc_types.items[i].name);
            strbuf_printf(&sb, "</td><td class=\"num\">%zu</td><td class=\"num\">%zu</td></tr>\n",
                          rep->doc_types.items[i].count, rep->doc_types.items[i].flagged);
        }
        strbuf_puts(&sb, "</tbody></table></div></div></div>\n");
    }
    strbuf_puts(&sb, "</section>\n");

    /* records: the linked ones, then flagged ones, then the rest, up to the cap */
    size_t shown = 0;
    for (size_t i = 0; i < rep->nrecs; i++) shown += rep->recs[i].shown ? 1 : 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < rep->nrecs && shown < MAX_SHOWN_RECORDS; i++) {
            record *r = &rep->recs[i];
            if (r->shown || (pass == 0 && !r->labels)) continue;
            r->shown = 1;
            shown++;
        }
    h_section(&sb, "records", "Records", NULL);
    strbuf_printf(&sb, "<p class=\"lead\">%zu record%s that are flagged or carry a contact or a document, in input order",
                  shown, shown == 1 ? "" : "s");
    if (shown < rep->nrecs) strbuf_printf(&sb, " (%zu more are in the JSON report)", rep->nrecs - shown);
    strbuf_puts(&sb, rep->redact ? ". Identifiers are pseudonymised and evidence texts left out.</p>\n" : ".</p>\n");
    strbuf_puts(&sb, "<div class=\"records\">\n");
    for (size_t i = 0; i < rep->nrecs; i++)
        if (rep->recs[i].shown) h_record(&sb, rep, i);
    strbuf_puts(&sb, "</div></section>\n");

    strbuf_puts(&sb, "<footer><dl>"
                     "<dt>Flagged record</dt><dd>a record with at least one label: crossing offer, document offer or route advice.</dd>"
                     "<dt>Possible facilitator</dt><dd>a handle, phone number or link seen in at least one flagged record, counted once.</dd>"
                     "<dt>Route offered</dt><dd>origin → destination country stated by a flagged record; its prices are the record's prices.</dd>"
                     "<dt>Median, box</dt><dd>the middle price; the box spans the 25th to the 75th percentile.</dd>");
    if (rep->redact)
        strbuf_puts(&sb, "<dt>Redaction</dt><dd>handles, phone numbers, links, senders and chats are shown as keyed hashes "
                         "(BLAKE2b); the same key gives the same pseudonyms.</dd>");
    strbuf_printf(&sb, "</dl><p>Made by offerscan %s from labelled output; offerscan reads only the files it is given and "
                       "never goes online. The labels are a machine's reading of the texts: check the records before acting.</p></footer>\n",
                  OFS_VERSION);

    /* head and header */
    strbuf_puts(&head, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                       "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
                       "<meta name=\"referrer\" content=\"no-referrer\">\n<meta name=\"generator\" content=\"offerscan ");
    strbuf_puts(&head, OFS_VERSION);
    strbuf_puts(&head, "\">\n<title>");
    h_esc(&head, rep->title);
    strbuf_puts(&head, " · offerscan report</title>\n<style>\n");
    for (const char *const *css = page_css; *css; css++) strbuf_puts(&head, *css);
    strbuf_puts(&head, "</style>\n</head>\n<body>\n<main>\n<header class=\"top\"><div><p class=\"eyebrow\">offerscan report</p><h1>");
    h_esc(&head, rep->title);
    strbuf_printf(&head, "</h1><p class=\"sub\">%s records", fmt_count(a, sizeof a, rep->records));
    if (rep->nbuckets) {
        day_name(rep->first_day, a, sizeof a);
        day_name(rep->last_day, b, sizeof b);
        strbuf_printf(&head, " · %s to %s", a, b);
    }
    if (rep->errors) strbuf_printf(&head, " · %zu could not be read", rep->errors);
    if (rep->unreadable) strbuf_printf(&head, " · %zu unreadable lines", rep->unreadable);
    strbuf_puts(&head, "</p></div>");
    if (rep->redact) strbuf_puts(&head, "<span class=\"badge\">Redacted: identifiers are pseudonymised</span>");
    strbuf_puts(&head, "</header>\n<nav class=\"toc\"><a href=\"#incidents\">Incidents</a><a href=\"#time\">Over time</a>"
                       "<a href=\"#routes\">Routes</a><a href=\"#prices\">Prices</a><a href=\"#facilitators\">Facilitators</a>"
                       "<a href=\"#contacts\">Contacts</a><a href=\"#documents\">Documents</a><a href=\"#records\">Records</a></nav>\n");
    fwrite(head.buf, 1, head.len, f);
    fwrite(sb.buf, 1, sb.len, f);
    fputs("</main>\n</body>\n</html>\n", f);
    strbuf_free(&head);
    strbuf_free(&sb);
    return ferror(f) ? -1 : 0;
}

/* offerscan.h: the one public header of liboffscan.
 *
 * offerscan labels already-exported text (posts, messages, ads) as crossing
 * offers, document offers or route advice for irregular migration, and
 * extracts the routes, prices, contacts and documents it states.
 *
 * The life of a run:
 *
 *     ofs_diags *d = ofs_diags_create();
 *     ofs_rules *rules = ofs_rules_load_builtin(d);      // or ofs_rules_load_dir
 *     ofs_scanner *sc = ofs_scanner_create(rules);        // one per thread
 *     const ofs_result *r = ofs_scan(sc, text, len);      // valid until next scan
 *     ... read r, or ofs_result_write_json(r, ...) ...
 *     ofs_scanner_free(sc); ofs_rules_free(rules); ofs_diags_free(d);
 *
 * A rule set is compiled once and is read-only afterwards: any number of
 * scanners, in any number of threads, may share it. A scanner owns all the
 * buffers of one scan and must not be shared between threads.
 *
 * Every span in a result is a pair of byte offsets [start, end) into the
 * original text given to ofs_scan, whatever normalisation happened inside.
 */
#ifndef OFFERSCAN_H
#define OFFERSCAN_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OFS_VERSION "0.1.0"

/* ---- diagnostics -------------------------------------------------------- */

typedef enum { OFS_ERROR = 0, OFS_WARNING = 1 } ofs_severity;

/* One problem found in a rule set or an input: "file:line:column: message".
 * line and column are 1-based; 0 means unknown. */
typedef struct ofs_diag {
    ofs_severity severity;
    const char  *file;
    int          line;
    int          column;
    const char  *message;
} ofs_diag;

typedef struct ofs_diags ofs_diags;

/* Returns an empty list, or NULL when out of memory. Free with ofs_diags_free. */
ofs_diags *ofs_diags_create(void);
/* Frees the list and every string in it. NULL is fine. */
void ofs_diags_free(ofs_diags *d);
/* Number of entries, and number of entries of severity OFS_ERROR. */
size_t ofs_diags_count(const ofs_diags *d);
size_t ofs_diags_errors(const ofs_diags *d);
/* Entry i (0 <= i < count); the pointer is owned by the list. */
const ofs_diag *ofs_diags_get(const ofs_diags *d, size_t i);
/* Prints every entry as "file:line:column: severity: message" to f. */
void ofs_diags_print(const ofs_diags *d, FILE *f);

/* ---- rule sets ---------------------------------------------------------- */

typedef struct ofs_rules ofs_rules;

/* Loads and compiles every rule file, lexicon and config.yaml under dir.
 * Problems are appended to d (which may be NULL). Returns the rule set, or
 * NULL when any error was found. The caller frees it with ofs_rules_free. */
ofs_rules *ofs_rules_load_dir(const char *dir, ofs_diags *d);
/* The same for the rule set built into the library from rules/. */
ofs_rules *ofs_rules_load_builtin(ofs_diags *d);
/* NULL is fine. */
void ofs_rules_free(ofs_rules *rules);

/* Keeps the rule set's compiled prefilter database in the folder dir
 * (created if missing; the parent must exist), to be read back instead of
 * compiled the next time the same rule set is loaded with the same cache:
 * a large rule set then starts in a fraction of the time. An edited rule
 * set compiles afresh under another name; the folder may be emptied at any
 * time. Call it before the first scanner is created. Returns 0, or -1 with
 * errno set when dir is not a folder this process can write to. */
int ofs_rules_set_cache(ofs_rules *rules, const char *dir);

/* Number of rules, and the id of rule i (owned by the rule set). */
size_t ofs_rules_count(const ofs_rules *rules);
const char *ofs_rules_id(const ofs_rules *rules, size_t i);

/* Number of distinct compiled patterns, and pattern i as the PCRE2 regex
 * it became after lexicon expansion and normalisation (owned by rules). */
size_t ofs_rules_pattern_count(const ofs_rules *rules);
const char *ofs_rules_pattern(const ofs_rules *rules, size_t i);
/* The whole rule set, expanded, as JSON text for other tools: thresholds
 * and each rule's id, labels, weight, patterns (name -> regex) and
 * conditions. malloc'd; the caller frees it. */
char *ofs_rules_export_json(const ofs_rules *rules);

/* Runs every rule's examples: a `match` example must make its rule fire,
 * a `no_match` example must not, and an example that states routes or
 * prices must yield exactly those. Each failure is added to d as an error
 * at the example's file:line:column. Returns the number of failures and
 * sets *checked to the number of examples run. */
size_t ofs_rules_check_examples(const ofs_rules *rules, ofs_diags *d, size_t *checked);

/* The labels a rule set knows, in the order they appear in results. */
#define OFS_LABEL_COUNT 3
extern const char *const ofs_label_names[OFS_LABEL_COUNT];
/* Returns the label's index, or -1 when name is not a label. */
int ofs_label_index(const char *name);

/* ---- results ------------------------------------------------------------ */

typedef struct ofs_span { size_t start, end; } ofs_span;

/* One pattern match that made a rule fire. */
typedef struct ofs_match {
    const char *pattern;   /* the pattern's name in its rule */
    ofs_span    span;      /* in the original text */
} ofs_match;

/* One rule that fired. */
typedef struct ofs_evidence {
    const char      *rule_id;
    const char      *label;      /* the label(s) it bears on, comma-separated */
    unsigned         label_mask; /* bit i set: it counts towards ofs_label_names[i] */
    double           weight;     /* negative for negative evidence */
    const ofs_match *matches;
    size_t           match_count;
} ofs_evidence;

typedef struct ofs_place {
    char        country[3];   /* ISO 3166-1 alpha-2, "" when unknown */
    const char *place;        /* English exonym, or NULL for a country */
    ofs_span    span;
} ofs_place;

typedef struct ofs_route {
    int       has_from;       /* 0: a lone destination, "from": null */
    ofs_place from, to;
} ofs_route;

typedef struct ofs_price {
    double   amount;
    double   amount_max;      /* meaningful only when has_max */
    int      has_max;
    char     currency[4];     /* ISO 4217 */
    ofs_span span;
} ofs_price;

typedef enum { OFS_CONTACT_PHONE, OFS_CONTACT_HANDLE, OFS_CONTACT_LINK } ofs_contact_kind;

typedef struct ofs_contact {
    ofs_contact_kind kind;
    const char      *value;    /* E.164 for phones, "@name" for handles, the URL */
    char             country[3]; /* a phone's calling-code country, "" otherwise */
    ofs_span         span;
} ofs_contact;

typedef struct ofs_document {
    const char *type;          /* passport, id_card, visa, residence_permit, driving_licence */
    char        country[3];    /* issuing country, "" when not stated */
    ofs_span    span;
} ofs_document;

/* A rule that did not fire although some of its conditions held: the
 * "why not" of explain. Only filled when the scanner's explain mode is on. */
typedef struct ofs_near_miss {
    const char *rule_id;
    const char *label;
    double      weight;
    const char *why;          /* e.g. "all: pattern 'price' did not match" */
} ofs_near_miss;

/* The result of one scan. Owned by the scanner; valid until its next scan. */
typedef struct ofs_result {
    int                 labelled[OFS_LABEL_COUNT];  /* 1 when the label is given */
    double              score[OFS_LABEL_COUNT];
    double              threshold[OFS_LABEL_COUNT];
    const ofs_evidence *evidence;
    size_t              evidence_count;
    const ofs_route    *routes;
    size_t              route_count;
    const ofs_price    *prices;
    size_t              price_count;
    const ofs_contact  *contacts;
    size_t              contact_count;
    const ofs_document *documents;
    size_t              document_count;
    int                 invalid_utf8;   /* the text had bytes that are not UTF-8 */
    const char *const  *notes;          /* e.g. a pattern that hit its match limit */
    size_t              note_count;
    const ofs_near_miss *near_misses;   /* explain mode only */
    size_t              near_miss_count;
} ofs_result;

/* ---- scanning ----------------------------------------------------------- */

typedef struct ofs_scanner ofs_scanner;

/* Returns a scanner over rules (which must outlive it), or NULL when out of
 * memory. One scanner per thread. Free with ofs_scanner_free. */
ofs_scanner *ofs_scanner_create(const ofs_rules *rules);
/* NULL is fine. */
void ofs_scanner_free(ofs_scanner *sc);

/* With on != 0, later scans also list near misses (costs time: off by
 * default). */
void ofs_scanner_set_explain(ofs_scanner *sc, int on);
/* With on == 0, every pattern is confirmed by PCRE2 without the Hyperscan
 * prefilter (the results are the same; for testing and comparison). */
void ofs_scanner_set_prefilter(ofs_scanner *sc, int on);

/* Scans text[0..len) (any bytes; invalid UTF-8 is tolerated and flagged).
 * Returns the result, owned by the scanner and valid until the next call,
 * or NULL when out of memory. */
const ofs_result *ofs_scan(ofs_scanner *sc, const char *text, size_t len);

/* The normalised text of the last scan (NUL-terminated, owned by the
 * scanner), and the original span of normalised bytes [start, end). */
const char *ofs_scanner_normalized(const ofs_scanner *sc, size_t *len);
ofs_span ofs_scanner_orig_span(const ofs_scanner *sc, size_t start, size_t end);

/* ---- reading records ---------------------------------------------------- */

typedef enum {
    OFS_FORMAT_AUTO,       /* detect from the content */
    OFS_FORMAT_JSONL,
    OFS_FORMAT_TEXT,       /* one record per line (or per file with whole_file) */
    OFS_FORMAT_CSV,
    OFS_FORMAT_TSV,
    OFS_FORMAT_TELEGRAM,   /* Telegram Desktop's result.json */
    OFS_FORMAT_WHATSAPP,   /* WhatsApp's exported chat .txt */
} ofs_format;

typedef struct ofs_read_options {
    ofs_format  format;
    const char *text_field;   /* dotted path or column name, default "text" */
    const char *id_field;     /* dotted path or column name, default "id" */
    int         whole_file;   /* text format: one record per file */
} ofs_read_options;

/* One input record. Everything is owned by the reader and valid until its
 * next call. */
typedef struct ofs_record {
    const char *id_json;      /* the id as JSON (a string or number), or NULL;
                               * in text format, the line number */
    const char *text;         /* the text, NULL when error is set */
    size_t      len;
    const char *file;         /* input name ("-" for standard input) */
    size_t      line;         /* 1-based line number where the record starts */
    const char *source_json;  /* metadata as a JSON object text (chat, date,
                               * sender, row...), or NULL */
    const char *error;        /* set when the record could not be read */
} ofs_record;

typedef struct ofs_reader ofs_reader;

/* Opens path (NULL or "-" for standard input). Returns the reader, or NULL
 * after adding an error naming the file to d. Close with ofs_reader_close. */
ofs_reader *ofs_reader_open(const char *path, const ofs_read_options *opt, ofs_diags *d);
/* The same over the bytes data[0..len), which must outlive the reader;
 * name is what records and errors call the input (NULL: "-"). */
ofs_reader *ofs_reader_open_buffer(const char *data, size_t len, const char *name, const ofs_read_options *opt,
                                   ofs_diags *d);
/* The format being read: the one asked for, or the one detected for
 * OFS_FORMAT_AUTO (never OFS_FORMAT_AUTO). */
ofs_format ofs_reader_format(const ofs_reader *r);
/* A format's name as --format spells it ("auto", "jsonl", "text", "csv",
 * "tsv", "telegram", "whatsapp"), and back: ofs_format_parse returns 0 and
 * sets *out, or -1 for an unknown name. */
const char *ofs_format_name(ofs_format f);
int ofs_format_parse(const char *name, ofs_format *out);
/* Reads the next record into *rec. Returns 1 for a record (which may carry
 * an error: a malformed line still yields one record), 0 at the end, -1 on
 * a read error (added to the reader's diagnostics list). */
int ofs_reader_next(ofs_reader *r, ofs_record *rec);
/* The input's size in bytes when known (a regular file), else 0; and the
 * bytes consumed so far. For progress reports. */
size_t ofs_reader_size(const ofs_reader *r);
size_t ofs_reader_offset(const ofs_reader *r);
void ofs_reader_close(ofs_reader *r);

/* ---- writing results ---------------------------------------------------- */

/* Returns one JSON Lines object (no newline) for the result of scanning
 * rec: id, labels, scores, routes, prices, contacts, documents, evidence,
 * source, and error / notes when there are any. When r is NULL (a record
 * that could not be read) the object carries rec's error and empty lists.
 * The string is malloc'd; the caller frees it. */
char *ofs_result_to_jsonl(const ofs_result *r, const ofs_record *rec);

/* CSV or TSV output, one row per record, for spreadsheets: the columns are
 * id, labels (";"-separated), one score per label, the first route
 * (route_from, route_from_country, route_to, route_to_country), the first
 * price (price_amount, price_amount_max, price_currency), invalid_utf8,
 * file, line, source (the record's metadata as JSON) and error. A field is
 * quoted when it holds the delimiter, a quote or a line break, and a text
 * field that a spreadsheet would run as a formula (=, +, -, @ first) gets
 * a leading "'". ctx points to an ofs_csv_dialect (NULL: CSV). */
typedef struct ofs_csv_dialect {
    char delimiter;           /* ',' for CSV, '\t' for TSV */
} ofs_csv_dialect;
/* The header row (no newline), malloc'd; the caller frees it. */
char *ofs_csv_header(const ofs_csv_dialect *dialect);
/* One row (no newline) for the result of scanning rec, as ofs_result_to_jsonl
 * (r is NULL for a record that could not be read). An ofs_format_fn: pass
 * it to ofs_batch_run with a dialect as ctx. malloc'd; the caller frees it. */
char *ofs_result_to_csv(const ofs_result *r, const ofs_record *rec, void *ctx);

/* A function that turns one result into one output line (no newline),
 * malloc'd: ofs_result_to_jsonl, or a CSV/TSV row writer. ctx is passed
 * through. It is called from worker threads, so it must not touch shared
 * state. */
typedef char *(*ofs_format_fn)(const ofs_result *r, const ofs_record *rec, void *ctx);

/* ---- batches: many records, many threads, input order kept -------------- */

typedef struct ofs_batch_options {
    int threads;          /* worker threads; 0 = all cores */
    int progress;         /* 1: a progress line on stderr (only if it is a terminal) */
    int no_prefilter;     /* 1: PCRE2 alone, without the Hyperscan prefilter */
} ofs_batch_options;

typedef struct ofs_batch_stats {
    size_t records;       /* records read (= lines written) */
    size_t record_errors; /* records that carried an error */
    size_t bytes;         /* input bytes */
} ofs_batch_stats;

/* Scans every record of reader with rules in worker threads, each with its
 * own scanner, and writes format(result) plus a newline to out, in input
 * order, with bounded memory. Returns 0; -1 when the output could not be
 * written (errno is kept); -2 when the input could not be read (the error
 * is in the reader's diagnostics). stats may be NULL. */
int ofs_batch_run(const ofs_rules *rules, ofs_reader *reader, const ofs_batch_options *opt, ofs_format_fn format,
                  void *format_ctx, FILE *out, ofs_batch_stats *stats);

/* ---- evaluation against gold records ------------------------------------ */

/* Scores a rule set on gold records in the format of ANNOTATION.md:
 * per-label and flagged precision/recall/F1, macro-F1, route and price F1,
 * a per-language table and a per-rule analysis. */
typedef struct ofs_eval ofs_eval;

/* Returns an empty evaluation over rules (which must outlive it). */
ofs_eval *ofs_eval_create(const ofs_rules *rules);
void ofs_eval_free(ofs_eval *e);

/* Labels every gold record of path and adds it to the evaluation. Returns
 * 0, or -1 after adding errors (file:line:column) to d; a malformed gold
 * line is an error, never skipped silently. */
int ofs_eval_add_file(ofs_eval *e, const char *path, ofs_diags *d);

/* A metric of the whole evaluation: "macro_f1", "flagged_f1", "route_f1",
 * "price_f1", "<label>_f1", ... Returns -1 for an unknown name. */
double ofs_eval_metric(const ofs_eval *e, const char *name);

/* The full report as JSON text (malloc'd; the caller frees it). */
char *ofs_eval_report_json(const ofs_eval *e);

/* Prints the report for a person: metrics, the per-language table, the
 * per-rule analysis and (with errors != 0) the false positives and false
 * negatives with the evidence that fired. */
void ofs_eval_print(const ofs_eval *e, FILE *f, int errors);

/* Per-record outcome, for comparing two rule sets (offerscan diff). */
size_t ofs_eval_record_count(const ofs_eval *e);
const char *ofs_eval_record_id(const ofs_eval *e, size_t i);
const char *ofs_eval_record_text(const ofs_eval *e, size_t i);
unsigned ofs_eval_record_gold(const ofs_eval *e, size_t i);       /* label bit mask */
unsigned ofs_eval_record_predicted(const ofs_eval *e, size_t i);  /* label bit mask */
/* The ids of the rules that fired on record i, comma-separated (owned by e). */
const char *ofs_eval_record_rules(const ofs_eval *e, size_t i);

/* ---- reports: what a labelled batch holds, at a glance (report.c) -------- */

/* Sums up labelled output: incidents per label and language, distinct
 * handles, links and phone numbers (with their countries), possible
 * facilitators (contacts seen in a flagged record, i.e. one with a label),
 * documents and their issuing countries, routes offered with their prices
 * (min, quartiles, median, max per route and currency) and all of it over
 * time when records carry a source.date. Written as a terminal summary, as
 * JSON, or as one self-contained HTML page with inline SVG charts.
 *
 *     ofs_report *rep = ofs_report_create(&opt, d);
 *     for each line of `offerscan label` output: ofs_report_add_line(rep, ...);
 *     ofs_report_write_html(rep, f);
 *     ofs_report_free(rep);
 */
typedef struct ofs_report ofs_report;

typedef struct ofs_report_options {
    const char *title;        /* what the batch is, e.g. the input's name; NULL: "offerscan report" */
    int         redact;       /* 1: show handles, phone numbers, links, senders and chats only as
                               * pseudonyms, keyed hashes such as "@h:3f9a2c1b", "+tel:8c01d2e4" */
    const char *redact_key;   /* the key for redact: 8 bytes or more; copied (hashed) at create */
} ofs_report_options;

/* Returns an empty report, or NULL after adding an error to d when the
 * options cannot be used: redact without a key, a key shorter than 8
 * bytes, or libsodium failing to start. opt may be NULL (no redaction).
 * The caller frees the report with ofs_report_free. */
ofs_report *ofs_report_create(const ofs_report_options *opt, ofs_diags *d);

/* Adds one line of `offerscan label` output, json[0..len) (gold records of
 * ANNOTATION.md work too), read from file at line_no (for messages only).
 * Returns 0 when the record was added; 1 when it carries an "error" (it is
 * counted as such, not analysed); -1 when the line is not a JSON object with
 * a "labels" list: an error naming file:line:column is added to d (which may
 * be NULL) and the line is counted as unreadable. */
int ofs_report_add_line(ofs_report *rep, const char *json, size_t len, const char *file, size_t line_no,
                        ofs_diags *d);

/* Write the report to f: a summary table for a terminal; every figure as
 * one JSON object; or one HTML page with no external resource (no network,
 * scripts or fonts), every text from the records escaped. Records may be
 * added after a write, and the report written again. Each returns 0, or -1
 * when writing to f failed (ferror). */
int ofs_report_write_text(ofs_report *rep, FILE *f);
int ofs_report_write_json(ofs_report *rep, FILE *f);
int ofs_report_write_html(ofs_report *rep, FILE *f);

/* Frees the report and everything it holds, wiping the redaction key.
 * NULL is fine. */
void ofs_report_free(ofs_report *rep);

#ifdef __cplusplus
}
#endif
#endif

/* read_whatsapp.c: WhatsApp's exported chat (.txt), one record per message.
 *
 * A message starts on a line with a timestamp; the lines after it, up to
 * the next timestamp, continue it and are joined with "\n":
 *
 *     12/03/2024, 21:15 - Amina: Boat on Friday      Android, 24 h
 *     3/12/24, 9:15 PM - Amina: Boat on Friday       Android, 12 h (US dates)
 *     12.03.24, 21:15 - Amina: Boat on Friday        Android, dotted dates
 *     [12/03/2024, 21:15:03] Amina: Boat on Friday   iOS
 *     [12.03.24, 9:15:03 PM] Amina: Boat on Friday   iOS, 12 h
 *     still the same message                         a continuation line
 *
 * The timestamp is recognised by one PCRE2 pattern (see TIMESTAMP below):
 * a date of three numbers separated by "/", "." or "-" in any order
 * (day-month or month-day is not guessed: the date is kept as written), a
 * time with or without seconds, an optional AM/PM (also "a. m.", with a
 * narrow no-break space as newer exports write it), then "] " on iOS or
 * " - " on Android. iOS marks some lines with a left-to-right mark (U+200E)
 * before the "[".
 *
 * After the timestamp comes "Sender: text". A line without "Sender: " is a
 * system line ("Messages and calls are end-to-end encrypted...", "Amina
 * added Omar"), and so is an iOS line whose text starts with U+200E while
 * the line itself does not (iOS writes system lines as "Chat name:
 * \u200eMessages and calls..."): both are records whose sender is null.
 * Lines before the first timestamp, if any, form one record with no date
 * and no sender. The record's id is the line where the message starts; its
 * source has "date" (as written, e.g. "12/03/2024, 21:15") and "sender".
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "read_internal.h"

/* Group 1: the "[" of iOS; group 2: the date and time as written. */
static const char TIMESTAMP[] =
    "^(?:\\x{FEFF}|\\x{200E}|\\x{200F})*"
    "(\\[)?"
    "(\\d{1,4}[./-]\\d{1,2}[./-]\\d{1,4},?[ \\x{A0}\\x{202F}]\\d{1,2}[:.]\\d{2}(?:[:.]\\d{2})?"
    "(?:[ \\x{A0}\\x{202F}]?[AaPp]\\.?[ \\x{A0}\\x{202F}]?[Mm]\\.?)?)"
    "(?(1)\\][ \\x{A0}\\x{202F}]?|[ \\x{A0}\\x{202F}][-\\x{2013}][ \\x{A0}\\x{202F}])";

/* Longest sender name accepted before ": ". */
#define SENDER_MAX 100

typedef struct wa_pattern {
    pcre2_code       *code;
    pcre2_match_data *md;
} wa_pattern;

static int pattern_init(wa_pattern *p)
{
    int err;
    PCRE2_SIZE off;
    p->code = pcre2_compile((PCRE2_SPTR)TIMESTAMP, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &err,
                            &off, NULL);
    if (!p->code) return -1;
    pcre2_jit_compile(p->code, PCRE2_JIT_COMPLETE);
    p->md = pcre2_match_data_create_from_pattern(p->code, NULL);
    return 0;
}

static void pattern_free(wa_pattern *p)
{
    pcre2_match_data_free(p->md);
    pcre2_code_free(p->code);
}

/* Matches a timestamp at the start of s[0..n). Returns 1 and fills the
 * offsets: ios (1 for "[...]"), the timestamp text, and where the rest of
 * the line starts. */
static int match_timestamp(wa_pattern *p, const char *s, size_t n, int *ios, size_t *ts_start, size_t *ts_end,
                           size_t *rest)
{
    /* A cheap test first: a timestamp line starts with a digit, "[" or a mark. */
    if (n < 10) return 0;
    unsigned char c0 = (unsigned char)s[0];
    if (!(c0 == '[' || (c0 >= '0' && c0 <= '9') || c0 == 0xE2 || c0 == 0xEF)) return 0;
    int rc = pcre2_match(p->code, (PCRE2_SPTR)s, n, 0, 0, p->md, NULL);
    if (rc < 0) return 0;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(p->md);
    *ios = ov[2] != PCRE2_UNSET;
    *ts_start = ov[4];
    *ts_end = ov[5];
    *rest = ov[1];
    return 1;
}

int whatsapp_line_starts_message(const char *s, size_t n)
{
    wa_pattern p;
    if (pattern_init(&p) != 0) return 0;
    int ios;
    size_t a, b, rest;
    int ok = match_timestamp(&p, s, n, &ios, &a, &b, &rest);
    pattern_free(&p);
    return ok;
}

/* The message being gathered. */
typedef struct wa_message {
    int    active;
    size_t line;
    char  *date;      /* NULL before the first timestamp */
    char  *sender;    /* NULL for a system line */
    strbuf text;
} wa_message;

typedef struct wa_state {
    wa_pattern pattern;
    wa_message cur;
    int        at_end;
} wa_state;

static void message_clear(wa_message *m)
{
    free(m->date);
    free(m->sender);
    m->date = m->sender = NULL;
    strbuf_reset(&m->text);
    m->active = 0;
}

static const char LRM[] = "\xE2\x80\x8E";

/* Starts a message from a timestamped line. */
static void message_start(wa_message *m, size_t line_no, const char *s, size_t n, int ios, size_t ts_start,
                          size_t ts_end, size_t rest)
{
    message_clear(m);
    m->active = 1;
    m->line = line_no;
    m->date = xstrndup(s + ts_start, ts_end - ts_start);
    const char *body = s + rest;
    size_t blen = n - rest;
    size_t colon = 0;
    int found = 0;
    for (size_t i = 0; i < blen && i <= SENDER_MAX; i++) {
        if (body[i] == ':' && (i + 1 == blen || body[i + 1] == ' ')) {
            colon = i;
            found = i > 0;
            break;
        }
    }
    if (!found) { /* a system line */
        strbuf_append(&m->text, body, blen);
        return;
    }
    size_t start = colon + 1 < blen ? colon + 2 : blen;
    const char *msg = body + start;
    size_t mlen = blen - start;
    int line_marked = n >= 3 && memcmp(s, LRM, 3) == 0;
    if (ios && !line_marked && mlen >= 3 && memcmp(msg, LRM, 3) == 0) { /* an iOS system line */
        strbuf_append(&m->text, msg, mlen);
        return;
    }
    m->sender = xstrndup(body, colon);
    strbuf_append(&m->text, msg, mlen);
}

static char *json_str_or_null(const char *s)
{
    return s ? rd_json_string(s, strlen(s)) : xstrdup("null");
}

/* Hands the gathered message out as the record. */
static void message_emit(ofs_reader *r, wa_message *m, ofs_record *rec)
{
    rd_begin(r, rec, m->line);
    rd_set_id(r, rec, xasprintf("%zu", m->line));
    char *date = json_str_or_null(m->date), *sender = json_str_or_null(m->sender);
    rd_set_source(r, rec, xasprintf("{\"date\":%s,\"sender\":%s}", date, sender));
    free(date);
    free(sender);
    /* Swap the gathered text into the record's storage: no copy. */
    strbuf t = r->text;
    r->text = m->text;
    m->text = t;
    strbuf_reset(&m->text);
    if (!r->text.buf) strbuf_append(&r->text, "", 0);
    rec->text = r->text.buf;
    rec->len = r->text.len;
    m->active = 0;
}

static int whatsapp_next(ofs_reader *r, ofs_record *rec)
{
    wa_state *st = r->state;
    if (st->at_end) return 0;
    /* The next message starts on a line already read: keep it aside. */
    wa_message next = {0};
    for (;;) {
        const char *line;
        size_t n;
        int rc = rd_line(r, &line, &n, 1);
        if (rc < 0) {
            strbuf_free(&next.text);
            return -1;
        }
        if (rc == 0) {
            st->at_end = 1;
            strbuf_free(&next.text);
            if (!st->cur.active) return 0;
            message_emit(r, &st->cur, rec);
            return 1;
        }
        int ios;
        size_t a, b, rest;
        if (match_timestamp(&st->pattern, line, n, &ios, &a, &b, &rest)) {
            if (!st->cur.active) {
                message_start(&st->cur, r->line_no, line, n, ios, a, b, rest);
                continue;
            }
            message_start(&next, r->line_no, line, n, ios, a, b, rest);
            message_emit(r, &st->cur, rec);
            message_clear(&st->cur);
            strbuf_free(&st->cur.text);
            st->cur = next;
            return 1;
        }
        if (!st->cur.active) { /* text before the first timestamp */
            size_t k = 0;
            while (k < n && (line[k] == ' ' || line[k] == '\t')) k++;
            if (k == n) continue; /* blank lines before it are not a record */
            message_clear(&st->cur);
            st->cur.active = 1;
            st->cur.line = r->line_no;
            strbuf_append(&st->cur.text, line, n);
            continue;
        }
        strbuf_putc(&st->cur.text, '\n');
        strbuf_append(&st->cur.text, line, n);
    }
}

static int whatsapp_open(ofs_reader *r)
{
    wa_state *st = xcalloc(1, sizeof *st);
    if (pattern_init(&st->pattern) != 0) {
        free(st);
        diag_add(r->diags, OFS_ERROR, r->name, 0, 0, "internal error: the WhatsApp timestamp pattern does not compile");
        return -1;
    }
    r->state = st;
    return 0;
}

static void whatsapp_close(ofs_reader *r)
{
    wa_state *st = r->state;
    if (!st) return;
    message_clear(&st->cur);
    strbuf_free(&st->cur.text);
    pattern_free(&st->pattern);
    free(st);
    r->state = NULL;
}

const reader_format read_whatsapp_format = {"whatsapp", whatsapp_open, whatsapp_next, whatsapp_close, NULL, NULL};

/* batch.c: labelling a stream of records in worker threads, output in
 * input order, in bounded memory.
 *
 * The reading thread (the caller's) cuts the input into chunks of records
 * (at most CHUNK_RECORDS records or CHUNK_BYTES bytes of text), copying each
 * record into the chunk's own arena. A fixed ring of 2 x threads + 1 chunks
 * is shared with the workers: a worker takes the oldest filled chunk, scans
 * every record with its own scanner (the rule set is read-only and shared),
 * and formats the output lines into the chunk. The reading thread writes
 * finished chunks strictly in sequence, then reuses their slots. So memory
 * is bounded by the ring, whatever the input size, and output order is
 * input order.
 *
 * Parsing a JSON Lines record costs about a seventh of scanning it (jansson,
 * ~24k against ~173k instructions), so one reading thread that parses can
 * feed about seven workers and no more. When SPLIT_MIN_THREADS or more
 * workers have every core, the reading thread only cuts the lines out and
 * each worker parses its own (rd_parse_line); otherwise the reading thread
 * parses, on a core the workers leave it or in the time they leave it.
 * Either way the records, their errors and the output are the same. (With
 * 2 workers on 2 cores, parsing in the workers measured 4% slower: 4.07 and
 * 4.20 s against 3.91 and 3.92 s on 20 MB.)
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "offerscan.h"
#include "read_internal.h"
#include "rules.h"
#include "util.h"

#define CHUNK_RECORDS 256
#define SPLIT_MIN_THREADS 4
#define CHUNK_BYTES (1u << 20)

typedef enum { SLOT_FREE, SLOT_FILLED, SLOT_BUSY, SLOT_DONE } slot_state;

/* A record inside a chunk: offsets into the chunk's arena (-1: absent).
 * When unparsed is set, text is the record's line, which the worker parses. */
typedef struct chunk_record {
    long   id, text, source, error;
    size_t len, line;
    const char *file;
    int    unparsed;
} chunk_record;

typedef struct chunk {
    slot_state    state;
    size_t        seq;
    chunk_record *records;
    size_t        count, cap;
    strbuf        arena;
    strbuf        output;
    size_t        parse_errors;  /* unparsed records the worker found unreadable */
} chunk;

typedef struct batch {
    const ofs_rules *rules;
    const ofs_reader *reader;
    int              split;             /* workers parse the records' lines */
    ofs_format_fn    format;
    void            *format_ctx;
    chunk           *ring;
    size_t           ring_size;
    size_t           next_to_process;   /* seq of the oldest filled chunk */
    int              finished;          /* no more input */
    int              no_prefilter;
    pthread_mutex_t  lock;
    pthread_cond_t   filled;            /* a chunk was filled, or input ended */
    pthread_cond_t   done;              /* a chunk was processed */
} batch;

static long arena_add(strbuf *arena, const char *s, size_t n)
{
    if (!s) return -1;
    long off = (long)arena->len;
    strbuf_append(arena, s, n);
    strbuf_putc(arena, '\0');
    return off;
}

static const char *arena_get(const strbuf *arena, long off)
{
    return off < 0 ? NULL : arena->buf + off;
}

static void chunk_add(chunk *c, const ofs_record *rec)
{
    chunk_record cr = {
        arena_add(&c->arena, rec->id_json, rec->id_json ? strlen(rec->id_json) : 0),
        arena_add(&c->arena, rec->text, rec->len),
        arena_add(&c->arena, rec->source_json, rec->source_json ? strlen(rec->source_json) : 0),
        arena_add(&c->arena, rec->error, rec->error ? strlen(rec->error) : 0),
        rec->len, rec->line, rec->file, 0,
    };
    VEC_PUSH(c->records, c->count, c->cap, cr);
}

static void chunk_add_line(chunk *c, const char *line, size_t len, size_t line_no)
{
    chunk_record cr = {-1, arena_add(&c->arena, line, len), -1, -1, len, line_no, NULL, 1};
    VEC_PUSH(c->records, c->count, c->cap, cr);
}

/* parser: the thread's own (rd_parser_create), for unparsed records */
static void chunk_process(batch *b, chunk *c, ofs_scanner *sc, ofs_reader *parser)
{
    strbuf_reset(&c->output);
    c->parse_errors = 0;
    for (size_t i = 0; i < c->count; i++) {
        const chunk_record *cr = &c->records[i];
        ofs_record rec = {arena_get(&c->arena, cr->id), arena_get(&c->arena, cr->text), cr->len, cr->file, cr->line,
                          arena_get(&c->arena, cr->source), arena_get(&c->arena, cr->error)};
        if (cr->unparsed) {
            rd_parse_line(parser, rec.text, rec.len, cr->line, &rec);
            if (rec.error) c->parse_errors++;
        }
        const ofs_result *res = rec.error ? NULL : ofs_scan(sc, rec.text, rec.len);
        char *line = b->format(res, &rec, b->format_ctx);
        strbuf_puts(&c->output, line);
        strbuf_putc(&c->output, '\n');
        free(line);
    }
}

static void *worker_main(void *arg)
{
    batch *b = arg;
    ofs_scanner *sc = ofs_scanner_create(b->rules);
    ofs_scanner_set_prefilter(sc, !b->no_prefilter);
    ofs_reader *parser = b->split ? rd_parser_create(b->reader) : NULL;
    pthread_mutex_lock(&b->lock);
    for (;;) {
        chunk *c = &b->ring[b->next_to_process % b->ring_size];
        if (c->state == SLOT_FILLED && c->seq == b->next_to_process) {
            c->state = SLOT_BUSY;
            b->next_to_process++;
            pthread_mutex_unlock(&b->lock);
            chunk_process(b, c, sc, parser);
            pthread_mutex_lock(&b->lock);
            c->state = SLOT_DONE;
            pthread_cond_broadcast(&b->done);
            continue;
        }
        if (b->finished) break;
        pthread_cond_wait(&b->filled, &b->lock);
    }
    pthread_mutex_unlock(&b->lock);
    ofs_scanner_free(sc);
    ofs_reader_close(parser);
    return NULL;
}

static char *format_jsonl(const ofs_result *r, const ofs_record *rec, void *ctx)
{
    (void)ctx;
    return ofs_result_to_jsonl(r, rec);
}

static int default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)(n > 256 ? 256 : n) : 1;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct progress {
    int    on;
    double start, last;
} progress;

static void progress_show(progress *p, const ofs_reader *rd, size_t records, int final)
{
    if (!p->on) return;
    double t = now_seconds();
    if (!final && t - p->last < 0.25) return;
    p->last = t;
    double mb = (double)ofs_reader_offset(rd) / 1e6, secs = t - p->start;
    double rate = secs > 0 ? mb / secs : 0;
    size_t size = ofs_reader_size(rd);
    fprintf(stderr, "\r%zu records, %.1f MB, %.1f MB/s", records, mb, rate);
    if (size > 0) {
        double frac = (double)ofs_reader_offset(rd) / (double)size;
        double eta = rate > 0 ? ((double)size / 1e6 - mb) / rate : 0;
        fprintf(stderr, ", %3.0f%%, ETA %d:%02d", frac * 100, (int)eta / 60, (int)eta % 60);
    }
    fprintf(stderr, final ? "\n" : "   ");
    fflush(stderr);
}

int ofs_batch_run(const ofs_rules *rules, ofs_reader *reader, const ofs_batch_options *opt, ofs_format_fn format,
                  void *format_ctx, FILE *out, ofs_batch_stats *stats)
{
    int threads = opt && opt->threads > 0 ? opt->threads : default_threads();
    batch b = {.rules = rules, .reader = reader, .split = rd_can_split(reader) && threads >= default_threads() && threads >= SPLIT_MIN_THREADS,
               .format = format ? format : format_jsonl, .format_ctx = format_ctx,
               .ring_size = (size_t)threads * 2 + 1, .no_prefilter = opt ? opt->no_prefilter : 0};
    pthread_mutex_init(&b.lock, NULL);
    pthread_cond_init(&b.filled, NULL);
    pthread_cond_init(&b.done, NULL);
    b.ring = xcalloc(b.ring_size, sizeof *b.ring);
    /* compiled before the workers start, so that the compile may use their
     * cores (each worker's scanner would otherwise compile it in one) */
    if (!b.no_prefilter) rules_prefilter_threads(rules, threads);
    pthread_t *workers = xcalloc((size_t)threads, sizeof *workers);
    int started = 0; /* workers[0..started) run; with none, chunks are processed inline */
    while (started < threads && pthread_create(&workers[started], NULL, worker_main, &b) == 0) started++;
    progress prog = {opt && opt->progress && isatty(fileno(stderr)), now_seconds(), 0};
    ofs_batch_stats st = {0, 0, 0};
    size_t next_seq = 0, next_write = 0;
    int rc = 0, eof = 0;
    ofs_scanner *inline_scanner = started ? NULL : ofs_scanner_create(rules);
    if (inline_scanner) ofs_scanner_set_prefilter(inline_scanner, !b.no_prefilter);
    ofs_reader *inline_parser = inline_scanner && b.split ? rd_parser_create(reader) : NULL;

    while (!eof || next_write < next_seq) {
        /* Fill the next slot if it is free. */
        chunk *c = &b.ring[next_seq % b.ring_size];
        pthread_mutex_lock(&b.lock);
        int free_slot = !eof && c->state == SLOT_FREE;
        pthread_mutex_unlock(&b.lock);
        if (free_slot) {
            c->count = 0;
            strbuf_reset(&c->arena);
            int got = 0;
            while (c->count < CHUNK_RECORDS && c->arena.len < CHUNK_BYTES) {
                if (b.split) {
                    const char *line;
                    size_t len, line_no;
                    if ((got = rd_next_line(reader, &line, &len, &line_no)) != 1) break;
                    chunk_add_line(c, line, len, line_no);
                } else {
                    ofs_record rec;
                    if ((got = ofs_reader_next(reader, &rec)) != 1) break;
                    chunk_add(c, &rec);
                    if (rec.error) st.record_errors++;
                }
                st.records++;
            }
            if (got != 1) eof = 1;
            if (got < 0) rc = -2;
            if (c->count) {
                pthread_mutex_lock(&b.lock);
                c->seq = next_seq++;
                c->state = SLOT_FILLED;
                pthread_cond_broadcast(&b.filled);
                pthread_mutex_unlock(&b.lock);
                if (!started) {
                    chunk_process(&b, c, inline_scanner, inline_parser);
                    c->state = SLOT_DONE;
                    b.next_to_process++;
                }
            }
            progress_show(&prog, reader, st.records, 0);
            continue;
        }
        /* Otherwise write the oldest chunk once it is done. */
        chunk *w = &b.ring[next_write % b.ring_size];
        pthread_mutex_lock(&b.lock);
        while (w->state != SLOT_DONE) pthread_cond_wait(&b.done, &b.lock);
        pthread_mutex_unlock(&b.lock);
        if (rc != -1 && w->output.len && fwrite(w->output.buf, 1, w->output.len, out) != w->output.len) {
            rc = -1; /* stop reading; what is in flight is drained, not written */
            eof = 1;
        }
        st.record_errors += w->parse_errors;
        pthread_mutex_lock(&b.lock);
        w->state = SLOT_FREE;
        pthread_mutex_unlock(&b.lock);
        next_write++;
    }
    pthread_mutex_lock(&b.lock);
    b.finished = 1;
    pthread_cond_broadcast(&b.filled);
    pthread_mutex_unlock(&b.lock);
    for (int i = 0; i < started; i++) pthread_join(workers[i], NULL);
    progress_show(&prog, reader, st.records, 1);
    if (rc == 0 && fflush(out) != 0) rc = -1;
    st.bytes = ofs_reader_offset(reader);
    if (stats) *stats = st;
    for (size_t i = 0; i < b.ring_size; i++) {
        free(b.ring[i].records);
        strbuf_free(&b.ring[i].arena);
        strbuf_free(&b.ring[i].output);
    }
    free(b.ring);
    free(workers);
    ofs_scanner_free(inline_scanner);
    ofs_reader_close(inline_parser);
    pthread_mutex_destroy(&b.lock);
    pthread_cond_destroy(&b.filled);
    pthread_cond_destroy(&b.done);
    return rc;
}

/* cmd_label.c: `offerscan label`: one output record per input record.
 *
 * Inputs are read in the format given by --format or detected from their
 * content; the output is JSON Lines, or CSV/TSV with --output-format.
 * With --output FILE the output goes to a temporary file in FILE's
 * directory that is renamed to FILE only when the run is complete, so a
 * failed or interrupted run never leaves a half-written FILE.
 *
 * Exit codes (cli.h, README.md): 0 done; 2 bad command line; 3 rules not
 * loaded; 4 an input missing or unreadable, or the output not writable
 * (a closed pipe included: SIGPIPE is ignored and EPIPE reported); 5 the
 * run finished but some records carry an "error".
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

enum {
    OPT_TEXT_FIELD = 256, OPT_ID_FIELD, OPT_FORMAT, OPT_THREADS, OPT_QUIET, OPT_NO_PREFILTER, OPT_WHOLE_FILE,
    OPT_OUTPUT_FORMAT, OPT_CACHE,
};

static const cli_option label_options[] = {
    {"rules", 'r', "DIR", "load the rule set from DIR instead of the built-in one"},
    {"format", OPT_FORMAT, "FMT", "input format: auto (default), jsonl, text, csv, tsv, telegram, whatsapp"},
    {"text-field", OPT_TEXT_FIELD, "F", "JSON field (dotted for nesting) or CSV column of the text (default: text)"},
    {"id-field", OPT_ID_FIELD, "F", "JSON field or CSV column of the record id (default: id)"},
    {"whole-file", OPT_WHOLE_FILE, NULL, "text: one record per file (FILE may be a directory)"},
    {"output-format", OPT_OUTPUT_FORMAT, "FMT", "jsonl (default), csv or tsv: one row per record with a header"},
    {"output", 'o', "FILE", "write to FILE, replacing it only when the run is complete"},
    {"threads", 'j', "N", "worker threads (default: all cores)"},
    {"quiet", 'q', NULL, "no progress line on a terminal"},
    {"no-prefilter", OPT_NO_PREFILTER, NULL, "confirm every pattern with PCRE2, without the Hyperscan prefilter"},
    {"cache", OPT_CACHE, "DIR", "keep the compiled prefilter in DIR, to start faster next time with the same rules"},
    {0, 0, 0, 0},
};

static int run_label(int argc, char **argv);

const cli_command cmd_label = {
    "label", "label records: one output record per input record",
    "[OPTIONS] [FILE...]",
    "Label each record of FILE (or standard input) and write one result per\n"
    "record, in input order: JSON Lines by default, or CSV/TSV rows.\n"
    "Inputs: JSON Lines, plain text, CSV/TSV with a header row, Telegram Desktop\n"
    "exports (result.json) and WhatsApp chat exports (.txt), detected from the\n"
    "content unless --format says which.",
    label_options, run_label,
};

/* The temporary output file, removed if the run is interrupted. */
static char *volatile tmp_output;

static void on_fatal_signal(int sig)
{
    char *p = tmp_output;
    if (p) unlink(p);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Labels every record of one input. Returns an exit code. */
static int label_file(const ofs_rules *rules, const char *path, const ofs_read_options *opt,
                      const ofs_batch_options *bopt, ofs_format_fn fmt, void *fmt_ctx, FILE *out,
                      size_t *record_errors)
{
    ofs_diags *d = ofs_diags_create();
    ofs_reader *rd = ofs_reader_open(path, opt, d);
    if (!rd) {
        ofs_diags_print(d, stderr);
        ofs_diags_free(d);
        return EXIT_IO;
    }
    ofs_batch_stats st = {0, 0, 0};
    int rc = ofs_batch_run(rules, rd, bopt, fmt, fmt_ctx, out, &st);
    int err = errno;
    *record_errors += st.record_errors;
    if (rc == -1 && err == EPIPE) fprintf(stderr, "offerscan label: output closed (broken pipe)\n");
    else if (rc == -1) fprintf(stderr, "offerscan label: cannot write output: %s\n", strerror(err));
    if (rc == -2) ofs_diags_print(d, stderr);
    ofs_reader_close(rd);
    ofs_diags_free(d);
    return rc == 0 ? EXIT_OK : EXIT_IO;
}

/* Opens a temporary file next to path. Returns it, with its name in *tmp. */
static FILE *open_temporary(const char *path, char **tmp)
{
    size_t n = strlen(path);
    *tmp = malloc(n + 16);
    if (!*tmp) return NULL;
    memcpy(*tmp, path, n);
    memcpy(*tmp + n, ".tmp-XXXXXX", 12);
    int fd = mkstemp(*tmp);
    if (fd < 0) {
        free(*tmp);
        *tmp = NULL;
        return NULL;
    }
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, (mode_t)(0666 & ~mask));
    FILE *f = fdopen(fd, "w");
    if (!f) {
        int e = errno;
        close(fd);
        unlink(*tmp);
        free(*tmp);
        *tmp = NULL;
        errno = e;
    }
    return f;
}

/* Reports a failed write of the output, telling a closed pipe apart. */
static void report_write_error(int err)
{
    if (err == EPIPE) fprintf(stderr, "offerscan label: output closed (broken pipe)\n");
    else fprintf(stderr, "offerscan label: cannot write output: %s\n", strerror(err));
}

static int run_label(int argc, char **argv)
{
    const char *rules_dir = NULL, *output = NULL, *cache_dir = NULL, *v;
    ofs_read_options opt = {OFS_FORMAT_AUTO, "text", "id", 0};
    ofs_batch_options bopt = {0, 1, 0};
    ofs_csv_dialect dialect = {','};
    int output_csv = 0;
    int c;
    while ((c = cli_next_option(&cmd_label, argc, argv, &v)) != -1) {
        switch (c) {
        case 'r': rules_dir = v; break;
        case 'o': output = v; break;
        case 'j':
            bopt.threads = atoi(v);
            if (bopt.threads < 1 || bopt.threads > 1024) {
                fprintf(stderr, "offerscan label: --threads takes a number from 1 to 1024\n");
                return EXIT_USAGE;
            }
            break;
        case 'q': bopt.progress = 0; break;
        case OPT_NO_PREFILTER: bopt.no_prefilter = 1; break;
        case OPT_CACHE: cache_dir = v; break;
        case OPT_TEXT_FIELD: opt.text_field = v; break;
        case OPT_ID_FIELD: opt.id_field = v; break;
        case OPT_WHOLE_FILE: opt.whole_file = 1; break;
        case OPT_FORMAT:
            if (ofs_format_parse(v, &opt.format) != 0) {
                fprintf(stderr, "offerscan label: unknown format '%s' (auto, jsonl, text, csv, tsv, telegram, whatsapp)\n",
                        v);
                return EXIT_USAGE;
            }
            break;
        case OPT_OUTPUT_FORMAT:
            output_csv = strcmp(v, "csv") == 0 || strcmp(v, "tsv") == 0;
            dialect.delimiter = strcmp(v, "tsv") == 0 ? '\t' : ',';
            if (!output_csv && strcmp(v, "jsonl") != 0) {
                fprintf(stderr, "offerscan label: unknown output format '%s' (jsonl, csv, tsv)\n", v);
                return EXIT_USAGE;
            }
            break;
        case 'h': cli_print_help(&cmd_label, stdout); return EXIT_OK;
        default: return EXIT_USAGE;
        }
    }
    if (opt.whole_file && opt.format != OFS_FORMAT_AUTO && opt.format != OFS_FORMAT_TEXT) {
        fprintf(stderr, "offerscan label: --whole-file reads plain text; it cannot be used with --format %s\n",
                ofs_format_name(opt.format));
        return EXIT_USAGE;
    }
    /* A closed pipe is an error to report, not a signal to die of. */
    signal(SIGPIPE, SIG_IGN);

    ofs_rules *rules = cli_load_rules(rules_dir);
    if (!rules) return EXIT_RULES;
    if (cache_dir && ofs_rules_set_cache(rules, cache_dir) != 0) {
        fprintf(stderr, "offerscan label: cannot use %s as the cache folder: %s\n", cache_dir, strerror(errno));
        ofs_rules_free(rules);
        return EXIT_USAGE;
    }

    FILE *out = stdout;
    char *tmp = NULL;
    if (output) {
        out = open_temporary(output, &tmp);
        if (!out) {
            fprintf(stderr, "offerscan label: cannot write %s: %s\n", output, strerror(errno));
            ofs_rules_free(rules);
            return EXIT_IO;
        }
        tmp_output = tmp;
        signal(SIGINT, on_fatal_signal);
        signal(SIGTERM, on_fatal_signal);
        signal(SIGHUP, on_fatal_signal);
    }

    int rc = EXIT_OK;
    size_t record_errors = 0;
    ofs_format_fn fmt = output_csv ? ofs_result_to_csv : NULL;
    void *fmt_ctx = output_csv ? &dialect : NULL;
    if (output_csv) {
        char *header = ofs_csv_header(&dialect);
        if (fputs(header, out) == EOF || fputc('\n', out) == EOF) {
            report_write_error(errno);
            rc = EXIT_IO;
        }
        free(header);
    }
    if (rc == EXIT_OK && optind >= argc) {
        rc = label_file(rules, NULL, &opt, &bopt, fmt, fmt_ctx, out, &record_errors);
    } else {
        for (int i = optind; i < argc && rc == EXIT_OK; i++)
            rc = label_file(rules, argv[i], &opt, &bopt, fmt, fmt_ctx, out, &record_errors);
    }
    if (fflush(out) != 0 && rc == EXIT_OK) {
        report_write_error(errno);
        rc = EXIT_IO;
    }
    if (tmp) {
        if (rc == EXIT_OK && fsync(fileno(out)) != 0 && errno != EINVAL) {
            report_write_error(errno);
            rc = EXIT_IO;
        }
        if (fclose(out) != 0 && rc == EXIT_OK) {
            report_write_error(errno);
            rc = EXIT_IO;
        }
        if (rc == EXIT_OK && rename(tmp, output) != 0) {
            fprintf(stderr, "offerscan label: cannot rename %s to %s: %s\n", tmp, output, strerror(errno));
            rc = EXIT_IO;
        }
        if (rc != EXIT_OK) {
            unlink(tmp);
            fprintf(stderr, "offerscan label: %s was not written\n", output);
        }
        tmp_output = NULL;
        free(tmp);
    }
    ofs_rules_free(rules);
    if (rc == EXIT_OK && record_errors) {
        fprintf(stderr, "offerscan label: %zu record(s) could not be read; each has an \"error\" in the output\n",
                record_errors);
        rc = EXIT_RECORDS;
    }
    return rc;
}

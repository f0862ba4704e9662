/* cmd_report.c: `offerscan report`: the findings of a labelled batch as a
 * terminal summary, JSON or one self-contained HTML page. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_REDACT = 256, OPT_REDACT_KEY, OPT_TITLE };

static const cli_option report_options[] = {
    {"format", 'f', "FMT", "text (default: a summary for the terminal), json (every figure) or html (one page)"},
    {"output", 'o', "FILE", "write the report to FILE instead of standard output"},
    {"label", 'l', "INPUT", "label INPUT on the fly (any input `offerscan label` reads) instead of reading labelled output"},
    {"rules", 'r', "DIR", "with --label: load the rule set from DIR instead of the built-in one"},
    {"redact", OPT_REDACT, NULL, "show handles, phone numbers, links, senders and chats as keyed-hash pseudonyms"},
    {"redact-key", OPT_REDACT_KEY, "KEY", "the key for --redact (implies it; default: $OFFERSCAN_REDACT_KEY, which keeps it out of the process list)"},
    {"title", OPT_TITLE, "TEXT", "the report's title (default: the input's name)"},
    {0, 0, 0, 0},
};

static int run_report(int argc, char **argv);

const cli_command cmd_report = {
    "report", "sum up labelled records: text, JSON or an HTML page with charts",
    "[OPTIONS] [LABELLED.jsonl...]",
    "Read the output of `offerscan label` (from the files, or standard input) and\n"
    "report what the batch holds: incidents per label and language, distinct\n"
    "handles, links and phone numbers (with countries), possible facilitators\n"
    "(contacts seen in a flagged record), documents and their issuing countries,\n"
    "routes offered with min / median / max price per currency, and all of it over\n"
    "time when records have a source.date. The HTML page is one file with no\n"
    "network access, scripts or fonts; every text from the records is escaped.",
    report_options, run_report,
};

/* Adds every line of an open stream; counts the lines that are not
 * labelled records in *bad and the records that carry an error in *errors. */
static void add_stream(ofs_report *rep, FILE *in, const char *name, ofs_diags *d, size_t *bad, size_t *errors)
{
    char *line = NULL;
    size_t cap = 0, line_no = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, in)) >= 0) {
        line_no++;
        size_t len = (size_t)n;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
        size_t k = 0;
        while (k < len && (line[k] == ' ' || line[k] == '\t')) k++;
        if (k == len) continue;
        int r = ofs_report_add_line(rep, line, len, name, line_no, d);
        if (r < 0) (*bad)++;
        if (r > 0) (*errors)++;
    }
    free(line);
}

/* Labels INPUT into a temporary file with the batch runner (all cores,
 * bounded memory), then adds its lines. Returns an exit code. */
static int add_labelled_on_the_fly(ofs_report *rep, const ofs_rules *rules, const char *input, ofs_diags *d,
                                   size_t *bad, size_t *errors)
{
    ofs_read_options ropt = {OFS_FORMAT_AUTO, "text", "id", 0};
    ofs_batch_options bopt = {0, 0, 0};
    ofs_reader *rd = ofs_reader_open(input, &ropt, d);
    if (!rd) return EXIT_IO;
    FILE *tmp = tmpfile();
    if (!tmp) {
        fprintf(stderr, "offerscan report: cannot create a temporary file: %s\n", strerror(errno));
        ofs_reader_close(rd);
        return EXIT_IO;
    }
    ofs_batch_stats st;
    int rc = ofs_batch_run(rules, rd, &bopt, NULL, NULL, tmp, &st);
    ofs_reader_close(rd);
    if (rc != 0 || fflush(tmp) != 0) {
        if (rc == -1) fprintf(stderr, "offerscan report: cannot write the temporary file: %s\n", strerror(errno));
        fclose(tmp);
        return EXIT_IO;
    }
    rewind(tmp);
    add_stream(rep, tmp, input, d, bad, errors);
    fclose(tmp);
    return EXIT_OK;
}

static int run_report(int argc, char **argv)
{
    const char *format = "text", *output = NULL, *rules_dir = NULL, *title = NULL, *key = NULL, *v;
    const char **inputs = calloc((size_t)argc + 1, sizeof *inputs);
    size_t ninputs = 0;
    int redact = 0, c;
    if (!inputs) return EXIT_IO;
    while ((c = cli_next_option(&cmd_report, argc, argv, &v)) != -1) {
        switch (c) {
        case 'f': format = v; break;
        case 'o': output = v; break;
        case 'l': inputs[ninputs++] = v; break;
        case 'r': rules_dir = v; break;
        case OPT_REDACT: redact = 1; break;
        case OPT_REDACT_KEY:
            redact = 1;
            key = v;
            break;
        case OPT_TITLE: title = v; break;
        case 'h': cli_print_help(&cmd_report, stdout); free(inputs); return EXIT_OK;
        default: free(inputs); return EXIT_USAGE;
        }
    }
    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0 && strcmp(format, "html") != 0) {
        fprintf(stderr, "offerscan report: unknown format '%s' (text, json, html)\n", format);
        free(inputs);
        return EXIT_USAGE;
    }
    if (rules_dir && !ninputs) {
        fprintf(stderr, "offerscan report: --rules only applies with --label\n");
        free(inputs);
        return EXIT_USAGE;
    }
    if (redact && !key) key = getenv("OFFERSCAN_REDACT_KEY");
    if (!title) title = ninputs ? inputs[0] : optind < argc ? argv[optind] : "standard input";

    ofs_diags *d = ofs_diags_create();
    ofs_report_options opt = {title, redact, key};
    ofs_report *rep = ofs_report_create(&opt, d);
    if (!rep) {
        for (size_t i = 0; i < ofs_diags_count(d); i++) fprintf(stderr, "offerscan report: %s\n", ofs_diags_get(d, i)->message);
        ofs_diags_free(d);
        free(inputs);
        return EXIT_USAGE;
    }
    int rc = EXIT_OK;
    size_t bad = 0, errors = 0;
    if (ninputs) {
        ofs_rules *rules = cli_load_rules(rules_dir);
        if (!rules) rc = EXIT_RULES;
        for (size_t i = 0; i < ninputs && rc == EXIT_OK; i++) rc = add_labelled_on_the_fly(rep, rules, inputs[i], d, &bad, &errors);
        ofs_rules_free(rules);
    }
    if (rc == EXIT_OK && (optind < argc || !ninputs)) {
        /* no file and no --label: standard input */
        int nfiles = optind < argc ? argc - optind : 1;
        for (int i = 0; i < nfiles; i++) {
            const char *path = optind < argc ? argv[optind + i] : "-";
            FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
            if (!in) {
                fprintf(stderr, "offerscan report: cannot open %s: %s\n", path, strerror(errno));
                rc = EXIT_IO;
                break;
            }
            add_stream(rep, in, path, d, &bad, &errors);
            if (in != stdin) fclose(in);
        }
    }
    /* a few unreadable lines are worth showing; a whole wrong file is not */
    size_t shown = ofs_diags_count(d) < 10 ? ofs_diags_count(d) : 10;
    for (size_t i = 0; i < shown; i++) {
        const ofs_diag *g = ofs_diags_get(d, i);
        fprintf(stderr, "%s:%d:%d: %s\n", g->file, g->line, g->column, g->message);
    }
    if (ofs_diags_count(d) > shown) fprintf(stderr, "offerscan report: ... and %zu more\n", ofs_diags_count(d) - shown);

    if (rc == EXIT_OK) {
        FILE *out = output ? fopen(output, "w") : stdout;
        if (!out) {
            fprintf(stderr, "offerscan report: cannot write %s: %s\n", output, strerror(errno));
            rc = EXIT_IO;
        } else {
            int w = strcmp(format, "json") == 0   ? ofs_report_write_json(rep, out)
                    : strcmp(format, "html") == 0 ? ofs_report_write_html(rep, out)
                                                  : ofs_report_write_text(rep, out);
            if (fflush(out) != 0) w = -1;
            if (out != stdout && fclose(out) != 0) w = -1;
            if (w != 0) {
                fprintf(stderr, "offerscan report: cannot write %s: %s\n", output ? output : "the output", strerror(errno));
                rc = EXIT_IO;
            }
        }
    }
    if (rc == EXIT_OK && (bad || errors)) {
        if (bad) fprintf(stderr, "offerscan report: %zu line(s) were not labelled records and were left out\n", bad);
        if (errors) fprintf(stderr, "offerscan report: %zu record(s) carry an \"error\"; they are counted, not analysed\n", errors);
        rc = EXIT_RECORDS;
    }
    ofs_report_free(rep);
    ofs_diags_free(d);
    free(inputs);
    return rc;
}

/* cmd_label.c: `offerscan label`: one JSON Lines result per input record. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_TEXT_FIELD = 256, OPT_ID_FIELD, OPT_FORMAT, OPT_THREADS, OPT_QUIET, OPT_NO_PREFILTER };

static const cli_option label_options[] = {
    {"rules", 'r', "DIR", "load the rule set from DIR instead of the built-in one"},
    {"format", OPT_FORMAT, "FMT", "input format: auto (default), jsonl or text (one record per line)"},
    {"text-field", OPT_TEXT_FIELD, "F", "JSON field holding the text, dotted for nesting (default: text)"},
    {"id-field", OPT_ID_FIELD, "F", "JSON field holding the record id (default: id)"},
    {"threads", 'j', "N", "worker threads (default: all cores)"},
    {"quiet", 'q', NULL, "no progress line on a terminal"},
    {"no-prefilter", OPT_NO_PREFILTER, NULL, "confirm every pattern with PCRE2, without the Hyperscan prefilter"},
    {0, 0, 0, 0},
};

static int run_label(int argc, char **argv);

const cli_command cmd_label = {
    "label", "label records: one JSON line out per record in",
    "[OPTIONS] [FILE...]",
    "Label each record of FILE (or standard input) and write one JSON object per\n"
    "record to standard output, in input order.",
    label_options, run_label,
};

/* Labels every record of one input. Returns an exit code. */
static int label_file(const ofs_rules *rules, const char *path, const ofs_read_options *opt,
                      const ofs_batch_options *bopt, size_t *record_errors)
{
    ofs_diags *d = ofs_diags_create();
    ofs_reader *rd = ofs_reader_open(path, opt, d);
    if (!rd) {
        ofs_diags_print(d, stderr);
        ofs_diags_free(d);
        return EXIT_IO;
    }
    ofs_batch_stats st;
    int rc = ofs_batch_run(rules, rd, bopt, NULL, NULL, stdout, &st);
    *record_errors += st.record_errors;
    if (rc == -1) fprintf(stderr, "offerscan label: cannot write output: %s\n", strerror(errno));
    if (rc == -2) ofs_diags_print(d, stderr);
    ofs_reader_close(rd);
    ofs_diags_free(d);
    return rc == 0 ? EXIT_OK : EXIT_IO;
}

static int run_label(int argc, char **argv)
{
    const char *rules_dir = NULL, *v;
    ofs_read_options opt = {OFS_FORMAT_AUTO, "text", "id", 0};
    ofs_batch_options bopt = {0, 1, 0};
    int c;
    while ((c = cli_next_option(&cmd_label, argc, argv, &v)) != -1) {
        switch (c) {
        case 'r': rules_dir = v; break;
        case 'j':
            bopt.threads = atoi(v);
            if (bopt.threads < 1 || bopt.threads > 1024) {
                fprintf(stderr, "offerscan label: --threads takes a number from 1 to 1024\n");
                return EXIT_USAGE;
            }
            break;
        case 'q': bopt.progress = 0; break;
        case OPT_NO_PREFILTER: bopt.no_prefilter = 1; break;
        case OPT_TEXT_FIELD: opt.text_field = v; break;
        case OPT_ID_FIELD: opt.id_field = v; break;
        case OPT_FORMAT:
            if (strcmp(v, "auto") == 0) opt.format = OFS_FORMAT_AUTO;
            else if (strcmp(v, "jsonl") == 0) opt.format = OFS_FORMAT_JSONL;
            else if (strcmp(v, "text") == 0) opt.format = OFS_FORMAT_TEXT;
            else {
                fprintf(stderr, "offerscan label: unknown format '%s' (auto, jsonl, text)\n", v);
                return EXIT_USAGE;
            }
            break;
        case 'h': cli_print_help(&cmd_label, stdout); return EXIT_OK;
        default: return EXIT_USAGE;
        }
    }
    ofs_rules *rules = cli_load_rules(rules_dir);
    if (!rules) return EXIT_RULES;
    int rc = EXIT_OK;
    size_t record_errors = 0;
    if (optind >= argc) {
        rc = label_file(rules, NULL, &opt, &bopt, &record_errors);
    } else {
        for (int i = optind; i < argc && rc != EXIT_IO; i++) {
            int r = label_file(rules, argv[i], &opt, &bopt, &record_errors);
            if (r != EXIT_OK) rc = r;
        }
    }
    if (fflush(stdout) != 0 && rc == EXIT_OK) {
        fprintf(stderr, "offerscan label: cannot write output: %s\n", strerror(errno));
        rc = EXIT_IO;
    }
    ofs_rules_free(rules);
    if (rc == EXIT_OK && record_errors) {
        fprintf(stderr, "offerscan label: %zu record(s) could not be read; each has an \"error\" in the output\n",
                record_errors);
        rc = EXIT_RECORDS;
    }
    return rc;
}

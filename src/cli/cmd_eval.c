/* cmd_eval.c: `offerscan eval`: a rule set against gold records. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_MIN_MACRO = 256, OPT_FLOORS, OPT_JSON, OPT_ERRORS };

static const cli_option eval_options[] = {
    {"rules", 'r', "DIR", "load the rule set from DIR instead of the built-in one"},
    {"json", OPT_JSON, NULL, "print the report as JSON"},
    {"errors", OPT_ERRORS, NULL, "list the false positives and false negatives with the rules that fired"},
    {"min-macro-f1", OPT_MIN_MACRO, "X", "exit 1 when macro-F1 is below X"},
    {"floors", OPT_FLOORS, "FILE", "exit 1 when a metric is below its floor in FILE (JSON: {\"macro_f1\": X, ...})"},
    {0, 0, 0, 0},
};

static int run_eval(int argc, char **argv);

const cli_command cmd_eval = {
    "eval", "score a rule set against gold records",
    "[OPTIONS] GOLD.jsonl...",
    "Label gold records (ANNOTATION.md format) and report per-label precision,\n"
    "recall and F1, macro-F1, flagged (any label) scores, route and price F1, a\n"
    "per-language table and a per-rule analysis (fires, precision, true positives\n"
    "only it finds, conflicts with rules of the opposite sign).",
    eval_options, run_eval,
};

/* Checks each metric named in the floors file. Returns 1 when all hold. */
static int check_floors(const ofs_eval *e, const char *path)
{
    json_error_t err;
    json_t *floors = json_load_file(path, 0, &err);
    if (!json_is_object(floors)) {
        fprintf(stderr, "%s:%d:%d: %s\n", path, err.line, err.column, floors ? "floors must be a JSON object" : err.text);
        json_decref(floors);
        return -1;
    }
    int ok = 1;
    const char *name;
    json_t *v;
    json_object_foreach(floors, name, v) {
        double got = ofs_eval_metric(e, name);
        if (got < 0 || !json_is_number(v)) {
            fprintf(stderr, "%s: unknown metric or bad floor '%s'\n", path, name);
            ok = -1;
            continue;
        }
        int pass = got + 1e-9 >= json_number_value(v);
        fprintf(stderr, "gate: %-24s %.3f (floor %.3f) %s\n", name, got, json_number_value(v), pass ? "ok" : "BELOW FLOOR");
        if (!pass && ok == 1) ok = 0;
    }
    json_decref(floors);
    return ok;
}

static int run_eval(int argc, char **argv)
{
    const char *rules_dir = NULL, *floors = NULL, *v;
    double min_macro = -1;
    int json = 0, errors = 0, c;
    while ((c = cli_next_option(&cmd_eval, argc, argv, &v)) != -1) {
        switch (c) {
        case 'r': rules_dir = v; break;
        case OPT_JSON: json = 1; break;
        case OPT_ERRORS: errors = 1; break;
        case OPT_FLOORS: floors = v; break;
        case OPT_MIN_MACRO: min_macro = atof(v); break;
        case 'h': cli_print_help(&cmd_eval, stdout); return EXIT_OK;
        default: return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "offerscan eval: no gold file given\n");
        return EXIT_USAGE;
    }
    ofs_rules *rules = cli_load_rules(rules_dir);
    if (!rules) return EXIT_RULES;
    ofs_eval *e = ofs_eval_create(rules);
    ofs_diags *d = ofs_diags_create();
    int rc = EXIT_OK;
    for (int i = optind; i < argc; i++)
        if (ofs_eval_add_file(e, argv[i], d) != 0) rc = EXIT_IO;
    ofs_diags_print(d, stderr);
    if (rc == EXIT_OK) {
        if (json) {
            char *s = ofs_eval_report_json(e);
            puts(s);
            free(s);
        } else {
            ofs_eval_print(e, stdout, errors);
        }
        double macro = ofs_eval_metric(e, "macro_f1");
        if (min_macro >= 0 && macro + 1e-9 < min_macro) {
            fprintf(stderr, "gate: macro-F1 %.3f is below %.3f\n", macro, min_macro);
            rc = EXIT_FINDINGS;
        }
        if (floors) {
            int ok = check_floors(e, floors);
            if (ok < 0) rc = EXIT_USAGE;
            else if (!ok) rc = EXIT_FINDINGS;
        }
    }
    ofs_diags_free(d);
    ofs_eval_free(e);
    ofs_rules_free(rules);
    return rc;
}

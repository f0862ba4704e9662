/* cmd_lint.c: `offerscan lint`: check a rule set, report file:line:column. */
#include "cli.h"

static const cli_option lint_options[] = {
    {"quiet", 'q', NULL, "print errors only: no warnings, and no summary when there are none"},
    {0, 0, 0, 0},
};

static int run_lint(int argc, char **argv);

const cli_command cmd_lint = {
    "lint", "check a rule set; problems as file:line:column",
    "[OPTIONS] [DIR]",
    "Check the rule set in DIR (default: the built-in rules): YAML syntax, unknown\n"
    "keys, wrong types, missing fields, duplicate ids, unknown lexicons and invalid\n"
    "regexes, each reported as file:line:column: message. Exits 1 on errors.",
    lint_options, run_lint,
};

static int run_lint(int argc, char **argv)
{
    const char *v;
    int quiet = 0, c;
    while ((c = cli_next_option(&cmd_lint, argc, argv, &v)) != -1) {
        switch (c) {
        case 'q': quiet = 1; break;
        case 'h': cli_print_help(&cmd_lint, stdout); return EXIT_OK;
        default: return EXIT_USAGE;
        }
    }
    const char *dir = optind < argc ? argv[optind] : NULL;
    ofs_diags *d = ofs_diags_create();
    ofs_rules *rules = dir ? ofs_rules_load_dir(dir, d) : ofs_rules_load_builtin(d);
    size_t warnings = 0;
    for (size_t i = 0; i < ofs_diags_count(d); i++) {
        const ofs_diag *g = ofs_diags_get(d, i);
        if (g->severity == OFS_WARNING) {
            warnings++;
            if (quiet) continue;
        }
        const char *sev = g->severity == OFS_ERROR ? "error" : "warning";
        if (g->line > 0) printf("%s:%d:%d: %s: %s\n", g->file, g->line, g->column, sev, g->message);
        else printf("%s: %s: %s\n", g->file, sev, g->message);
    }
    size_t errors = ofs_diags_errors(d);
    if (!quiet || errors || !rules)
        fprintf(stderr, "%zu error(s), %zu warning(s)%s\n", errors, warnings,
                rules ? "" : "; the rule set does not load");
    ofs_rules_free(rules);
    ofs_diags_free(d);
    return errors ? EXIT_FINDINGS : EXIT_OK;
}

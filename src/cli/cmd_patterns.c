/* cmd_patterns.c: `offerscan patterns`: the rule set's patterns for other tools. */
#include <stdlib.h>

#include "cli.h"

enum { OPT_JSON = 256 };

static const cli_option patterns_options[] = {
    {"rules", 'r', "DIR", "load the rule set from DIR instead of the built-in one"},
    {"json", OPT_JSON, NULL, "print the whole rule set, expanded, as JSON"},
    {0, 0, 0, 0},
};

static int run_patterns(int argc, char **argv);

const cli_command cmd_patterns = {
    "patterns", "export the expanded patterns (for rg -f, scripts)",
    "[OPTIONS]",
    "Print every distinct pattern of the rule set, one PCRE2 regex per line, after\n"
    "lexicon expansion and normalisation (for `rg -P -f`, say). With --json, the\n"
    "rule set with its weights, thresholds and conditions.",
    patterns_options, run_patterns,
};

static int run_patterns(int argc, char **argv)
{
    const char *rules_dir = NULL, *v;
    int json = 0, c;
    while ((c = cli_next_option(&cmd_patterns, argc, argv, &v)) != -1) {
        switch (c) {
        case 'r': rules_dir = v; break;
        case OPT_JSON: json = 1; break;
        case 'h': cli_print_help(&cmd_patterns, stdout); return EXIT_OK;
        default: return EXIT_USAGE;
        }
    }
    ofs_rules *rules = cli_load_rules(rules_dir);
    if (!rules) return EXIT_RULES;
    if (json) {
        char *s = ofs_rules_export_json(rules);
        puts(s);
        free(s);
    } else {
        for (size_t i = 0; i < ofs_rules_pattern_count(rules); i++) puts(ofs_rules_pattern(rules, i));
    }
    ofs_rules_free(rules);
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_IO;
}

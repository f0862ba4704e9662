/* cmd_test.c: `offerscan test`: run every rule's examples. */
#include "cli.h"

static const cli_option test_options[] = {{0, 0, 0, 0}};

static int run_test(int argc, char **argv);

const cli_command cmd_test = {
    "test", "run every rule's examples",
    "[DIR]",
    "Run the examples of every rule in DIR (default: the built-in rules): each\n"
    "`match` example must make its rule fire, each `no_match` must not, and an\n"
    "example that states routes or prices must extract exactly those. Failures\n"
    "are reported as file:line:column. Exits 1 when any fails.",
    test_options, run_test,
};

static int run_test(int argc, char **argv)
{
    const char *v;
    int c;
    while ((c = cli_next_option(&cmd_test, argc, argv, &v)) != -1) {
        if (c == 'h') {
            cli_print_help(&cmd_test, stdout);
            return EXIT_OK;
        }
        return EXIT_USAGE;
    }
    ofs_rules *rules = cli_load_rules(optind < argc ? argv[optind] : NULL);
    if (!rules) return EXIT_RULES;
    ofs_diags *d = ofs_diags_create();
    size_t checked;
    size_t failures = ofs_rules_check_examples(rules, d, &checked);
    ofs_diags_print(d, stdout);
    printf("%zu examples of %zu rules: %zu passed, %zu failed\n", checked, ofs_rules_count(rules), checked - failures,
           failures);
    ofs_diags_free(d);
    ofs_rules_free(rules);
    return failures ? EXIT_FINDINGS : EXIT_OK;
}

/* main.c: the offerscan executable, a table of subcommands over liboffscan. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const cli_command *const commands[] = {&cmd_label, &cmd_explain, &cmd_lint, &cmd_test, &cmd_eval, &cmd_diff, &cmd_patterns, &cmd_report, NULL};

static void usage(FILE *f)
{
    fprintf(f, "Usage: offerscan COMMAND [OPTIONS] [ARGS]\n\n"
               "Labels exported posts and messages as crossing offers, document offers or\n"
               "route advice for irregular migration, and extracts routes, prices, contacts\n"
               "and documents. It reads only the files it is given; it never goes online.\n\n"
               "Commands:\n");
    for (const cli_command *const *c = commands; *c; c++) fprintf(f, "  %-10s %s\n", (*c)->name, (*c)->brief);
    fprintf(f, "\nRun 'offerscan COMMAND --help' for a command's options.\n\n"
               "Exit codes:\n"
               "  0  success\n"
               "  1  findings: lint errors, failing rule examples, a quality floor not met\n"
               "  2  bad command line\n"
               "  3  the rule set could not be loaded\n"
               "  4  an input could not be read or the output could not be written\n"
               "  5  the run finished, but some records had errors (each has an \"error\")\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf("offerscan %s\n", OFS_VERSION);
        return EXIT_OK;
    }
    for (const cli_command *const *c = commands; *c; c++)
        if (strcmp(argv[1], (*c)->name) == 0) return (*c)->run(argc - 1, argv + 1);
    fprintf(stderr, "offerscan: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}

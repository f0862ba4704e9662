/* cli.h: what the subcommands of the offerscan executable share. The CLI
 * uses only the public API in offerscan.h. */
#ifndef OFS_CLI_H
#define OFS_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "offerscan.h"

/* Exit codes, documented in README.md and in `offerscan --help`. */
enum {
    EXIT_OK = 0,
    EXIT_FINDINGS = 1,     /* lint errors, failing examples, a quality floor not met */
    EXIT_USAGE = 2,        /* bad command line */
    EXIT_RULES = 3,        /* the rule set could not be loaded */
    EXIT_IO = 4,           /* an input could not be read or the output written */
    EXIT_RECORDS = 5,      /* the run finished, but some records had errors */
};

/* One option of a subcommand; a table of them drives parsing and --help. */
typedef struct cli_option {
    const char *name;      /* long name, without "--" */
    int         key;       /* short letter, or a value above 255 */
    const char *arg;       /* argument name, or NULL for a flag */
    const char *help;
} cli_option;

typedef struct cli_command {
    const char       *name;
    const char       *brief;      /* one line for `offerscan --help` */
    const char       *usage;      /* after "offerscan NAME " */
    const char       *summary;
    const cli_option *options;    /* terminated by {0} */
    int (*run)(int argc, char **argv);
} cli_command;

/* The next option of argv per cmd's table, like getopt_long: returns the
 * option's key, -1 at the end (optind is then the first operand), '?' for an
 * unknown option (after printing a message), or 'h' for --help. */
int cli_next_option(const cli_command *cmd, int argc, char **argv, const char **value);
/* Prints the command's usage and options. */
void cli_print_help(const cli_command *cmd, FILE *f);

/* Loads the rule set from dir, or the built-in one when dir is NULL.
 * Problems are printed to stderr. Returns NULL when it failed. */
ofs_rules *cli_load_rules(const char *dir);

/* 1 when f is a terminal and NO_COLOR is not set. */
int cli_use_color(FILE *f);

extern const cli_command cmd_label, cmd_explain, cmd_lint, cmd_test, cmd_eval, cmd_diff,
    cmd_patterns;
extern const cli_command cmd_report;

#endif

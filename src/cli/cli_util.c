/* cli_util.c: option tables, help, rule loading and colour for the CLI. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cli_next_option(const cli_command *cmd, int argc, char **argv, const char **value)
{
    struct option longs[32];
    char shorts[80];
    size_t n = 0, s = 0;
    shorts[s++] = ':';
    for (const cli_option *o = cmd->options; o && o->name && n < 30; o++, n++) {
        longs[n] = (struct option){o->name, o->arg ? required_argument : no_argument, NULL, o->key};
        if (o->key > 0 && o->key < 128 && s < sizeof shorts - 3) {
            shorts[s++] = (char)o->key;
            if (o->arg) shorts[s++] = ':';
        }
    }
    longs[n++] = (struct option){"help", no_argument, NULL, 'h'};
    longs[n] = (struct option){0, 0, 0, 0};
    shorts[s++] = 'h';
    shorts[s] = '\0';
    int c = getopt_long(argc, argv, shorts, longs, NULL);
    *value = optarg;
    if (c == '?' || c == ':') {
        fprintf(stderr, "offerscan %s: %s '%s'\n", cmd->name, c == ':' ? "missing argument for" : "unknown option",
                argv[optind - 1]);
        fprintf(stderr, "Try 'offerscan %s --help'.\n", cmd->name);
        return '?';
    }
    return c;
}

void cli_print_help(const cli_command *cmd, FILE *f)
{
    fprintf(f, "Usage: offerscan %s %s\n\n%s\n\nOptions:\n", cmd->name, cmd->usage, cmd->summary);
    for (const cli_option *o = cmd->options; o && o->name; o++) {
        char left[64];
        if (o->key > 0 && o->key < 128)
            snprintf(left, sizeof left, "-%c, --%s%s%s", o->key, o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        else
            snprintf(left, sizeof left, "    --%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(f, "  %-28s %s\n", left, o->help);
    }
    fprintf(f, "  %-28s %s\n", "-h, --help", "show this help");
}

ofs_rules *cli_load_rules(const char *dir)
{
    ofs_diags *d = ofs_diags_create();
    ofs_rules *rules = dir ? ofs_rules_load_dir(dir, d) : ofs_rules_load_builtin(d);
    if (!rules) ofs_diags_print(d, stderr);
    ofs_diags_free(d);
    return rules;
}

int cli_use_color(FILE *f)
{
    const char *no = getenv("NO_COLOR");
    if (no && no[0]) return 0;
    return isatty(fileno(f));
}

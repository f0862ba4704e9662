/* cmd_explain.c: `offerscan explain`: why a text was or was not labelled. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_option explain_options[] = {
    {"rules", 'r', "DIR", "load the rule set from DIR instead of the built-in one"},
    {"color", 'c', NULL, "colour the output even when it is not a terminal"},
    {0, 0, 0, 0},
};

static int run_explain(int argc, char **argv);

const cli_command cmd_explain = {
    "explain", "show why one text was or was not labelled",
    "[OPTIONS] [TEXT | -]",
    "Show how one text is normalised, which rules fired and where, each label's\n"
    "score against its threshold, and the near misses: rules with some of their\n"
    "conditions met, and the condition that failed. With '-' or no TEXT, the\n"
    "text is read from standard input.",
    explain_options, run_explain,
};

typedef struct style { const char *on, *off, *dim, *good, *bad; } style;

static char *read_stdin(size_t *len)
{
    size_t cap = 0, n = 0;
    char *buf = NULL;
    for (;;) {
        if (n + 4096 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                return NULL;
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, stdin);
        n += got;
        if (got == 0) break;
    }
    if (!buf) buf = calloc(1, 1);
    if (buf) buf[n] = '\0';
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) buf[--n] = '\0';
    *len = n;
    return buf;
}

/* Prints text with [start, end) highlighted, with a little context. */
static void print_span(const char *text, size_t len, ofs_span s, const style *st)
{
    size_t from = s.start > 30 ? s.start - 30 : 0, to = s.end + 30 < len ? s.end + 30 : len;
    while (from > 0 && ((unsigned char)text[from] & 0xC0) == 0x80) from--;
    while (to < len && ((unsigned char)text[to] & 0xC0) == 0x80) to++;
    printf("%s%.*s%s", from ? "…" : "", (int)(s.start - from), text + from, st->on);
    printf("%.*s%s%.*s%s\n", (int)(s.end - s.start), text + s.start, st->off, (int)(to - s.end), text + s.end,
           to < len ? "…" : "");
}

static int run_explain(int argc, char **argv)
{
    const char *rules_dir = NULL, *v;
    int force_color = 0, c;
    while ((c = cli_next_option(&cmd_explain, argc, argv, &v)) != -1) {
        switch (c) {
        case 'r': rules_dir = v; break;
        case 'c': force_color = 1; break;
        case 'h': cli_print_help(&cmd_explain, stdout); return EXIT_OK;
        default: return EXIT_USAGE;
        }
    }
    char *owned = NULL;
    const char *text;
    size_t len;
    if (optind < argc && strcmp(argv[optind], "-") != 0) {
        text = argv[optind];
        len = strlen(text);
    } else {
        owned = read_stdin(&len);
        if (!owned) return EXIT_IO;
        text = owned;
    }
    ofs_rules *rules = cli_load_rules(rules_dir);
    if (!rules) {
        free(owned);
        return EXIT_RULES;
    }
    int color = force_color || cli_use_color(stdout);
    style st = color ? (style){"\033[1;4;33m", "\033[0m", "\033[2m", "\033[32m", "\033[31m"}
                     : (style){"[[", "]]", "", "", ""};
    const char *reset = color ? "\033[0m" : "";
    ofs_scanner *sc = ofs_scanner_create(rules);
    ofs_scanner_set_explain(sc, 1);
    const ofs_result *r = ofs_scan(sc, text, len);

    size_t nlen;
    const char *norm = ofs_scanner_normalized(sc, &nlen);
    printf("normalised: %.*s\n", (int)nlen, norm);
    if (r->invalid_utf8) printf("note: the text has bytes that are not valid UTF-8 (shown as U+FFFD when matched)\n");

    printf("\nlabels:\n");
    for (int l = 0; l < OFS_LABEL_COUNT; l++)
        printf("  %s%-15s %6.2f / %.2f  %s%s\n", r->labelled[l] ? st.good : st.dim, ofs_label_names[l], r->score[l],
               r->threshold[l], r->labelled[l] ? "LABELLED" : "not labelled", reset);

    printf("\nrules that fired (%zu):\n", r->evidence_count);
    for (size_t i = 0; i < r->evidence_count; i++) {
        const ofs_evidence *e = &r->evidence[i];
        printf("  %s%+.2f%s %s -> %s\n", e->weight < 0 ? st.bad : st.good, e->weight, reset, e->rule_id, e->label);
        for (size_t k = 0; k < e->match_count; k++) {
            printf("      %-10s %zu-%zu  ", e->matches[k].pattern, e->matches[k].span.start, e->matches[k].span.end);
            print_span(text, len, e->matches[k].span, &st);
        }
    }
    printf("\nnear misses (%zu):\n", r->near_miss_count);
    for (size_t i = 0; i < r->near_miss_count; i++) {
        const ofs_near_miss *m = &r->near_misses[i];
        printf("  %s%+.2f %s -> %s: %s%s\n", st.dim, m->weight, m->rule_id, m->label, m->why, reset);
    }
    printf("\nextracted:\n");
    for (size_t i = 0; i < r->route_count; i++) {
        const ofs_route *rt = &r->routes[i];
        printf("  route    %s%s%s -> %s%s%s\n", rt->has_from ? rt->from.country : "?",
               rt->has_from && rt->from.place ? " " : "", rt->has_from && rt->from.place ? rt->from.place : "",
               rt->to.country, rt->to.place ? " " : "", rt->to.place ? rt->to.place : "");
    }
    for (size_t i = 0; i < r->price_count; i++) {
        const ofs_price *p = &r->prices[i];
        if (p->has_max) printf("  price    %g-%g %s\n", p->amount, p->amount_max, p->currency);
        else printf("  price    %g %s\n", p->amount, p->currency);
    }
    for (size_t i = 0; i < r->contact_count; i++)
        printf("  contact  %s%s%s\n", r->contacts[i].value, r->contacts[i].country[0] ? " " : "", r->contacts[i].country);
    for (size_t i = 0; i < r->document_count; i++)
        printf("  document %s%s%s\n", r->documents[i].type, r->documents[i].country[0] ? " " : "",
               r->documents[i].country);
    for (size_t i = 0; i < r->note_count; i++) printf("note: %s\n", r->notes[i]);

    ofs_scanner_free(sc);
    ofs_rules_free(rules);
    free(owned);
    return EXIT_OK;
}

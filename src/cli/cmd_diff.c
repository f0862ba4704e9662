/* cmd_diff.c: `offerscan diff`: what a rule change does to gold records. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_option diff_options[] = {
    {"rules", 'r', "DIR", "a rule set; give it twice: the old one (A), then the new one (B); 'builtin' is the built-in set"},
    {0, 0, 0, 0},
};

static int run_diff(int argc, char **argv);

const cli_command cmd_diff = {
    "diff", "compare two rule sets on gold records",
    "--rules A --rules B GOLD.jsonl...",
    "Label the gold records with rule sets A and B and show what a reviewer needs:\n"
    "the records whose labels change, the rules responsible, and the change in\n"
    "each metric.",
    diff_options, run_diff,
};

static void print_labels(unsigned mask)
{
    int any = 0;
    for (int l = 0; l < OFS_LABEL_COUNT; l++)
        if (mask >> l & 1) printf("%s%s", any++ ? "," : "", ofs_label_names[l]);
    if (!any) printf("(none)");
}

/* Rules in list b that are not in list a (comma-separated ids). */
static void print_rule_delta(const char *a, const char *b, const char *sign)
{
    char *copy = strdup(b);
    for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        size_t n = strlen(tok);
        const char *p = a;
        int found = 0;
        while ((p = strstr(p, tok))) {
            if ((p == a || p[-1] == ',') && (p[n] == ',' || p[n] == '\0')) found = 1;
            p += n;
        }
        if (!found) printf(" %s%s", sign, tok);
    }
    free(copy);
}

static ofs_eval *evaluate(const char *dir, ofs_rules **rules, int argc, char **argv)
{
    *rules = cli_load_rules(strcmp(dir, "builtin") == 0 ? NULL : dir);
    if (!*rules) return NULL;
    ofs_eval *e = ofs_eval_create(*rules);
    ofs_diags *d = ofs_diags_create();
    int ok = 1;
    for (int i = optind; i < argc; i++) ok &= ofs_eval_add_file(e, argv[i], d) == 0;
    ofs_diags_print(d, stderr);
    ofs_diags_free(d);
    if (!ok) {
        ofs_eval_free(e);
        return NULL;
    }
    return e;
}

static int run_diff(int argc, char **argv)
{
    const char *dirs[2] = {NULL, NULL}, *v;
    int n = 0, c;
    while ((c = cli_next_option(&cmd_diff, argc, argv, &v)) != -1) {
        switch (c) {
        case 'r':
            if (n < 2) dirs[n] = v;
            n++;
            break;
        case 'h': cli_print_help(&cmd_diff, stdout); return EXIT_OK;
        default: return EXIT_USAGE;
        }
    }
    if (n != 2 || optind >= argc) {
        fprintf(stderr, "offerscan diff: give --rules A --rules B and at least one gold file\n");
        return EXIT_USAGE;
    }
    ofs_rules *ra = NULL, *rb = NULL;
    ofs_eval *a = evaluate(dirs[0], &ra, argc, argv);
    ofs_eval *b = a ? evaluate(dirs[1], &rb, argc, argv) : NULL;
    if (!a || !b) {
        ofs_eval_free(a);
        ofs_eval_free(b);
        ofs_rules_free(ra);
        ofs_rules_free(rb);
        return ra && rb ? EXIT_IO : EXIT_RULES;
    }
    static const char *const metrics[] = {"crossing_offer_f1", "document_offer_f1", "route_advice_f1", "macro_f1",
                                          "flagged_f1", "route_f1", "price_f1", NULL};
    printf("metric                   A       B       change\n");
    for (const char *const *m = metrics; *m; m++) {
        double x = ofs_eval_metric(a, *m), y = ofs_eval_metric(b, *m);
        printf("%-22s %.3f   %.3f   %+.3f\n", *m, x, y, y - x);
    }
    size_t changed = 0, fixed = 0, broken = 0;
    printf("\nrecords whose labels change (A -> B; gold):\n");
    for (size_t i = 0; i < ofs_eval_record_count(a); i++) {
        unsigned pa = ofs_eval_record_predicted(a, i), pb = ofs_eval_record_predicted(b, i);
        if (pa == pb) continue;
        unsigned gold = ofs_eval_record_gold(a, i);
        changed++;
        if (pb == gold) fixed++;
        if (pa == gold) broken++;
        printf("  %s %-12s ", pb == gold ? "fixed " : pa == gold ? "broken" : "change", ofs_eval_record_id(a, i));
        print_labels(pa);
        printf(" -> ");
        print_labels(pb);
        printf("; gold ");
        print_labels(gold);
        printf("\n      %.100s\n      rules:", ofs_eval_record_text(a, i));
        print_rule_delta(ofs_eval_record_rules(a, i), ofs_eval_record_rules(b, i), "+");
        print_rule_delta(ofs_eval_record_rules(b, i), ofs_eval_record_rules(a, i), "-");
        printf("\n");
    }
    printf("\n%zu records change: %zu fixed, %zu broken, %zu otherwise changed\n", changed, fixed, broken,
           changed - fixed - broken);
    ofs_eval_free(a);
    ofs_eval_free(b);
    ofs_rules_free(ra);
    ofs_rules_free(rb);
    return EXIT_OK;
}

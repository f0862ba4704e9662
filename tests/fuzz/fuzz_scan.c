/* fuzz_scan.c: libFuzzer target for the whole scan, differential: every
 * input is scanned by the built-in rule set twice, with the Hyperscan
 * prefilter (atoms and the windows around them) and with PCRE2 alone, and
 * the two results must be the same: the same rules fired with the same
 * matches, the same scores. The prefilter may only save work.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "offerscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ofs_rules *rules;
static ofs_scanner *with, *without;

static void load(void)
{
    ofs_diags *d = ofs_diags_create();
    rules = ofs_rules_load_builtin(d);
    if (!rules) {
        ofs_diags_print(d, stderr);
        abort();
    }
    ofs_diags_free(d);
    with = ofs_scanner_create(rules);
    without = ofs_scanner_create(rules);
    if (!with || !without) abort();
    ofs_scanner_set_prefilter(without, 0);
}

/* What a scan found, as text, to compare (malloc'd). */
static char *describe(const ofs_result *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) abort();
    for (int l = 0; l < OFS_LABEL_COUNT; l++) fprintf(f, "%d %.3f\n", r->labelled[l], r->score[l]);
    for (size_t i = 0; i < r->evidence_count; i++) {
        const ofs_evidence *e = &r->evidence[i];
        fprintf(f, "%s:", e->rule_id);
        for (size_t k = 0; k < e->match_count; k++)
            fprintf(f, " %s@%zu-%zu", e->matches[k].pattern, e->matches[k].span.start, e->matches[k].span.end);
        fputc('\n', f);
    }
    for (size_t i = 0; i < r->note_count; i++) fprintf(f, "note %s\n", r->notes[i]);
    fclose(f);
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!rules) load();
    const ofs_result *a = ofs_scan(with, (const char *)data, size);
    const ofs_result *b = ofs_scan(without, (const char *)data, size);
    if (!a || !b) {
        if (a || b) abort();
        return 0;
    }
    char *da = describe(a), *db = describe(b);
    if (strcmp(da, db) != 0) {
        fprintf(stderr, "prefilter changed the result:\n--- with prefilter\n%s--- PCRE2 alone\n%s", da, db);
        abort();
    }
    free(da);
    free(db);
    return 0;
}

/* score.c: label scores from fired rules, against the configured thresholds. */
#include "score.h"

void score_compute(const ofs_rules *rs, ofs_result *r)
{
    for (int l = 0; l < OFS_LABEL_COUNT; l++) {
        r->score[l] = 0;
        r->threshold[l] = rs->threshold[l];
    }
    for (size_t i = 0; i < r->evidence_count; i++) {
        const ofs_evidence *e = &r->evidence[i];
        for (int l = 0; l < OFS_LABEL_COUNT; l++)
            if (e->label_mask & (1u << l)) r->score[l] += e->weight;
    }
    for (int l = 0; l < OFS_LABEL_COUNT; l++) r->labelled[l] = r->score[l] >= r->threshold[l] - 1e-9;
}

/* score.h: turning the rules that fired into label scores. Internal. */
#ifndef OFS_SCORE_H
#define OFS_SCORE_H

#include "offerscan.h"
#include "rules.h"

/* Sets r->score, r->threshold and r->labelled from r's evidence: a label's
 * score is the sum of the weights of the rules that fired for it (negative
 * evidence subtracts), and the label is given when the score reaches the
 * label's threshold from config.yaml. */
void score_compute(const ofs_rules *rs, ofs_result *r);

#endif

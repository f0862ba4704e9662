/* scan.c: one record through the rule set.
 *
 * A scan normalises the text once, then evaluates each rule's conditions.
 * Patterns are evaluated lazily and at most once per record: many rules
 * share a pattern ({boat}, {price}), and a rule whose first `all` pattern
 * does not match never touches the others. Then the extractors run, and the
 * fired rules are scored.
 *
 * Conditions of a rule (all must hold):
 *   all:  every listed pattern matches;
 *   any:  at least one listed pattern matches;
 *   none: no listed pattern matches;
 *   near: for each entry, some match of the first pattern and some match of
 *         the second have at most `within` words between them.
 * A rule with none of all/any/near fires when any of its patterns matches.
 *
 * Spans are found in the normalised text and reported in original offsets.
 */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "extract.h"
#include "normalize.h"
#include "patterns.h"
#include "prefilter.h"
#include "rules.h"
#include "score.h"
#include "util.h"

typedef struct pattern_state {
    unsigned      scan;          /* the scan that evaluated it (ofs_scanner.scan_number) */
    int           error;         /* PCRE2 error code, 0 when none */
    size_t        first, count;  /* matches in the span pool */
} pattern_state;

typedef struct pending_evidence {
    size_t rule;
    size_t first, count;         /* in the match pool */
} pending_evidence;

struct ofs_scanner {
    const ofs_rules *rules;
    ofs_norm        *norm;
    pattern_matcher *matcher;
    int              explain;
    int              use_prefilter;
    const prefilter *prefilter;
    prefilter_scratch *prefilter_scratch;
    int              filtered;   /* this scan went through the prefilter */
    const unsigned char *candidates; /* candidates[u]: unit u (see patterns.h) may match this record */
    unsigned char   *all_units;  /* all 1: the candidates without the prefilter */
    unit_search     *search;     /* for the units of one pattern */
    size_t           search_cap;
    unsigned         scan_number; /* stamps pattern_state.scan and rule_seen */
    unsigned        *rule_seen;  /* rule_seen[ri] == scan_number: ri is in rule_list */
    size_t          *rule_list;  /* the rules to evaluate, ascending */
    size_t           rule_list_count;
    size_t          *base_rules; /* the rules of the units without atoms, ascending */
    size_t           base_rule_count;

    const char      *text;       /* normalised text of this scan */
    size_t           len;

    pattern_state   *patterns;   /* one per pattern of the table */
    ofs_span        *spans;      /* normalised spans of pattern matches */
    size_t           span_count, span_cap;
    ofs_span        *scratch;    /* max_matches spans for one call */

    uint32_t        *word_starts;  /* word_starts[i]: words starting before byte i */
    size_t           word_cap;
    int              words_ready;

    pending_evidence *pending;
    size_t           pending_count, pending_cap;
    ofs_match       *matches;
    size_t           match_count, match_cap;
    ofs_evidence    *evidence;
    size_t           evidence_cap;

    ofs_near_miss   *near_misses;
    size_t           near_miss_count, near_miss_cap;
    char           **notes;
    size_t           note_count, note_cap;

    route_list       routes;
    price_list       prices;
    contact_list     contacts;
    document_list    documents;

    ofs_result       result;
};

static int rule_has_candidate(const ofs_scanner *sc, const unsigned char *candidates, const rule *r);

ofs_scanner *ofs_scanner_create(const ofs_rules *rules)
{
    ofs_scanner *sc = xcalloc(1, sizeof *sc);
    sc->rules = rules;
    sc->norm = norm_create();
    sc->matcher = pattern_matcher_create(rules->patterns, rules->limits.match_limit, rules->limits.depth_limit);
    if (!sc->norm || !sc->matcher) {
        ofs_scanner_free(sc);
        return NULL;
    }
    sc->patterns = xcalloc(pattern_table_count(rules->patterns) + 1, sizeof *sc->patterns);
    size_t nunits = pattern_table_unit_count(rules->patterns);
    sc->all_units = xmalloc(nunits + 1);
    memset(sc->all_units, 1, nunits + 1);
    sc->candidates = sc->all_units;
    sc->use_prefilter = 1;
    sc->prefilter = rules_prefilter(rules);
    sc->prefilter_scratch = prefilter_scratch_create(sc->prefilter);
    sc->rule_seen = xcalloc(rules->rule_count + 1, sizeof *sc->rule_seen);
    sc->rule_list = xcalloc(rules->rule_count + 1, sizeof *sc->rule_list);
    sc->base_rules = xcalloc(rules->rule_count + 1, sizeof *sc->base_rules);
    if (sc->prefilter) {
        /* The base rules, evaluated on every record: those that the units
         * without atoms alone leave a chance. Every other rule needs a
         * unit that the scan finds, and select_rules adds it then. */
        const unsigned char *always = prefilter_always(sc->prefilter);
        for (size_t ri = 0; ri < rules->rule_count; ri++)
            if (rule_has_candidate(sc, always, &rules->rules[ri])) sc->base_rules[sc->base_rule_count++] = ri;
    }
    sc->scratch = xcalloc(rules->limits.max_matches, sizeof *sc->scratch);
    return sc;
}

static void free_strings(char **items, size_t count)
{
    for (size_t i = 0; i < count; i++) free(items[i]);
}

void ofs_scanner_free(ofs_scanner *sc)
{
    if (!sc) return;
    norm_free(sc->norm);
    pattern_matcher_free(sc->matcher);
    free(sc->patterns);
    free(sc->all_units);
    free(sc->search);
    free(sc->rule_seen);
    free(sc->rule_list);
    free(sc->base_rules);
    prefilter_scratch_free(sc->prefilter_scratch);
    free(sc->spans);
    free(sc->scratch);
    free(sc->word_starts);
    free(sc->pending);
    free(sc->matches);
    free(sc->evidence);
    for (size_t i = 0; i < sc->near_miss_count; i++) free_const(sc->near_misses[i].why);
    free(sc->near_misses);
    free_strings(sc->notes, sc->note_count);
    free(sc->notes);
    free(sc->routes.items);
    free(sc->prices.items);
    contact_list_free(&sc->contacts);
    free(sc->documents.items);
    free(sc);
}

void ofs_scanner_set_explain(ofs_scanner *sc, int on) { sc->explain = on; }
void ofs_scanner_set_prefilter(ofs_scanner *sc, int on) { sc->use_prefilter = on; }

const char *ofs_scanner_normalized(const ofs_scanner *sc, size_t *len) { return norm_text(sc->norm, len); }

ofs_span ofs_scanner_orig_span(const ofs_scanner *sc, size_t start, size_t end)
{
    ofs_span s;
    norm_to_orig(sc->norm, start, end, &s.start, &s.end);
    return s;
}

static void add_note(ofs_scanner *sc, char *note)
{
    for (size_t i = 0; i < sc->note_count; i++) {
        if (strcmp(sc->notes[i], note) == 0) {
            free(note);
            return;
        }
    }
    VEC_PUSH(sc->notes, sc->note_count, sc->note_cap, note);
}

/* 1 when some unit of pattern id is among the candidates (per unit). */
static int pattern_is_candidate(const ofs_scanner *sc, const unsigned char *candidates, size_t id)
{
    const size_t *units;
    size_t k = pattern_table_units(sc->rules->patterns, id, &units);
    for (size_t u = 0; u < k; u++)
        if (candidates[units[u]]) return 1;
    return 0;
}

/* Evaluates pattern id once per scan; returns its state. */
static const pattern_state *pattern_eval(ofs_scanner *sc, size_t id, const rule *r, const char *name)
{
    pattern_state *ps = &sc->patterns[id];
    if (ps->scan == sc->scan_number) return ps;
    ps->scan = sc->scan_number;
    ps->error = 0;
    ps->first = sc->span_count;
    ps->count = 0;
    if (!pattern_is_candidate(sc, sc->candidates, id)) return ps; /* the prefilter rules it out: no match */
    const unit_search *search = NULL;
    if (sc->filtered) {
        const size_t *units;
        size_t k = pattern_table_units(sc->rules->patterns, id, &units);
        grow_array((void **)&sc->search, &sc->search_cap, k, sizeof *sc->search);
        for (size_t u = 0; u < k; u++) {
            sc->search[u].skip = !sc->candidates[units[u]];
            sc->search[u].window_count = prefilter_windows(sc->prefilter_scratch, units[u], &sc->search[u].windows);
        }
        search = sc->search;
    }
    size_t n = 0;
    int rc = pattern_find_all(sc->matcher, id, sc->text, sc->len, search, sc->scratch, sc->rules->limits.max_matches,
                              &n);
    ps->error = rc;
    ps->count = n;
    grow_array((void **)&sc->spans, &sc->span_cap, sc->span_count + n, sizeof *sc->spans);
    if (n) memcpy(sc->spans + sc->span_count, sc->scratch, n * sizeof *sc->spans);
    sc->span_count += n;
    if (rc != 0) {
        char msg[128];
        pattern_error_message(rc, msg, sizeof msg);
        add_note(sc, xasprintf("rule %s, pattern %s: %s; matching stopped for this pattern", r->id, name, msg));
    }
    return ps;
}

static int is_word_char(const char *s, size_t len, size_t i, size_t *adv)
{
    unsigned char c = (unsigned char)s[i];
    if (c < 0x80) {
        *adv = 1;
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
    if (n <= 0) {
        *adv = 1;
        return 0;
    }
    *adv = (size_t)n;
    utf8proc_category_t cat = utf8proc_category(cp);
    return (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
           (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO);
}

static void build_word_index(ofs_scanner *sc)
{
    grow_array((void **)&sc->word_starts, &sc->word_cap, sc->len + 1, sizeof *sc->word_starts);
    uint32_t count = 0;
    int prev_word = 0;
    size_t i = 0;
    while (i < sc->len) {
        size_t adv;
        int w = is_word_char(sc->text, sc->len, i, &adv);
        for (size_t k = 0; k < adv && i + k < sc->len; k++) sc->word_starts[i + k] = count;
        if (w && !prev_word) {
            count++;
            for (size_t k = 1; k < adv && i + k < sc->len; k++) sc->word_starts[i + k] = count;
        }
        prev_word = w;
        i += adv;
    }
    sc->word_starts[sc->len] = count;
    sc->words_ready = 1;
}

/* Words starting in [from, to). */
static size_t words_between(ofs_scanner *sc, size_t from, size_t to)
{
    if (!sc->words_ready) build_word_index(sc);
    if (to <= from) return 0;
    return sc->word_starts[to] - sc->word_starts[from];
}

/* Searches a pair of matches within the distance; sets *ia, *ib (span indexes). */
static int near_holds(ofs_scanner *sc, const pattern_state *a, const pattern_state *b, int within, size_t *ia,
                      size_t *ib, size_t *best_gap)
{
    *best_gap = (size_t)-1;
    for (size_t i = 0; i < a->count; i++) {
        const ofs_span *sa = &sc->spans[a->first + i];
        for (size_t j = 0; j < b->count; j++) {
            const ofs_span *sb = &sc->spans[b->first + j];
            size_t gap = sa->end <= sb->start ? words_between(sc, sa->end, sb->start)
                         : sb->end <= sa->start ? words_between(sc, sb->end, sa->start) : 0;
            if (gap < *best_gap) {
                *best_gap = gap;
                *ia = a->first + i;
                *ib = b->first + j;
            }
        }
    }
    return *best_gap <= (size_t)within;
}

static void push_match(ofs_scanner *sc, const char *name, size_t span_index)
{
    ofs_match m = {name, sc->spans[span_index]};
    for (size_t i = sc->pending_count ? sc->pending[sc->pending_count - 1].first : 0; i < sc->match_count; i++)
        if (sc->matches[i].pattern == name && sc->matches[i].span.start == m.span.start) return;
    VEC_PUSH(sc->matches, sc->match_count, sc->match_cap, m);
}

/* Whether the candidate units (the prefilter's for this record, or the
 * units without atoms) leave rule r a chance: every `all` pattern and
 * both terms of every `near` may match, and one `any` pattern (or, for a
 * rule with none of these, one of its patterns outside `none`). Costs no
 * PCRE2 call, so a rule missing one required pattern runs none. */
static int rule_has_candidate(const ofs_scanner *sc, const unsigned char *candidates, const rule *r)
{
    for (size_t i = 0; i < r->all_count; i++)
        if (!pattern_is_candidate(sc, candidates, r->patterns[r->all[i]].id)) return 0;
    for (size_t i = 0; i < r->near_count; i++)
        if (!pattern_is_candidate(sc, candidates, r->patterns[r->near[i].a].id) ||
            !pattern_is_candidate(sc, candidates, r->patterns[r->near[i].b].id))
            return 0;
    if (r->any_count) {
        for (size_t i = 0; i < r->any_count; i++)
            if (pattern_is_candidate(sc, candidates, r->patterns[r->any[i]].id)) return 1;
        return 0;
    }
    if (r->all_count || r->near_count) return 1;
    for (size_t i = 0; i < r->pattern_count; i++) {
        int only_none = 0;
        for (size_t k = 0; k < r->none_count; k++) only_none |= r->none[k] == i;
        if (!only_none && pattern_is_candidate(sc, candidates, r->patterns[i].id)) return 1;
    }
    return 0;
}

/* Evaluates rule ri. Returns 1 when it fires (its matches are appended to
 * the match pool). In explain mode, a rule with some condition met and
 * some failed is recorded as a near miss with the failed conditions. */
static int rule_eval(ofs_scanner *sc, size_t ri)
{
    const rule *r = &sc->rules->rules[ri];
    if (!sc->explain && !rule_has_candidate(sc, sc->candidates, r)) return 0;
    size_t mark = sc->match_count;
    int ok = 1, met = 0; /* met: some positive pattern matched (for near misses) */
    strbuf why = {0};
    pending_evidence pe = {ri, mark, 0};
    VEC_PUSH(sc->pending, sc->pending_count, sc->pending_cap, pe);
#define FAIL(...)                                                                                                    \
    do {                                                                                                             \
        ok = 0;                                                                                                      \
        if (!sc->explain) goto done;                                                                                 \
        if (why.len) strbuf_puts(&why, "; ");                                                                        \
        strbuf_printf(&why, __VA_ARGS__);                                                                            \
    } while (0)

    for (size_t i = 0; i < r->all_count; i++) {
        const rule_pattern *p = &r->patterns[r->all[i]];
        const pattern_state *ps = pattern_eval(sc, p->id, r, p->name);
        if (ps->count == 0) FAIL("all: '%s' did not match", p->name);
        else {
            met++;
            push_match(sc, p->name, ps->first);
        }
    }
    if (r->any_count) {
        int any = 0;
        for (size_t i = 0; i < r->any_count; i++) {
            const rule_pattern *p = &r->patterns[r->any[i]];
            const pattern_state *ps = pattern_eval(sc, p->id, r, p->name);
            if (ps->count) {
                any = 1;
                push_match(sc, p->name, ps->first);
            }
        }
        if (!any) {
            if (!sc->explain) FAIL("any"); /* leaves at once: nothing to describe */
            strbuf names = {0};
            for (size_t i = 0; i < r->any_count; i++)
                strbuf_printf(&names, "%s'%s'", i ? ", " : "", r->patterns[r->any[i]].name);
            FAIL("any: none of %s matched", names.buf);
            strbuf_free(&names);
        } else {
            met++;
        }
    }
    for (size_t i = 0; i < r->near_count; i++) {
        const near_cond *nc = &r->near[i];
        const rule_pattern *pa = &r->patterns[nc->a], *pb = &r->patterns[nc->b];
        const pattern_state *a = pattern_eval(sc, pa->id, r, pa->name);
        const pattern_state *b = pattern_eval(sc, pb->id, r, pb->name);
        size_t ia = 0, ib = 0, gap;
        if (a->count || b->count) met++;
        if (!a->count || !b->count) {
            FAIL("near: '%s' and '%s' not both matched", pa->name, pb->name);
        } else if (!near_holds(sc, a, b, nc->within, &ia, &ib, &gap)) {
            FAIL("near: '%s' and '%s' are %zu words apart (within %d needed)", pa->name, pb->name, gap, nc->within);
        } else {
            met++;
            push_match(sc, pa->name, ia);
            push_match(sc, pb->name, ib);
        }
    }
    if (r->all_count == 0 && r->any_count == 0 && r->near_count == 0) {
        int any = 0;
        for (size_t i = 0; i < r->pattern_count; i++) {
            int in_none = 0;
            for (size_t k = 0; k < r->none_count; k++) in_none |= r->none[k] == i;
            if (in_none) continue;
            const pattern_state *ps = pattern_eval(sc, r->patterns[i].id, r, r->patterns[i].name);
            if (ps->count) {
                any = 1;
                push_match(sc, r->patterns[i].name, ps->first);
            }
        }
        if (!any) FAIL("no pattern matched");
        else met++;
    }
    for (size_t i = 0; i < r->none_count; i++) {
        const rule_pattern *p = &r->patterns[r->none[i]];
        const pattern_state *ps = pattern_eval(sc, p->id, r, p->name);
        if (ps->count) {
            ofs_span o = ofs_scanner_orig_span(sc, sc->spans[ps->first].start, sc->spans[ps->first].end);
            FAIL("none: '%s' matched at %zu-%zu", p->name, o.start, o.end);
        }
    }
#undef FAIL
done:
    if (!ok && sc->explain && met > 0) {
        ofs_near_miss nm = {r->id, r->label_text, r->weight, why.buf};
        why.buf = NULL;
        VEC_PUSH(sc->near_misses, sc->near_miss_count, sc->near_miss_cap, nm);
    }
    strbuf_free(&why);
    if (!ok) {
        sc->match_count = mark;
        sc->pending_count--;
        return 0;
    }
    sc->pending[sc->pending_count - 1].count = sc->match_count - mark;
    return 1;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* Fills rule_list with the rules of the units found and the base rules. */
static void select_rules(ofs_scanner *sc)
{
    const ofs_rules *rs = sc->rules;
    sc->rule_list_count = 0;
    for (size_t i = 0; i < sc->base_rule_count; i++) {
        sc->rule_seen[sc->base_rules[i]] = sc->scan_number;
        sc->rule_list[sc->rule_list_count++] = sc->base_rules[i];
    }
    const size_t *found;
    size_t n = prefilter_found(sc->prefilter_scratch, &found);
    for (size_t k = 0; k < n; k++) {
        for (size_t i = rs->unit_rule_first[found[k]]; i < rs->unit_rule_first[found[k] + 1]; i++) {
            size_t ri = rs->unit_rules[i];
            if (sc->rule_seen[ri] == sc->scan_number) continue;
            sc->rule_seen[ri] = sc->scan_number;
            sc->rule_list[sc->rule_list_count++] = ri;
        }
    }
    if (n) qsort(sc->rule_list, sc->rule_list_count, sizeof *sc->rule_list, cmp_size);
}

static void reset(ofs_scanner *sc)
{
    if (++sc->scan_number == 0) { /* wrapped: forget every stamp */
        memset(sc->patterns, 0, pattern_table_count(sc->rules->patterns) * sizeof *sc->patterns);
        memset(sc->rule_seen, 0, sc->rules->rule_count * sizeof *sc->rule_seen);
        sc->scan_number = 1;
    }
    pattern_matcher_new_text(sc->matcher);
    sc->span_count = 0;
    sc->words_ready = 0;
    sc->pending_count = 0;
    sc->match_count = 0;
    for (size_t i = 0; i < sc->near_miss_count; i++) free_const(sc->near_misses[i].why);
    sc->near_miss_count = 0;
    free_strings(sc->notes, sc->note_count);
    sc->note_count = 0;
    sc->routes.count = 0;
    sc->prices.count = 0;
    contact_list_reset(&sc->contacts);
    sc->documents.count = 0;
}

const ofs_result *ofs_scan(ofs_scanner *sc, const char *text, size_t len)
{
    reset(sc);
    if (norm_run(sc->norm, text, len, NORM_DEOBFUSCATE) != 0) return NULL;
    sc->text = norm_text(sc->norm, &sc->len);
    const ofs_rules *rs = sc->rules;
    sc->filtered = sc->use_prefilter && sc->prefilter_scratch &&
                   prefilter_scan(sc->prefilter_scratch, sc->text, sc->len) == 0;
    sc->candidates = sc->filtered ? prefilter_candidates(sc->prefilter_scratch) : sc->all_units;
    if (sc->filtered && !sc->explain) {
        /* Only the rules that a unit found (or a unit without atoms) can
         * make fire, in rule order: the cost follows the text, not the
         * size of the rule set. */
        select_rules(sc);
        for (size_t i = 0; i < sc->rule_list_count; i++) rule_eval(sc, sc->rule_list[i]);
    } else {
        for (size_t ri = 0; ri < rs->rule_count; ri++) rule_eval(sc, ri);
    }

    /* Evidence, with spans mapped back to the original text. */
    grow_array((void **)&sc->evidence, &sc->evidence_cap, sc->pending_count, sizeof *sc->evidence);
    for (size_t i = 0; i < sc->match_count; i++)
        sc->matches[i].span = ofs_scanner_orig_span(sc, sc->matches[i].span.start, sc->matches[i].span.end);
    for (size_t i = 0; i < sc->pending_count; i++) {
        const rule *r = &rs->rules[sc->pending[i].rule];
        sc->evidence[i] = (ofs_evidence){r->id, r->label_text, r->label_mask, r->weight,
                                         sc->matches + sc->pending[i].first, sc->pending[i].count};
    }

    extract_input in = {text, len, sc->norm, sc->text, sc->len};
    char country[3] = "";
    if (rs->gazetteer) route_find(rs->gazetteer, &in, &sc->routes, country);
    if (rs->prices) price_find(rs->prices, &in, country, &sc->prices);
    if (rs->contacts) contact_find(rs->contacts, &in, &sc->contacts);
    if (rs->documents) document_find(rs->documents, &in, &sc->documents);

    ofs_result *r = &sc->result;
    memset(r, 0, sizeof *r);
    r->evidence = sc->evidence;
    r->evidence_count = sc->pending_count;
    score_compute(rs, r);
    r->routes = sc->routes.items;
    r->route_count = sc->routes.count;
    r->prices = sc->prices.items;
    r->price_count = sc->prices.count;
    r->contacts = sc->contacts.items;
    r->contact_count = sc->contacts.count;
    r->documents = sc->documents.items;
    r->document_count = sc->documents.count;
    r->invalid_utf8 = norm_had_invalid_utf8(sc->norm);
    r->notes = (const char *const *)sc->notes;
    r->note_count = sc->note_count;
    r->near_misses = sc->near_misses;
    r->near_miss_count = sc->near_miss_count;
    return r;
}

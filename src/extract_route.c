/* extract_route.c: finds the routes a text states ("from Zuwara to
 * Lampedusa", "ليبيا ➡️ ايطاليا", "Türkiye'den Yunanistan'a", 🇱🇾🇮🇹).
 *
 * A route is where a journey starts and where it ends, as the text states
 * them (shared/ANNOTATION.md). The words that say which way a journey goes
 * are data (rules/lexicon/route_cues.yaml); this file only combines them.
 *
 * 1. Mentions. The normalised text is cut into tokens and every country,
 *    place or region name is found with the gazetteer (longest name first;
 *    attached Arabic prefixes, Kurdish and Turkish suffixes, Tigrinya and
 *    Arabizi prefixes included). Adjectives ("libyan", "ليبي") are not
 *    places: they only count for the country context.
 *
 * 2. Roles. Each mention gets a direction from the words around it:
 *      - a word or phrase just before it, skipping articles, adjectives and
 *        "the port of": "from the port of Sfax", "vers l'Italie", "d'Oran",
 *        "از ایران", "به یونان", "via Libya";
 *      - else a postposition just after it: "لیبیا سے", "اٹلی تک",
 *        "ایټالیا ته", "Libya üzerinden";
 *      - else what the gazetteer saw attached: "لايطاليا", "İzmir'den".
 *    Three kinds of cue are weaker: "à", "a", "au", "على" mean "to" or only
 *    "at" ("à Sousse"); "off", "near", "au large de" say where, not whither;
 *    Roman Urdu "se" is "from" only when another place follows at once.
 *    A place written after an institution ("tribunal de Lille", "محكمة
 *    طنجة") is its seat: no role, and never taken for anyone's whereabouts.
 *
 * 3. Tidying. A country written next to one of its own places is one
 *    mention ("Sfax, Tunisia", "🇱🇾 Zuwara"), which also picks the meaning
 *    of an ambiguous name ("Tripoli, Lebanon"; otherwise the meaning whose
 *    country the text names elsewhere, else the meaning whose "near"
 *    countries in places.yaml the text names ("from Tripoli to Cyprus" is
 *    Lebanese), else the first in places.yaml). A
 *    name that is also an ordinary word ("Van", "Tarifa") is dropped unless
 *    something ties it to a journey. Names joined by "and", "or" or a comma
 *    form a group with one role ("from Libya and Tunisia", "ليبيا وتونس").
 *
 * 4. Links written with symbols win over words:
 *      A → B, A ➡️ B, A -> B, A 🚤 B       A to B (a chain A → B → C: A to C)
 *      A ← B, A ⬅️ B                        B to A (A to B between names
 *                                           written right to left)
 *      A - B, Sfax-Lampedusa               A to B
 *      🇱🇾🇮🇹 (exactly two flags, in a sentence
 *      that names no travel document)        A to B
 *      Zuwara Lampedusa (two names side by side, no cue, different
 *      countries, one of them a place)      A to B
 *
 * 5. Pairing by role, in three passes:
 *    a. Each destination, with the destinations after it in its sentence
 *       that "then" links to it ("to Tangier by road, then by boat to
 *       Tarifa" is one journey: the last stop is its end), takes as origin
 *       the nearest stated origin in the sentence, before or after it; else
 *       the name just before it with at most one ordinary word between
 *       ("Libya to Italy", "ترکیه به یونان"); else the first stop of its
 *       chain; else a stated origin in a nearby sentence ("Departure: Zuwara
 *       / Arrival: Lampedusa"); else a place it goes through named before it
 *       ("via Serbia ... game to Hungary"). A destination whose cue may mean
 *       "at" needs a stated origin; without one it is where someone is.
 *    b. An origin that no destination took pairs with the name right after
 *       it ("من زوارة لمبيدوزة"), else with one before it ("rescued off
 *       Lesbos after the dinghy left the Turkish coast").
 *    c. A destination still alone takes where the writer is, named before
 *       it ("a guy in Sabratha ... we reached Lampedusa"), unless a route
 *       already goes there; else it stands alone ("from": null).
 *
 * 6. Output. A route end that names only a country takes a place of that
 *    country that the text names and no route uses ("🇱🇾➡️🇮🇹 ... from Zuwara"
 *    is Zuwara to Italy). Routes to or from a region (Europe), from a place
 *    to itself or to its own country, and routes that a more precise one
 *    covers ("Libya to Italy" beside "Zuwara to Italy") are left out; a lone
 *    destination is written only when the text states no full route.
 *
 * The country context (for a bare "dinar") is the country most often named
 * as an origin, else the country most often named at all, adjectives
 * included; ties go to the one named first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "gazetteer.h"
#include "util.h"

#define ALL_KINDS ((1u << GAZ_COUNTRY) | (1u << GAZ_PLACE) | (1u << GAZ_REGION) | (1u << GAZ_ADJECTIVE))
#define CUE_BEFORE (GAZ_CUE_FROM | GAZ_CUE_TO | GAZ_CUE_VIA | GAZ_CUE_BETWEEN)
#define SKIP_BITS (GAZ_SKIP_ARTICLE | GAZ_SKIP_NOUN)
#define MAX_CUE_WORDS 4
#define MAX_SKIPS 6
#define FAR_ORIGIN_TOKENS 40

typedef struct mention {
    size_t           first, last;     /* tokens */
    size_t           start, end;      /* normalised bytes */
    const gaz_cand  *cands;           /* meanings that are not adjectives */
    size_t           ncands;
    const gaz_entry *entry;           /* the meaning chosen */
    int              needs_cue;
    int              role, conj;
    int              weak_cue;        /* its cue is one letter or "to or at": not enough for needs_cue */
    int              weak_to;         /* its cue is "à", "a", "au": to, or only at */
    int              weak_from;       /* its cue is Roman Urdu "se": from, or nothing */
    int              suffix;          /* its role came from a case suffix (Latin script, Sorani -ەوە) */
    int              cue_seen;        /* written with a Turkish case suffix after an apostrophe */
    int              at;              /* written with a locative case ending: "Belgrad'da" (in Belgrade) */
    int              until;           /* its cue says the journey goes that far: "تا ایتالیا", "jusqu'à" */
    int              seat;            /* named as an institution's seat: "tribunal de Lille", "محكمة طنجة" */
    int              is_flag;
    int              merged;          /* a country next to it was folded in */
    int              group;
} mention;

typedef struct group {
    size_t first, last;   /* mentions */
    int    role;
    int    weak;          /* its "to" may only mean "at" ("à Sousse") */
    int    weak_from;     /* its "from" may be no cue at all (Roman Urdu "se") */
    int    in_link;       /* part of a symbol link (step 4) */
    int    until;         /* a member's cue says the journey goes that far ("until") */
    int    used;          /* taken as the origin or end of a route */
    int    paired;        /* an origin that some destination took */
} group;

typedef struct pair { long from; size_t to; } pair;   /* from: mention index, -1 for none */

typedef struct ctx {
    const gazetteer     *g;
    const extract_input *in;
    const char          *text;
    gaz_tokens           toks;
    size_t              *sentence;      /* per token */
    unsigned            *gaps;          /* GAZ_GAP_* of the gap after each token */
    mention             *m;
    size_t               nm, mcap;
    group               *gr;
    size_t               ngr, grcap;
    pair                *pairs;
    size_t               npairs, paircap;
    char               (*adjectives)[3];
    size_t               nadj, adjcap;
    unsigned char       *adj_tok;       /* per token: part of a country adjective */
    gaz_entry           *ruled_out;     /* per mention: the country of a place the text rules out */
    gaz_cand            *ruled_out_cands;
} ctx;

/* ---- helpers -------------------------------------------------------------------- */

static unsigned gap_after(const ctx *c, size_t tok) { return c->gaps[tok]; }

/* The cue bits of tokens [a, b) read as one phrase; with_apos tries the
 * form with the apostrophe that follows the last token ("d'", "dall'"). */
static unsigned phrase_cue(const ctx *c, size_t a, size_t b, int with_apos)
{
    char key[512];
    size_t len = 0;
    for (size_t k = a; k < b; k++) {
        size_t kl = c->toks.items[k].key_len;
        if (len + kl + 2 >= sizeof key) return 0;
        if (k > a) key[len++] = ' ';
        memcpy(key + len, gaz_token_key(&c->toks, k), kl);
        len += kl;
    }
    if (with_apos) key[len++] = '\'';
    return gaz_cue(c->g, key, len) & ~(unsigned)GAZ_DOC_WORD;   /* no direction: see document_sentence */
}

/* Whether the gaps inside tokens [a, b) allow them to be one phrase. */
static int phrase_ok(const ctx *c, size_t a, size_t b)
{
    for (size_t k = a; k + 1 < b; k++)
        if (gap_after(c, k) & ~(unsigned)(GAZ_GAP_SPACE | GAZ_GAP_DASH)) return 0;
    return 1;
}

static unsigned token_cue(const ctx *c, size_t tok)
{
    unsigned bits = phrase_cue(c, tok, tok + 1, 0);
    if (c->toks.items[tok].apos_after) bits |= phrase_cue(c, tok, tok + 1, 1);
    return bits;
}

/* The cue of the longest phrase (up to MAX_CUE_WORDS words) that ends just
 * before token j, its form with an apostrophe first; its length in words
 * in *len (0 and no bits when none). */
static unsigned cue_ending_at(const ctx *c, size_t j, size_t *len)
{
    for (size_t n = j < MAX_CUE_WORDS ? j : MAX_CUE_WORDS; n >= 1; n--) {
        if (!phrase_ok(c, j - n, j)) continue;
        unsigned bits = c->toks.items[j - 1].apos_after ? phrase_cue(c, j - n, j, 1) : 0;
        if (!bits) bits = phrase_cue(c, j - n, j, 0);
        if (bits) {
            *len = n;
            return bits;
        }
    }
    *len = 0;
    return 0;
}

static int role_of_bits(unsigned bits)
{
    if (bits & GAZ_CUE_BETWEEN) return GAZ_ROLE_BETWEEN;
    if (bits & GAZ_CUE_VIA) return GAZ_ROLE_VIA;
    if (bits & GAZ_CUE_FROM) return GAZ_ROLE_FROM;
    if (bits & GAZ_CUE_TO) return GAZ_ROLE_TO;
    return GAZ_ROLE_NONE;
}

/* ---- step 1: mentions ------------------------------------------------------------- */

static void find_mentions(ctx *c)
{
    const gaz_tokens *t = &c->toks;
    for (size_t i = 0; i < t->count;) {
        gaz_match gm;
        if (!gaz_match_at(c->g, c->text, t, i, ALL_KINDS, &gm)) {
            i++;
            continue;
        }
        size_t nn = 0;
        while (nn < gm.ncands && gm.cands[nn].entry->kind != GAZ_ADJECTIVE) nn++;
        if (nn == 0) {
            for (size_t k = gm.first; k <= gm.last; k++) c->adj_tok[k] = 1;
            char cc[3];
            memcpy(cc, gm.cands[0].entry->country, 3);
            grow_array((void **)&c->adjectives, &c->adjcap, c->nadj + 1, sizeof *c->adjectives);
            memcpy(c->adjectives[c->nadj++], cc, 3);
        } else {
            mention mm = {0};
            mm.first = gm.first;
            mm.last = gm.last;
            mm.start = t->items[gm.first].start;
            mm.end = t->items[gm.last].end;
            mm.cands = gm.cands;
            mm.ncands = nn;
            mm.entry = gm.cands[0].entry;
            mm.needs_cue = gm.cands[0].needs_cue;
            mm.role = gm.role;
            mm.conj = gm.conj;
            mm.suffix = gm.suffix;
            mm.cue_seen = gm.apostrophe;
            mm.at = gm.at;
            mm.is_flag = gm.first == gm.last && t->items[gm.first].script == GAZ_SCRIPT_FLAG;
            VEC_PUSH(c->m, c->nm, c->mcap, mm);
        }
        i = gm.last + 1;
    }
}

/* ---- step 2: roles ----------------------------------------------------------------- */

/* Letters in a short key (bytes that start a UTF-8 character). */
static size_t letters_in(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n;
}

/* The role given by the words before token first: "from", "from the port
 * of", "vers l'", "d'". */
static int cue_before(const ctx *c, size_t first, int *weak, int *weak_to)
{
    size_t j = first;
    for (int steps = 0; j > 0 && steps < MAX_SKIPS; steps++) {
        if (gap_after(c, j - 1) & ~(unsigned)(GAZ_GAP_SPACE | GAZ_GAP_COLON)) return GAZ_ROLE_NONE;
        if (c->adj_tok[j - 1]) { /* "l'île italienne de Lampedusa" */
            j--;
            continue;
        }
        int moved = 0;
        for (size_t n = j < MAX_CUE_WORDS ? j : MAX_CUE_WORDS; n >= 1 && !moved; n--) {
            size_t a = j - n;
            if (!phrase_ok(c, a, j)) continue;
            unsigned bits = 0;
            if (c->toks.items[j - 1].apos_after) bits = phrase_cue(c, a, j, 1);
            if (!bits) bits = phrase_cue(c, a, j, 0);
            /* a conjunction of several words says nothing about the place,
             * and its words are no cues of their own: the "da" of Turkish
             * "ya da" (or) is no "from". (Not so "then" words: French "de
             * là" is also "de la", of the.) */
            if ((bits & GAZ_CONJ) && n > 1 && !(bits & (CUE_BEFORE | GAZ_CUE_TO_WEAK | GAZ_CUE_AT | SKIP_BITS)))
                return GAZ_ROLE_NONE;
            /* a word that is no cue: try a shorter phrase */
            if (!(bits & (CUE_BEFORE | GAZ_CUE_TO_WEAK | GAZ_CUE_AT | SKIP_BITS | GAZ_SKIP_OF))) {
                if (n == 1) return GAZ_ROLE_NONE;
                continue;
            }
            /* "port of", "côte de", "île italienne de": an of-word after a
             * place noun or an adjective is skipped */
            if ((bits & GAZ_SKIP_OF) && a > 0 && ((token_cue(c, a - 1) & GAZ_SKIP_NOUN) || c->adj_tok[a - 1]) &&
                !(gap_after(c, a - 1) & ~(unsigned)GAZ_GAP_SPACE)) {
                j = a;
                moved = 1;
                break;
            }
            if (bits & GAZ_CUE_AT) { /* "off Lesbos"; but "from beaches near Boulogne" */
                int role = cue_before(c, a, weak, weak_to);
                return role == GAZ_ROLE_FROM || role == GAZ_ROLE_TO ? role : GAZ_ROLE_NONE;
            }
            if (bits & (CUE_BEFORE | GAZ_CUE_TO_WEAK)) {
                *weak_to = !(bits & CUE_BEFORE);
                *weak = *weak_to || (n == 1 && letters_in(gaz_token_key(&c->toks, a)) == 1);
                return (bits & CUE_BEFORE) ? role_of_bits(bits) : GAZ_ROLE_TO;
            }
            if (bits & SKIP_BITS) {
                j = a;
                moved = 1;
                break;
            }
            return GAZ_ROLE_NONE;
        }
        if (!moved) return GAZ_ROLE_NONE;
    }
    return GAZ_ROLE_NONE;
}

/* The role given by a postposition after token last. */
static int cue_after(const ctx *c, size_t last, int *weak_from)
{
    size_t k = last + 1;
    if (k >= c->toks.count) return GAZ_ROLE_NONE;
    if (gap_after(c, last) & ~(unsigned)(GAZ_GAP_SPACE | GAZ_GAP_COLON)) return GAZ_ROLE_NONE;
    size_t maxn = c->toks.count - k < MAX_CUE_WORDS ? c->toks.count - k : MAX_CUE_WORDS;
    for (size_t n = maxn; n >= 1; n--) {
        if (!phrase_ok(c, k, k + n)) continue;
        unsigned bits = phrase_cue(c, k, k + n, 0);
        if (bits & GAZ_CUE_FROM_AFTER) return GAZ_ROLE_FROM;
        if (bits & GAZ_CUE_FROM_AFTER_WEAK) {
            *weak_from = 1;
            return GAZ_ROLE_FROM;
        }
        if (bits & GAZ_CUE_TO_AFTER) return GAZ_ROLE_TO;
        if (bits & GAZ_CUE_VIA_AFTER) return GAZ_ROLE_VIA;
    }
    return GAZ_ROLE_NONE;
}

/* Whether the cue of mention m says how far the journey goes: "until" words
 * before it, past articles ("jusqu'à la Libye", "تا ایتالیا", "heta
 * Îtalyayê"), or after it (Pashto "تر ایټالیې پورې", Urdu "اٹلی تک"). */
static int until_cue(const ctx *c, const mention *m)
{
    size_t j = m->first;
    for (int steps = 0; j > 0 && steps < MAX_SKIPS; steps++) {
        if (gap_after(c, j - 1) & ~(unsigned)(GAZ_GAP_SPACE | GAZ_GAP_COLON)) break;
        size_t len;
        unsigned bits = cue_ending_at(c, j, &len);
        if (bits & GAZ_CUE_UNTIL) return 1;
        if (!len || !(bits & GAZ_SKIP_ARTICLE)) break;
        j -= len;
    }
    size_t k = m->last + 1;
    if (k >= c->toks.count || (gap_after(c, m->last) & ~(unsigned)GAZ_GAP_SPACE)) return 0;
    for (size_t n = 1; n <= MAX_CUE_WORDS && k + n <= c->toks.count; n++)
        if (phrase_ok(c, k, k + n) && (phrase_cue(c, k, k + n, 0) & GAZ_CUE_UNTIL_AFTER)) return 1;
    return 0;
}

/* Whether an arrow points at flag mention i from no place: "رحلة قريبة
 * ➡️ 🇮🇹", "4 blayes 🚤🇮🇹" name where the trip goes. (An arrow between two
 * places is a link: symbol_routes. A name after a boat is often only
 * where the boat is: "Kiralık yat 🛥️ Bodrum koylarında".) */
static int arrow_from_nowhere(const ctx *c, size_t i)
{
    const mention *m = &c->m[i];
    if (!m->is_flag || m->first == 0 || !(gap_after(c, m->first - 1) & GAZ_GAP_ARROW)) return 0;
    return i == 0 || c->m[i - 1].last + 1 < m->first;
}

static void assign_roles(ctx *c)
{
    for (size_t i = 0; i < c->nm; i++) {
        mention *m = &c->m[i];
        /* a word before the name wins over a Latin-script case ending:
         * Kurmanji "ji Hewlêrê" is from Erbil, whatever Turkish "-e" says */
        size_t n;
        if (m->role == GAZ_ROLE_NONE && m->first > 0 && (cue_ending_at(c, m->first, &n) & GAZ_CUE_SEAT)) {
            m->seat = 1;   /* "le tribunal de Lille": not "from Lille" */
            continue;
        }
        if (m->role == GAZ_ROLE_NONE || m->suffix) {
            int weak = 0, weak_to = 0;
            int before = cue_before(c, m->first, &weak, &weak_to);
            if (before != GAZ_ROLE_NONE || m->role == GAZ_ROLE_NONE) {
                if (before != GAZ_ROLE_NONE) m->role = before;
                m->weak_cue = weak;
                m->weak_to = weak_to;
            }
        }
        if (m->role == GAZ_ROLE_NONE) m->role = cue_after(c, m->last, &m->weak_from);
        if (m->role == GAZ_ROLE_NONE && arrow_from_nowhere(c, i)) m->role = GAZ_ROLE_TO;
        m->until = m->role == GAZ_ROLE_TO && until_cue(c, m);
    }
}

/* Whether the text rules mention m out: a negation after it (Turkish
 * "Kapıkule'den değil"), or before it or its cue, past articles and
 * place nouns ("not from Laayoune", "mouch Athina", "no por Tijuana"). */
static int negated(const ctx *c, const mention *m)
{
    if (m->last + 1 < c->toks.count && !(gap_after(c, m->last) & ~(unsigned)GAZ_GAP_SPACE) &&
        (token_cue(c, m->last + 1) & GAZ_NOT_AFTER))
        return 1;
    size_t j = m->first;
    for (int steps = 0; j > 0 && steps < MAX_SKIPS; steps++) {
        /* only white space: "Pas-de-Calais" is a name, not "pas de Calais" */
        if (gap_after(c, j - 1) & ~(unsigned)GAZ_GAP_SPACE) return 0;
        size_t len;
        unsigned bits = cue_ending_at(c, j, &len);
        if (bits & GAZ_NOT) return 1;
        if (!len || !(bits & (CUE_BEFORE | GAZ_CUE_TO_WEAK | GAZ_CUE_AT | SKIP_BITS | GAZ_SKIP_OF))) return 0;
        j -= len;
    }
    return 0;
}

/* The places the text rules out (negated above). A country is dropped; a
 * place still says which country the journey starts or ends in and keeps
 * its role as that country: "Bulgaristan yolu açık, Kapıkule'den değil
 * dağlardan" is a journey from Turkey, just not from Kapıkule. */
static void drop_negated(ctx *c)
{
    size_t out = 0;
    for (size_t i = 0; i < c->nm; i++) {
        mention *m = &c->m[i];
        if (negated(c, m)) {
            if (m->entry->kind != GAZ_PLACE) continue;
            if (!c->ruled_out) { /* the rare text with a negated place */
                c->ruled_out = xcalloc(c->nm + 1, sizeof *c->ruled_out);
                c->ruled_out_cands = xcalloc(c->nm + 1, sizeof *c->ruled_out_cands);
            }
            gaz_entry *country = &c->ruled_out[i];
            country->kind = GAZ_COUNTRY;
            memcpy(country->country, m->entry->country, 3);
            country->name = m->entry->country;
            c->ruled_out_cands[i].entry = country;
            m->entry = country;
            m->cands = &c->ruled_out_cands[i];
            m->ncands = 1;
            m->needs_cue = 0;
        }
        c->m[out++] = *m;
    }
    c->nm = out;
}

/* ---- step 3: tidying -------------------------------------------------------------- */

/* The gap bits from mention a to mention b, and the tokens between them. */
static unsigned between(const ctx *c, const mention *a, const mention *b, size_t *ntokens)
{
    unsigned bits = 0;
    for (size_t k = a->last; k < b->first; k++) bits |= gap_after(c, k);
    *ntokens = b->first - a->last - 1;
    return bits;
}

#define APPOSITION_GAP (GAZ_GAP_SPACE | GAZ_GAP_LIST | GAZ_GAP_PAREN | GAZ_GAP_COLON | GAZ_GAP_DASH)

static int side_by_side(const ctx *c, const mention *a, const mention *b)
{
    size_t nt;
    unsigned bits = between(c, a, b, &nt);
    return nt == 0 && !(bits & ~(unsigned)APPOSITION_GAP);
}

static int code_index(const char *cc)
{
    if (!(cc[0] >= 'A' && cc[0] <= 'Z' && cc[1] >= 'A' && cc[1] <= 'Z')) return -1;
    return (cc[0] - 'A') * 26 + (cc[1] - 'A');
}

/* Marks in named[] every country the text names without doubt: by an
 * unambiguous name or by an adjective ("طرابلس اللبنانية"). */
static void named_countries(const ctx *c, unsigned char named[26 * 26])
{
    for (size_t i = 0; i < c->nm; i++) {
        const mention *m = &c->m[i];
        int unambiguous = 1;
        for (size_t k = 1; k < m->ncands; k++)
            if (strcmp(m->cands[k].entry->country, m->cands[0].entry->country) != 0) unambiguous = 0;
        int ci = code_index(m->cands[0].entry->country);
        if (unambiguous && ci >= 0) named[ci] = 1;
    }
    for (size_t i = 0; i < c->nadj; i++) {
        int ci = code_index(c->adjectives[i]);
        if (ci >= 0) named[ci] = 1;
    }
}

/* Whether named[] (named_countries) holds the country cc. */
static int is_named(const unsigned char named[26 * 26], const char *cc)
{
    int ci = code_index(cc);
    return ci >= 0 && named[ci];
}

static void pick(mention *m, size_t k)
{
    m->entry = m->cands[k].entry;
    m->needs_cue = m->cands[k].needs_cue;
}

/* Chooses a meaning for each ambiguous name. */
static void disambiguate(ctx *c)
{
    unsigned char named[26 * 26];
    memset(named, 0, sizeof named);
    named_countries(c, named);
    for (size_t i = 0; i < c->nm; i++) {
        mention *m = &c->m[i];
        if (m->ncands < 2) continue;
        int done = 0;
        /* a country written next to it */
        for (int side = 0; side < 2 && !done; side++) {
            const mention *o = side == 0 ? (i > 0 ? &c->m[i - 1] : NULL) : (i + 1 < c->nm ? &c->m[i + 1] : NULL);
            if (!o || o->cands[0].entry->kind != GAZ_COUNTRY) continue;
            if (!(side == 0 ? side_by_side(c, o, m) : side_by_side(c, m, o))) continue;
            for (size_t k = 0; k < m->ncands && !done; k++)
                if (strcmp(m->cands[k].entry->country, o->cands[0].entry->country) == 0) {
                    pick(m, k);
                    done = 1;
                }
        }
        /* a country the text names elsewhere */
        for (size_t k = 0; k < m->ncands && !done; k++)
            if (is_named(named, m->cands[k].entry->country)) {
                pick(m, k);
                done = 1;
            }
        /* a country that places.yaml puts near one meaning ("من طرابلس الى
         * قبرص" is Lebanese Tripoli) */
        for (size_t k = 0; k < m->ncands && !done; k++)
            for (size_t q = 0; q < m->cands[k].entry->nnear && !done; q++)
                if (is_named(named, m->cands[k].entry->near[q])) {
                    pick(m, k);
                    done = 1;
                }
    }
}

/* Folds a country into the place of that country written next to it. */
static void merge_appositions(ctx *c)
{
    size_t out = 0;
    for (size_t i = 0; i < c->nm; i++) {
        if (out > 0) {
            mention *a = &c->m[out - 1];
            const mention *b = &c->m[i];
            int mergeable = side_by_side(c, a, b) && a->entry->country[0] &&
                            strcmp(a->entry->country, b->entry->country) == 0 &&
                            (a->entry->kind == GAZ_COUNTRY || b->entry->kind == GAZ_COUNTRY) &&
                            a->entry->kind != GAZ_REGION && b->entry->kind != GAZ_REGION &&
                            !(a->role && b->role && a->role != b->role) && !b->conj;
            /* "salidas desde Altar Sonora": a place followed by another of
             * its country with only a space between and no cue of its own is
             * the place and its region, one place */
            size_t nt;
            int place_and_region = !mergeable && a->entry->kind == GAZ_PLACE && b->entry->kind == GAZ_PLACE &&
                                   a->entry != b->entry && strcmp(a->entry->country, b->entry->country) == 0 &&
                                   between(c, a, b, &nt) == GAZ_GAP_SPACE && nt == 0 && !b->role && !b->conj &&
                                   !a->is_flag && !b->is_flag;
            if (place_and_region) {
                a->last = b->last;
                a->end = b->end;
                a->needs_cue = a->needs_cue && b->needs_cue;
                continue;
            }
            if (mergeable) {
                if (a->entry->kind == GAZ_COUNTRY && b->entry->kind == GAZ_PLACE) a->entry = b->entry;
                if (!a->role) a->role = b->role;
                a->last = b->last;
                a->end = b->end;
                a->needs_cue = 0;
                a->merged = 1;
                a->is_flag = 0;
                continue;
            }
        }
        c->m[out++] = c->m[i];
    }
    c->nm = out;
}

/* Whether mention i is tied to a neighbour by an arrow or a dash. */
static int symbol_linked(const ctx *c, size_t i)
{
    for (int side = 0; side < 2; side++) {
        if (side == 0 && i == 0) continue;
        if (side == 1 && i + 1 >= c->nm) continue;
        const mention *a = side == 0 ? &c->m[i - 1] : &c->m[i];
        const mention *b = side == 0 ? &c->m[i] : &c->m[i + 1];
        size_t nt;
        unsigned bits = between(c, a, b, &nt);
        if (nt == 0 && (bits & (GAZ_GAP_ARROW | GAZ_GAP_BACK | GAZ_GAP_DASH)) && !(bits & GAZ_GAP_BREAK)) return 1;
    }
    return 0;
}

/* Whether only cue words (and no sentence end) lie between mentions a and b. */
static int only_cues_between(const ctx *c, const mention *a, const mention *b)
{
    size_t nt;
    if (between(c, a, b, &nt) & (GAZ_GAP_BREAK | GAZ_GAP_OTHER)) return 0;
    for (size_t k = a->last + 1; k < b->first; k++)
        if (!token_cue(c, k)) return 0;
    return 1;
}

/* Whether mention m, a name that is also ordinary words, is written as
 * those words: a name that starts with an article and is followed by an
 * "of" word is a noun phrase ("hasta el paso del río" is "to the crossing
 * of the river", not to El Paso). */
static int common_noun_phrase(const ctx *c, const mention *m)
{
    if (!m->needs_cue || m->first == m->last || m->last + 1 >= c->toks.count) return 0;
    if (!(token_cue(c, m->first) & GAZ_SKIP_ARTICLE)) return 0;
    if (gap_after(c, m->last) & ~(unsigned)GAZ_GAP_SPACE) return 0;
    return (token_cue(c, m->last + 1) & GAZ_SKIP_OF) != 0;
}

/* Drops the names that are also ordinary words ("Van", "Tarifa") unless
 * something ties them to a journey: a cue of their own (a one-letter cue
 * such as "a" or "l" only when another name in the sentence has a longer
 * one: "De Vintimille à Nice" but not "rented a van"), their country next
 * to them, or an arrow or dash; and always when they are written as a noun
 * phrase (common_noun_phrase). */
static void drop_uncued(ctx *c)
{
    size_t out = 0;
    char *keep = xcalloc(c->nm + 1, 1);
    /* sentences that hold a name with a cue longer than one letter */
    char *strong = xcalloc(c->toks.count + 1, 1);
    for (size_t i = 0; i < c->nm; i++)
        if (c->m[i].role && !c->m[i].weak_cue) strong[c->sentence[c->m[i].first]] = 1;
    for (size_t i = 0; i < c->nm; i++) {
        const mention *m = &c->m[i];
        int cued = m->cue_seen || (m->role && (!m->weak_cue || strong[c->sentence[m->first]]));
        if (!cued && i > 0 && c->m[i - 1].role == GAZ_ROLE_FROM && !c->m[i - 1].weak_cue &&
            only_cues_between(c, &c->m[i - 1], m))
            cued = 1;   /* "ایران سے ترکی": right after an origin */
        keep[i] = !(m->needs_cue && !cued && !m->merged && !symbol_linked(c, i)) && !common_noun_phrase(c, m);
    }
    for (size_t i = 0; i < c->nm; i++)
        if (keep[i]) c->m[out++] = c->m[i];
    c->nm = out;
    free(keep);
    free(strong);
}

/* Whether mention b is coordinated with mention a ("A and B", "A, B", "A وB"). */
static int coordinated(const ctx *c, const mention *a, const mention *b)
{
    size_t nt;
    unsigned bits = between(c, a, b, &nt);
    if (bits & (GAZ_GAP_BREAK | GAZ_GAP_ARROW | GAZ_GAP_BACK | GAZ_GAP_DASH | GAZ_GAP_OTHER | GAZ_GAP_COLON))
        return 0;
    if (b->role != GAZ_ROLE_NONE && b->role != a->role) return 0;
    if (b->until && !a->until) return 0;   /* "to Croatia, until Italy": a further stop, not a list */
    if (b->conj && nt == 0) return 1;
    if (nt == 0) return (bits & GAZ_GAP_LIST) != 0;
    if (nt > 3) return 0;
    if (phrase_cue(c, a->last + 1, b->first, 0) & GAZ_CONJ) return 1;   /* "Kos'a ya da Midilli'ye" (or) */
    /* "and", or "and from" when b repeats a's role ("dalla Tunisia e dalla Libia") */
    int conj = 0;
    for (size_t k = a->last + 1; k < b->first; k++) {
        unsigned cue = token_cue(c, k);
        if (cue & GAZ_CONJ) conj = 1;
        else if (!(b->role == a->role && b->role && cue)) return 0;
    }
    return conj;
}

static void make_groups(ctx *c)
{
    for (size_t i = 0; i < c->nm; i++) {
        mention *m = &c->m[i];
        if (i > 0 && coordinated(c, &c->m[i - 1], m)) {
            mention *a = &c->m[i - 1];
            if (a->role == GAZ_ROLE_BETWEEN) { /* between A and B */
                a->role = GAZ_ROLE_FROM;
                c->gr[c->ngr - 1].role = GAZ_ROLE_FROM;
                m->role = GAZ_ROLE_TO;
            } else {
                m->role = a->role;
                m->group = a->group;
                c->gr[c->ngr - 1].last = i;
                c->gr[c->ngr - 1].until |= m->until;
                continue;
            }
        }
        group g = {i, i, m->role == GAZ_ROLE_BETWEEN ? GAZ_ROLE_NONE : m->role, m->weak_to, m->weak_from, 0, 0, 0, 0};
        g.until = m->until && g.role == GAZ_ROLE_TO;
        m->group = (int)c->ngr;
        VEC_PUSH(c->gr, c->ngr, c->grcap, g);
    }
}

/* ---- steps 4 and 5: routes ------------------------------------------------------------ */

static void add_pairs(ctx *c, const group *from, const group *to)
{
    for (size_t t = to->first; t <= to->last; t++) {
        if (!from) {
            pair p = {-1, t};
            VEC_PUSH(c->pairs, c->npairs, c->paircap, p);
            continue;
        }
        for (size_t f = from->first; f <= from->last; f++) {
            pair p = {(long)f, t};
            VEC_PUSH(c->pairs, c->npairs, c->paircap, p);
        }
    }
}

enum { LINK_NONE, LINK_FWD, LINK_BACK, LINK_FLAGS, LINK_SIDE };

/* Whether the sentence of mention m names a travel document ("فيزا شنغن
 * 🇫🇷🇪🇸", "passports 🇩🇪🇸🇪"): two flags there are the countries of the
 * document, not a route. */
static int document_sentence(const ctx *c, const mention *m)
{
    size_t sentence = c->sentence[m->first];
    for (size_t k = 0; k < c->toks.count; k++)
        if (c->sentence[k] == sentence &&
            (gaz_cue(c->g, gaz_token_key(&c->toks, k), c->toks.items[k].key_len) & GAZ_DOC_WORD))
            return 1;
    return 0;
}

/* How group k+1 is tied to group k by symbols. */
static int link_between(const ctx *c, size_t k)
{
    const mention *a = &c->m[c->gr[k].last], *b = &c->m[c->gr[k + 1].first];
    size_t nt;
    unsigned bits = between(c, a, b, &nt);
    if (bits & GAZ_GAP_BREAK) return LINK_NONE;
    int only_cues = 1;
    for (size_t t = a->last + 1; t < b->first; t++)
        if (!token_cue(c, t)) only_cues = 0;
    if ((bits & GAZ_GAP_ARROW) && only_cues) return LINK_FWD;
    /* between two names written right to left, "⬅" points the way the
     * text reads ("طبرق ⬅️ كريت", "نیمروز ⬅️ ایران ⬅️ ترکیه") */
    if ((bits & GAZ_GAP_BACK) && only_cues)
        return c->toks.items[a->last].script == GAZ_SCRIPT_ARABIC && c->toks.items[b->first].script == GAZ_SCRIPT_ARABIC
                   ? LINK_FWD
                   : LINK_BACK;
    if (nt) return LINK_NONE;
    if ((bits & GAZ_GAP_DASH) && !(bits & (GAZ_GAP_LIST | GAZ_GAP_OTHER))) return LINK_FWD;
    if (bits & ~(unsigned)GAZ_GAP_SPACE) return LINK_NONE;
    const group *ga = &c->gr[k], *gb = &c->gr[k + 1];
    if (ga->first != ga->last || gb->first != gb->last) return LINK_NONE;
    if (a->is_flag && b->is_flag) return document_sentence(c, a) ? LINK_NONE : LINK_FLAGS;
    if (!a->role && !b->role && strcmp(a->entry->country, b->entry->country) != 0 &&
        (a->entry->kind == GAZ_PLACE || b->entry->kind == GAZ_PLACE) && !a->is_flag && !b->is_flag)
        return LINK_SIDE;
    return LINK_NONE;
}

static void symbol_routes(ctx *c)
{
    if (c->ngr < 2) return;
    int *link = xcalloc(c->ngr, sizeof *link);
    for (size_t k = 0; k + 1 < c->ngr; k++) link[k] = link_between(c, k);
    for (size_t k = 0; k + 1 < c->ngr;) {
        int kind = link[k];
        if (kind == LINK_NONE) {
            k++;
            continue;
        }
        size_t end = k + 1;   /* the chain is groups k..end */
        while (end + 1 < c->ngr && link[end] == kind) end++;
        int ok = 1;
        /* flags or names side by side: exactly two, else it is a list */
        if ((kind == LINK_FLAGS || kind == LINK_SIDE) && end != k + 1) ok = 0;
        if (ok) {
            const group *from = &c->gr[kind == LINK_BACK ? end : k];
            const group *to = &c->gr[kind == LINK_BACK ? k : end];
            add_pairs(c, from, to);
            for (size_t x = k; x <= end; x++) c->gr[x].in_link = c->gr[x].used = 1;
        }
        k = end;
    }
    free(link);
}

/* Words between groups a and b that are not cues, skips or conjunctions
 * (a cue of several words, "کے راستے", counts as none). */
static size_t plain_words_between(const ctx *c, const group *a, const group *b)
{
    size_t n = 0, end = c->m[b->first].first;
    for (size_t t = c->m[a->last].last + 1; t < end;) {
        size_t len = 0;
        for (size_t k = MAX_CUE_WORDS; k >= 1 && !len; k--)
            if (t + k <= end && phrase_ok(c, t, t + k) && phrase_cue(c, t, t + k, 0)) len = k;
        if (!len && c->toks.items[t].apos_after && phrase_cue(c, t, t + 1, 1)) len = 1;
        if (len) {
            t += len;
        } else {
            n++;
            t++;
        }
    }
    return n;
}

static int same_sentence(const ctx *c, const group *a, const group *b)
{
    return c->sentence[c->m[a->last].last] == c->sentence[c->m[b->first].first];
}

/* Whether group b directly follows group a, close enough to be its pair. */
static int next_to(const ctx *c, size_t a, size_t b)
{
    if (b != a + 1 || !same_sentence(c, &c->gr[a], &c->gr[b])) return 0;
    size_t nt;
    unsigned bits = between(c, &c->m[c->gr[a].last], &c->m[c->gr[b].first], &nt);
    if (bits & (GAZ_GAP_BREAK | GAZ_GAP_OTHER | GAZ_GAP_ARROW | GAZ_GAP_BACK)) return 0;
    return plain_words_between(c, &c->gr[a], &c->gr[b]) <= 1;
}

/* Whether group b (after a, with only places it goes through between) is
 * close enough to a to be its pair: same sentence, at most one ordinary
 * word between them. */
static int close_after(const ctx *c, size_t a, size_t b)
{
    if (b == a + 1) return next_to(c, a, b);
    if (!same_sentence(c, &c->gr[a], &c->gr[b])) return 0;
    size_t plain = 0;
    for (size_t g = a; g < b; g++) plain += plain_words_between(c, &c->gr[g], &c->gr[g + 1]);
    return plain <= 1;
}

/* The country of group g's first mention ("" for a region). */
static const char *group_country(const ctx *c, const group *g) { return c->m[g->first].entry->country; }

/* Whether group p may be the other end of a journey with group o when no
 * word says so: it has no role, names a country, is no institution's seat
 * ("tribunal de Lille"), and is somewhere else:
 * another country, or another place of the same one ("کوئٹہ سے تفتان"). */
static int origin_candidate(const ctx *c, const group *p, const group *o)
{
    if (p->role != GAZ_ROLE_NONE || p->used || p->in_link || !group_country(c, p)[0]) return 0;
    if (c->m[p->first].seat) return 0;   /* "قضت محكمة كفر الشيخ ... إلى إيطاليا": no one left from the court */
    if (strcmp(group_country(c, p), group_country(c, o)) != 0) return 1;
    const gaz_entry *a = c->m[p->first].entry, *b = c->m[o->first].entry;
    return a->kind == GAZ_PLACE && b->kind == GAZ_PLACE && a != b;
}

static size_t token_distance(const ctx *c, const group *a, const group *b)
{
    return c->m[b->first].first - c->m[a->last].last;
}

/* Whether group g is an origin stated in words, free to start a route. */
static int stated_from(const group *g) { return g->role == GAZ_ROLE_FROM && !g->in_link && !g->weak_from; }

/* An origin stated in words for the destinations chain[first..last]: the
 * nearest origin group before them in their sentence, else after them
 * ("to Italy from Zuwara"). -1 when none. */
static long stated_origin(const ctx *c, size_t first, size_t last)
{
    const group *head = &c->gr[first], *tail = &c->gr[last];
    for (size_t p = first; p-- > 0;) {
        if (!same_sentence(c, &c->gr[p], head)) break;
        if (stated_from(&c->gr[p])) return (long)p;
    }
    for (size_t p = last + 1; p < c->ngr; p++) {
        if (!same_sentence(c, tail, &c->gr[p])) break;
        if (stated_from(&c->gr[p])) return (long)p;
    }
    return -1;
}

/* The origin stated nearest to chain[first..last], in any sentence within
 * FAR_ORIGIN_TOKENS words, before or after it ("pellegrinaggio alla Mecca
 * ... Partenza da Roma"), and not yet the origin of another route. -1 when
 * none. */
static long nearby_origin(const ctx *c, size_t first, size_t last)
{
    long best = -1;
    size_t best_dist = FAR_ORIGIN_TOKENS + 1;
    for (size_t p = 0; p < c->ngr; p++) {
        if (!stated_from(&c->gr[p]) || c->gr[p].paired || (p >= first && p <= last)) continue;
        size_t dist = p < first ? token_distance(c, &c->gr[p], &c->gr[first]) : token_distance(c, &c->gr[last], &c->gr[p]);
        if (dist < best_dist) {
            best = (long)p;
            best_dist = dist;
        }
    }
    return best;
}

/* An origin for the destinations chain[first..last] when no word states
 * one in their sentence (the chain's destinations are not weak): the name
 * just before them ("Libya to Italy"), the first destination of a longer
 * chain ("to Tangier, then to Tarifa"), an origin stated in a sentence
 * nearby ("Departure: Zuwara / Arrival: Lampedusa"; "Going to Iran? We
 * take you from Nimruz"), or a place the journey goes through, named
 * before them in their sentence ("via Serbia, game to Hungary"). -1 when
 * none. */
static long implied_origin(const ctx *c, size_t first, size_t last)
{
    const group *head = &c->gr[first];
    if (first > 0 && origin_candidate(c, &c->gr[first - 1], head) && next_to(c, first - 1, first))
        return (long)(first - 1);
    if (last > first) return (long)first;
    long from = nearby_origin(c, first, last);
    if (from >= 0) return from;
    for (size_t p = first; p-- > 0;) {   /* "از طریق صربستان ... به مجارستان" */
        const group *g = &c->gr[p];
        if (!same_sentence(c, g, head)) break;
        if (g->role == GAZ_ROLE_VIA && !g->in_link && group_country(c, g)[0] &&
            strcmp(group_country(c, g), group_country(c, head)) != 0)
            return (long)p;
    }
    /* else one named after them: "گەشت بۆ ئەڵمانیا لە ڕێگای بێلاڕووسەوە" (a
     * trip to Germany by way of Belarus) starts in Belarus */
    for (size_t p = last + 1; p < c->ngr && same_sentence(c, &c->gr[last], &c->gr[p]); p++) {
        const group *g = &c->gr[p];
        if (g->role == GAZ_ROLE_FROM || g->role == GAZ_ROLE_TO) break;
        if (g->role == GAZ_ROLE_VIA && !g->in_link && !g->used && group_country(c, g)[0] &&
            strcmp(group_country(c, g), group_country(c, head)) != 0)
            return (long)p;
    }
    return -1;
}

/* Whether some route already starts or ends in country cc. */
static int country_in_pairs(const ctx *c, const char *cc)
{
    for (size_t i = 0; i < c->npairs; i++)
        if (strcmp(c->m[c->pairs[i].to].entry->country, cc) == 0 ||
            (c->pairs[i].from >= 0 && strcmp(c->m[c->pairs[i].from].entry->country, cc) == 0))
            return 1;
    return 0;
}

static void pair_groups(ctx *c, long from, size_t first, size_t last)
{
    if (from >= 0) c->gr[from].paired = c->gr[from].used = 1;
    for (size_t p = first; p <= last; p++) c->gr[p].used = 1;
    add_pairs(c, from >= 0 ? &c->gr[from] : NULL, &c->gr[last]);
}

typedef struct chain { size_t first, last; } chain;

/* The GAZ_SEQ ("then") and GAZ_CONJ ("and") bits of the words between
 * groups a and b. */
static unsigned words_between(const ctx *c, const group *a, const group *b)
{
    unsigned bits = 0;
    for (size_t t = c->m[a->last].last + 1; t < c->m[b->first].first; t++)
        for (size_t n = 1; n <= 3 && t + n <= c->m[b->first].first; n++)
            bits |= phrase_cue(c, t, t + n, 0) & (GAZ_SEQ | GAZ_CONJ);
    return bits;
}

/* Whether group b only names a place inside group a's country, or a
 * names a place inside b's ("Libya ... Sebha"). */
static int inside_country(const ctx *c, const group *a, const group *b)
{
    const gaz_entry *ea = c->m[a->first].entry, *eb = c->m[b->first].entry;
    return strcmp(ea->country, eb->country) == 0 && (ea->kind == GAZ_COUNTRY || eb->kind == GAZ_COUNTRY);
}

static void cue_routes(ctx *c)
{
    chain *waiting = NULL;
    size_t nwaiting = 0, waiting_cap = 0;
    /* 1. Destinations, one chain at a time. Destinations one after the
     * other in a sentence are one journey ("take the train to Ventimiglia,
     * then cross to France"; "go to Bihać and do the game into Croatia");
     * after a stated origin, only when a word like "then" links them. A
     * chain whose every "to" may mean "at" ("à Sousse") is a destination
     * only with a stated origin. */
    for (size_t k = 0; k < c->ngr; k++) {
        if (c->gr[k].in_link || c->gr[k].used || c->gr[k].role != GAZ_ROLE_TO) continue;
        if (!group_country(c, &c->gr[k])[0]) continue;   /* "to Europe" is no destination */
        size_t last = k;
        int weak = c->gr[k].weak;
        int origin_before = stated_origin(c, k, k) >= 0 && stated_origin(c, k, k) < (long)k;
        for (size_t p = k + 1; p < c->ngr && same_sentence(c, &c->gr[k], &c->gr[p]); p++) {
            if (c->gr[p].in_link || !group_country(c, &c->gr[p])[0]) continue;
            if (c->gr[p].role == GAZ_ROLE_FROM) break;
            if (c->gr[p].role != GAZ_ROLE_TO) continue;
            /* "from Turkey to Italy ..., while ... to the Greek islands" is two
             * journeys; without an origin, one stop and then another in the
             * sentence are one journey ("go to Bihać and do the game into
             * Croatia", "si llegas a Ceuta ... los camiones que van para
             * Algeciras"), unless the second may mean "at" ("à Menton") or
             * only names a place inside the first ("pour la Libye ...
             * jusqu'à Sebha") */
            /* "از بوسنی به کرواسی ...، ۳۰۰۰ یورو تا ایتالیا": a stop that the
             * journey goes "until" is its end, past the one before */
            unsigned link = words_between(c, &c->gr[last], &c->gr[p]);
            if (!(link & GAZ_SEQ) && !(c->gr[p].until && !inside_country(c, &c->gr[last], &c->gr[p])) &&
                (origin_before || c->gr[p].weak || inside_country(c, &c->gr[last], &c->gr[p])))
                break;
            last = p;
            weak = weak && c->gr[p].weak;
        }
        long from = stated_origin(c, k, last);
        if (from < 0 && weak) from = nearby_origin(c, k, last);
        if (from < 0 && !weak) from = implied_origin(c, k, last);
        if (from >= 0) {
            pair_groups(c, from, k, last);
        } else if (weak) {
            for (size_t p = k; p <= last; p++)
                if (c->gr[p].role == GAZ_ROLE_TO) c->gr[p].role = GAZ_ROLE_NONE;
        } else {
            chain ch = {k, last};
            VEC_PUSH(waiting, nwaiting, waiting_cap, ch);
        }
        k = last;
    }
    /* 2. An origin that no destination took: the name right after it ("من
     * زوارة لمبيدوزة"), else a name before it in its sentence ("rescued off
     * Lesbos after the dinghy left the Turkish coast"), else one in an
     * earlier sentence nearby. */
    for (size_t k = 0; k < c->ngr; k++) {
        group *from = &c->gr[k];
        if (from->role != GAZ_ROLE_FROM || from->paired || from->in_link) continue;
        long to = -1;
        size_t next = k + 1;   /* "پاکستان سے لیبیا کے راستے اٹلی": past the places it goes through */
        while (next < c->ngr && c->gr[next].role == GAZ_ROLE_VIA && same_sentence(c, from, &c->gr[next])) next++;
        if (next < c->ngr && origin_candidate(c, &c->gr[next], from) && close_after(c, k, next)) to = (long)next;
        /* nothing after the places it goes through: the last of them ends the
         * journey ("ئەوانەی لە بێلاڕووسن ... لە ڕێگای لاتڤیاوە بپەڕنەوە",
         * those in Belarus, cross by way of Latvia) */
        if (to < 0 && next > k + 1 && (next >= c->ngr || !same_sentence(c, from, &c->gr[next])) &&
            !c->gr[next - 1].in_link && !c->gr[next - 1].used &&
            strcmp(group_country(c, &c->gr[next - 1]), group_country(c, from)) != 0 && group_country(c, &c->gr[next - 1])[0])
            to = (long)(next - 1);
        if (from->weak_from) {   /* "Libya se Italy" only */
            if (to >= 0) pair_groups(c, (long)k, (size_t)to, (size_t)to);
            continue;
        }
        for (size_t p = k; to < 0 && p-- > 0;) {
            if (!same_sentence(c, &c->gr[p], from)) break;
            if (origin_candidate(c, &c->gr[p], from)) to = (long)p;
        }
        for (size_t p = k; to < 0 && p-- > 0;) {   /* "rescued near Samos. They had left from Turkey." */
            if (token_distance(c, &c->gr[p], from) > FAR_ORIGIN_TOKENS) break;
            if (origin_candidate(c, &c->gr[p], from) && !country_in_pairs(c, group_country(c, &c->gr[p])))
                to = (long)p;
        }
        if (to >= 0) pair_groups(c, (long)k, (size_t)to, (size_t)to);
    }
    /* 3. The remaining destinations: the writer's whereabouts named before
     * them is the origin ("a guy in Sabratha ... we reached Lampedusa"),
     * unless that country is already part of a route; else they stand
     * alone. */
    for (size_t w = 0; w < nwaiting; w++) {
        const group *head = &c->gr[waiting[w].first];
        long from = -1;
        /* a destination that a route already reaches is not a new journey */
        size_t p0 = country_in_pairs(c, group_country(c, &c->gr[waiting[w].last])) ? 0 : waiting[w].first;
        for (size_t p = p0; p-- > 0 && from < 0;) {
            if (token_distance(c, &c->gr[p], head) > FAR_ORIGIN_TOKENS) break;
            if (origin_candidate(c, &c->gr[p], head) && !country_in_pairs(c, group_country(c, &c->gr[p])))
                from = (long)p;
        }
        pair_groups(c, from, waiting[w].first, waiting[w].last);
    }
    free(waiting);
}

/* A journey goes as far as its last stated stop: a route is extended to a
 * place named after its end, within FAR_ORIGIN_TOKENS words and before any
 * new origin, that the text says the journey goes "until" and that no
 * route starts from or ends in ("... هرات - مشهد - ماکو - وان. گارانتی تا
 * استانبول" is Herat to Istanbul; "ګیم له بوسنیا څخه کروشیا ته ... ټکسي
 * تر ایټالیې پورې" is Bosnia to Italy). A place is not replaced by its own
 * country. */
static void extend_to_last_stop(ctx *c)
{
    char *in_full = xcalloc(c->nm + 1, 1);
    for (size_t i = 0; i < c->npairs; i++)
        if (c->pairs[i].from >= 0) {
            in_full[c->pairs[i].from] = 1;
            in_full[c->pairs[i].to] = 1;
        }
    for (size_t i = 0; i < c->npairs; i++) {
        if (c->pairs[i].from < 0) continue;
        const mention *from = &c->m[c->pairs[i].from];
        size_t to = c->pairs[i].to;
        if (c->pairs[i].from > (long)to) continue;   /* "to Italy from Zuwara": the text goes on elsewhere */
        /* an end written with an arrow is the end, whatever its sentence
         * says next ("Abidjan ➡️ Espagne : transport jusqu'au Maroc") */
        int linked = c->gr[c->m[to].group].in_link;
        size_t best = to;
        for (size_t k = to + 1; k < c->nm; k++) {
            const mention *m = &c->m[k];
            if (m->first - c->m[best].last > FAR_ORIGIN_TOKENS) break;
            if (m->role == GAZ_ROLE_FROM || in_full[k]) break;   /* a new journey */
            if (!m->until || !m->entry->country[0] || strcmp(m->entry->country, from->entry->country) == 0) continue;
            if (linked && c->sentence[m->first] == c->sentence[c->m[to].last] &&
                strcmp(m->entry->country, c->m[to].entry->country) != 0)
                continue;
            const gaz_entry *cur = c->m[best].entry;
            if (m->entry == cur) continue;
            if (m->entry->kind == GAZ_COUNTRY && strcmp(m->entry->country, cur->country) == 0) continue;
            best = k;
        }
        c->pairs[i].to = best;
    }
    free(in_full);
}

/* Whether another pair joins the same two countries as pair i: pair i
 * then adds nothing and is left for emit() to drop, not refined. */
static int covered_by_other(const ctx *c, size_t i)
{
    const pair *a = &c->pairs[i];
    if (a->from < 0) return 0;
    for (size_t j = 0; j < c->npairs; j++) {
        const pair *b = &c->pairs[j];
        if (j == i || b->from < 0) continue;
        if (strcmp(c->m[a->from].entry->country, c->m[b->from].entry->country) == 0 &&
            strcmp(c->m[a->to].entry->country, c->m[b->to].entry->country) == 0 &&
            (c->m[b->from].entry->kind == GAZ_PLACE || c->m[b->to].entry->kind == GAZ_PLACE))
            return 1;
    }
    return 0;
}

/* A route end that names only a country takes a place of that country that
 * the text names and that no route uses: "🇱🇾➡️🇮🇹 ... from Zuwara" is
 * Zuwara to Italy, "Libya ➡️ Italy from Tobruk" Tobruk to Italy. A place
 * with the right role (from for the start, to for the end) is preferred. */
static void refine_ends(ctx *c)
{
    char *in_pair = xcalloc(c->nm + 1, 1);
    for (size_t i = 0; i < c->npairs; i++) {
        if (c->pairs[i].from >= 0) in_pair[c->pairs[i].from] = 1;
        in_pair[c->pairs[i].to] = 1;
    }
    for (size_t i = 0; i < c->npairs; i++)
        for (int end = 0; end < 2; end++) {
            long cur = end == 0 ? c->pairs[i].from : (long)c->pairs[i].to;
            if (cur < 0 || c->m[cur].entry->kind != GAZ_COUNTRY) continue;
            if (covered_by_other(c, i)) break;   /* 🇦🇫➡️🇹🇷 beside "Kabil'den İstanbul'a" */
            /* "تونس - جنوة": a name that is also a city of that country is
             * the city when the other end is a city and a dash or arrow
             * links them, as in a ferry line; with words it is the country
             * ("من الجزائر إلى جدة") */
            long other = end == 0 ? (long)c->pairs[i].to : c->pairs[i].from;
            mention *end_m = &c->m[cur];
            if (other >= 0 && c->m[other].entry->kind == GAZ_PLACE && c->gr[end_m->group].in_link) {
                int done = 0;
                for (size_t k = 0; k < end_m->ncands && !done; k++)
                    if (end_m->cands[k].entry->kind == GAZ_PLACE &&
                        strcmp(end_m->cands[k].entry->country, end_m->entry->country) == 0) {
                        end_m->entry = end_m->cands[k].entry;
                        done = 1;
                    }
                if (done) continue;
            }
            int want = end == 0 ? GAZ_ROLE_FROM : GAZ_ROLE_TO;
            long best = -1;
            int best_score = -1;
            for (size_t k = 0; k < c->nm; k++) {
                const mention *m = &c->m[k];
                /* "from Serbia to Hungary: don't stay in Belgrade" is no journey from Belgrade */
                if (in_pair[k] || m->entry->kind != GAZ_PLACE || c->gr[m->group].in_link || m->at || m->seat ||
                    strcmp(m->entry->country, c->m[cur].entry->country) != 0)
                    continue;
                int score = m->role == want ? 3 : m->role == GAZ_ROLE_NONE || m->role == GAZ_ROLE_VIA ? 2 : 1;
                if (score > best_score) {
                    best = (long)k;
                    best_score = score;
                }
            }
            if (best < 0 || best_score == 0) continue;
            if (end == 0) c->pairs[i].from = best;
            else c->pairs[i].to = (size_t)best;
        }
    free(in_pair);
}

/* ---- output ---------------------------------------------------------------------------- */

static ofs_place place_of(const ctx *c, const mention *m)
{
    ofs_place p;
    memset(&p, 0, sizeof p);
    memcpy(p.country, m->entry->country, 3);
    p.place = m->entry->kind == GAZ_PLACE ? m->entry->name : NULL;
    if (c->in->norm) norm_to_orig(c->in->norm, m->start, m->end, &p.span.start, &p.span.end);
    else {
        p.span.start = m->start;
        p.span.end = m->end;
    }
    return p;
}

static int same_place(const ofs_place *a, const ofs_place *b)
{
    return strcmp(a->country, b->country) == 0 &&
           ((!a->place && !b->place) || (a->place && b->place && strcmp(a->place, b->place) == 0));
}

/* Whether place a says at least what b says: the same country, and b's
 * place if b names one. */
static int place_covers(const ofs_place *a, const ofs_place *b)
{
    return strcmp(a->country, b->country) == 0 && (!b->place || (a->place && strcmp(a->place, b->place) == 0));
}

/* Whether route a makes route b redundant: b is the same route or a vaguer
 * one ("Libya to Italy" beside "Zuwara to Italy"; "to Italy" beside any
 * route to Italy). */
static int covers(const ofs_route *a, const ofs_route *b)
{
    if (!place_covers(&a->to, &b->to)) return 0;
    if (!b->has_from) return 1;
    return a->has_from && place_covers(&a->from, &b->from);
}

static void emit(ctx *c, route_list *out)
{
    size_t base = out->count;
    int has_full = 0;
    for (int pass = 0; pass < 2; pass++) /* full routes, then lone destinations */
        for (size_t i = 0; i < c->npairs; i++) {
            const pair *p = &c->pairs[i];
            if ((p->from >= 0) != (pass == 0)) continue;
            const mention *to = &c->m[p->to];
            if (!to->entry->country[0]) continue;
            ofs_route r;
            memset(&r, 0, sizeof r);
            r.to = place_of(c, to);
            if (p->from >= 0) {
                const mention *from = &c->m[p->from];
                if (!from->entry->country[0]) continue;
                r.has_from = 1;
                r.from = place_of(c, from);
                /* a place and its own country ("from Sfax to Tunisia") is no journey */
                if (same_place(&r.from, &r.to) ||
                    (strcmp(r.from.country, r.to.country) == 0 && (!r.from.place || !r.to.place)))
                    continue;
                has_full = 1;
            }
            int dup = 0;
            for (size_t k = base; k < out->count && !dup; k++)
                if (covers(&out->items[k], &r)) dup = 1;
            if (dup) continue;
            if (!r.has_from && has_full) continue;   /* a lone destination only when no full route */
            /* a new route may make an earlier, vaguer one redundant */
            size_t keep = base;
            for (size_t k = base; k < out->count; k++)
                if (!covers(&r, &out->items[k])) out->items[keep++] = out->items[k];
            out->count = keep;
            VEC_PUSH(out->items, out->count, out->cap, r);
        }
}

typedef struct tally { char cc[3]; size_t count, first; } tally;

static void count_country(tally **t, size_t *n, size_t *cap, const char *cc, size_t pos)
{
    if (!cc[0]) return;
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*t)[i].cc, cc) == 0) {
            (*t)[i].count++;
            if (pos < (*t)[i].first) (*t)[i].first = pos;
            return;
        }
    tally x;
    memcpy(x.cc, cc, 3);
    x.count = 1;
    x.first = pos;
    VEC_PUSH(*t, *n, *cap, x);
}

static void best_of(const tally *t, size_t n, char cc[3])
{
    const tally *best = NULL;
    for (size_t i = 0; i < n; i++)
        if (!best || t[i].count > best->count || (t[i].count == best->count && t[i].first < best->first)) best = &t[i];
    if (best) memcpy(cc, best->cc, 3);
}

static void country_context(const ctx *c, char cc[3])
{
    tally *t = NULL;
    size_t n = 0, cap = 0;
    char *origin = xcalloc(c->nm + 1, 1);
    for (size_t i = 0; i < c->npairs; i++)
        if (c->pairs[i].from >= 0) origin[c->pairs[i].from] = 1;
    for (size_t i = 0; i < c->nm; i++)
        if (c->m[i].role == GAZ_ROLE_FROM) origin[i] = 1;
    for (size_t i = 0; i < c->nm; i++)
        if (origin[i]) count_country(&t, &n, &cap, c->m[i].entry->country, c->m[i].start);
    free(origin);
    if (n == 0) {
        for (size_t i = 0; i < c->nm; i++) count_country(&t, &n, &cap, c->m[i].entry->country, c->m[i].start);
        for (size_t i = 0; i < c->nadj; i++) count_country(&t, &n, &cap, c->adjectives[i], SIZE_MAX - c->nadj + i);
    }
    best_of(t, n, cc);
    free(t);
}

#ifdef OFS_ROUTE_DEBUG
/* Build with -DOFS_ROUTE_DEBUG to see the mentions and groups on stderr. */
static void debug_dump(const ctx *c)
{
    static const char *const roles[] = {"none", "from", "to", "via", "between"};
    for (size_t i = 0; i < c->nm; i++) {
        const mention *m = &c->m[i];
        fprintf(stderr, "  mention %zu [%.*s] %s%s%s role=%s%s%s group=%d\n", i, (int)(m->end - m->start),
                c->text + m->start, m->entry->country, m->entry->kind == GAZ_PLACE ? "/" : "",
                m->entry->kind == GAZ_PLACE ? m->entry->name : "", roles[m->role], m->weak_to ? " weak-to" : "",
                m->weak_from ? " weak-from" : "", m->group);
    }
    for (size_t i = 0; i < c->npairs; i++)
        fprintf(stderr, "  pair %ld -> %zu\n", c->pairs[i].from, c->pairs[i].to);
}
#endif

void route_find(const gazetteer *g, const extract_input *in, route_list *out, char country_context_out[3])
{
    country_context_out[0] = '\0';
    if (!g || !in || !in->text) return;
    ctx c;
    memset(&c, 0, sizeof c);
    c.g = g;
    c.in = in;
    c.text = in->text;
    gaz_tokenize(in->text, in->len, in, &c.toks);
    if (c.toks.count) {
        c.sentence = xcalloc(c.toks.count, sizeof *c.sentence);
        c.adj_tok = xcalloc(c.toks.count, 1);
        c.gaps = xcalloc(c.toks.count, sizeof *c.gaps);
        for (size_t k = 0; k + 1 < c.toks.count; k++)
            c.gaps[k] = gaz_gap(g, c.text, c.toks.items[k].end, c.toks.items[k + 1].start);
        for (size_t k = 0; k + 1 < c.toks.count; k++)
            c.sentence[k + 1] = c.sentence[k] + ((gap_after(&c, k) & GAZ_GAP_BREAK) ? 1 : 0);
        find_mentions(&c);
        assign_roles(&c);
        drop_negated(&c);
        disambiguate(&c);
        merge_appositions(&c);
        drop_uncued(&c);
        make_groups(&c);
        symbol_routes(&c);
        cue_routes(&c);
        extend_to_last_stop(&c);
        refine_ends(&c);
#ifdef OFS_ROUTE_DEBUG
        debug_dump(&c);
#endif
        emit(&c, out);
        country_context(&c, country_context_out);
    }
    free(c.sentence);
    free(c.adj_tok);
    free(c.gaps);
    free(c.m);
    free(c.gr);
    free(c.pairs);
    free(c.adjectives);
    free(c.ruled_out);
    free(c.ruled_out_cands);
    gaz_tokens_free(&c.toks);
}

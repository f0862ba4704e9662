/* gazetteer.h: the inside of the gazetteer, shared by gazetteer.c (which
 * loads it and looks names up) and extract_route.c (which finds routes with
 * it). Internal to the library; the public face is in extract.h.
 *
 * Everything here works on WORD TOKENS of normalised text: runs of letters,
 * marks and digits, plus flag emoji (a pair of regional indicators) as one
 * token. A token's key is its text with every run of identical letters
 * collapsed to one, the way the normaliser's de-obfuscation does it, so that
 * "Annaba", "anaba" and "ANNNABA" all have the key "anaba". A name of one to
 * four words is looked up by the keys of its words joined with one space.
 */
#ifndef OFS_GAZETTEER_H
#define OFS_GAZETTEER_H

#include <stddef.h>
#include <stdint.h>

#include "extract.h"
#include "util.h"

/* ---- what a name can stand for ------------------------------------------- */

typedef enum {
    GAZ_COUNTRY = 0,   /* a country, by its name, a colloquial name or its flag */
    GAZ_PLACE = 1,     /* a city, port, island, region inside one country */
    GAZ_REGION = 2,    /* a name with no country ("Europe"): never a route end */
    GAZ_ADJECTIVE = 3  /* a country adjective ("libyan", "italiana"): not a place */
} gaz_kind;

#define GAZ_MAX_NEAR 8

typedef struct gaz_entry {
    gaz_kind    kind;
    char        country[3];  /* ISO 3166-1 alpha-2; "" for a region */
    const char *name;        /* English name: the place's exonym, the country's or region's name */
    /* places.yaml "near": countries whose mention chooses this meaning of
     * a shared name (Lebanese Tripoli beside Cyprus) */
    char        near[GAZ_MAX_NEAR][3];
    size_t      nnear;
} gaz_entry;

/* One meaning of a name: the entry, and whether this spelling counts only
 * next to a direction cue ("Van", "Tarifa", "Kent" are also ordinary words). */
typedef struct gaz_cand {
    const gaz_entry *entry;
    unsigned char    needs_cue;
    unsigned char    generated;   /* the name comes from countries.yaml, not from a hand-written file */
    unsigned char    takes_particles;  /* an Arabic spelling (or one of no stated language): after
                                        * Arabic attached particles, a name spelled so only in another
                                        * language needs four letters ("سجل عدلي" is no "ع" + Urdu
                                        * "دلی", Delhi; Arabic posts do write Persian "سوبوتیتسا") */
} gaz_cand;

/* ---- direction cues -------------------------------------------------------- */

enum {
    GAZ_ROLE_NONE = 0,
    GAZ_ROLE_FROM = 1,
    GAZ_ROLE_TO = 2,
    GAZ_ROLE_VIA = 3,
    GAZ_ROLE_BETWEEN = 4,  /* "between A and B": A is the start, B the end */
    GAZ_ROLE_AT = 5        /* an affix only: Turkish locative "Belgrad'da" (in); a
                            * gaz_match reports it as GAZ_ROLE_NONE with at = 1 */
};

/* What a word or phrase of route_cues.yaml is; one phrase may be several. */
enum {
    GAZ_CUE_FROM = 1u << 0,        /* before a place: "from", "de", "من", "از" */
    GAZ_CUE_TO = 1u << 1,          /* before a place: "to", "vers", "الى", "به" */
    GAZ_CUE_VIA = 1u << 2,         /* before a place: "via", "عبر" */
    GAZ_CUE_BETWEEN = 1u << 3,     /* before a place: "between", "entre", "بين" */
    GAZ_CUE_FROM_AFTER = 1u << 4,  /* after a place: Urdu "سے", Pashto "څخه" */
    GAZ_CUE_TO_AFTER = 1u << 5,    /* after a place: Urdu "تک", Pashto "ته" */
    GAZ_CUE_VIA_AFTER = 1u << 6,   /* after a place: Turkish "üzerinden" */
    GAZ_SKIP_ARTICLE = 1u << 7,    /* may stand between a cue and its place: "the", "l'" */
    GAZ_SKIP_NOUN = 1u << 8,       /* "port", "coast", "ميناء": skipped with a following "of" */
    GAZ_SKIP_OF = 1u << 9,         /* "of", "de", "di" after such a noun */
    GAZ_CONJ = 1u << 10,           /* "and", "or", "et", "و", "ve", "یا" */
    GAZ_CUE_TO_WEAK = 1u << 11,    /* before a place: "à", "a", "au", "al": to, or only at */
    GAZ_CUE_AT = 1u << 12,         /* before a place: "off", "near", "au large de": where, not whither */
    GAZ_CUE_FROM_AFTER_WEAK = 1u << 13, /* after a place: Roman Urdu "se" (also French "se") */
    GAZ_SEQ = 1u << 14,            /* "then", "puis", "ثم": one stop after another */
    GAZ_NOT = 1u << 15,            /* before a place or its cue: "not from Laayoune", "mouch Athina" */
    GAZ_NOT_AFTER = 1u << 16,      /* after a place: Turkish "Kapıkule'den değil" */
    GAZ_CUE_UNTIL = 1u << 17,      /* before a place: "until", "jusqu'à", "تا": the end of the journey */
    GAZ_CUE_UNTIL_AFTER = 1u << 18,/* after a place: Urdu "تک", Pashto "پورې" */
    GAZ_DOC_WORD = 1u << 19,       /* "visa", "passport": two flags beside it are no route */
    GAZ_CUE_SEAT = 1u << 20        /* before a place: "tribunal de", "محكمة": the seat of an
                                    * institution, no one's whereabouts and no route end */
};

/* Symbols between two places (matched as substrings of the gap). */
enum {
    GAZ_GAP_SPACE = 1u << 0,     /* only white space, emoji and other symbols */
    GAZ_GAP_BREAK = 1u << 1,     /* a sentence end or a new line */
    GAZ_GAP_ARROW = 1u << 2,     /* → ➡ -> => >> and transport emoji 🚤 */
    GAZ_GAP_BACK = 1u << 3,      /* ← ⬅ <- */
    GAZ_GAP_DASH = 1u << 4,      /* - – — */
    GAZ_GAP_LIST = 1u << 5,      /* , / & + ، */
    GAZ_GAP_PAREN = 1u << 6,     /* ( ) [ ] */
    GAZ_GAP_COLON = 1u << 7,     /* : */
    GAZ_GAP_OTHER = 1u << 8      /* any other punctuation */
};

/* ---- tokens ------------------------------------------------------------------ */

enum { GAZ_SCRIPT_OTHER = 0, GAZ_SCRIPT_LATIN, GAZ_SCRIPT_ARABIC, GAZ_SCRIPT_ETHIOPIC, GAZ_SCRIPT_FLAG };

typedef struct gaz_token {
    size_t        start, end;        /* bytes of the token in the text */
    size_t        key_off, key_len;  /* its key in the token list's keys buffer */
    size_t        raw_off, raw_len;  /* its text before letter collapsing, same buffer */
    unsigned char script;
    unsigned char apos_before;       /* an apostrophe joins it to the token before */
    unsigned char apos_after;        /* an apostrophe joins it to the token after */
} gaz_token;

typedef struct gaz_tokens {
    gaz_token *items;
    size_t     count, cap;
    strbuf     keys;                 /* keys and raw forms, NUL-separated */
    ofs_norm  *scratch;              /* for re-reading raw forms; created on demand */
    const extract_input *in;         /* the text's original, from the last gaz_tokenize (or NULL) */
} gaz_tokens;

/* Splits text[0..len) into tokens, appending to t (reset it first with
 * gaz_tokens_reset). When in is given (text == in->text), an Arabic-script
 * token whose normalised form lost a doubled letter at its start ("لليبيا"
 * became "ليبيا") gets its raw form re-read from the original text, so that
 * the attached preposition can still be seen. */
void gaz_tokenize(const char *text, size_t len, const extract_input *in, gaz_tokens *t);
void gaz_tokens_reset(gaz_tokens *t);
void gaz_tokens_free(gaz_tokens *t);

static inline const char *gaz_token_key(const gaz_tokens *t, size_t i)
{
    return t->keys.buf + t->items[i].key_off;
}
static inline const char *gaz_token_raw(const gaz_tokens *t, size_t i)
{
    return t->keys.buf + t->items[i].raw_off;
}

/* ---- looking things up --------------------------------------------------- */

/* The meanings of a key (words joined by one space), best first, or 0. */
size_t gaz_lookup(const gazetteer *g, const char *key, size_t len, const gaz_cand **cands);

/* The GAZ_CUE_* / GAZ_SKIP_* / GAZ_CONJ bits of a cue phrase key, or 0. */
unsigned gaz_cue(const gazetteer *g, const char *key, size_t len);

/* The GAZ_GAP_* bits of the text between two tokens. */
unsigned gaz_gap(const gazetteer *g, const char *text, size_t start, size_t end);

/* A name found at a token. */
typedef struct gaz_match {
    size_t          first, last;   /* tokens covered, a Turkish suffix token included */
    const gaz_cand *cands;         /* its meanings, best first */
    size_t          ncands;
    int             role;          /* GAZ_ROLE_* from an attached prefix or a case suffix */
    int             conj;          /* 1 when an attached "و"/"ف" joins it to what precedes */
    int             suffix;        /* 1 when a case suffix was taken off (Latin-script, or Sorani
                                    * "-ەوە"): a word before the name then says more */
    int             apostrophe;    /* 1 when that suffix was written after an apostrophe */
    int             at;            /* 1 when that suffix says where, not whither ("Belgrad'da") */
} gaz_match;

/* Looks for the longest name (one to four words) that starts at token i,
 * including words with attached Arabic prefixes ("والطليان", "لليبيا"),
 * Sorani Kurdish suffixes ("هەولێرەوە"), Tigrinya prefixes ("ብሱዳን"),
 * Arabizi prefixes ("ltalya"), Turkish case suffixes ("İzmir'den",
 * "Libyadan") and Kurmanji case endings ("Bosnayê"). Only entries of the kinds in kind_mask (1 << GAZ_*) count.
 * Returns 1 and fills m, or 0. */
int gaz_match_at(const gazetteer *g, const char *text, const gaz_tokens *t, size_t i,
                 unsigned kind_mask, gaz_match *m);

#endif

/* normalize.c: turns raw text into the text that rules and extractors
 * match, and keeps a compact map back to the original bytes.
 *
 * THE TWO STAGES
 *
 * Stage A (always) reads the original bytes once, left to right:
 *
 *   - ASCII fast path: a run of printable ASCII, with single spaces and
 *     newlines inside it, is copied with A-Z lowered, 8 bytes at a time
 *     (SWAR: bit tricks on a uint64_t); no utf8proc call is made for ASCII
 *     bytes. Other whitespace and control bytes (NUL included) become
 *     spaces; a run of whitespace becomes one ' ', or one '\n' when it
 *     holds a line break ("\r\n", "\n\n  ", U+2028 ...).
 *   - Any other byte is decoded with utf8proc_iterate. An invalid byte
 *     becomes U+FFFD mapped to that one byte (norm_had_invalid_utf8 says so).
 *   - A decoded character is a CLUSTER STARTER unless it is a mark (category
 *     Mn, Mc or Me: Latin accents, Arabic harakat, the Arabic hamza above and
 *     below, variation selectors U+FE0E/U+FE0F, the keycap U+20E3). A mark is
 *     dropped and its bytes are added to the span of the cluster before it,
 *     so "e" + U+0301 -> "e" mapped to both, and 🛥 + U+FE0F -> 🛥 mapped to
 *     both: 🛥️ == 🛥.
 *   - A starter is decomposed with utf8proc_decompose_char(COMPAT | CASEFOLD
 *     | STRIPMARK): NFKC compatibility forms, case folding and the removal
 *     of the marks that a precomposed letter carries ("É" -> "e", "أ" -> "ا",
 *     "ﻷ" -> "لا", "ﬁ" -> "fi", "ß" -> "ss", "Ｐ" -> "p", "①" -> "1"). Each
 *     resulting character then goes through the unification table below, and
 *     the cluster is recomposed with utf8proc_normalize_utf32(COMPOSE) when it
 *     has two or more characters left (Hangul). All output characters of one
 *     cluster map to the original bytes of that cluster.
 *   - Invisible characters are removed and map to nothing: tatweel U+0640,
 *     soft hyphen U+00AD, zero-width U+200B-U+200F (ZWSP, ZWNJ, ZWJ, LRM,
 *     RLM), U+2060-U+2064, BOM U+FEFF, and, beyond the brief, the other bidi
 *     controls (U+061C, U+202A-U+202E, U+2066-U+2069, present in most copied
 *     RTL text), the Mongolian vowel separator U+180E and the Hangul fillers
 *     U+115F, U+1160, U+3164, U+FFA0 (used as "invisible letters"). Emoji,
 *     skin tones, regional-indicator flags and tag sequences are kept.
 *
 * Unification, applied to every character after decomposition (so that the
 * presentation forms U+FB50-U+FEFC, which NFKC turns into base letters, are
 * unified too):
 *
 *   أ إ آ ٱ ٲ ٳ -> ا   hamza/madda/wasla forms of alef; the hamza and madda
 *                      are marks and go with decomposition, the wasla and
 *                      wavy-hamza alefs have no decomposition and are mapped.
 *   ى ی ې ۍ ئ  -> ي    alef maksura, Persian/Urdu yeh, Pashto yehs, yeh with
 *                      hamza: writers use them interchangeably at word ends.
 *   ک          -> ك    Persian keheh vs Arabic kaf.
 *   ة ۀ ە ہ ۂ  -> ه    teh marbuta (often written as heh in chat), heh with
 *                      yeh above (Persian ezafe), and, beyond the brief, the
 *                      Kurdish AE ە (written as ه on Arabic/Persian keyboards)
 *                      and the Urdu heh goal ہ (ditto). ھ (do-chashmi, the
 *                      Urdu aspiration letter) is left alone.
 *   ؤ          -> و    waw with hamza.
 *   ٠-٩ ۰-۹    -> 0-9  Eastern Arabic and Persian digits.
 *   ، ؛ ؟ ٪    -> , ; ? %   Arabic comma (asked for), semicolon, question
 *                      mark and percent sign (the same reasoning).
 *   ٫ ٬        -> . ,  the Arabic decimal and thousands separators, only
 *                      between two digits ("١٢٬٥٠٠" -> "12,500").
 *   ı ł ø đ    -> i l o d   letters that people treat as accented but that
 *                      have no decomposition (Turkish dotless i, Polish l,
 *                      Nordic o, Balkan d), so "sınır" == "sinir".
 *
 * Stage B (NORM_DEOBFUSCATE, used everywhere in the engine and by
 * norm_string) reads the text of stage A token by token (a token is a run
 * of bytes between spaces and newlines) and undoes keyword obfuscation. The
 * de-obfuscated text is what rules and extractors match, and rule data goes
 * through the same function, so a lexicon term "passport" becomes "pasport"
 * and matches "PASSPORT", "pass.port", "p a s s p o r t" and "p@ssp0rt".
 *
 *   1. Protected tokens are copied unchanged: an @handle ("@ali_99"), an
 *      e-mail address (name '@' host '.' and two or more letters: which
 *      also protects "p@ss.port", but not "p@ss.p0rt"), and anything that
 *      looks like a link ("://", "www.", or a '.' and later a '/': "t.me/x",
 *      "wa.me/21891..."). Contact extractors need their values intact.
 *   2. Leetspeak: 0->o 1->i 3->e 4->a 5->s 7->t @->a $->s, for a run of one
 *      or two such characters with an ASCII letter right before and right
 *      after it: "b0at" -> "boat", "p@ssp0rt" -> "passport", "pa$$port" ->
 *      "passport" (and then "pasport" by rule 5). Numbers never qualify: a
 *      digit run inside a number is longer or has no letter on one side
 *      ("1500eur", "12k", "3.5k", "2am", "+218 91 000 1234"), an @handle
 *      starts a token, and a one- or two-digit run followed by a lone "k"
 *      or "m" is an amount ("eur10k" stays). Runs are taken right to left,
 *      so that this check sees what the runs after it become. Only ASCII
 *      letters count as neighbours, so Arabic text with digits in it is
 *      never touched.
 *      Caveat: Arabizi uses 3, 5 and 7 as letters (ع خ ح); "ba7r" becomes
 *      "batr" in the text and in the lexicon alike, but "7arga" (no letter
 *      before the 7) stays, so a term written "7arga" does not match inside
 *      "l7arga" -> "ltarga".
 *   3. Separators inside short pieces: letter-run SEP letter-run, SEP one of
 *      . - _ * and the middle dot, is joined when both runs have at most 4
 *      letters (counted after collapsing doubled letters) and neither run
 *      touches a digit: "pass.port", "pass-port", "vi*sa", "v.i.s.a",
 *      "e-mail" are joined; "sfax-lampedusa" and "tripoli-lampedusa" stay
 *      two words, and so do "12k-15k" and "3k.ok".
 *   4. Spaced letters: 4 or more tokens of one letter each, separated by
 *      single spaces, are joined: "p a s s p o r t" -> "pasport",
 *      "ب ح ر ي ه" -> "بحريه", "(v i s a)!" -> "(visa)!" (punctuation may
 *      lead the first token and trail the last). "a b c" stays. Dots,
 *      dashes and underscores between single letters are covered by rule 3.
 *      Stage A has already collapsed runs of spaces, so "p  a  s  s" is
 *      joined too.
 *   5. Every run of two or more identical letters (after case folding)
 *      collapses to one letter: "boooat" -> "boat", "passport" -> "pasport",
 *      "Annaba" -> "anaba", "ااااا" -> "ا". Digits, punctuation and emoji are
 *      never collapsed ("1000", "!!!", "🔥🔥" stay).
 *
 * THE OFFSET MAP
 *
 * The map is a list of segments, each a range of normalised bytes and the
 * original bytes it came from, in order. A segment is one of two kinds:
 *
 *   IDENT  the normalised bytes have the same UTF-8 structure as the original
 *          ones (plain copies, ASCII lowering, same-length substitutions such
 *          as أ -> ا or 0 -> o): normalised byte n0+k came from byte o0+k, and
 *          a byte maps to the whole character around it.
 *   BLOCK  every byte of the segment came from the whole original span
 *          [o0, o1): a cluster with its marks, "ß" -> "ss", "١" -> "1", a run
 *          of whitespace, a run of collapsed letters.
 *
 * Mostly-ASCII text needs a handful of segments per record. Removed
 * characters and joined separators fall into the gaps between segments, so
 * "p.a.s.s" maps "pas" to "p.a.s.s" as a whole, "a" to "a" and "s" to "s.s".
 * Offsets only grow along the map (it is monotonic). Stage B maps its output
 * into stage A offsets, and each piece is translated through stage A's map
 * as it is written, so the final map points into the original bytes.
 *
 * SPEED
 *
 * Both stages are built so that ordinary text costs a few operations per
 * byte. On the (shared, busy) development VM: about 250 MB/s per core on
 * mostly-ASCII chat text with numbers and links, about 150 MB/s on Arabic,
 * and about 1 GB/s on ASCII without NORM_DEOBFUSCATE. How:
 *   - stage A copies ASCII 8 bytes at a time (above), and keeps what it
 *     worked out for each non-ASCII code point in a small cache in the
 *     ofs_norm; a run of cached characters that map one-to-one (most Arabic
 *     letters) is copied in one loop as one IDENT segment;
 *   - stage B looks at 64 bytes at a time (b_window, with SSE2 where the
 *     compiler has it and a portable loop otherwise) and only stops at
 *     tokens that hold a special byte, a doubled letter or a lone letter;
 *     a token whose only flag is a doubled letter is collapsed right from
 *     the masks, the others go through the token path (b_token), which
 *     first checks cheaply whether the token can change at all. Unchanged
 *     text stays pending and is written with one memcpy and one segment.
 * All buffers live in the ofs_norm and are reused across runs: after the
 * first few records nothing is allocated.
 */
#include "normalize.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "util.h"

/* ------------------------------------------------------------------------
 * Output streams: text plus segment map
 * ------------------------------------------------------------------------ */

typedef struct norm_seg {
    size_t n0;      /* first byte of the segment in the output text */
    size_t o0, o1;  /* source bytes: [o0, o1) */
    int    ident;   /* IDENT (1) or BLOCK (0), see the essay */
} norm_seg;

typedef struct out_stream {
    char     *buf;
    size_t    len, cap;
    norm_seg *segs;
    size_t    nseg, segcap;
} out_stream;

static void os_reset(out_stream *os)
{
    os->len = 0;
    os->nseg = 0;
}

static void os_free(out_stream *os)
{
    free(os->buf);
    free(os->segs);
    memset(os, 0, sizeof *os);
}

/* Makes room for `extra` more bytes after len + pending, plus a NUL. */
static inline void os_reserve(out_stream *os, size_t pending, size_t extra)
{
    size_t need = os->len + pending + extra + 1;
    if (need > os->cap) grow_array((void **)&os->buf, &os->cap, need, 1);
}

static void os_push(out_stream *os, size_t o0, size_t o1, int ident)
{
    if (os->nseg == os->segcap)
        grow_array((void **)&os->segs, &os->segcap, os->nseg + 1, sizeof *os->segs);
    norm_seg *s = &os->segs[os->nseg++];
    s->n0 = os->len;
    s->o0 = o0;
    s->o1 = o1;
    s->ident = ident;
}

/* Accounts for nbytes already written at buf[len..]: they came from
 * [o0, o1), as an IDENT or a BLOCK unit. Extends the last segment when it
 * continues it. */
static inline void os_commit(out_stream *os, size_t nbytes, size_t o0, size_t o1, int ident)
{
    norm_seg *last = os->nseg ? &os->segs[os->nseg - 1] : NULL;
    if (last && (ident ? (last->ident && last->o1 == o0)
                       : (!last->ident && last->o0 == o0 && last->o1 == o1))) {
        last->o1 = o1;
    } else {
        os_push(os, o0, o1, ident);
    }
    os->len += nbytes;
}

static inline int utf8_cont(unsigned char c) { return (c & 0xC0) == 0x80; }

/* The last output unit now also covers source bytes up to o1: the last
 * character of an IDENT segment is split off as a BLOCK, a BLOCK segment
 * (one unit) grows. */
static void os_extend_last(out_stream *os, size_t o1)
{
    if (!os->nseg) return;
    norm_seg *s = &os->segs[os->nseg - 1];
    if (o1 <= s->o1) return;
    if (!s->ident) {
        s->o1 = o1;
        return;
    }
    size_t lc = os->len - 1;
    while (lc > s->n0 && utf8_cont((unsigned char)os->buf[lc])) lc--;
    if (lc == s->n0) {
        s->ident = 0;
        s->o1 = o1;
        return;
    }
    size_t lco = s->o0 + (lc - s->n0);
    s->o1 = lco;
    size_t len = os->len;
    os->len = lc;   /* os_push starts the segment at os->len */
    os_push(os, lco, o1, 0);
    os->len = len;
}

static inline size_t seg_end(const out_stream *os, size_t i)
{
    return i + 1 < os->nseg ? os->segs[i + 1].n0 : os->len;
}

/* Index of the segment holding output byte pos (pos < len). */
static size_t seg_search(const out_stream *os, size_t pos)
{
    size_t lo = 0, hi = os->nseg;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (os->segs[mid].n0 <= pos) lo = mid;
        else hi = mid;
    }
    return lo;
}

/* Source start of the character holding output byte pos in segment i. */
static size_t seg_orig_start(const out_stream *os, size_t i, size_t pos)
{
    const norm_seg *s = &os->segs[i];
    if (!s->ident) return s->o0;
    while (pos > s->n0 && utf8_cont((unsigned char)os->buf[pos])) pos--;
    return s->o0 + (pos - s->n0);
}

/* Source end of the character holding output byte pos in segment i. */
static size_t seg_orig_end(const out_stream *os, size_t i, size_t pos)
{
    const norm_seg *s = &os->segs[i];
    if (!s->ident) return s->o1;
    size_t end = seg_end(os, i);
    pos++;
    while (pos < end && utf8_cont((unsigned char)os->buf[pos])) pos++;
    return s->o0 + (pos - s->n0);
}

/* ------------------------------------------------------------------------
 * The normaliser
 * ------------------------------------------------------------------------ */

/* One character of a token in stage B. */
typedef struct tchar {
    uint32_t      cp;
    uint32_t      alen;   /* bytes in the stage A text */
    size_t        a0;     /* offset in the stage A text */
    unsigned      flags;
} tchar;

enum {
    TC_LETTER = 1u << 0,  /* any Unicode letter */
    TC_ALPHA  = 1u << 1,  /* ASCII a-z */
    TC_LEET   = 1u << 2,  /* 0 1 3 4 5 7 @ $ */
    TC_SEP    = 1u << 3,  /* . - _ * U+00B7 */
    TC_DIGIT  = 1u << 4,  /* ASCII 0-9 */
    TC_DROP   = 1u << 5,  /* joined separator: not written */
    TC_NEW    = 1u << 6   /* cp was replaced */
};

#define TC_AZ(c) [c] = TC_LETTER | TC_ALPHA
static const unsigned char tc_ascii[128] = {
    TC_AZ('a'), TC_AZ('b'), TC_AZ('c'), TC_AZ('d'), TC_AZ('e'), TC_AZ('f'), TC_AZ('g'),
    TC_AZ('h'), TC_AZ('i'), TC_AZ('j'), TC_AZ('k'), TC_AZ('l'), TC_AZ('m'), TC_AZ('n'),
    TC_AZ('o'), TC_AZ('p'), TC_AZ('q'), TC_AZ('r'), TC_AZ('s'), TC_AZ('t'), TC_AZ('u'),
    TC_AZ('v'), TC_AZ('w'), TC_AZ('x'), TC_AZ('y'), TC_AZ('z'),
    ['0'] = TC_DIGIT | TC_LEET, ['1'] = TC_DIGIT | TC_LEET, ['2'] = TC_DIGIT,
    ['3'] = TC_DIGIT | TC_LEET, ['4'] = TC_DIGIT | TC_LEET, ['5'] = TC_DIGIT | TC_LEET,
    ['6'] = TC_DIGIT, ['7'] = TC_DIGIT | TC_LEET, ['8'] = TC_DIGIT, ['9'] = TC_DIGIT,
    ['@'] = TC_LEET, ['$'] = TC_LEET,
    ['.'] = TC_SEP, ['-'] = TC_SEP, ['_'] = TC_SEP, ['*'] = TC_SEP,
};
#undef TC_AZ

/* Stage A's result for one non-ASCII code point, cached per normaliser
 * (direct-mapped on the low bits of the code point: the Arabic block and
 * Latin-1 never collide). */
enum { CP_REMOVED = 1, CP_MARK, CP_SPACE, CP_NEWLINE, CP_EMIT, CP_SLOW };
#define CP_CACHE_SIZE 1024
typedef struct cp_cache_entry {
    int32_t       cp;       /* 0: empty (ASCII never goes through the cache) */
    unsigned char kind;     /* CP_... */
    unsigned char nbytes;   /* CP_EMIT: the UTF-8 output */
    unsigned char ident;    /* CP_EMIT: one code point of the input's length */
    char          out[9];
} cp_cache_entry;

struct ofs_norm {
    out_stream out;      /* the final text and map */
    out_stream mid;      /* stage A output when stage B runs */
    tchar     *tok;      /* stage B token scratch */
    size_t     tokm, tokcap;
    utf8proc_int32_t *cps; /* decomposition scratch */
    size_t     cpcap;
    cp_cache_entry *cache; /* CP_CACHE_SIZE entries, allocated on first use */
    int        invalid;
};

ofs_norm *norm_create(void)
{
    ofs_norm *n = calloc(1, sizeof *n);
    return n;
}

void norm_free(ofs_norm *n)
{
    if (!n) return;
    os_free(&n->out);
    os_free(&n->mid);
    free(n->tok);
    free(n->cps);
    free(n->cache);
    free(n);
}

/* ---- character tables ---------------------------------------------------- */

/* Invisible characters removed by stage A (see the essay). */
static int is_removed(int32_t cp)
{
    if (cp < 0x00AD) return 0;
    if (cp == 0x00AD || cp == 0x0640 || cp == 0x061C || cp == 0x180E) return 1;
    if (cp == 0x115F || cp == 0x1160) return 1;
    if (cp >= 0x200B && cp <= 0x200F) return 1;
    if (cp >= 0x202A && cp <= 0x202E) return 1;
    if (cp >= 0x2060 && cp <= 0x2064) return 1;
    if (cp >= 0x2066 && cp <= 0x2069) return 1;
    return cp == 0x3164 || cp == 0xFEFF || cp == 0xFFA0;
}

/* The unification table of the essay, applied after decomposition.
 * Returns the replacement, or -1 when the character is removed. */
static int32_t unify(int32_t cp)
{
    if (cp < 0x0080) return cp;
    if (cp >= 0x0600 && cp <= 0x06FF) {
        if (cp >= 0x0660 && cp <= 0x0669) return '0' + (cp - 0x0660);
        if (cp >= 0x06F0 && cp <= 0x06F9) return '0' + (cp - 0x06F0);
        switch (cp) {
        case 0x0622: case 0x0623: case 0x0625:
        case 0x0671: case 0x0672: case 0x0673:
            return 0x0627;                               /* alef */
        case 0x0649: case 0x06CC: case 0x06D0: case 0x06CD: case 0x0626:
            return 0x064A;                               /* yeh */
        case 0x06A9:
            return 0x0643;                               /* kaf */
        case 0x0629: case 0x06C0: case 0x06D5: case 0x06C1: case 0x06C2:
            return 0x0647;                               /* heh */
        case 0x0624:
            return 0x0648;                               /* waw */
        case 0x060C: return ',';
        case 0x061B: return ';';
        case 0x061F: return '?';
        case 0x066A: return '%';
        case 0x0640: case 0x061C: return -1;
        default: return cp;
        }
    }
    switch (cp) {
    case 0x0131: return 'i';
    case 0x0142: return 'l';
    case 0x00F8: return 'o';
    case 0x0111: return 'd';
    default: break;
    }
    return is_removed(cp) ? -1 : cp;
}

static inline int is_any_digit(int32_t cp)
{
    return (cp >= '0' && cp <= '9') || (cp >= 0x0660 && cp <= 0x0669) ||
           (cp >= 0x06F0 && cp <= 0x06F9);
}

static inline int is_mark_category(utf8proc_category_t c)
{
    return c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_MC ||
           c == UTF8PROC_CATEGORY_ME;
}

static inline int is_letter_category(utf8proc_category_t c)
{
    return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
}

/* ---- stage A ------------------------------------------------------------- */

typedef struct stage_a {
    ofs_norm      *n;
    out_stream    *os;
    const unsigned char *src;
    size_t         len;
    int            ws_pending, ws_newline;
    size_t         ws_o0, ws_o1;
} stage_a;

static inline void a_add_ws(stage_a *a, size_t o0, size_t o1, int newline)
{
    if (!a->ws_pending) {
        a->ws_pending = 1;
        a->ws_newline = 0;
        a->ws_o0 = o0;
    }
    a->ws_o1 = o1;
    a->ws_newline |= newline;
}

static inline void a_flush_ws(stage_a *a)
{
    if (!a->ws_pending) return;
    a->ws_pending = 0;
    os_reserve(a->os, 0, 1);
    a->os->buf[a->os->len] = a->ws_newline ? '\n' : ' ';
    os_commit(a->os, 1, a->ws_o0, a->ws_o1, a->ws_o1 - a->ws_o0 == 1);
}

/* A mark (or variation selector) at [o0, o1): joins the cluster before it. */
static void a_mark(stage_a *a, size_t o1)
{
    if (a->ws_pending) a->ws_o1 = o1;
    else os_extend_last(a->os, o1);
}

/* Writes the characters cps[0..count) of one cluster [o0, o1). */
static void a_emit_cluster(stage_a *a, const utf8proc_int32_t *cps, size_t count,
                           size_t o0, size_t o1)
{
    out_stream *os = a->os;
    size_t i = 0;
    while (i < count) {
        if (cps[i] == ' ') {
            a_add_ws(a, o0, o1, 0);
            i++;
            continue;
        }
        a_flush_ws(a);
        os_reserve(os, 0, 4 * (count - i));
        size_t start = os->len, w = start, first = i;
        while (i < count && cps[i] != ' ')
            w += (size_t)utf8proc_encode_char(cps[i++], (utf8proc_uint8_t *)os->buf + w);
        int ident = first == 0 && i == count && i == 1 && w - start == o1 - o0;
        os_commit(os, w - start, o0, o1, ident);
    }
}

/* Decomposes cp (NFKC compatibility, case folding, marks stripped),
 * unifies the result and recomposes it. Returns the number of code points
 * left in n->cps. */
static size_t a_decompose(ofs_norm *n, int32_t cp)
{
    if (n->cpcap < 32) grow_array((void **)&n->cps, &n->cpcap, 32, sizeof *n->cps);
    int boundclass = 0;
    const utf8proc_option_t opts = UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT |
                                   UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK;
    utf8proc_ssize_t r = utf8proc_decompose_char(cp, n->cps, (utf8proc_ssize_t)n->cpcap,
                                                 opts, &boundclass);
    if (r > (utf8proc_ssize_t)n->cpcap) {
        grow_array((void **)&n->cps, &n->cpcap, (size_t)r, sizeof *n->cps);
        r = utf8proc_decompose_char(cp, n->cps, (utf8proc_ssize_t)n->cpcap, opts, &boundclass);
    }
    if (r < 0) {   /* not a valid code point: cannot happen after iterate */
        n->cps[0] = 0xFFFD;
        r = 1;
    }
    size_t count = 0;
    for (utf8proc_ssize_t k = 0; k < r; k++) {
        int32_t u = unify(n->cps[k]);
        if (u >= 0) n->cps[count++] = u;
    }
    if (count >= 2)
        count = (size_t)utf8proc_normalize_utf32(n->cps, (utf8proc_ssize_t)count,
                                                 UTF8PROC_COMPOSE | UTF8PROC_STABLE);
    return count;
}

/* Works out what stage A does with cp, for the cache. */
static void a_classify(ofs_norm *n, int32_t cp, cp_cache_entry *e)
{
    e->cp = cp;
    e->nbytes = e->ident = 0;
    if (is_removed(cp)) {
        e->kind = CP_REMOVED;
        return;
    }
    utf8proc_category_t cat = utf8proc_category(cp);
    if (is_mark_category(cat)) {
        e->kind = CP_MARK;
    } else if (cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_CC) {
        e->kind = cp == 0x0085 ? CP_NEWLINE : CP_SPACE;
    } else if (cat == UTF8PROC_CATEGORY_ZL || cat == UTF8PROC_CATEGORY_ZP) {
        e->kind = CP_NEWLINE;
    } else if (cp == 0x066B || cp == 0x066C) {
        e->kind = CP_SLOW;   /* depends on the digits around it */
    } else {
        size_t count = a_decompose(n, cp), w = 0;
        e->kind = count ? CP_EMIT : CP_REMOVED;
        for (size_t k = 0; k < count && e->kind == CP_EMIT; k++) {
            unsigned char tmp[4];
            size_t nb = (size_t)utf8proc_encode_char(n->cps[k], tmp);
            if (n->cps[k] == ' ' || w + nb > sizeof e->out) {
                e->kind = CP_SLOW;
                break;
            }
            memcpy(e->out + w, tmp, nb);
            w += nb;
        }
        if (e->kind == CP_EMIT) {
            unsigned char tmp[4];
            e->nbytes = (unsigned char)w;
            e->ident = count == 1 && w == (size_t)utf8proc_encode_char(cp, tmp);
        }
    }
}

/* Normalises one non-ASCII character cp at [o0, o1). */
static void a_char(stage_a *a, int32_t cp, size_t o0, size_t o1)
{
    ofs_norm *n = a->n;
    if (!n->cache) n->cache = xcalloc(CP_CACHE_SIZE, sizeof *n->cache);
    cp_cache_entry *e = &n->cache[cp & (CP_CACHE_SIZE - 1)];
    if (e->cp != cp) a_classify(n, cp, e);
    switch (e->kind) {
    case CP_REMOVED:
        return;
    case CP_MARK:
        a_mark(a, o1);
        return;
    case CP_SPACE:
    case CP_NEWLINE:
        a_add_ws(a, o0, o1, e->kind == CP_NEWLINE);
        return;
    case CP_EMIT: {
        out_stream *os = a->os;
        a_flush_ws(a);
        os_reserve(os, 0, e->nbytes);
        memcpy(os->buf + os->len, e->out, e->nbytes);
        os_commit(os, e->nbytes, o0, o1, e->ident);
        return;
    }
    default:
        break;
    }
    if (cp == 0x066B || cp == 0x066C) {
        /* decimal / thousands separator: only between digits (marks and
         * removed characters in between do not count) */
        out_stream *os = a->os;
        int32_t next = -1;
        for (size_t p = o1; p < a->len;) {
            utf8proc_ssize_t r = utf8proc_iterate(a->src + p, (utf8proc_ssize_t)(a->len - p), &next);
            if (r <= 0 || !(is_removed(next) || is_mark_category(utf8proc_category(next)))) break;
            p += (size_t)r;
            next = -1;
        }
        if (!a->ws_pending && os->len && os->buf[os->len - 1] >= '0' &&
            os->buf[os->len - 1] <= '9' && is_any_digit(next)) {
            utf8proc_int32_t c = cp == 0x066B ? '.' : ',';
            a_emit_cluster(a, &c, 1, o0, o1);
            return;
        }
    }
    size_t count = a_decompose(n, cp);
    if (count) a_emit_cluster(a, n->cps, count, o0, o1);
}

/* SWAR helpers for the ASCII fast path (8 bytes in a uint64_t). */
#define ONES UINT64_C(0x0101010101010101)
#define HIGH UINT64_C(0x8080808080808080)

/* 0x80 in each byte of x that is zero, exactly. */
static inline uint64_t swar_zero_bytes(uint64_t x)
{
    uint64_t t = (x & ~HIGH) + ~HIGH;
    return ~(t | x | ~HIGH);
}

/* 1 when all 8 bytes are printable ASCII or spaces, with no two spaces
 * next to each other. */
static inline int swar_plain(uint64_t x)
{
    if (x & HIGH) return 0;
    uint64_t ge20 = (x + (0x80 - 0x20) * ONES) & HIGH;   /* high bit: byte >= 0x20 */
    if (ge20 != HIGH || swar_zero_bytes(x ^ (0x7F * ONES))) return 0;
    uint64_t sp = swar_zero_bytes(x ^ (0x20 * ONES));
    return (sp & (sp << 8)) == 0;
}

/* x with A-Z lowered; all bytes must be below 0x80. */
static inline uint64_t swar_lower(uint64_t x)
{
    uint64_t ge_a = x + (0x80 - 'A') * ONES;       /* high bit: byte >= 'A' */
    uint64_t gt_z = x + (0x80 - 'Z' - 1) * ONES;   /* high bit: byte > 'Z' */
    return x | (((ge_a & ~gt_z) & HIGH) >> 2);
}

/* The cache entry of the non-ASCII character at s[j] when the cache holds
 * it as kept one-to-one (CP_EMIT, ident), else NULL. *r gets its length. */
static inline const cp_cache_entry *a_cached_ident(const stage_a *a, size_t j, size_t *r)
{
    utf8proc_int32_t cp;
    utf8proc_ssize_t k = utf8proc_iterate(a->src + j, (utf8proc_ssize_t)(a->len - j), &cp);
    if (k <= 0 || cp < 0x80) return NULL;
    const cp_cache_entry *e = &a->n->cache[cp & (CP_CACHE_SIZE - 1)];
    if (e->cp != cp || e->kind != CP_EMIT || !e->ident) return NULL;
    *r = (size_t)k;
    return e;
}

/* Fast path for non-ASCII text: from s[i], copies characters that the
 * cache maps one-to-one onto themselves or onto a character of the same
 * length (most Arabic letters: "ب" -> "ب", "أ" -> "ا"), printable ASCII
 * (lowered) and single spaces between them, as one IDENT piece. Stops at
 * anything else, which the caller handles. Returns where it stopped. */
static size_t a_run_cached(stage_a *a, size_t i)
{
    ofs_norm *n = a->n;
    const unsigned char *s = a->src;
    const size_t len = a->len;
    size_t r;
    if (!n->cache || !a_cached_ident(a, i, &r)) return i;
    out_stream *os = a->os;
    a_flush_ws(a);
    os_reserve(os, 0, len - i);
    char *w = os->buf + os->len;
    size_t j = i;
    while (j < len) {
        unsigned char b = s[j];
        if (b < 0x80) {
            if ((unsigned char)(b - 0x21) < 0x5E)
                *w++ = (char)(b | (((unsigned char)(b - 'A') < 26u) << 5));
            else if (b == ' ' && j + 1 < len &&
                     ((unsigned char)(s[j + 1] - 0x21) < 0x5E || a_cached_ident(a, j + 1, &r)))
                *w++ = ' ';   /* a single space before a kept character */
            else
                break;
            j++;
            continue;
        }
        const cp_cache_entry *e = a_cached_ident(a, j, &r);
        if (!e) break;
        memcpy(w, e->out, r);
        w += r;
        j += r;
    }
    if (j > i) os_commit(os, j - i, i, j, 1);
    return j;
}

static void stage_a_run(ofs_norm *n, out_stream *os, const unsigned char *s, size_t len)
{
    stage_a a = { .n = n, .os = os, .src = s, .len = len };
    os_reset(os);
    os_reserve(os, 0, len);
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c >= 0x21 && c < 0x7F) {
            /* ASCII fast path: printable characters, and single spaces and
             * newlines between them, are copied with A-Z lowered */
            a_flush_ws(&a);
            os_reserve(os, 0, len - i);
            char *w = os->buf + os->len;
            size_t j = i;
            for (;;) {
                /* 8 bytes at a time while they are printable ASCII or
                 * single spaces */
                while (j + 9 <= len) {
                    uint64_t x;
                    memcpy(&x, s + j, 8);
                    if (!swar_plain(x) || (s[j + 7] == ' ' &&
                                           (unsigned char)(s[j + 8] - 0x21) >= 0x5E))
                        break;
                    x = swar_lower(x);
                    memcpy(w, &x, 8);
                    w += 8;
                    j += 8;
                }
                unsigned char b = s[j];
                if ((unsigned char)(b - 0x21) < 0x5E) {
                    *w++ = (char)(b | (((unsigned char)(b - 'A') < 26u) << 5));
                } else if ((b == ' ' || b == '\n') && j + 1 < len &&
                           (unsigned char)(s[j + 1] - 0x21) < 0x5E) {
                    *w++ = (char)b;
                } else {
                    break;
                }
                if (++j == len) break;
            }
            os_commit(os, j - i, i, j, 1);
            i = j;
        } else if (c < 0x80) {
            int newline = c == '\n' || c == '\r' || c == '\v' || c == '\f';
            a_add_ws(&a, i, i + 1, newline);
            i++;
        } else {
            size_t j = a_run_cached(&a, i);
            if (j > i) {
                i = j;
                continue;
            }
            utf8proc_int32_t cp;
            utf8proc_ssize_t r = utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i), &cp);
            if (r <= 0) {
                n->invalid = 1;
                a_flush_ws(&a);
                utf8proc_int32_t rep = 0xFFFD;
                a_emit_cluster(&a, &rep, 1, i, i + 1);
                i++;
                continue;
            }
            a_char(&a, cp, i, i + (size_t)r);
            i += (size_t)r;
        }
    }
    a_flush_ws(&a);
    os_reserve(os, 0, 0);
    os->buf[os->len] = '\0';
}

/* ---- stage B ------------------------------------------------------------- */

/* Masks over a window of 64 bytes of stage A text, bit k for byte k:
 *   special  bytes that need the full token path: leet and separator
 *            characters, '@', ':', '/', all digits (a superset is fine) and
 *            non-ASCII bytes, except those of Arabic-block characters
 *            (U+0600-U+06FF, lead byte 0xD8-0xDB) under SSE2;
 *   doubled  the last byte of a letter equal to the one before it (for an
 *            Arabic-block character: of a character equal to the one before
 *            it, which may still be a non-letter);
 *   lone     the last byte of a letter that ends a token and has no letter
 *            before it (a lone letter, maybe the start of spaced letters);
 *   ws       spaces and newlines. */
typedef struct b_masks {
    uint64_t special, doubled, lone, ws;
} b_masks;

/* Fills 16 bits of each mask, at bit `shift`, from p[0, 16); p[-3, 0) and
 * p[16] must exist. SSE2 where the compiler has it, else a loop without
 * branches that leaves all non-ASCII bytes special. */
#if defined(__SSE2__)
static inline void b_block16(const unsigned char *p, unsigned shift, b_masks *m)
{
#define LOADU(q) _mm_loadu_si128((const __m128i *)(const void *)(q))
    const __m128i x = LOADU(p), xp = LOADU(p - 1), xn = LOADU(p + 1);
    const __m128i x2 = LOADU(p - 2), x3 = LOADU(p - 3);
#undef LOADU
    /* signed compares: bytes >= 0x80 are negative */
    const __m128i lo_a = _mm_set1_epi8('a' - 1), hi_z = _mm_set1_epi8('z' + 1);
    const __m128i sp = _mm_set1_epi8(' '), nl = _mm_set1_epi8('\n');
    const __m128i fc = _mm_set1_epi8((char)0xFC), d8 = _mm_set1_epi8((char)0xD8);
    __m128i al = _mm_and_si128(_mm_cmpgt_epi8(x, lo_a), _mm_cmplt_epi8(x, hi_z));
    __m128i al_prev = _mm_and_si128(_mm_cmpgt_epi8(xp, lo_a), _mm_cmplt_epi8(xp, hi_z));
    __m128i al_2 = _mm_and_si128(_mm_cmpgt_epi8(x2, lo_a), _mm_cmplt_epi8(x2, hi_z));
    __m128i ws_x = _mm_or_si128(_mm_cmpeq_epi8(x, sp), _mm_cmpeq_epi8(x, nl));
    __m128i ws_next = _mm_or_si128(_mm_cmpeq_epi8(xn, sp), _mm_cmpeq_epi8(xn, nl));
    /* Arabic block: a lead byte, the byte after one, the byte 2 back is one */
    __m128i ar_lead = _mm_cmpeq_epi8(_mm_and_si128(x, fc), d8);
    __m128i ar_cont = _mm_cmpeq_epi8(_mm_and_si128(xp, fc), d8);
    __m128i ar_cont_2 = _mm_cmpeq_epi8(_mm_and_si128(x3, fc), d8);
    __m128i special = _mm_andnot_si128(_mm_or_si128(ar_lead, ar_cont),
                                       _mm_cmplt_epi8(x, _mm_setzero_si128()));
    special = _mm_or_si128(special, _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('-' - 1)),
                                                  _mm_cmplt_epi8(x, _mm_set1_epi8(':' + 1))));
    special = _mm_or_si128(special, _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('$')),
                                                 _mm_cmpeq_epi8(x, _mm_set1_epi8('*'))));
    special = _mm_or_si128(special, _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('@')),
                                                 _mm_cmpeq_epi8(x, _mm_set1_epi8('_'))));
    __m128i doubled = _mm_and_si128(al, _mm_cmpeq_epi8(x, xp));
    doubled = _mm_or_si128(doubled, _mm_and_si128(ar_cont, _mm_and_si128(_mm_cmpeq_epi8(x, x2),
                                                                         _mm_cmpeq_epi8(xp, x3))));
    __m128i lone = _mm_and_si128(_mm_andnot_si128(al_prev, al), ws_next);
    lone = _mm_or_si128(lone, _mm_andnot_si128(_mm_or_si128(ar_cont_2, al_2),
                                               _mm_and_si128(ar_cont, ws_next)));
    m->special |= (uint64_t)(unsigned)_mm_movemask_epi8(special) << shift;
    m->doubled |= (uint64_t)(unsigned)_mm_movemask_epi8(doubled) << shift;
    m->lone |= (uint64_t)(unsigned)_mm_movemask_epi8(lone) << shift;
    m->ws |= (uint64_t)(unsigned)_mm_movemask_epi8(ws_x) << shift;
}
#else
enum { B_WS = 1, B_SPECIAL = 2, B_ALPHA = 4 };

/* Byte classes for the portable b_block16: whitespace, ASCII letters, and
 * the bytes of the `special` mask (all non-ASCII bytes here). */
#define ALPHA_ROW(c) [c] = B_ALPHA
#define SPECIAL_8 B_SPECIAL, B_SPECIAL, B_SPECIAL, B_SPECIAL, \
                  B_SPECIAL, B_SPECIAL, B_SPECIAL, B_SPECIAL
#define SPECIAL_64 SPECIAL_8, SPECIAL_8, SPECIAL_8, SPECIAL_8, \
                   SPECIAL_8, SPECIAL_8, SPECIAL_8, SPECIAL_8
static const unsigned char b_table[256] = {
    [' '] = B_WS, ['\n'] = B_WS,
    ['-'] = B_SPECIAL, ['.'] = B_SPECIAL, ['/'] = B_SPECIAL, ['0'] = B_SPECIAL,
    ['1'] = B_SPECIAL, ['2'] = B_SPECIAL, ['3'] = B_SPECIAL, ['4'] = B_SPECIAL,
    ['5'] = B_SPECIAL, ['6'] = B_SPECIAL, ['7'] = B_SPECIAL, ['8'] = B_SPECIAL,
    ['9'] = B_SPECIAL, [':'] = B_SPECIAL, ['$'] = B_SPECIAL, ['*'] = B_SPECIAL,
    ['@'] = B_SPECIAL, ['_'] = B_SPECIAL,
    ALPHA_ROW('a'), ALPHA_ROW('b'), ALPHA_ROW('c'), ALPHA_ROW('d'), ALPHA_ROW('e'),
    ALPHA_ROW('f'), ALPHA_ROW('g'), ALPHA_ROW('h'), ALPHA_ROW('i'), ALPHA_ROW('j'),
    ALPHA_ROW('k'), ALPHA_ROW('l'), ALPHA_ROW('m'), ALPHA_ROW('n'), ALPHA_ROW('o'),
    ALPHA_ROW('p'), ALPHA_ROW('q'), ALPHA_ROW('r'), ALPHA_ROW('s'), ALPHA_ROW('t'),
    ALPHA_ROW('u'), ALPHA_ROW('v'), ALPHA_ROW('w'), ALPHA_ROW('x'), ALPHA_ROW('y'),
    ALPHA_ROW('z'),
    [0x80] = SPECIAL_64, SPECIAL_64,   /* non-ASCII bytes: 0x80-0xff */
};
#undef ALPHA_ROW
#undef SPECIAL_8
#undef SPECIAL_64

static inline void b_block16(const unsigned char *p, unsigned shift, b_masks *m)
{
    uint64_t special = 0, doubled = 0, lone = 0, ws = 0;
    unsigned char cprev = p[-1];
    unsigned fprev = b_table[cprev], f = b_table[p[0]];
    for (unsigned k = 0; k < 16; k++) {
        unsigned char c = p[k];
        unsigned fnext = b_table[p[k + 1]];
        uint64_t alpha = (f & B_ALPHA) != 0;
        special |= (uint64_t)((f & B_SPECIAL) != 0) << k;
        doubled |= (alpha & (c == cprev)) << k;
        lone |= (alpha & ((fprev & B_ALPHA) == 0) & ((fnext & B_WS) != 0)) << k;
        ws |= (uint64_t)((f & B_WS) != 0) << k;
        cprev = c;
        fprev = f;
        f = fnext;
    }
    m->special |= special << shift;
    m->doubled |= doubled << shift;
    m->lone |= lone << shift;
    m->ws |= ws << shift;
}
#endif

/* The masks for a[i, i+64). Near the edges of a[0, alen) the bytes before
 * and after the text read as spaces, and bits past the end are cleared. */
static void b_window(const unsigned char *a, size_t alen, size_t i, b_masks *m)
{
    memset(m, 0, sizeof *m);
    if (i >= 3 && i + 65 <= alen) {
        for (unsigned k = 0; k < 64; k += 16) b_block16(a + i + k, k, m);
        return;
    }
    unsigned char tmp[3 + 64 + 1];   /* a[i-3, i+65) */
    memset(tmp, ' ', sizeof tmp);
    size_t from = i >= 3 ? i - 3 : 0, to = i + 65 < alen ? i + 65 : alen;
    memcpy(tmp + (from + 3 - i), a + from, to - from);
    for (unsigned k = 0; k < 64; k += 16) b_block16(tmp + 3 + k, k, m);
    if (alen - i < 64) {
        uint64_t valid = (UINT64_C(1) << (alen - i)) - 1;
        m->special &= valid;
        m->doubled &= valid;
        m->lone &= valid;
        m->ws &= valid;
    }
}

/* Index of the lowest / highest set bit of v (v != 0). */
static inline unsigned low_bit(uint64_t v)
{
#if defined(__GNUC__)
    return (unsigned)__builtin_ctzll(v);
#else
    unsigned k = 0;
    while (!(v & 1)) v >>= 1, k++;
    return k;
#endif
}

static inline unsigned top_bit(uint64_t v)
{
#if defined(__GNUC__)
    return 63u - (unsigned)__builtin_clzll(v);
#else
    unsigned k = 0;
    while (v >>= 1) k++;
    return k;
#endif
}

typedef struct stage_b {
    ofs_norm         *n;
    const char       *a;        /* stage A text */
    size_t            alen;
    const out_stream *amap;     /* stage A map */
    out_stream       *os;       /* final output */
    size_t            acur;     /* cursor into amap's segments */
    size_t            run_n;    /* pending IDENT bytes written after os->len */
    size_t            run_a0, run_a1;
    uint32_t          prev_letter; /* last letter written, for collapsing */
} stage_b;

/* Segment of the stage A map holding byte pos (searching forward from the
 * cursor: stage B reads stage A left to right). */
static size_t b_find(stage_b *b, size_t pos)
{
    const out_stream *am = b->amap;
    size_t i = b->acur;
    if (am->segs[i].n0 > pos) i = seg_search(am, pos);
    else while (i + 1 < am->nseg && am->segs[i + 1].n0 <= pos) i++;
    b->acur = i;
    return i;
}

static size_t b_orig_start(stage_b *b, size_t a0)
{
    return seg_orig_start(b->amap, b_find(b, a0), a0);
}

static size_t b_orig_end(stage_b *b, size_t a1)
{
    return seg_orig_end(b->amap, b_find(b, a1 - 1), a1 - 1);
}

/* Commits the pending IDENT run, translating it through stage A's map. */
static void b_flush(stage_b *b)
{
    if (!b->run_n) return;
    const out_stream *am = b->amap;
    size_t pos = b->run_a0;
    while (pos < b->run_a1) {
        size_t si = b_find(b, pos);
        const norm_seg *s = &am->segs[si];
        size_t end = seg_end(am, si);
        if (end > b->run_a1) end = b->run_a1;
        if (s->ident) os_commit(b->os, end - pos, s->o0 + (pos - s->n0), s->o0 + (end - s->n0), 1);
        else os_commit(b->os, end - pos, s->o0, s->o1, 0);
        pos = end;
    }
    b->run_n = 0;
}

/* Writes bytes that replace stage A bytes [a0, a0 + nbytes) one for one. */
static inline void b_put_ident(stage_b *b, const char *bytes, size_t nbytes, size_t a0)
{
    if (b->run_n && b->run_a1 != a0) b_flush(b);
    if (!b->run_n) b->run_a0 = a0;
    os_reserve(b->os, b->run_n, nbytes);
    memcpy(b->os->buf + b->os->len + b->run_n, bytes, nbytes);
    b->run_n += nbytes;
    b->run_a1 = a0 + nbytes;
}

/* Writes bytes that come from stage A bytes [a0, a1) as a whole. */
static void b_put_block(stage_b *b, const char *bytes, size_t nbytes, size_t a0, size_t a1)
{
    b_flush(b);
    os_reserve(b->os, 0, nbytes);
    memcpy(b->os->buf + b->os->len, bytes, nbytes);
    size_t o0 = b_orig_start(b, a0), o1 = b_orig_end(b, a1);
    os_commit(b->os, nbytes, o0, o1, 0);
}

/* The last character written also covers stage A bytes up to a1. */
static void b_extend_last(stage_b *b, size_t a1)
{
    b_flush(b);
    os_extend_last(b->os, b_orig_end(b, a1));
}

/* Decodes the character at p. Stage A writes valid UTF-8 only, so no
 * checks are needed. */
static inline uint32_t utf8_next(const unsigned char *p, uint32_t *len)
{
    uint32_t c = p[0];
    if (c < 0x80) {
        *len = 1;
        return c;
    }
    if (c < 0xE0) {
        *len = 2;
        return ((c & 0x1F) << 6) | (p[1] & 0x3Fu);
    }
    if (c < 0xF0) {
        *len = 3;
        return ((c & 0x0F) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
    }
    *len = 4;
    return ((c & 0x07) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) | (p[3] & 0x3Fu);
}

static inline uint32_t b_decode(const stage_b *b, size_t pos, uint32_t *len)
{
    return utf8_next((const unsigned char *)b->a + pos, len);
}

static inline int cp_is_letter(uint32_t cp)
{
    if (cp < 0x80) return cp >= 'a' && cp <= 'z';
    if (cp >= 0x0621 && cp <= 0x064A) return 1;   /* Arabic letters (tatweel is gone) */
    return is_letter_category(utf8proc_category((utf8proc_int32_t)cp));
}

/* Looks at the token a[t0, t1) as punctuation, one letter (possibly
 * repeated: "a", "aa", "ب") and punctuation again ("(p", "t!"). Returns the
 * letter and sets [*l0, *l1) to the letters, or returns 0. Digits do not
 * count as punctuation. */
static uint32_t b_letter_token(const stage_b *b, size_t t0, size_t t1, size_t *l0, size_t *l1)
{
    size_t p = t0;
    uint32_t len, cp = 0;
    while (p < t1) {
        cp = b_decode(b, p, &len);
        if (cp_is_letter(cp) || (cp >= '0' && cp <= '9')) break;
        p += len;
    }
    if (p == t1 || !cp_is_letter(cp)) return 0;
    *l0 = p;
    p += len;
    while (p < t1) {
        uint32_t l2, c2 = b_decode(b, p, &l2);
        if (c2 != cp) break;
        p += l2;
    }
    *l1 = p;
    while (p < t1) {
        uint32_t l2, c2 = b_decode(b, p, &l2);
        if (cp_is_letter(c2) || (c2 >= '0' && c2 <= '9')) return 0;
        p += l2;
    }
    return cp;
}

static inline size_t b_token_end(const stage_b *b, size_t pos)
{
    while (pos < b->alen && b->a[pos] != ' ' && b->a[pos] != '\n') pos++;
    return pos;
}

/* Writes the letters a[l0, l1) (one letter, maybe repeated) collapsed. */
static void b_put_letters(stage_b *b, size_t l0, size_t l1, uint32_t cp)
{
    uint32_t len;
    b_decode(b, l0, &len);
    if (cp == b->prev_letter) b_extend_last(b, l1);
    else {
        b_put_ident(b, b->a + l0, len, l0);
        if (l0 + len < l1) b_extend_last(b, l1);
    }
    b->prev_letter = cp;
}

/* Spaced letters. The token ending at t1 is one letter (after optional
 * punctuation). When it and the tokens after it make 4 or more one-letter
 * tokens separated by single spaces (punctuation may trail the last one:
 * "v i s a!"), returns the end of the last token, else 0. */
static size_t b_spaced_end(const stage_b *b, size_t t1)
{
    size_t count = 1, end = t1;
    while (end + 1 < b->alen && b->a[end] == ' ') {
        size_t e2 = b_token_end(b, end + 1), m0, m1;
        if (e2 == end + 1 || !b_letter_token(b, end + 1, e2, &m0, &m1) || m0 != end + 1) break;
        count++;
        end = e2;
        if (m1 != e2) break;   /* trailing punctuation ends the run */
    }
    return count >= 4 ? end : 0;
}

/* Writes the spaced letters a[t0, end) joined (see b_spaced_end). */
static void b_spaced_write(stage_b *b, size_t t0, size_t end)
{
    size_t p = t0;
    for (;;) {
        size_t e = b_token_end(b, p), m0, m1;
        uint32_t cp = b_letter_token(b, p, e, &m0, &m1);
        if (m0 > p) {
            b->prev_letter = 0;
            b_put_ident(b, b->a + p, m0 - p, p);
        }
        b_put_letters(b, m0, m1, cp);
        if (m1 < e) {
            b->prev_letter = 0;
            b_put_ident(b, b->a + m1, e - m1, m1);
        }
        if (e == end) break;
        p = e + 1;
    }
}

/* Link, e-mail address or @handle: copied unchanged. */
static int b_protected(const char *a, size_t t0, size_t t1)
{
    int dot = 0, at = 0;
    if (t1 - t0 >= 4 && memcmp(a + t0, "www.", 4) == 0) return 1;
    for (size_t k = t0; k < t1; k++) {
        unsigned char c = (unsigned char)a[k];
        unsigned char next = k + 1 < t1 ? (unsigned char)a[k + 1] : 0;
        int next_alnum = (next >= 'a' && next <= 'z') || (next >= '0' && next <= '9') ||
                         next == '_' || next >= 0x80;
        if (c == '@' && next_alnum) {
            unsigned char prev = k > t0 ? (unsigned char)a[k - 1] : 0;
            int prev_alnum = (prev >= 'a' && prev <= 'z') || (prev >= '0' && prev <= '9') ||
                             prev == '_' || prev == '.' || prev == '-' || prev >= 0x80;
            if (!prev_alnum) return 1;           /* @handle */
            at = 1;                              /* maybe an e-mail */
        } else if (c == '.' && next_alnum) {
            if (at) {                            /* name@host.tld */
                size_t e = k + 1;
                while (e < t1 && a[e] >= 'a' && a[e] <= 'z') e++;
                if (e - k > 2 && (e == t1 || !((a[e] >= '0' && a[e] <= '9') || a[e] == '_')))
                    return 1;
            }
            dot = 1;
        } else if (c == '/' && dot) {
            return 1;                            /* t.me/x */
        } else if (c == ':' && k + 2 < t1 && a[k + 1] == '/' && a[k + 2] == '/') {
            return 1;                            /* scheme:// */
        }
    }
    return 0;
}

static uint32_t leet_letter(uint32_t cp)
{
    switch (cp) {
    case '0': return 'o';
    case '1': return 'i';
    case '3': return 'e';
    case '4': return 'a';
    case '5': return 's';
    case '7': return 't';
    case '@': return 'a';
    case '$': return 's';
    default: return cp;
    }
}

/* Letters in the run that ends (dir < 0) or starts (dir > 0) at k,
 * counting a doubled letter once. */
static size_t run_letters(const tchar *t, size_t m, size_t k, int dir)
{
    size_t count = 0;
    uint32_t prev = 0;
    for (size_t j = k; j < m && (t[j].flags & TC_LETTER); j = dir > 0 ? j + 1 : j - 1) {
        if (t[j].cp != prev) count++;
        prev = t[j].cp;
        if (dir < 0 && j == 0) break;
    }
    return count;
}

/* The full token path, first half: decodes a[t0, t1) into n->tok and
 * applies leetspeak and separator joining there. Returns 1 when the token
 * changes (a leet letter, a joined separator or a doubled letter), 0 when
 * it can be copied as it is. */
static int b_token_analyse(stage_b *b, size_t t0, size_t t1)
{
    ofs_norm *n = b->n;
    size_t m = 0;
    if (n->tokcap < t1 - t0) grow_array((void **)&n->tok, &n->tokcap, t1 - t0, sizeof *n->tok);
    tchar *t = n->tok;
    for (size_t p = t0; p < t1;) {
        uint32_t len;
        uint32_t cp = b_decode(b, p, &len);
        unsigned f;
        if (cp < 0x80) f = tc_ascii[cp];
        else if (cp == 0x00B7) f = TC_SEP;
        else f = cp_is_letter(cp) ? TC_LETTER : 0;
        t[m].cp = cp;
        t[m].alen = len;
        t[m].a0 = p;
        t[m].flags = f;
        m++;
        p += len;
    }

    /* leetspeak: a run of at most 2 leet characters between ASCII letters.
     * Runs are taken right to left, so that the amount check below sees
     * the letters that later runs become ("p3k31boat" -> "pekeiboat" in
     * one pass, as in two). */
    for (size_t e = m; e > 0;) {
        if (!(t[e - 1].flags & TC_LEET)) {
            e--;
            continue;
        }
        size_t k = e;   /* the run is t[k, e) */
        int digits = 1;
        while (k > 0 && (t[k - 1].flags & TC_LEET)) {
            if (!(t[k - 1].flags & TC_DIGIT)) digits = 0;
            k--;
        }
        if (e - k <= 2 && k > 0 && (t[k - 1].flags & TC_ALPHA) && e < m &&
            (t[e].flags & TC_ALPHA)) {
            /* "eur10k", "usd5m": an amount, not a word */
            int amount = digits && (t[e].cp == 'k' || t[e].cp == 'm') &&
                         (e + 1 == m || !(t[e + 1].flags & TC_LETTER));
            if (!amount) {
                for (size_t j = k; j < e; j++) {
                    t[j].cp = leet_letter(t[j].cp);
                    t[j].flags = TC_LETTER | TC_ALPHA | TC_NEW;
                }
            }
        }
        e = k;
    }

    /* separators inside short pieces; a piece that touches a digit is part
     * of a number ("3k.ok", "12k-15k") and is not joined */
    for (size_t k = 1; k + 1 < m; k++) {
        if (!(t[k].flags & TC_SEP) || !(t[k - 1].flags & TC_LETTER) ||
            !(t[k + 1].flags & TC_LETTER))
            continue;
        size_t left = run_letters(t, m, k - 1, -1), right = run_letters(t, m, k + 1, 1);
        if (left > 4 || right > 4) continue;
        size_t l0 = k - 1, r1 = k + 1;
        while (l0 > 0 && (t[l0 - 1].flags & TC_LETTER)) l0--;
        while (r1 + 1 < m && (t[r1 + 1].flags & TC_LETTER)) r1++;
        if ((l0 > 0 && (t[l0 - 1].flags & TC_DIGIT)) || (r1 + 1 < m && (t[r1 + 1].flags & TC_DIGIT)))
            continue;
        t[k].flags |= TC_DROP;
    }

    n->tokm = m;
    unsigned any = 0;
    uint32_t last = 0;
    for (size_t k = 0; k < m; k++) {
        any |= t[k].flags;
        if (t[k].flags & TC_DROP) continue;
        uint32_t cp = (t[k].flags & TC_LETTER) ? t[k].cp : 0;
        if (cp && cp == last) return 1;
        last = cp;
    }
    return (any & (TC_NEW | TC_DROP)) != 0;
}

/* The full token path, second half: writes n->tok, collapsing doubled
 * letters. */
static void b_token_write(stage_b *b)
{
    const tchar *t = b->n->tok;
    size_t m = b->n->tokm;
    for (size_t k = 0; k < m; k++) {
        const tchar *c = &t[k];
        if (c->flags & TC_DROP) continue;
        if (c->flags & TC_LETTER) {
            if (c->cp == b->prev_letter) {
                b_extend_last(b, c->a0 + c->alen);
                continue;
            }
            b->prev_letter = c->cp;
        } else {
            b->prev_letter = 0;
        }
        if (c->flags & TC_NEW) {
            char bytes[4];
            size_t nb = (size_t)utf8proc_encode_char((utf8proc_int32_t)c->cp,
                                                     (utf8proc_uint8_t *)bytes);
            if (nb == c->alen) b_put_ident(b, bytes, nb, c->a0);
            else b_put_block(b, bytes, nb, c->a0, c->a0 + c->alen);
        } else {
            b_put_ident(b, b->a + c->a0, c->alen, c->a0);
        }
    }
}

/* A quick look at the token a[t0, t1): 0 when it has no doubled letter,
 * no leet character after an ASCII letter and before a letter or leet
 * character, and no separator between letters, so that it cannot change;
 * 1 when it may. */
static int b_may_change(const unsigned char *a, size_t t0, size_t t1)
{
    uint32_t prev = ' ', len;
    for (size_t k = t0; k < t1; k += len) {
        uint32_t c = utf8_next(a + k, &len);
        if (c == prev && cp_is_letter(c)) return 1;
        if (c < 0x80) {
            unsigned f = tc_ascii[c];
            if ((f & TC_LEET) && prev < 0x80 && (tc_ascii[prev] & TC_ALPHA) && k + 1 < t1) {
                unsigned char next = a[k + 1];
                if (next < 0x80 && (tc_ascii[next] & (TC_ALPHA | TC_LEET))) return 1;
            }
            if ((f & TC_SEP) && (prev >= 0x80 || (tc_ascii[prev] & TC_ALPHA)) && k + 1 < t1) {
                unsigned char next = a[k + 1];
                if (next >= 0x80 || (tc_ascii[next] & TC_ALPHA)) return 1;
            }
        } else if (c == 0x00B7) {
            return 1;
        }
        prev = c;
    }
    return 0;
}

/* 1 when the token a[t0, t1) starts and ends with the same character. */
static int b_same_ends(const stage_b *b, size_t t0, size_t t1)
{
    size_t last = t1 - 1;
    while (last > t0 && utf8_cont((unsigned char)b->a[last])) last--;
    uint32_t l1, l2;
    return b_decode(b, t0, &l1) == b_decode(b, last, &l2);
}

/* Writes stage A bytes [*pend, to) unchanged and moves *pend there. */
static inline void b_put_pending(stage_b *b, size_t *pend, size_t to)
{
    if (to > *pend) b_put_ident(b, b->a + *pend, to - *pend, *pend);
    *pend = to;
}

/* One token a[tok, t1) that may change. Returns where the scan goes on
 * (t1, or the end of a run of spaced letters). Bytes that do not change
 * stay in the pending copy [*pend, ...). */
static size_t b_token(stage_b *b, size_t *pend, size_t tok, size_t t1)
{
    const unsigned char *a = (const unsigned char *)b->a;
    size_t l0, l1, end = 0;
    unsigned char last = a[t1 - 1];
    if ((last >= 'a' && last <= 'z') || last >= 0x80) {
        if (b_letter_token(b, tok, t1, &l0, &l1) && l1 == t1) end = b_spaced_end(b, t1);
    }
    if (end) {
        b_put_pending(b, pend, tok);
        b->prev_letter = 0;
        b_spaced_write(b, tok, end);
        *pend = end;
        return end;
    }
    if (b_may_change(a, tok, t1) && !b_protected(b->a, tok, t1) && b_token_analyse(b, tok, t1)) {
        b_put_pending(b, pend, tok);
        b->prev_letter = 0;
        b_token_write(b);
        *pend = t1;
    }
    return t1;
}

/* Stage B driver. Clean text (tokens of ASCII letters, digits and plain
 * punctuation, without doubled or lone letters) is recognised 64 bytes at a
 * time by b_window and stays in one pending copy. A token whose only flags
 * are doubled letters is collapsed right from the mask; any other flagged
 * token goes through b_token. */
static void stage_b_run(ofs_norm *n, const out_stream *mid, out_stream *os)
{
    stage_b b = { .n = n, .a = mid->buf, .alen = mid->len, .amap = mid, .os = os };
    const unsigned char *a = (const unsigned char *)mid->buf;
    const size_t alen = mid->len;
    os_reset(os);
    os_reserve(os, 0, alen);
    size_t i = 0, pend = 0, tok = 0;  /* pend: first byte not written yet;
                                         tok: start of the current token */
    size_t win = SIZE_MAX;            /* where the masks start */
    b_masks m = {0};
    while (i < alen) {
        if (i < win || i >= win + 64) {
            win = i;
            b_window(a, alen, i, &m);
        }
        unsigned sh = (unsigned)(i - win);
        uint64_t att = (m.special | m.doubled | m.lone) >> sh, ws = m.ws >> sh;
        if (!att) {
            if (ws) tok = i + top_bit(ws) + 1;
            i = win + 64;
            continue;
        }
        unsigned first = low_bit(att);
        uint64_t before = ws & ((UINT64_C(1) << first) - 1);
        if (before) tok = i + top_bit(before) + 1;
        uint64_t after = ws >> first;
        if (after && tok >= win) {
            /* the token lies inside the window: look at its flags */
            size_t t1 = i + first + low_bit(after);
            unsigned t0s = (unsigned)(tok - win), len = (unsigned)(t1 - tok);
            uint64_t in_tok = (len >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << len) - 1) << t0s;
            /* (a token starting and ending with one letter may be a
             * repeated lone letter, "aa", which spaced letters count) */
            if (!((m.special | m.lone) & in_tok) && !b_same_ends(&b, tok, t1)) {
                uint64_t d = m.doubled & in_tok;
                for (; d; d &= d - 1) {
                    size_t pos = win + low_bit(d), start = pos;
                    if (a[pos] >= 0x80) {   /* an Arabic-block character */
                        uint32_t clen;
                        start = pos - 1;
                        if (!cp_is_letter(b_decode(&b, start, &clen))) continue;
                    }
                    b_put_pending(&b, &pend, start);
                    b_extend_last(&b, pos + 1);
                    pend = pos + 1;
                }
                i = tok = t1;
                continue;
            }
            i = b_token(&b, &pend, tok, t1);
        } else {
            i = b_token(&b, &pend, tok, b_token_end(&b, tok));
        }
        tok = i;   /* a space, a newline or the end */
    }
    b_put_pending(&b, &pend, alen);
    b_flush(&b);
    os_reserve(os, 0, 0);
    os->buf[os->len] = '\0';
}

/* ---- public API ---------------------------------------------------------- */

int norm_run(ofs_norm *n, const char *src, size_t len, unsigned flags)
{
    n->invalid = 0;
    if (!src) len = 0;
    const unsigned char *s = (const unsigned char *)(src ? src : "");
    if (flags & NORM_DEOBFUSCATE) {
        stage_a_run(n, &n->mid, s, len);
        stage_b_run(n, &n->mid, &n->out);
    } else {
        stage_a_run(n, &n->out, s, len);
    }
    return 0;
}

const char *norm_text(const ofs_norm *n, size_t *len)
{
    if (len) *len = n->out.len;
    return n->out.buf ? n->out.buf : "";
}

void norm_to_orig(const ofs_norm *n, size_t start, size_t end,
                  size_t *orig_start, size_t *orig_end)
{
    const out_stream *os = &n->out;
    if (end > os->len) end = os->len;
    if (start >= end) {
        size_t p = 0;
        if (start < os->len) p = seg_orig_start(os, seg_search(os, start), start);
        else if (os->len) p = seg_orig_end(os, os->nseg - 1, os->len - 1);
        *orig_start = *orig_end = p;
        return;
    }
    *orig_start = seg_orig_start(os, seg_search(os, start), start);
    *orig_end = seg_orig_end(os, seg_search(os, end - 1), end - 1);
}

int norm_had_invalid_utf8(const ofs_norm *n) { return n->invalid; }

char *norm_string_with(ofs_norm *n, const char *s)
{
    norm_run(n, s, strlen(s), NORM_DEOBFUSCATE);
    return xstrdup(norm_text(n, NULL));
}

char *norm_string(const char *s)
{
    ofs_norm *n = norm_create();
    if (!n) return NULL;
    char *r = norm_string_with(n, s);
    norm_free(n);
    return r;
}

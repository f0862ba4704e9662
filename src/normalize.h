/* normalize.h: text normalisation for matching, with a map back to the
 * original bytes.
 *
 * norm_run turns any byte string into the text that rules and extractors
 * match against. The steps, in order (see normalize.c for the details):
 *
 *   1. Decode UTF-8; each invalid byte becomes U+FFFD mapped to that byte.
 *   2. Unicode NFKC and case folding.
 *   3. Diacritics removed: Arabic harakat, Latin accents (all marks: Mn, Mc,
 *      Me), the mark's bytes going to the character before it.
 *   4. Tatweel, zero-width characters, bidi controls and emoji variation
 *      selectors removed (🛥️ == 🛥); emoji and flags kept.
 *   5. Arabic and Persian letter variants unified: alef forms -> ا,
 *      alef maksura / Persian yeh / yeh with hamza -> ي, keheh -> ك,
 *      teh marbuta / heh with yeh -> ه, waw with hamza -> و.
 *   6. Eastern Arabic and Persian digits -> ASCII digits; Arabic comma ->
 *      ','; Arabic decimal and thousands separators -> '.' ',' between
 *      digits.
 *   7. Runs of whitespace -> one space, or one newline when they hold one.
 *   8. With NORM_DEOBFUSCATE, keyword obfuscation undone: spaced letters
 *      (p a s s p o r t), separators inside short word pieces (pass.port),
 *      leetspeak between letters (p@ssp0rt, b0at), and every run of two or
 *      more identical letters collapsed to one (boooat -> boat, passport ->
 *      pasport, ااااا -> ا). Numbers, prices, phone numbers, @handles, e-mail
 *      addresses and links are never changed by it; digits never collapse.
 *      The engine always uses this flag, and rule data goes through it too
 *      (norm_string), so both sides of a match are normalised alike.
 *
 * Every byte of the normalised text maps back to the span of original bytes
 * it came from (the whole character or cluster; a joined or collapsed run
 * maps to the union of its sources), and the map is monotonic, so spans
 * found in normalised text are reported in original offsets.
 *
 * An ofs_norm is not shared between threads: use one per thread. The
 * library's tables are read-only.
 */
#ifndef OFS_NORMALIZE_H
#define OFS_NORMALIZE_H

#include <stddef.h>

typedef struct ofs_norm ofs_norm;

enum { NORM_DEOBFUSCATE = 1u << 0 };

/* Returns an empty normaliser whose buffers are reused across runs (after
 * the first few records a run allocates nothing), or NULL when out of
 * memory. Free with norm_free (NULL is fine). */
ofs_norm *norm_create(void);
void norm_free(ofs_norm *n);

/* Normalises src[0..len) (any bytes: invalid UTF-8 and NULs are fine) with
 * the given flags, replacing the previous text and map. Returns 0. Running
 * out of memory aborts through xmalloc, like the rest of the library; -1 is
 * reserved for a bounded mode. */
int norm_run(ofs_norm *n, const char *src, size_t len, unsigned flags);

/* The normalised text of the last run: NUL-terminated UTF-8, owned by n,
 * valid until the next run. *len gets its length in bytes. */
const char *norm_text(const ofs_norm *n, size_t *len);

/* Maps normalised bytes [start, end) to the original bytes they came from:
 * *orig_start is where the first came from, *orig_end where the last ended.
 * start == end gives an empty span at the original position; end past the
 * text is clamped. O(log segments). */
void norm_to_orig(const ofs_norm *n, size_t start, size_t end,
                  size_t *orig_start, size_t *orig_end);

/* 1 when the last input had bytes that are not valid UTF-8. */
int norm_had_invalid_utf8(const ofs_norm *n);

/* Convenience for rule data (lexicon terms, gazetteer names): returns a
 * malloc'd copy of the NUL-terminated s normalised exactly like scanned text
 * (NORM_DEOBFUSCATE, so "passport" -> "pasport"), or NULL when out of
 * memory. The caller frees it. Normalising is idempotent: norm_string of a
 * normalised string gives it back. */
char *norm_string(const char *s);

/* norm_string with n's buffers, for a loader that normalises many strings:
 * a fresh normaliser for each would allocate and clear its tables each time.
 * Replaces n's last text. Returns a malloc'd string the caller frees. */
char *norm_string_with(ofs_norm *n, const char *s);

#endif

/* normalize.h: text normalisation for matching, with a map back to the
 * original bytes.
 *
 * norm_run turns any byte string into the text that rules and extractors
 * match against. The steps, in order (see normalize.c for the details):
 *
 *   1. Decode UTF-8; each invalid byte becomes U+FFFD mapped to that byte.
 *   2. Unicode NFKC and case folding.
 *   3. Diacritics removed: Arabic harakat, Latin accents (all Mn marks).
 *   4. Tatweel, zero-width characters and emoji variation selectors removed.
 *   5. Arabic and Persian letter variants unified: alef forms -> ا,
 *      alef maksura / Persian yeh -> ي, keheh -> ك, teh marbuta -> ه.
 *   6. Eastern Arabic and Persian digits -> ASCII digits.
 *   7. With NORM_DEOBFUSCATE, keyword obfuscation undone: spaced letters
 *      (p a s s p o r t), separators inside short word pieces (pass.port),
 *      leetspeak between letters (p@ssp0rt, b0at) and elongation (boooat,
 *      ااااا). Numbers, prices and phone numbers are never changed by it.
 *
 * Every byte of the normalised text maps back to the span of original bytes
 * it came from, so spans found in normalised text are reported in original
 * offsets.
 */
#ifndef OFS_NORMALIZE_H
#define OFS_NORMALIZE_H

#include <stddef.h>

typedef struct ofs_norm ofs_norm;

enum { NORM_DEOBFUSCATE = 1u << 0 };

/* Returns an empty normaliser whose buffers are reused across runs, or NULL
 * when out of memory. Free with norm_free (NULL is fine). */
ofs_norm *norm_create(void);
void norm_free(ofs_norm *n);

/* Normalises src[0..len) with the given flags. Returns 0, or -1 when out of
 * memory (the previous text is then gone). */
int norm_run(ofs_norm *n, const char *src, size_t len, unsigned flags);

/* The normalised text of the last run: NUL-terminated UTF-8, owned by n,
 * valid until the next run. *len gets its length in bytes. */
const char *norm_text(const ofs_norm *n, size_t *len);

/* Maps normalised bytes [start, end) to the original bytes they came from:
 * *orig_start is where the first came from, *orig_end where the last ended.
 * start == end gives an empty span at the original position. */
void norm_to_orig(const ofs_norm *n, size_t start, size_t end,
                  size_t *orig_start, size_t *orig_end);

/* 1 when the last input had bytes that are not valid UTF-8. */
int norm_had_invalid_utf8(const ofs_norm *n);

/* Convenience for rule data (lexicon terms, gazetteer names): returns a
 * malloc'd normalised copy of the NUL-terminated s (flags 0), or NULL when
 * out of memory. The caller frees it. */
char *norm_string(const char *s);

#endif

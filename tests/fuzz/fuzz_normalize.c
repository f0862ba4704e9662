/* fuzz_normalize.c: libFuzzer target for the normaliser (src/normalize.c).
 *
 * Checks, beyond the sanitizers: the normalised text is NUL-terminated at
 * its length, and every span of it maps back into the original bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ofs_norm *norm;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!norm) norm = norm_create();
    for (unsigned flags = 0; flags <= NORM_DEOBFUSCATE; flags += NORM_DEOBFUSCATE) {
        if (norm_run(norm, (const char *)data, size, flags) != 0) abort();
        size_t len;
        const char *t = norm_text(norm, &len);
        if (t[len] != '\0') abort();
        for (size_t i = 0; i <= len; i++) {
            size_t a, b;
            norm_to_orig(norm, i, i < len ? i + 1 : i, &a, &b);
            if (a > b || b > size) abort();
        }
        size_t a, b;
        norm_to_orig(norm, 0, len, &a, &b);
        if (a > b || b > size) abort();
    }
    return 0;
}

/* fuzz_rules.c: libFuzzer target for the rule loader: the input is one YAML
 * rule file, parsed into a bundle (src/yamldoc.c, src/bundle.c) and built
 * into a rule set (src/rules.c: rules, lexicons, config and the extractors'
 * data). Any input may be rejected, with diagnostics; none may crash.
 */
#include <stdint.h>
#include <stdlib.h>

#include "bundle.h"
#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ofs_diags *d = ofs_diags_create();
    ydoc *doc = ydoc_parse("fuzz.yaml", (const char *)data, size, d);
    if (!doc) {
        if (ofs_diags_errors(d) == 0) abort(); /* a rejection must say why */
        ofs_diags_free(d);
        return 0;
    }
    ofs_bundle b = {&doc, doc->root ? 1 : 0};
    ofs_rules *rules = rules_build(&b, d);
    if (!rules && ofs_diags_errors(d) == 0) abort();
    ofs_rules_free(rules);
    ydoc_free(doc);
    ofs_diags_free(d);
    return 0;
}

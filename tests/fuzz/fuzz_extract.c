/* fuzz_extract.c: libFuzzer target for the route grammar (FUZZ_ROUTES:
 * route_find over the gazetteer) or the price grammar (FUZZ_PRICES:
 * price_find over the currencies and number words), with the data of the
 * built-in rule set, loaded once. The input is normalised as ofs_scan does.
 *
 * Checks, beyond the sanitizers: every span lies inside the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bundle.h"
#include "extract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gazetteer *gaz;
static price_data *prices;
static ofs_norm *norm;
static ofs_bundle *bundle;

static void load(void)
{
    ofs_diags *d = ofs_diags_create();
    ofs_bundle *b = bundle = bundle_load_builtin(d);
    if (b) {
#ifdef FUZZ_ROUTES
        gaz = gazetteer_load(b, d);
#else
        prices = price_data_load(b, d);
#endif
    }
    if (!b || (!gaz && !prices)) {
        ofs_diags_print(d, stderr);
        abort();
    }
    /* b stays: the extractors' data may point into it. */
    ofs_diags_free(d);
    norm = norm_create();
}

static void check_span(ofs_span s, size_t size)
{
    if (s.start > s.end || s.end > size) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!norm) load();
    if (norm_run(norm, (const char *)data, size, NORM_DEOBFUSCATE) != 0) abort();
    extract_input in = {(const char *)data, size, norm, NULL, 0};
    in.text = norm_text(norm, &in.len);
#ifdef FUZZ_ROUTES
    route_list routes = {0};
    char country[3] = "";
    route_find(gaz, &in, &routes, country);
    for (size_t i = 0; i < routes.count; i++) {
        if (routes.items[i].has_from) check_span(routes.items[i].from.span, size);
        check_span(routes.items[i].to.span, size);
    }
    free(routes.items);
#else
    static const char *const contexts[] = {"", "LY", "TN", "DZ", "IQ"};
    for (size_t c = 0; c < sizeof contexts / sizeof *contexts; c++) {
        price_list list = {0};
        price_find(prices, &in, contexts[c], &list);
        for (size_t i = 0; i < list.count; i++) check_span(list.items[i].span, size);
        free(list.items);
    }
#endif
    return 0;
}

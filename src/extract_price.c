/* extract_price.c: PLACEHOLDER; being written (see extract.h). */
#include <stdlib.h>
#include "extract.h"
#include "util.h"
struct price_data { int unused; };
price_data *price_data_load(const ofs_bundle *b, ofs_diags *d) { (void)b; (void)d; return xcalloc(1, sizeof(price_data)); }
void price_data_free(price_data *p) { free(p); }
void price_find(const price_data *p, const extract_input *in, const char *cc, price_list *out)
{ (void)p; (void)in; (void)cc; (void)out; }

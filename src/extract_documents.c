/* extract_documents.c: PLACEHOLDER; being written (see extract.h). */
#include <stdlib.h>
#include "extract.h"
#include "util.h"
struct document_data { int unused; };
document_data *document_data_load(const ofs_bundle *b, const gazetteer *g, ofs_diags *d) { (void)b; (void)g; (void)d; return xcalloc(1, sizeof(document_data)); }
void document_data_free(document_data *dd) { free(dd); }
void document_find(const document_data *dd, const extract_input *in, document_list *out)
{ (void)dd; (void)in; (void)out; }

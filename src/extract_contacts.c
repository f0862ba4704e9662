/* extract_contacts.c: PLACEHOLDER; being written (see extract.h). */
#include <stdlib.h>
#include "extract.h"
#include "util.h"
struct contact_data { int unused; };
contact_data *contact_data_load(const ofs_bundle *b, ofs_diags *d) { (void)b; (void)d; return xcalloc(1, sizeof(contact_data)); }
void contact_data_free(contact_data *c) { free(c); }
void contact_find(const contact_data *c, const extract_input *in, contact_list *out)
{ (void)c; (void)in; (void)out; }
void contact_list_reset(contact_list *l)
{ for (size_t i = 0; i < l->count; i++) free_const(l->items[i].value); l->count = 0; }
void contact_list_free(contact_list *l) { contact_list_reset(l); free(l->items); l->items = NULL; l->cap = 0; }

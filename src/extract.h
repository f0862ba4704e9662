/* extract.h: what every extractor (routes, prices, contacts, documents)
 * gets and gives, so that scan.c drives them all the same way.
 *
 * Each extractor has compiled data, loaded once from the rule bundle and
 * read-only afterwards (shared by threads), and a find function that appends
 * what it finds in one text to a list owned by the caller's scanner.
 * Spans in the lists are byte offsets into the ORIGINAL text: an extractor
 * that matches normalised text maps its spans back with norm_to_orig.
 */
#ifndef OFS_EXTRACT_H
#define OFS_EXTRACT_H

#include "bundle.h"
#include "normalize.h"
#include "offerscan.h"

/* One text, as the original bytes and as its normalisation (NORM_DEOBFUSCATE,
 * which never alters digits, prices or phone numbers). */
typedef struct extract_input {
    const char     *orig;
    size_t          orig_len;
    const ofs_norm *norm;
    const char     *text;       /* normalised, NUL-terminated */
    size_t          len;
} extract_input;

typedef struct route_list    { ofs_route    *items; size_t count, cap; } route_list;
typedef struct price_list    { ofs_price    *items; size_t count, cap; } price_list;
typedef struct document_list { ofs_document *items; size_t count, cap; } document_list;
/* Contacts own their value strings: contact_list_reset frees them. */
typedef struct contact_list  { ofs_contact  *items; size_t count, cap; } contact_list;
void contact_list_reset(contact_list *l);
void contact_list_free(contact_list *l);

/* ---- gazetteer and routes (gazetteer.c, extract_route.c) ---------------- */

typedef struct gazetteer gazetteer;
/* Builds the gazetteer from the bundle's `countries:`, `country_aliases:`,
 * `places:` and `route_cues:` files (see gazetteer.h for the details).
 * Returns it (free with gazetteer_free), or NULL after adding errors to d. */
gazetteer *gazetteer_load(const ofs_bundle *b, ofs_diags *d);
void gazetteer_free(gazetteer *g);

/* Appends to out every route the text states. country_context receives the
 * ISO code of the country the text is most about ("" when none), which the
 * price extractor uses to resolve a bare "dinar". */
void route_find(const gazetteer *g, const extract_input *in, route_list *out,
                char country_context[3]);

/* Looks up normalised words text[0..len) (one to three words) as a country
 * name or country adjective in any language ("italy", "italian", "ليبي",
 * "francaise"). Returns 1 and sets cc to the ISO code, or returns 0. Used
 * by the document extractor for the issuing country. */
int gazetteer_lookup_country(const gazetteer *g, const char *text, size_t len, char cc[3]);

/* ---- prices (extract_price.c) ------------------------------------------- */

typedef struct price_data price_data;
/* Currency names, number words and units from the bundle's `currencies:`
 * and `number_words:` files. NULL after adding errors to d. */
price_data *price_data_load(const ofs_bundle *b, ofs_diags *d);
void price_data_free(price_data *p);
/* Appends every price stated in the text. country_context ("" for none)
 * resolves a bare currency name such as "dinar". */
void price_find(const price_data *p, const extract_input *in, const char *country_context,
                price_list *out);

/* ---- contacts and documents (extract_contacts.c, extract_documents.c) --- */

typedef struct contact_data contact_data;
/* Calling codes from the bundle's `calling_codes:` file. */
contact_data *contact_data_load(const ofs_bundle *b, ofs_diags *d);
void contact_data_free(contact_data *c);
/* Appends phone numbers (E.164, with country), @handles and links. */
void contact_find(const contact_data *c, const extract_input *in, contact_list *out);

typedef struct document_data document_data;
/* Document type names from the bundle's `document_types:` file; issuing
 * countries come from the gazetteer's adjectives. */
document_data *document_data_load(const ofs_bundle *b, const gazetteer *g, ofs_diags *d);
void document_data_free(document_data *dd);
void document_find(const document_data *dd, const extract_input *in, document_list *out);

#endif

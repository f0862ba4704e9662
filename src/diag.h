/* diag.h: appending to a diagnostics list (the public ofs_diags). */
#ifndef OFS_DIAG_H
#define OFS_DIAG_H

#include "offerscan.h"

/* Appends "file:line:column: message" to d. d may be NULL (then nothing
 * happens). file is copied. */
void diag_add(ofs_diags *d, ofs_severity sev, const char *file, int line, int column,
              const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#endif

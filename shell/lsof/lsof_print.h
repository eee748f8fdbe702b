/* Printing lsofBuildQuery()'s rows as lsof does: the listing, -t, or -F fields. */
#ifndef SQLSOF_LSOF_PRINT_H
#define SQLSOF_LSOF_PRINT_H

#include <stdio.h>

#include <sqlite3.h>

#include "lsof/lsof_args.h"

/* Steps the N statements STMT (lsof_query's parts, 1 or 2) to the end and prints their rows,
 * in lsof's order; *PRINTED is how many. Returns SQLITE_DONE or the error code. */
int lsofPrint(FILE *out, sqlite3_stmt *const *stmt, int n, const struct lsof_opts *o,
              size_t *printed);

#endif

/*
** The sqlsof_version() SQL function: the version of the sqlsof that is loaded, so that a
** program embedding the extension can tell which one it got.
**
**     SELECT sqlsof_version();   -- '0.1.0'
**
** SQLSOF_VERSION in sqlsof.h is the one place the version is written; the Makefile reads it
** from there for the .pc file and the man page.
*/
#include "tables/tables.h"

#include <stddef.h>

#include "sqlsof.h"

static void versionFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    sqlite3_result_text(ctx, SQLSOF_VERSION, -1, SQLITE_STATIC);
}

int versionRegister(sqlite3 *db)
{
    return sqlite3_create_function(db, "sqlsof_version", 0,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                                   versionFunc, NULL, NULL);
}

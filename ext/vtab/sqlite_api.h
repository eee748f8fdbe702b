/*
** Every ext/ file that calls SQLite includes this instead of <sqlite3.h>. In the loadable build
** the calls go through the API table that sqlite3_sqlsof_init received; with -DSQLITE_CORE
** (libsqlsof.a) they are direct calls.
*/
#ifndef SQLSOF_SQLITE_API_H
#define SQLSOF_SQLITE_API_H

#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT3

#endif

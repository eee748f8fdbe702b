/* The database every mode of the command works on. */
#ifndef SQLSOF_DATABASE_H
#define SQLSOF_DATABASE_H

#include <sqlite3.h>

/* SQLite's settings for the command: called first, before any sqlite3_* call starts SQLite
 * (sqlite3_mprintf does), or they do not take. */
void configureSqlite(void);
/* An in-memory database with sqlsof registered and the views of sql/ created (for SQL, the
 * statements it will run: only when they may use a view; NULL: always), or NULL after printing
 * why on stderr. */
sqlite3 *openDatabase(const char *sql);

#endif

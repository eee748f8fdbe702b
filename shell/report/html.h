/* `sqlsof --html`: a self-contained HTML page of titled tables, one per section of SQL. */
#ifndef SQLSOF_HTML_H
#define SQLSOF_HTML_H

#include <stdio.h>

#include <sqlite3.h>

/*
** Runs every statement of SQL on DB and writes one HTML page to OUT: each statement that
** returns columns becomes a table, titled by the last `-- section: Title` line in the text
** before it (untitled without one). Other statements just run. The page is built in memory, so
** a failing statement prints its error on stderr and nothing on OUT. Returns the exit status.
*/
int htmlReport(FILE *out, sqlite3 *db, const char *sql);

#endif

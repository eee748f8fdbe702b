/*
** sqlsof --watch SECS "SQL": runs one SELECT every SECS seconds and prints the rows that
** appeared (+) and went (-) since the run before, each with the run's time, as osqueryd's
** differential results do. The first run's rows all appear. A run that changes nothing prints
** nothing. Every output mode: a table per run, CSV with one header, a JSON array per run, a
** JSON object per line.
*/
#ifndef SQLSOF_WATCH_H
#define SQLSOF_WATCH_H

#include <sqlite3.h>

#include "output.h"

struct watch {
    double seconds; /* between the starts of two runs */
    long count;     /* runs, then stop; 0: until killed */
    enum output_mode mode;
    /* Binds the statement's parameters (main.c's --param); non-zero: an error was printed. */
    int (*bind)(sqlite3_stmt *stmt, const void *ctx);
    const void *bindCtx;
};

/* Watches SQL on DB as W says. Returns the exit status (1 after one line on stderr). */
int watchMain(sqlite3 *db, const char *sql, const struct watch *w);

#endif

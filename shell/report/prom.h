/*
** `sqlsof --prom`: the Prometheus text exposition format (version 0.0.4) from SQL, for
** node_exporter's textfile collector. A metric is declared by a comment line and one SELECT:
**
**     -- metric: sqlsof_listening_socket_info gauge One series per listening socket.
**     SELECT protocol, address, port, process, user, 1 AS value FROM listening;
**
** The `value` column is the sample; every other column is a label. Statements that return no
** columns (a TEMP VIEW) just run.
*/
#ifndef SQLSOF_PROM_H
#define SQLSOF_PROM_H

#include <stdio.h>

#include <sqlite3.h>

#define PROM_MARK       "-- metric:"
#define PROM_MERGE_MARK "-- merge:" /* sum, max or min: see report/prom_series.h */
#define PROM_FILE       "sqlsof.prom"

/* A metric declaration: the text after PROM_MARK, split in place. */
struct prom_decl {
    const char *name;
    const char *type; /* counter, gauge or untyped */
    const char *help;
};

/*
** Splits LINE (the text after PROM_MARK; modified) into DECL. Returns NULL, or what is wrong
** (a static string): a bad name, an unknown type, no help.
*/
const char *promParseDecl(char *line, struct prom_decl *decl);

/* Whether NAME is a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) or label name
 * ([a-zA-Z_][a-zA-Z0-9_]*, not starting with "__", reserved to Prometheus). */
int promMetricName(const char *name);
int promLabelName(const char *name);

/* Writes S as a label value: \ " and newline escaped, bytes that are not UTF-8 as U+FFFD. */
void promLabelValue(FILE *out, const unsigned char *s);

/* Writes S as HELP text: \ and newline escaped, bytes that are not UTF-8 as U+FFFD. */
void promHelpText(FILE *out, const unsigned char *s);

/* Writes V as a sample value: the shortest text that reads back as V; +Inf, -Inf, NaN. */
void promNumber(FILE *out, double v);

/*
** Runs every statement of SQL on DB and writes the exposition to OUT, then the collection's
** own metrics (sqlsof_collect_duration_seconds, sqlsof_collect_errors). A bad declaration
** prints one line naming it on stderr, writes nothing and returns 1. A metric whose statement
** fails while running or gives a value that is not a number is left out, counted in
** sqlsof_collect_errors and named on stderr; rows with the same labels (after label values are
** made valid UTF-8) are merged by the metric's `-- merge:` rule, and counted too. While it runs,
** the SQL function collect_errors(N) adds N to the count. The rest is written and 0 returned.
** A statement that returns no columns (a source, such as a TEMP TABLE of sockets) and fails
** while running is named on stderr and counted; the metrics that cannot compile without it are
** left out and counted too, and PROM_PARTIAL returned once the rest is written: the file keeps
** every metric that does not depend on what failed, and the exit status says it.
*/
int promReport(FILE *out, sqlite3 *db, const char *sql);
#define PROM_PARTIAL 2

/*
** promReport into DIR/sqlsof.prom, atomically and safely where another user may write DIR
** (report/prom_dir.c): a temporary file in DIR, written, fsync'd and renamed over the old one.
** DIR may not be a symbolic link. On any failure the previous file stays, the temporary file
** is removed, one line says why, and it returns 1.
*/
int promWriteDir(const char *dir, sqlite3 *db, const char *sql);

/* TEXT as sqlsof.prom of the directory DIRFD, by way of a new temporary file there; 0 or
 * -errno. */
int promReplaceAt(int dirfd, const char *text, size_t len);

/* Makes the file NAME in DIRFD for writing, never following a link nor opening what exists:
 * the fd, or -errno (-EEXIST when anything is at NAME). */
int promTempOpen(int dirfd, const char *name);

#endif

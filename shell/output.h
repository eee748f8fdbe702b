/* Printing result sets: an aligned table, RFC 4180 CSV, a JSON array, or JSON lines. */
#ifndef SQLSOF_OUTPUT_H
#define SQLSOF_OUTPUT_H

#include <stdio.h>

#include <sqlite3.h>

#include "memory.h"

/* sqlite3_column_text() under the rule of memory.h: NULL for SQL NULL only (SQLite returns NULL
 * too when the text could not be made). */
const char *outputColumnText(sqlite3_stmt *stmt, int col);
/*
** The same for a column's value (sqlite3_column_value()), read directly: each sqlite3_column_*()
** call enters the statement's mutex and sets its error state, which costs a printer of many
** rows a tenth of its time. (Not thread-safe, says SQLite; this program has one thread that
** calls it.)
*/
const char *outputValueText(sqlite3_value *v);

enum output_mode { OUTPUT_TABLE, OUTPUT_CSV, OUTPUT_JSON, OUTPUT_JSONL };

/* Steps STMT to the end, printing its rows to OUT. Returns SQLITE_DONE or the error code. */
int outputStatement(FILE *out, sqlite3_stmt *stmt, enum output_mode mode);
/* The same; HEADER 0 leaves CSV's header line out (a later batch of the same columns). */
int outputRows(FILE *out, sqlite3_stmt *stmt, enum output_mode mode, int header);

/*
** Writes S to OUT a character at a time: ESCAPE(s, n, buf) returns what stands for the
** character at S (N: its length as strict UTF-8, utf8Length() of utf8.h, 0 when the byte there
** starts none; BUF: 16 bytes it may write into), or NULL to copy it as it is. What is escaped is
** the whole character, or the one byte when N is 0.
*/
void outputEscaped(FILE *out, const unsigned char *s,
                   const char *(*escape)(const unsigned char *s, int n, char *buf));

/*
** The text after MARK on the last line of [FROM, TO) that starts with MARK, trimmed of blanks
** (malloc'd), or NULL: the `-- section: Title` of --html, the `-- metric: ...` of --prom.
*/
char *markedLine(const char *from, const char *to, const char *mark);

#endif

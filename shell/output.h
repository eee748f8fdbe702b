/* Printing result sets: an aligned table, RFC 4180 CSV, a JSON array, or JSON lines. */
#ifndef SQLSOF_OUTPUT_H
#define SQLSOF_OUTPUT_H

#include <stdio.h>

#include <sqlite3.h>

enum output_mode { OUTPUT_TABLE, OUTPUT_CSV, OUTPUT_JSON, OUTPUT_JSONL };

/* Steps STMT to the end, printing its rows to OUT. Returns SQLITE_DONE or the error code. */
int outputStatement(FILE *out, sqlite3_stmt *stmt, enum output_mode mode);
/* The same; HEADER 0 leaves CSV's header line out (a later batch of the same columns). */
int outputRows(FILE *out, sqlite3_stmt *stmt, enum output_mode mode, int header);

/* The command's one rule for out of memory: one line on stderr, exit status 1. */
_Noreturn void outputOutOfMemory(void);

/* ARRAY grown to hold N elements of SIZE (capacity *CAP, doubled): never NULL. */
void *outputGrow(void *array, size_t *cap, size_t n, size_t size);

/* Length of the valid UTF-8 sequence at S, or 0 when the byte there starts none. */
int utf8Length(const unsigned char *s);

/*
** Writes S to OUT a character at a time: ESCAPE(c, n, buf) returns what stands for the
** character that starts with byte C (N: its UTF-8 length, 0 when it starts none; BUF: 16 bytes
** it may write into), or NULL to copy the character as it is. An escaped one is one byte.
*/
void outputEscaped(FILE *out, const unsigned char *s,
                   const char *(*escape)(unsigned char c, int n, char *buf));

/*
** The text after MARK on the last line of [FROM, TO) that starts with MARK, trimmed of blanks
** (malloc'd), or NULL: the `-- section: Title` of --html, the `-- metric: ...` of --prom.
*/
char *markedLine(const char *from, const char *to, const char *mark);

#endif

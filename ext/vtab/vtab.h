/*
** What every sqlsof table shares: claiming `col = ?` / `col IN (...)` constraints in
** xBestIndex, reading their values back in xFilter exactly as SQLite would compare them,
** and reporting errors.
**
** vtabPushEq() gives each pushable column k (its position in the table's list) two idxNum bits:
**   bit k                  the column is constrained; its value is the next xFilter argv
**   bit VTAB_IN_SHIFT + k  that value is a whole IN list (walk it with vtabEachValue)
** Bits from VTAB_OWN_BITS up are the table's own.
*/
#ifndef SQLSOF_VTAB_H
#define SQLSOF_VTAB_H

#include <stddef.h>

#include "vtab/sqlite_api.h"

#include "util/keyset.h"

#define VTAB_IN_SHIFT 8
#define VTAB_OWN_BITS 16
_Static_assert(2 * VTAB_IN_SHIFT <= VTAB_OWN_BITS,
               "a pushed column's IN bit is below the table's own");

/* One column that a table can filter itself. */
struct vtab_push {
    const char *name; /* for the plan text that EXPLAIN QUERY PLAN shows */
    int iColumn;      /* in the table's schema */
    int isText;       /* pushed only under BINARY collation */
    int oneByOne;     /* take an IN list one value per xFilter call, not whole */
};

/*
** Claims the first usable equality constraint on each of COLS (at most VTAB_IN_SHIFT: more is
** a programming error, asserted), sets
** argvIndex and omit for it and asks for IN lists whole. Returns the idxNum bits, and sets
** idxStr to what was pushed ("pid= fd IN"), which EXPLAIN QUERY PLAN prints.
*/
int vtabPushEq(sqlite3_index_info *info, const struct vtab_push *cols, int ncols);

/* True when bit K of IDXNUM says column K was pushed / came as an IN list. */
#define VTAB_PUSHED(idxNum, k) (((idxNum) >> (k)) & 1)
#define VTAB_IS_IN(idxNum, k)  (((idxNum) >> (VTAB_IN_SHIFT + (k))) & 1)
/* True when column K was pushed as one value (=), not an IN list. */
#define VTAB_PUSHED_ONE(idxNum, k) (VTAB_PUSHED(idxNum, k) && !VTAB_IS_IN(idxNum, k))

/* Calls FN(CTX, value) for V, or for each element of V when it is an IN list. */
int vtabEachValue(sqlite3_value *v, int isIn, int (*fn)(void *ctx, sqlite3_value *elem), void *ctx);

/*
** The integer that V equals when compared with an INTEGER column (numeric affinity, as SQLite
** applies it). Returns 0 when V can equal no integer: NULL, a blob, '5x', 5.5.
*/
int vtabValueInt64(sqlite3_value *v, sqlite3_int64 *out);

/* Fills KS with the integers of argv V (a value or an IN list), sealed. */
int vtabKeysetFrom(struct keyset *ks, sqlite3_value *v, int isIn);

/* The xFilter argv index of pushed column K. */
#define VTAB_ARGV(idxNum, k) __builtin_popcount((unsigned)(idxNum) & ((1u << (k)) - 1) & 0xffu)

/*
** Fills KS with the integers that every pushed column among the bits COLS of IDXNUM names
** (pid and arg_pid, say: both must match). Sets *PUSHED to whether any of them was pushed.
*/
int vtabKeysetFromColumns(struct keyset *ks, int idxNum, unsigned cols, sqlite3_value **argv,
                          int *pushed);

/* The text that V equals when compared with a TEXT column, or NULL (NULL, blob, a text with a
 * NUL byte in it). */
const char *vtabValueText(sqlite3_value *v);

/*
** xConnect and xDisconnect for every sqlsof table: the module's client data (the aux pointer
** of sqlite3_create_module) is its CREATE TABLE text. Tables are eponymous and direct-only.
*/
int vtabConnect(sqlite3 *db, void *schema, int argc, const char *const *argv, sqlite3_vtab **ppVtab,
                char **pzErr);
int vtabDisconnect(sqlite3_vtab *vtab);

/*
** A table that reads or writes what the connection's tables share (conn.h): its module data
** is the struct sqlsof_conn, and its vtab carries it to the cursors. vtabDisconnect frees it.
*/
struct sqlsof_conn;
typedef struct VtabShared {
    sqlite3_vtab base;
    struct sqlsof_conn *conn;
} VtabShared;
int vtabConnectShared(sqlite3 *db, const char *schema, struct sqlsof_conn *conn,
                      sqlite3_vtab **ppVtab);

/* The connection state of a cursor's table. */
#define VTAB_CONN(cursor) (((VtabShared *)(cursor)->pVtab)->conn)

/*
** The module of a table whose functions are named PREFIX + BestIndex, Open, Close, Filter, Next,
** Eof, Column and Rowid (fdsBestIndex, fdsOpen, ...), connected by vtabConnect: eponymous-only
** (no xCreate) and read-only (but sockets' DELETE: VTAB_SHARED_MODULE_WITH). The one way every
** table fills its sqlite3_module:
**
**     static sqlite3_module fdsModule = VTAB_MODULE(fds);
*/
#define VTAB_MODULE(prefix) VTAB_MODULE_CONNECTED(prefix, vtabConnect)

/* The same for a table that shares the connection's state: its PREFIX + Connect calls
 * vtabConnectShared. */
#define VTAB_SHARED_MODULE(prefix) VTAB_MODULE_CONNECTED(prefix, prefix##Connect)

#define VTAB_MODULE_CONNECTED(prefix, connect)                                                     \
    {                                                                                              \
        VTAB_MODULE_FIELDS(prefix, connect)                                                        \
    }

/* A shared table's module with more fields (the one writable table's xUpdate, xBegin, ...). */
#define VTAB_SHARED_MODULE_WITH(prefix, ...)                                                       \
    {                                                                                              \
        VTAB_MODULE_FIELDS(prefix, prefix##Connect), __VA_ARGS__                                   \
    }

#define VTAB_MODULE_FIELDS(prefix, connect)                                                        \
    .xConnect = connect, .xBestIndex = prefix##BestIndex, .xDisconnect = vtabDisconnect,           \
    .xOpen = prefix##Open, .xClose = prefix##Close, .xFilter = prefix##Filter,                     \
    .xNext = prefix##Next, .xEof = prefix##Eof, .xColumn = prefix##Column, .xRowid = prefix##Rowid

/*
** A rowid that is a key of the row itself (a path, a pid and an address): a 64-bit FNV-1a hash
** of KEY's LEN bytes. SQLite's MULTI-INDEX OR drops a row whose rowid an earlier branch
** returned, so a rowid must not be a scan counter or a line index.
*/
sqlite3_int64 vtabRowidOf(const void *key, size_t len);

/* TEXT of N bytes (copied) as the result; without memory, SQLITE_NOMEM as SQLite reports it. */
void vtabResultText(sqlite3_context *ctx, const char *s, size_t n);

/* A device number as lsof prints it, "MAJOR,MINOR" ("254,0"), as the TEXT result. */
void vtabResultDevice(sqlite3_context *ctx, unsigned major, unsigned minor);

/* A word of the table's vocabulary ("REG", "IPv4"): a string that lives as long as the
 * program, as the TEXT result without a copy. */
void vtabResultWord(sqlite3_context *ctx, const char *word);

/*
** Opens /proc (O_PATH, a directory) into *PROCFD for a cursor of TABLE: SQLITE_OK, or the vtab's
** error ("fds: cannot open /proc: ...").
*/
int vtabOpenProc(sqlite3_vtab *vtab, const char *table, int *procfd);

/*
** xOpen's common part for a table that reads /proc: a zeroed cursor of SIZE bytes whose int at
** PROCFD_AT (offsetof) holds /proc opened by vtabOpenProc(). SQLITE_OK, SQLITE_NOMEM, or the
** vtab's error; the cursor is in *PPCURSOR only on success.
**
**     int rc = vtabOpenProcCursor(vtab, "fds", sizeof(FdsCursor), offsetof(FdsCursor, procfd),
**                                 ppCursor);
*/
int vtabOpenProcCursor(sqlite3_vtab *vtab, const char *table, size_t size, size_t procfdAt,
                       sqlite3_vtab_cursor **ppCursor);

/* xClose's common part for such a cursor: closes its /proc descriptor PROCFD and frees it, once
 * the table has freed what the cursor holds. Returns SQLITE_OK. */
int vtabCloseProcCursor(sqlite3_vtab_cursor *cursor, int procfd);

/* Starts IT over /proc (PIDS NULL) or over PIDS for a cursor of TABLE: SQLITE_OK or the vtab's
 * error ("maps: cannot read /proc: ..."). */
struct pid_iter;
int vtabPidIterStart(sqlite3_vtab_cursor *cursor, const char *table, struct pid_iter *it,
                     int procfd, const struct keyset *pids);

/* Sets the vtab's error message (printf-style) and returns SQLITE_ERROR. */
int vtabError(sqlite3_vtab *vtab, const char *fmt, ...);

#endif

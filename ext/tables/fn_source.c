/*
** sqlsof_fds_source([MODE]) and sqlsof_socket_source([MODE]): which source a table of this
** connection reads, what answered last, and (sockets) how often each way did. One shape for
** both: with MODE the connection's mode is set first; either way the answer is a JSON object.
**
**     SELECT sqlsof_fds_source();           -- {"mode":"auto","last":"bpf"}
**     SELECT sqlsof_fds_source('proc');     -- /proc only, for this connection
**     SELECT sqlsof_socket_source('dumps'); -- every inode = ? from the whole-host map
**     SELECT sqlsof_socket_source() ->> '$.exact';
**
**   table    modes (the first is the default)                      environment
**   fds      auto: BPF when it loads; proc; bpf: BPF or an error  SQLSOF_FDS_SOURCE
**   sockets  auto: through the holder when known; dumps            SQLSOF_SOCKET_SOURCE
**
** "last" is the latest scan's source: fds: bpf or proc; sockets: fields (the socket's own
** fields, read with the fds row through BPF: no request), direct (the holder's duplicate
** alone), exact (an exact sock_diag request), restricted (one protocol's dump in one namespace)
** or map (every dump of every namespace); a scan's: held (a namespace's sockets read from its
** processes' descriptors, where its counts prove them all: sock/sock_held.h). sockets adds its
** counters of each way.
** The environment is read when the connection's state is made (conn.c), never per scan.
*/
#include "tables/tables.h"

#include <stdio.h>
#include <stdlib.h>

#include "tables/conn.h"

/* A function's user data: the connection state and which table's source it tells. */
struct source_fn {
    struct sqlsof_conn *conn;
    enum conn_source_table table;
};

static void freeSourceFn(void *p)
{
    struct source_fn *fn = p;
    connRelease(fn->conn);
    sqlite3_free(fn);
}

/* The sockets table's counters, as more members of the object. */
static char *statsJson(const struct sqlsof_conn *conn)
{
    const struct conn_stats *n = &conn->stats;
    return sqlite3_mprintf(",\"fields\":%llu,\"direct\":%llu,\"exact\":%llu,\"restricted\":%llu,"
                           "\"maps\":%llu,\"held\":%llu",
                           (unsigned long long)n->fields, (unsigned long long)n->direct,
                           (unsigned long long)n->exact, (unsigned long long)n->restricted,
                           (unsigned long long)n->maps, (unsigned long long)n->held);
}

/* The message for a MODE that is not one of TABLE's words. */
static char *badModeMessage(enum conn_source_table t, const char *mode)
{
    const char *const *words = connSourceWords(t);
    char *list = sqlite3_mprintf("'%s'", words[0]);
    for (int m = 1; list && words[m]; m++) {
        char *more = sqlite3_mprintf("%s, '%s'", list, words[m]);
        sqlite3_free(list);
        list = more;
    }
    char *msg = list ? sqlite3_mprintf("sqlsof_%s_source: '%s' is not a mode: %s",
                                       connSourceTable(t), mode ? mode : "NULL", list)
                     : NULL;
    sqlite3_free(list);
    return msg;
}

static void sourceFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct source_fn *fn = sqlite3_user_data(ctx);
    struct conn_source *src = &fn->conn->sources[fn->table];
    if (argc == 1) {
        const char *word = (const char *)sqlite3_value_text(argv[0]);
        int mode = connSourceFromName(fn->table, word);
        if (mode < 0) {
            char *msg = badModeMessage(fn->table, word);
            if (msg)
                sqlite3_result_error(ctx, msg, -1);
            else
                sqlite3_result_error_nomem(ctx);
            sqlite3_free(msg);
            return;
        }
        src->mode = mode;
    }
    char *more = fn->table == CONN_SOURCE_SOCKETS ? statsJson(fn->conn) : sqlite3_mprintf("");
    char *text = more
                     ? sqlite3_mprintf("{\"mode\":\"%s\",\"last\":%s%s%s%s}",
                                       connSourceWords(fn->table)[src->mode], src->last ? "\"" : "",
                                       src->last ? src->last : "null", src->last ? "\"" : "", more)
                     : NULL;
    sqlite3_free(more);
    if (!text) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    sqlite3_result_text(ctx, text, -1, sqlite3_free);
}

int sourceRegister(sqlite3 *db, struct sqlsof_conn *conn)
{
    int rc = SQLITE_OK;
    for (int t = 0; rc == SQLITE_OK && t < CONN_SOURCE_TABLES; t++) {
        char name[48];
        snprintf(name, sizeof name, "sqlsof_%s_source", connSourceTable(t));
        for (int argc = 0; rc == SQLITE_OK && argc <= 1; argc++) {
            struct source_fn *fn = sqlite3_malloc(sizeof *fn);
            if (!fn) return SQLITE_NOMEM;
            *fn = (struct source_fn){connRetain(conn), (enum conn_source_table)t};
            rc = sqlite3_create_function_v2(db, name, argc, SQLITE_UTF8 | SQLITE_DIRECTONLY, fn,
                                            sourceFunc, NULL, NULL, freeSourceFn);
        }
    }
    return rc;
}

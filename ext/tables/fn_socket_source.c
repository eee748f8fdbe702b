/*
** sqlsof_socket_source([WORD]): which source answers the sockets table's `inode = ?`, and how
** often each did on this connection.
**
**     SELECT sqlsof_socket_source();  --
*{"source":"auto","direct":2,"exact":3,"restricted":1,"maps":0}
**     SELECT sqlsof_socket_source('dumps');  -- the whole-host map for every lookup (reference)
**     SELECT sqlsof_socket_source('auto');   -- through the holder when known (the default)
**
** direct, exact and restricted count sockets found through their holder: read from its
** duplicate alone (unix stream sockets, when no column only sock_diag knows is used), by an
** exact sock_diag request, or by a dump of one protocol in one namespace; maps counts
** whole-host maps built. The
** environment variable SQLSOF_SOCKET_SOURCE sets the starting word.
*/
#include "tables/tables.h"

#include <stddef.h>

#include "tables/conn.h"

static void socketSource(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct sqlsof_conn *conn = sqlite3_user_data(ctx);
    if (argc > 1) {
        sqlite3_result_error(ctx, "sqlsof_socket_source: takes at most one word, auto or dumps",
                             -1);
        return;
    }
    if (argc == 1) {
        const char *word = (const char *)sqlite3_value_text(argv[0]);
        int source = word ? connSourceFromName(word) : -1;
        if (source < 0) {
            char *msg = sqlite3_mprintf("sqlsof_socket_source: '%s' is not auto or dumps",
                                        word ? word : "NULL");
            if (!msg) {
                sqlite3_result_error_nomem(ctx);
                return;
            }
            sqlite3_result_error(ctx, msg, -1);
            sqlite3_free(msg);
            return;
        }
        conn->socketSource = (enum conn_socket_source)source;
    }
    const struct conn_stats *n = &conn->stats;
    char *text = sqlite3_mprintf("{\"source\":\"%s\",\"direct\":%llu,\"exact\":%llu,"
                                 "\"restricted\":%llu,\"maps\":%llu}",
                                 connSourceName(conn->socketSource), (unsigned long long)n->direct,
                                 (unsigned long long)n->exact, (unsigned long long)n->restricted,
                                 (unsigned long long)n->maps);
    if (!text) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    sqlite3_result_text(ctx, text, -1, sqlite3_free);
}

int socketSourceRegister(sqlite3 *db, struct sqlsof_conn *conn)
{
    return sqlite3_create_function_v2(db, "sqlsof_socket_source", -1,
                                      SQLITE_UTF8 | SQLITE_DIRECTONLY, connRetain(conn),
                                      socketSource, NULL, NULL, connRelease);
}

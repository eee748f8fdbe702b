/*
** DELETE FROM sockets (sockets_delete.c): the sockets table's write methods, and the hook its
** xRowid calls so a DELETE knows the rows behind the rowids SQLite hands it.
*/
#ifndef SQLSOF_SOCKETS_DELETE_H
#define SQLSOF_SOCKETS_DELETE_H

#include "sock/sock_row.h"
#include "vtab/sqlite_api.h"

/* The pointer type of sqlsof_kill_switch()'s argument (sqlite3_bind_pointer), and its name. */
#define SQLSOF_KILL_SWITCH "sqlsof_kill_switch"

struct sqlsof_conn;

int socketsDelete(sqlite3_vtab *vtab, int argc, sqlite3_value **argv, sqlite3_int64 *rowid);
int socketsDeleteBegin(sqlite3_vtab *vtab);
int socketsDeleteEnd(sqlite3_vtab *vtab);

/* Keeps ROW, whose rowid a cursor just gave, while a DELETE runs. */
void socketsDeleteSeen(struct sqlsof_conn *conn, const struct sock_row *row);

/* The sockets module's fields for DELETE (VTAB_SHARED_MODULE_WITH). */
#define SOCKETS_DELETE_METHODS                                                                     \
    .xUpdate = socketsDelete, .xBegin = socketsDeleteBegin, .xCommit = socketsDeleteEnd,           \
    .xRollback = socketsDeleteEnd

#endif

/* The tables sqlsof registers; sqlsof.c calls each xxxRegister() in turn. */
#ifndef SQLSOF_TABLES_H
#define SQLSOF_TABLES_H

#include "vtab/sqlite_api.h"

int processesRegister(sqlite3 *db);
int mapsRegister(sqlite3 *db);
int containersRegister(sqlite3 *db);
int threadsRegister(sqlite3 *db);
int fdDetailsRegister(sqlite3 *db);
int fdWatchesRegister(sqlite3 *db);

/* Tables and functions that share the connection's state (conn.h). */
struct sqlsof_conn;
int fdsRegister(sqlite3 *db, struct sqlsof_conn *conn);
int fileStatRegister(sqlite3 *db, struct sqlsof_conn *conn);
int socketsRegister(sqlite3 *db, struct sqlsof_conn *conn);
int socketsDeleteRegister(sqlite3 *db, struct sqlsof_conn *conn);
int endpointsRegister(sqlite3 *db, struct sqlsof_conn *conn);
/* sqlsof_fds_source() and sqlsof_socket_source() (fn_source.c). */
int sourceRegister(sqlite3 *db, struct sqlsof_conn *conn);

/* SQL functions (fn_*.c), registered by the same list. */
int lsofFunctionsRegister(sqlite3 *db);
int versionRegister(sqlite3 *db);

#endif

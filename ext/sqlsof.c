/*
** The entry points. The loadable extension's is sqlite3_sqlsof_init, which SQLite finds by
** the file name (`.load sqlsof`); programs that link libsqlsof.a call sqlsof_register().
*/
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include <stddef.h>

#include "tables/conn.h"
#include "sqlsof.h"
#include "tables/sockets_delete.h"
#include "tables/tables.h"

__attribute__((visibility("default"))) int sqlsof_register(sqlite3 *db)
{
    static int (*const registerTable[])(sqlite3 *) = {
        processesRegister,  mapsRegister,    lsofFunctionsRegister, versionRegister,
        containersRegister, threadsRegister, fdDetailsRegister,     fdWatchesRegister,
    };
    static int (*const registerShared[])(sqlite3 *, struct sqlsof_conn *) = {
        fdsRegister,           fileStatRegister,  socketsRegister,
        socketsDeleteRegister, endpointsRegister, sourceRegister,
    };
    for (size_t i = 0; i < sizeof registerTable / sizeof registerTable[0]; i++) {
        int rc = registerTable[i](db);
        if (rc != SQLITE_OK) return rc;
    }
    /* Each registration holds a reference; the last module or function dropped frees it. */
    struct sqlsof_conn *conn = connNew();
    if (!conn) return SQLITE_NOMEM;
    connRetain(conn);
    int rc = SQLITE_OK;
    for (size_t i = 0; rc == SQLITE_OK && i < sizeof registerShared / sizeof registerShared[0]; i++)
        rc = registerShared[i](db, conn);
    connRelease(conn);
    return rc;
}

/* Through the kill switch function, with the one argument SQL text cannot write: a pointer. */
__attribute__((visibility("default"))) int sqlsof_allow_kill(sqlite3 *db, int on)
{
#ifndef SQLITE_CORE
    if (!sqlite3_api) return SQLITE_MISUSE; /* the extension was never loaded */
#endif
    sqlite3_stmt *stmt;
    int rc = sqlite3_prepare_v2(db, "SELECT " SQLSOF_KILL_SWITCH "(?1)", -1, &stmt, NULL);
    if (rc != SQLITE_OK) return rc;
    int value = on != 0;
    rc = sqlite3_bind_pointer(stmt, 1, &value, SQLSOF_KILL_SWITCH, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_step(stmt) == SQLITE_ROW ? SQLITE_OK : sqlite3_errcode(db);
    sqlite3_finalize(stmt);
    return rc;
}

__attribute__((visibility("default"))) int sqlite3_sqlsof_init(sqlite3 *db, char **pzErrMsg,
                                                               const sqlite3_api_routines *pApi)
{
    (void)pzErrMsg;
    SQLITE_EXTENSION_INIT2(pApi);
    return sqlsof_register(db);
}

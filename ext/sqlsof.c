/*
** The entry points. The loadable extension's is sqlite3_sqlsof_init, which SQLite finds by
** the file name (`.load sqlsof`); programs that link libsqlsof.a call sqlsof_register().
*/
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include <stddef.h>

#include "tables/conn.h"
#include "sqlsof.h"
#include "tables/tables.h"

__attribute__((visibility("default"))) int sqlsof_register(sqlite3 *db)
{
    static int (*const registerTable[])(sqlite3 *) = {
        processesRegister, mapsRegister,       fileStatRegister,  lsofFunctionsRegister,
        versionRegister,   containersRegister, fdDetailsRegister, fdWatchesRegister,
    };
    static int (*const registerShared[])(sqlite3 *, struct sqlsof_conn *) = {
        fdsRegister,
        socketsRegister,
        sourceRegister,
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

__attribute__((visibility("default"))) int sqlite3_sqlsof_init(sqlite3 *db, char **pzErrMsg,
                                                               const sqlite3_api_routines *pApi)
{
    (void)pzErrMsg;
    SQLITE_EXTENSION_INIT2(pApi);
    return sqlsof_register(db);
}

/*
** The entry points. The loadable extension's is sqlite3_sqlsof_init, which SQLite finds by
** the file name (`.load sqlsof`); programs that link libsqlsof.a call sqlsof_register().
*/
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include <stddef.h>

#include "sqlsof.h"
#include "tables.h"

__attribute__((visibility("default"))) int sqlsof_register(sqlite3 *db)
{
    static int (*const registerTable[])(sqlite3 *) = {
        processesRegister,     fdsRegister,     mapsRegister,    fileStatRegister,
        lsofFunctionsRegister, versionRegister, socketsRegister, containersRegister,
    };
    for (size_t i = 0; i < sizeof registerTable / sizeof registerTable[0]; i++) {
        int rc = registerTable[i](db);
        if (rc != SQLITE_OK) return rc;
    }
    return SQLITE_OK;
}

__attribute__((visibility("default"))) int sqlite3_sqlsof_init(sqlite3 *db, char **pzErrMsg,
                                                               const sqlite3_api_routines *pApi)
{
    (void)pzErrMsg;
    SQLITE_EXTENSION_INIT2(pApi);
    return sqlsof_register(db);
}

/* The tables sqlsof registers; sqlsof.c calls each xxxRegister() in turn. */
#ifndef SQLSOF_TABLES_H
#define SQLSOF_TABLES_H

#include "sqlite_api.h"

int processesRegister(sqlite3 *db);
int fdsRegister(sqlite3 *db);
int mapsRegister(sqlite3 *db);
int fileStatRegister(sqlite3 *db);
int socketsRegister(sqlite3 *db);
int containersRegister(sqlite3 *db);

/* SQL functions (fn_*.c), registered by the same list. */
int lsofFunctionsRegister(sqlite3 *db);
int versionRegister(sqlite3 *db);

#endif

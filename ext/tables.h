/* The tables sqlsof registers; sqlsof.c calls each xxxRegister() in turn. */
#ifndef SQLSOF_TABLES_H
#define SQLSOF_TABLES_H

#include "sqlite_api.h"

int processesRegister(sqlite3 *db);
int socketsRegister(sqlite3 *db);

#endif

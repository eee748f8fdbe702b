/*
** sqlsof — SQL over a Linux host's processes, open files and sockets.
**
** For programs that link SQLite themselves (libsqlsof.a, built with -DSQLITE_CORE):
**
**     sqlite3 *db;
**     sqlite3_open(":memory:", &db);
**     sqlsof_register(db);
**     ... SELECT * FROM fds JOIN sockets USING(inode) WHERE state = 'LISTEN' ...
**
** The loadable extension (sqlsof.so) needs none of this: `.load sqlsof` in the sqlite3 shell
** or sqlite3_load_extension() finds its entry point, sqlite3_sqlsof_init.
*/
#ifndef SQLSOF_H
#define SQLSOF_H

#include <sqlite3.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The one place the version is written: sqlsof_version(), `sqlsof --version`, the .pc file
 * and the man page all take it from here. */
#define SQLSOF_VERSION "0.1.0"

/* Registers every sqlsof table and function on DB. Returns an SQLite result code. */
int sqlsof_register(sqlite3 *db);

/*
** Allows (ON non-zero) or refuses again `DELETE FROM sockets WHERE ...` on DB, a connection
** sqlsof is registered (or loaded) on. Refused by default: a DELETE closes the sockets its WHERE
** selects with SOCK_DESTROY (needs CAP_NET_ADMIN), and their owners' calls fail with
** ECONNABORTED. SQL text cannot turn this on; views and triggers cannot reach the table.
** Returns an SQLite result code.
*/
int sqlsof_allow_kill(sqlite3 *db, int on);

#ifdef __cplusplus
}
#endif

#endif

/*
** lsof's file names: a name selects the files that are the same file (device and inode, as
** stat(2) finds it through any path or symlink), every file of a file system when it names the
** mount point, and the unix sockets bound to it when it names a socket.
*/
#ifndef SQLSOF_LSOF_NAMES_H
#define SQLSOF_LSOF_NAMES_H

#include <stdio.h>

/*
** The predicate on the lsof views' columns that selects NAME's files (sqlite3_free it). A name
** that cannot be stat'ed selects nothing ("0"), and lsof's message goes to ERRORS:
** "lsof: status error on NAME: No such file or directory" (none when ERRORS is NULL).
*/
char *lsofNamePredicate(const char *name, FILE *errors);

/*
** What lsof prints as NAME for the files NAME selects (sqlite3_free it): NAME as given
** ("//etc/hosts", "hosts" from /etc), a symlink's target, or NULL where the files keep their
** own names (a mount point's, a socket's, a name that cannot be stat'ed).
*/
char *lsofNameShown(const char *name);

#endif

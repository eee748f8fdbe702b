/* What the per-kind tables (fd_details, epoll_targets, inotify_watches) share: their plan. */
#ifndef SQLSOF_KIND_TABLES_H
#define SQLSOF_KIND_TABLES_H

#include "vtab/sqlite_api.h"

/*
** The plan of the tables that read a per-kind detail of each fd (tbl_fd_details.c, shared by
** tbl_fd_watches.c): PUSH (pid, fd, arg_pid, in KIND_PUSH_* order) pushed; PERFD rows per fd.
*/
enum { KIND_PUSH_PID, KIND_PUSH_FD, KIND_PUSH_ARG_PID, KIND_PUSH_COUNT };
struct vtab_push;
struct fd_scan;
struct keyset;
int fdScanBestIndex(sqlite3_index_info *info, const struct vtab_push *push, double perFd);
/* xFilter's start: the pushed pids and fds into PIDS and FDS, SCAN started over them. */
int fdScanFilter(sqlite3_vtab_cursor *base, const char *table, struct fd_scan *scan,
                 struct keyset *pids, struct keyset *fds, int idxNum, sqlite3_value **argv);

#endif

/*
** Lock lines as lsof's lock letters. /proc/locks and the "lock:" lines of /proc/PID/fdinfo/N
** (the locks that process holds on that file, which the fds table reads) share one format,
** naming a lock's holder (pid), file (device and inode), type and byte range:
**
**     1: POSIX  ADVISORY  WRITE 14785 fe:00:10953059 0 EOF
**     2: FLOCK  ADVISORY  READ  14785 fe:00:10953085 0 EOF
**     3: -> POSIX ADVISORY WRITE 200 fe:00:10953059 0 EOF      (a waiter: holds nothing)
**
** The letters are lsof's (lsof(8), FD column): r read lock on part of the file, R read lock on
** the whole file, w write lock on part, W write lock on the whole file, u read and write locks,
** U a lock of unknown type. lsof's N (a Solaris NFS lock) and x/X (SCO Xenix locks) do not
** occur on Linux. "Whole" means from 0 to EOF. A holder with several locks on one file gets
** u if they include both a read and a write lock, U if any is of unknown type, else the read
** or write letter, upper case if any one of them covers the whole file. OFD locks are listed
** with pid -1 by the kernel: they belong to an open file, not a process, and lsof shows none.
*/
#ifndef SQLSOF_FD_LOCKS_H
#define SQLSOF_FD_LOCKS_H

#include <stddef.h>

struct fd_lock {
    int pid;
    unsigned major, minor;
    unsigned long long inode;
    char letter;
};

/*
** Parses one /proc/locks line (without its newline) into L. Returns 1 for a held lock, 0 for
** a line that holds none (a "->" waiter), -EINVAL for garbled text.
*/
int fdLockParseLine(const char *line, size_t len, struct fd_lock *l);

/* The letter for one holder's locks A and B on one file (0 for none). */
char fdLockCombine(char a, char b);

#endif

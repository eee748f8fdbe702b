/*
** /proc/PID/fdinfo/N: the file position, the open flags (octal in the file), the mount id and,
** on kernels that print it, the inode; and the locks this process holds on the file, one
** "lock:" line each in /proc/locks' format. Pure text in, struct out.
*/
#ifndef SQLSOF_FD_INFO_H
#define SQLSOF_FD_INFO_H

#include <stddef.h>

struct fd_info {
    long long pos;
    unsigned flags; /* O_* bits as open(2) takes them */
    int mntId;
    int hasIno;
    unsigned long long ino;
    char lock; /* lsof's letter for the "lock:" lines (fd_locks.h), 0 when there are none */
};

/* Returns 0, or -EINVAL when pos, flags or mnt_id is missing or garbled. */
int fdInfoParse(const char *text, size_t len, struct fd_info *info);

/*
** Reads fdinfo file NAME under DIRFD into B in one read: the kernel writes an fdinfo file
** whole in one go, so a read shorter than asked for is its end and no second read to see EOF
** is needed. A file that fills the buffer is read again whole. Returns 0 or -errno.
*/
struct buf;
int fdInfoRead(struct buf *b, int dirfd, const char *name);

/* lsof's mode letter for FLAGS: 'r', 'w', 'u', or 0 when the access mode is not one of those. */
char fdInfoMode(unsigned flags);

#endif

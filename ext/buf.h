/*
** Growable byte buffers and whole-file reads relative to a directory fd. No SQLite here.
** Every reader returns 0 or -errno, so callers can tell "gone" (ENOENT, ESRCH) from
** "not allowed" (EACCES, EPERM).
*/
#ifndef SQLSOF_BUF_H
#define SQLSOF_BUF_H

#include <stddef.h>

struct buf {
    char *data; /* NUL-terminated after every read; NULL until the first */
    size_t len;
    size_t cap;
};

/* Makes room for LEN bytes plus a NUL. Returns 0 or -ENOMEM. */
int bufReserve(struct buf *b, size_t len);
void bufFree(struct buf *b);

/* Reads the whole of NAME under DIRFD into B; B->len bytes, NUL-terminated. */
int bufReadFileAt(struct buf *b, int dirfd, const char *name);

/* Reads the target of the symbolic link NAME under DIRFD into B, NUL-terminated. */
int bufReadLinkAt(struct buf *b, int dirfd, const char *name);

#endif

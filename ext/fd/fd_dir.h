/*
** Walking one process's fd directory, /proc/PID/fd, with getdents64 into a buffer that lives
** as long as the walker: a full scan allocates once, not once per process (as opendir would),
** and holds one buffer of one process's entries at a time. The directory fd stays open while
** the process's rows are read, so each readlinkat/fstatat is relative to it.
*/
#ifndef SQLSOF_FD_DIR_H
#define SQLSOF_FD_DIR_H

#include <stddef.h>

struct fd_dir {
    int fd;    /* /proc/PID/fd, or -1 */
    char *buf; /* getdents64 records */
    size_t cap;
    size_t len; /* bytes of records in buf */
    size_t off; /* the next record */
};

void fdDirInit(struct fd_dir *d);
/* Opens PID's fd directory relative to PROCFD. Returns 0 or -errno (-ENOENT: gone). */
int fdDirOpen(struct fd_dir *d, int procfd, int pid);
/* Stores the next fd number and its name ("12"); returns 1, 0 at the end, or -errno. */
int fdDirNext(struct fd_dir *d, int *fd, const char **name);
void fdDirClose(struct fd_dir *d);
void fdDirFree(struct fd_dir *d);

#endif

#include "fd/fd_dir.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The kernel's record layout for getdents64 (struct linux_dirent64). */
struct dirent64 {
    unsigned long long ino;
    long long off;
    unsigned short reclen;
    unsigned char type;
    char name[];
};

#define FD_DIR_BUF 32768

void fdDirInit(struct fd_dir *d)
{
    d->fd = -1;
    d->buf = NULL;
    d->cap = d->len = d->off = 0;
}

int fdDirOpen(struct fd_dir *d, int procfd, int pid)
{
    fdDirClose(d);
    if (!d->buf) {
        d->buf = malloc(FD_DIR_BUF);
        if (!d->buf) return -ENOMEM;
        d->cap = FD_DIR_BUF;
    }
    char name[32];
    snprintf(name, sizeof name, "%d/fd", pid);
    d->fd = openat(procfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    d->len = d->off = 0;
    return d->fd < 0 ? -errno : 0;
}

/* A fd number: digits only, fits an int. */
static int parseFd(const char *s)
{
    long v = 0;
    if (!*s) return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return -1;
        v = v * 10 + (*s - '0');
        if (v > INT_MAX) return -1;
    }
    return (int)v;
}

int fdDirNext(struct fd_dir *d, int *fd, const char **name)
{
    if (d->fd < 0) return 0;
    for (;;) {
        while (d->off < d->len) {
            struct dirent64 *e = (struct dirent64 *)(d->buf + d->off);
            d->off += e->reclen;
            int n = parseFd(e->name);
            if (n >= 0) {
                *fd = n;
                *name = e->name;
                return 1;
            }
        }
        long got = syscall(SYS_getdents64, d->fd, d->buf, d->cap);
        if (got < 0) return -errno;
        if (got == 0) return 0;
        d->len = (size_t)got;
        d->off = 0;
    }
}

void fdDirClose(struct fd_dir *d)
{
    if (d->fd >= 0) close(d->fd);
    d->fd = -1;
    d->len = d->off = 0;
}

void fdDirFree(struct fd_dir *d)
{
    fdDirClose(d);
    free(d->buf);
    d->buf = NULL;
    d->cap = 0;
}

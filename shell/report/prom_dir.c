/*
** --prom-dir DIR: the exposition into DIR/sqlsof.prom, atomically and safely in a directory
** that another user may write (node_exporter's textfile directory often belongs to the
** prometheus user). DIR is opened once, refusing a symbolic link (O_NOFOLLOW|O_DIRECTORY), and
** every step works relative to that descriptor, so swapping DIR for a link afterwards changes
** nothing; the temporary file has a random name and is made with O_CREAT|O_EXCL|O_NOFOLLOW (a
** link or a file planted at that name is never followed nor reused: another name is tried);
** it is written, fsync'd and renamed over sqlsof.prom (a link planted there is replaced, its
** target untouched), then DIR is fsync'd. Nothing outside DIR is created, replaced or chmodded,
** and on any failure the previous sqlsof.prom stays and the temporary file is removed.
*/
#include "report/prom.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

/* Tries at a temporary name before giving up: each taken name was planted by someone. */
#define TEMP_TRIES 16

int promTempOpen(int dirfd, const char *name)
{
    int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    return fd < 0 ? -errno : fd;
}

/* A new temporary file in DIRFD, its name in NAME (32 bytes): the fd, or -errno. The name does
 * not end in .prom: node_exporter reads only *.prom files. */
static int makeTemp(int dirfd, char *name)
{
    for (int i = 0; i < TEMP_TRIES; i++) {
        unsigned char r[8];
        if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) return -errno;
        int n = snprintf(name, 32, "." PROM_FILE ".");
        for (size_t k = 0; k < sizeof r; k++) n += snprintf(name + n, 32 - (size_t)n, "%02x", r[k]);
        int fd = promTempOpen(dirfd, name);
        if (fd != -EEXIST) return fd;
    }
    return -EEXIST;
}

/* Writes all of TEXT to FD; 0 or -errno. */
static int writeAll(int fd, const char *text, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, text, len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -errno;
        text += n;
        len -= (size_t)n;
    }
    return 0;
}

int promReplaceAt(int dirfd, const char *text, size_t len)
{
    char tmp[32];
    int fd = makeTemp(dirfd, tmp);
    if (fd < 0) return fd;
    int err = fchmod(fd, 0644) != 0 ? -errno : 0; /* node_exporter runs as another user */
    if (!err) err = writeAll(fd, text, len);
    if (!err && fsync(fd) != 0) err = -errno;
    if (close(fd) != 0 && !err) err = -errno;
    if (!err && renameat(dirfd, tmp, dirfd, PROM_FILE) != 0) err = -errno;
    if (err) {
        unlinkat(dirfd, tmp, 0);
        return err;
    }
    fsync(dirfd); /* the rename survives a crash once the directory is on disk too */
    return 0;
}

/* DIR opened for promReplaceAt(), or -errno; a symbolic link is -ELOOP. */
static int openDir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) return fd;
    int err = -errno;
    struct stat st;
    if (lstat(dir, &st) == 0 && S_ISLNK(st.st_mode)) return -ELOOP;
    return err;
}

int promWriteDir(const char *dir, sqlite3 *db, const char *sql)
{
    char *text = NULL;
    size_t len = 0;
    int dirfd = openDir(dir);
    if (dirfd < 0) {
        fprintf(stderr, "sqlsof: cannot write %s/%s: %s\n", dir, PROM_FILE,
                dirfd == -ELOOP ? "the directory is a symbolic link (refused: its target may "
                                  "be anywhere)"
                                : strerror(-dirfd));
        return 1;
    }
    FILE *mem = open_memstream(&text, &len);
    if (!mem) {
        fprintf(stderr, "sqlsof: cannot write %s/%s: %s\n", dir, PROM_FILE, strerror(errno));
        close(dirfd);
        return 1;
    }
    int status = promReport(mem, db, sql);
    fclose(mem);
    /* A bad declaration's line said why, and the old file stays; a partial one is written. */
    if (status == 0 || status == PROM_PARTIAL) {
        int err = promReplaceAt(dirfd, text, len);
        if (err) {
            fprintf(stderr, "sqlsof: cannot write %s/%s: %s\n", dir, PROM_FILE, strerror(-err));
            status = 1;
        }
    }
    close(dirfd);
    free(text);
    return status;
}

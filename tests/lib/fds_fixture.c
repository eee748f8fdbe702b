/* The fds tests' child of every kind of descriptor (fds_fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "fds_fixture.h"

static char fdsDir[64];
char fdsPaths[OBJ_COUNT][128];
struct stat fdsBefore[OBJ_COUNT]; /* files, stat'ed here before the child opens them */

static int describe(int fd, struct obj *o)
{
    struct stat st;
    struct statx sx;
    if (fstat(fd, &st) != 0) return -1;
    if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &sx) != 0 || !(sx.stx_mask & STATX_MNT_ID))
        return -1;
    o->fd = fd;
    o->ino = st.st_ino;
    o->dev = st.st_dev;
    o->rdev = st.st_rdev;
    o->mode = st.st_mode;
    o->size = st.st_size;
    o->flags = fcntl(fd, F_GETFL) | ((fcntl(fd, F_GETFD) & FD_CLOEXEC) ? O_CLOEXEC : 0);
    o->mntId = (int)sx.stx_mnt_id;
    return 0;
}

int testLockRange(int fd, short type, off_t start, off_t len)
{
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
    return fcntl(fd, F_SETLK, &fl);
}

/* In the child: open the set, describe each fd, report. */
static int openEverything(void *arg)
{
    (void)arg;
    int fds[OBJ_COUNT], p[2], sp[2];
    struct obj objs[OBJ_COUNT];
    memset(objs, 0, sizeof objs); /* the padding is reported to the parent too */
    fds[OBJ_REG] = open(fdsPaths[OBJ_REG], O_RDWR);
    if (lseek(fds[OBJ_REG], 7, SEEK_SET) != 7) return -1;
    fds[OBJ_GONE] = open(fdsPaths[OBJ_GONE], O_RDONLY | O_CLOEXEC);
    if (unlink(fdsPaths[OBJ_GONE]) != 0) return -1;
    fds[OBJ_DIR] = open(fdsDir, O_RDONLY | O_DIRECTORY);
    fds[OBJ_NULL] = open("/dev/null", O_WRONLY | O_APPEND);
    if (pipe(p) != 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sp) != 0) return -1;
    fds[OBJ_PIPE_R] = p[0], fds[OBJ_PIPE_W] = p[1];
    fds[OBJ_UNIX_A] = sp[0], fds[OBJ_UNIX_B] = sp[1];
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    fds[OBJ_TCP] = socket(AF_INET, SOCK_STREAM, 0);
    if (bind(fds[OBJ_TCP], (struct sockaddr *)&sin, sizeof sin) != 0 || listen(fds[OBJ_TCP], 1))
        return -1;
    fds[OBJ_UDP] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    fds[OBJ_EVENTFD] = eventfd(0, EFD_CLOEXEC);
    fds[OBJ_EPOLL] = epoll_create1(0);
    /* Watching 60 fds makes the epoll fd's fdinfo longer than one 4 KiB read. */
    for (int k = 0; k < 60; k++) {
        struct epoll_event ev = {.events = EPOLLIN};
        int d = dup(fds[OBJ_EVENTFD]);
        if (d < 0 || epoll_ctl(fds[OBJ_EPOLL], EPOLL_CTL_ADD, d, &ev) != 0) return -1;
    }
    fds[OBJ_LOCKED] = open(fdsPaths[OBJ_LOCKED], O_RDWR);
    if (testLockRange(fds[OBJ_LOCKED], F_WRLCK, 0, 0) != 0) return -1; /* whole file: W */
    fds[OBJ_PARTIAL] = open(fdsPaths[OBJ_PARTIAL], O_RDONLY);
    if (testLockRange(fds[OBJ_PARTIAL], F_RDLCK, 0, 10) != 0) return -1; /* bytes 0-9: r */
    fds[OBJ_NAMED_DELETED] = open(fdsPaths[OBJ_NAMED_DELETED], O_RDONLY);
    for (int i = 0; i < OBJ_COUNT; i++)
        if (fds[i] < 0 || describe(fds[i], &objs[i]) != 0) return -1;
    fixtureReport(objs, sizeof objs);
    return 0;
}

static void makeFile(int i, const char *name, size_t size)
{
    snprintf(fdsPaths[i], sizeof fdsPaths[i], "%s/%s", fdsDir, name);
    unlink(fdsPaths[i]); /* a new inode: an earlier child may hold (and lock) the old one */
    FILE *f = fopen(fdsPaths[i], "w");
    assert_non_null(f);
    for (size_t k = 0; k < size; k++) fputc('x', f);
    fclose(f);
    assert_int_equal(stat(fdsPaths[i], &fdsBefore[i]), 0);
}

int fdsFilesMake(void **state)
{
    (void)state;
    snprintf(fdsDir, sizeof fdsDir, "/tmp/sqlsof-fds-XXXXXX");
    assert_non_null(mkdtemp(fdsDir));
    makeFile(OBJ_REG, "regular", 123);
    makeFile(OBJ_GONE, "gone", 5);
    makeFile(OBJ_LOCKED, "locked", 0);
    makeFile(OBJ_PARTIAL, "partial", 40);
    makeFile(OBJ_NAMED_DELETED, "x (deleted)", 3);
    snprintf(fdsPaths[OBJ_DIR], sizeof fdsPaths[OBJ_DIR], "%s", fdsDir);
    assert_int_equal(stat(fdsDir, &fdsBefore[OBJ_DIR]), 0);
    snprintf(fdsPaths[OBJ_NULL], sizeof fdsPaths[OBJ_NULL], "/dev/null");
    assert_int_equal(stat("/dev/null", &fdsBefore[OBJ_NULL]), 0);
    return 0;
}

int fdsFilesRemove(void **state)
{
    (void)state;
    for (int i = 0; i < OBJ_COUNT; i++)
        if (i != OBJ_DIR && i != OBJ_NULL && fdsPaths[i][0]) unlink(fdsPaths[i]);
    rmdir(fdsDir);
    return 0;
}

/* Starts a child on fresh copies of the files it unlinks or locks. */
const struct obj *fdsChildStart(struct fixture *fx)
{
    makeFile(OBJ_GONE, "gone", 5);
    makeFile(OBJ_LOCKED, "locked", 0);
    makeFile(OBJ_PARTIAL, "partial", 40);
    fixtureStart(fx, openEverything, NULL);
    assert_int_equal(fx->reportLen, sizeof(struct obj) * OBJ_COUNT);
    return (const struct obj *)fx->report;
}

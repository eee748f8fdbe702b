/*
** The fds tests' child (test_fds, test_fds_costs): it opens one descriptor of every kind the
** table tells apart and reports each one's fstat, fcntl and statx. Files are made and stat'ed
** here before the child opens them; the child fstat's its kernel objects (pipes, sockets, anon
** inodes) and reports them with their fd numbers.
*/
#ifndef SQLSOF_TEST_FDS_FIXTURE_H
#define SQLSOF_TEST_FDS_FIXTURE_H

#include <sys/stat.h>
#include <sys/types.h>

#include "fixture.h"

enum {
    OBJ_REG,
    OBJ_GONE,
    OBJ_DIR,
    OBJ_NULL,
    OBJ_PIPE_R,
    OBJ_PIPE_W,
    OBJ_UNIX_A,
    OBJ_UNIX_B,
    OBJ_TCP,
    OBJ_UDP,
    OBJ_EVENTFD,
    OBJ_EPOLL,
    OBJ_LOCKED,
    OBJ_PARTIAL,
    OBJ_NAMED_DELETED,
    OBJ_COUNT,
};

/* What the child reports of each descriptor: from fstat, fcntl and statx on the fd itself. */
struct obj {
    int fd;
    unsigned long long ino;
    unsigned long long dev;
    unsigned long long rdev;
    unsigned mode;
    long long size;
    int flags; /* as fdinfo prints them: F_GETFL plus O_CLOEXEC when it is set */
    int mntId;
};

/* The files' paths (empty for the kernel objects) and their stat before the child opened them. */
extern char fdsPaths[OBJ_COUNT][128];
extern struct stat fdsBefore[OBJ_COUNT];

/* A group SETUP and TEARDOWN: the files in a fresh directory under /tmp; their removal. */
int fdsFilesMake(void **state);
int fdsFilesRemove(void **state);

/* Starts a child on fresh copies of the files it unlinks or locks; returns its OBJ_COUNT
 * descriptors (in FX's report). */
const struct obj *fdsChildStart(struct fixture *fx);

/* A POSIX record lock of TYPE (F_RDLCK, F_WRLCK) on LEN bytes from START (0: to the end), as
 * fcntl(F_SETLK) returns. */
int testLockRange(int fd, short type, off_t start, off_t len);

#endif

#include "proc/syscall_names.h"

#include <stdlib.h>
#include <string.h>

const char *syscallName(long nr)
{
    /* A few hundred entries, each a word: a scan costs less than the file read that gave NR. */
    for (size_t i = 0; i < syscallNameCount; i++)
        if (syscallNames[i].nr == nr) return syscallNames[i].name;
    return NULL;
}

/* Calls whose first argument is a descriptor, sorted (strcmp) for bsearch; names of every
 * architecture (recv and send are arm's, _llseek and fcntl64 32-bit ones). */
static const char *const fdFirst[] = {
    "_llseek",
    "accept",
    "accept4",
    "bind",
    "close",
    "connect",
    "copy_file_range",
    "dup",
    "dup2",
    "dup3",
    "epoll_ctl",
    "epoll_pwait",
    "epoll_pwait2",
    "epoll_wait",
    "fadvise64",
    "fadvise64_64",
    "fallocate",
    "fchdir",
    "fchmod",
    "fchown",
    "fcntl",
    "fcntl64",
    "fdatasync",
    "fgetxattr",
    "flistxattr",
    "flock",
    "fstat",
    "fstat64",
    "fstatfs",
    "fstatfs64",
    "fsync",
    "ftruncate",
    "ftruncate64",
    "getdents",
    "getdents64",
    "getpeername",
    "getsockname",
    "getsockopt",
    "inotify_add_watch",
    "inotify_rm_watch",
    "io_uring_enter",
    "ioctl",
    "listen",
    "lseek",
    "pread64",
    "preadv",
    "preadv2",
    "pwrite64",
    "pwritev",
    "pwritev2",
    "read",
    "readahead",
    "readv",
    "recv",
    "recvfrom",
    "recvmmsg",
    "recvmmsg_time64",
    "recvmsg",
    "send",
    "sendfile",
    "sendfile64",
    "sendmmsg",
    "sendmsg",
    "sendto",
    "setsockopt",
    "shutdown",
    "splice",
    "sync_file_range",
    "syncfs",
    "tee",
    "timerfd_gettime",
    "timerfd_settime",
    "vmsplice",
    "write",
    "writev",
};

static int compareName(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

int syscallTakesFd(const char *name)
{
    return name && bsearch(name, fdFirst, sizeof fdFirst / sizeof fdFirst[0], sizeof fdFirst[0],
                           compareName) != NULL;
}

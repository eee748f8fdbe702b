/*
** The names of the system calls of the architecture sqlsof is built for, and which of them take
** a file descriptor first. The table is generated at build time from <asm/unistd.h> by
** ext/proc/syscall_names.sh (build/gen/syscall_names.c), never typed by hand.
*/
#ifndef SQLSOF_SYSCALL_NAMES_H
#define SQLSOF_SYSCALL_NAMES_H

#include <stddef.h>

struct syscall_name {
    long nr;
    const char *name;
};

/* The generated table, in the order of the names (not of the numbers). */
extern const struct syscall_name syscallNames[];
extern const size_t syscallNameCount;

/* The name of system call NR ("recvfrom"), or NULL when this architecture has none so numbered. */
const char *syscallName(long nr);

/*
** Whether the system call NAME takes a file descriptor as its first argument (read, recvfrom,
** epoll_wait's epoll fd, ioctl, ...): the fd that a thread blocked in it waits on. Calls whose
** first argument is a directory fd that may be AT_FDCWD (openat), an array (poll, select) or
** no fd at all (futex, nanosleep) are not.
*/
int syscallTakesFd(const char *name);

#endif

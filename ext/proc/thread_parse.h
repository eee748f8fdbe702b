/*
** Parsers for a thread's files under /proc/PID/task/TID that say what it waits on: syscall and
** wchan. Text in, struct out, no I/O (see proc_parse.h); 0 or -EINVAL for what the kernel does
** not write.
*/
#ifndef SQLSOF_THREAD_PARSE_H
#define SQLSOF_THREAD_PARSE_H

#include <stddef.h>

/* What /proc/PID/task/TID/syscall says the thread is doing. */
enum thread_in {
    THREAD_RUNNING,    /* "running": on a CPU, nothing to tell */
    THREAD_NO_SYSCALL, /* "-1 SP PC": stopped outside a system call (a fault, user code) */
    THREAD_SYSCALL,    /* "NR ARG0 ... ARG5 SP PC": in system call NR */
};

struct thread_syscall {
    enum thread_in in;
    long nr;                   /* THREAD_SYSCALL only */
    unsigned long long arg[6]; /* THREAD_SYSCALL only */
    unsigned long long sp, pc; /* all but THREAD_RUNNING */
    const char *args;          /* THREAD_SYSCALL: the six arguments as the kernel wrote them */
    size_t argsLen;            /*   ("0x4 0x7ffd... 0x400 0x0 0x0 0x0"), pointing into the text */
};

/*
** /proc/PID/task/TID/syscall, as the kernel's proc_pid_syscall() prints it:
**   "running\n" | "-1 0xSP 0xPC\n" | "NR 0xA0 0xA1 0xA2 0xA3 0xA4 0xA5 0xSP 0xPC\n"
*/
int threadParseSyscall(const char *text, size_t len, struct thread_syscall *out);

/*
** /proc/PID/task/TID/wchan: the kernel function the thread sleeps in ("wait_woken",
** "do_epoll_wait"). Sets *NAME and *NAMELEN to it within TEXT, or *NAMELEN to 0 when the
** kernel wrote "0" (running, or not sleeping in a known place).
*/
int threadParseWchan(const char *text, size_t len, const char **name, size_t *namelen);

/* The first argument of a call whose first argument is a descriptor, as the int the kernel takes
 * (its low 32 bits); -1 when that is negative. */
int threadFdArgument(const struct thread_syscall *sc);

#endif

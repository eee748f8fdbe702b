/*
** What kind of object an fd holds beyond lsof's TYPE, and the details its fdinfo tells of it,
** in the manner of util-linux lsfd's one reader per kind: eventfd, eventpoll (and its targets),
** inotify (and its watches), timerfd, signalfd, pidfd, BPF map/prog/link, memfd, nsfs, pty,
** tun, POSIX message queue. Pure text in, struct out: the table (tbl_fd_details.c) does the I/O.
*/
#ifndef SQLSOF_FD_KIND_H
#define SQLSOF_FD_KIND_H

#include <stddef.h>

enum fd_kind {
    FD_KIND_NONE, /* a plain file, pipe, device, ...: no details */
    FD_KIND_EVENTFD,
    FD_KIND_EVENTPOLL,
    FD_KIND_INOTIFY,
    FD_KIND_FANOTIFY,
    FD_KIND_TIMERFD,
    FD_KIND_SIGNALFD,
    FD_KIND_PIDFD,
    FD_KIND_IO_URING,
    FD_KIND_BPF_MAP,
    FD_KIND_BPF_PROG,
    FD_KIND_BPF_LINK,
    FD_KIND_ANON, /* another anon inode (userfaultfd, perf_event, ...) */
    FD_KIND_MEMFD,
    FD_KIND_NSFS,
    FD_KIND_PTY_MASTER,
    FD_KIND_PTY_SLAVE,
    FD_KIND_TUN,
    FD_KIND_MQUEUE, /* not told by the link: the caller's statfs says MQUEUE_MAGIC */
    FD_KIND_SOCKET,
};

/* The kind's word in the fd_details table ("eventfd", "bpf-map", "pty"), NULL for NONE. */
const char *fdKindName(enum fd_kind kind);

/* The kind the link text LEN bytes of TEXT names; NONE for a path the link does not place. */
enum fd_kind fdKindOfLink(const char *text, size_t len);

/* Whether a path link may be a message queue's: one file at a root ("/q", "/q (deleted)"). */
int fdKindMayBeQueue(const char *text, size_t len);

/* A memfd's name, or an nsfs link's namespace type: *NAME and *NAMELEN inside TEXT. */
int fdKindLinkName(enum fd_kind kind, const char *text, size_t len, const char **name,
                   size_t *namelen);

#define FD_HAS_ID      0x01 /* id */
#define FD_HAS_COUNT   0x02 /* eventfd count, semaphore */
#define FD_HAS_TIMER   0x04 /* clockid, ticks, remaining, interval */
#define FD_HAS_SIGMASK 0x08
#define FD_HAS_PID     0x10
#define FD_HAS_IFACE   0x20
#define FD_HAS_BPFTYPE 0x40

struct fd_details {
    unsigned has; /* FD_HAS_* */
    long long id; /* eventfd-id, BPF map/prog/link id, a pty master's tty-index */
    unsigned long long count;
    int semaphore;
    int clockid;
    long long ticks;
    double remaining, interval; /* seconds */
    unsigned long long sigmask; /* bit N-1: signal N */
    long long pid;              /* pidfd: the process, -1 once it has exited */
    int targets;                /* eventpoll "tfd:" lines, inotify watches */
    char iface[16];             /* tun: the interface ("iff:") */
    char bpfType[24];           /* map_type, prog_type, link_type as the kernel writes it */
};

/* Parses the fdinfo text of an fd of KIND. Returns 0; -EINVAL when a field is garbled. */
int fdDetailsParse(enum fd_kind kind, const char *text, size_t len, struct fd_details *d);

/* One "tfd:" line of an eventpoll's fdinfo: a watched fd. */
struct fd_epoll_target {
    int fd;
    unsigned events;         /* EPOLL* bits */
    unsigned long long data; /* epoll_data as the caller set it */
    unsigned long long inode;
    unsigned major, minor; /* of sdev */
};

/* One "inotify wd:" line: a watch. */
struct fd_inotify_watch {
    int wd;
    unsigned long long inode;
    unsigned major, minor;
    unsigned mask, ignoredMask;
};

/* The next target / watch from *POS in TEXT: 1 with *T filled, 0 at the end. Garbled lines are
 * skipped. */
int fdEpollNext(const char *text, size_t len, size_t *pos, struct fd_epoll_target *t);
int fdInotifyNext(const char *text, size_t len, size_t *pos, struct fd_inotify_watch *w);

/* What reading a message queue's file gives: "QSIZE:5 NOTIFY:0 SIGNO:0 NOTIFY_PID:0". */
struct fd_mqueue {
    long long size;
    int notify, signo, notifyPid;
};
int fdMqueueParse(const char *text, size_t len, struct fd_mqueue *q);

/* The names of MASK's signals, "SIGUSR1,SIGUSR2" (RT signals "SIGRTMIN+N"), into OUT. */
void fdSignalNames(unsigned long long mask, char *out, size_t size);

/* The name of a clock id ("realtime", "monotonic", "boottime", ...), NULL when unknown. */
const char *fdClockName(int clockid);

/* memfd seals (F_GET_SEALS bits) as "seal,shrink,grow,write,future_write", into OUT. */
void fdSealNames(unsigned seals, char *out, size_t size);

/*
** The socket type (SOCK_RAW, SOCK_DGRAM) of the packet socket INODE from /proc/PID/net/packet's
** text, -1 when it is not listed.
*/
int fdPacketSockType(const char *text, size_t len, unsigned long long inode);

#endif

/*
** One fixture maker by kind of descriptor, in the manner of util-linux lsfd's mkfds: makeFd()
** opens one object of KIND in the calling process (a fixture child) and says which fds hold it,
** so every test (and build/tests/make-fd, for the bench and by hand) opens kinds one way.
**
**   kind          fd[]                                   value          path
**   eventfd       eventfd (count 5)                      5              -
**   epoll         epoll, pipe read, pipe write, eventfd  -              -
**                 (the epoll watches the pipe's read end for EPOLLIN, the eventfd for EPOLLOUT)
**   inotify       inotify (a watch on /etc/hostname)     the wd         /etc/hostname
**   timerfd       CLOCK_MONOTONIC, armed: 1000 s, then every 100 s       -
**   signalfd      SIGUSR1 and SIGUSR2                    -              -
**   pidfd         of the process itself                  its pid        -
**   memfd         "sqlsof-memfd", 4096 bytes, sealed shrink+grow         -
**   pty           master, slave                          the tty index  /dev/pts/N
**   nsfs          /proc/self/ns/net                      the ns inode   -
**   mqueue        "/sqlsof-mq-PID" (unlinked), 1 message of 5 bytes      /sqlsof-mq-PID
**   packet        AF_PACKET SOCK_RAW ETH_P_ALL           -              -
**   tcp-unbound   AF_INET SOCK_STREAM, never bound       -              -
**   udp6          AF_INET6 UDP bound to [::1]            its port       -
**   tcp6-mapped   [::] listener, 127.0.0.1 client, its accepted end     the port
**   fifo          read end, write end of a named FIFO    -              /tmp/sqlsof-fifo-PID
**   unix          socketpair a, b; listener, client, accepted end       /tmp/sqlsof-unix-PID
**   tcp           127.0.0.1 listener, client, accepted end              the port
**   locks         files under PATH-{posix,partial,ofd}: a POSIX write lock of the whole file,
**                 a POSIX read lock of its first 10 bytes, an OFD write lock  /tmp/sqlsof-lk-PID
*/
#ifndef SQLSOF_MAKE_FD_H
#define SQLSOF_MAKE_FD_H

#define MAKE_FD_MAX   5
#define MAKE_FD_KINDS 18

struct made_fd {
    char kind[16];
    int n;               /* fds in fd[] */
    int fd[MAKE_FD_MAX]; /* in the order the table above gives */
    long long value;     /* the kind's number (see above), 0 when none */
    char path[48];       /* the kind's name in the file system (see above), "" when none */
};

struct made_fds {
    int n;
    struct made_fd kinds[MAKE_FD_KINDS];
};

/* The kinds makeFd() knows, in the table's order, NULL-terminated. */
extern const char *const makeFdKinds[];

/* Opens one object of KIND into OUT. Returns 0, or -1 with errno set (EINVAL: unknown kind). */
int makeFd(const char *kind, struct made_fd *out);

/*
** A fixture SETUP (fixtureStart): ARG is a comma-separated list of kinds, or NULL for every kind;
** opens each with makeFd() and reports a struct made_fds. Names the process "sqlsof-mkfds".
*/
int makeFdFixture(void *arg);

/* The kind KIND of MADE, or NULL. */
const struct made_fd *madeFd(const struct made_fds *made, const char *kind);

/*
** In a test (tests/lib/make_fd_fixture.c): starts FX, a child holding KINDS (NULL: all), and
** copies its report into MADE; stops it and removes what it left.
*/
struct fixture;
void makeFdStart(struct fixture *fx, struct made_fds *made, const char *kinds);
void makeFdStop(struct fixture *fx, const struct made_fds *made);

/* A cmocka group's setup and teardown for a child holding every kind: makeFdFx, makeFdMade. */
extern struct fixture makeFdFx;
extern struct made_fds makeFdMade;
int makeFdGroupSetup(void **state);
int makeFdGroupTeardown(void **state);

/* Removes what the kinds left in the file system (the FIFO, the unix socket, the locked files). */
void makeFdCleanup(const struct made_fds *made);

#endif

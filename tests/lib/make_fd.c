/* Opens one descriptor object per kind (see make_fd.h). Runs in a fixture child: no cmocka. */
#include "make_fd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include "fixture.h"

const char *const makeFdKinds[] = {"eventfd", "epoll",       "inotify", "timerfd",     "signalfd",
                                   "pidfd",   "memfd",       "pty",     "nsfs",        "mqueue",
                                   "packet",  "tcp-unbound", "udp6",    "tcp6-mapped", "fifo",
                                   "unix",    "tcp",         "locks",   NULL};

static int add(struct made_fd *m, int fd)
{
    if (fd < 0) return -1;
    m->fd[m->n++] = fd;
    return 0;
}

static int makeEventfd(struct made_fd *m)
{
    m->value = 5;
    return add(m, eventfd(5, 0));
}

static int makeEpoll(struct made_fd *m)
{
    int p[2];
    if (add(m, epoll_create1(0)) != 0 || pipe(p) != 0) return -1;
    add(m, p[0]);
    add(m, p[1]);
    if (add(m, eventfd(0, 0)) != 0) return -1;
    struct epoll_event in = {.events = EPOLLIN, .data.fd = p[0]};
    struct epoll_event out = {.events = EPOLLOUT, .data.fd = m->fd[3]};
    return epoll_ctl(m->fd[0], EPOLL_CTL_ADD, p[0], &in) != 0 ||
                   epoll_ctl(m->fd[0], EPOLL_CTL_ADD, m->fd[3], &out) != 0
               ? -1
               : 0;
}

static int makeInotify(struct made_fd *m)
{
    strcpy(m->path, "/etc/hostname");
    if (add(m, inotify_init1(0)) != 0) return -1;
    int wd = inotify_add_watch(m->fd[0], m->path, IN_MODIFY | IN_CLOSE_WRITE);
    m->value = wd;
    return wd < 0 ? -1 : 0;
}

static int makeTimerfd(struct made_fd *m)
{
    if (add(m, timerfd_create(CLOCK_MONOTONIC, 0)) != 0) return -1;
    struct itimerspec t = {.it_interval = {.tv_sec = 100}, .it_value = {.tv_sec = 1000}};
    return timerfd_settime(m->fd[0], 0, &t, NULL);
}

static int makeSignalfd(struct made_fd *m)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    return add(m, signalfd(-1, &set, 0));
}

static int makePidfd(struct made_fd *m)
{
    m->value = getpid();
    return add(m, (int)syscall(SYS_pidfd_open, getpid(), 0));
}

static int makeMemfd(struct made_fd *m)
{
    if (add(m, memfd_create("sqlsof-memfd", MFD_ALLOW_SEALING)) != 0) return -1;
    return ftruncate(m->fd[0], 4096) != 0 ||
                   fcntl(m->fd[0], F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) != 0
               ? -1
               : 0;
}

static int makePty(struct made_fd *m)
{
    if (add(m, posix_openpt(O_RDWR | O_NOCTTY)) != 0 || grantpt(m->fd[0]) != 0 ||
        unlockpt(m->fd[0]) != 0)
        return -1;
    const char *name = ptsname(m->fd[0]);
    if (!name || strlen(name) >= sizeof m->path) return -1;
    strcpy(m->path, name);
    m->value = atoll(name + strlen("/dev/pts/"));
    return add(m, open(name, O_RDWR | O_NOCTTY));
}

static int makeNsfs(struct made_fd *m)
{
    struct stat st;
    if (add(m, open("/proc/self/ns/net", O_RDONLY)) != 0 || fstat(m->fd[0], &st) != 0) return -1;
    m->value = (long long)st.st_ino;
    return 0;
}

static int makeMqueue(struct made_fd *m)
{
    snprintf(m->path, sizeof m->path, "/sqlsof-mq-%d", getpid());
    struct mq_attr attr = {.mq_maxmsg = 4, .mq_msgsize = 64};
    mqd_t q = mq_open(m->path, O_CREAT | O_RDWR, 0600, &attr);
    if (q < 0) return -1;
    mq_unlink(m->path); /* nothing left behind when the fixture is killed */
    m->value = 5;
    add(m, q);
    return mq_send(q, "hello", 5, 0);
}

static int makePacket(struct made_fd *m)
{
    return add(m, socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)));
}

static int makeTcpUnbound(struct made_fd *m)
{
    return add(m, socket(AF_INET, SOCK_STREAM, 0));
}

static int makeUdp6(struct made_fd *m)
{
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    socklen_t len = sizeof a;
    if (add(m, socket(AF_INET6, SOCK_DGRAM, 0)) != 0 ||
        bind(m->fd[0], (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(m->fd[0], (struct sockaddr *)&a, &len) != 0)
        return -1;
    m->value = ntohs(a.sin6_port);
    return 0;
}

/* A listener of FAMILY on ADDR, its client over IPv4 loopback, and the accepted end. */
static int makeTcpPair(struct made_fd *m, struct sockaddr *addr, socklen_t len)
{
    if (add(m, socket(addr->sa_family, SOCK_STREAM, 0)) != 0 || bind(m->fd[0], addr, len) != 0 ||
        listen(m->fd[0], 4) != 0 || getsockname(m->fd[0], addr, &len) != 0)
        return -1;
    m->value = ntohs(((struct sockaddr_in *)addr)->sin_port); /* same place in sockaddr_in6 */
    struct sockaddr_in to = {.sin_family = AF_INET,
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                             .sin_port = htons((uint16_t)m->value)};
    if (add(m, socket(AF_INET, SOCK_STREAM, 0)) != 0 ||
        connect(m->fd[1], (struct sockaddr *)&to, sizeof to) != 0)
        return -1;
    return add(m, accept(m->fd[0], NULL, NULL));
}

static int makeTcp6Mapped(struct made_fd *m)
{
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT};
    return makeTcpPair(m, (struct sockaddr *)&a, sizeof a);
}

static int makeTcp(struct made_fd *m)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    return makeTcpPair(m, (struct sockaddr *)&a, sizeof a);
}

static int makeFifo(struct made_fd *m)
{
    snprintf(m->path, sizeof m->path, "/tmp/sqlsof-fifo-%d", getpid());
    unlink(m->path);
    if (mkfifo(m->path, 0600) != 0 || add(m, open(m->path, O_RDONLY | O_NONBLOCK)) != 0) return -1;
    return add(m, open(m->path, O_WRONLY));
}

static int makeUnix(struct made_fd *m)
{
    int u[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, u) != 0) return -1;
    add(m, u[0]);
    add(m, u[1]);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(m->path, sizeof m->path, "/tmp/sqlsof-unix-%d", getpid());
    snprintf(a.sun_path, sizeof a.sun_path, "%s", m->path);
    unlink(m->path);
    if (add(m, socket(AF_UNIX, SOCK_STREAM, 0)) != 0 ||
        bind(m->fd[2], (struct sockaddr *)&a, sizeof a) != 0 || listen(m->fd[2], 4) != 0 ||
        add(m, socket(AF_UNIX, SOCK_STREAM, 0)) != 0 ||
        connect(m->fd[3], (struct sockaddr *)&a, sizeof a) != 0)
        return -1;
    return add(m, accept(m->fd[2], NULL, NULL));
}

/* The three locked files' names: PATH-posix, PATH-partial, PATH-ofd. */
static const char *const lockNames[] = {"posix", "partial", "ofd"};

static int makeLocks(struct made_fd *m)
{
    snprintf(m->path, sizeof m->path, "/tmp/sqlsof-lk-%d", getpid());
    for (int i = 0; i < 3; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s-%s", m->path, lockNames[i]);
        if (add(m, open(name, O_RDWR | O_CREAT | O_TRUNC, 0600)) != 0 || ftruncate(m->fd[i], 100))
            return -1;
    }
    struct flock whole = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    struct flock part = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_len = 10};
    struct flock ofd = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    return fcntl(m->fd[0], F_SETLK, &whole) != 0 || fcntl(m->fd[1], F_SETLK, &part) != 0 ||
                   fcntl(m->fd[2], F_OFD_SETLK, &ofd) != 0
               ? -1
               : 0;
}

static const struct {
    const char *kind;
    int (*make)(struct made_fd *m);
} makers[] = {
    {"eventfd", makeEventfd},   {"epoll", makeEpoll},
    {"inotify", makeInotify},   {"timerfd", makeTimerfd},
    {"signalfd", makeSignalfd}, {"pidfd", makePidfd},
    {"memfd", makeMemfd},       {"pty", makePty},
    {"nsfs", makeNsfs},         {"mqueue", makeMqueue},
    {"packet", makePacket},     {"tcp-unbound", makeTcpUnbound},
    {"udp6", makeUdp6},         {"tcp6-mapped", makeTcp6Mapped},
    {"fifo", makeFifo},         {"unix", makeUnix},
    {"tcp", makeTcp},           {"locks", makeLocks},
};

int makeFd(const char *kind, struct made_fd *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < sizeof makers / sizeof *makers; i++)
        if (!strcmp(makers[i].kind, kind)) {
            snprintf(out->kind, sizeof out->kind, "%s", kind);
            return makers[i].make(out);
        }
    errno = EINVAL;
    return -1;
}

int makeFdFixture(void *arg)
{
    static struct made_fds made;
    const char *list = arg;
    memset(&made, 0, sizeof made);
    prctl(PR_SET_NAME, "sqlsof-mkfds");
    for (int i = 0; makeFdKinds[i]; i++) {
        const char *k = makeFdKinds[i];
        size_t len = strlen(k);
        const char *at = list ? strstr(list, k) : k;
        /* A whole word of the list: "tcp" is not found in "tcp6-mapped". */
        while (at && list && ((at > list && at[-1] != ',') || (at[len] && at[len] != ',')))
            at = strstr(at + 1, k);
        if (!at) continue;
        if (made.n == MAKE_FD_KINDS || makeFd(k, &made.kinds[made.n]) != 0) {
            fprintf(stderr, "make-fd %s: %s\n", k, strerror(errno));
            return -1;
        }
        made.n++;
    }
    fixtureReport(&made, sizeof made);
    return 0;
}

const struct made_fd *madeFd(const struct made_fds *made, const char *kind)
{
    for (int i = 0; i < made->n; i++)
        if (!strcmp(made->kinds[i].kind, kind)) return &made->kinds[i];
    return NULL;
}

void makeFdCleanup(const struct made_fds *made)
{
    for (int i = 0; i < made->n; i++) {
        const struct made_fd *m = &made->kinds[i];
        if (!strcmp(m->kind, "fifo") || !strcmp(m->kind, "unix")) unlink(m->path);
        for (int k = 0; k < 3 && !strcmp(m->kind, "locks"); k++) {
            char name[64];
            snprintf(name, sizeof name, "%s-%s", m->path, lockNames[k]);
            unlink(name);
        }
    }
}

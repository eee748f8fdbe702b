#include "fd/fd_kind.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kindNames[] = {
    [FD_KIND_EVENTFD] = "eventfd",   [FD_KIND_EVENTPOLL] = "eventpoll",
    [FD_KIND_INOTIFY] = "inotify",   [FD_KIND_FANOTIFY] = "fanotify",
    [FD_KIND_TIMERFD] = "timerfd",   [FD_KIND_SIGNALFD] = "signalfd",
    [FD_KIND_PIDFD] = "pidfd",       [FD_KIND_IO_URING] = "io_uring",
    [FD_KIND_BPF_MAP] = "bpf-map",   [FD_KIND_BPF_PROG] = "bpf-prog",
    [FD_KIND_BPF_LINK] = "bpf-link", [FD_KIND_ANON] = "anon",
    [FD_KIND_MEMFD] = "memfd",       [FD_KIND_NSFS] = "nsfs",
    [FD_KIND_PTY_MASTER] = "pty",    [FD_KIND_PTY_SLAVE] = "pty",
    [FD_KIND_TUN] = "tun",           [FD_KIND_MQUEUE] = "mqueue",
    [FD_KIND_SOCKET] = "socket",
};

const char *fdKindName(enum fd_kind kind)
{
    return (unsigned)kind < sizeof kindNames / sizeof *kindNames ? kindNames[kind] : NULL;
}

static int hasPrefix(const char *text, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(text, prefix, n) == 0;
}

static int isExactly(const char *text, size_t len, const char *word)
{
    return len == strlen(word) && memcmp(text, word, len) == 0;
}

/* The namespace types nsfs links name ("net:[4026531840]"). */
static const char *const nsTypes[] = {
    "cgroup", "ipc", "mnt", "net", "pid", "pid_for_children", "time", "time_for_children",
    "user",   "uts", NULL};

static size_t nsTypeLen(const char *text, size_t len)
{
    for (int i = 0; nsTypes[i]; i++) {
        size_t n = strlen(nsTypes[i]);
        if (len > n + 2 && memcmp(text, nsTypes[i], n) == 0 && text[n] == ':' && text[n + 1] == '[')
            return n;
    }
    return 0;
}

static enum fd_kind anonKind(const char *name, size_t len)
{
    static const struct {
        const char *name;
        enum fd_kind kind;
    } anon[] = {{"[eventfd]", FD_KIND_EVENTFD}, {"[eventpoll]", FD_KIND_EVENTPOLL},
                {"inotify", FD_KIND_INOTIFY},   {"[fanotify]", FD_KIND_FANOTIFY},
                {"[timerfd]", FD_KIND_TIMERFD}, {"[signalfd]", FD_KIND_SIGNALFD},
                {"[pidfd]", FD_KIND_PIDFD},     {"[io_uring]", FD_KIND_IO_URING},
                {"bpf-map", FD_KIND_BPF_MAP},   {"bpf-prog", FD_KIND_BPF_PROG},
                {"bpf_link", FD_KIND_BPF_LINK}, {"bpf-link", FD_KIND_BPF_LINK}};
    for (size_t i = 0; i < sizeof anon / sizeof *anon; i++)
        if (isExactly(name, len, anon[i].name)) return anon[i].kind;
    return FD_KIND_ANON;
}

enum fd_kind fdKindOfLink(const char *text, size_t len)
{
    if (hasPrefix(text, len, "anon_inode:")) return anonKind(text + 11, len - 11);
    if (hasPrefix(text, len, "socket:[")) return FD_KIND_SOCKET;
    if (hasPrefix(text, len, "/memfd:")) return FD_KIND_MEMFD;
    if (isExactly(text, len, "/dev/ptmx") || isExactly(text, len, "/dev/pts/ptmx"))
        return FD_KIND_PTY_MASTER;
    if (hasPrefix(text, len, "/dev/pts/") && len > 9 && text[9] >= '0' && text[9] <= '9')
        return FD_KIND_PTY_SLAVE;
    if (isExactly(text, len, "/dev/net/tun")) return FD_KIND_TUN;
    if (nsTypeLen(text, len)) return FD_KIND_NSFS;
    return FD_KIND_NONE;
}

int fdKindMayBeQueue(const char *text, size_t len)
{
    return len >= 2 && text[0] == '/' && !memchr(text + 1, '/', len - 1);
}

int fdKindLinkName(enum fd_kind kind, const char *text, size_t len, const char **name,
                   size_t *namelen)
{
    if (kind == FD_KIND_NSFS && (*namelen = nsTypeLen(text, len))) {
        *name = text;
        return 1;
    }
    if (kind == FD_KIND_MEMFD && hasPrefix(text, len, "/memfd:")) {
        static const char deleted[] = " (deleted)";
        size_t n = len - 7;
        if (n >= sizeof deleted - 1 &&
            !memcmp(text + len - (sizeof deleted - 1), deleted, sizeof deleted - 1))
            n -= sizeof deleted - 1;
        *name = text + 7;
        *namelen = n;
        return 1;
    }
    return 0;
}

/* The value after KEY at the start of the line [P, EOL), copied NUL-terminated into OUT. */
static int field(const char *p, const char *eol, const char *key, char *out, size_t size)
{
    size_t n = strlen(key);
    if ((size_t)(eol - p) < n || memcmp(p, key, n) != 0) return 0;
    p += n;
    while (p < eol && (*p == ' ' || *p == '\t')) p++;
    size_t vlen = (size_t)(eol - p);
    if (vlen >= size) vlen = size - 1;
    memcpy(out, p, vlen);
    out[vlen] = '\0';
    return 1;
}

/* S as a whole number in BASE (sign allowed); 0 when it is not one. */
static int number(const char *s, int base, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, base);
    if (end == s || errno) return 0;
    while (*end == ' ') end++;
    if (*end) return 0;
    *out = v;
    return 1;
}

static int unsignedNumber(const char *s, int base, unsigned long long *out)
{
    char *end;
    if (*s == '-') return 0;
    errno = 0;
    unsigned long long v = strtoull(s, &end, base);
    if (end == s || errno || *end) return 0;
    *out = v;
    return 1;
}

/* "(993, 71736510)" as seconds. */
static int timespecValue(const char *s, double *out)
{
    long long sec, nsec;
    int used = 0;
    if (sscanf(s, "(%lld, %lld)%n", &sec, &nsec, &used) != 2 || s[used]) return 0;
    *out = (double)sec + (double)nsec / 1e9;
    return 1;
}

static int parseLine(enum fd_kind kind, const char *p, const char *eol, struct fd_details *d)
{
    char v[64];
    long long x;
    unsigned long long u;
    if (kind == FD_KIND_EVENTFD) {
        if (field(p, eol, "eventfd-count:", v, sizeof v)) {
            if (!unsignedNumber(v, 16, &u)) return -EINVAL;
            d->count = u, d->has |= FD_HAS_COUNT;
        } else if (field(p, eol, "eventfd-id:", v, sizeof v)) {
            if (!number(v, 10, &x)) return -EINVAL;
            d->id = x, d->has |= FD_HAS_ID;
        } else if (field(p, eol, "eventfd-semaphore:", v, sizeof v)) {
            if (!number(v, 10, &x)) return -EINVAL;
            d->semaphore = x != 0;
        }
    } else if (kind == FD_KIND_TIMERFD) {
        if (field(p, eol, "clockid:", v, sizeof v)) {
            if (!number(v, 10, &x)) return -EINVAL;
            d->clockid = (int)x, d->has |= FD_HAS_TIMER;
        } else if (field(p, eol, "ticks:", v, sizeof v)) {
            if (!number(v, 10, &x)) return -EINVAL;
            d->ticks = x;
        } else if (field(p, eol, "it_value:", v, sizeof v)) {
            if (!timespecValue(v, &d->remaining)) return -EINVAL;
        } else if (field(p, eol, "it_interval:", v, sizeof v)) {
            if (!timespecValue(v, &d->interval)) return -EINVAL;
        }
    } else if (kind == FD_KIND_SIGNALFD && field(p, eol, "sigmask:", v, sizeof v)) {
        if (!unsignedNumber(v, 16, &u)) return -EINVAL;
        d->sigmask = u, d->has |= FD_HAS_SIGMASK;
    } else if (kind == FD_KIND_PIDFD && field(p, eol, "Pid:", v, sizeof v)) {
        if (!number(v, 10, &x)) return -EINVAL;
        d->pid = x, d->has |= FD_HAS_PID;
    } else if (kind == FD_KIND_PTY_MASTER && field(p, eol, "tty-index:", v, sizeof v)) {
        if (!number(v, 10, &x)) return -EINVAL;
        d->id = x, d->has |= FD_HAS_ID;
    } else if (kind == FD_KIND_TUN && field(p, eol, "iff:", v, sizeof v)) {
        snprintf(d->iface, sizeof d->iface, "%.15s", v);
        d->has |= FD_HAS_IFACE;
    } else if (kind == FD_KIND_EVENTPOLL && field(p, eol, "tfd:", v, sizeof v)) {
        d->targets++;
    } else if (kind == FD_KIND_INOTIFY && field(p, eol, "inotify wd:", v, sizeof v)) {
        d->targets++;
    } else if (kind >= FD_KIND_BPF_MAP && kind <= FD_KIND_BPF_LINK) {
        static const char *const types[] = {"map_type:", "prog_type:", "link_type:"};
        static const char *const ids[] = {"map_id:", "prog_id:", "link_id:"};
        int k = kind - FD_KIND_BPF_MAP;
        if (field(p, eol, types[k], v, sizeof v)) {
            snprintf(d->bpfType, sizeof d->bpfType, "%.23s", v);
            d->has |= FD_HAS_BPFTYPE;
        } else if (field(p, eol, ids[k], v, sizeof v)) {
            if (!number(v, 10, &x)) return -EINVAL;
            d->id = x, d->has |= FD_HAS_ID;
        }
    }
    return 0;
}

int fdDetailsParse(enum fd_kind kind, const char *text, size_t len, struct fd_details *d)
{
    memset(d, 0, sizeof *d);
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol) eol = end;
        if (parseLine(kind, p, eol, d) != 0) return -EINVAL;
        p = eol + 1;
    }
    /* A pty slave's index is its name's number, which the link gives, not fdinfo. */
    return 0;
}

/* The line at *POS (advanced past it) as [*LINE, *EOL); 0 at the end. */
static int nextLine(const char *text, size_t len, size_t *pos, const char **line, const char **eol)
{
    if (*pos >= len) return 0;
    *line = text + *pos;
    *eol = memchr(*line, '\n', len - *pos);
    if (!*eol) *eol = text + len;
    *pos = (size_t)(*eol - text) + 1;
    return 1;
}

/* The line [LINE, EOL) NUL-terminated in OUT (SIZE bytes), cut when longer. */
static void copyLine(const char *line, const char *eol, char *out, size_t size)
{
    size_t n = (size_t)(eol - line) < size - 1 ? (size_t)(eol - line) : size - 1;
    memcpy(out, line, n);
    out[n] = '\0';
}

/* The kernel's internal dev_t (fdinfo's sdev): major above bit 20. */
static void splitDev(unsigned long long dev, unsigned *major, unsigned *minor)
{
    *major = (unsigned)(dev >> 20);
    *minor = (unsigned)(dev & 0xfffff);
}

int fdEpollNext(const char *text, size_t len, size_t *pos, struct fd_epoll_target *t)
{
    const char *line, *eol;
    while (nextLine(text, len, pos, &line, &eol)) {
        char copy[256];
        copyLine(line, eol, copy, sizeof copy);
        int fd;
        unsigned events;
        unsigned long long data, epos, ino, sdev;
        if (sscanf(copy, "tfd: %d events: %x data: %llx pos:%llu ino:%llx sdev:%llx", &fd, &events,
                   &data, &epos, &ino, &sdev) == 6) {
            t->fd = fd;
            t->events = events;
            t->data = data;
            t->inode = ino;
            splitDev(sdev, &t->major, &t->minor);
            return 1;
        }
    }
    return 0;
}

int fdInotifyNext(const char *text, size_t len, size_t *pos, struct fd_inotify_watch *w)
{
    const char *line, *eol;
    while (nextLine(text, len, pos, &line, &eol)) {
        char copy[256];
        copyLine(line, eol, copy, sizeof copy);
        int wd;
        unsigned long long ino, sdev;
        unsigned mask, ignored;
        if (sscanf(copy, "inotify wd:%d ino:%llx sdev:%llx mask:%x ignored_mask:%x", &wd, &ino,
                   &sdev, &mask, &ignored) == 5) {
            w->wd = wd;
            w->inode = ino;
            splitDev(sdev, &w->major, &w->minor);
            w->mask = mask;
            w->ignoredMask = ignored;
            return 1;
        }
    }
    return 0;
}

int fdMqueueParse(const char *text, size_t len, struct fd_mqueue *q)
{
    char copy[256];
    size_t n = len < sizeof copy - 1 ? len : sizeof copy - 1;
    memcpy(copy, text, n);
    copy[n] = '\0';
    memset(q, 0, sizeof *q);
    return sscanf(copy, "QSIZE:%lld NOTIFY:%d SIGNO:%d NOTIFY_PID:%d", &q->size, &q->notify,
                  &q->signo, &q->notifyPid) == 4
               ? 0
               : -EINVAL;
}

/* Appends WORD to OUT (comma-separated), truncating at SIZE. */
static void appendWord(char *out, size_t size, size_t *used, const char *word)
{
    int n = snprintf(out + *used, size - *used, "%s%s", *used ? "," : "", word);
    if (n > 0) *used = *used + (size_t)n < size ? *used + (size_t)n : size - 1;
}

void fdSignalNames(unsigned long long mask, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (int sig = 1; sig <= 64; sig++) {
        if (!(mask >> (sig - 1) & 1)) continue;
        char word[24];
        const char *abbrev = sig < SIGRTMIN ? sigabbrev_np(sig) : NULL;
        if (abbrev)
            snprintf(word, sizeof word, "SIG%s", abbrev);
        else if (sig >= SIGRTMIN)
            snprintf(word, sizeof word, "SIGRTMIN+%d", sig - SIGRTMIN);
        else
            snprintf(word, sizeof word, "%d", sig);
        appendWord(out, size, &used, word);
    }
}

const char *fdClockName(int clockid)
{
    switch (clockid) {
    case 0: return "realtime";
    case 1: return "monotonic";
    case 7: return "boottime";
    case 8: return "realtime_alarm";
    case 9: return "boottime_alarm";
    default: return NULL;
    }
}

void fdSealNames(unsigned seals, char *out, size_t size)
{
    static const char *const names[] = {"seal", "shrink", "grow", "write", "future_write", "exec"};
    size_t used = 0;
    out[0] = '\0';
    for (unsigned i = 0; i < sizeof names / sizeof *names; i++)
        if (seals >> i & 1) appendWord(out, size, &used, names[i]);
}

int fdPacketSockType(const char *text, size_t len, unsigned long long inode)
{
    size_t pos = 0;
    const char *line, *eol;
    while (nextLine(text, len, &pos, &line, &eol)) {
        char copy[256];
        copyLine(line, eol, copy, sizeof copy);
        /* sk RefCnt Type Proto Iface R Rmem User Inode */
        unsigned long long sk, ino;
        int ref, type, iface, r, user;
        unsigned proto;
        unsigned long rmem;
        if (sscanf(copy, "%llx %d %d %x %d %d %lu %d %llu", &sk, &ref, &type, &proto, &iface, &r,
                   &rmem, &user, &ino) == 9 &&
            ino == inode)
            return type;
    }
    return -1;
}

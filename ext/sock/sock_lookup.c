#include "sock/sock_lookup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <netinet/in.h>
#include <linux/sockios.h>
#include <unistd.h>

#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif
#ifndef SO_BINDTOIFINDEX
#define SO_BINDTOIFINDEX 62
#endif

void sockLookupInit(struct sock_lookup *l, int procfd)
{
    l->procfd = procfd;
    l->pid = 0;
    l->pidfd = -1;
}

void sockLookupFree(struct sock_lookup *l)
{
    if (l->pidfd >= 0) close(l->pidfd);
    l->pidfd = -1;
    l->pid = 0;
}

/* A duplicate of PID's FD, or -errno (-EPERM without ptrace access, -EBADF, -ESRCH). */
static int borrowFd(struct sock_lookup *l, int pid, int fd)
{
    if (l->pid != pid) {
        sockLookupFree(l);
        int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (pidfd < 0) return -errno;
        l->pidfd = pidfd;
        l->pid = pid;
    }
    int dup = (int)syscall(SYS_pidfd_getfd, l->pidfd, fd, 0);
    return dup < 0 ? -errno : dup;
}

/* What the duplicate tells of the socket; the namespace as an open file (-1: unknown). */
struct sockFacts {
    int family, protocol;
    struct diag_id id;
    int nsfd;
    int haveUnixRow; /* unixRow holds what unix_diag would say but uid, queues and peer */
    struct diag_row unixRow;
};

static void readAddress(int fd, int peer, uint8_t *addr, uint16_t *port)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    memset(&ss, 0, sizeof ss);
    if ((peer ? getpeername(fd, (struct sockaddr *)&ss, &len)
              : getsockname(fd, (struct sockaddr *)&ss, &len)) != 0)
        return; /* not connected: the kernel's ID has zeros there too */
    if (ss.ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;
        memcpy(addr, &in->sin_addr, 4);
        *port = ntohs(in->sin_port);
    } else if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;
        memcpy(addr, &in6->sin6_addr, 16);
        *port = ntohs(in6->sin6_port);
    }
}

static int intOption(int fd, int name)
{
    int v = -1;
    socklen_t len = sizeof v;
    return getsockopt(fd, SOL_SOCKET, name, &v, &len) == 0 ? v : -1;
}

/*
** A unix stream or seqpacket socket as unix_diag shows it, from its duplicate alone: LISTEN
** (SO_ACCEPTCONN), ESTABLISHED while it has a peer (getpeername; the kernel keeps the peer of
** an other end that closed, and its state), else CLOSE; the name as getsockname gives it.
** Datagram sockets are left to sock_diag: connect() marks its target ESTABLISHED as well.
*/
static int readUnixRow(int dup, int type, const struct diag_id *id, struct diag_row *r)
{
    if (type != SOCK_STREAM && type != SOCK_SEQPACKET) return 0;
    struct sockaddr_un name, peer;
    socklen_t len = sizeof name, peerLen = sizeof peer;
    if (getsockname(dup, (struct sockaddr *)&name, &len) != 0 || len > sizeof name) return 0;
    memset(r, 0, sizeof *r);
    r->family = AF_UNIX;
    r->protocol = (uint16_t)type;
    r->inode = id->inode;
    r->cookie = id->cookie;
    if (intOption(dup, SO_ACCEPTCONN) == 1)
        r->state = 10; /* TCP_LISTEN */
    else
        r->state = getpeername(dup, (struct sockaddr *)&peer, &peerLen) == 0 ? 1 : 7;
    size_t n = len > offsetof(struct sockaddr_un, sun_path)
                   ? len - offsetof(struct sockaddr_un, sun_path)
                   : 0;
    if (n > 0) {
        memcpy(r->path, name.sun_path, n);
        r->pathLen = (uint8_t)n;
        r->has |= DIAG_HAS_PATH;
    }
    return 1;
}

static void readFacts(int dup, uint64_t inode, struct sockFacts *k)
{
    memset(k, 0, sizeof *k);
    k->family = intOption(dup, SO_DOMAIN);
    k->protocol = intOption(dup, SO_PROTOCOL);
    int type = intOption(dup, SO_TYPE);
    /* Raw sockets are dumped as IPPROTO_RAW whatever IP protocol they carry. */
    if ((k->family == AF_INET || k->family == AF_INET6) && type == SOCK_RAW)
        k->protocol = IPPROTO_RAW;
    k->id.inode = inode;
    socklen_t len = sizeof k->id.cookie;
    if (getsockopt(dup, SOL_SOCKET, SO_COOKIE, &k->id.cookie, &len) != 0) k->id.cookie = 0;
    if (k->family == AF_INET || k->family == AF_INET6) {
        readAddress(dup, 0, k->id.src, &k->id.sport);
        readAddress(dup, 1, k->id.dst, &k->id.dport);
        int ifindex = intOption(dup, SO_BINDTOIFINDEX);
        k->id.ifindex = ifindex > 0 ? (uint32_t)ifindex : 0;
    }
    if (k->family == AF_UNIX && k->id.cookie)
        k->haveUnixRow = readUnixRow(dup, type, &k->id, &k->unixRow);
    k->nsfd = ioctl(dup, SIOCGSKNS); /* needs CAP_NET_ADMIN: -1 without */
}

/* The socket kind that a system.sockprotoname word names ("TCPv6", "UNIX-STREAM", ...). */
static const struct {
    const char *name;
    int family, protocol;
} protoNames[] = {
    {"TCP", AF_INET, IPPROTO_TCP},
    {"TCPv6", AF_INET6, IPPROTO_TCP},
    {"UDP", AF_INET, IPPROTO_UDP},
    {"UDPv6", AF_INET6, IPPROTO_UDP},
    {"UDP-Lite", AF_INET, IPPROTO_UDPLITE},
    {"UDPLITEv6", AF_INET6, IPPROTO_UDPLITE},
    {"RAW", AF_INET, IPPROTO_RAW},
    {"RAWv6", AF_INET6, IPPROTO_RAW},
    {"SCTP", AF_INET, IPPROTO_SCTP},
    {"SCTPv6", AF_INET6, IPPROTO_SCTP},
    {"MPTCP", AF_INET, DIAG_PROTO_MPTCP},
    {"MPTCPv6", AF_INET6, DIAG_PROTO_MPTCP},
    {"UNIX", AF_UNIX, DIAG_ANY_PROTOCOL},
    {"UNIX-STREAM", AF_UNIX, DIAG_ANY_PROTOCOL},
    {"NETLINK", AF_NETLINK, DIAG_ANY_PROTOCOL},
    {"PACKET", AF_PACKET, DIAG_ANY_PROTOCOL},
};

/*
** Without a duplicate: the kind from the fd's sockprotoname, the namespace from the holder's.
** 0: facts filled; -1: the fd no longer holds INODE, or its kind cannot be told.
*/
static int readFactsFromProc(struct sock_lookup *l, int pid, int fd, uint64_t inode,
                             struct sockFacts *k)
{
    char path[64], name[32];
    struct stat st;
    snprintf(path, sizeof path, "%d/fd/%d", pid, fd);
    if (fstatat(l->procfd, path, &st, 0) != 0 || st.st_ino != inode) return -1;
    snprintf(path, sizeof path, "/proc/%d/fd/%d", pid, fd);
    ssize_t n = getxattr(path, "system.sockprotoname", name, sizeof name - 1);
    if (n <= 0) return -1;
    name[n] = '\0';
    memset(k, 0, sizeof *k);
    k->family = -1;
    for (size_t i = 0; i < sizeof protoNames / sizeof *protoNames; i++)
        if (strcmp(name, protoNames[i].name) == 0) {
            k->family = protoNames[i].family;
            k->protocol = protoNames[i].protocol;
        }
    if (k->family < 0) return -1;
    k->id.inode = inode;
    snprintf(path, sizeof path, "%d/ns/net", pid);
    k->nsfd = openat(l->procfd, path, O_RDONLY | O_CLOEXEC);
    return 0;
}

/* Keeps only the row of INODE among OUT's rows FROM.. (a dump of a whole protocol). */
static int keepInode(struct sock_rows *out, size_t from, uint64_t inode)
{
    size_t at = from;
    for (size_t i = from; i < out->n; i++)
        if (out->v[i].d.inode == inode) out->v[at++] = out->v[i];
    out->n = at;
    return at > from;
}

/* The sock_diag socket of the namespace NSFD opens, and its inode; -errno. */
static int namespaceSocket(struct sock_diag *s, int nsfd, uint64_t *netns)
{
    struct stat st;
    if (nsfd < 0 || fstat(nsfd, &st) != 0) return -ENOENT;
    *netns = st.st_ino;
    return sockDiagSocketAt(s, nsfd, st.st_ino);
}

/* The one-protocol dump, in every namespace but SKIP, until INODE turns up. */
static int dumpElsewhere(struct sock_lookup *l, struct sock_diag *s, const struct sockFacts *k,
                         uint64_t skip, struct sock_rows *out)
{
    struct netns_list ns = {0};
    int rc = netnsList(&ns, l->procfd, NULL);
    for (int i = 0; rc == 0 && i < ns.n; i++) {
        if (ns.v[i].ino == skip) continue;
        int fd = sockDiagSocket(s, &ns.v[i]);
        if (fd < 0) {
            if (!sockDiagSkippable(fd)) rc = fd;
            continue;
        }
        size_t from = out->n;
        rc = sockDumpProtocol(s, fd, ns.v[i].ino, k->family, k->protocol, -1, out);
        if (rc == 0 && keepInode(out, from, k->id.inode)) break;
    }
    netnsFree(&ns);
    return rc;
}

/*
** Finds the socket K describes: exactly where the kernel can, else by the one-protocol dump
** of its namespace (narrowed to its local port when known); SURE says the namespace is the
** socket's own (SIOCGSKNS), not only its holder's.
*/
static int findSocket(struct sock_lookup *l, struct sock_diag *s, const struct sockFacts *k,
                      int sure, struct sock_rows *out, enum sock_found *how)
{
    uint64_t netns = 0;
    int fd = namespaceSocket(s, k->nsfd, &netns);
    if (fd < 0) {
        if (!sockDiagSkippable(fd)) return fd;
        if (sure) return SOCK_LOOKUP_ANSWERED; /* a namespace we may not enter: no row */
    } else {
        size_t from = out->n;
        if (sure && k->id.cookie && diagCanAsk(k->family, k->protocol)) {
            int rc = sockAsk(s, fd, netns, k->family, k->protocol, &k->id, out);
            if (rc < 0 && rc != -ESTALE) return rc;
            if (out->n > from) {
                *how = SOCK_FOUND_EXACT;
                return SOCK_LOOKUP_ANSWERED;
            }
        }
        int inet = k->family == AF_INET || k->family == AF_INET6;
        int port = inet && k->id.sport ? k->id.sport : -1;
        int rc = sockDumpProtocol(s, fd, netns, k->family, k->protocol, port, out);
        if (rc < 0) return rc;
        *how = SOCK_FOUND_RESTRICTED;
        if (keepInode(out, from, k->id.inode) || sure) return SOCK_LOOKUP_ANSWERED;
    }
    /* Made before the holder moved to its namespace, or passed to it: look in the others. */
    int rc = dumpElsewhere(l, s, k, netns, out);
    return rc < 0 ? rc : SOCK_LOOKUP_ANSWERED;
}

/* Appends the unix row K read from the duplicate, in the namespace K->nsfd opens. */
static int directRow(const struct sockFacts *k, struct sock_rows *out, enum sock_found *how)
{
    struct stat st;
    if (fstat(k->nsfd, &st) != 0) return SOCK_LOOKUP_UNKNOWN;
    struct sock_row *slot = sockRowsPush(out);
    if (!slot) return -ENOMEM;
    *slot = (struct sock_row){.d = k->unixRow, .netns = st.st_ino};
    *how = SOCK_FOUND_DIRECT;
    return SOCK_LOOKUP_ANSWERED;
}

int sockLookupByHolder(struct sock_lookup *l, struct sock_diag *s, int pid, int fd, uint64_t inode,
                       struct sock_rows *out, enum sock_found *how)
{
    struct sockFacts k;
    *how = SOCK_FOUND_NONE;
    int sure = 0;
    int dup = borrowFd(l, pid, fd);
    if (dup >= 0) {
        struct stat st;
        int same = fstat(dup, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_ino == inode;
        if (same) readFacts(dup, inode, &k);
        close(dup); /* at once: the socket is never touched through it */
        if (!same) return SOCK_LOOKUP_UNKNOWN;
        sure = k.nsfd >= 0;
        if (!sure) {
            char path[64];
            snprintf(path, sizeof path, "%d/ns/net", pid);
            k.nsfd = openat(l->procfd, path, O_RDONLY | O_CLOEXEC);
        }
    } else if (dup != -EPERM && dup != -EACCES && dup != -ENOSYS) {
        return SOCK_LOOKUP_UNKNOWN; /* the fd or the process has gone */
    } else if (readFactsFromProc(l, pid, fd, inode, &k) != 0) {
        return SOCK_LOOKUP_UNKNOWN;
    }
    if (sockKindOf(k.family, k.protocol) < 0) {
        /* A family no dump lists (vsock, bluetooth, ...): no row, as in the full path. */
        if (k.nsfd >= 0) close(k.nsfd);
        return SOCK_LOOKUP_ANSWERED;
    }
    if (k.family == AF_UNIX || k.family == AF_PACKET) k.protocol = DIAG_ANY_PROTOCOL;
    /* A unix lookup costs the kernel a walk of the namespace's unix sockets: skip it when
     * the duplicate said all that the statement uses. */
    int rc = sure && k.haveUnixRow && !(s->need & SOCK_NEED_UNIX_DIAG) ? directRow(&k, out, how)
                                                                       : SOCK_LOOKUP_UNKNOWN;
    if (rc == SOCK_LOOKUP_UNKNOWN) rc = findSocket(l, s, &k, sure, out, how);
    if (k.nsfd >= 0) close(k.nsfd);
    return rc;
}

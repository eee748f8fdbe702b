/*
** The floor: the least work that answers each benchmark question, written as bare syscalls.
** `make bench` times it as a command, like every other answer, so the floor and sqlsof pay the
** same process start.
**
**     floor fds              pid and fd of every descriptor: readdir of each /proc/PID/fd
**     floor links            ... + readlink of each fd
**     floor inode            ... + stat of the targets whose link text has no inode (paths,
**                            anon inodes): pid, fd, inode
**     floor all              readlink + stat + one fdinfo read of each fd (what lsof's
**                            listing needs at least)
**     floor one PID FD       one fd: readlink + its fdinfo
**     floor listen           TCP listeners with owners: one sock_diag dump per network
**                            namespace, filtered to LISTEN by the kernel, + the fd walk
**     floor tcp              every TCP socket with owners: the same, all states
**     floor port PORT        TCP and UDP sockets with PORT at either end (kernel bytecode
**                            filter), with owners: what `lsof -i:PORT` covers
**
** Each prints one line per answer row on stdout. Namespaces: the dumps are made in every
** network namespace a process is in (as the sockets table does), by setns from this
** single-threaded program, one namespace after the other.
*/
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static char dents[1 << 16];
static char out[1 << 16];
static size_t outLen;

static void flushOut(void)
{
    if (outLen && write(1, out, outLen) < 0) exit(1);
    outLen = 0;
}

/* Appends a line; stdio would do, but this keeps the floor's own cost obvious. */
static void emit(const char *fmt, long a, long b, unsigned long long c)
{
    if (outLen + 64 > sizeof out) flushOut();
    outLen += (size_t)snprintf(out + outLen, 64, fmt, a, b, c);
}

static int isDigits(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9') return 0;
    return 1;
}

/* The inode of "socket:[123]" / "pipe:[9]" style link text, or 0. */
static unsigned long long linkInode(const char *text)
{
    const char *b = strstr(text, ":[");
    if (!b || text[0] == '/') return 0;
    return strtoull(b + 2, NULL, 10);
}

enum walk { WALK_FDS, WALK_LINKS, WALK_INODE, WALK_ALL, WALK_SOCKETS };

/* Socket inodes seen by the walk, with their owner; sorted after the walk. */
struct owner {
    unsigned long long inode;
    int pid, fd;
};
static struct owner *owners;
static size_t nowners, capOwners;

/* One netns inode per namespace, and a pid in it. */
static unsigned long long netns[4096];
static int netnsPid[4096];
static int nnetns;

static void addOwner(unsigned long long inode, int pid, int fd)
{
    if (nowners == capOwners) {
        capOwners = capOwners ? 2 * capOwners : 65536;
        owners = realloc(owners, capOwners * sizeof *owners);
        if (!owners) exit(1);
    }
    owners[nowners++] = (struct owner){inode, pid, fd};
}

static void noteNetns(int procfd, int pid)
{
    char path[64];
    struct stat st;
    snprintf(path, sizeof path, "%d/ns/net", pid);
    if (fstatat(procfd, path, &st, 0) != 0) return;
    for (int i = 0; i < nnetns; i++)
        if (netns[i] == st.st_ino) return;
    if (nnetns < 4096) {
        netns[nnetns] = st.st_ino;
        netnsPid[nnetns++] = pid;
    }
}

/* The walk over every fd of every process, doing what MODE needs per fd. */
static void walk(enum walk mode)
{
    int procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *proc = fdopendir(dup(procfd));
    struct dirent *de;
    char path[64], link[4096], info[4096];
    while ((de = readdir(proc)) != NULL) {
        if (!isDigits(de->d_name)) continue;
        int pid = atoi(de->d_name);
        if (mode == WALK_SOCKETS) noteNetns(procfd, pid);
        snprintf(path, sizeof path, "%d/fd", pid);
        int dfd = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0) continue;
        int infofd = -1;
        long n;
        while ((n = syscall(SYS_getdents64, dfd, dents, sizeof dents)) > 0) {
            for (long off = 0; off < n;) {
                struct dirent64 *d = (struct dirent64 *)(dents + off);
                off += d->d_reclen;
                if (d->d_name[0] == '.') continue;
                int fd = atoi(d->d_name);
                if (mode == WALK_FDS) {
                    emit("%ld %ld\n", pid, fd, 0);
                    continue;
                }
                ssize_t len = readlinkat(dfd, d->d_name, link, sizeof link - 1);
                if (len < 0) continue;
                link[len] = '\0';
                unsigned long long ino = linkInode(link);
                if (mode == WALK_SOCKETS) {
                    if (ino && strncmp(link, "socket:", 7) == 0) addOwner(ino, pid, fd);
                    continue;
                }
                struct stat st;
                if (mode == WALK_ALL || (mode == WALK_INODE && !ino)) {
                    if (fstatat(dfd, d->d_name, &st, 0) == 0) ino = st.st_ino;
                }
                if (mode == WALK_ALL) {
                    if (infofd < 0) {
                        snprintf(path, sizeof path, "%d/fdinfo", pid);
                        infofd = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                    }
                    int f = openat(infofd, d->d_name, O_RDONLY | O_CLOEXEC);
                    if (f >= 0) {
                        if (read(f, info, sizeof info) < 0) info[0] = '\0';
                        close(f);
                    }
                }
                emit("%ld %ld %llu\n", pid, fd, ino);
            }
        }
        if (infofd >= 0) close(infofd);
        close(dfd);
    }
    closedir(proc);
    close(procfd);
}

static int compareOwners(const void *a, const void *b)
{
    const struct owner *x = a, *y = b;
    return (x->inode > y->inode) - (x->inode < y->inode);
}

static const struct owner *findOwner(unsigned long long inode)
{
    struct owner key = {.inode = inode};
    return bsearch(&key, owners, nowners, sizeof *owners, compareOwners);
}

/* One inet_diag dump of FAMILY's PROTOCOL sockets in STATES (bytecode BC when given) in the
 * current namespace; prints each socket found in the owner map. */
static void dump(int family, int protocol, unsigned states, const void *bc, size_t bcLen)
{
    int s = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (s < 0) return;
    struct {
        struct nlmsghdr nlh;
        struct inet_diag_req_v2 req;
        struct nlattr attr;
        char bc[64]; /* room for a short bytecode */
    } msg;
    memset(&msg, 0, sizeof msg);
    msg.nlh.nlmsg_len = NLMSG_LENGTH(sizeof msg.req);
    msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    msg.req.sdiag_family = (unsigned char)family;
    msg.req.sdiag_protocol = (unsigned char)protocol;
    msg.req.idiag_states = states;
    if (bc) {
        msg.attr.nla_type = INET_DIAG_REQ_BYTECODE;
        msg.attr.nla_len = (unsigned short)(NLA_HDRLEN + bcLen);
        memcpy(msg.bc, bc, bcLen);
        msg.nlh.nlmsg_len += NLA_HDRLEN + (unsigned)bcLen;
    }
    if (send(s, &msg, msg.nlh.nlmsg_len, 0) < 0) {
        close(s);
        return;
    }
    static char buf[1 << 16];
    for (;;) {
        ssize_t n = recv(s, buf, sizeof buf, 0);
        if (n <= 0) break;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
             h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_type == NLMSG_ERROR && ((struct nlmsgerr *)NLMSG_DATA(h))->error)
                fprintf(stderr, "floor: sock_diag: %s\n",
                        strerror(-((struct nlmsgerr *)NLMSG_DATA(h))->error));
            if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
                close(s);
                return;
            }
            const struct inet_diag_msg *m = NLMSG_DATA(h);
            const struct owner *o = findOwner(m->idiag_inode);
            if (o) emit("%ld %ld %llu\n", o->pid, o->fd, ntohs(m->id.idiag_sport));
        }
    }
    close(s);
}

/* The dumps of every namespace that a process is in: TCP, and UDP too when withUdp. */
static void dumpAll(int withUdp, unsigned states, const void *bc, size_t bcLen)
{
    qsort(owners, nowners, sizeof *owners, compareOwners);
    for (int i = 0; i < nnetns; i++) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/ns/net", netnsPid[i]);
        int ns = open(path, O_RDONLY | O_CLOEXEC);
        if (ns < 0 || setns(ns, CLONE_NEWNET) != 0) {
            if (ns >= 0) close(ns);
            continue;
        }
        close(ns);
        dump(AF_INET, IPPROTO_TCP, states, bc, bcLen);
        dump(AF_INET6, IPPROTO_TCP, states, bc, bcLen);
        if (withUdp) {
            dump(AF_INET, IPPROTO_UDP, states, bc, bcLen);
            dump(AF_INET6, IPPROTO_UDP, states, bc, bcLen);
        }
    }
}

/* One fd of one process: its link and its fdinfo. */
static int one(const char *pid, const char *fd)
{
    char path[64], link[4096], info[4096];
    snprintf(path, sizeof path, "/proc/%s/fd/%s", pid, fd);
    ssize_t len = readlink(path, link, sizeof link - 1);
    if (len < 0) return 1;
    snprintf(path, sizeof path, "/proc/%s/fdinfo/%s", pid, fd);
    int f = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = f >= 0 ? read(f, info, sizeof info - 1) : -1;
    if (f >= 0) close(f);
    if (n < 0) return 1;
    printf("%.*s\n%.*s", (int)len, link, (int)n, info);
    return 0;
}

int main(int argc, char **argv)
{
    const char *q = argc > 1 ? argv[1] : "";
    int rc = 0;
    if (strcmp(q, "fds") == 0)
        walk(WALK_FDS);
    else if (strcmp(q, "links") == 0)
        walk(WALK_LINKS);
    else if (strcmp(q, "inode") == 0)
        walk(WALK_INODE);
    else if (strcmp(q, "all") == 0)
        walk(WALK_ALL);
    else if (strcmp(q, "one") == 0 && argc == 4)
        rc = one(argv[2], argv[3]);
    else if (strcmp(q, "listen") == 0) {
        walk(WALK_SOCKETS);
        dumpAll(0, 1u << TCP_LISTEN, NULL, 0);
    } else if (strcmp(q, "tcp") == 0) {
        walk(WALK_SOCKETS);
        dumpAll(0, ~0u, NULL, 0);
    } else if (strcmp(q, "port") == 0 && argc == 3) {
        /* sport == P → (a jump to the end) accept; else dport == P → accept; else jump past
         * the end: reject. The kernel checks that every "no" target lies on the "yes" path,
         * hence the JMP (which always takes "no") rather than a direct jump to the end. */
        unsigned short port = (unsigned short)atoi(argv[2]);
        struct inet_diag_bc_op bc[5] = {{INET_DIAG_BC_S_EQ, 8, 12},
                                        {0, 0, port},
                                        {INET_DIAG_BC_JMP, 4, 12},
                                        {INET_DIAG_BC_D_EQ, 8, 12},
                                        {0, 0, port}};
        walk(WALK_SOCKETS);
        dumpAll(1, ~0u, bc, sizeof bc);
    } else {
        fprintf(stderr, "usage: floor fds|links|inode|all|listen|tcp | one PID FD | port PORT\n");
        return 2;
    }
    flushOut();
    return rc;
}

#include "sock/sock_destroy.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/sock_diag.h>

#include "diag/diag.h"
#include "diag/diag_dump.h"
#include "proc/proc_parse.h"
#include "util/buf.h"

static int isUdp(const struct diag_row *d)
{
    return d->protocol == IPPROTO_UDP || d->protocol == IPPROTO_UDPLITE;
}

struct port_range {
    int low, high;
};

/* Run in the namespace: its ephemeral range (the sysctl answers for the reader's namespace). */
static int readPortRange(void *arg)
{
    struct port_range *r = arg;
    struct buf b = {0};
    int rc = bufReadFileAt(&b, AT_FDCWD, "/proc/sys/net/ipv4/ip_local_port_range");
    if (rc == 0) rc = procParsePortRange(b.data, b.len, &r->low, &r->high);
    bufFree(&b);
    return rc;
}

int sockDestroyCheck(const struct sock_row *row, const struct netns *ns, uint64_t self, int *low,
                     int *high)
{
    const struct diag_row *d = &row->d;
    if (d->family != AF_INET && d->family != AF_INET6) return SOCK_DESTROY_UNSUPPORTED;
    if (d->protocol == IPPROTO_TCP) return SOCK_DESTROY_OK;
    if (!isUdp(d)) return SOCK_DESTROY_UNSUPPORTED;
    struct port_range r;
    int rc = netnsRun(ns, self, readPortRange, &r);
    if (rc < 0) return rc;
    *low = r.low;
    *high = r.high;
    return d->sport >= r.low && d->sport <= r.high ? SOCK_DESTROY_EPHEMERAL : SOCK_DESTROY_OK;
}

/* The ID of the socket of row D for an exact request; SWAP: the two ends exchanged. */
static struct diag_id idOf(const struct diag_row *d, int swap)
{
    struct diag_id id = {.cookie = d->cookie, .inode = d->inode, .ifindex = d->ifindex};
    memcpy(id.src, swap ? d->dst : d->src, sizeof id.src);
    memcpy(id.dst, swap ? d->src : d->dst, sizeof id.dst);
    id.sport = swap ? d->dport : d->sport;
    id.dport = swap ? d->sport : d->dport;
    return id;
}

/* The exact request for ID (of row D's kind) into REQ: its length, or -errno. */
static int putRequest(char *req, size_t size, const struct diag_row *d, const struct diag_id *id,
                      uint32_t seq)
{
    struct diag_query q = {.family = d->family, .protocol = d->protocol, .states = ~0u, .id = id};
    return diagInetRequest(req, size, &q, seq);
}

static int countMessage(const void *msg, size_t len, void *ctx)
{
    (void)msg, (void)len;
    ++*(int *)ctx;
    return 0;
}

/*
** After SOCK_DESTROY found no such socket: -ENOENT when an exact lookup agrees (it went), or
** -EPROTO when the socket is still there (the kernel read the request otherwise), so a DELETE
** never counts a socket it did not close.
*/
static int stillThere(int fd, const struct diag_row *d)
{
    struct diag_id id = idOf(d, 0);
    char req[512];
    int len = putRequest(req, sizeof req, d, &id, 2), found = 0;
    char *buf = len < 0 ? NULL : malloc(DIAG_DUMP_BUFSIZE);
    if (!buf) return len < 0 ? len : -ENOMEM;
    int rc = diagDump(fd, req, (size_t)len, buf, countMessage, &found);
    free(buf);
    if (rc == -ESTALE) rc = 0; /* another socket on those ports now */
    return rc < 0 ? rc : found ? -EPROTO : -ENOENT;
}

/* Run in the namespace: SOCK_DESTROY for the row, on a sock_diag socket made there. */
static int destroyHere(void *arg)
{
    const struct diag_row *d = arg;
    /* UDP's destroy reads the ID as TCP does, local end first, unlike its exact lookup (which
     * diagInetRequest swaps for): swapped here, the request says local, remote. */
    struct diag_id id = idOf(d, isUdp(d));
    char req[512];
    int len = putRequest(req, sizeof req, d, &id, 1);
    if (len < 0) return len;
    ((struct nlmsghdr *)req)->nlmsg_type = SOCK_DESTROY;
    int fd = diagSocket();
    if (fd < 0) return fd;
    int rc = diagAck(fd, req, (size_t)len);
    if (rc == -ENOENT) rc = stillThere(fd, d);
    close(fd);
    return rc;
}

int sockDestroy(const struct sock_row *row, const struct netns *ns, uint64_t self)
{
    int rc = netnsRun(ns, self, destroyHere, (void *)&row->d);
    /* Closed meanwhile, or (another cookie on those ports) not the socket that was listed. */
    return rc == -ESTALE ? -ENOENT : rc;
}

int sockCanDestroy(void)
{
    struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &h, data) != 0) return -errno;
    return (data[CAP_NET_ADMIN / 32].effective >> (CAP_NET_ADMIN % 32)) & 1;
}

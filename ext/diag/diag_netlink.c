/*
** netlink_diag: AF_NETLINK sockets of every protocol. The kernel reports no owner; the queues
** are the memory in use (SK_MEMINFO_RMEM_ALLOC / WMEM_ALLOC), as ss shows them.
*/
#include "diag/diag.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink_diag.h>

int diagNetlinkRequest(void *buf, size_t size, const struct diag_query *q, uint32_t seq)
{
    struct netlink_diag_req *req = diagPutRequest(buf, size, sizeof *req, 0, seq);
    if (!req) return -ENOSPC;
    req->sdiag_family = AF_NETLINK;
    /* One protocol's sockets when the caller knows it (a lookup of one socket). */
    req->sdiag_protocol = q->protocol == DIAG_ANY_PROTOCOL ? NDIAG_PROTO_ALL : (uint8_t)q->protocol;
    req->ndiag_show = NDIAG_SHOW_MEMINFO;
    return (int)((struct nlmsghdr *)buf)->nlmsg_len;
}

static int netlinkAttr(const struct nlattr *attr, void *ctx)
{
    if (mnl_attr_get_type(attr) == NETLINK_DIAG_MEMINFO) return diagMeminfoQueues(attr, ctx);
    return 0;
}

int diagNetlinkParse(const void *buf, size_t len, struct diag_row *r)
{
    const struct netlink_diag_msg *m = diagPayload(buf, len, sizeof *m);
    if (!m || m->ndiag_family != AF_NETLINK) return -EINVAL;
    memset(r, 0, sizeof *r);
    r->family = AF_NETLINK;
    r->protocol = m->ndiag_protocol;
    r->state = m->ndiag_state; /* NETLINK_CONNECTED is 1, as TCP_ESTABLISHED */
    r->inode = m->ndiag_ino;
    r->cookie = diagCookie(m->ndiag_cookie);
    return diagEachAttr(buf, len, sizeof *m, netlinkAttr, r);
}

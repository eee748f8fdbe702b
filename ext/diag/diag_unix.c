/*
** unix_diag: AF_UNIX sockets. The name comes as bound (an abstract name starts with a NUL
** byte), the peer as its inode, the queues as UNIX_DIAG_RQLEN (for a listener: pending
** connections and backlog), the owner as UNIX_DIAG_UID (Linux 5.3).
*/
#include "diag/diag.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/unix_diag.h>

int diagUnixRequest(void *buf, size_t size, const struct diag_query *q, uint32_t seq)
{
    struct unix_diag_req *req = diagPutRequest(buf, size, sizeof *req, 0, seq);
    if (!req) return -ENOSPC;
    req->sdiag_family = AF_UNIX;
    req->udiag_states = q->states;
    req->udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN | UDIAG_SHOW_UID;
    if (q->id) {
        /* One socket by inode (unix_lookup_by_ino); the cookie makes a reused inode ESTALE. */
        diagMakeExact(buf);
        req->udiag_ino = (uint32_t)q->id->inode;
        diagPutCookie(req->udiag_cookie, q->id->cookie);
    }
    return (int)((struct nlmsghdr *)buf)->nlmsg_len;
}

static int unixAttr(const struct nlattr *attr, void *ctx)
{
    struct diag_row *r = ctx;
    size_t n = mnl_attr_get_payload_len(attr);
    switch (mnl_attr_get_type(attr)) {
    case UNIX_DIAG_NAME:
        if (n == 0 || n > sizeof r->path) return -EINVAL;
        memcpy(r->path, mnl_attr_get_payload(attr), n);
        r->pathLen = (uint8_t)n;
        r->has |= DIAG_HAS_PATH;
        break;
    case UNIX_DIAG_PEER: return diagAttrU32(attr, &r->peer, DIAG_HAS_PEER, r);
    case UNIX_DIAG_RQLEN: {
        struct unix_diag_rqlen q;
        if (n != sizeof q) return -EINVAL;
        memcpy(&q, mnl_attr_get_payload(attr), sizeof q);
        r->rqueue = q.udiag_rqueue;
        r->wqueue = q.udiag_wqueue;
        r->has |= DIAG_HAS_QUEUES;
        break;
    }
    case UNIX_DIAG_UID: return diagAttrU32(attr, &r->uid, DIAG_HAS_UID, r);
    }
    return 0;
}

int diagUnixParse(const void *buf, size_t len, struct diag_row *r)
{
    const struct unix_diag_msg *m = diagPayload(buf, len, sizeof *m);
    if (!m || m->udiag_family != AF_UNIX) return -EINVAL;
    memset(r, 0, sizeof *r);
    r->family = AF_UNIX;
    r->protocol = m->udiag_type;
    r->state = m->udiag_state;
    r->inode = m->udiag_ino;
    r->cookie = diagCookie(m->udiag_cookie);
    return diagEachAttr(buf, len, sizeof *m, unixAttr, r);
}

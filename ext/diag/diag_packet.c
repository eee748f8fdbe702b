/*
** packet_diag: AF_PACKET sockets. The protocol is the ethertype they receive (host order);
** the interface is the one they are bound to (PACKET_DIAG_INFO pdi_index, 0: any).
*/
#include "diag/diag.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/packet_diag.h>

int diagPacketRequest(void *buf, size_t size, const struct diag_query *q, uint32_t seq)
{
    (void)q;
    struct packet_diag_req *req = diagPutRequest(buf, size, sizeof *req, 0, seq);
    if (!req) return -ENOSPC;
    req->sdiag_family = AF_PACKET;
    req->pdiag_show = PACKET_SHOW_INFO | PACKET_SHOW_MEMINFO;
    return (int)((struct nlmsghdr *)buf)->nlmsg_len;
}

static int packetAttr(const struct nlattr *attr, void *ctx)
{
    struct diag_row *r = ctx;
    size_t n = mnl_attr_get_payload_len(attr);
    switch (mnl_attr_get_type(attr)) {
    case PACKET_DIAG_INFO: {
        struct packet_diag_info info;
        if (n < sizeof info) return -EINVAL;
        memcpy(&info, mnl_attr_get_payload(attr), sizeof info);
        r->ifindex = info.pdi_index;
        if (r->ifindex) r->has |= DIAG_HAS_IFINDEX;
        break;
    }
    case PACKET_DIAG_UID: return diagAttrU32(attr, &r->uid, DIAG_HAS_UID, r);
    case PACKET_DIAG_MEMINFO: return diagMeminfoQueues(attr, r);
    }
    return 0;
}

int diagPacketParse(const void *buf, size_t len, struct diag_row *r)
{
    const struct packet_diag_msg *m = diagPayload(buf, len, sizeof *m);
    if (!m || m->pdiag_family != AF_PACKET) return -EINVAL;
    memset(r, 0, sizeof *r);
    r->family = AF_PACKET;
    r->protocol = m->pdiag_num;
    r->inode = m->pdiag_ino;
    r->cookie = diagCookie(m->pdiag_cookie);
    return diagEachAttr(buf, len, sizeof *m, packetAttr, r);
}

/*
** inet_diag: TCP, UDP, UDP-Lite, raw, SCTP and MPTCP sockets of AF_INET / AF_INET6.
**
** Port filters go to the kernel as INET_DIAG_REQ_BYTECODE: id.idiag_sport/dport only select
** a socket in an exact lookup, a dump ignores them. For raw sockets the kernel's "port" is
** the IP protocol number. tcp_info and the congestion control name are asked for (idiag_ext)
** only when Q->tcpInfo says a statement uses them; MPTCP's INET_DIAG_INFO is mptcp_info,
** not tcp_info, so only TCP rows carry it.
*/
#include "diag.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/inet_diag.h>
#include <linux/tcp.h>

#define TCPINFO_MIN   (offsetof(struct tcp_info, tcpi_total_retrans) + 4)
#define TCPINFO_BYTES (offsetof(struct tcp_info, tcpi_bytes_received) + 8)

/*
** "port in SET" as bytecode, one test per port: S_EQ/D_EQ and the port, then (but for the
** last) a JMP past the block. The kernel's audit follows the `yes` chain, so every `no`
** target must be on it: a miss goes on to the next test, the last miss jumps past the end of
** the program (reject), and a hit reaches the JMP, whose `no` leaves the block.
*/
static size_t portBlockLen(int n)
{
    return n ? 12 * (size_t)(n - 1) + 8 : 0;
}

/* Writes the block at byte AT of the program PROG, TOTAL bytes long. Returns its length. */
static size_t putPortBlock(char *prog, size_t at, int code, const int64_t *ports, int n,
                           size_t total)
{
    size_t end = at + portBlockLen(n);
    for (int i = 0; i < n; i++) {
        int last = i == n - 1;
        struct inet_diag_bc_op test = {(unsigned char)code, 8,
                                       (unsigned short)(last ? total - at + 4 : 12)};
        struct inet_diag_bc_op port = {0, 0, (unsigned short)ports[i]};
        memcpy(prog + at, &test, 4);
        memcpy(prog + at + 4, &port, 4);
        at += 8;
        if (!last) {
            struct inet_diag_bc_op jmp = {INET_DIAG_BC_JMP, 4, (unsigned short)(end - at)};
            memcpy(prog + at, &jmp, 4);
            at += 4;
        }
    }
    return portBlockLen(n);
}

/* Ports outside 0..65535 match no socket; a set with none left matches nothing. */
static int usablePorts(const int64_t *ports, int n, int64_t *out)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        if (ports[i] >= 0 && ports[i] <= 65535) out[k++] = ports[i];
    return k;
}

/* Longer lists are filtered after the dump (a request must fit in a page). */
#define MAX_BC_PORTS 128

int diagInetRequest(void *buf, size_t size, const struct diag_query *q, uint32_t seq)
{
    int64_t sp[MAX_BC_PORTS], dp[MAX_BC_PORTS];
    int ns = 0, nd = 0;
    int bytecode =
        q->nsports + q->ndports > 0 && q->nsports <= MAX_BC_PORTS && q->ndports <= MAX_BC_PORTS;
    if (bytecode) {
        ns = usablePorts(q->sports, q->nsports, sp);
        nd = usablePorts(q->dports, q->ndports, dp);
        /* A pushed port set that no port can be in: the caller sends nothing. */
        if ((q->nsports && !ns) || (q->ndports && !nd)) return -ERANGE;
    }
    size_t bclen = portBlockLen(ns) + portBlockLen(nd);
    struct inet_diag_req_v2 *req =
        diagPutRequest(buf, size, sizeof *req, MNL_ATTR_HDRLEN + bclen + MNL_ATTR_HDRLEN + 4, seq);
    if (!req) return -ENOSPC;
    struct nlmsghdr *nlh = buf;
    req->sdiag_family = (uint8_t)q->family;
    req->sdiag_protocol = (uint8_t)(q->protocol == DIAG_PROTO_MPTCP ? IPPROTO_TCP : q->protocol);
    req->idiag_states = q->states;
    if (q->tcpInfo && q->protocol == IPPROTO_TCP)
        req->idiag_ext = (1 << (INET_DIAG_INFO - 1)) | (1 << (INET_DIAG_CONG - 1));
    if (q->protocol == DIAG_PROTO_MPTCP) {
        uint32_t proto = DIAG_PROTO_MPTCP;
        mnl_attr_put(nlh, INET_DIAG_REQ_PROTOCOL, sizeof proto, &proto);
    }
    if (bclen) {
        char prog[2 * 12 * MAX_BC_PORTS];
        size_t off = putPortBlock(prog, 0, INET_DIAG_BC_S_EQ, sp, ns, bclen);
        putPortBlock(prog, off, INET_DIAG_BC_D_EQ, dp, nd, bclen);
        mnl_attr_put(nlh, INET_DIAG_REQ_BYTECODE, bclen, prog);
    }
    return (int)nlh->nlmsg_len;
}

struct inetAttrs {
    struct diag_row *row;
    int protocol;
};

static int inetAttr(const struct nlattr *attr, void *ctx)
{
    struct inetAttrs *a = ctx;
    struct diag_row *r = a->row;
    switch (mnl_attr_get_type(attr)) {
    case INET_DIAG_INFO: {
        if (a->protocol != IPPROTO_TCP) break;
        size_t n = mnl_attr_get_payload_len(attr);
        if (n < TCPINFO_MIN) return -EINVAL;
        struct tcp_info ti;
        memset(&ti, 0, sizeof ti);
        memcpy(&ti, mnl_attr_get_payload(attr), n < sizeof ti ? n : sizeof ti);
        r->tcp.rtt = ti.tcpi_rtt;
        r->tcp.rttvar = ti.tcpi_rttvar;
        r->tcp.cwnd = ti.tcpi_snd_cwnd;
        r->tcp.ssthresh = ti.tcpi_snd_ssthresh;
        r->tcp.totalRetrans = ti.tcpi_total_retrans;
        r->has |= DIAG_HAS_TCPINFO;
        if (n >= TCPINFO_BYTES) {
            r->tcp.bytesAcked = ti.tcpi_bytes_acked;
            r->tcp.bytesReceived = ti.tcpi_bytes_received;
            r->has |= DIAG_HAS_TCPBYTES;
        }
        break;
    }
    case INET_DIAG_CONG:
        if (a->protocol != IPPROTO_TCP) break;
        if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0) return -EINVAL;
        snprintf(r->cong, sizeof r->cong, "%s", mnl_attr_get_str(attr));
        r->has |= DIAG_HAS_CONG;
        break;
    }
    return 0;
}

int diagInetParse(const void *buf, size_t len, int protocol, struct diag_row *r)
{
    const struct inet_diag_msg *m = diagPayload(buf, len, sizeof *m);
    if (!m || (m->idiag_family != AF_INET && m->idiag_family != AF_INET6)) return -EINVAL;
    memset(r, 0, sizeof *r);
    r->family = m->idiag_family;
    r->protocol = (uint16_t)protocol;
    r->state = m->idiag_state;
    r->sport = ntohs(m->id.idiag_sport);
    r->dport = ntohs(m->id.idiag_dport);
    size_t alen = r->family == AF_INET ? 4 : 16;
    memcpy(r->src, m->id.idiag_src, alen);
    memcpy(r->dst, m->id.idiag_dst, alen);
    r->ifindex = m->id.idiag_if;
    r->cookie = (uint64_t)m->id.idiag_cookie[0] | (uint64_t)m->id.idiag_cookie[1] << 32;
    r->inode = m->idiag_inode;
    r->rqueue = m->idiag_rqueue;
    r->wqueue = m->idiag_wqueue;
    r->uid = m->idiag_uid;
    r->has = DIAG_HAS_ADDR | DIAG_HAS_QUEUES;
    /*
    ** A timewait socket (TIME_WAIT, or FIN_WAIT2 with the timewait timer) and a request socket
    ** (SYN_RECV without an inode) have no owner: the kernel's 0 there would say root.
    */
    int timewait = r->state == 6 || (protocol == IPPROTO_TCP && m->idiag_timer == 3);
    int request = r->state == 12 || (r->state == 3 && r->inode == 0);
    if (!timewait && !request) r->has |= DIAG_HAS_UID;
    if (r->ifindex) r->has |= DIAG_HAS_IFINDEX;
    if (protocol == IPPROTO_TCP) {
        r->timer = m->idiag_timer;
        r->retrans = m->idiag_retrans;
        r->expires = m->idiag_expires;
        r->has |= DIAG_HAS_TIMER;
    }
    struct inetAttrs a = {r, protocol};
    return diagEachAttr(buf, len, sizeof *m, inetAttr, &a);
}

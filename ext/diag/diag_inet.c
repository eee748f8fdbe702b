/*
** inet_diag: TCP, UDP, UDP-Lite, raw, SCTP and MPTCP sockets of AF_INET / AF_INET6.
**
** Port filters go to the kernel as INET_DIAG_REQ_BYTECODE: id.idiag_sport/dport only select
** a socket in an exact lookup (a request without NLM_F_DUMP), a dump ignores them. An exact
** lookup of a SO_REUSEPORT listener or unconnected UDP socket may find a sibling of the
** group: the cookie in the request makes the kernel answer ESTALE then. For raw sockets the
** kernel's "port" is the IP protocol number. tcp_info and the congestion control name are asked
** for (idiag_ext) only when Q->tcpInfo says a statement uses them; MPTCP's INET_DIAG_INFO is mptcp_info,
** not tcp_info, so only TCP rows carry it.
**
** Family AF_UNSPEC asks for TCP of both families with the older TCPDIAG_GETSOCK request
** (struct inet_diag_req, as ss sends when no family is named): the kernel dumps it as
** AF_UNSPEC, so one walk of its global hash tables serves both, where the v2 request must name
** one family and walks them once per family.
*/
#include "diag/diag.h"

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
** Port tests as bytecode: each test is S_EQ or D_EQ and the port, then (but for the last) a
** JMP to the end of the block. The kernel's audit follows the `yes` chain, so every `no`
** target must be on it: a miss goes on to the next test, the last miss jumps past the end of
** the program (reject), and a hit reaches the JMP, whose `no` leaves the block. A block
** accepts a socket that passes any of its tests; blocks in a row must all accept.
*/
struct portTest {
    unsigned char code; /* INET_DIAG_BC_S_EQ / INET_DIAG_BC_D_EQ */
    unsigned short port;
};

static size_t blockLen(int n)
{
    return n ? 12 * (size_t)(n - 1) + 8 : 0;
}

/* Writes the block of tests T[0..N) at byte AT of PROG, TOTAL bytes long. Returns its end. */
static size_t putBlock(char *prog, size_t at, const struct portTest *t, int n, size_t total)
{
    size_t end = at + blockLen(n);
    for (int i = 0; i < n; i++) {
        int last = i == n - 1;
        struct inet_diag_bc_op test = {t[i].code, 8, (unsigned short)(last ? total - at + 4 : 12)};
        struct inet_diag_bc_op port = {0, 0, t[i].port};
        memcpy(prog + at, &test, 4);
        memcpy(prog + at + 4, &port, 4);
        at += 8;
        if (!last) {
            struct inet_diag_bc_op jmp = {INET_DIAG_BC_JMP, 4, (unsigned short)(end - at)};
            memcpy(prog + at, &jmp, 4);
            at += 4;
        }
    }
    return end;
}

/* Appends a test of CODE for each port of PORTS[0..N) in 0..65535 to T. Returns the count. */
static int addTests(struct portTest *t, int at, unsigned char code, const int64_t *ports, int n)
{
    for (int i = 0; i < n; i++)
        if (ports[i] >= 0 && ports[i] <= 65535)
            t[at++] = (struct portTest){code, (unsigned short)ports[i]};
    return at;
}

/* Longer lists are filtered after the dump (a request must fit in a page). */
#define MAX_BC_PORTS 128

/*
** The socket ID names, for inet_diag's exact lookup. TCP reads src as the local end; UDP's
** lookup takes them the other way round ("swapped for historical reasons", udp_diag.c).
*/
static void putId(struct inet_diag_req_v2 *req, const struct diag_id *id, int protocol)
{
    int swapped = protocol == IPPROTO_UDP || protocol == IPPROTO_UDPLITE;
    memcpy(swapped ? req->id.idiag_dst : req->id.idiag_src, id->src, 16);
    memcpy(swapped ? req->id.idiag_src : req->id.idiag_dst, id->dst, 16);
    req->id.idiag_sport = htons(swapped ? id->dport : id->sport);
    req->id.idiag_dport = htons(swapped ? id->sport : id->dport);
    req->id.idiag_if = id->ifindex;
    diagPutCookie(req->id.idiag_cookie, id->cookie);
}

static int exactRequest(void *buf, size_t size, const struct diag_query *q, uint32_t seq)
{
    struct inet_diag_req_v2 *req = diagPutRequest(buf, size, sizeof *req, 0, seq);
    if (!req) return -ENOSPC;
    diagMakeExact(buf);
    req->sdiag_family = (uint8_t)q->family;
    req->sdiag_protocol = (uint8_t)q->protocol;
    req->idiag_states = ~0u;
    if (q->tcpInfo && q->protocol == IPPROTO_TCP)
        req->idiag_ext = (1 << (INET_DIAG_INFO - 1)) | (1 << (INET_DIAG_CONG - 1));
    putId(req, q->id, q->protocol);
    return (int)((struct nlmsghdr *)buf)->nlmsg_len;
}

int diagInetRequest(void *buf, size_t size, const struct diag_query *q, uint32_t seq)
{
    if (q->id) return exactRequest(buf, size, q, seq);
    struct portTest t[2 * MAX_BC_PORTS];
    int ns = 0, nd = 0;
    int bytecode =
        q->nsports + q->ndports > 0 && q->nsports <= MAX_BC_PORTS && q->ndports <= MAX_BC_PORTS;
    if (bytecode) {
        ns = addTests(t, 0, INET_DIAG_BC_S_EQ, q->sports, q->nsports);
        nd = addTests(t, ns, INET_DIAG_BC_D_EQ, q->dports, q->ndports) - ns;
        /* A pushed port set that no port can be in: the caller sends nothing. */
        if (q->portsEither ? !ns && !nd : (q->nsports && !ns) || (q->ndports && !nd))
            return -ERANGE;
    }
    /* Either end (one block of every test), or both (a block per end). */
    size_t bclen = q->portsEither ? blockLen(ns + nd) : blockLen(ns) + blockLen(nd);
    size_t extra = MNL_ATTR_HDRLEN + bclen + MNL_ATTR_HDRLEN + 4;
    uint8_t ext = 0;
    if (q->tcpInfo && q->protocol == IPPROTO_TCP)
        ext = (1 << (INET_DIAG_INFO - 1)) | (1 << (INET_DIAG_CONG - 1));
    struct nlmsghdr *nlh = buf;
    if (q->family == AF_UNSPEC) {
        /* TCP of both families in one walk of the kernel's hash: the compat request. */
        if (q->protocol != IPPROTO_TCP) return -EAFNOSUPPORT;
        struct inet_diag_req *req = diagPutRequest(buf, size, sizeof *req, extra, seq);
        if (!req) return -ENOSPC;
        nlh->nlmsg_type = TCPDIAG_GETSOCK;
        req->idiag_states = q->states;
        req->idiag_ext = ext;
    } else {
        struct inet_diag_req_v2 *req = diagPutRequest(buf, size, sizeof *req, extra, seq);
        if (!req) return -ENOSPC;
        req->sdiag_family = (uint8_t)q->family;
        req->sdiag_protocol =
            (uint8_t)(q->protocol == DIAG_PROTO_MPTCP ? IPPROTO_TCP : q->protocol);
        req->idiag_states = q->states;
        req->idiag_ext = ext;
    }
    if (q->protocol == DIAG_PROTO_MPTCP) {
        uint32_t proto = DIAG_PROTO_MPTCP;
        mnl_attr_put(nlh, INET_DIAG_REQ_PROTOCOL, sizeof proto, &proto);
    }
    if (bclen) {
        char prog[24 * MAX_BC_PORTS];
        if (q->portsEither) {
            putBlock(prog, 0, t, ns + nd, bclen);
        } else {
            size_t off = putBlock(prog, 0, t, ns, bclen);
            putBlock(prog, off, t + ns, nd, bclen);
        }
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
        r->tcp.lastDataSent = ti.tcpi_last_data_sent;
        r->tcp.lastDataRecv = ti.tcpi_last_data_recv;
        r->tcp.lastAckRecv = ti.tcpi_last_ack_recv;
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
    r->cookie = diagCookie(m->id.idiag_cookie);
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

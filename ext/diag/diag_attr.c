/*
** What the sock_diag family files share: requests, bounds-checked attribute walking, cookies
** and the vocabulary (state and protocol names). The family table is diag.c.
*/
#include "diag/diag.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

void *diagPutRequest(void *buf, size_t size, size_t reqlen, size_t extra, uint32_t seq)
{
    size_t need = MNL_NLMSG_HDRLEN + MNL_ALIGN(reqlen) + extra;
    if (size < need) return NULL;
    memset(buf, 0, need);
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    nlh->nlmsg_seq = seq;
    return mnl_nlmsg_put_extra_header(nlh, reqlen);
}

const void *diagPayload(const void *buf, size_t len, size_t hdrlen)
{
    const struct nlmsghdr *nlh = buf;
    /* mnl_nlmsg_ok compares nlmsg_len as an int: one over 2^31 would pass (found by fuzzing). */
    if (len < sizeof *nlh || len > INT32_MAX || nlh->nlmsg_len > len ||
        !mnl_nlmsg_ok(nlh, (int)len))
        return NULL;
    if (mnl_nlmsg_get_payload_len(nlh) < hdrlen) return NULL;
    return mnl_nlmsg_get_payload(nlh);
}

int diagEachAttr(const void *buf, size_t len, size_t hdrlen,
                 int (*fn)(const struct nlattr *attr, void *ctx), void *ctx)
{
    const struct nlmsghdr *nlh = buf;
    if (!diagPayload(buf, len, hdrlen)) return -EINVAL;
    const char *end = (const char *)nlh + nlh->nlmsg_len;
    const struct nlattr *attr = mnl_nlmsg_get_payload_offset(nlh, hdrlen);
    /* The kernel pads every attribute; what is left after the last one is nothing. */
    while ((const char *)attr < end) {
        if (!mnl_attr_ok(attr, (int)(end - (const char *)attr))) return -EINVAL;
        int rc = fn(attr, ctx);
        if (rc) return rc;
        attr = mnl_attr_next(attr);
    }
    return 0;
}

uint64_t diagCookie(const uint32_t half[2])
{
    return (uint64_t)half[0] | (uint64_t)half[1] << 32;
}

void diagPutCookie(uint32_t half[2], uint64_t cookie)
{
    half[0] = (uint32_t)cookie;
    half[1] = (uint32_t)(cookie >> 32);
}

int diagAttrU32(const struct nlattr *attr, uint32_t *field, unsigned flag, struct diag_row *r)
{
    if (mnl_attr_get_payload_len(attr) != sizeof(uint32_t)) return -EINVAL;
    *field = mnl_attr_get_u32(attr);
    r->has |= flag;
    return 0;
}

/* SK_MEMINFO_* u32 array: read and write allocations are the first and third. */
int diagMeminfoQueues(const struct nlattr *attr, struct diag_row *r)
{
    size_t n = mnl_attr_get_payload_len(attr);
    if (n % 4 || n < (SK_MEMINFO_WMEM_ALLOC + 1) * 4) return -EINVAL;
    uint32_t mem[SK_MEMINFO_WMEM_ALLOC + 1];
    memcpy(mem, mnl_attr_get_payload(attr), sizeof mem);
    r->rqueue = mem[SK_MEMINFO_RMEM_ALLOC];
    r->wqueue = mem[SK_MEMINFO_WMEM_ALLOC];
    r->has |= DIAG_HAS_QUEUES;
    return 0;
}

/* Indexed by the kernel's TCP_* numbers (include/net/tcp_states.h). */
static const char *const tcpStates[] = {
    [1] = "ESTABLISHED", [2] = "SYN_SENT",  [3] = "SYN_RECV", [4] = "FIN_WAIT1",
    [5] = "FIN_WAIT2",   [6] = "TIME_WAIT", [7] = "CLOSE",    [8] = "CLOSE_WAIT",
    [9] = "LAST_ACK",    [10] = "LISTEN",   [11] = "CLOSING", [12] = "NEW_SYN_RECV",
    [13] = "CLOSE", /* TCP_BOUND_INACTIVE: a bound socket in TCP_CLOSE */
};

static int connectionOriented(int family, int protocol)
{
    return (family == AF_INET || family == AF_INET6) &&
           (protocol == IPPROTO_TCP || protocol == IPPROTO_SCTP || protocol == DIAG_PROTO_MPTCP);
}

const char *diagStateName(int family, int protocol, int state)
{
    if (family == AF_PACKET) return "IDLE";
    if (!connectionOriented(family, protocol) && (state == 0 || state == 7 || state == 13))
        return "IDLE";
    if (state > 0 && state < (int)(sizeof tcpStates / sizeof *tcpStates)) return tcpStates[state];
    return "UNKNOWN";
}

int diagReportedState(int state)
{
    return state == 12 ? 3 : state;
}

static const char *const netlinkNames[] = {
    "route",         "unused",   "usersock", "firewall",       "sock_diag",  "nflog",
    "xfrm",          "selinux",  "iscsi",    "audit",          "fib_lookup", "connector",
    "netfilter",     "ip6_fw",   "dnrtmsg",  "kobject_uevent", "generic",    NULL,
    "scsitransport", "ecryptfs", "rdma",     "crypto",         "smc",
};

const char *diagProtocolName(int family, int protocol, char *buf, size_t size)
{
    switch (family) {
    case AF_INET:
    case AF_INET6:
        switch (protocol) {
        case IPPROTO_TCP: return "tcp";
        case IPPROTO_UDP: return "udp";
        case IPPROTO_UDPLITE: return "udplite";
        case IPPROTO_RAW: return "raw";
        case IPPROTO_SCTP: return "sctp";
        case DIAG_PROTO_MPTCP: return "mptcp";
        }
        break;
    case AF_UNIX:
        switch (protocol) {
        case SOCK_STREAM: return "stream";
        case SOCK_DGRAM: return "dgram";
        case SOCK_SEQPACKET: return "seqpacket";
        }
        break;
    case AF_NETLINK:
        if (protocol >= 0 && protocol < (int)(sizeof netlinkNames / sizeof *netlinkNames) &&
            netlinkNames[protocol])
            return netlinkNames[protocol];
        break;
    case AF_PACKET:
        switch (protocol) {
        case 0x0003: return "all";
        case 0x0800: return "ip";
        case 0x0806: return "arp";
        case 0x86dd: return "ipv6";
        }
        snprintf(buf, size, "0x%04x", protocol);
        return buf;
    }
    snprintf(buf, size, "%d", protocol);
    return buf;
}

void diagMakeExact(void *buf)
{
    struct nlmsghdr *nlh = buf;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
}

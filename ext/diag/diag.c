/*
** The sock_diag families, one ops entry each (request builder and parser, in diag_*.c), picked
** by family; and what the kernel can look up exactly. The helpers they share are diag_attr.c.
*/
#include "diag/diag.h"

#include <errno.h>
#include <netinet/in.h>
#include <linux/netlink.h>
#include <sys/socket.h>

/* The unix, netlink and packet parsers take no protocol: the message says it. */
static int parseUnix(const void *buf, size_t len, int protocol, struct diag_row *r)
{
    (void)protocol;
    return diagUnixParse(buf, len, r);
}

static int parseNetlink(const void *buf, size_t len, int protocol, struct diag_row *r)
{
    (void)protocol;
    return diagNetlinkParse(buf, len, r);
}

static int parsePacket(const void *buf, size_t len, int protocol, struct diag_row *r)
{
    (void)protocol;
    return diagPacketParse(buf, len, r);
}

/* Each family's request builder and parser. */
static const struct {
    int family;
    int (*request)(void *buf, size_t size, const struct diag_query *q, uint32_t seq);
    int (*parse)(const void *buf, size_t len, int protocol, struct diag_row *r);
} families[] = {
    {AF_INET, diagInetRequest, diagInetParse},   {AF_INET6, diagInetRequest, diagInetParse},
    {AF_UNSPEC, diagInetRequest, diagInetParse}, /* TCP of both families (diag_inet.c) */
    {AF_UNIX, diagUnixRequest, parseUnix},       {AF_NETLINK, diagNetlinkRequest, parseNetlink},
    {AF_PACKET, diagPacketRequest, parsePacket},
};
#define NFAMILIES (sizeof families / sizeof *families)

int diagRequest(void *buf, size_t size, const struct diag_query *q, uint32_t seq)
{
    for (size_t i = 0; i < NFAMILIES; i++)
        if (families[i].family == q->family) return families[i].request(buf, size, q, seq);
    return -EAFNOSUPPORT;
}

int diagParse(int family, int protocol, const void *buf, size_t len, struct diag_row *row)
{
    for (size_t i = 0; i < NFAMILIES; i++)
        if (families[i].family == family) return families[i].parse(buf, len, protocol, row);
    return -EINVAL;
}

/*
** The kernel looks one socket up by its id for TCP (inet_diag_find_one_icsk), UDP and
** UDP-Lite (udp_dump_one) and unix (unix_lookup_by_ino); raw, SCTP, MPTCP, netlink and packet
** sockets are found by a dump.
*/
int diagCanAsk(int family, int protocol)
{
    if (family == AF_UNIX) return 1;
    if (family != AF_INET && family != AF_INET6) return 0;
    return protocol == IPPROTO_TCP || protocol == IPPROTO_UDP || protocol == IPPROTO_UDPLITE;
}

#include "fd/fd_sockproto.h"

#include <string.h>

/*
** The kernel's struct proto names of the inet families. The IPv6 ones are the same names with
** a "v6" suffix (TCPv6, UDPv6, RAWv6, PINGv6, SCTPv6, MPTCPv6, DCCPv6, L2TP/IPv6), except
** UDP-Lite, whose IPv6 proto is "UDPLITEv6".
*/
static const char *const inetNames[] = {"TCP",  "UDP",  "UDP-Lite", "UDPLITE", "RAW",
                                        "PING", "SCTP", "MPTCP",    "DCCP",    "L2TP/IP"};

static int isName(const char *name, size_t len, const char *want)
{
    return strlen(want) == len && memcmp(name, want, len) == 0;
}

static int isInet(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof inetNames / sizeof *inetNames; i++)
        if (isName(name, len, inetNames[i])) return 1;
    return 0;
}

const char *fdSockprotoType(const char *name, size_t len)
{
    while (len > 0 && name[len - 1] == '\0') len--; /* the attribute may count its NUL */
    if (len > 2 && memcmp(name + len - 2, "v6", 2) == 0 && isInet(name, len - 2)) return "IPv6";
    if (isInet(name, len)) return "IPv4";
    /* unix sockets are "UNIX" (dgram, and every type on older kernels), "UNIX-STREAM". */
    if (isName(name, len, "UNIX") || (len > 5 && memcmp(name, "UNIX-", 5) == 0)) return "unix";
    if (isName(name, len, "NETLINK")) return "netlink";
    if (isName(name, len, "PACKET")) return "pack";
    return "sock";
}

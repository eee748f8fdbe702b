#include "sock/sock_inuse.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util/buf.h"
#include "diag/diag.h"
#include "sock/sock_filter.h"

/* The kinds that a count can rule out, by their name in the file (struct proto's name). */
static const struct {
    const char *name;
    int family, protocol;
} counted[] = {
    {"UDP", AF_INET, IPPROTO_UDP},          {"UDPv6", AF_INET6, IPPROTO_UDP},
    {"UDP-Lite", AF_INET, IPPROTO_UDPLITE}, {"UDPLITEv6", AF_INET6, IPPROTO_UDPLITE},
    {"RAW", AF_INET, IPPROTO_RAW},          {"RAWv6", AF_INET6, IPPROTO_RAW},
    {"SCTP", AF_INET, IPPROTO_SCTP},        {"SCTPv6", AF_INET6, IPPROTO_SCTP},
    {"MPTCP", AF_INET, DIAG_PROTO_MPTCP},   {"MPTCPv6", AF_INET6, DIAG_PROTO_MPTCP},
};
#define NCOUNTED (sizeof counted / sizeof *counted)

/* The first field of the line at P (up to END) as a counted kind's index, or -1. */
static int countedAt(const char *p, const char *end)
{
    size_t n = 0;
    while (p + n < end && p[n] != ' ' && p[n] != '\n') n++;
    for (size_t i = 0; i < NCOUNTED; i++)
        if (strlen(counted[i].name) == n && memcmp(p, counted[i].name, n) == 0) return (int)i;
    return -1;
}

uint32_t sockInuseParse(const char *text, size_t len)
{
    const char *p = text, *end = text + len;
    if (len < 9 || memcmp(text, "protocol ", 9) != 0) return 0;
    /* Every counted kind starts empty; a line with a count above 0 takes it out. */
    int busy[NCOUNTED] = {0};
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL && ++p < end) {
        int i = countedAt(p, end);
        if (i < 0) continue;
        /* "NAME size sockets ...": skip two fields to the count. */
        const char *q = p;
        for (int field = 0; field < 2; field++) {
            while (q < end && *q != ' ' && *q != '\n') q++;
            while (q < end && *q == ' ') q++;
        }
        busy[i] = q >= end || *q != '0' || (q + 1 < end && q[1] != ' ');
    }
    uint32_t idle = 0;
    for (size_t i = 0; i < NCOUNTED; i++) {
        int kind = sockKindOf(counted[i].family, counted[i].protocol);
        if (!busy[i] && kind >= 0) idle |= 1u << kind;
    }
    return idle;
}

uint32_t sockInuseRead(void)
{
    struct buf b = {0};
    uint32_t idle = 0;
    if (bufReadFileAt(&b, AT_FDCWD, "/proc/thread-self/net/protocols") == 0)
        idle = sockInuseParse(b.data, b.len);
    bufFree(&b);
    return idle;
}

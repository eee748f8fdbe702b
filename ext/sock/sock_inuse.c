#include "sock/sock_inuse.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util/buf.h"
#include "diag/diag.h"

/* The kinds that a count rules out or proves, by their name in the file (struct proto's). */
static const struct {
    const char *name;
    int family, protocol;
} counted[] = {
    {"TCP", AF_INET, IPPROTO_TCP},          {"TCPv6", AF_INET6, IPPROTO_TCP},
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

/* The decimal at P (up to END) that a space or newline ends, or -1. */
static int64_t numberAt(const char *p, const char *end)
{
    int64_t v = 0;
    const char *start = p;
    for (; p < end && *p >= '0' && *p <= '9'; p++)
        if ((v = v * 10 + (*p - '0')) > UINT32_MAX) return -1;
    return p > start && p < end && (*p == ' ' || *p == '\n') ? v : -1;
}

/* P past N more space-separated fields of its line. */
static const char *skipFields(const char *p, const char *end, int n)
{
    for (; n > 0; n--) {
        while (p < end && *p != ' ' && *p != '\n') p++;
        while (p < end && *p == ' ') p++;
    }
    return p;
}

void sockCountsParse(const char *text, size_t len, struct sock_counts *c)
{
    const char *p = text, *end = text + len;
    c->known = 0;
    memset(c->n, 0, sizeof c->n);
    if (len < 9 || memcmp(text, "protocol ", 9) != 0) return;
    /* A protocol with no line has no socket; a line read takes its count, one cut short
     * leaves it unknown. */
    int64_t seen[NCOUNTED];
    for (size_t i = 0; i < NCOUNTED; i++) seen[i] = 0;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL && ++p < end) {
        int i = countedAt(p, end);
        if (i >= 0) seen[i] = numberAt(skipFields(p, end, 2), end); /* NAME size sockets */
    }
    for (size_t i = 0; i < NCOUNTED; i++) {
        int kind = sockKindOf(counted[i].family, counted[i].protocol);
        if (kind < 0 || seen[i] < 0) continue;
        c->known |= 1u << kind;
        c->n[kind] = (uint32_t)seen[i];
    }
}

int64_t sockCountsTimeWait(const char *text, size_t len)
{
    const char *p = text, *end = text + len;
    for (; p < end; p++) {
        if ((size_t)(end - p) > 5 && memcmp(p, "TCP: ", 5) == 0) {
            /* TCP: inuse N orphan N tw N */
            const char *q = skipFields(p, end, 5);
            if ((size_t)(end - q) < 3 || memcmp(q, "tw ", 3) != 0) return -1;
            return numberAt(q + 3, end);
        }
        if (!(p = memchr(p, '\n', (size_t)(end - p)))) break;
    }
    return -1;
}

void sockCountsRead(struct sock_counts *c, int dirfd, const char *dir)
{
    struct buf b = {0};
    char path[64];
    snprintf(path, sizeof path, "%s/protocols", dir);
    c->known = 0;
    if (bufReadFileAt(&b, dirfd, path) == 0) sockCountsParse(b.data, b.len, c);
    snprintf(path, sizeof path, "%s/sockstat", dir);
    c->timeWait = bufReadFileAt(&b, dirfd, path) == 0 ? sockCountsTimeWait(b.data, b.len) : -1;
    bufFree(&b);
}

uint32_t sockCountsIdle(const struct sock_counts *c)
{
    uint32_t idle = 0;
    for (int kind = 0; kind < SOCK_NKINDS; kind++) {
        /* TCP never is: a bound socket that neither listens nor connects is in no count. */
        if (!(c->known >> kind & 1) || c->n[kind] != 0 || sockKinds[kind].protocol == IPPROTO_TCP)
            continue;
        idle |= 1u << kind;
    }
    return idle;
}

#include "sock/sock_filter.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "util/buf.h"

const struct sock_kind sockKinds[SOCK_NKINDS] = {
    {AF_INET, IPPROTO_TCP},       {AF_INET6, IPPROTO_TCP},         {AF_INET, IPPROTO_UDP},
    {AF_INET6, IPPROTO_UDP},      {AF_INET, IPPROTO_UDPLITE},      {AF_INET6, IPPROTO_UDPLITE},
    {AF_INET, IPPROTO_RAW},       {AF_INET6, IPPROTO_RAW},         {AF_INET, IPPROTO_SCTP},
    {AF_INET6, IPPROTO_SCTP},     {AF_INET, DIAG_PROTO_MPTCP},     {AF_INET6, DIAG_PROTO_MPTCP},
    {AF_UNIX, DIAG_ANY_PROTOCOL}, {AF_NETLINK, DIAG_ANY_PROTOCOL}, {AF_PACKET, DIAG_ANY_PROTOCOL},
};

static int isInet(int family)
{
    return family == AF_INET || family == AF_INET6;
}

int sockKindOf(int family, int protocol)
{
    for (int k = 0; k < SOCK_NKINDS; k++)
        if (sockKinds[k].family == family && (!isInet(family) || sockKinds[k].protocol == protocol))
            return k;
    return -1;
}

static const char *const familyNames[] = {"inet", "inet6", "unix", "netlink", "packet"};
static const int familyNumbers[] = {AF_INET, AF_INET6, AF_UNIX, AF_NETLINK, AF_PACKET};

const char *sockFamilyName(int family)
{
    for (int i = 0; i < 5; i++)
        if (familyNumbers[i] == family) return familyNames[i];
    return "?";
}

static int wordsHas(const struct sock_words *w, const char *s)
{
    for (int i = 0; i < w->n; i++)
        if (strcmp(w->v[i], s) == 0) return 1;
    return 0;
}

int sockWordsAdd(struct sock_words *w, const char *s)
{
    size_t cap = (size_t)w->cap;
    char **more = arrayGrow(w->v, &cap, (size_t)w->n + 1, sizeof *more);
    if (!more) return -ENOMEM;
    w->v = more;
    w->cap = (int)cap;
    if (!(w->v[w->n] = strdup(s))) return -ENOMEM;
    w->n++;
    return 0;
}

static void wordsFree(struct sock_words *w)
{
    for (int i = 0; i < w->n; i++) free(w->v[i]);
    free(w->v);
    w->v = NULL;
    w->n = w->cap = 0;
}

void sockFilterFree(struct sock_filter *f)
{
    wordsFree(&f->states);
    wordsFree(&f->families);
    wordsFree(&f->protocols);
    keysetFree(&f->sports);
    keysetFree(&f->dports);
    keysetFree(&f->inodes);
    keysetFree(&f->netns);
    f->by = 0;
}

/*
** The states a socket of KIND can be in. UDP, UDP-Lite and raw sockets are TCP_CLOSE until a
** connect() makes them TCP_ESTABLISHED (and a disconnect TCP_CLOSE again): a dump of them for
** any other state would walk the whole hash table to find nothing.
*/
static uint32_t kindPossibleStates(int kind)
{
    int protocol = sockKinds[kind].protocol;
    if (!isInet(sockKinds[kind].family)) return ~0u;
    if (protocol == IPPROTO_UDP || protocol == IPPROTO_UDPLITE || protocol == IPPROTO_RAW)
        return 1u << TCP_ESTABLISHED | 1u << TCP_CLOSE;
    return ~0u;
}

/*
** The state bits that select the sockets whose word the filter names (SYN_RECV: bit
** TCP_NEW_SYN_RECV too, for request sockets, which this kernel adds itself but older ones may
** not); all when unfiltered.
*/
uint32_t sockKindStates(const struct sock_filter *f, int kind)
{
    if (!sockFilterHas(f, SOCK_BY_STATE)) return ~0u;
    int family = sockKinds[kind].family, protocol = sockKinds[kind].protocol;
    uint32_t mask = 0;
    for (int s = 0; s < 32; s++)
        if (wordsHas(&f->states, diagStateName(family, protocol, diagReportedState(s))))
            mask |= 1u << s;
    return mask & kindPossibleStates(kind);
}

static int isUnixWord(const char *w)
{
    return !strcmp(w, "stream") || !strcmp(w, "dgram") || !strcmp(w, "seqpacket");
}

static int isInetWord(const char *w)
{
    char buf[16];
    for (int k = 0; k < SOCK_NKINDS; k++)
        if (isInet(sockKinds[k].family) &&
            !strcmp(w,
                    diagProtocolName(sockKinds[k].family, sockKinds[k].protocol, buf, sizeof buf)))
            return 1;
    return 0;
}

/* Could dump KIND hold a row of one of the filter's protocol words? */
static int kindHasProtocol(const struct sock_filter *f, int kind)
{
    int family = sockKinds[kind].family;
    char buf[16];
    if (isInet(family))
        return wordsHas(&f->protocols,
                        diagProtocolName(family, sockKinds[kind].protocol, buf, sizeof buf));
    /* Unix words are three; netlink and packet words are any word that names no other kind. */
    for (int i = 0; i < f->protocols.n; i++) {
        const char *w = f->protocols.v[i];
        if (family == AF_UNIX ? isUnixWord(w) : !isUnixWord(w) && !isInetWord(w)) return 1;
    }
    return 0;
}

int sockKindNeeded(const struct sock_filter *f, int kind)
{
    int family = sockKinds[kind].family;
    if (sockFilterHas(f, SOCK_BY_FAMILY) && !wordsHas(&f->families, sockFamilyName(family)))
        return 0;
    if (sockFilterHas(f, SOCK_BY_PROTOCOL) && !kindHasProtocol(f, kind)) return 0;
    if ((sockFilterHas(f, SOCK_BY_SPORT) || sockFilterHas(f, SOCK_BY_DPORT)) && !isInet(family))
        return 0;
    return sockKindStates(f, kind) != 0;
}

int sockKindDumpFamily(const struct sock_filter *f, int kind)
{
    const struct sock_kind *k = &sockKinds[kind];
    if (!isInet(k->family) || k->protocol != IPPROTO_TCP) return k->family;
    int other = sockKindOf(k->family == AF_INET ? AF_INET6 : AF_INET, IPPROTO_TCP);
    if (f && !sockKindNeeded(f, other)) return k->family;
    return other < kind ? -1 : AF_UNSPEC;
}

int sockRowMatches(const struct sock_filter *f, const struct sock_row *r)
{
    const struct diag_row *d = &r->d;
    char buf[16];
    if (sockFilterHas(f, SOCK_BY_STATE) &&
        !wordsHas(&f->states, diagStateName(d->family, d->protocol, d->state)))
        return 0;
    if (sockFilterHas(f, SOCK_BY_FAMILY) && !wordsHas(&f->families, sockFamilyName(d->family)))
        return 0;
    if (sockFilterHas(f, SOCK_BY_PROTOCOL) &&
        !wordsHas(&f->protocols, diagProtocolName(d->family, d->protocol, buf, sizeof buf)))
        return 0;
    int addr = (d->has & DIAG_HAS_ADDR) != 0;
    if (sockFilterHas(f, SOCK_BY_SPORT) && !(addr && keysetHas(&f->sports, d->sport))) return 0;
    if (sockFilterHas(f, SOCK_BY_DPORT) && !(addr && keysetHas(&f->dports, d->dport))) return 0;
    if (sockFilterHas(f, SOCK_BY_INODE) && !keysetHas(&f->inodes, (int64_t)d->inode)) return 0;
    if (sockFilterHas(f, SOCK_BY_NETNS) && !keysetHas(&f->netns, (int64_t)r->netns)) return 0;
    return 1;
}

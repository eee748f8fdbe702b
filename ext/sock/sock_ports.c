#include "sock/sock_ports.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

int sockPortsJoin(struct sock_ports *p)
{
    if (!p->filled) return 0;
    p->users++;
    return 1;
}

void sockPortsFree(struct sock_ports *p)
{
    keysetFree(&p->ports);
    sockFilterFree(&p->filter);
    sockRowsFree(&p->rows);
    p->filled = 0;
    p->users = 0;
}

void sockPortsLeave(struct sock_ports *p)
{
    if (--p->users <= 0) sockPortsFree(p);
}

static int sameWords(const struct sock_words *a, const struct sock_words *b)
{
    if (a->n != b->n) return 0;
    for (int i = 0; i < a->n; i++)
        if (strcmp(a->v[i], b->v[i])) return 0;
    return 1;
}

static int sameKeys(const struct keyset *a, const struct keyset *b)
{
    return a->n == b->n && (a->n == 0 || !memcmp(a->v, b->v, (size_t)a->n * sizeof *a->v));
}

int sockPortsAnswer(const struct sock_ports *kept, int need, const struct sock_filter *f)
{
    const struct sock_filter *p = &kept->filter;
    unsigned ports = 1u << SOCK_BY_SPORT | 1u << SOCK_BY_DPORT;
    if (!kept->filled || (need & ~kept->need) || (f->by & ~ports) != p->by ||
        !sameWords(&f->states, &p->states) || !sameWords(&f->families, &p->families) ||
        !sameWords(&f->protocols, &p->protocols) || !sameKeys(&f->netns, &p->netns))
        return 0;
    for (int i = 0; i < f->sports.n; i++)
        if (!keysetHas(&kept->ports, f->sports.v[i])) return 0;
    for (int i = 0; i < f->dports.n; i++)
        if (!keysetHas(&kept->ports, f->dports.v[i])) return 0;
    return 1;
}

/* Copies F without its ports into KEPT's filter, and the ports into KEPT's set. */
static int keepFilter(struct sock_ports *kept, const struct sock_filter *f)
{
    struct sock_filter *p = &kept->filter;
    sockFilterFree(p);
    keysetClear(&kept->ports);
    kept->rows.n = 0;
    kept->filled = 0;
    p->by = f->by & ~(1u << SOCK_BY_SPORT | 1u << SOCK_BY_DPORT);
    int rc = 0;
    for (int i = 0; rc == 0 && i < f->states.n; i++) rc = sockWordsAdd(&p->states, f->states.v[i]);
    for (int i = 0; rc == 0 && i < f->families.n; i++)
        rc = sockWordsAdd(&p->families, f->families.v[i]);
    for (int i = 0; rc == 0 && i < f->protocols.n; i++)
        rc = sockWordsAdd(&p->protocols, f->protocols.v[i]);
    for (int i = 0; rc == 0 && i < f->netns.n; i++) rc = keysetAdd(&p->netns, f->netns.v[i]);
    for (int i = 0; rc == 0 && i < f->sports.n; i++) rc = keysetAdd(&kept->ports, f->sports.v[i]);
    for (int i = 0; rc == 0 && i < f->dports.n; i++) rc = keysetAdd(&kept->ports, f->dports.v[i]);
    keysetSeal(&p->netns);
    keysetSeal(&kept->ports);
    return rc;
}

int sockPortsDump(struct sock_ports *kept, struct sock_diag *s, int procfd,
                  const struct sock_filter *f, int *failedKind)
{
    *failedKind = -1;
    if (keepFilter(kept, f) < 0) return -ENOMEM;
    const struct sock_filter *p = &kept->filter;
    struct sock_scan sc = {0};
    int rc = sockScanStart(&sc, procfd, sockFilterHas(p, SOCK_BY_NETNS) ? &p->netns : NULL);
    for (int i = 0; rc == 0 && i < sc.ns.n; i++) {
        int fd = sockDiagSocket(s, &sc.ns.v[i]);
        if (fd < 0) {
            if (!sockDiagSkippable(fd)) rc = fd;
            continue;
        }
        for (int k = 0; rc == 0 && k < SOCK_NKINDS; k++) {
            int family = sockKinds[k].family;
            if ((family != AF_INET && family != AF_INET6) || !sockKindNeeded(p, k)) continue;
            if ((family = sockKindDumpFamily(p, k)) < 0) continue; /* answered with inet's */
            if (sockKindIdle(s, sc.ns.v[i].ino, family, k)) continue;
            struct diag_query q = {
                .family = family,
                .protocol = sockKinds[k].protocol,
                .states = sockKindStates(p, k),
                .sports = kept->ports.v,
                .nsports = kept->ports.n,
                .dports = kept->ports.v,
                .ndports = kept->ports.n,
                .portsEither = 1,
            };
            rc = sockQuery(s, fd, sc.ns.v[i].ino, &q, p, &kept->rows);
            if (rc < 0) *failedKind = k;
        }
    }
    sockScanFree(&sc);
    if (rc < 0) return rc;
    kept->filled = 1;
    kept->need = s->need;
    return 0;
}

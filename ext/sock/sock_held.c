#include "sock/sock_held.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "sock/sock_filter.h"
#include "sock/sock_inuse.h"

#define TCP_CLOSE_STATE 7 /* TCP_CLOSE: unhashed, or bound and inactive */

/* Whether fds_sock describes sockets of K: TCP, UDP and UDP-Lite of both families. */
static int described(const struct fds_bpf_sock *k)
{
    return (k->family == AF_INET || k->family == AF_INET6) &&
           (k->protocol == IPPROTO_TCP || k->protocol == IPPROTO_UDP ||
            k->protocol == IPPROTO_UDPLITE);
}

/* Whether the namespace's count includes D's socket: hashed, not just bound. */
static int inCount(const struct diag_row *d)
{
    return d->protocol == IPPROTO_TCP ? d->state != TCP_CLOSE_STATE : d->sport != 0;
}

/* The sockets of namespace NETNS that process PID holds, of the described kinds, onto OUT;
 * their listeners' request sockets onto *REQUESTS. 0, or -errno (the walk failed). */
static int readProcess(struct fd_bpf_cache *bpf, int pid, uint64_t netns, struct sock_rows *out,
                       uint64_t *requests)
{
    struct fd_bpf_iter it = {0};
    struct fd_bpf_row row;
    int rc = fdBpfCacheStartTask(bpf, pid, &it);
    while (rc == 0 && (rc = fdBpfIterNext(&it, &row)) == 1) {
        rc = 0;
        const struct fds_bpf_sock *k = &row.sock;
        if (!(row.rec.flags & FDS_BPF_SOCKFIELDS) || k->netns != netns || !described(k) ||
            !sockFieldsListed(k))
            continue;
        struct sock_row *slot = sockRowsPush(out);
        if (!slot) {
            rc = -ENOMEM;
            break;
        }
        sockRowFromFields(slot, row.rec.inode, k, row.path, row.rec.pathLen);
        *requests += k->requests;
    }
    fdBpfIterStop(&it);
    return rc;
}

/* Whether PID is still in namespace INO (a pid is reused when its process exits). */
static int stillIn(int procfd, int pid, uint64_t ino)
{
    char name[32];
    struct stat st;
    snprintf(name, sizeof name, "%d/ns/net", pid);
    return fstatat(procfd, name, &st, 0) == 0 && st.st_ino == ino;
}

/* The kinds whose counts, BEFORE and AFTER, equal the sockets in ROWS. */
static uint32_t provedKinds(const struct sock_counts *before, const struct sock_counts *after,
                            const struct sock_rows *rows, uint64_t requests)
{
    uint32_t held[SOCK_NKINDS] = {0}, proved = 0;
    for (size_t i = 0; i < rows->n; i++) {
        const struct diag_row *d = &rows->v[i].d;
        if (inCount(d)) held[sockKindOf(d->family, d->protocol)]++;
    }
    int tcpClear = before->timeWait == 0 && after->timeWait == 0 && requests == 0;
    for (int kind = 0; kind < SOCK_NKINDS; kind++) {
        if (!(before->known & after->known & 1u << kind)) continue;
        if (before->n[kind] != held[kind] || after->n[kind] != held[kind]) continue;
        if (sockKinds[kind].protocol == IPPROTO_TCP && !tcpClear) continue;
        proved |= 1u << kind;
    }
    return proved;
}

int sockHeldRead(struct sock_held *h, struct fd_bpf_cache *bpf, int procfd, const struct netns *ns)
{
    h->rows.n = 0;
    h->proved = 0;
    if (ns->nprocs < 1 || ns->nprocs > NETNS_FEW_PROCS || !fdBpfCacheUsable(bpf)) return 0;
    struct sock_counts before, after;
    char dir[32];
    int pid = ns->pids[0];
    snprintf(dir, sizeof dir, "%d/net", pid);
    sockCountsRead(&before, procfd, dir);
    uint64_t requests = 0;
    for (int i = 0; i < ns->nprocs; i++) {
        int rc = readProcess(bpf, ns->pids[i], ns->ino, &h->rows, &requests);
        if (rc == -ENOMEM) return rc;
        if (rc < 0 && rc != -ESRCH && rc != -ENOENT) return 0; /* an exited process held nothing */
    }
    sockCountsRead(&after, procfd, dir);
    if (!stillIn(procfd, pid, ns->ino)) return 0;
    sockRowsDedupe(&h->rows, 0); /* a socket held by two descriptors is one */
    h->proved = provedKinds(&before, &after, &h->rows, requests);
    return 0;
}

void sockHeldFree(struct sock_held *h)
{
    sockRowsFree(&h->rows);
    h->proved = 0;
}

/*
** The sock_diag side of a `sockets` cursor: one socket per namespace entered (kept for the
** statement), dumps of one kind into rows, exact requests for one socket, and the scans built
** on them — the streaming scan of every namespace a filter needs, and the whole-host map that
** inode lookups fall back to. No SQLite here; errors are -errno.
*/
#ifndef SQLSOF_SOCK_DUMP_H
#define SQLSOF_SOCK_DUMP_H

#include <stdint.h>

#include "fd/fd_bpf.h"
#include "sock/netns.h"
#include "sock/sock_filter.h"
#include "sock/sock_held.h"
#include "sock/sock_row.h"

/* Columns that cost the kernel extra work, asked for only when used. SOCK_NEED_UNIX_DIAG: a
 * unix column that only sock_diag knows (uid, queues, peer_inode). */
enum { SOCK_NEED_TCPINFO = 1, SOCK_NEED_IFNAME = 2, SOCK_NEED_UNIX_DIAG = 4 };

struct sock_nsfd {
    uint64_t ino;
    int fd;
    uint32_t idle;         /* the kinds (1 << kind) that have no socket there: dumps skipped */
    int heldRead;          /* held is read (the first dump there with sock_diag's bpf set) */
    struct sock_held held; /* the sockets its processes hold, and the kinds they are all of */
};

struct sock_diag {
    char *rxbuf; /* DIAG_DUMP_BUFSIZE */
    uint32_t seq;
    int need;               /* SOCK_NEED_* */
    uint64_t self;          /* the caller's namespace */
    struct sock_nsfd *open; /* the sock_diag socket of each namespace entered */
    int nopen, capOpen;
    int procfd;
    /* Set by the table when a scan may answer a dump from the holders' descriptors
     * (sock_held.h): the statement uses only the columns their fields give. */
    struct fd_bpf_cache *bpf;
    uint64_t heldRows; /* rows so answered, for the table's counters */
};

/* 0, or -errno (-ENOMEM, or the own namespace unreadable through PROCFD). */
int sockDiagInit(struct sock_diag *s, int procfd);
void sockDiagFree(struct sock_diag *s);

/*
** The sock_diag socket of namespace NS, opened on first use (another namespace through
** netns.c's helper thread). -EPERM / -EACCES / -ENOENT / -ESRCH / -ESTALE / -EINVAL say the
** namespace cannot be entered or is gone: sockDiagSkippable() tells those from failures.
*/
int sockDiagSocket(struct sock_diag *s, const struct netns *ns);
/* ... of the namespace NSFD opens, whose inode is INO. */
int sockDiagSocketAt(struct sock_diag *s, int nsfd, uint64_t ino);
int sockDiagSkippable(int err);
/* What sockDiagSocket() returns when the namespace was entered but the kernel refused the
 * NETLINK_SOCK_DIAG socket itself (EACCES or EPERM from socket(2): seccomp, an LSM): not a
 * namespace to skip, but every dump failing; not an errno (sockDiagError() says it). */
#define SOCK_DIAG_REFUSED (-4096)
/* strerror() of -ERR, or what SOCK_DIAG_REFUSED means. */
const char *sockDiagError(int err);
/* Whether namespace NETNS (its socket made) has no socket of KIND, the dump of FAMILY
 * (sockKindDumpFamily), by its counts (sock_inuse.h): its dump is skipped. */
int sockKindIdle(const struct sock_diag *s, uint64_t netns, int family, int kind);

/*
** Appends the rows of dump KIND of namespace NS (sock_diag socket FD) that F keeps (F NULL:
** every row): from its holders' descriptors when their counts prove them all (s->bpf set).
*/
int sockDump(struct sock_diag *s, int fd, const struct netns *ns, int kind,
             const struct sock_filter *f, struct sock_rows *out);

/* Sends Q on FD (namespace NETNS) and appends the rows that F keeps (NULL: all); a dump the
 * kernel interrupted (NLM_F_DUMP_INTR) is sent again, a few times. */
int sockQuery(struct sock_diag *s, int fd, uint64_t netns, struct diag_query *q,
              const struct sock_filter *f, struct sock_rows *out);

/* Appends every socket of FAMILY/PROTOCOL in namespace NETNS (SPORT >= 0: with that local
 * port), unfiltered: the dump a lookup falls back to. */
int sockDumpProtocol(struct sock_diag *s, int fd, uint64_t netns, int family, int protocol,
                     int sport, struct sock_rows *out);

/*
** Asks for the one socket ID of FAMILY/PROTOCOL (diagCanAsk) and appends its row when the
** kernel has it. 0 (found or not), -ESTALE (the ID names another socket now: a SO_REUSEPORT
** sibling answered), or -errno.
*/
int sockAsk(struct sock_diag *s, int fd, uint64_t netns, int family, int protocol,
            const struct diag_id *id, struct sock_rows *out);

/* A streaming scan: namespace by namespace, one kind's dump at a time. */
struct sock_scan {
    struct netns_list ns;
    int nsAt, kindAt, fd;
    int failedKind; /* after an error: the kind whose dump failed, or -1 */
};

/* Lists the namespaces to scan (ONLY: just those). */
int sockScanStart(struct sock_scan *sc, int procfd, const struct keyset *only);
/* Replaces ROWS with the next dump F needs that has rows; *EOF when none is left. */
int sockScanNext(struct sock_scan *sc, struct sock_diag *s, const struct sock_filter *f,
                 struct sock_rows *rows, int *eof);
void sockScanFree(struct sock_scan *sc);

/* Every socket of every namespace into MAP, sorted by inode (*FAILED_KIND as in a scan). */
int sockMapBuild(struct sock_diag *s, int procfd, struct sock_rows *map, int *failedKind);

#endif

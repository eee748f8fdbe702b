#include "fd/fd_scan.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fd/fd_info.h"

void fdScanInit(struct fd_scan *s, int procfd)
{
    fdsWalkInit(&s->walk, procfd);
    fdRowInit(&s->row, procfd);
    s->row.need = FD_NEED_LINK;
}

int fdScanStart(struct fd_scan *s, const struct keyset *pids, const struct keyset *fds)
{
    fdsWalkStop(&s->walk);
    fdRowEndProcess(&s->row);
    return fdsWalkStartProc(&s->walk, pids, fds, NULL,
                            0); /* /proc only: the link is all it reads */
}

int fdScanNext(struct fd_scan *s)
{
    for (;;) {
        int rc = fdsWalkNextProc(&s->walk, &s->row);
        if (rc <= 0) return rc;
        if (s->row.nomem) return -ENOMEM;
        if (s->row.haveLink) return 1; /* else a link we may not read: nothing to tell */
    }
}

int fdScanInfo(struct fd_scan *s, struct buf *b)
{
    char name[48];
    snprintf(name, sizeof name, "%d/fdinfo/%d", s->row.pid, s->row.fd);
    return fdInfoRead(b, s->row.procfd, name);
}

void fdScanPath(const struct fd_scan *s, char *out, size_t size)
{
    snprintf(out, size, "/proc/%d/fd/%d", s->row.pid, s->row.fd);
}

void fdScanFree(struct fd_scan *s)
{
    fdsWalkFree(&s->walk);
    fdRowFree(&s->row);
}

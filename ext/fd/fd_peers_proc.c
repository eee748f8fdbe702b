/*
** The /proc source of fd_peers.h: the fds table's walk (fd_scan.h) with a readlink per
** descriptor; a pipe, socket or pty slave is keyed by its link text alone, an eventfd and a pty
** master by their fdinfo (only when such a key is asked), a named FIFO or message queue by a
** stat (only when one is asked); the flags of what matched from its fdinfo.
*/
#include "fd/fd_peers.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fd/fd_info.h"
#include "fd/fd_kind.h"
#include "fd/fd_scan.h"

/* What a pass is asked for: the EP_WANT_* chases, and whether a path must be stat'ed. */
struct want {
    unsigned chase;
    int paths; /* a FIFO or queue key is asked: paths are stat'ed */
};

/* The kernel's encoding of a device number, as BPF records carry it. */
static __u32 kernelDev(dev_t d)
{
    return (__u32)(major(d) << 20 | minor(d));
}

/* The id fdinfo gives a file of KIND (an eventfd's id, a pty master's index), read into INFO. */
static int fdinfoId(struct fd_scan *s, enum fd_kind kind, struct buf *info, __u64 *id)
{
    struct fd_details d;
    memset(&d, 0, sizeof d);
    if (fdScanInfo(s, info) != 0 || fdDetailsParse(kind, info->data, info->len, &d) != 0 ||
        !(d.has & FD_HAS_ID))
        return 0;
    *id = (__u64)d.id;
    return 1;
}

/* The key of the scan's current fd into R (its inode too): 1, or 0 when it has none asked. */
static int keyOfRow(struct fd_scan *s, const struct want *w, struct buf *info, struct ep_record *r)
{
    struct fd_row *row = &s->row;
    const char *text = row->link.data;
    size_t len = row->link.len;
    struct ep_key *k = &r->key;
    memset(k, 0, sizeof *k);
    r->ino = row->kind.hasInode ? row->kind.inode : 0;
    if (row->kind.kind == FD_LINK_PIPE || row->kind.kind == FD_LINK_SOCKET) {
        k->kind = row->kind.kind == FD_LINK_PIPE ? EP_PIPE : EP_SOCK;
        k->id = row->kind.inode;
        return 1;
    }
    enum fd_kind kind = fdKindOfLink(text, len);
    if (kind == FD_KIND_PTY_SLAVE) {
        k->kind = EP_PTS;
        k->id = strtoull(text + 9, NULL, 10);
        return 1;
    }
    if ((kind == FD_KIND_EVENTFD && (w->chase & EP_WANT_EVENTFD)) ||
        (kind == FD_KIND_PTY_MASTER && (w->chase & EP_WANT_PTM))) {
        k->kind = kind == FD_KIND_EVENTFD ? EP_EVENTFD : EP_PTM;
        return fdinfoId(s, kind, info, &k->id);
    }
    if (row->kind.kind != FD_LINK_PATH || !w->paths || kind != FD_KIND_NONE) return 0;
    const struct stat *st = fdRowStat(row);
    if (!st) return 0;
    const char *type = S_ISREG(st->st_mode) ? fdRowType(row) : NULL;
    if (!S_ISFIFO(st->st_mode) && !(type && strcmp(type, "PSXMQ") == 0)) return 0;
    k->kind = S_ISFIFO(st->st_mode) ? EP_FIFO : EP_MQUEUE;
    k->dev = kernelDev(st->st_dev);
    k->id = r->ino = st->st_ino;
    return 1;
}

/* The open flags of the scan's current fd (its fdinfo), into R. */
static void readFlags(struct fd_scan *s, struct buf *info, struct ep_record *r)
{
    struct fd_info fi;
    if (fdScanInfo(s, info) == 0 && fdInfoParse(info->data, info->len, &fi) == 0)
        r->fFlags = fi.flags;
}

/* One walk of PIDS (NULL: all) keeping the fds KEYS asks for (NULL: every fd, keyed or not). */
static int walkProc(int procfd, const struct keyset *pids, const struct ep_keys *keys,
                    struct ep_records *out)
{
    struct want w = {EP_WANT_ALL, 1};
    if (keys) {
        w.chase = keys->want;
        w.paths = 0;
        for (size_t i = 0; i < keys->n; i++)
            if (keys->v[i].kind == EP_FIFO || keys->v[i].kind == EP_MQUEUE) w.paths = 1;
    }
    struct fd_scan s;
    struct buf info = {0};
    fdScanInit(&s, procfd);
    int rc = fdScanStart(&s, pids, NULL);
    while (rc == 0 && (rc = fdScanNext(&s)) > 0) {
        struct ep_record r;
        memset(&r, 0, sizeof r);
        int keyed = keyOfRow(&s, &w, &info, &r);
        if (keys ? !keyed || !epKeysHas(keys, &r.key) : 0) {
            rc = 0;
            continue;
        }
        if (!keyed) r.key.kind = EP_NONE;
        r.pid = s.row.pid;
        r.fd = s.row.fd;
        readFlags(&s, &info, &r);
        struct ep_record *slot = epRecordsPush(out);
        if (!slot) {
            rc = -ENOMEM;
            break;
        }
        *slot = r;
        rc = 0;
    }
    bufFree(&info);
    fdScanFree(&s);
    return rc;
}

int epProcDescribe(int procfd, const struct keyset *pids, struct ep_records *out)
{
    return walkProc(procfd, pids, NULL, out);
}

int epProcMatch(int procfd, const struct ep_keys *keys, struct ep_records *out)
{
    return keys->n ? walkProc(procfd, NULL, keys, out) : 0;
}

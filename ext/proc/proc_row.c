/*
** One process's row and the memo of pushed pids (proc_row.h).
*/
#include "proc/proc_row.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc/pid_iter.h"

static void readNamespace(struct proc_row *r, int dirfd, const char *name, ino_t *ino, unsigned bit)
{
    struct stat st;
    if (fstatat(dirfd, name, &st, 0) == 0) {
        *ino = st.st_ino;
        r->have |= bit;
    }
}

static void readLink(struct proc_row *r, int dirfd, const char *name, struct buf *b, unsigned bit)
{
    int rc = bufReadLinkAt(b, dirfd, name);
    if (rc == 0) r->have |= bit;
    if (rc == -ENOMEM) r->nomem = 1;
}

/* Reads NAME under DIRFD into B, noting an out-of-memory failure; 0 or -errno. */
static int readFile(struct proc_row *r, int dirfd, const char *name, struct buf *b)
{
    int rc = bufReadFileAt(b, dirfd, name);
    if (rc == -ENOMEM) r->nomem = 1;
    return rc;
}

/* The fixed-size files, each parsed into the row; 0 when the process has gone. */
static int readParsed(struct proc_row *r, int dirfd, unsigned need, int procfd, int pushed)
{
    int stands = 1, rc;
    if (need & PROC_SRC_STATUS) {
        rc = readFile(r, dirfd, "status", &r->scratch);
        if (procGone(rc))
            stands = 0;
        else if (rc == 0 && procParseStatus(r->scratch.data, r->scratch.len, &r->status) == 0)
            r->have |= PROC_SRC_STATUS;
        /* A status we may not read (hidepid=1) leaves the row to the walk's answer. */
        if (pushed && stands)
            stands = (r->have & PROC_SRC_STATUS) ? r->status.tgid == r->pid
                                                 : procIsListed(procfd, r->pid);
    }
    if (stands && (need & PROC_SRC_STAT)) {
        rc = readFile(r, dirfd, "stat", &r->scratch);
        if (procGone(rc))
            stands = 0;
        else if (rc == 0 && procParseStat(r->scratch.data, r->scratch.len, &r->stat) == 0)
            r->have |= PROC_SRC_STAT;
    }
    if (stands && (need & PROC_SRC_LIMITS)) {
        rc = readFile(r, dirfd, "limits", &r->scratch);
        if (procGone(rc))
            stands = 0;
        else if (rc == 0 && procParseFdLimit(r->scratch.data, r->scratch.len, &r->fdLimit) == 0)
            r->have |= PROC_SRC_LIMITS;
    }
    return stands;
}

/* The variable-size files; 0 when the process has gone. */
static int readTexts(struct proc_row *r, int dirfd, unsigned need)
{
    int rc;
    if (need & PROC_SRC_CMDLINE) {
        rc = readFile(r, dirfd, "cmdline", &r->cmdline);
        if (procGone(rc)) return 0;
        if (rc == 0) {
            r->cmdlineLen = procJoinCmdline(r->cmdline.data, r->cmdline.len);
            if (r->cmdlineLen > 0) r->have |= PROC_SRC_CMDLINE;
        }
    }
    if (need & (PROC_SRC_CGROUP | PROC_SRC_CONTAINER)) {
        rc = readFile(r, dirfd, "cgroup", &r->cgroup);
        if (procGone(rc)) return 0;
        r->cgroupRead = rc == 0;
        if (rc == 0 &&
            procParseCgroup(r->cgroup.data, r->cgroup.len, &r->cgroupPath, &r->cgroupLen) == 0)
            r->have |= PROC_SRC_CGROUP;
    }
    return 1;
}

int procRowRead(struct proc_row *r, int procfd, unsigned need, int pushed)
{
    r->have = 0;
    r->cgroupRead = 0;
    if (pushed) need |= PROC_SRC_STATUS; /* Tgid tells a process from a thread */
    if (!need) return 1;

    int dirfd = procOpenPid(procfd, r->pid);
    if (dirfd < 0) return !procGone(dirfd) && (!pushed || procIsListed(procfd, r->pid));

    int stands = readParsed(r, dirfd, need, procfd, pushed) && readTexts(r, dirfd, need);
    if (stands) {
        /* Links and namespaces fail for zombies and kernel threads too: NULL, not gone. */
        if (need & PROC_SRC_EXE) readLink(r, dirfd, "exe", &r->exe, PROC_SRC_EXE);
        if (need & PROC_SRC_CWD) readLink(r, dirfd, "cwd", &r->cwd, PROC_SRC_CWD);
        if (need & PROC_SRC_ROOT) readLink(r, dirfd, "root", &r->root, PROC_SRC_ROOT);
        if (need & PROC_SRC_NETNS) readNamespace(r, dirfd, "ns/net", &r->netns, PROC_SRC_NETNS);
        if (need & PROC_SRC_PIDNS) readNamespace(r, dirfd, "ns/pid", &r->pidns, PROC_SRC_PIDNS);
        if (need & PROC_SRC_MNTNS) readNamespace(r, dirfd, "ns/mnt", &r->mntns, PROC_SRC_MNTNS);
    }
    close(dirfd);
    return stands;
}

void procRowFree(struct proc_row *r)
{
    bufFree(&r->cmdline);
    bufFree(&r->exe);
    bufFree(&r->cwd);
    bufFree(&r->root);
    bufFree(&r->cgroup);
    bufFree(&r->scratch);
}

struct proc_memo_entry {
    int pid; /* 0: empty slot */
    int stands, tag;
    unsigned have;
    struct proc_stat stat;
    struct proc_status status;
    ino_t netns, pidns, mntns;
};

/* The slot of PID: its entry, or the empty slot where it goes. */
static struct proc_memo_entry *slotOf(const struct proc_memo *m, int pid)
{
    size_t mask = m->cap - 1, i = ((unsigned)pid * 2654435761u) & mask;
    while (m->v[i].pid != 0 && m->v[i].pid != pid) i = (i + 1) & mask;
    return &m->v[i];
}

void procMemoFor(struct proc_memo *m, unsigned need)
{
    if (need == m->need) return;
    m->need = need;
    m->len = 0;
    if (m->v) memset(m->v, 0, m->cap * sizeof *m->v);
}

int procMemoLoad(const struct proc_memo *m, struct proc_row *r, int *stands, int *tag)
{
    if (!m->cap) return 0;
    const struct proc_memo_entry *e = slotOf(m, r->pid);
    if (e->pid != r->pid) return 0;
    *stands = e->stands;
    *tag = e->tag;
    r->have = e->have;
    r->stat = e->stat;
    r->status = e->status;
    r->netns = e->netns;
    r->pidns = e->pidns;
    r->mntns = e->mntns;
    return 1;
}

int procMemoStore(struct proc_memo *m, const struct proc_row *r, int stands, int tag)
{
    if (m->len * 2 >= m->cap) {
        struct proc_memo grown = {.cap = m->cap ? m->cap * 2 : 256, .need = m->need};
        if (!(grown.v = calloc(grown.cap, sizeof *grown.v))) return -ENOMEM;
        for (size_t i = 0; i < m->cap; i++)
            if (m->v[i].pid) *slotOf(&grown, m->v[i].pid) = m->v[i];
        grown.len = m->len;
        free(m->v);
        *m = grown;
    }
    *slotOf(m, r->pid) = (struct proc_memo_entry){r->pid,    stands,   tag,      r->have, r->stat,
                                                  r->status, r->netns, r->pidns, r->mntns};
    m->len++;
    return 0;
}

void procMemoFree(struct proc_memo *m)
{
    free(m->v);
    *m = (struct proc_memo){0};
}

#include "proc/pid_iter.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Walks the directory NAME under PROCFD ("." or "PID/task"). */
static int startDir(struct pid_iter *it, int procfd, const char *name)
{
    int fd = openat(procfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -errno;
    it->dir = fdopendir(fd);
    if (!it->dir) {
        int err = errno;
        close(fd);
        return -err;
    }
    return 0;
}

int pidIterStart(struct pid_iter *it, int procfd, const struct keyset *pids)
{
    pidIterStop(it);
    it->pids = pids;
    it->next = 0;
    return pids ? 0 : startDir(it, procfd, ".");
}

int pidIterStartTasks(struct pid_iter *it, int procfd, int pid)
{
    char name[32];
    pidIterStop(it);
    snprintf(name, sizeof name, "%d/task", pid);
    return startDir(it, procfd, name);
}

/* A /proc entry name that is a pid: digits only, no leading zero, fits an int. */
static int parsePidName(const char *name)
{
    if (name[0] < '1' || name[0] > '9') return 0;
    long v = 0;
    for (const char *p = name; *p; p++) {
        if (*p < '0' || *p > '9') return 0;
        v = v * 10 + (*p - '0');
        if (v > INT_MAX) return 0;
    }
    return (int)v;
}

int pidIterNext(struct pid_iter *it, int *pid)
{
    if (it->pids) {
        while (it->next < it->pids->n) {
            int64_t k = it->pids->v[it->next++];
            if (k > 0 && k <= INT_MAX) {
                *pid = (int)k;
                return 1;
            }
        }
        return 0;
    }
    if (!it->dir) return 0;
    struct dirent *d;
    while ((d = readdir(it->dir)) != NULL) {
        int p = parsePidName(d->d_name);
        if (p > 0) {
            *pid = p;
            return 1;
        }
    }
    return 0;
}

void pidIterStop(struct pid_iter *it)
{
    if (it->dir) closedir(it->dir);
    it->dir = NULL;
    it->pids = NULL;
    it->next = 0;
}

int procOpenPid(int procfd, int pid)
{
    char name[16];
    snprintf(name, sizeof name, "%d", pid);
    int fd = openat(procfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

int procReadStatus(int dirfd, const char *name, struct buf *scratch, struct proc_status *st)
{
    int rc = bufReadFileAt(scratch, dirfd, name);
    if (rc != 0) return rc;
    return procParseStatus(scratch->data, scratch->len, st);
}

int procIsLeader(int procfd, int pid, struct buf *scratch)
{
    char name[32];
    struct proc_status st;
    snprintf(name, sizeof name, "%d/status", pid);
    int rc = procReadStatus(procfd, name, scratch, &st);
    if (rc == 0) return st.tgid == pid;
    if (procGone(rc)) return 0;
    return procIsListed(procfd, pid);
}

int procIsListed(int procfd, int pid)
{
    struct pid_iter it = {0};
    int listed = 0, p;
    if (pidIterStart(&it, procfd, NULL) != 0) return 0;
    while (!listed && pidIterNext(&it, &p)) listed = p == pid;
    pidIterStop(&it);
    return listed;
}

int procGone(int err)
{
    return err == -ENOENT || err == -ESRCH;
}

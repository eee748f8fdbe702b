#include "sock/netns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "fd/fd_dir.h"
#include "proc/mountinfo.h"
#include "proc/pid_iter.h"

static struct netns *find(const struct netns_list *l, uint64_t ino)
{
    for (int i = 0; i < l->n; i++)
        if (l->v[i].ino == ino) return &l->v[i];
    return NULL;
}

/* Adds the namespace that PATH opens, unless it is known or not wanted. 0 or -ENOMEM. */
static int add(struct netns_list *l, const struct keyset *only, const char *path, uint64_t ino)
{
    if (find(l, ino) || (only && !keysetHas(only, (int64_t)ino))) return 0;
    size_t cap = (size_t)l->cap;
    struct netns *v = arrayGrow(l->v, &cap, (size_t)l->n + 1, sizeof *v);
    if (!v) return -ENOMEM;
    l->v = v;
    l->cap = (int)cap;
    memset(&l->v[l->n], 0, sizeof *v);
    l->v[l->n].ino = ino;
    snprintf(l->v[l->n].path, sizeof l->v[l->n].path, "%s", path);
    l->n++;
    return 0;
}

/* Counts process PID in namespace INO (listed already, or not wanted). */
static void addProcess(struct netns_list *l, uint64_t ino, int pid)
{
    struct netns *ns = find(l, ino);
    if (!ns) return;
    if (ns->nprocs < NETNS_FEW_PROCS) ns->pids[ns->nprocs] = pid;
    ns->nprocs++;
}

static int addPath(struct netns_list *l, const struct keyset *only, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) return 0; /* gone, or not ours to see */
    return add(l, only, path, st.st_ino);
}

static int allFound(const struct netns_list *l, const struct keyset *only)
{
    return only && l->n >= only->n;
}

static int addRunNetns(struct netns_list *l, const struct keyset *only)
{
    DIR *d = opendir("/run/netns");
    if (!d) return 0;
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && !allFound(l, only) && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[sizeof l->v->path];
        snprintf(path, sizeof path, "/run/netns/%.255s", e->d_name);
        rc = addPath(l, only, path);
    }
    closedir(d);
    return rc;
}

static int addProcesses(struct netns_list *l, int procfd, const struct keyset *only)
{
    struct pid_iter it = {0};
    int rc = pidIterStart(&it, procfd, NULL), pid;
    /* Every process, even once ONLY's are all found: each namespace's count is complete. */
    while (rc == 0 && pidIterNext(&it, &pid)) {
        char name[64];
        struct stat st;
        snprintf(name, sizeof name, "%d/ns/net", pid);
        if (fstatat(procfd, name, &st, 0) != 0) continue;
        char path[80];
        snprintf(path, sizeof path, "/proc/%s", name);
        if ((rc = add(l, only, path, st.st_ino)) == 0) addProcess(l, st.st_ino, pid);
    }
    pidIterStop(&it);
    return rc;
}

/* The network namespaces bind-mounted in the mount namespace of PID, reached through
 * /proc/PID/root (mount points are relative to the process's root). */
static int addMountsOf(struct netns_list *l, int procfd, const struct keyset *only, int pid,
                       struct buf *text)
{
    char name[64];
    snprintf(name, sizeof name, "%d/mountinfo", pid);
    if (bufReadFileAt(text, procfd, name) != 0) return 0;
    size_t pos = 0;
    uint64_t ino;
    char mnt[sizeof l->v->path];
    int rc = 0;
    while (rc == 0 && mountinfoNextNetns(text->data, text->len, &pos, &ino, mnt, sizeof mnt)) {
        char path[sizeof l->v->path];
        if (snprintf(path, sizeof path, "/proc/%d/root%s", pid, mnt) < (int)sizeof path)
            rc = add(l, only, path, ino);
    }
    return rc;
}

/* Namespaces kept by a bind mount: nsfs entries of each mount namespace's mountinfo, read once
 * per mount namespace. */
static int addMounts(struct netns_list *l, int procfd, const struct keyset *only)
{
    struct pid_iter it = {0};
    int rc = pidIterStart(&it, procfd, NULL), pid;
    struct keyset mntns = {0}; /* the mount namespaces seen already */
    struct buf text = {0};
    while (rc == 0 && !allFound(l, only) && pidIterNext(&it, &pid)) {
        char name[64];
        struct stat st;
        snprintf(name, sizeof name, "%d/ns/mnt", pid);
        if (fstatat(procfd, name, &st, 0) != 0) continue;
        rc = keysetInsert(&mntns, (int64_t)st.st_ino);
        if (rc == 1) rc = addMountsOf(l, procfd, only, pid, &text);
    }
    keysetFree(&mntns);
    bufFree(&text);
    pidIterStop(&it);
    return rc;
}

/* "net:[INO]" (a descriptor's link text) to INO; 0 when it is another kind of file. */
static uint64_t netLinkInode(const char *link)
{
    if (strncmp(link, "net:[", 5) != 0) return 0;
    char *end;
    unsigned long long v = strtoull(link + 5, &end, 10);
    return *end == ']' && end[1] == '\0' ? v : 0;
}

/* The namespaces that process PID holds open as a descriptor (/proc/PID/fd/N -> net:[INO]). */
static int addFdsOf(struct netns_list *l, int procfd, const struct keyset *only, int pid,
                    struct fd_dir *dir)
{
    if (fdDirOpen(dir, procfd, pid) != 0) return 0;
    int rc = 0, fd;
    const char *entry;
    char link[64];
    while (rc == 0 && !allFound(l, only) && fdDirNext(dir, &fd, &entry) == 1) {
        ssize_t n = readlinkat(dir->fd, entry, link, sizeof link - 1);
        if (n < 5 || link[0] != 'n') continue;
        link[n] = '\0';
        uint64_t ino = netLinkInode(link);
        if (!ino) continue;
        char path[sizeof l->v->path];
        snprintf(path, sizeof path, "/proc/%d/fd/%d", pid, fd);
        rc = add(l, only, path, ino);
    }
    fdDirClose(dir);
    return rc;
}

/*
** Namespaces kept only by a descriptor: every process's fds, one readlink each. This is the
** dear part of the list (a readdir per process and a readlink per fd: about 0.3 s for 120,000
** fds), so it comes last, where a pushed netns that was found already skips it.
*/
static int addFds(struct netns_list *l, int procfd, const struct keyset *only)
{
    struct pid_iter it = {0};
    struct fd_dir dir;
    fdDirInit(&dir);
    int rc = pidIterStart(&it, procfd, NULL), pid;
    while (rc == 0 && !allFound(l, only) && pidIterNext(&it, &pid))
        rc = addFdsOf(l, procfd, only, pid, &dir);
    pidIterStop(&it);
    fdDirFree(&dir);
    return rc;
}

static int byInode(const void *a, const void *b)
{
    uint64_t x = ((const struct netns *)a)->ino, y = ((const struct netns *)b)->ino;
    return (x > y) - (x < y);
}

int netnsList(struct netns_list *l, int procfd, const struct keyset *only)
{
    l->n = 0;
    struct stat st;
    if (fstatat(procfd, "thread-self/ns/net", &st, 0) != 0) return -errno;
    l->self = st.st_ino;
    int rc = add(l, only, "/proc/thread-self/ns/net", l->self);
    if (rc == 0 && !allFound(l, only)) rc = addRunNetns(l, only);
    if (rc == 0 && !allFound(l, only)) rc = addProcesses(l, procfd, only);
    if (rc == 0 && !allFound(l, only)) rc = addMounts(l, procfd, only);
    /* Every descriptor of the host costs a whole-host scan twice its time: only for namespaces
     * a statement names (netns = ?) that no process, /run/netns file or mount holds. */
    if (rc == 0 && only && !allFound(l, only)) rc = addFds(l, procfd, only);
    if (rc < 0) return rc;
    int first = l->n > 0 && l->v[0].ino == l->self;
    if (l->n - first > 1) qsort(l->v + first, (size_t)(l->n - first), sizeof *l->v, byInode);
    return 0;
}

void netnsFree(struct netns_list *l)
{
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

struct helperJob {
    int nsfd;
    int (*fn)(void *arg);
    void *arg;
    int result; /* FN's, or -errno of setns */
};

/* Runs in its own thread, which ends right after: its namespace change dies with it. */
static void *helperEnter(void *arg)
{
    struct helperJob *job = arg;
    if (setns(job->nsfd, CLONE_NEWNET) != 0)
        job->result = -errno;
    else
        job->result = job->fn(job->arg);
    return NULL;
}

int netnsRunAt(int nsfd, int (*fn)(void *arg), void *arg)
{
    struct helperJob job = {nsfd, fn, arg, -ESTALE};
    pthread_t t;
    int err = pthread_create(&t, NULL, helperEnter, &job);
    if (err) return -err;
    pthread_join(t, NULL);
    return job.result;
}

int netnsRun(const struct netns *ns, uint64_t self, int (*fn)(void *arg), void *arg)
{
    if (ns->ino == self) return fn(arg);
    int nsfd = open(ns->path, O_RDONLY | O_CLOEXEC);
    if (nsfd < 0) return -errno;
    struct stat st;
    int rc = -ESTALE;
    if (fstat(nsfd, &st) == 0 && st.st_ino == ns->ino) rc = netnsRunAt(nsfd, fn, arg);
    close(nsfd);
    return rc;
}

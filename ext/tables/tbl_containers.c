/*
** The `containers` table: one row per container that has a process on this host, found from
** each process's /proc/PID/cgroup (container_cgroup.h) and named from the runtime's state files
** (container_state.h).
**
**     CREATE TABLE containers(
**       id TEXT,              -- pushed down (=, IN): only that container's state is read
**       runtime TEXT,         -- docker containerd cri-o podman lxc systemd-nspawn; NULL unknown
**       name TEXT,            -- from the runtime's state; NULL when unreadable
**       pod_uid TEXT, pod_name TEXT, pod_namespace TEXT, -- Kubernetes pods
**       init_pid INTEGER,     -- host pid of its first process: pid 1 of its pid namespace,
**                             --   else the earliest started
**       netns INTEGER, pidns INTEGER, mntns INTEGER, -- namespaces of init_pid
**       processes INTEGER     -- how many processes it has
**     );
**
**     SELECT c.name, s.local_port FROM containers c JOIN sockets s USING(netns)
**     WHERE s.state = 'LISTEN';
**
** A statement reads every process's cgroup file once (xFilter builds all rows); the status
** and stat of a container's processes only when init_pid or a namespace is used (colUsed); a
** container's state files only when its name, pod or (for a bare id) runtime is asked for.
*/
#include "tables/tables.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "container/container.h"
#include "proc/pid_iter.h"
#include "proc/proc_parse.h"
#include "vtab/vtab.h"

enum {
    COL_ID,
    COL_RUNTIME,
    COL_NAME,
    COL_POD_UID,
    COL_POD_NAME,
    COL_POD_NAMESPACE,
    COL_INIT_PID,
    COL_NETNS,
    COL_PIDNS,
    COL_MNTNS,
    COL_PROCESSES,
};

static const char containersSchema[] =
    "CREATE TABLE x(id TEXT, runtime TEXT, name TEXT, pod_uid TEXT, pod_name TEXT,"
    " pod_namespace TEXT, init_pid INTEGER, netns INTEGER, pidns INTEGER, mntns INTEGER,"
    " processes INTEGER)";

/*
** xBestIndex → xFilter:
**   bit 0  id = ? or id IN (...) (BINARY collation only)   argv: the value or the list
** Bits VTAB_OWN_BITS and up: NEED_* below, from colUsed.
*/
static const struct vtab_push containersPush[] = {{.name = "id", .iColumn = COL_ID, .isText = 1}};
#define PUSH_ID 0

enum {
    NEED_INIT = 1 << 0, /* init_pid: each container process's status and stat */
    NEED_NS = 1 << 1,   /* netns, pidns, mntns of init_pid */
};

/* One container: its processes counted, its first process chosen. */
struct ctr_row {
    struct container_ref ref;
    int ct; /* its entry in the cursor's container cache (an index: the cache grows) */
    int processes;
    int initPid, initNspid;
    unsigned long long initStart;
    uint64_t ns[3]; /* net, pid, mnt; 0 unreadable */
};

typedef struct ContainersCursor ContainersCursor;
struct ContainersCursor {
    sqlite3_vtab_cursor base;
    int procfd;
    struct ctr_row *rows;
    int n, cap, i;
    struct container_cache cache;
    struct buf scratch;
};

static int containersBestIndex(sqlite3_vtab *vtab, sqlite3_index_info *info)
{
    (void)vtab;
    int idxNum = vtabPushEq(info, containersPush, 1);
    unsigned need = 0;
    sqlite3_uint64 used = info->colUsed;
    if (used & (1u << COL_INIT_PID | 1u << COL_NETNS | 1u << COL_PIDNS | 1u << COL_MNTNS))
        need |= NEED_INIT;
    if (used & (1u << COL_NETNS | 1u << COL_PIDNS | 1u << COL_MNTNS)) need |= NEED_NS;
    idxNum |= (int)(need << VTAB_OWN_BITS);
    /* Every process's cgroup is read whatever is pushed; a pushed id saves the state reads. */
    info->estimatedRows = VTAB_PUSHED(idxNum, PUSH_ID) ? 1 : 20;
    info->estimatedCost = VTAB_PUSHED(idxNum, PUSH_ID) ? 3000 : 3100;
    info->idxNum = idxNum;
    return SQLITE_OK;
}

static int containersOpen(sqlite3_vtab *vtab, sqlite3_vtab_cursor **ppCursor)
{
    int rc = vtabOpenProcCursor(vtab, "containers", sizeof(ContainersCursor),
                                offsetof(ContainersCursor, procfd), ppCursor);
    if (rc == SQLITE_OK) containerCacheInit(&((ContainersCursor *)*ppCursor)->cache, "");
    return rc;
}

static int containersClose(sqlite3_vtab_cursor *base)
{
    ContainersCursor *cur = (ContainersCursor *)base;
    free(cur->rows);
    containerCacheFree(&cur->cache);
    bufFree(&cur->scratch);
    return vtabCloseProcCursor(base, cur->procfd);
}

/* The wanted ids: copies of the pushed value or list's texts (an IN list's values last only
 * until the next one is fetched); NULL and blob values match nothing. */
struct wanted {
    char **v;
    int n, cap;
};

static int addWanted(void *ctx, sqlite3_value *v)
{
    struct wanted *w = ctx;
    const char *text = vtabValueText(v);
    if (!text) return SQLITE_OK;
    if (w->n == w->cap) {
        int cap = w->cap ? 2 * w->cap : 8;
        char **p = sqlite3_realloc64(w->v, (sqlite3_uint64)cap * sizeof *p);
        if (!p) return SQLITE_NOMEM;
        w->v = p;
        w->cap = cap;
    }
    if (!(w->v[w->n] = sqlite3_mprintf("%s", text))) return SQLITE_NOMEM;
    w->n++;
    return SQLITE_OK;
}

static int isWanted(const struct wanted *w, const char *id)
{
    for (int i = 0; i < w->n; i++)
        if (strcmp(w->v[i], id) == 0) return 1;
    return 0;
}

/* The row of REF, added when new; NULL without memory. */
static struct ctr_row *rowOf(ContainersCursor *cur, const struct container_ref *ref)
{
    for (int i = cur->n - 1; i >= 0; i--)
        if (cur->rows[i].ref.runtime == ref->runtime && strcmp(cur->rows[i].ref.id, ref->id) == 0)
            return &cur->rows[i];
    size_t cap = (size_t)cur->cap;
    struct ctr_row *rows = arrayGrow(cur->rows, &cap, (size_t)cur->n + 1, sizeof *rows);
    if (!rows) return NULL;
    cur->rows = rows;
    cur->cap = (int)cap;
    struct ctr_row *r = &cur->rows[cur->n++];
    memset(r, 0, sizeof *r);
    r->ref = *ref;
    return r;
}

/* Whether PID (in R) is a better first process than R's current one. */
static void considerInit(ContainersCursor *cur, int dirfd, int pid, struct ctr_row *r)
{
    struct proc_status status;
    struct proc_stat stat;
    if (bufReadFileAt(&cur->scratch, dirfd, "status") != 0 ||
        procParseStatus(cur->scratch.data, cur->scratch.len, &status) != 0)
        return;
    if (bufReadFileAt(&cur->scratch, dirfd, "stat") != 0 ||
        procParseStat(cur->scratch.data, cur->scratch.len, &stat) != 0)
        return;
    int better = !r->initPid || (status.nspid == 1 && r->initNspid != 1) ||
                 ((status.nspid == 1) == (r->initNspid == 1) && stat.starttime < r->initStart);
    if (better) {
        r->initPid = pid;
        r->initNspid = status.nspid;
        r->initStart = stat.starttime;
    }
}

/* Reads process PID's cgroup and counts it in its container's row. 0 or SQLITE_NOMEM. */
static int visitProcess(ContainersCursor *cur, int pid, unsigned need, const struct wanted *only)
{
    int dirfd = procOpenPid(cur->procfd, pid);
    if (dirfd < 0) return SQLITE_OK;
    struct container_ref ref;
    int rc = SQLITE_OK;
    if (bufReadFileAt(&cur->scratch, dirfd, "cgroup") == 0 &&
        containerParseCgroup(cur->scratch.data, cur->scratch.len, &ref) == 1 &&
        containerConfirmed(&cur->cache, &ref) && (!only || isWanted(only, ref.id))) {
        struct ctr_row *r = rowOf(cur, &ref);
        if (!r)
            rc = SQLITE_NOMEM;
        else {
            r->processes++;
            if (need & NEED_INIT) considerInit(cur, dirfd, pid, r);
        }
    }
    close(dirfd);
    return rc;
}

static void readNamespaces(ContainersCursor *cur, struct ctr_row *r)
{
    static const char *const names[3] = {"ns/net", "ns/pid", "ns/mnt"};
    int dirfd = r->initPid ? procOpenPid(cur->procfd, r->initPid) : -1;
    if (dirfd < 0) return;
    for (int k = 0; k < 3; k++) {
        struct stat st;
        if (fstatat(dirfd, names[k], &st, 0) == 0) r->ns[k] = st.st_ino;
    }
    close(dirfd);
}

static int containersFilter(sqlite3_vtab_cursor *base, int idxNum, const char *idxStr, int argc,
                            sqlite3_value **argv)
{
    (void)idxStr, (void)argc;
    ContainersCursor *cur = (ContainersCursor *)base;
    unsigned need = (unsigned)idxNum >> VTAB_OWN_BITS;
    struct wanted only = {0};
    int rc = SQLITE_OK;
    cur->n = cur->i = 0;
    if (VTAB_PUSHED(idxNum, PUSH_ID))
        rc = vtabEachValue(argv[0], VTAB_IS_IN(idxNum, PUSH_ID), addWanted, &only);

    struct pid_iter it = {0};
    int err = rc == SQLITE_OK ? pidIterStart(&it, cur->procfd, NULL) : 0;
    if (err < 0) rc = vtabError(base->pVtab, "containers: cannot read /proc: %s", strerror(-err));
    int pid;
    while (rc == SQLITE_OK && err == 0 && pidIterNext(&it, &pid))
        rc = visitProcess(cur, pid, need, VTAB_PUSHED(idxNum, PUSH_ID) ? &only : NULL);
    pidIterStop(&it);
    for (int i = 0; i < only.n; i++) sqlite3_free(only.v[i]);
    sqlite3_free(only.v);

    for (int i = 0; rc == SQLITE_OK && i < cur->n; i++) {
        struct ctr_row *r = &cur->rows[i];
        const struct container *ct = containerLookup(&cur->cache, &r->ref);
        if (!ct) rc = SQLITE_NOMEM;
        r->ct = ct ? (int)(ct - cur->cache.v) : -1;
        if (need & NEED_NS) readNamespaces(cur, r);
    }
    return rc;
}

static int containersNext(sqlite3_vtab_cursor *base)
{
    ((ContainersCursor *)base)->i++;
    return SQLITE_OK;
}

static int containersEof(sqlite3_vtab_cursor *base)
{
    ContainersCursor *cur = (ContainersCursor *)base;
    return cur->i >= cur->n;
}

/* A key of the row itself (SQLite's OR optimisation compares rowids across xFilter calls). */
static int containersRowid(sqlite3_vtab_cursor *base, sqlite3_int64 *rowid)
{
    ContainersCursor *cur = (ContainersCursor *)base;
    const struct container_ref *ref = &cur->rows[cur->i].ref;
    /* The runtime and the id: an lxc container and an nspawn machine may share a name. */
    char key[1 + sizeof ref->id];
    size_t n = strnlen(ref->id, sizeof ref->id);
    key[0] = (char)ref->runtime;
    memcpy(key + 1, ref->id, n);
    *rowid = vtabRowidOf(key, 1 + n);
    return SQLITE_OK;
}

static void resultField(sqlite3_context *ctx, const char *s)
{
    if (s && s[0]) sqlite3_result_text(ctx, s, -1, SQLITE_TRANSIENT);
}

static int containersColumn(sqlite3_vtab_cursor *base, sqlite3_context *ctx, int col)
{
    ContainersCursor *cur = (ContainersCursor *)base;
    const struct ctr_row *r = &cur->rows[cur->i];
    const struct container *ct = &cur->cache.v[r->ct];
    /* the state files, read once per container, for the columns that come from them */
    if (col == COL_NAME || (col >= COL_POD_UID && col <= COL_POD_NAMESPACE) ||
        (col == COL_RUNTIME && ct->ref.runtime == RUNTIME_KUBE))
        ct = containerResolve(&cur->cache, &cur->cache.v[r->ct]);
    switch (col) {
    case COL_ID: resultField(ctx, r->ref.id); break;
    case COL_RUNTIME: resultField(ctx, containerRuntimeName(ct->ref.runtime)); break;
    case COL_NAME: resultField(ctx, ct->info.name); break;
    case COL_POD_UID: resultField(ctx, ct->info.podUid); break;
    case COL_POD_NAME: resultField(ctx, ct->info.podName); break;
    case COL_POD_NAMESPACE: resultField(ctx, ct->info.podNamespace); break;
    case COL_INIT_PID:
        if (r->initPid) sqlite3_result_int(ctx, r->initPid);
        break;
    case COL_NETNS:
    case COL_PIDNS:
    case COL_MNTNS:
        if (r->ns[col - COL_NETNS])
            sqlite3_result_int64(ctx, (sqlite3_int64)r->ns[col - COL_NETNS]);
        break;
    case COL_PROCESSES: sqlite3_result_int(ctx, r->processes); break;
    }
    return SQLITE_OK;
}

static sqlite3_module containersModule = VTAB_MODULE(containers);

int containersRegister(sqlite3 *db)
{
    return sqlite3_create_module(db, "containers", &containersModule, (void *)containersSchema);
}

/*
** The fds table's choice of source and the sqlsof_fds_source() SQL function (fds_source.h).
*/
#include "tables/fds_source.h"

#include "tables/conn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const modeNames[] = {"auto", "proc", "bpf"};

void fdsSourceClear(struct fds_source *src)
{
    fdBpfFree(src->bpf);
    src->bpf = NULL;
}

/* The mode in force: the connection's, else the environment's for 'auto'. */
static int effectiveMode(const struct fds_source *src)
{
    if (src->mode != FDS_SOURCE_AUTO) return src->mode;
    const char *env = getenv("SQLSOF_BPF");
    if (env && strcmp(env, "0") == 0) return FDS_SOURCE_PROC;
    if (env && strcmp(env, "1") == 0) return FDS_SOURCE_BPF;
    return FDS_SOURCE_AUTO;
}

int fdsSourceStart(struct fds_source *src, enum fd_bpf_walk walk, struct fd_bpf_iter *it)
{
    int mode = effectiveMode(src);
    if (mode == FDS_SOURCE_PROC) return 0;
    if (!src->bpf && !src->loadErr) src->loadErr = fdBpfLoad(&src->bpf, src->why, sizeof src->why);
    int err = src->loadErr;
    if (!err && (err = fdBpfIterStart(src->bpf, walk, it)) != 0)
        snprintf(src->why, sizeof src->why, "cannot start the BPF iterator: %s", strerror(-err));
    if (!err) return 1;
    return mode == FDS_SOURCE_BPF ? -1 : 0;
}

/* sqlsof_fds_source() and sqlsof_fds_source(MODE): see fds_source.h. */
static void sourceFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct fds_source *src = &((struct sqlsof_conn *)sqlite3_user_data(ctx))->fds;
    if (argc == 0) {
        if (src->last) sqlite3_result_text(ctx, src->last, -1, SQLITE_STATIC);
        return;
    }
    const char *want = (const char *)sqlite3_value_text(argv[0]);
    for (int m = 0; want && m < (int)(sizeof modeNames / sizeof *modeNames); m++)
        if (strcmp(want, modeNames[m]) == 0) {
            src->mode = m;
            sqlite3_result_text(ctx, modeNames[m], -1, SQLITE_STATIC);
            return;
        }
    sqlite3_result_error(ctx, "sqlsof_fds_source: the mode is 'auto', 'proc' or 'bpf'", -1);
}

int fdsSourceRegister(sqlite3 *db, struct sqlsof_conn *conn)
{
    int rc = sqlite3_create_function_v2(db, "sqlsof_fds_source", 0, SQLITE_UTF8 | SQLITE_DIRECTONLY,
                                        connRetain(conn), sourceFunc, NULL, NULL, connRelease);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function_v2(db, "sqlsof_fds_source", 1, SQLITE_UTF8 | SQLITE_DIRECTONLY,
                                        connRetain(conn), sourceFunc, NULL, NULL, connRelease);
    return rc;
}

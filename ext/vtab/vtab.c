#include "vtab/vtab.h"

#include "util/buf.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "proc/pid_iter.h"

int vtabPushEq(sqlite3_index_info *info, const struct vtab_push *cols, int ncols)
{
    int slot[VTAB_IN_SHIFT]; /* constraint claimed for each column, or -1 */
    int idxNum = 0;

    /* Each column has a bit below VTAB_IN_SHIFT and its IN bit below VTAB_OWN_BITS. */
    assert(ncols <= VTAB_IN_SHIFT);
    for (int k = 0; k < ncols; k++) slot[k] = -1;
    for (int i = 0; i < info->nConstraint; i++) {
        const struct sqlite3_index_constraint *c = &info->aConstraint[i];
        if (!c->usable || c->op != SQLITE_INDEX_CONSTRAINT_EQ) continue;
        for (int k = 0; k < ncols; k++) {
            if (cols[k].iColumn != c->iColumn || slot[k] >= 0) continue;
            /* Under NOCASE or RTRIM our byte comparison would drop rows SQLite keeps. */
            if (cols[k].isText && strcmp(sqlite3_vtab_collation(info, i), "BINARY") != 0) continue;
            slot[k] = i;
        }
    }
    int argv = 0;
    char *plan = NULL;
    for (int k = 0; k < ncols; k++) {
        if (slot[k] < 0) continue;
        info->aConstraintUsage[slot[k]].argvIndex = ++argv;
        info->aConstraintUsage[slot[k]].omit = 1;
        idxNum |= 1 << k;
        int isIn = !cols[k].oneByOne && sqlite3_vtab_in(info, slot[k], 1);
        if (isIn) idxNum |= 1 << (VTAB_IN_SHIFT + k);
        char *more = sqlite3_mprintf("%s%s%s%s", plan ? plan : "", plan ? " " : "", cols[k].name,
                                     isIn ? " IN" : "=");
        sqlite3_free(plan);
        plan = more;
    }
    if (plan) {
        info->idxStr = plan;
        info->needToFreeIdxStr = 1;
    }
    return idxNum;
}

int vtabEachValue(sqlite3_value *v, int isIn, int (*fn)(void *ctx, sqlite3_value *elem), void *ctx)
{
    if (!isIn) return fn(ctx, v);
    sqlite3_value *elem;
    int rc;
    for (rc = sqlite3_vtab_in_first(v, &elem); rc == SQLITE_OK && elem;
         rc = sqlite3_vtab_in_next(v, &elem)) {
        int frc = fn(ctx, elem);
        if (frc != SQLITE_OK) return frc;
    }
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int vtabValueInt64(sqlite3_value *v, sqlite3_int64 *out)
{
    int type = sqlite3_value_type(v);
    if (type == SQLITE_TEXT) {
        /* Apply numeric affinity on a copy, as the comparison with the column would. */
        sqlite3_value *copy = sqlite3_value_dup(v);
        if (!copy) return 0;
        int ok = sqlite3_value_numeric_type(copy) != SQLITE_TEXT && vtabValueInt64(copy, out);
        sqlite3_value_free(copy);
        return ok;
    }
    if (type == SQLITE_INTEGER) {
        *out = sqlite3_value_int64(v);
        return 1;
    }
    if (type == SQLITE_FLOAT) {
        double d = sqlite3_value_double(v);
        if (d < -9.2e18 || d > 9.2e18 || d != (double)(sqlite3_int64)d) return 0;
        *out = (sqlite3_int64)d;
        return 1;
    }
    return 0;
}

static int addKey(void *ctx, sqlite3_value *v)
{
    sqlite3_int64 k;
    if (!vtabValueInt64(v, &k)) return SQLITE_OK;
    return keysetAdd(ctx, k) == 0 ? SQLITE_OK : SQLITE_NOMEM;
}

int vtabKeysetFrom(struct keyset *ks, sqlite3_value *v, int isIn)
{
    keysetClear(ks);
    int rc = vtabEachValue(v, isIn, addKey, ks);
    keysetSeal(ks);
    return rc;
}

/* Keeps in KS only the integers that argv V (a value or an IN list) also names. */
static int intersectKeys(struct keyset *ks, sqlite3_value *v, int isIn)
{
    struct keyset other = {0};
    int rc = vtabKeysetFrom(&other, v, isIn);
    int out = 0;
    for (int i = 0; i < ks->n; i++)
        if (keysetHas(&other, ks->v[i])) ks->v[out++] = ks->v[i];
    ks->n = out;
    keysetFree(&other);
    return rc;
}

int vtabKeysetFromColumns(struct keyset *ks, int idxNum, unsigned cols, sqlite3_value **argv,
                          int *pushed)
{
    int rc = SQLITE_OK;
    *pushed = 0;
    for (int k = 0; k < VTAB_IN_SHIFT && rc == SQLITE_OK; k++) {
        if (!(cols >> k & 1) || !VTAB_PUSHED(idxNum, k)) continue;
        sqlite3_value *v = argv[VTAB_ARGV(idxNum, k)];
        rc = *pushed ? intersectKeys(ks, v, VTAB_IS_IN(idxNum, k))
                     : vtabKeysetFrom(ks, v, VTAB_IS_IN(idxNum, k));
        *pushed = 1;
    }
    return rc;
}

const char *vtabValueText(sqlite3_value *v)
{
    int type = sqlite3_value_type(v);
    if (type == SQLITE_NULL || type == SQLITE_BLOB) return NULL;
    const char *text = (const char *)sqlite3_value_text(v);
    /* A text with a NUL in it equals no name or path the kernel gives, whatever precedes it. */
    if (text && strlen(text) != (size_t)sqlite3_value_bytes(v)) return NULL;
    return text;
}

/* Declares SCHEMA and allocates a zeroed vtab of SIZE bytes. */
static int connectSized(sqlite3 *db, const char *schema, size_t size, sqlite3_vtab **ppVtab)
{
    int rc = sqlite3_declare_vtab(db, schema);
    if (rc != SQLITE_OK) return rc;
    sqlite3_vtab *vtab = sqlite3_malloc64(size);
    if (!vtab) return SQLITE_NOMEM;
    memset(vtab, 0, size);
    /* Host data must not leak through a schema's views or triggers. */
    sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
    *ppVtab = vtab;
    return SQLITE_OK;
}

int vtabConnect(sqlite3 *db, void *schema, int argc, const char *const *argv, sqlite3_vtab **ppVtab,
                char **pzErr)
{
    (void)argc, (void)argv, (void)pzErr;
    return connectSized(db, schema, sizeof(sqlite3_vtab), ppVtab);
}

int vtabConnectShared(sqlite3 *db, const char *schema, struct sqlsof_conn *conn,
                      sqlite3_vtab **ppVtab)
{
    int rc = connectSized(db, schema, sizeof(VtabShared), ppVtab);
    if (rc == SQLITE_OK) ((VtabShared *)*ppVtab)->conn = conn;
    return rc;
}

int vtabDisconnect(sqlite3_vtab *vtab)
{
    sqlite3_free(vtab);
    return SQLITE_OK;
}

sqlite3_int64 vtabRowidOf(const void *key, size_t len)
{
    const unsigned char *p = key;
    sqlite3_uint64 h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < len; i++) h = (h ^ p[i]) * 0x100000001b3ull;
    return (sqlite3_int64)h;
}

/*
** SQLite is told the text ends at its NUL (a length of -1): a text given by its length is copied
** again by each sqlite3_value_text() or sqlite3_column_text() that reads it, to add one (a tenth
** of lsof mode's time on a busy server). A short text goes through a NUL-terminated copy on the
** stack, which SQLite copies into the register's own buffer, kept from row to row (TRANSIENT);
** a long one as a malloc'd copy SQLite takes over. A text with a NUL inside keeps its length.
*/
void vtabResultText(sqlite3_context *ctx, const char *s, size_t n)
{
    char shortCopy[256];
    if (memchr(s, '\0', n)) {
        sqlite3_result_text64(ctx, s, n, SQLITE_TRANSIENT, SQLITE_UTF8);
        return;
    }
    if (n < sizeof shortCopy) {
        memcpy(shortCopy, s, n);
        shortCopy[n] = '\0';
        sqlite3_result_text(ctx, shortCopy, -1, SQLITE_TRANSIENT);
        return;
    }
    char *copy = n < INT_MAX ? sqlite3_malloc64(n + 1) : NULL;
    if (!copy) {
        sqlite3_result_text64(ctx, s, n, SQLITE_TRANSIENT, SQLITE_UTF8);
        return;
    }
    memcpy(copy, s, n);
    copy[n] = '\0';
    sqlite3_result_text(ctx, copy, -1, sqlite3_free);
}

void vtabResultDevice(sqlite3_context *ctx, unsigned major, unsigned minor)
{
    char text[24], *end = text + sizeof text;
    char *p = decimalBefore(end, minor);
    *--p = ',';
    p = decimalBefore(p, major);
    vtabResultText(ctx, p, (size_t)(end - p));
}

void vtabResultWord(sqlite3_context *ctx, const char *word)
{
    sqlite3_result_text(ctx, word, -1, SQLITE_STATIC);
}

int vtabOpenProc(sqlite3_vtab *vtab, const char *table, int *procfd)
{
    *procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (*procfd < 0) return vtabError(vtab, "%s: cannot open /proc: %s", table, strerror(errno));
    return SQLITE_OK;
}

int vtabOpenProcCursor(sqlite3_vtab *vtab, const char *table, size_t size, size_t procfdAt,
                       sqlite3_vtab_cursor **ppCursor)
{
    char *cur = sqlite3_malloc64(size);
    if (!cur) return SQLITE_NOMEM;
    memset(cur, 0, size);
    int rc = vtabOpenProc(vtab, table, (int *)(cur + procfdAt));
    if (rc != SQLITE_OK) {
        sqlite3_free(cur);
        return rc;
    }
    *ppCursor = (sqlite3_vtab_cursor *)cur;
    return SQLITE_OK;
}

int vtabCloseProcCursor(sqlite3_vtab_cursor *cursor, int procfd)
{
    close(procfd);
    sqlite3_free(cursor);
    return SQLITE_OK;
}

int vtabPidIterStart(sqlite3_vtab_cursor *cursor, const char *table, struct pid_iter *it,
                     int procfd, const struct keyset *pids)
{
    int err = pidIterStart(it, procfd, pids);
    if (err < 0)
        return vtabError(cursor->pVtab, "%s: cannot read /proc: %s", table, strerror(-err));
    return SQLITE_OK;
}

int vtabError(sqlite3_vtab *vtab, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sqlite3_free(vtab->zErrMsg);
    vtab->zErrMsg = sqlite3_vmprintf(fmt, ap);
    va_end(ap);
    return SQLITE_ERROR;
}

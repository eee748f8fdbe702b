/*
** lsof mode: parse lsof's options, build the query, run it, print it lsof's way; with -r, again
** every few seconds. Nothing listed means exit status 1, as with lsof.
*/
#include "lsof/lsof.h"

#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "database.h"
#include "lsof/lsof_print.h"
#include "lsof/lsof_sql.h"

/* One pass: runs Q's statements and prints their rows. Returns how many rows, or -1 on an SQL
 * error. */
static long runOnce(sqlite3 *db, const struct lsof_query *q, const struct lsof_opts *o)
{
    sqlite3_stmt *stmt[2] = {NULL, NULL};
    int rc = SQLITE_OK;
    for (int i = 0; i < q->nparts && rc == SQLITE_OK; i++)
        rc = sqlite3_prepare_v2(db, q->part[i], -1, &stmt[i], NULL);
    size_t printed = 0;
    if (rc == SQLITE_OK) {
        rc = lsofPrint(stdout, stmt, q->nparts, o, &printed);
        fflush(stdout); /* with -r, each pass is seen as it is printed */
    }
    if (rc != SQLITE_DONE) fprintf(stderr, "sqlsof: %s\n", sqlite3_errmsg(db));
    for (int i = 0; i < q->nparts; i++) sqlite3_finalize(stmt[i]);
    return rc == SQLITE_DONE ? (long)printed : -1;
}

int lsofMain(int argc, char *const argv[], int printSql)
{
    /* As lsof does: the descriptors this command inherited are not its own to list. */
    syscall(SYS_close_range, 3, ~0U, 0);

    struct lsof_opts o;
    char err[512];
    if (lsofParse(argc, argv, &o, err, sizeof err) != 0) {
        fprintf(stderr, "sqlsof: %s\n", err);
        lsofFree(&o);
        return 1;
    }
    struct lsof_query q;
    if (lsofBuildQuery(&o, &q, err, sizeof err) != 0) {
        fprintf(stderr, "sqlsof: %s\n", err);
        lsofFree(&o);
        return 1;
    }
    if (printSql) {
        printf("%s;\n", q.text);
        lsofFreeQuery(&q);
        lsofFree(&o);
        return 0;
    }

    sqlite3 *db = openDatabase(NULL);
    long listed = db ? runOnce(db, &q, &o) : -1;
    int status = listed > 0 ? 0 : 1;
    /* -r: repeat until interrupted, or N passes (-r 1c3); +r: until a pass lists nothing. */
    for (int passes = 1; o.repeat && listed >= 0 && !(o.repeatUntilEmpty && listed == 0);
         passes++) {
        printf(o.fields ? "m\n" : "=======\n");
        fflush(stdout);
        if (o.repeatCount && passes == o.repeatCount) break;
        sleep((unsigned)o.repeat);
        listed = runOnce(db, &q, &o);
        if (listed > 0) status = 0;
    }
    if (listed < 0) status = 1;
    sqlite3_close(db);
    lsofFreeQuery(&q);
    lsofFree(&o);
    return status;
}

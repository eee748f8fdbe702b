/*
** Times one statement inside one process, for `make bench`: what an embedding program pays
** per query, without a command's start.
**
**     inproc EXTENSION RUNS WARMUPS SQL
**
** Loads EXTENSION into a :memory: database, steps SQL to its end WARMUPS + RUNS times (a fresh
** prepare each time) and prints the runner's line for it: "sqlsof", the median ms of the RUNS,
** 1, -, 0 and the rows of the last run, tab-separated.
*/
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double nowMs(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int compareMs(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: inproc EXTENSION RUNS WARMUPS SQL\n");
        return 2;
    }
    int runs = atoi(argv[2]), warm = atoi(argv[3]);
    if (runs < 1 || runs > 1000 || warm < 0) return 2;
    sqlite3 *db;
    char *err = NULL;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
        sqlite3_enable_load_extension(db, 1) != SQLITE_OK ||
        sqlite3_load_extension(db, argv[1], NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "inproc: %s\n", err ? err : sqlite3_errmsg(db));
        return 1;
    }
    double *ms = calloc((size_t)runs, sizeof *ms);
    long rows = 0;
    for (int i = 0; i < warm + runs; i++) {
        double t0 = nowMs();
        sqlite3_stmt *stmt;
        if (sqlite3_prepare_v2(db, argv[4], -1, &stmt, NULL) != SQLITE_OK) {
            fprintf(stderr, "inproc: %s\n", sqlite3_errmsg(db));
            return 1;
        }
        int rc;
        rows = 0;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) rows++;
        sqlite3_finalize(stmt);
        if (rc != SQLITE_DONE) {
            fprintf(stderr, "inproc: %s\n", sqlite3_errmsg(db));
            return 1;
        }
        if (i >= warm) ms[i - warm] = nowMs() - t0;
    }
    qsort(ms, (size_t)runs, sizeof *ms, compareMs);
    double median = runs % 2 ? ms[runs / 2] : (ms[runs / 2 - 1] + ms[runs / 2]) / 2;
    printf("sqlsof\t%.3f\t1\t-\t0\t%ld\n", median, rows);
    free(ms);
    sqlite3_close(db);
    return 0;
}

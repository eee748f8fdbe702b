/* cc embed.c $(pkg-config --cflags --static --libs sqlsof) && ./a.out < query.sql */
#include <sqlite3.h>
#include <sqlsof.h>
#include <stdio.h>

int main(void)
{
    static char sql[65536];
    sql[fread(sql, 1, sizeof sql - 1, stdin)] = '\0';
    sqlite3 *db;
    sqlite3_stmt *stmt;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK || sqlsof_register(db) != SQLITE_OK ||
        sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        fprintf(stderr, "%s\n", sqlite3_errmsg(db));
        return 1;
    }
    int n = sqlite3_column_count(stmt), rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        for (int i = 0; i < n; i++) {
            const unsigned char *v = sqlite3_column_text(stmt, i);
            printf("%s%c", v ? (const char *)v : "", i + 1 < n ? '|' : '\n');
        }
    if (rc != SQLITE_DONE) fprintf(stderr, "%s\n", sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return rc != SQLITE_DONE;
}

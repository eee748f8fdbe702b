/* Listings of lsof and of sqlsof in lsof mode, as lines that compare column for column. */
#include "listing.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static int compareLines(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *listingColumns(const char *listing, int onlyPid)
{
    const char *nl = strchr(listing, '\n'), *title = strstr(listing, " NAME");
    assert_true(nl && title && title < nl);
    size_t nameAt = (size_t)(title - listing) + 1;
    char **rows = calloc(strlen(listing) / 10 + 1, sizeof *rows);
    size_t n = 0, total = 1;
    for (const char *line = nl + 1; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char *copy = strndup(line, len), *save, *w[9];
        int nw = 0;
        if (len > nameAt) {
            char *name = copy + nameAt;
            size_t nameLen = strlen(name);
            while (nameLen && name[nameLen - 1] == ' ') name[--nameLen] = '\0';
            copy[nameAt - 1] = '\0';
            for (char *t = strtok_r(copy, " ", &save); t && nw < 9; t = strtok_r(NULL, " ", &save))
                w[nw++] = t;
            int unixSock = nw >= 5 && !strcmp(w[4], "unix");
            if (unixSock && nw == 8) w[5] = "", nw = 8; /* lsof's kernel address */
            if (unixSock && nw == 7) {
                memmove(&w[6], &w[5], 2 * sizeof *w);
                w[5] = "", nw = 8;
            }
            if (nw == 8 && (!onlyPid || atoi(w[1]) == onlyPid)) {
                rows[n] = NULL;
                if (asprintf(&rows[n], "%s|%s|%s|%s|%s|%s", w[3], w[4], w[5], w[6], w[7], name) < 0)
                    fail();
                total += strlen(rows[n++]) + 1;
            }
        }
        free(copy);
        line = end ? end + 1 : line + len;
    }
    qsort(rows, n, sizeof *rows, compareLines);
    char *out = malloc(total), *p = out;
    *p = '\0';
    for (size_t i = 0; i < n; i++) {
        p += sprintf(p, "%s\n", rows[i]);
        free(rows[i]);
    }
    free(rows);
    return out;
}

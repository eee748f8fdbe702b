/*
** lsof mode against the real lsof 4.95 on one process holding a descriptor of every kind
** (make_fd.h): `sqlsof -n -P -p PID` and `lsof -n -P -p PID` list the same lines, column for
** column, except a unix socket's DEVICE (the kernel address, which sock_diag does not give).
** lsof says PSXMQ only when an mqueue file system is in its mount table: it runs in a mount
** namespace of its own with one mounted, as most hosts have at /dev/mqueue.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "command.h"
#include "fixture.h"
#include "make_fd.h"
#include "shell.h"
#include "testmain.h"

static struct fixture fx;
static struct made_fds made;

static int setup(void **state)
{
    (void)state;
    fixtureStartReport(&fx, makeFdFixture, NULL, &made, sizeof made);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fixtureStop(&fx);
    makeFdCleanup(&made);
    return 0;
}

static int compareLines(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
** The listing's lines as sorted "FD|TYPE|DEVICE|SIZE/OFF|NODE|NAME" (malloc'd): the columns
** before NAME are words, NAME starts under its title. A unix socket's DEVICE is left out.
*/
static char *normalise(const char *listing)
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
            if (nw == 8) {
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

/* lsof in a mount namespace with an mqueue file system mounted. */
static char *lsofListing(const char *args)
{
    return testShellOk("d=$(mktemp -d) && unshare -m sh -c \"mount -t mqueue none $d && "
                       "lsof -n -P %s\"; s=$?; rmdir $d; exit $s",
                       args);
}

static void every_kind_as_lsof_prints_it(void **state)
{
    (void)state;
    char args[64];
    snprintf(args, sizeof args, "-p %d", fx.pid);
    char *ours = testShellOk("%s -n -P %s", testSqlsof(), args), *theirs = lsofListing(args);
    char *x = normalise(ours), *y = normalise(theirs);
    if (strcmp(x, y)) fail_msg("--- sqlsof:\n%s--- lsof:\n%s", x, y);
    /* Each kind is in the comparison, as lsof names it. */
    static const char *const names[] = {
        "[eventfd:",          "[eventpoll:", "[pidfd:",       "|net\n",     "PSXMQ|", "pack|",
        "|ALL|type=SOCK_RAW", "sock|0,9|",   "protocol: TCP", "127.0.0.1:", NULL};
    for (int i = 0; names[i]; i++)
        if (!strstr(x, names[i])) fail_msg("no %s in\n%s", names[i], x);
    assert_null(strstr(x, "::ffff:"));
    free(x), free(y), free(ours), free(theirs);
}

/* The epoll's NAME lists exactly the fds it watches, ascending. */
static void epoll_names_its_targets(void **state)
{
    (void)state;
    const struct made_fd *ep = madeFd(&made, "epoll");
    assert_non_null(ep);
    char *out = testShellOk("%s -n -P -a -p %d -d %d -F n", testSqlsof(), fx.pid, ep->fd[0]);
    char want[64];
    snprintf(want, sizeof want, "n[eventpoll:%d,%d]\n", ep->fd[1], ep->fd[3]);
    assert_non_null(strstr(out, want));
    free(out);
}

TEST_MAIN("lsof_kinds", setup, teardown,
          {cmocka_unit_test(every_kind_as_lsof_prints_it),
           cmocka_unit_test(epoll_names_its_targets)})

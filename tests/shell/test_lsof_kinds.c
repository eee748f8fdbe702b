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
#include "listing.h"
#include "make_fd.h"
#include "shell.h"
#include "testmain.h"

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
    snprintf(args, sizeof args, "-p %d", makeFdFx.pid);
    char *ours = testShellOk("%s -n -P %s", testSqlsof(), args), *theirs = lsofListing(args);
    char *x = listingColumns(ours, 0), *y = listingColumns(theirs, 0);
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
    const struct made_fd *ep = madeFd(&makeFdMade, "epoll");
    assert_non_null(ep);
    char *out = testShellOk("%s -n -P -a -p %d -d %d -F n", testSqlsof(), makeFdFx.pid, ep->fd[0]);
    char want[64];
    snprintf(want, sizeof want, "n[eventpoll:%d,%d]\n", ep->fd[1], ep->fd[3]);
    assert_non_null(strstr(out, want));
    free(out);
}

TEST_MAIN("lsof_kinds", makeFdGroupSetup, makeFdGroupTeardown,
          {cmocka_unit_test(every_kind_as_lsof_prints_it),
           cmocka_unit_test(epoll_names_its_targets)})

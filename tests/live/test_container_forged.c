/*
** A container a user makes up: a process of nobody's in a cgroup docker-<64 hex>.scope under
** its own delegated subtree (user@65534.service, where systemd lets a user name cgroups) is not
** a docker container: no state of docker's confirms the id. The same cgroup name outside a
** user's subtree is one (the cgroup driver's own form), which shows the test tells them apart.
*/
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "command.h"
#include "fixture.h"
#include "shell.h"
#include "testmain.h"

#define ID    "f0a9f0a9f0a9f0a9f0a9f0a9f0a9f0a9f0a9f0a9f0a9f0a9f0a9f0a9f0a9f0a9"
#define SCOPE "docker-" ID ".scope"

/* The cgroup v2 hierarchy: /sys/fs/cgroup/unified on a hybrid host, else /sys/fs/cgroup. */
static const char *v2Root(void)
{
    struct stat st;
    return stat("/sys/fs/cgroup/unified/cgroup.procs", &st) == 0 ? "/sys/fs/cgroup/unified"
                                                                 : "/sys/fs/cgroup";
}

static int asNobody(void *arg)
{
    (void)arg;
    return setgroups(0, NULL) || setgid(65534) || setuid(65534);
}

/* What the processes and containers tables say of a nobody process moved into SUB/SCOPE. */
static char *attribution(const char *sub)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/%s/" SCOPE, v2Root(), sub);
    struct fixture fx;
    fixtureStart(&fx, asNobody, NULL);
    free(testShellOk("mkdir -p '%s' && echo %d > '%s/cgroup.procs'", dir, fx.pid, dir));
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT container_runtime, container_id = '" ID "' AS id, (SELECT count(*) FROM "
             "containers WHERE id = '" ID "') AS rows FROM processes WHERE pid = %d",
             fx.pid);
    char *out = testSqlsofCsv(sql, NULL);
    fixtureStop(&fx);
    /* the process is gone: its cgroup can go */
    free(testShellOk("rmdir '%s'", dir));
    return out;
}

static void forged_in_a_users_subtree(void **state)
{
    (void)state;
    /* a parent of the test's own: nothing of the host's is touched */
    char *out = attribution("sqlsof-test-user.slice/user@65534.service/app.slice");
    assert_string_equal(out, "container_runtime,id,rows\r\n,,0\r\n");
    free(out);
    out = attribution("sqlsof-test.slice");
    assert_string_equal(out, "container_runtime,id,rows\r\ndocker,1,1\r\n");
    free(out);
    free(testShellOk("rmdir %s/sqlsof-test-user.slice/user@65534.service/app.slice "
                     "%s/sqlsof-test-user.slice/user@65534.service %s/sqlsof-test-user.slice "
                     "%s/sqlsof-test.slice 2>/dev/null; true",
                     v2Root(), v2Root(), v2Root(), v2Root()));
}

TEST_MAIN("container_forged", NULL, NULL, {cmocka_unit_test(forged_in_a_users_subtree)})

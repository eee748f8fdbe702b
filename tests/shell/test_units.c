/*
** The systemd units of dist/systemd: systemd-analyze verifies them (the command as built, the
** man page as installed) and rates the service's exposure at 3.0 or better (it was 9.0 with
** every capability); the capability bounding set the service keeps is what the collection
** needs, checked by running sqlsof under exactly that set (setpriv): a process of nobody's and
** a listener in another network namespace are seen as with every capability, and without any
** one of the three something is missing.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "command.h"
#include "fixture.h"
#include "shell.h"
#include "testmain.h"

#define UNIT "dist/systemd/sqlsof-prom.service"
#define TMP  "build/tests/units"

static void verify_and_exposure(void **state)
{
    (void)state;
    free(testShellOk("rm -rf " TMP " && mkdir -p " TMP "/man/man1 && cp build/sqlsof.1 " TMP
                     "/man/man1/ && sed \"s|/usr/bin/sqlsof|$PWD/build/sqlsof|\" " UNIT " > " TMP
                     "/sqlsof-prom.service && cp dist/systemd/sqlsof-prom.timer " TMP "/"));
    free(testShellOk("MANPATH=" TMP "/man systemd-analyze verify " TMP "/sqlsof-prom.service " TMP
                     "/sqlsof-prom.timer"));
    /* --threshold: exit non-zero above 3.0 */
    free(testShellOk("systemd-analyze security --offline=yes --threshold=30 " UNIT " >/dev/null"));
}

/* The CapabilityBoundingSet of the unit, as setpriv's list ("+sys_ptrace,+..."), without WITHOUT. */
static char *boundingSet(const char *without)
{
    return testShellOk("sed -n 's/^CapabilityBoundingSet=//p' " UNIT " | tr ' ' '\\n' | "
                       "grep -v '^%s$' | tr 'A-Z' 'a-z' | sed 's/^cap_/+/' | paste -sd, -",
                       without);
}

/* What sqlsof sees of PID's fds and of port 4557, under the bounding set CAPS ("" for all). */
static char *seen(const char *caps, int pid)
{
    char *set = *caps ? strdup(caps) : NULL;
    if (set) set[strcspn(set, "\n")] = '\0';
    char *out = testShellOk("%s%s%s %s --csv 'SELECT (SELECT count(*) FROM fds WHERE pid = %d), "
                            "(SELECT count(pos) FROM fds WHERE pid = %d), (SELECT count(*) FROM "
                            "sockets WHERE local_port = 4557)' 2>/dev/null",
                            set ? "setpriv --inh-caps -all --bounding-set -all," : "",
                            set ? set : "", set ? " --" : "", testSqlsof(), pid, pid);
    free(set);
    return out;
}

static void capabilities_are_what_collection_needs(void **state)
{
    (void)state;
    struct command_result r;
    /* nobody's process with a file open, and a listener in a network namespace of its own. */
    free(testShellOk(
        "setpriv --reuid nobody --regid nogroup --clear-groups sh -c "
        "'exec 3</etc/hostname; exec sleep 60' </dev/null >/dev/null 2>&1 & echo $! > " TMP
        "/nobody.pid; unshare -n sh -c 'ip link set lo up; exec python3 -c \"import "
        "socket, time; s = socket.socket(); s.bind((\\\"127.0.0.1\\\", 4557)); "
        "s.listen(); time.sleep(60)\"' </dev/null >/dev/null 2>&1 & echo $! > " TMP
        "/netns.pid; sleep 1"));
    char *pidText = testReadFile(TMP "/nobody.pid");
    int pid = atoi(pidText);
    free(pidText);
    char *all = seen("", pid);
    char *kept = boundingSet("NONE");
    char *under = seen(kept, pid);
    char *fewer[3];
    static const char *const caps[] = {"CAP_SYS_PTRACE", "CAP_DAC_READ_SEARCH", "CAP_SYS_ADMIN"};
    for (size_t i = 0; i < sizeof caps / sizeof *caps; i++) {
        char *set = boundingSet(caps[i]);
        fewer[i] = seen(set, pid);
        free(set);
    }
    testShell(&r, "kill $(cat " TMP "/nobody.pid) $(cat " TMP "/netns.pid)");
    testCommandFree(&r);
    assert_string_equal(under, all);
    /* sleep's descriptors (3 and what it inherited), their fdinfo, and the listener. */
    int fds = 0, pos = 0, listeners = 0;
    const char *row = strchr(all, '\n');
    assert_true(row && sscanf(row + 1, "%d,%d,%d", &fds, &pos, &listeners) == 3);
    if (fds < 4 || pos != fds || listeners < 1) fail_msg("with every capability: %s", all);
    for (size_t i = 0; i < sizeof caps / sizeof *caps; i++) {
        if (!strcmp(fewer[i], all)) fail_msg("without %s: the same (%s)", caps[i], fewer[i]);
        free(fewer[i]);
    }
    free(all);
    free(kept);
    free(under);
}

TEST_MAIN("units", NULL, NULL,
          {cmocka_unit_test(verify_and_exposure),
           cmocka_unit_test(capabilities_are_what_collection_needs)})

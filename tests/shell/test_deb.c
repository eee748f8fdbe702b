/*
** `make deb`: Debian's tools build the packages and lintian finds no error; installed, the
** command runs, sqlite3 loads the installed extension, a program builds against the -dev
** package through pkg-config, systemd accepts the units; purged, nothing of them is left.
** The packages are purged again by the group's teardown, so a failed test leaves none behind.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "shell.h"
#include "sqlsof.h"
#include "testmain.h"

#define APT     "DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -y -q "
#define UNITDIR "/lib/systemd/system"

/* Every path the packages put on the system, and the enablement the timer leaves. */
static const char *const installed[] = {
    "/usr/bin/sqlsof",
    "/usr/lib/sqlsof/sqlsof.so",
    "/usr/lib/libsqlsof.a",
    "/usr/include/sqlsof.h",
    "/usr/lib/pkgconfig/sqlsof.pc",
    "/usr/share/man/man1/sqlsof.1.gz",
    "/usr/share/sqlsof/metrics.sql",
    "/usr/share/sqlsof/views.sql",
    "/usr/share/sqlsof/prometheus/sqlsof-rules.yml",
    UNITDIR "/sqlsof-prom.service",
    UNITDIR "/sqlsof-prom.timer",
    "/etc/systemd/system/timers.target.wants/sqlsof-prom.timer",
};

static int purge(void **state)
{
    (void)state;
    struct command_result r;
    testShell(&r, "dpkg-query -W sqlsof libsqlsof-dev >/dev/null 2>&1 || exit 0; " APT
                  "purge sqlsof libsqlsof-dev");
    testCommandFree(&r);
    return 0;
}

static void build_install_purge(void **state)
{
    (void)state;
    /* Not installed before: this test owns what it installs. */
    struct command_result r;
    testShell(&r, "dpkg-query -W -f '${Status}' sqlsof libsqlsof-dev 2>/dev/null | "
                  "grep -q 'ok installed'");
    if (r.status == 0) fail_msg("sqlsof is installed already: apt-get purge sqlsof libsqlsof-dev");
    testCommandFree(&r);

    /* lintian runs inside `make deb` with --fail-on error. */
    char *out = testShellOk("make -s deb 2>&1");
    assert_null(strstr(out, "\nE: "));
    free(out);
    out = testShellOk("dpkg-deb -f build/deb/sqlsof_" SQLSOF_VERSION "_*.deb Version Depends");
    assert_non_null(strstr(out, "Version: " SQLSOF_VERSION "\n"));
    assert_non_null(strstr(out, "libsqlite3-0"));
    assert_non_null(strstr(out, "libmnl0"));
    free(out);

    free(testShellOk(APT "install ./build/deb/sqlsof_" SQLSOF_VERSION
                         "_*.deb ./build/deb/libsqlsof-dev_" SQLSOF_VERSION "_*.deb >/dev/null"));
    for (size_t i = 0; i < sizeof installed / sizeof *installed; i++)
        if (access(installed[i], F_OK) != 0) fail_msg("%s is not installed", installed[i]);

    out = testShellOk("/usr/bin/sqlsof --version");
    assert_true(
        !strncmp(out, "sqlsof " SQLSOF_VERSION " (SQLite ", strlen("sqlsof " SQLSOF_VERSION)));
    free(out);
    /* The installed command answers about this very process, and writes metrics. */
    out =
        testShellOk("/usr/bin/sqlsof --csv 'SELECT name FROM processes WHERE pid = %d'", getpid());
    assert_string_equal(out, "name\r\ntest_deb\r\n");
    free(out);
    out = testShellOk("/usr/bin/sqlsof --prom | promtool check metrics && echo ok");
    assert_string_equal(out, "ok\n");
    free(out);

    /* sqlite3 loads the installed extension. */
    out = testShellOk("sqlite3 :memory: '.load /usr/lib/sqlsof/sqlsof' "
                      "'SELECT sqlsof_version(), name FROM processes WHERE pid = %d'",
                      getpid());
    assert_string_equal(out, SQLSOF_VERSION "|test_deb\n");
    free(out);

    /* A program links the installed static library through the installed .pc file. */
    out = testShellOk("cc -o build/tests/deb-embed tests/embed/embed.c "
                      "$(pkg-config --cflags --static --libs sqlsof) && "
                      "echo 'SELECT sqlsof_version()' | build/tests/deb-embed");
    assert_string_equal(out, SQLSOF_VERSION "\n");
    free(out);

    /* systemd accepts the units as installed (the command and the man page they name exist). */
    free(testShellOk("systemd-analyze verify " UNITDIR "/sqlsof-prom.service " UNITDIR
                     "/sqlsof-prom.timer"));

    free(testShellOk(APT "purge sqlsof libsqlsof-dev >/dev/null"));
    for (size_t i = 0; i < sizeof installed / sizeof *installed; i++)
        if (access(installed[i], F_OK) == 0) fail_msg("%s is left after purge", installed[i]);
    out = testShellOk("ls -d /usr/lib/sqlsof /usr/share/sqlsof /usr/share/doc/sqlsof "
                      "/var/lib/systemd/deb-systemd-helper-enabled/*sqlsof* 2>/dev/null; "
                      "dpkg-query -W sqlsof libsqlsof-dev 2>/dev/null; true");
    assert_string_equal(out, "");
    free(out);
}

TEST_MAIN("deb", NULL, purge,
          {
              cmocka_unit_test(build_install_purge),
          })

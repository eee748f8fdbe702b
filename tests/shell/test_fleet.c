/*
** The fleet: the example alerting rules (promtool check rules, and promtool test rules on
** series made for each alert), then three simulated hosts scraped by a real Prometheus
** (tests/shell/fleet.py): the host with a listener on 3306 is the only one PromQL names, each
** host's collector sees its own processes only, and the series goes once the listener exits.
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
#include "testmain.h"

#define RULES "dist/prometheus/sqlsof-rules.yml"

static void alerting_rules(void **state)
{
    (void)state;
    char *out = testShellOk("promtool check rules " RULES);
    assert_non_null(strstr(out, "SUCCESS: 4 rules found"));
    free(out);
    /* Each alert fires on its series, at the time it should, with its summary. */
    out = testShellOk("cd dist/prometheus && promtool test rules sqlsof-rules.test.yml");
    assert_non_null(strstr(out, "SUCCESS"));
    free(out);
}

static void assertLine(const char *out, const char *line)
{
    char *want = malloc(strlen(line) + 3);
    sprintf(want, "\n%s\n", line);
    if (!strstr(out, want) && strncmp(out, want + 1, strlen(want + 1)))
        fail_msg("no line \"%s\" in:\n%s", line, out);
    free(want);
}

static void three_hosts(void **state)
{
    (void)state;
    static const char *hosts[] = {"host-a", "host-b", "host-c"};
    const char *listener = hosts[getpid() % 3]; /* any of them: none is special */
    char *out = testShellOk("timeout -s TERM 90 python3 tests/shell/fleet.py %s %s", testSqlsof(),
                            listener);
    char line[256];
    assertLine(out, "up: 3");
    snprintf(line, sizeof line, "before: %s=1", listener);
    assertLine(out, line);
    snprintf(line, sizeof line,
             "listener: host=%s protocol=tcp address=0.0.0.0 port=3306 process=mysqld user=root",
             listener);
    assertLine(out, line);
    /* Each collector sees its own namespace: its loop, itself, and mysqld where it runs. */
    for (int i = 0; i < 3; i++) {
        snprintf(line, sizeof line, "processes %s: ", hosts[i]);
        char *names = strstr(out, line);
        assert_non_null(names);
        names += strlen(line);
        size_t len = strcspn(names, "\n");
        int hasMysqld = strstr(names, "mysqld") && (size_t)(strstr(names, "mysqld") - names) < len;
        assert_int_equal(hasMysqld, hosts[i] == listener);
        assert_true(len < 40); /* a few names, not the machine's */
    }
    assertLine(out, "promtool: ok");
    assertLine(out, "after: (none)");
    printf("%s", out);
    free(out);
}

TEST_MAIN("fleet", NULL, NULL,
          {
              cmocka_unit_test(alerting_rules),
              cmocka_unit_test(three_hosts),
          })

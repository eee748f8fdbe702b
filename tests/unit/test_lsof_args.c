/* lsof's option syntax: bundling, attached and separate values, lists, exclusions, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lsof/lsof_args.h"
#include "testmain.h"

#define PARSE(o, ...)                                                                              \
    do {                                                                                           \
        char *argv_[] = {__VA_ARGS__};                                                             \
        char err_[256] = "";                                                                       \
        int rc_ = lsofParse(sizeof argv_ / sizeof *argv_, argv_, (o), err_, sizeof err_);          \
        if (rc_ != 0) fail_msg("unexpected error: %s", err_);                                      \
    } while (0)

static void expectError(const char *message, int argc, char **argv)
{
    struct lsof_opts o;
    char err[256] = "";
    assert_int_equal(lsofParse(argc, argv, &o, err, sizeof err), -1);
    assert_string_equal(err, message);
    lsofFree(&o);
}

static void listener_of_a_process(void **state)
{
    (void)state;
    struct lsof_opts o;
    PARSE(&o, "-i", "-sTCP:LISTEN", "-a", "-p", "1234");
    assert_true(o.inet);
    assert_int_equal(o.ninets, 0);
    assert_true(o.and);
    assert_int_equal(o.nstates, 1);
    assert_string_equal(o.states[0].protocol, "tcp");
    assert_int_equal(o.states[0].states.ninc, 1);
    assert_string_equal(o.states[0].states.inc[0], "LISTEN");
    assert_int_equal(o.pids.ninc, 1);
    assert_string_equal(o.pids.inc[0], "1234");
    assert_int_equal(o.commandWidth, 9);
    lsofFree(&o);
}

static void inet_specs(void **state)
{
    (void)state;
    struct lsof_opts o;
    PARSE(&o, "-i:3306", "-i", "6TCP@[::1]:22,80-90,ssh", "-i4udp@localhost");
    assert_int_equal(o.ninets, 3);
    assert_int_equal(o.inets[0].nports, 1);
    assert_int_equal(o.inets[0].ports[0].lo, 3306);
    assert_null(o.inets[0].protocol);
    assert_int_equal(o.inets[1].family, 6);
    assert_string_equal(o.inets[1].protocol, "tcp");
    assert_string_equal(o.inets[1].host, "::1");
    assert_int_equal(o.inets[1].nports, 2);
    assert_int_equal(o.inets[1].ports[1].lo, 80);
    assert_int_equal(o.inets[1].ports[1].hi, 90);
    assert_int_equal(o.inets[1].nportNames, 1);
    assert_string_equal(o.inets[1].portNames[0], "ssh");
    assert_int_equal(o.inets[2].family, 4);
    assert_string_equal(o.inets[2].protocol, "udp");
    assert_string_equal(o.inets[2].host, "localhost");
    lsofFree(&o);
}

static void bundled_and_attached(void **state)
{
    (void)state;
    struct lsof_opts o;
    PARSE(&o, "-nPlt", "-p12,^13", "-d", "0-2,cwd", "-F0pcn", "+c", "0", "-u", "root,^7");
    assert_true(o.noHosts && o.noPorts && o.numericUsers && o.terse);
    assert_int_equal(o.pids.ninc, 1);
    assert_int_equal(o.pids.nexc, 1);
    assert_string_equal(o.pids.exc[0], "13");
    assert_int_equal(o.fds.ninc, 2);
    assert_string_equal(o.fds.inc[0], "0-2");
    assert_string_equal(o.fields, "pcn"); /* '0' is fieldNul, not a field */
    assert_true(o.fieldNul);
    assert_int_equal(o.commandWidth, 0);
    assert_string_equal(o.users.inc[0], "root");
    assert_string_equal(o.users.exc[0], "7");
    lsofFree(&o);
}

/* lsof 4.95's own readings: -F0 alone is the default set, a second -F adds, -r TcN counts,
 * -w is accepted, -d fd and an exclusion-only -d list, "--" ends options. */
static void lsof_semantics(void **state)
{
    (void)state;
    struct lsof_opts o;
    PARSE(&o, "-F0");
    assert_string_equal(o.fields, "");
    assert_true(o.fieldNul);
    lsofFree(&o);
    PARSE(&o, "-Fn", "-Ftn", "-w");
    assert_string_equal(o.fields, "nt");
    assert_false(o.fieldNul);
    lsofFree(&o);
    PARSE(&o, "-r", "1c3", "-d", "fd");
    assert_int_equal(o.repeat, 1);
    assert_int_equal(o.repeatCount, 3);
    assert_string_equal(o.fds.inc[0], "fd");
    lsofFree(&o);
    PARSE(&o, "-d^1,^2", "--", "-p", "/x");
    assert_int_equal(o.fds.nexc, 2);
    assert_int_equal(o.pids.ninc, 0);
    assert_int_equal(o.nnames, 2);
    assert_string_equal(o.names[0], "-p");
    lsofFree(&o);
}

static void repeat_endpoints_names(void **state)
{
    (void)state;
    struct lsof_opts o;
    PARSE(&o, "-r", "2", "+E", "-U", "/var/log/syslog", "-sUDP:IDLE");
    assert_int_equal(o.repeat, 2);
    assert_false(o.repeatUntilEmpty);
    assert_int_equal(o.endpoints, 2);
    assert_true(o.unixSockets);
    assert_int_equal(o.nnames, 1);
    assert_string_equal(o.names[0], "/var/log/syslog");
    assert_string_equal(o.states[0].states.inc[0], "IDLE");
    lsofFree(&o);
    PARSE(&o, "+r", "-c", "/^ss.d$/", "-sTCP:^listen,established");
    assert_int_equal(o.repeat, 15);
    assert_true(o.repeatUntilEmpty);
    assert_string_equal(o.commands.inc[0], "/^ss.d$/");
    assert_string_equal(o.states[0].states.exc[0], "LISTEN");
    assert_string_equal(o.states[0].states.inc[0], "ESTABLISHED");
    lsofFree(&o);
}

static void errors(void **state)
{
    (void)state;
    expectError("illegal option character: Z", 1, (char *[]){"-Z"});
    expectError("exclude in an include -d list: ^2", 2, (char *[]){"-d", "1,^2"});
    expectError("illegal -r delay: 1cx", 1, (char *[]){"-r1cx"});
    expectError("illegal process ID: 12x", 2, (char *[]){"-p", "12x"});
    expectError("illegal -p list: 1,,2", 2, (char *[]){"-p", "1,,2"});
    expectError("-p needs a value", 1, (char *[]){"-p"});
    expectError("unknown protocol name (SCTP) in: -i SCTP:22", 1, (char *[]){"-iSCTP:22"});
    expectError("bad port in: -i :99999", 1, (char *[]){"-i:99999"});
    expectError("bad port in: -i TCP:", 1, (char *[]){"-iTCP:"});
    expectError("unknown tcp state name: BOGUS", 2, (char *[]){"-i", "-sTCP:BOGUS"});
    expectError("bad -s value, want PROTOCOL:STATE[,STATE]: TCP", 1, (char *[]){"-sTCP"});
    expectError("invalid file descriptor: 9-3", 2, (char *[]){"-d", "9-3"});
    expectError("invalid file descriptor: foo", 2, (char *[]){"-d", "foo"});
    expectError("unsupported -F field: Z", 1, (char *[]){"-FZ"});
    expectError("illegal option: +X", 1, (char *[]){"+X"});
}

TEST_MAIN("lsof_args", NULL, NULL,
          {
              cmocka_unit_test(listener_of_a_process),
              cmocka_unit_test(inet_specs),
              cmocka_unit_test(bundled_and_attached),
              cmocka_unit_test(repeat_endpoints_names),
              cmocka_unit_test(lsof_semantics),
              cmocka_unit_test(errors),
          })

/*
** Every failure says so: netlink refused by a seccomp filter (socket(AF_NETLINK) fails with
** EACCES, as under a hardened unit or a container's profile), a full standard output, a failed
** allocation (address space cut with RLIMIT_AS at many sizes); each is one line on stderr and a
** non-zero exit, never an empty answer or a crash. The collector still writes every metric that
** does not need sockets and counts what it left out. --shell finds the extension where the
** Debian package puts it (a path with a space, quoted), and refuses a database whose own table
** would answer in place of sqlsof's.
*/
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "command.h"
#include "shell.h"
#include "sockets.h"
#include "testmain.h"

#define DIR "build/tests/failures"

/* In a child: every socket(AF_NETLINK, ...) from now on fails with EACCES. */
static int refuseNetlink(void)
{
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_NETLINK, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {sizeof f / sizeof *f, f};
    return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
           prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

/* What `sqlsof ARGS...` (NULL-terminated) does with netlink refused: status, and its stdout
 * and stderr in R. */
static void runWithoutNetlink(struct command_result *r, char *const args[])
{
    char *argv[8] = {testSqlsof()};
    for (int i = 0; args[i] && i < 6; i++) argv[i + 1] = args[i];
    FILE *out = tmpfile(), *err = tmpfile();
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fileno(out), 1);
        dup2(fileno(err), 2);
        if (refuseNetlink() == 0) execv(argv[0], argv);
        _exit(127);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    size_t len;
    FILE *files[2] = {out, err};
    char **texts[2] = {&r->out, &r->err};
    for (int i = 0; i < 2; i++) {
        fflush(files[i]);
        len = (size_t)ftell(files[i]);
        *texts[i] = calloc(len + 1, 1);
        rewind(files[i]);
        assert_int_equal(fread(*texts[i], 1, len, files[i]), len);
        fclose(files[i]);
    }
}

#define REFUSED                                                                                    \
    "sqlsof: sockets: the kernel refused a NETLINK_SOCK_DIAG socket (a seccomp filter or "         \
    "security "                                                                                    \
    "policy denies netlink): no socket can be listed\n"

static void netlink_refused(void **state)
{
    (void)state;
    struct command_result r;
    runWithoutNetlink(&r, (char *[]){"SELECT count(*) FROM sockets", NULL});
    assert_int_equal(r.status, 1);
    assert_string_equal(r.out, "");
    assert_string_equal(r.err, REFUSED);
    testCommandFree(&r);
    /* lsof -i with an Internet socket of the test's own to list (the host may have none). */
    int port, l = tcpListen(1, &port);
    assert_true(l >= 0);
    runWithoutNetlink(&r, (char *[]){"-i", "-n", "-P", NULL});
    close(l);
    assert_int_equal(r.status, 1);
    assert_string_equal(r.out, "");
    assert_string_equal(r.err, REFUSED);
    testCommandFree(&r);
    /* Files are still listed where no socket is asked about. */
    runWithoutNetlink(&r, (char *[]){"--csv", "SELECT count(*) > 0 FROM fds", NULL});
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "count(*) > 0\r\n1\r\n");
    testCommandFree(&r);

    /* The collector: the socket metrics left out, named and counted; the rest written, the
     * file replaced, and the exit status 1. */
    free(testShellOk("rm -rf " DIR " && mkdir -p " DIR));
    runWithoutNetlink(&r, (char *[]){"--prom-dir", DIR, NULL});
    assert_int_equal(r.status, 1);
    assert_string_equal(
        r.err,
        REFUSED "sqlsof: metric sqlsof_listening_socket_info: no such table: metrics_sockets\n"
                "sqlsof: metric sqlsof_connections: no such table: metrics_sockets\n");
    testCommandFree(&r);
    char *text = testReadFile(DIR "/sqlsof.prom");
    assert_non_null(strstr(text, "\n# TYPE sqlsof_process_open_fds gauge\n"));
    assert_null(strstr(text, "sqlsof_listening_socket_info"));
    char *errors = strstr(text, "\nsqlsof_collect_errors ");
    assert_non_null(errors);
    assert_true(atoi(errors + 23) >= 3);
    free(text);
    free(testShellOk("promtool check metrics < " DIR "/sqlsof.prom"));
}

/* A full stdout: one line, exit 1, in every mode. */
static void full_stdout(void **state)
{
    (void)state;
    static const char *const modes[] = {"--prom", "--html", "-n -P", "'SELECT 1'",
                                        "--json 'SELECT 1'"};
    for (size_t i = 0; i < sizeof modes / sizeof *modes; i++) {
        char *out = testShellOk("%s %s > /dev/full 2>" DIR ".err; echo $?; cat " DIR ".err",
                                testSqlsof(), modes[i]);
        if (strcmp(out, "1\nsqlsof: cannot write the output: No space left on device\n") != 0)
            fail_msg("%s > /dev/full: %s", modes[i], out);
        free(out);
    }
}

/* With the address space cut at each of many sizes, from too small to start to enough: the
 * exit status is 0, or 1 with one line; never a crash (an allocation that fails is checked). */
static void out_of_memory(void **state)
{
    (void)state;
    static const char *const modes[] = {"-n -P", "'SELECT * FROM fds'"};
    for (size_t m = 0; m < sizeof modes / sizeof *modes; m++) {
        char *out = testShellOk(
            "for kb in $(seq 5000 31 7600); do "
            "  (ulimit -v $kb; %s %s >/dev/null 2>" DIR ".err); rc=$?; "
            "  grep -q 'error while loading shared libraries' " DIR ".err && continue; "
            "  [ $rc -le 1 ] && [ $(wc -l < " DIR ".err) -le 1 ] || "
            "    { echo \"at $kb KiB: status $rc\"; cat " DIR ".err; }; "
            "done",
            "build/sqlsof", modes[m]); /* AddressSanitizer's shadow needs more than that */
        if (*out) fail_msg("%s: %s", modes[m], out);
        free(out);
    }
}

/* --shell from the Debian layout (bin/ and lib/sqlsof/), under a path with a space. */
static void shell_finds_the_extension(void **state)
{
    (void)state;
    char *out =
        testShellOk("rm -rf '" DIR "/a b' && mkdir -p '" DIR "/a b/bin' '" DIR
                    "/a b/lib/sqlsof' && cp %s '" DIR "/a b/bin/' && "
                    "cp build/sqlsof.so '" DIR "/a b/lib/sqlsof/' && "
                    "echo 'SELECT count(*) > 0 FROM processes;' | '" DIR "/a b/bin/sqlsof' --shell",
                    "build/sqlsof"); /* the system's sqlite3 loads the plain build */
    assert_string_equal(out, "1\n");
    free(out);
}

/* A database with its own table named fds: refused, one line. */
static void shell_refuses_a_shadowing_table(void **state)
{
    (void)state;
    struct command_result r;
    testShell(&r, "rm -f " DIR "/own.db && sqlite3 " DIR "/own.db 'CREATE TABLE fds(pid, fd)' && "
                  "echo 'SELECT count(*) FROM fds;' | build/sqlsof --shell -bail " DIR "/own.db");
    assert_int_equal(r.status, 1);
    assert_string_equal(r.out, "");
    assert_string_equal(r.err,
                        "sqlsof: " DIR "/own.db has its own table or view fds, which would "
                        "answer in place of sqlsof's: open another database, or rename it\n");
    testCommandFree(&r);
    /* One with other tables is opened as before. */
    char *out =
        testShellOk("rm -f " DIR "/own.db && sqlite3 " DIR "/own.db 'CREATE TABLE t(a)' && "
                    "echo 'SELECT count(*) > 0 FROM fds;' | build/sqlsof --shell " DIR "/own.db");
    assert_string_equal(out, "1\n");
    free(out);
}

static int makeDir(void **state)
{
    (void)state;
    free(testShellOk("mkdir -p " DIR));
    return 0;
}

TEST_MAIN("failures", makeDir, NULL,
          {cmocka_unit_test(netlink_refused), cmocka_unit_test(full_stdout),
           cmocka_unit_test(out_of_memory), cmocka_unit_test(shell_finds_the_extension),
           cmocka_unit_test(shell_refuses_a_shadowing_table)})

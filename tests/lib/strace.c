#include "strace.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

static const char traced[] =
    "openat,readlinkat,newfstatat,getdents64,getxattr,read,sendmsg,recvmsg,setns,bpf";

void testSyscalls(const char *sql, struct syscall_counts *out)
{
    char *const argv[] = {"sqlite3",   "-bail", ":memory:", "-cmd", ".load build/sqlsof",
                          (char *)sql, NULL};
    testSyscallsOf(argv, out);
}

void testSyscallsOf(char *const argv[], struct syscall_counts *out)
{
    char report[] = "/tmp/sqlsof-strace-XXXXXX";
    int fd = mkstemp(report);
    assert_true(fd >= 0);
    close(fd);

    char *args[64] = {"strace", "-f", "-c", "-U", "name,calls", "-e", (char *)traced, "-o", report};
    int n = 9;
    for (int i = 0; argv[i] && n < 63; i++) args[n++] = argv[i];
    args[n] = NULL;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout)) _exit(127);
        /* LeakSanitizer cannot run under ptrace: a sanitized command leaves leaks to its
         * untraced runs. */
        setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
        execvp("strace", args);
        _exit(127);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("strace %s failed (status %d) on: %s", argv[0], status, args[n - 1]);

    memset(out, 0, sizeof *out);
    FILE *f = fopen(report, "r");
    assert_non_null(f);
    char name[64];
    long calls;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "%63s %ld", name, &calls) != 2) continue;
        if (!strcmp(name, "openat"))
            out->openat = calls;
        else if (!strcmp(name, "readlinkat"))
            out->readlinkat = calls;
        else if (!strcmp(name, "newfstatat"))
            out->newfstatat = calls;
        else if (!strcmp(name, "getdents64"))
            out->getdents64 = calls;
        else if (!strcmp(name, "getxattr"))
            out->getxattr = calls;
        else if (!strcmp(name, "read"))
            out->read = calls;
        else if (!strcmp(name, "sendmsg"))
            out->sendmsg = calls;
        else if (!strcmp(name, "recvmsg"))
            out->recvmsg = calls;
        else if (!strcmp(name, "setns"))
            out->setns = calls;
        else if (!strcmp(name, "bpf"))
            out->bpf = calls;
    }
    fclose(f);
    unlink(report);
}

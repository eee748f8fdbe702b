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

void testSyscallsf(struct syscall_counts *out, const char *fmt, ...)
{
    char *sql = NULL;
    va_list ap;
    va_start(ap, fmt);
    assert_true(vasprintf(&sql, fmt, ap) >= 0);
    va_end(ap);
    testSyscalls(sql, out);
    free(sql);
}

void testSyscallsOf(char *const argv[], struct syscall_counts *out)
{
    char report[] = "/tmp/sqlsof-strace-XXXXXX";
    int fd = mkstemp(report);
    assert_true(fd >= 0);
    close(fd);
    FILE *printed = tmpfile();
    assert_non_null(printed);

    char *args[64] = {"strace", "-f", "-c", "-U", "name,calls", "-e", (char *)traced, "-o", report};
    int n = 9;
    for (int i = 0; argv[i] && n < 63; i++) args[n++] = argv[i];
    args[n] = NULL;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (dup2(fileno(printed), 1) != 1) _exit(127);
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
    rewind(printed);
    if (fscanf(printed, "%lld", &out->value) != 1) out->value = -1;
    fclose(printed);
    FILE *f = fopen(report, "r");
    assert_non_null(f);
    /* strace -c's lines: "NAME CALLS". */
    static const struct {
        const char *name;
        size_t at;
    } counted[] = {
        {"openat", offsetof(struct syscall_counts, openat)},
        {"readlinkat", offsetof(struct syscall_counts, readlinkat)},
        {"newfstatat", offsetof(struct syscall_counts, newfstatat)},
        {"getdents64", offsetof(struct syscall_counts, getdents64)},
        {"getxattr", offsetof(struct syscall_counts, getxattr)},
        {"read", offsetof(struct syscall_counts, read)},
        {"sendmsg", offsetof(struct syscall_counts, sendmsg)},
        {"recvmsg", offsetof(struct syscall_counts, recvmsg)},
        {"setns", offsetof(struct syscall_counts, setns)},
        {"bpf", offsetof(struct syscall_counts, bpf)},
    };
    char name[64], line[256];
    long calls;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "%63s %ld", name, &calls) != 2) continue;
        for (size_t i = 0; i < sizeof counted / sizeof *counted; i++)
            if (!strcmp(name, counted[i].name)) *(long *)((char *)out + counted[i].at) = calls;
    }
    fclose(f);
    unlink(report);
}

#include "command.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "shell.h"

/* The whole of FD's content from the start, NUL-terminated. */
static char *slurp(int fd)
{
    lseek(fd, 0, SEEK_SET);
    size_t len = 0, cap = 4096;
    char *s = malloc(cap);
    ssize_t n;
    while ((n = read(fd, s + len, cap - len - 1)) > 0) {
        len += (size_t)n;
        if (cap - len < 2) s = realloc(s, cap *= 2);
    }
    s[len] = '\0';
    return s;
}

void testCommand(char *const argv[], struct command_result *r)
{
    /* Temporary files, not pipes: a large output cannot block the child. */
    FILE *out = tmpfile(), *err = tmpfile();
    assert_non_null(out);
    assert_non_null(err);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        dup2(devnull, 0);
        dup2(fileno(out), 1);
        dup2(fileno(err), 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r->out = slurp(fileno(out));
    r->err = slurp(fileno(err));
    fclose(out);
    fclose(err);
}

void testCommandFree(struct command_result *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

void testRunSqlsof(struct command_result *r, ...)
{
    char *argv[18] = {testSqlsof()};
    int argc = 1;
    va_list ap;
    va_start(ap, r);
    for (char *a; (a = va_arg(ap, char *));) {
        assert_true(argc < 17);
        argv[argc++] = a;
    }
    va_end(ap);
    argv[argc] = NULL;
    testCommand(argv, r);
}

/* PARAMS at most: the recipes take one or two. */
#define MAX_PARAMS 8

static char *sqlsofCsv(const char *sql, va_list ap)
{
    char *argv[2 * MAX_PARAMS + 4] = {testSqlsof(), "--csv"};
    int argc = 2;
    for (const char *p; (p = va_arg(ap, const char *));) {
        assert_true(argc < 2 * MAX_PARAMS + 2);
        argv[argc++] = "--param", argv[argc++] = (char *)p;
    }
    argv[argc++] = (char *)sql;
    argv[argc] = NULL;
    struct command_result r;
    testCommand(argv, &r);
    if (r.status != 0) fail_msg("sqlsof --csv: %s\n  in: %.200s", r.err, sql);
    free(r.err);
    return r.out;
}

char *testSqlsofCsv(const char *sql, ...)
{
    va_list ap;
    va_start(ap, sql);
    char *out = sqlsofCsv(sql, ap);
    va_end(ap);
    return out;
}

char *testRecipe(const char *file, ...)
{
    char path[256];
    snprintf(path, sizeof path, "sql/recipes/%s", file);
    char *sql = testReadFile(path);
    va_list ap;
    va_start(ap, file);
    char *out = sqlsofCsv(sql, ap);
    va_end(ap);
    free(sql);
    return out;
}

char *testSqlsof(void)
{
    static char path[4096];
    const char *dir = getenv("SQLSOF_BUILD");
    snprintf(path, sizeof path, "%s/sqlsof", dir && *dir ? dir : "build");
    return path;
}

#include "shell.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static void runLine(struct command_result *r, const char *fmt, va_list ap)
{
    char *line = NULL;
    assert_true(vasprintf(&line, fmt, ap) >= 0);
    char *argv[] = {"sh", "-c", line, NULL};
    testCommand(argv, r);
    free(line);
}

void testShell(struct command_result *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    runLine(r, fmt, ap);
    va_end(ap);
}

char *testShellOk(const char *fmt, ...)
{
    struct command_result r;
    va_list ap;
    va_start(ap, fmt);
    runLine(&r, fmt, ap);
    va_end(ap);
    if (r.status != 0) fail_msg("exit status %d; stderr:\n%s", r.status, r.err);
    free(r.err);
    return r.out;
}

char *testReadFile(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot open %s", path);
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) fwrite(chunk, 1, n, mem);
    fclose(f);
    fclose(mem);
    return text;
}

size_t testCount(const char *haystack, const char *needle)
{
    size_t n = 0;
    for (const char *p = haystack; (p = strstr(p, needle)); p += strlen(needle)) n++;
    return n;
}

/*
** Shell command lines for tests that drive other programs (make, cc, python3, node, chromium):
** `sh -c` on a formatted line, from the repository's root like every test. Built on
** testCommand().
*/
#ifndef SQLSOF_SHELL_H
#define SQLSOF_SHELL_H

#include <stddef.h>

#include "command.h"

/* Runs `sh -c LINE` (LINE formatted as printf does) and captures its result. */
void testShell(struct command_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Runs `sh -c LINE`; fails the test, showing its stderr, unless it exits 0. Returns its stdout
 * (malloc'd). */
char *testShellOk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The whole content of the file at PATH, NUL-terminated (malloc'd); fails the test if it
 * cannot be read. */
char *testReadFile(const char *path);

/* How many times NEEDLE occurs in HAYSTACK, not overlapping. */
size_t testCount(const char *haystack, const char *needle);

#endif

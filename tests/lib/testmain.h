/*
** The main() of a test program: runs the cmocka group NAME, with the group's SETUP and TEARDOWN
** (functions, or NULL), of the tests in braces, each a cmocka_unit_test(fn):
**
**     TEST_MAIN("fd_locks", NULL, NULL, {cmocka_unit_test(letters), cmocka_unit_test(garbled)})
**
** The list is the macro's last arguments (its commas are not inside parentheses).
*/
#ifndef SQLSOF_TESTMAIN_H
#define SQLSOF_TESTMAIN_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define TEST_MAIN(name, setup, teardown, ...)                                                      \
    int main(void)                                                                                 \
    {                                                                                              \
        const struct CMUnitTest tests[] = __VA_ARGS__;                                             \
        return cmocka_run_group_tests_name(name, tests, setup, teardown);                          \
    }

#endif

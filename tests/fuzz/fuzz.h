/*
** libFuzzer targets: each fuzz_NAME.c defines LLVMFuzzerTestOneInput for one parser. The
** input is handed over exactly as libFuzzer gives it (LEN bytes, no terminating NUL), so a
** parser that reads past its length is caught by AddressSanitizer. FUZZ_CHECK traps on a broken
** promise of the parser's header, which libFuzzer reports like a crash.
*/
#ifndef SQLSOF_FUZZ_H
#define SQLSOF_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) __builtin_trap();                                                             \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif

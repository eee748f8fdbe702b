/* fdInfoParse on arbitrary /proc/PID/fdinfo/N text, and fdInfoMode on what it found. */
#include "fd/fd_info.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fd_info info;
    if (fdInfoParse((const char *)data, size, &info) == 0) {
        char m = fdInfoMode(info.flags);
        FUZZ_CHECK(m == 0 || m == 'r' || m == 'w' || m == 'u');
    }
    return 0;
}

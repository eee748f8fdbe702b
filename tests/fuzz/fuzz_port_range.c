/* procParsePortRange on arbitrary ip_local_port_range text. */
#include "fuzz.h"
#include "proc/proc_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int low = -1, high = -1;
    if (procParsePortRange((const char *)data, size, &low, &high) == 0)
        FUZZ_CHECK(low >= 0 && low <= high && high <= 65535);
    return 0;
}

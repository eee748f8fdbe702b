/* sockCountsParse and sockCountsTimeWait on arbitrary /proc/net/protocols and sockstat text. */
#include "fuzz.h"
#include "sock/sock_inuse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sock_counts c;
    sockCountsParse((const char *)data, size, &c);
    sockCountsTimeWait((const char *)data, size);
    return 0;
}

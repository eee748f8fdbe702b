/* sockInuseParse on arbitrary /proc/net/protocols text. */
#include "fuzz.h"
#include "sock/sock_inuse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sockInuseParse((const char *)data, size);
    return 0;
}

/* The sock_diag inet message parser on an arbitrary netlink message (its last byte picks the
 * dump protocol, so tcp, udp and the rest are all reached). */
#include <string.h>

#include "diag/diag.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct diag_row row;
    memset(&row, 0, sizeof row);
    if (diagInetParse(data, size, size ? data[size - 1] : 6, &row) == 0)
        FUZZ_CHECK(row.pathLen <= sizeof row.path);
    return 0;
}

/* The sock_diag unix message parser on an arbitrary netlink message. */
#include <string.h>

#include "diag/diag.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct diag_row row;
    memset(&row, 0, sizeof row);
    if (diagUnixParse(data, size, &row) == 0) FUZZ_CHECK(row.pathLen <= sizeof row.path);
    return 0;
}

/* fdBpfParse and fdBpfParseId on arbitrary bytes, record after record, as the iterator reader
 * calls them. */
#include <linux/types.h>

#include "fd/fd_bpf.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fd_bpf_row row;
    size_t off = 0;
    long n;
    while ((n = fdBpfParse((const char *)data + off, size - off, &row)) > 0) {
        FUZZ_CHECK((size_t)n <= size - off && (size_t)n >= sizeof row.rec);
        FUZZ_CHECK(row.path == (const char *)data + off + sizeof row.rec);
        off += (size_t)n;
    }
    for (off = 0; (n = fdBpfParseId((const char *)data + off, size - off, &row)) > 0;)
        off += (size_t)n;
    return 0;
}

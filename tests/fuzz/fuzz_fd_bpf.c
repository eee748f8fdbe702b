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
        /* A record with a socket's fields has them between the header and the path. */
        size_t fields = (row.rec.flags & FDS_BPF_SOCKFIELDS) ? sizeof row.sock : 0;
        FUZZ_CHECK(row.path == (const char *)data + off + sizeof row.rec + fields);
        off += (size_t)n;
    }
    for (off = 0; (n = fdBpfParseId((const char *)data + off, size - off, &row)) > 0;)
        off += (size_t)n;
    return 0;
}

/* fdLocksParse on arbitrary /proc/locks text, then lookups of every lock it kept. */
#include "fd_locks.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fd_locks locks = {0};
    if (fdLocksParse(&locks, (const char *)data, size) != 0) return 0;
    for (int i = 0; i < locks.n; i++) {
        const struct fd_lock *l = &locks.v[i];
        FUZZ_CHECK(i == 0 || l[-1].pid <= l->pid);
        FUZZ_CHECK(fdLocksHasPid(&locks, l->pid));
        FUZZ_CHECK(fdLocksFind(&locks, l->pid, l->major, l->minor, l->inode) != 0);
    }
    fdLocksFree(&locks);
    return 0;
}

/*
** A stat(2) or statfs(2) that may never return, made with a deadline: for files of file systems whose
** getattr waits for a server (a FUSE daemon that stopped answering, an NFS export gone away),
** where a stat blocks until the server answers, uninterruptibly for a FUSE request the
** server has read. lsof hangs there; this answers -ETIMEDOUT after the deadline instead.
**
** The stat is made by a helper process (two forks, so it is nobody's child to reap), fed over
** a socketpair: a process, not a thread, because a thread stuck in such a wait keeps the
** whole process from exiting, and a helper stuck in it does not. It holds no descriptor of
** ours but its socket, and lives until its socket closes. A helper that misses the deadline
** is left where it is stuck, with its key (the mount): later stats of that key answer
** -ETIMEDOUT at once while it is stuck, and a new helper serves the other keys. A stuck helper
** that answers at last frees its key and exits. No SQLite here.
*/
#ifndef SQLSOF_STAT_GUARD_H
#define SQLSOF_STAT_GUARD_H

#include <sys/stat.h>
#include <sys/statfs.h>

#define STAT_GUARD_TIMEOUT_MS 500 /* the default deadline */
#define STAT_GUARD_STUCK      16  /* helpers left stuck at most; then every key answers at once */

struct stat_guard {
    int timeoutMs;
    int sock; /* the live helper's end of the socketpair, or -1 */
    struct {
        int key;  /* what the stuck helper was asked about: a mount id */
        int sock; /* its socket, readable when it answers at last */
    } stuck[STAT_GUARD_STUCK];
    int nStuck;
};

/* A guard with deadline TIMEOUTMS; no helper until the first stat. */
void statGuardInit(struct stat_guard *g, int timeoutMs);
/* The deadline SQLSOF_STAT_TIMEOUT_MS asks (1 ms to 10 minutes), else the default. */
int statGuardTimeoutFromEnv(void);
/*
** stat(2) of PATH (absolute, under 4 KB) by the helper, within the deadline. KEY names what
** may hang (a mount id; -1 unknown). Returns 0, -errno of the stat, -ETIMEDOUT when it did not
** answer in time or KEY's helper is still stuck, or -EAGAIN when no helper could be started.
*/
int statGuardStat(struct stat_guard *g, int key, const char *path, struct stat *st);
/* The same for statfs(2). */
int statGuardStatfs(struct stat_guard *g, int key, const char *path, struct statfs *fs);
/* Closes the live helper (it exits) and forgets the stuck ones (they exit when they wake). */
void statGuardFree(struct stat_guard *g);

#endif

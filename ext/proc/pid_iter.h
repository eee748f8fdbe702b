/*
** The processes a scan visits: every thread-group leader that /proc lists, or just the pids a
** query pushed down. Pushed pids come as asked: the caller checks that each exists and is a
** thread-group leader (see procIsLeader()), since /proc/TID opens for any thread too.
*/
#ifndef SQLSOF_PID_ITER_H
#define SQLSOF_PID_ITER_H

#include <dirent.h>

#include "util/buf.h"
#include "util/keyset.h"
#include "proc/proc_parse.h"

struct pid_iter {
    DIR *dir;                  /* walking /proc; NULL when walking PIDS */
    const struct keyset *pids; /* pushed pids, ascending */
    int next;                  /* index into PIDS */
};

/* Starts a walk of /proc (PIDS NULL) or of PIDS. Returns 0 or -errno. */
int pidIterStart(struct pid_iter *it, int procfd, const struct keyset *pids);
/* Starts a walk of the threads of process PID (/proc/PID/task): pidIterNext() then gives
 * their tids. Returns 0 or -errno (-ENOENT: gone). */
int pidIterStartTasks(struct pid_iter *it, int procfd, int pid);
/* Stores the next pid; returns 0 at the end, 1 otherwise. */
int pidIterNext(struct pid_iter *it, int *pid);
void pidIterStop(struct pid_iter *it);

/* Whether ERR (-errno) of a /proc read says the process or the fd has gone: ENOENT, ESRCH. */
int procGone(int err);

/* Opens /proc/PID as a directory fd (O_PATH), or returns -errno (-ENOENT: gone). */
int procOpenPid(int procfd, int pid);

/*
** Reads and parses the status file NAME under DIRFD ("status" under /proc/PID, or "PID/status"
** under /proc) into ST, using SCRATCH. Returns 0, -errno, or -EINVAL when it is garbled.
*/
int procReadStatus(int dirfd, const char *name, struct buf *scratch, struct proc_status *st);

/*
** Whether PID is a thread-group leader: 1 yes; 0 a thread or gone. /proc/TID opens for any
** thread, so a pushed pid is checked with its status's Tgid; when the status may not be read
** (hidepid=1, another user's process) with procIsListed(), as a full walk would see it.
*/
int procIsLeader(int procfd, int pid, struct buf *scratch);

/* Whether a walk of /proc lists PID (leaders only): one readdir of /proc. */
int procIsListed(int procfd, int pid);

#endif

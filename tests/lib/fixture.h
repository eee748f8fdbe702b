/*
** Live fixtures: a forked child that sets up real kernel state (a name, open files, sockets,
** a namespace), tells the test it is ready, and waits until the test stops it. Children die
** with the test (PR_SET_PDEATHSIG), so a failed test leaves nothing behind.
*/
#ifndef SQLSOF_FIXTURE_H
#define SQLSOF_FIXTURE_H

#include <stddef.h>
#include <sys/types.h>

#define FIXTURE_REPORT_MAX 4096

struct fixture {
    pid_t pid;
    _Alignas(max_align_t) char report[FIXTURE_REPORT_MAX]; /* what the setup reported, aligned for
                                                              any struct */
    size_t reportLen;
};

/*
** Forks a child that runs SETUP(ARG) and then sleeps until killed. Returns once SETUP has
** returned in the child, with the child's report in FX->report; fails the test if SETUP
** returned non-zero or the child died.
*/
void fixtureStart(struct fixture *fx, int (*setup)(void *arg), void *arg);

/* fixtureStart, then a copy of the child's report (SIZE bytes) into REPORT. */
void fixtureStartReport(struct fixture *fx, int (*setup)(void *arg), void *arg, void *report,
                        size_t size);

/* In the child's SETUP: hands LEN bytes of DATA to the parent (fx->report). */
void fixtureReport(const void *data, size_t len);

/* A SETUP for fixtureStart that names the child (its comm) ARG, a string: fixtureStart(&fx,
 * fixtureSetName, "sqlsof-x"). */
int fixtureSetName(void *arg);

/* How many descriptors PID holds: the entries of /proc/PID/fd (fails the test if it cannot list
 * them). */
int fixtureCountFds(pid_t pid);

/* Kills the child and reaps it. */
void fixtureStop(struct fixture *fx);

/* Reaps PID, a child the test forked to check something apart (as another user, say), and fails
 * the test unless it exited 0: such a child reports a failed check by its exit code. */
void fixtureWaitOk(pid_t pid);

/* A second thread of this process, idle until fixtureStopThread(); returns its thread id. */
long fixtureStartThread(void);
void fixtureStopThread(void);

#endif

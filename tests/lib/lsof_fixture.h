/*
** The lsof tests' live fixtures (test_lsof, test_recipes): a child holding one file of each kind
** lsof tells apart (a file, a TCP listener and both ends of a connection, UDP bound and
** connected, a pipe, a unix socketpair, a deleted file, many copies of one descriptor), and a
** child with a listener and a connection in a network namespace of its own. The children report
** their fd numbers and ports; the tests compare listings and recipe results with them.
*/
#ifndef SQLSOF_TEST_LSOF_FIXTURE_H
#define SQLSOF_TEST_LSOF_FIXTURE_H

#include "fixture.h"

/* What a fixture child holds, by fd number. */
struct lsofHeld {
    int file, listener, client, server, udpBound, udpConnected, pipeRead, unixA, unixB, deleted;
    int port, udpPort;
};

#define LSOF_DELETED_PATH "/tmp/sqlsof-recipe-deleted"
#define LSOF_DELETED_SIZE 12345
#define LSOF_REPEATS      60 /* extra descriptors of /etc/hostname: an fd leak */

/* The two children (named sqlsof-lsof-fx and sqlsof-ns-fx) and what each reported. */
extern struct fixture lsofFx, lsofNsFx;
extern struct lsofHeld lsofHeld, lsofNsHeld;

/* A group SETUP and TEARDOWN for TEST_MAIN: start both children; stop them. */
int lsofFixturesStart(void **state);
int lsofFixturesStop(void **state);

#endif

/*
** The sockets table's live fixtures: a child holding one socket of each kind the tests know
** exactly (inodes from fstat, ports from getsockname), and a child in a fresh network namespace
** with its own listener and a socket bound to its renamed lo. test_sockets (rows),
** test_sockets_pushdown and test_sockets_netns start both for their whole group.
*/
#ifndef SQLSOF_TEST_SOCK_FIXTURE_H
#define SQLSOF_TEST_SOCK_FIXTURE_H

#include "fixture.h"

/* What the socket fixture made; the child reports it. */
struct sockFixture {
    unsigned long long netns;
    int listenPort, listenBacklog;
    unsigned long long listenIno;
    int clientPort;
    unsigned long long clientIno, serverIno;
    int twPort; /* the client end of a closed connection, now in TIME_WAIT */
    int udpPort, udpConnPort;
    unsigned long long udpIno, udpConnIno;
    unsigned long long streamIno[2], dgramIno[2];
    unsigned long long namedIno, abstractIno, netlinkIno;
    int namedBacklog;
    char namedPath[64], abstractName[64];
    int boundPort; /* a TCP socket bound, neither listening nor connected */
    unsigned long long boundIno;
    int deferPort, halfOpenPort; /* a request socket: TCP_DEFER_ACCEPT waits for data */
    int listen6Port, mappedPort; /* a listener on ::1; an inet6 client of the inet listener */
    unsigned long long listen6Ino, mappedIno, packetIno;
};

/* The namespaced child's listener. */
struct nsFixture {
    unsigned long long netns, ino;
    int port;
    unsigned long long devIno; /* a UDP socket bound to the namespace's lo */
};

/* The name the namespaced child gives its lo, so that a name looked up in the wrong namespace
 * ("lo") shows. */
#define NS_LO "sqlsoflo"

/* What the children reported, and the namespaced child itself (its pid). */
extern struct sockFixture sockFx;
extern struct nsFixture nsFx;
extern struct fixture nsFxChild;

/* A group SETUP and TEARDOWN for TEST_MAIN: start both children; stop them, remove the named
 * unix socket's file. */
int sockFixturesStart(void **state);
int sockFixturesStop(void **state);

#endif

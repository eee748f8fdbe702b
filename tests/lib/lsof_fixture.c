/* The lsof tests' two children: see lsof_fixture.h. */
#include "lsof_fixture.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "sockets.h"

struct fixture lsofFx, lsofNsFx;
struct lsofHeld lsofHeld, lsofNsHeld;

/* A UDP socket bound to 127.0.0.1 on an ephemeral port, and one connected to it. */
static int udpLoopback(struct lsofHeld *h)
{
    struct sockaddr_in a = loopback(0);
    h->udpBound = socket(AF_INET, SOCK_DGRAM, 0);
    if (h->udpBound < 0 || bind(h->udpBound, (struct sockaddr *)&a, sizeof a) != 0) return -1;
    h->udpPort = portOf(h->udpBound);
    a = loopback(h->udpPort);
    h->udpConnected = socket(AF_INET, SOCK_DGRAM, 0);
    return h->udpConnected >= 0 && connect(h->udpConnected, (struct sockaddr *)&a, sizeof a) == 0
               ? 0
               : -1;
}

/* A TCP listener on 127.0.0.1 and both ends of a connection to it. */
static int tcpHold(struct lsofHeld *h)
{
    h->listener = tcpListen(4, &h->port);
    if (h->listener < 0) return -1;
    h->client = tcpConnect(h->port);
    h->server = accept(h->listener, NULL, NULL);
    return h->client < 0 || h->server < 0 ? -1 : 0;
}

static int holdSockets(void *arg)
{
    struct lsofHeld *h = arg;
    prctl(PR_SET_NAME, "sqlsof-lsof-fx");
    h->file = open("/etc/hostname", O_RDONLY);
    if (h->file < 0 || tcpHold(h) != 0 || udpLoopback(h) != 0) return -1;
    int p[2], u[2];
    if (pipe(p) != 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, u) != 0) return -1;
    h->pipeRead = p[0];
    h->unixA = u[0];
    h->unixB = u[1];
    h->deleted = open(LSOF_DELETED_PATH, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (h->deleted < 0 || ftruncate(h->deleted, LSOF_DELETED_SIZE) != 0 ||
        unlink(LSOF_DELETED_PATH) != 0)
        return -1;
    for (int i = 0; i < LSOF_REPEATS; i++)
        if (dup(h->file) < 0) return -1;
    fixtureReport(h, sizeof *h);
    return 0;
}

static int holdInNamespace(void *arg)
{
    struct lsofHeld *h = arg;
    if (unshare(CLONE_NEWNET) != 0 || loopbackUp() != 0) return -1;
    prctl(PR_SET_NAME, "sqlsof-ns-fx");
    if (tcpHold(h) != 0) return -1;
    fixtureReport(h, sizeof *h);
    return 0;
}

int lsofFixturesStart(void **state)
{
    (void)state;
    fixtureStartReport(&lsofFx, holdSockets, &lsofHeld, &lsofHeld, sizeof lsofHeld);
    fixtureStartReport(&lsofNsFx, holdInNamespace, &lsofNsHeld, &lsofNsHeld, sizeof lsofNsHeld);
    return 0;
}

int lsofFixturesStop(void **state)
{
    (void)state;
    fixtureStop(&lsofFx);
    fixtureStop(&lsofNsFx);
    return 0;
}

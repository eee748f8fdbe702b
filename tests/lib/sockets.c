#include "sockets.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

unsigned long long inodeOf(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 ? (unsigned long long)st.st_ino : 0;
}

int portOf(int fd)
{
    struct sockaddr_storage a;
    socklen_t len = sizeof a;
    if (getsockname(fd, (struct sockaddr *)&a, &len) != 0) return -1;
    if (a.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 *)&a)->sin6_port);
    return ntohs(((struct sockaddr_in *)&a)->sin_port);
}

unsigned long long nsOf(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (unsigned long long)st.st_ino : 0;
}

struct sockaddr_in loopback(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

int tcpListen(int backlog, int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = loopback(0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, backlog) != 0)
        return -1;
    *port = portOf(fd);
    return fd;
}

int tcpConnect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = loopback(port);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) return -1;
    return fd;
}

int tcpLoopbackPair(int *port)
{
    int l = tcpListen(4, port);
    if (l < 0 || tcpConnect(*port) < 0 || accept(l, NULL, NULL) < 0) return -1;
    return l;
}

int unixListen(const struct sockaddr_un *a, socklen_t len, int backlog)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || bind(fd, (const struct sockaddr *)a, len) != 0 || listen(fd, backlog) != 0)
        return -1;
    return fd;
}

int loopbackUp(void)
{
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
    int ok = s >= 0 && ioctl(s, SIOCGIFFLAGS, &ifr) == 0;
    ifr.ifr_flags |= IFF_UP;
    ok = ok && ioctl(s, SIOCSIFFLAGS, &ifr) == 0;
    if (s >= 0) close(s);
    return ok ? 0 : -1;
}

static void *acceptForever(void *arg)
{
    int fd = (int)(intptr_t)arg;
    for (;;) (void)accept(fd, NULL, NULL);
    return NULL;
}

int acceptSilently(int fd)
{
    pthread_t t;
    if (pthread_create(&t, NULL, acceptForever, (void *)(intptr_t)fd) != 0) return -1;
    return pthread_detach(t) == 0 ? 0 : -1;
}

#include "tables/conn.h"

#include <stdlib.h>
#include <string.h>

struct sqlsof_conn *connNew(void)
{
    struct sqlsof_conn *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    const char *env = getenv("SQLSOF_SOCKET_SOURCE");
    int source = env ? connSourceFromName(env) : -1;
    c->socketSource = source >= 0 ? (enum conn_socket_source)source : CONN_SOCKETS_AUTO;
    return c;
}

struct sqlsof_conn *connRetain(struct sqlsof_conn *c)
{
    c->refs++;
    return c;
}

void connRelease(void *p)
{
    struct sqlsof_conn *c = p;
    if (!c || --c->refs > 0) return;
    sockPortsFree(&c->ports);
    fdsSourceClear(&c->fds);
    free(c);
}

static struct conn_holder *slotOf(const struct sqlsof_conn *c, uint64_t inode)
{
    return (struct conn_holder *)&c->holders[inode & (CONN_HOLDERS - 1)];
}

void connNoteHolder(struct sqlsof_conn *c, uint64_t inode, int pid, int fd, int wholeHost)
{
    struct conn_holder *h = slotOf(c, inode);
    *h = (struct conn_holder){inode, pid, fd, wholeHost};
}

const struct conn_holder *connFindHolder(const struct sqlsof_conn *c, uint64_t inode)
{
    const struct conn_holder *h = slotOf(c, inode);
    return inode && h->inode == inode ? h : NULL;
}

static const char *const sourceNames[] = {
    [CONN_SOCKETS_AUTO] = "auto", [CONN_SOCKETS_DUMPS] = "dumps"};

int connSourceFromName(const char *name)
{
    for (int i = 0; i < (int)(sizeof sourceNames / sizeof *sourceNames); i++)
        if (strcmp(name, sourceNames[i]) == 0) return i;
    return -1;
}

const char *connSourceName(enum conn_socket_source s)
{
    return sourceNames[s];
}

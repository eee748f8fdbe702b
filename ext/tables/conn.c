/*
** The state the tables of one connection share (conn.h).
*/
#include "tables/conn.h"

#include <stdlib.h>
#include <string.h>

/* Per table: its name, the environment variable, and the mode words in mode order. */
static const struct {
    const char *table, *env;
    const char *const words[4];
} sourceTables[CONN_SOURCE_TABLES] = {
    [CONN_SOURCE_FDS] = {"fds", "SQLSOF_FDS_SOURCE", {"auto", "proc", "bpf", NULL}},
    [CONN_SOURCE_SOCKETS] = {"socket", "SQLSOF_SOCKET_SOURCE", {"auto", "dumps", NULL}},
    [CONN_SOURCE_ENDPOINTS] = {"endpoints",
                               "SQLSOF_ENDPOINTS_SOURCE",
                               {"auto", "proc", "bpf", NULL}},
};

const char *const *connSourceWords(enum conn_source_table t)
{
    return sourceTables[t].words;
}

const char *connSourceTable(enum conn_source_table t)
{
    return sourceTables[t].table;
}

const char *connSourceEnv(enum conn_source_table t)
{
    return sourceTables[t].env;
}

int connSourceFromName(enum conn_source_table t, const char *word)
{
    for (int m = 0; word && sourceTables[t].words[m]; m++)
        if (strcmp(word, sourceTables[t].words[m]) == 0) return m;
    return -1;
}

struct sqlsof_conn *connNew(void)
{
    struct sqlsof_conn *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    for (int t = 0; t < CONN_SOURCE_TABLES; t++) {
        int mode = connSourceFromName(t, getenv(sourceTables[t].env));
        c->sources[t].mode = mode >= 0 ? mode : SOURCE_AUTO;
    }
    statGuardInit(&c->guard, statGuardTimeoutFromEnv());
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
    sockRowsFree(&c->kill.seen);
    netnsFree(&c->kill.ns);
    fdBpfCacheFree(&c->bpf);
    epBpfCacheFree(&c->endpointsBpf);
    statGuardFree(&c->guard);
    free(c);
}

static struct conn_holder *slotOf(const struct sqlsof_conn *c, uint64_t inode)
{
    return (struct conn_holder *)&c->holders[inode & (CONN_HOLDERS - 1)];
}

int connFieldsAnswer(const struct sqlsof_conn *c)
{
    return c->sources[CONN_SOURCE_FDS].mode != FDS_SOURCE_PROC &&
           c->sources[CONN_SOURCE_SOCKETS].mode == SOURCE_AUTO && fdBpfCacheUsable(&c->bpf);
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

void connNoteSocket(struct sqlsof_conn *c, const void *owner, uint64_t inode,
                    const struct fds_bpf_sock *fields, const char *name, int len)
{
    struct conn_socket *k = &c->socket;
    k->owner = owner;
    k->inode = inode;
    k->fields = *fields;
    k->nameLen = len > 0 && (size_t)len <= sizeof k->name ? len : 0;
    if (k->nameLen) memcpy(k->name, name, (size_t)k->nameLen);
}

void connForgetSocket(struct sqlsof_conn *c, const void *owner)
{
    if (c->socket.owner == owner) c->socket.owner = NULL;
}

const struct conn_socket *connFindSocket(const struct sqlsof_conn *c, uint64_t inode)
{
    return c->socket.owner && c->socket.inode == inode ? &c->socket : NULL;
}

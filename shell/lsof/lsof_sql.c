/*
** lsof's options as SQL over the lsof views. lsof's rules:
**  - exclusions ('^' pids, users, commands, fds; excluded states) always apply;
**  - the selections (-p, -u, -c, -d, -i, -U, file names) are ORed, or ANDed with -a;
**  - -s states restrict the Internet files that -i selects: once a protocol has states to
**    include, Internet files of other protocols are not selected.
** Host and service names in -i are looked up here, so the query holds only numbers.
*/
#include "lsof/lsof_sql.h"

#include "lsof/lsof_endpoints.h"
#include "lsof/lsof_names.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "output.h"

/* A predicate list joined by AND or OR. */
struct terms {
    sqlite3_str *s;
    const char *join;
    int n;
};

static void termsStart(struct terms *t, sqlite3_str *s, const char *join)
{
    t->s = s;
    t->join = join;
    t->n = 0;
}

/* Appends one term (printf-style, %Q and %q allowed) after the joiner. */
static void term(struct terms *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = sqlite3_vmprintf(fmt, ap);
    va_end(ap);
    sqlite3_str_appendf(t->s, "%s(%s)", t->n++ ? t->join : "", text);
    sqlite3_free(text);
}

/* term() with one %s argument that it then frees: the predicate builders return new strings. */
static void termTake(struct terms *t, const char *fmt, char *text)
{
    term(t, fmt, text);
    sqlite3_free(text);
}

static int isDigits(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9') return 0;
    return 1;
}

/* "pid IN (1,2)" style: the SQL list of ITEMS (numbers as they are, others quoted). */
static char *sqlList(char *const *items, int n, int numbers)
{
    sqlite3_str *s = sqlite3_str_new(NULL);
    for (int i = 0; i < n; i++)
        sqlite3_str_appendf(s, numbers ? "%s%s" : "%s%Q", i ? ", " : "", items[i]);
    return sqlite3_str_finish(s);
}

/* -u: numbers are uids, words are login names. */
static char *userPredicate(char *const *items, int n)
{
    sqlite3_str *s = sqlite3_str_new(NULL);
    for (int i = 0; i < n; i++)
        sqlite3_str_appendf(s, isDigits(items[i]) ? "%suid = %s" : "%suser = %Q", i ? " OR " : "",
                            items[i]);
    return sqlite3_str_finish(s);
}

/* -c: a prefix of the command name, or /regex/. */
static char *commandPredicate(char *const *items, int n)
{
    sqlite3_str *s = sqlite3_str_new(NULL);
    for (int i = 0; i < n; i++) {
        const char *c = items[i];
        size_t len = strlen(c);
        if (len >= 2 && c[0] == '/' && c[len - 1] == '/')
            sqlite3_str_appendf(s, "%slsof_regexp(%.*Q, command)", i ? " OR " : "", (int)len - 2,
                                c + 1);
        else
            /* Bytes, as lsof compares: substr of a TEXT counts characters. */
            sqlite3_str_appendf(s, "%ssubstr(CAST(command AS BLOB), 1, %d) = CAST(%Q AS BLOB)",
                                i ? " OR " : "", (int)len, c);
    }
    return sqlite3_str_finish(s);
}

/* -d: numbers, ranges N-M, and the names cwd rtd txt mem DEL. */
static char *fdPredicate(char *const *items, int n)
{
    sqlite3_str *s = sqlite3_str_new(NULL);
    for (int i = 0; i < n; i++) {
        const char *d = items[i];
        const char *dash = strchr(d, '-');
        if (isDigits(d))
            sqlite3_str_appendf(s, "%sfd_num = %s", i ? " OR " : "", d);
        else if (!strcmp(d, "fd")) /* every descriptor, none of cwd rtd txt mem */
            sqlite3_str_appendf(s, "%sfd_num IS NOT NULL", i ? " OR " : "");
        else if (dash)
            sqlite3_str_appendf(s, "%sfd_num BETWEEN %.*s AND %s", i ? " OR " : "", (int)(dash - d),
                                d, dash + 1);
        else
            sqlite3_str_appendf(s, "%sfd = %Q", i ? " OR " : "", d);
    }
    return sqlite3_str_finish(s);
}

/* The addresses HOST stands for, as the sockets table writes them, into S ("'a', 'b'"). */
static int appendHostAddresses(sqlite3_str *s, const char *host, char *err, size_t errlen)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    if (getaddrinfo(host, NULL, &hints, &res) != 0 || !res) {
        snprintf(err, errlen, "unknown host name: %s", host);
        return -1;
    }
    int n = 0;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        char text[INET6_ADDRSTRLEN];
        const void *addr = a->ai_family == AF_INET
                               ? (const void *)&((struct sockaddr_in *)a->ai_addr)->sin_addr
                               : (const void *)&((struct sockaddr_in6 *)a->ai_addr)->sin6_addr;
        if (inet_ntop(a->ai_family, addr, text, sizeof text))
            sqlite3_str_appendf(s, "%s%Q", n++ ? ", " : "", text);
    }
    freeaddrinfo(res);
    return 0;
}

static void appendPortRanges(sqlite3_str *s, const char *column, const struct lsof_inet *in)
{
    for (int i = 0; i < in->nports; i++) {
        const struct lsof_port_range *r = &in->ports[i];
        if (r->lo == r->hi)
            sqlite3_str_appendf(s, "%s%s = %d", i ? " OR " : "", column, r->lo);
        else
            sqlite3_str_appendf(s, "%s%s BETWEEN %d AND %d", i ? " OR " : "", column, r->lo, r->hi);
    }
}

/* Service names become port numbers (per protocol when one is given). */
static int resolvePortNames(struct lsof_inet *in, char *err, size_t errlen)
{
    for (int i = 0; i < in->nportNames; i++) {
        struct servent *se = getservbyname(in->portNames[i], in->protocol);
        if (!se) {
            snprintf(err, errlen, "unknown service name: %s", in->portNames[i]);
            return -1;
        }
        struct lsof_port_range *p = realloc(in->ports, sizeof *p * (size_t)(in->nports + 1));
        if (!p) return -1;
        in->ports = p;
        int port = ntohs((uint16_t)se->s_port);
        in->ports[in->nports++] = (struct lsof_port_range){port, port};
    }
    in->nportNames = 0;
    return 0;
}

/* One -i spec as a predicate on the lsof views' Internet columns. */
static int inetPredicate(struct terms *sel, struct lsof_inet *in, char *err, size_t errlen)
{
    sqlite3_str *s = sqlite3_str_new(NULL);
    sqlite3_str_appendall(s, in->family == 4   ? "type = 'IPv4'"
                             : in->family == 6 ? "type = 'IPv6'"
                                               : "type IN ('IPv4', 'IPv6')");
    if (in->protocol) sqlite3_str_appendf(s, " AND protocol = %Q", in->protocol);
    if (in->host) {
        sqlite3_str *addrs = sqlite3_str_new(NULL);
        if (appendHostAddresses(addrs, in->host, err, errlen) != 0) {
            sqlite3_free(sqlite3_str_finish(addrs));
            sqlite3_free(sqlite3_str_finish(s));
            return -1;
        }
        char *list = sqlite3_str_finish(addrs);
        sqlite3_str_appendf(s, " AND (local_addr IN (%s) OR remote_addr IN (%s))", list, list);
        sqlite3_free(list);
    }
    if (resolvePortNames(in, err, errlen) != 0) {
        sqlite3_free(sqlite3_str_finish(s));
        return -1;
    }
    if (in->nports) {
        sqlite3_str_appendall(s, " AND (");
        appendPortRanges(s, "local_port", in);
        sqlite3_str_appendall(s, " OR ");
        appendPortRanges(s, "remote_port", in);
        sqlite3_str_appendall(s, ")");
    }
    char *text = sqlite3_str_finish(s);
    term(sel, "%s", text);
    sqlite3_free(text);
    return 0;
}

/*
** -s: which states the Internet selection keeps. lsof filters on the kernel's state number,
** which UDP sockets carry too: -sTCP:ESTABLISHED also lists connected UDP sockets, and an
** unconnected one is CLOSE (IDLE in sqlsof's words). -sUDP:... applies to UDP alone.
*/
static char *statesFor(const struct lsof_states *st, char *const *names, int n)
{
    char *list = sqlList(names, n, 0);
    int close = 0;
    for (int i = 0; i < n; i++) close |= !strcmp(names[i], "CLOSE");
    char *p = !strcmp(st->protocol, "udp")
                  ? sqlite3_mprintf("protocol = 'udp' AND state IN (%s)", list)
                  : sqlite3_mprintf("state IN (%s)%s", list,
                                    close ? " OR (protocol = 'udp' AND state = 'IDLE')" : "");
    sqlite3_free(list);
    return p;
}

static void statePredicates(struct terms *t, const struct lsof_opts *o)
{
    sqlite3_str *keep = sqlite3_str_new(NULL);
    struct terms any;
    termsStart(&any, keep, " OR ");
    for (int i = 0; i < o->nstates; i++) {
        const struct lsof_states *st = &o->states[i];
        if (st->states.ninc) {
            char *p = statesFor(st, st->states.inc, st->states.ninc);
            term(&any, "%s", p);
            sqlite3_free(p);
        }
        if (st->states.nexc)
            termTake(t, "NOT (%s)", statesFor(st, st->states.exc, st->states.nexc));
    }
    char *text = sqlite3_str_finish(keep);
    if (any.n) term(t, "%s", text);
    sqlite3_free(text);
}

/* The Internet selection: -i specs ORed, then the -s states. */
static int inetSelection(struct terms *sel, struct lsof_opts *o, char *err, size_t errlen)
{
    sqlite3_str *s = sqlite3_str_new(NULL);
    struct terms specs, states;
    sqlite3_str_appendall(s, "(");
    termsStart(&specs, s, " OR ");
    if (o->ninets == 0) term(&specs, "type IN ('IPv4', 'IPv6')");
    for (int i = 0; i < o->ninets; i++)
        if (inetPredicate(&specs, &o->inets[i], err, errlen) != 0) {
            sqlite3_free(sqlite3_str_finish(s));
            return -1;
        }
    sqlite3_str_appendall(s, ")");
    termsStart(&states, s, " AND ");
    states.n = 1; /* after the specs */
    statePredicates(&states, o);
    char *text = sqlite3_str_finish(s);
    term(sel, "%s", text);
    sqlite3_free(text);
    return 0;
}

/* Whether the lsof rows for cwd, rtd, txt and mem can be selected at all. */
static int wantsProcessFiles(const struct lsof_opts *o)
{
    int namedFd = 0, numericFdOnly = o->fds.ninc > 0;
    for (int i = 0; i < o->fds.ninc; i++)
        if (!isDigits(o->fds.inc[i]) && !strchr(o->fds.inc[i], '-') && strcmp(o->fds.inc[i], "fd"))
            namedFd = 1, numericFdOnly = 0;
    int narrowing = o->inet || o->unixSockets || numericFdOnly; /* select fds only */
    int broad = o->pids.ninc || o->users.ninc || o->commands.ninc || o->nnames || namedFd;
    if (o->and) return !narrowing;
    return broad || !narrowing;
}

/* Whether every row selected must be a socket the sockets table lists: -i or -U, ANDed or
 * alone. Then the query starts from sockets, where state and port filters reach the kernel. */
/*
** Whether the sockets may drive the query (lsof_sockets: the kernel applies state and port
** filters, the planner puts sockets outside). Not when -a ties it to pids: then the process's
** own fds drive it, and each socket is looked up through its holder (no dump of the host).
*/
static int onlySockets(const struct lsof_opts *o)
{
    int sockets = o->inet || o->unixSockets;
    if (o->and &&o->pids.ninc) return 0;
    int others = o->pids.ninc || o->users.ninc || o->commands.ninc || o->fds.ninc || o->nnames;
    return sockets && (o->and || !others) && !(o->inet && o->unixSockets && !o->and) &&
           o->endpoints != 2;
}

static void selections(struct terms *sel, const struct lsof_opts *o)
{
    if (o->pids.ninc) termTake(sel, "pid IN (%s)", sqlList(o->pids.inc, o->pids.ninc, 1));
    if (o->users.ninc) termTake(sel, "%s", userPredicate(o->users.inc, o->users.ninc));
    if (o->commands.ninc) termTake(sel, "%s", commandPredicate(o->commands.inc, o->commands.ninc));
    if (o->fds.ninc) termTake(sel, "%s", fdPredicate(o->fds.inc, o->fds.ninc));
    if (o->unixSockets) term(sel, "type = 'unix'");
    for (int i = 0; i < o->nnames; i++) termTake(sel, "%s", lsofNamePredicate(o->names[i], stderr));
}

static void exclusions(struct terms *t, const struct lsof_opts *o)
{
    if (o->pids.nexc) termTake(t, "pid NOT IN (%s)", sqlList(o->pids.exc, o->pids.nexc, 1));
    if (o->users.nexc) termTake(t, "NOT (%s)", userPredicate(o->users.exc, o->users.nexc));
    if (o->commands.nexc)
        termTake(t, "NOT (%s)", commandPredicate(o->commands.exc, o->commands.nexc));
    if (o->fds.nexc) termTake(t, "NOT coalesce(%s, 0)", fdPredicate(o->fds.exc, o->fds.nexc));
}

/* NAME written as lsof writes the files a file name selects: as that name (lsof_names.h). */
static char *namesAsGiven(const struct lsof_opts *o, const char *name)
{
    char *expr = sqlite3_mprintf("%s", name);
    for (int i = 0; i < o->nnames; i++) {
        char *shown = lsofNameShown(o->names[i]);
        if (!shown) continue;
        char *pred = lsofNamePredicate(o->names[i], NULL);
        char *wrapped = sqlite3_mprintf("CASE WHEN %s THEN %Q ELSE %s END", pred, shown, expr);
        sqlite3_free(pred);
        sqlite3_free(shown);
        sqlite3_free(expr);
        expr = wrapped;
    }
    return expr;
}

/* One SELECT of lsofPrint()'s columns from SOURCE, one of the lsof views, for the rows COND
 * (may be "") selects; with PEERS (+E), also the other ends of those rows; with ORDERED, in
 * lsof's order. */
static char *selectFrom(const struct lsof_opts *o, const char *source, const char *cond, int peers,
                        int ordered)
{
    int resolve = (o->noHosts ? 0 : 1) | (o->noPorts ? 0 : 2);
    sqlite3_str *sql = sqlite3_str_new(NULL);
    if (o->endpoints) {
        char *with = lsofEndpointsWith(cond, o->endpoints == 2, o->commandWidth);
        sqlite3_str_appendall(sql, with);
        sqlite3_free(with);
    }
    /* The listing prints no pgid, ppid, inode, protocol, flags or pos: only -F reads them. */
    const char *ids = o->fields ? "pgid, ppid" : "NULL AS pgid, NULL AS ppid";
    const char *more = o->fields ? "inode, protocol, flags, pos"
                                 : "NULL AS inode, NULL AS protocol, NULL AS flags, NULL AS pos";
    sqlite3_str_appendf(sql,
                        "SELECT command, pid, user, uid, %s, fd, mode, lock, type, device,"
                        " size_off, node,\n",
                        ids);
    /* Names of Internet sockets are written again when host or port names are wanted. */
    const char *name = "name";
    char *inetName = sqlite3_mprintf(
        "CASE WHEN type IN ('IPv4', 'IPv6') AND protocol IS NOT NULL THEN lsof_inet_name("
        "protocol, family, local_addr, local_port, remote_addr, remote_port, state, %d) ELSE "
        "name END",
        resolve);
    if (!inetName) outputOutOfMemory();
    if (resolve) name = inetName;
    char *shownName = namesAsGiven(o, name);
    if (!shownName) outputOutOfMemory();
    /* Endpoints name their processes as the COMMAND column does: cut to lsof's width. */
    char *shown = o->endpoints ? lsofEndpointName(shownName) : NULL;
    sqlite3_str_appendf(sql, "  %s AS name,\n", shown ? shown : shownName);
    sqlite3_free(shown);
    sqlite3_free(shownName);
    sqlite3_free(inetName);
    /* The views leave unix peers out: telling one costs sock_diag a walk of every unix socket
     * of the namespace, and only +E shows them. */
    if (o->endpoints)
        sqlite3_str_appendf(sql,
                            "  %s, fd_order\nFROM (SELECT *, CASE WHEN type = 'unix' "
                            "THEN (SELECT s.peer_inode FROM sockets s WHERE s.inode = v.inode) END "
                            "AS peer_inode FROM %s v) x",
                            more, source);
    else
        sqlite3_str_appendf(sql, "  %s, fd_order\nFROM %s x", more, source);
    if (*cond) sqlite3_str_appendf(sql, "\nWHERE %s", cond);
    if (peers && *cond) {
        char *rows = lsofEndpointRows(cond);
        sqlite3_str_appendall(sql, rows);
        sqlite3_free(rows);
    }
    if (ordered) sqlite3_str_appendall(sql, "\nORDER BY pid, fd_order, fd_num");
    if (sqlite3_str_errcode(sql) != SQLITE_OK) outputOutOfMemory(); /* else a cut query runs */
    return sqlite3_str_finish(sql);
}

int lsofBuildQuery(struct lsof_opts *o, struct lsof_query *q, char *err, size_t errlen)
{
    sqlite3_str *where = sqlite3_str_new(NULL);
    struct terms all, sel;

    memset(q, 0, sizeof *q);
    termsStart(&all, where, " AND ");
    exclusions(&all, o);
    sqlite3_str *selStr = sqlite3_str_new(NULL);
    termsStart(&sel, selStr, o->and ? " AND " : " OR ");
    selections(&sel, o);
    if (o->inet && inetSelection(&sel, o, err, errlen) != 0) {
        sqlite3_free(sqlite3_str_finish(selStr));
        sqlite3_free(sqlite3_str_finish(where));
        return -1;
    }
    int nsel = sel.n;
    char *selText = sqlite3_str_finish(selStr);
    if (nsel) term(&all, "%s", selText);
    sqlite3_free(selText);
    char *cond = sqlite3_str_finish(where);
    if (!cond) cond = sqlite3_mprintf(""); /* an empty sqlite3_str finishes as NULL */
    if (!cond) outputOutOfMemory();

    /* The descriptors are sorted by lsofPrint(): SQLite cannot take their order from the fds
     * table when processes is the outer loop, and sorts every row again. The other rows are
     * few, and their ORDER BY keeps a process's mapped files in the order maps gives. */
    int peers = o->endpoints == 2; /* +E: also the other ends, which are descriptors */
    const char *source = wantsProcessFiles(o) ? "lsof"
                         : onlySockets(o)     ? "lsof_sockets"
                                              : "lsof_fds";
    q->text = selectFrom(o, source, cond, peers, 1);
    if (wantsProcessFiles(o)) {
        q->part[q->nparts++] = selectFrom(o, "lsof_proc_files", cond, 0, 1);
        source = "lsof_fds";
    }
    q->part[q->nparts++] = selectFrom(o, source, cond, peers, 0);
    sqlite3_free(cond);
    return 0;
}

void lsofFreeQuery(struct lsof_query *q)
{
    sqlite3_free(q->text);
    for (int i = 0; i < q->nparts; i++) sqlite3_free(q->part[i]);
    memset(q, 0, sizeof *q);
}

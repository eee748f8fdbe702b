/*
** SQL functions that write socket names the way lsof's NAME column does, so that the lsof
** view (sql/views.sql) and `sqlsof` in lsof mode print what lsof prints:
**
**   lsof_inet_name(protocol, family, local_addr, local_port, remote_addr, remote_port, state,
**                  resolve)
**       '127.0.0.1:5432->127.0.0.1:40000 (ESTABLISHED)', '*:22 (LISTEN)', '[::1]:53' (the
**       protocol is lsof's NODE column, not part of NAME). RESOLVE: bit 0 looks up host names
**       (lsof without -n), bit 1 service names in /etc/services (lsof without -P).
**   lsof_unix_name(path, protocol, state, endpoint)
**       '/run/x.sock type=STREAM (LISTEN)', 'type=DGRAM ->INO=42 7,cat,3u (CONNECTED)'.
**   lsof_fd(fd)
**       the FD column's number: '3'; from 10000 on, '*' and the last three digits ('*005'),
**       as lsof 4.95 writes a descriptor too wide for its column (in -F output too).
*/
#include "tables/tables.h"
#include "util/buf.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#define RESOLVE_HOSTS 1
#define RESOLVE_PORTS 2

/*
** An Internet socket's name as it is written: on the stack, as every part of it is bounded
** (host and service names by getnameinfo's and getservbyport_r's buffers), so that a busy
** server's 12,000 names cost no allocation each. An address argument too long for it makes the
** function fail (no socket has one); lsof_unix_name, whose endpoint text has no bound, writes
** through an sqlite3_str.
*/
struct inet_name {
    char text[2 * NI_MAXHOST + 2 * 1024 + 64];
    size_t len;
    int tooLong;
};

static void nameAppend(struct inet_name *t, const char *s, size_t n)
{
    if (n >= sizeof t->text - t->len) {
        t->tooLong = 1;
        return;
    }
    memcpy(t->text + t->len, s, n);
    t->len += n;
}

static void nameAppendStr(struct inet_name *t, const char *s)
{
    nameAppend(t, s, strlen(s));
}

static int isWildcard(const char *addr)
{
    return !strcmp(addr, "0.0.0.0") || !strcmp(addr, "::");
}

/* Appends ADDR as lsof writes it: '*' for any, [v6], or a host name when asked. */
static void appendHost(struct inet_name *out, const char *addr, int inet6, int resolve)
{
    /* An IPv4 peer of a dual-stack socket ("::ffff:10.0.0.1") is written as IPv4, as lsof does. */
    if (inet6 && !strncmp(addr, "::ffff:", 7) && strchr(addr + 7, '.')) {
        addr += 7;
        inet6 = 0;
    }
    if (isWildcard(addr)) {
        nameAppend(out, "*", 1);
        return;
    }
    if (resolve & RESOLVE_HOSTS) {
        struct sockaddr_storage ss = {0};
        socklen_t len;
        if (inet6) {
            struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
            sin6->sin6_family = AF_INET6;
            len = sizeof *sin6;
            inet6 = inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1 ? inet6 : -1;
        } else {
            struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
            sin->sin_family = AF_INET;
            len = sizeof *sin;
            inet6 = inet_pton(AF_INET, addr, &sin->sin_addr) == 1 ? inet6 : -1;
        }
        char host[NI_MAXHOST];
        if (inet6 >= 0 && getnameinfo((struct sockaddr *)&ss, len, host, sizeof host, NULL, 0,
                                      NI_NAMEREQD) == 0) {
            nameAppendStr(out, host);
            return;
        }
    }
    if (inet6 > 0) nameAppend(out, "[", 1);
    nameAppendStr(out, addr);
    if (inet6 > 0) nameAppend(out, "]", 1);
}

/* decimalBefore() for a signed V. */
static char *signedBefore(char *end, sqlite3_int64 v)
{
    char *p = decimalBefore(end, v < 0 ? -(unsigned long long)v : (unsigned long long)v);
    if (v < 0) *--p = '-';
    return p;
}

static void appendPort(struct inet_name *out, int port, const char *protocol, int wildcard,
                       int resolve)
{
    if (port == 0 && wildcard) {
        nameAppend(out, "*", 1);
        return;
    }
    if (resolve & RESOLVE_PORTS) {
        struct servent se, *found = NULL;
        char buf[1024];
        if (getservbyport_r(htons((uint16_t)port), protocol, &se, buf, sizeof buf, &found) == 0 &&
            found) {
            nameAppendStr(out, found->s_name);
            return;
        }
    }
    char digits[24], *end = digits + sizeof digits;
    char *p = signedBefore(end, port); /* what SQL passed, as "%d" wrote it */
    nameAppend(out, p, (size_t)(end - p));
}

/* Returns OUT's text as the result, or its error (SQLITE_NOMEM) when building it failed. */
static void fnLsofResultStr(sqlite3_context *ctx, sqlite3_str *out)
{
    int rc = sqlite3_str_errcode(out);
    char *text = sqlite3_str_finish(out); /* NULL when empty, too */
    if (rc != SQLITE_OK) {
        sqlite3_free(text);
        sqlite3_result_error_code(ctx, rc);
        return;
    }
    sqlite3_result_text(ctx, text ? text : "", -1, text ? sqlite3_free : SQLITE_STATIC);
}

static const char *textArg(sqlite3_value *v)
{
    return sqlite3_value_type(v) == SQLITE_NULL ? NULL : (const char *)sqlite3_value_text(v);
}

static void lsofInetName(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *protocol = textArg(argv[0]), *family = textArg(argv[1]);
    const char *laddr = textArg(argv[2]), *raddr = textArg(argv[4]);
    const char *state = textArg(argv[6]);
    int lport = sqlite3_value_int(argv[3]), rport = sqlite3_value_int(argv[5]);
    int resolve = sqlite3_value_int(argv[7]);
    if (!protocol || !family || !laddr) return; /* NULL */
    int inet6 = !strcmp(family, "inet6");

    struct inet_name out;
    out.len = 0;
    out.tooLong = 0;
    appendHost(&out, laddr, inet6, resolve);
    nameAppend(&out, ":", 1);
    appendPort(&out, lport, protocol, isWildcard(laddr), resolve);
    if (raddr && (rport != 0 || !isWildcard(raddr))) {
        nameAppend(&out, "->", 2);
        appendHost(&out, raddr, inet6, resolve);
        nameAppend(&out, ":", 1);
        appendPort(&out, rport, protocol, 0, resolve);
    }
    /* lsof shows a state for TCP only, and leaves UDP's place for it blank. */
    if (!strcmp(protocol, "tcp")) {
        if (state) {
            nameAppend(&out, " (", 2);
            nameAppendStr(&out, state);
            nameAppend(&out, ")", 1);
        }
    } else {
        nameAppend(&out, " ", 1);
    }
    if (out.tooLong) {
        sqlite3_result_error(ctx, "lsof_inet_name: an address or state too long for a socket", -1);
        return;
    }
    out.text[out.len] = '\0'; /* nameAppend keeps room for it */
    sqlite3_result_text(ctx, out.text, -1, SQLITE_TRANSIENT);
}

static void lsofUnixName(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *path = textArg(argv[0]), *protocol = textArg(argv[1]);
    const char *state = textArg(argv[2]), *endpoint = textArg(argv[3]);
    sqlite3_str *out = sqlite3_str_new(sqlite3_context_db_handle(ctx));
    if (path && *path) sqlite3_str_appendf(out, "%s ", path);
    sqlite3_str_appendall(out, "type=");
    /* ASCII letters only, whatever the locale: the result is bytes, not characters. */
    for (const char *p = protocol ? protocol : "?"; *p; p++)
        sqlite3_str_appendchar(out, 1, *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p);
    if (endpoint && *endpoint) sqlite3_str_appendf(out, " %s", endpoint);
    const char *word = !state                          ? NULL
                       : !strcmp(state, "LISTEN")      ? "LISTEN"
                       : !strcmp(state, "ESTABLISHED") ? "CONNECTED"
                                                       : "UNCONNECTED";
    if (word) sqlite3_str_appendf(out, " (%s)", word);
    fnLsofResultStr(ctx, out);
}

static void lsofFd(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return; /* NULL */
    sqlite3_int64 fd = sqlite3_value_int64(argv[0]);
    char text[24], *end = text + sizeof text - 1, *p = signedBefore(end, fd);
    *end = '\0'; /* SQLite told where the text ends need not copy it again to add one */
    if (fd > 9999) {
        p = end - 4; /* the last three digits, after a '*' */
        *p = '*';
    }
    sqlite3_result_text(ctx, p, -1, SQLITE_TRANSIENT);
}

int lsofFunctionsRegister(sqlite3 *db)
{
    const int flags = SQLITE_UTF8 | SQLITE_DIRECTONLY;
    int rc =
        sqlite3_create_function(db, "lsof_inet_name", 8, flags, NULL, lsofInetName, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function(db, "lsof_unix_name", 4, flags | SQLITE_DETERMINISTIC, NULL,
                                     lsofUnixName, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function(db, "lsof_fd", 1, flags | SQLITE_DETERMINISTIC, NULL, lsofFd,
                                     NULL, NULL);
    return rc;
}

#include "lsof/lsof_endpoints.h"

#include <stdarg.h>

#include <sqlite3.h>

#include "output.h"

/* sqlite3_mprintf, or the end of the program without memory. */
static char *endsPrintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *endsPrintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = sqlite3_vmprintf(fmt, ap);
    va_end(ap);
    if (!s) outputOutOfMemory();
    return s;
}

char *lsofEndpointsWith(const char *cond, int peers, int width)
{
    char *where = *cond ? endsPrintf(" WHERE %s", cond) : endsPrintf("%s", "");
    /* The processes whose descriptors are printed: those COND selects and, for +E, their
     * peers (whose rows are printed too). */
    char *asked = endsPrintf("SELECT pid FROM lsof_fds%s", where);
    if (peers && *cond) {
        char *both =
            endsPrintf("%s UNION SELECT peer_pid FROM endpoints WHERE pid IN (%s)", asked, asked);
        sqlite3_free(asked);
        asked = both;
    }
    char *cmd = width > 0 ? endsPrintf("substr(p.name, 1, %d)", width) : endsPrintf("p.name");
    char *with =
        endsPrintf("WITH lsof_ends AS MATERIALIZED (\n"
                   "  SELECT e.pid, e.fd, e.kind, e.peer_pid, e.peer_fd, f2.type AS peer_type,\n"
                   "         e.peer_pid || ',' || %s || ',' || lsof_fd(e.peer_fd) || "
                   "coalesce(e.peer_mode, '') AS "
                   "peer\n"
                   "  FROM endpoints e JOIN processes p ON p.pid = e.peer_pid\n"
                   "  LEFT JOIN fds f2 ON f2.pid = e.peer_pid AND f2.fd = e.peer_fd%s%s%s)\n",
                   cmd, *cond ? "\n  WHERE e.pid IN (" : "", *cond ? asked : "", *cond ? ")" : "");
    sqlite3_free(cmd);
    sqlite3_free(asked);
    sqlite3_free(where);
    return with;
}

char *lsofEndpointName(const char *name)
{
    /* The peers of x, "pid,command,fd+mode" each, by pid and fd; for TCP only those of the same
     * family, as lsof pairs them (an IPv4 client of a dual-stack listener is not). */
    const char *list =
        "(SELECT group_concat(peer, ' ') FROM (SELECT n.peer FROM lsof_ends n WHERE n.pid = "
        "x.pid AND n.fd = x.fd_num AND (n.kind != 'tcp' OR n.peer_type = x.type) ORDER BY "
        "n.peer_pid, n.peer_fd))";
    return endsPrintf(
        "CASE WHEN x.fd_num IS NULL THEN %s\n"
        "  WHEN type = 'FIFO' OR type = 'PSXMQ' OR (type = 'a_inode' AND name GLOB "
        "'[[]eventfd:*') OR (type = 'CHR' AND name GLOB '/dev/pts/[0-9]*')\n"
        "    THEN %s || coalesce(' ' || %s, '')\n"
        "  WHEN type = 'CHR' AND name IN ('/dev/ptmx', '/dev/pts/ptmx')\n"
        "    THEN name || coalesce(' ->/dev/pts/' || (SELECT d.id FROM fd_details d WHERE d.pid ="
        " x.pid AND d.fd = x.fd_num) || ' ' || %s, '')\n"
        "  WHEN type = 'unix' AND peer_inode AND name GLOB '* (CONNECTED)'\n"
        "    THEN substr(name, 1, length(name) - 12) || ' ->INO=' || peer_inode ||"
        " coalesce(' ' || %s, '') || ' (CONNECTED)'\n"
        "  WHEN type IN ('IPv4', 'IPv6') AND protocol = 'tcp' AND state IS NOT NULL\n"
        "    THEN coalesce(substr(%s, 1, length(%s) - length(state) - 3) || ' ' || %s ||"
        " ' (' || state || ')', %s)\n"
        "  ELSE %s END",
        name, name, list, list, list, name, name, list, name, name);
}

char *lsofEndpointRows(const char *cond)
{
    return endsPrintf("\n   OR ((pid, fd_num) IN (SELECT n.peer_pid, n.peer_fd FROM lsof_ends n "
                      "WHERE (n.pid, n.fd) IN (SELECT pid, fd_num FROM lsof_fds WHERE %s)))",
                      cond);
}

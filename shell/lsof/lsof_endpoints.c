#include "lsof/lsof_endpoints.h"

#include <sqlite3.h>

char *lsofEndpointName(const char *name, int width)
{
    char *cmd =
        width > 0 ? sqlite3_mprintf("substr(p.name, 1, %d)", width) : sqlite3_mprintf("p.name");
    /* The peers of x, "pid,command,fd+mode" each, by pid and fd; for TCP only those of the same
     * family, as lsof pairs them (an IPv4 client of a dual-stack listener is not). */
    char *list = sqlite3_mprintf(
        "(SELECT group_concat(t, ' ') FROM (SELECT e.peer_pid || ',' || %s || ',' || e.peer_fd "
        "|| coalesce(e.peer_mode, '') AS t FROM endpoints e JOIN processes p ON p.pid = "
        "e.peer_pid WHERE e.pid = x.pid AND e.fd = x.fd_num AND (e.kind != 'tcp' OR (SELECT "
        "f2.type FROM fds f2 WHERE f2.pid = e.peer_pid AND f2.fd = e.peer_fd) = x.type) "
        "ORDER BY e.peer_pid, e.peer_fd))",
        cmd);
    char *expr = sqlite3_mprintf(
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
    sqlite3_free(list);
    sqlite3_free(cmd);
    return expr;
}

char *lsofEndpointRows(const char *cond)
{
    return sqlite3_mprintf("\n   OR ((pid, fd_num) IN (SELECT e.peer_pid, e.peer_fd FROM "
                           "endpoints e WHERE (e.pid, e.fd) IN (SELECT pid, fd_num FROM "
                           "lsof_fds WHERE %s)))",
                           cond);
}

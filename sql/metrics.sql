-- The metrics of `sqlsof --prom` and `sqlsof --prom-dir DIR`: a sequence of metrics, each a
-- comment line `-- metric: NAME TYPE HELP` followed by one SELECT whose `value` column is the
-- sample and whose other columns are its labels. Statements without columns (the TEMP tables
-- below) just run. The views of sql/views.sql are loaded before this file runs.
--
-- Cardinality: a label takes values a host has few of and that stay put from one run to the
-- next: protocols, states, listening addresses and ports, process names, user names. Never a
-- pid, fd, inode, path, remote address or ephemeral port: each would make a new series per
-- process, connection or file, and Prometheus keeps every series it has seen for its retention.
--
-- Process names are chosen by whoever starts a process, so the `process` label is bounded: a
-- name that some process of a system user (uid below 1000: root, daemons) has is kept; of the
-- names only other users' processes have (nobody's included), the 20 with the most processes
-- (then the lowest name) are kept and the rest become `other`, each folded name counted in
-- sqlsof_collect_errors. A label value is made valid UTF-8 when written (bad bytes and control
-- characters become U+FFFD), so two names may become one series: the rows are merged then by
-- the metric's `-- merge:` rule (sum for counts and bytes, max for the process with the most),
-- counted too, and the metric is never left out.
--
-- Every socket joined to its holder checks that the descriptor is a socket (its link text is
-- socket:[N], which no path can be): a file's inode number can equal a socket's.

-- Each process once: its name, uid, user and fd limit.
CREATE TEMP TABLE IF NOT EXISTS metrics_seen AS
SELECT pid, name, uid, coalesce(user, uid) AS user, fd_limit FROM processes;

-- Each name once, with its label (the rule above).
CREATE TEMP TABLE IF NOT EXISTS metrics_names AS
SELECT name, CASE WHEN system OR rank <= 20 THEN name ELSE 'other' END AS label
FROM (SELECT name, system,
             row_number() OVER (PARTITION BY system ORDER BY n DESC, name) AS rank
      FROM (SELECT name, min(uid) < 1000 AS system, count(*) AS n
            FROM metrics_seen GROUP BY name));

-- The names folded into `other`, counted in sqlsof_collect_errors.
CREATE TEMP TABLE IF NOT EXISTS metrics_folded AS
SELECT collect_errors(count(*)) AS names FROM metrics_names WHERE label IS NOT name;

CREATE TEMP TABLE IF NOT EXISTS metrics_procs AS
SELECT s.pid, n.label AS process, s.user, s.fd_limit
FROM metrics_seen s JOIN metrics_names n ON n.name IS s.name;

-- One walk of every descriptor serves every metric: its pid and inode, whether it is a socket,
-- and an unlinked regular file's device and size. The link text is tested first: it costs
-- nothing more, while `deleted` and `type` need a stat (which the kernel walk's records carry).
-- memfd_create files are never linked: they are not deleted files.
CREATE TEMP TABLE IF NOT EXISTS metrics_descriptors AS
SELECT pid, inode, socket, unlinked,
       CASE WHEN unlinked THEN device END AS device, CASE WHEN unlinked THEN size END AS size
FROM (SELECT pid, inode, target LIKE 'socket:[%' AS socket,
             target LIKE '% (deleted)' AND deleted = 1 AND type = 'REG'
                 AND path NOT LIKE '/memfd:%' AS unlinked,
             device, size
      FROM fds);
CREATE INDEX IF NOT EXISTS temp.metrics_descriptors_inode ON metrics_descriptors(inode);

CREATE TEMP TABLE IF NOT EXISTS metrics_fds AS
SELECT p.process, p.user, p.fd_limit, f.fds
FROM (SELECT pid, count(*) AS fds FROM metrics_descriptors GROUP BY pid) f
JOIN metrics_procs p ON p.pid = f.pid;

-- Unlinked regular files still open, once per file (device and inode) and process name.
CREATE TEMP TABLE IF NOT EXISTS metrics_deleted AS
SELECT DISTINCT p.process, p.user, f.device, f.inode, f.size
FROM metrics_procs p JOIN metrics_descriptors f ON f.pid = p.pid
WHERE f.unlinked;

-- Internet sockets with their owners, once (one socket dump, joined to the walk above) for
-- the listener and connection metrics; the conditions are those of the views listening and
-- connections.
CREATE TEMP TABLE IF NOT EXISTS metrics_sockets AS
SELECT s.protocol, s.state, s.local_addr, s.local_port, s.netns, p.process, p.user
FROM sockets s
LEFT JOIN metrics_descriptors f ON f.inode = s.inode AND f.socket
LEFT JOIN metrics_procs p ON p.pid = f.pid
WHERE s.family IN ('inet', 'inet6');

-- merge: max
-- metric: sqlsof_listening_socket_info gauge A listening socket (TCP LISTEN, or UDP bound to a port below the ephemeral range), by protocol, address, port, process and user; always 1.
SELECT DISTINCT protocol, local_addr AS address, local_port AS port,
       coalesce(process, '') AS process, coalesce(user, '') AS user, 1 AS value
FROM metrics_sockets
WHERE state = 'LISTEN' OR (state = 'IDLE' AND protocol IN ('udp', 'udplite') AND local_port < 32768);

-- metric: sqlsof_connections gauge Internet connections by protocol, state, local port when it is a listening port ("" for outgoing connections) and process.
WITH listeners AS MATERIALIZED (
    SELECT DISTINCT netns, protocol, local_port FROM metrics_sockets WHERE state = 'LISTEN')
SELECT c.protocol, c.state, CASE WHEN l.local_port IS NULL THEN '' ELSE c.local_port END AS port,
       coalesce(c.process, '') AS process, count(*) AS value
FROM metrics_sockets c
LEFT JOIN listeners l
       ON l.netns = c.netns AND l.protocol = c.protocol AND l.local_port = c.local_port
WHERE c.state NOT IN ('LISTEN', 'IDLE', 'CLOSE')
GROUP BY 1, 2, 3, 4;

-- merge: max
-- metric: sqlsof_process_open_fds gauge Open file descriptors of the process that holds the most among those of this name and user.
SELECT process, user, max(fds) AS value FROM metrics_fds GROUP BY process, user;

-- merge: max
-- metric: sqlsof_process_fd_limit gauge The soft limit on open files (RLIMIT_NOFILE) of that same process (the one sqlsof_process_open_fds counts).
SELECT process, user, value
FROM (SELECT process, user, max(fds), fd_limit AS value FROM metrics_fds GROUP BY process, user);

-- metric: sqlsof_processes_with_fds gauge Processes of this name and user that have open file descriptors.
SELECT process, user, count(*) AS value FROM metrics_fds GROUP BY process, user;

-- metric: sqlsof_deleted_files gauge Regular files unlinked but still held open, by process name and user.
SELECT process, user, count(*) AS value FROM metrics_deleted GROUP BY process, user;

-- metric: sqlsof_deleted_file_bytes gauge Bytes of regular files unlinked but still held open (space the file system cannot free yet), by process name and user.
SELECT process, user, sum(size) AS value FROM metrics_deleted GROUP BY process, user;

-- The host report of `sqlsof --html`: a sequence of sections, each a comment line
-- `-- section: Title` followed by one SELECT, rendered as a titled table in this order.
-- Statements without a section line (a TEMP VIEW, say) run without output. The views of
-- sql/views.sql are loaded before this file runs.

-- Command lines can be kilobytes long; a report shows their start.
CREATE TEMP VIEW IF NOT EXISTS report_processes AS
SELECT *, CASE WHEN length(cmdline) > 160 THEN substr(cmdline, 1, 160) || '…' ELSE cmdline END
          AS command
FROM processes;

-- section: Recently started processes
SELECT pid, name, user, datetime(start_time, 'unixepoch') AS started_utc, ppid, command
FROM report_processes
ORDER BY start_time DESC, pid DESC
LIMIT 15;

-- section: Top memory
SELECT pid, name, user, round(rss / 1048576.0, 1) AS rss_mib,
       round(vsize / 1048576.0, 1) AS vsize_mib, threads, command
FROM report_processes
ORDER BY rss DESC, pid
LIMIT 20;

-- section: Processes per user
SELECT coalesce(user, uid) AS user, count(*) AS processes, sum(threads) AS threads,
       round(sum(rss) / 1048576.0, 1) AS rss_mib
FROM processes
GROUP BY uid
ORDER BY processes DESC, uid;

-- section: Parents with the most children
SELECT ppid AS pid, parent_name AS name, count(*) AS children,
       group_concat(DISTINCT name) AS child_names
FROM process_tree
GROUP BY ppid
ORDER BY children DESC, ppid
LIMIT 15;

-- section: Listening ports
SELECT protocol, address, port, pid, process, user, netns
FROM listening
ORDER BY protocol, port, pid;

-- section: Connections per process
SELECT pid, process, user, count(*) AS connections,
       group_concat(DISTINCT remote_addr) AS peers
FROM connections
WHERE pid IS NOT NULL
GROUP BY pid
ORDER BY connections DESC, pid
LIMIT 20;

-- section: Top fd holders
SELECT p.pid, p.name, p.user, count(*) AS fds,
       sum(f.type IN ('IPv4', 'IPv6', 'unix', 'netlink', 'pack', 'sock')) AS sockets,
       sum(f.type = 'REG') AS files, sum(f.type = 'FIFO') AS pipes
FROM fds f JOIN processes p ON p.pid = f.pid
GROUP BY p.pid
ORDER BY fds DESC, p.pid
LIMIT 20;

-- section: Deleted but open files
SELECT f.pid, p.name, f.fd, f.path, f.size
FROM fds f JOIN processes p ON p.pid = f.pid
WHERE f.deleted = 1
ORDER BY f.size DESC, f.pid, f.fd
LIMIT 50;

-- section: Unix socket peers
SELECT pid, process, fd, path, protocol, peer_pid, peer_process, peer_fd
FROM unix_peers
WHERE peer_pid IS NOT NULL
ORDER BY pid, fd
LIMIT 50;

-- Who talks to whom: the pipes, FIFOs, unix sockets and TCP connections that join two processes
-- (sqlsof --dot's shape: pid, peer_pid, label). An object more than two processes hold (a pipe
-- every child of a fork inherited, a jobserver) is left out: it would join every pair of them
-- and hide the rest.
-- graph: Who talks to whom
WITH e AS MATERIALIZED (
  SELECT pid, peer_pid, kind, object FROM endpoints
  WHERE kind IN ('pipe', 'fifo', 'unix', 'tcp') AND pid != peer_pid),
ends AS (SELECT object, pid FROM e UNION SELECT object, peer_pid FROM e),
pairs AS (SELECT object FROM ends GROUP BY object HAVING count(*) = 2)
SELECT DISTINCT pid, peer_pid, kind
FROM e JOIN pairs USING (object)
WHERE pid < peer_pid
ORDER BY pid, peer_pid, kind;

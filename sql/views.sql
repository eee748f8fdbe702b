-- Views over the sqlsof tables, loaded by the sqlsof command (and by `.read sql/views.sql`
-- in the sqlite3 shell). TEMP, because the tables are direct-only: a view in a schema may not
-- reach host data, a TEMP view may. Filters on a view's pid, fd, inode, state or port still
-- reach the tables' pushdown: SQLite pushes them into each arm.

-- Processes with their parent's name: the first question about an unknown pid.
CREATE TEMP VIEW IF NOT EXISTS process_tree AS
SELECT p.pid, p.ppid, parent.name AS parent_name, p.name, p.user, p.cmdline
FROM processes p LEFT JOIN processes parent ON parent.pid = p.ppid;

-- One row per line that `lsof -n -P` prints, in its columns, plus the fields lsof's options
-- select on. fd is lsof's FD text (cwd rtd txt mem DEL or the number); fd_order sorts as lsof
-- does; mode and lock complete the FD column ('3uW'). lsof_proc_files holds the rows that are
-- not descriptors, lsof_fds the descriptors, and lsof both. A unix socket's peer is left out
-- (join sockets on inode for peer_inode, or see unix_peers): telling it costs sock_diag a walk
-- of every unix socket of the namespace, and lsof shows it only with +E.

-- The working directory, root directory, executable and mapped files of each process.
CREATE TEMP VIEW IF NOT EXISTS lsof_proc_files AS
SELECT p.name AS command, p.pid, p.uid, p.user, p.pgid, p.ppid,
       k.fd, NULL AS fd_num, k.ord AS fd_order, '' AS mode, '' AS lock,
       coalesce(st.type, 'unknown') AS type, st.device, st.size AS size_off,
       st.inode AS node,
       coalesce(CASE k.link WHEN 'cwd' THEN p.cwd WHEN 'root' THEN p.root ELSE p.exe END,
                '/proc/' || p.pid || '/' || k.link) AS name,
       st.inode AS inode, NULL AS family, NULL AS protocol, NULL AS state,
       NULL AS local_addr, NULL AS local_port, NULL AS remote_addr, NULL AS remote_port,
       NULL AS netns,
       CASE k.link WHEN 'cwd' THEN p.cwd WHEN 'root' THEN p.root ELSE p.exe END AS path,
       p.container_id, p.container_runtime, p.container_name, NULL AS flags, NULL AS pos
FROM processes p
JOIN (SELECT 'cwd' AS fd, 'cwd' AS link, -4 AS ord
      UNION ALL SELECT 'rtd', 'root', -3
      UNION ALL SELECT 'txt', 'exe', -2) k
LEFT JOIN file_stat('/proc/' || p.pid || '/' || k.link) st
UNION ALL
-- Each file mapped into memory, once per process, except the executable (its txt row).
SELECT p.name, p.pid, p.uid, p.user, p.pgid, p.ppid,
       CASE WHEN m.deleted THEN 'DEL' ELSE 'mem' END, NULL, -1, '', '',
       coalesce(st.type, 'REG'), m.device, CASE WHEN m.deleted THEN NULL ELSE st.size END,
       m.inode, m.path,
       m.inode, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, m.path,
       p.container_id, p.container_runtime, p.container_name, NULL, NULL
FROM processes p
JOIN (SELECT DISTINCT pid, device, inode, path, deleted FROM maps WHERE inode != 0) m
  ON m.pid = p.pid
LEFT JOIN file_stat(m.path) st
WHERE m.path IS NOT p.exe;
-- Each open file descriptor, with its socket when it is one. The socket is joined on two
-- equalities: the CASE one is NULL for a file that is no socket, which the sockets table answers
-- without a dump when fds is outside; the plain one lets fds be looked up by inode when sockets
-- is outside (see lsof_sockets).
CREATE TEMP VIEW IF NOT EXISTS lsof_fds AS
SELECT p.name AS command, f.pid, p.uid, p.user, p.pgid, p.ppid,
       lsof_fd(f.fd) AS fd, f.fd AS fd_num, f.fd AS fd_order,
       coalesce(f.mode, '') AS mode, coalesce(f.lock, '') AS lock,
       -- An Internet socket no table lists (never bound nor connected) is lsof's "sock".
       CASE WHEN f.type IN ('IPv4', 'IPv6') AND s.inode IS NULL THEN 'sock'
            ELSE f.type END AS type,
       CASE f.type WHEN 'IPv4' THEN coalesce(CAST(s.inode AS TEXT), f.device)
                   WHEN 'IPv6' THEN coalesce(CAST(s.inode AS TEXT), f.device)
                   WHEN 'pack' THEN CAST(s.inode AS TEXT)
                   WHEN 'unix' THEN NULL WHEN 'netlink' THEN NULL WHEN 'sock' THEN NULL
                   ELSE f.device END AS device,
       CASE f.type WHEN 'REG' THEN CAST(f.size AS TEXT) WHEN 'DIR' THEN CAST(f.size AS TEXT)
                   WHEN 'PSXMQ' THEN CAST(f.size AS TEXT) WHEN 'a_inode' THEN '0'
                   ELSE '0t' || coalesce(f.pos, 0) END AS size_off,
       -- The common protocols as literals: upper()'s text is copied again when it is read.
       CASE WHEN f.type IN ('IPv4', 'IPv6', 'pack') AND s.inode IS NOT NULL
            THEN CASE s.protocol WHEN 'tcp' THEN 'TCP' WHEN 'udp' THEN 'UDP'
                                 ELSE upper(s.protocol) END
            ELSE f.inode END AS node,
       CASE WHEN f.type IN ('IPv4', 'IPv6') AND s.inode IS NOT NULL
                THEN lsof_inet_name(s.protocol, s.family, s.local_addr, s.local_port,
                                    s.remote_addr, s.remote_port, s.state, 0)
            WHEN f.type IN ('IPv4', 'IPv6') THEN coalesce('protocol: ' ||
                (SELECT d.protocol FROM fd_details d WHERE d.pid = f.pid AND d.fd = f.fd),
                f.target)
            WHEN f.type = 'unix' AND s.inode IS NOT NULL
                THEN lsof_unix_name(s.path, s.protocol, s.state, NULL)
            WHEN f.type = 'netlink' AND s.inode IS NOT NULL THEN upper(s.protocol)
            WHEN f.type = 'pack' AND s.inode IS NOT NULL THEN coalesce('type=' ||
                (SELECT d.sock_type FROM fd_details d WHERE d.pid = f.pid AND d.fd = f.fd),
                f.target)
            WHEN f.type = 'FIFO' AND f.path IS NULL THEN 'pipe'
            -- Anon inodes as lsof names them: by their own id, the pid, the fds watched.
            WHEN f.target = 'anon_inode:[eventfd]' THEN coalesce('[eventfd:' ||
                (SELECT d.id FROM fd_details d WHERE d.pid = f.pid AND d.fd = f.fd) || ']',
                '[eventfd]')
            WHEN f.target = 'anon_inode:[pidfd]' THEN coalesce('[pidfd:' ||
                (SELECT d.target_pid FROM fd_details d WHERE d.pid = f.pid AND d.fd = f.fd)
                || ']', '[pidfd]')
            WHEN f.target = 'anon_inode:[eventpoll]' THEN coalesce('[eventpoll:' ||
                (SELECT group_concat(target_fd, ',') FROM (SELECT e.target_fd
                 FROM epoll_targets e WHERE e.pid = f.pid AND e.fd = f.fd ORDER BY 1)) || ']',
                '[eventpoll]')
            WHEN f.type = 'a_inode' THEN substr(f.target, 12)
            -- A namespace: lsof names it by its type alone ("net").
            WHEN f.path IS NULL AND f.type = 'REG' AND f.target GLOB '*:[[]*]'
                THEN substr(f.target, 1, instr(f.target, ':[') - 1)
            ELSE f.target END AS name,
       f.inode, s.family, s.protocol, s.state, s.local_addr, s.local_port, s.remote_addr,
       s.remote_port, s.netns, f.path,
       p.container_id, p.container_runtime, p.container_name, f.flags,
       f.pos
FROM fds f
JOIN processes p ON p.pid = f.pid
LEFT JOIN sockets s
  ON s.inode = CASE f.type WHEN 'IPv4' THEN f.inode WHEN 'IPv6' THEN f.inode
                           WHEN 'unix' THEN f.inode WHEN 'netlink' THEN f.inode
                           WHEN 'pack' THEN f.inode END
 AND s.inode = f.inode;

-- The socket descriptors alone: lsof_fds where a socket was found. That makes the LEFT JOIN an
-- inner one, so a filter on state or port lets the planner put sockets outside, applied by the
-- kernel, and look the fds up by inode.
CREATE TEMP VIEW IF NOT EXISTS lsof_sockets AS
SELECT * FROM lsof_fds WHERE family IS NOT NULL;

CREATE TEMP VIEW IF NOT EXISTS lsof AS
SELECT * FROM lsof_proc_files UNION ALL SELECT * FROM lsof_fds;

-- Every join of a socket to its holder checks that the descriptor is a socket: its link text is
-- socket:[N], which no path can be (a path starts with /), while a file's inode number on
-- another file system can equal a socket's (any user can make one on a tmpfs of their own).

-- Listening Internet sockets with their owners: TCP listeners and bound, unconnected UDP.
-- A listener whose owner cannot be seen still has its row, with a NULL pid.
CREATE TEMP VIEW IF NOT EXISTS listening AS
SELECT s.protocol, s.local_addr AS address, s.local_port AS port, f.pid,
       p.name AS process, p.user, s.netns, s.family, f.fd, s.inode
FROM sockets s
LEFT JOIN fds f ON f.inode = s.inode AND f.target LIKE 'socket:[%'
LEFT JOIN processes p ON p.pid = f.pid
WHERE s.state IN ('LISTEN', 'IDLE') AND s.family IN ('inet', 'inet6')
  AND (s.state = 'LISTEN' OR s.protocol IN ('udp', 'udplite'));

-- Internet connections (anything past LISTEN and not idle) with their owners.
CREATE TEMP VIEW IF NOT EXISTS connections AS
SELECT s.protocol, s.local_addr, s.local_port, s.remote_addr, s.remote_port, s.state,
       f.pid, p.name AS process, p.user, s.netns, s.family, f.fd, s.inode
FROM sockets s
LEFT JOIN fds f ON f.inode = s.inode AND f.target LIKE 'socket:[%'
LEFT JOIN processes p ON p.pid = f.pid
WHERE s.family IN ('inet', 'inet6') AND s.state NOT IN ('LISTEN', 'IDLE', 'CLOSE');

-- Unix socket pairs: who talks to whom, one row per end that has an owner.
CREATE TEMP VIEW IF NOT EXISTS unix_peers AS
SELECT s.inode, f.pid, p.name AS process, f.fd, s.protocol, s.path,
       s.peer_inode, pf.pid AS peer_pid, pp.name AS peer_process, pf.fd AS peer_fd, s.netns
FROM sockets s
JOIN fds f ON f.inode = s.inode AND f.target LIKE 'socket:[%'
JOIN processes p ON p.pid = f.pid
LEFT JOIN fds pf ON pf.inode = s.peer_inode AND pf.target LIKE 'socket:[%'
LEFT JOIN processes pp ON pp.pid = pf.pid
WHERE s.family = 'unix' AND s.peer_inode != 0;

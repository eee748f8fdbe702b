-- The endpoints view as sql/views.sql had it before the endpoints table (tbl_endpoints.c): the
-- reference test_endpoints compares the table with, on its live fixture.
-- Who holds the other end of each descriptor: one row per (descriptor, peer descriptor).
-- kind: pipe, fifo, unix, tcp/udp (both ends on this host, paired by their addresses and ports
-- in one network namespace, or else the one socket of another namespace with them, as across a
-- veth; an IPv4 peer of a dual-stack socket matches its ::ffff: form), pty
-- (master and slave of one tty index), eventfd (every holder of the same eventfd id), mqueue
-- (every holder of the same queue). Every descriptor of the host is read once (held) and the
-- connected Internet sockets are dumped once (inet), whatever the question: a pid's endpoints
-- cost one walk of the host, not one per descriptor.
CREATE TEMP VIEW endpoints_view AS
WITH held AS MATERIALIZED (
  SELECT f.pid, f.fd, f.mode, f.inode,
         CASE WHEN f.target GLOB 'pipe:[[]*' THEN 'pipe:' || f.inode
              WHEN f.target GLOB 'socket:[[]*' THEN 'sock:' || f.inode
              WHEN f.target = 'anon_inode:[eventfd]' THEN 'eventfd:' ||
                   (SELECT d.id FROM fd_details d WHERE d.pid = f.pid AND d.fd = f.fd)
              WHEN f.target IN ('/dev/ptmx', '/dev/pts/ptmx') THEN 'ptm:' ||
                   (SELECT d.id FROM fd_details d WHERE d.pid = f.pid AND d.fd = f.fd)
              WHEN f.target GLOB '/dev/pts/[0-9]*' THEN 'pts:' || substr(f.target, 10)
              WHEN f.type = 'FIFO' THEN 'fifo:' || f.device || ':' || f.inode
              WHEN f.type = 'PSXMQ' THEN 'mqueue:' || f.device || ':' || f.inode
         END AS key
  FROM fds f),
-- Connected Internet sockets, dumped once, keyed by their addresses as their peer sees them.
inet AS MATERIALIZED (
  SELECT netns, protocol, inode,
         replace(local_addr, '::ffff:', '') || ':' || local_port || '>' ||
         replace(remote_addr, '::ffff:', '') || ':' || remote_port AS here
  FROM sockets WHERE family IN ('inet', 'inet6') AND remote_port != 0 AND inode != 0)
SELECT m.pid, m.fd, h.pid AS peer_pid, h.fd AS peer_fd, m.kind, h.mode AS peer_mode,
       m.key AS object
FROM (SELECT o.pid, o.fd, o.key,
             CASE WHEN o.key GLOB 'sock:*' THEN iif(s.family = 'unix', 'unix', s.protocol)
                  WHEN o.key GLOB 'pt[ms]:*' THEN 'pty'
                  ELSE substr(o.key, 1, instr(o.key, ':') - 1) END AS kind,
             CASE WHEN o.key GLOB 'ptm:*' THEN 'pts:' || substr(o.key, 5)
                  WHEN o.key GLOB 'pts:*' THEN 'ptm:' || substr(o.key, 5)
                  WHEN o.key NOT GLOB 'sock:*' THEN o.key
                  WHEN s.family = 'unix' THEN 'sock:' || nullif(s.peer_inode, 0)
                  WHEN s.family IN ('inet', 'inet6') AND s.remote_port != 0 THEN 'sock:' ||
                       coalesce((SELECT t.inode FROM inet t
                                 WHERE t.netns = s.netns AND t.protocol = s.protocol
                                   AND t.here = replace(s.remote_addr, '::ffff:', '') || ':' || s.remote_port || '>' ||
                                       replace(s.local_addr, '::ffff:', '') || ':' || s.local_port),
                                -- Else the one socket of another namespace (a veth away) with
                                -- these addresses; loopback ones never leave their namespace.
                                (SELECT iif(count(*) = 1, max(t.inode), NULL) FROM inet t
                                 WHERE t.netns != s.netns AND t.protocol = s.protocol
                                   AND t.here = replace(s.remote_addr, '::ffff:', '') || ':' || s.remote_port || '>' ||
                                       replace(s.local_addr, '::ffff:', '') || ':' || s.local_port
                                   AND s.remote_addr NOT GLOB '127.*'
                                   AND s.remote_addr NOT GLOB '::ffff:127.*'
                                   AND s.remote_addr != '::1'))
             END AS peer_key
      FROM held o
      LEFT JOIN sockets s ON s.inode = CASE WHEN o.key GLOB 'sock:*' THEN o.inode END) m
JOIN held h ON h.key = m.peer_key AND NOT (h.pid = m.pid AND h.fd = m.fd);
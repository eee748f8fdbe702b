-- The one query every embedding test runs (Python, Node.js, C, and the sqlite3 shell as the
-- reference): tests/embed/test_embed.c compares their outputs line for line and looks for
-- its fixture, a child named 'sqlsof-embed', in a row that also holds the child's pid or the
-- TCP port it listens on.
-- Keep it ONE statement over the tables themselves (embedders do not load sql/'s views),
-- with an ORDER BY, and without REAL or BLOB columns (each language prints those its own way).
-- It is the listening-sockets join: who listens on which TCP port.
SELECT s.protocol, s.local_addr, s.local_port, f.pid, f.fd, p.name, p.user
FROM sockets s
JOIN fds f ON f.inode = s.inode
JOIN processes p ON p.pid = f.pid
WHERE s.state = 'LISTEN' AND p.name LIKE 'sqlsof-embed%'
ORDER BY s.local_port, f.pid, f.fd;

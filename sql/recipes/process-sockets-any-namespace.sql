-- The TCP sockets of a process in another network namespace (a container), with addresses:
-- what lsof shows only after nsenter -n.
SELECT f.fd, s.state, s.local_addr, s.local_port, s.remote_addr, s.remote_port, s.netns,
       s.netns != (SELECT netns FROM processes WHERE pid = :self) AS other_namespace
FROM fds f JOIN sockets s ON s.inode = f.inode AND f.target LIKE 'socket:[%'
WHERE f.pid = :pid AND s.protocol = 'tcp'
ORDER BY f.fd;

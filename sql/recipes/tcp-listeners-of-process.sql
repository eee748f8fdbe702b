-- TCP listeners of a process: lsof -i -sTCP:LISTEN -a -p PID
-- sqlsof --param pid=1234 "$(cat tcp-listeners-of-process.sql)"
SELECT f.fd, s.family, s.local_addr, s.local_port, s.netns
FROM sockets s JOIN fds f ON f.inode = s.inode AND f.target LIKE 'socket:[%'
WHERE f.pid = :pid AND s.protocol = 'tcp' AND s.state = 'LISTEN'
ORDER BY f.fd;

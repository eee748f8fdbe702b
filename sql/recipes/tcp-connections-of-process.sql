-- The established TCP connections of a process: lsof -i -sTCP:ESTABLISHED -a -p PID
SELECT f.fd, s.local_addr, s.local_port, s.remote_addr, s.remote_port, s.rtt_us, s.bytes_acked
FROM sockets s JOIN fds f ON f.inode = s.inode AND f.target LIKE 'socket:[%'
WHERE f.pid = :pid AND s.protocol = 'tcp' AND s.state = 'ESTABLISHED'
ORDER BY f.fd;

-- The unconnected UDP sockets of a process (Linux lsof rejects -sUDP:IDLE).
SELECT f.fd, s.family, s.local_addr, s.local_port
FROM sockets s JOIN fds f ON f.inode = s.inode AND f.target LIKE 'socket:[%'
WHERE f.pid = :pid AND s.protocol = 'udp' AND s.state = 'IDLE'
ORDER BY f.fd;

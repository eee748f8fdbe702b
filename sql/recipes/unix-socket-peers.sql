-- Unix socket peers: who talks to whom over unix sockets (both ends, by peer inode).
SELECT p.pid, p.name, f.fd, s.path, s.protocol,
       pp.pid AS peer_pid, pp.name AS peer_name, pf.fd AS peer_fd
FROM sockets s
JOIN fds f ON f.inode = s.inode AND f.target LIKE 'socket:[%'
JOIN processes p ON p.pid = f.pid
JOIN fds pf ON pf.inode = s.peer_inode AND pf.target LIKE 'socket:[%'
JOIN processes pp ON pp.pid = pf.pid
WHERE s.family = 'unix' AND s.peer_inode != 0
ORDER BY p.pid, f.fd;

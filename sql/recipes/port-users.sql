-- Who uses a port, locally or remotely: lsof -i:PORT
SELECT p.pid, p.name, p.user, f.fd, s.protocol, s.state, s.local_addr, s.local_port,
       s.remote_addr, s.remote_port
FROM sockets s
JOIN fds f ON f.inode = s.inode AND f.target LIKE 'socket:[%'
JOIN processes p ON p.pid = f.pid
WHERE s.local_port = :port OR s.remote_port = :port
ORDER BY p.pid, f.fd;

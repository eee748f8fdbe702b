-- What is fd FD of process PID: lsof -d FD -a -p PID. A point lookup: one readlink, and the
-- socket's row when it is one (also in another network namespace).
SELECT f.pid, f.fd, f.type, f.mode, f.target, f.path, f.pos, s.protocol, s.state,
       s.local_addr, s.local_port, s.remote_addr, s.remote_port, s.netns
FROM fds f LEFT JOIN sockets s ON s.inode = f.inode AND f.type IN ('IPv4', 'IPv6', 'unix')
WHERE f.pid = :pid AND f.fd = :fd;

-- What each blocked thread waits on: the system call it sleeps in and its descriptor, what that
-- descriptor is, and for a connection its peer and how long it has been silent
-- (last_data_recv_ms: nothing received for that long), with the process's container. The
-- longest silences first: a client without a timeout, reading from a server that never answers.
SELECT t.pid, t.tid, p.name AS process, t.name AS thread, t.syscall, t.wchan, t.fd, f.type,
       coalesce(f.path, f.target) AS file, s.protocol, s.state, s.local_addr, s.local_port,
       s.remote_addr, s.remote_port, s.last_data_recv_ms, s.last_data_sent_ms,
       p.container_runtime, p.container_name
FROM threads t
JOIN processes p ON p.pid = t.pid
JOIN fds f ON f.pid = t.pid AND f.fd = t.fd
LEFT JOIN sockets s ON s.inode = f.inode AND f.type IN ('IPv4', 'IPv6', 'unix', 'sock')
WHERE t.fd IS NOT NULL AND t.state IN ('S', 'D')
ORDER BY s.last_data_recv_ms IS NULL, s.last_data_recv_ms DESC, t.pid, t.tid;

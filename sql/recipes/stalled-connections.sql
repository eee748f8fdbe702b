-- Stalled connections: established TCP connections that have received no data for :seconds
-- (tcp_info's last_data_recv_ms), in every namespace, with their owners and container.
-- blocked_threads: the owner's threads that sit in a call on that very descriptor ("tid
-- recvfrom"), waiting for what does not come. The same WHERE in DELETE FROM sockets closes
-- them (sqlsof --allow-kill): a blocked read then fails with ECONNABORTED.
SELECT s.netns, s.local_addr, s.local_port, s.remote_addr, s.remote_port,
       s.last_data_recv_ms, s.last_data_sent_ms, s.last_ack_recv_ms, s.recv_q, s.send_q,
       f.pid, p.name AS process, f.fd,
       (SELECT group_concat(t.tid || ' ' || t.syscall, ', ') FROM threads t
        WHERE t.pid = f.pid AND t.fd = f.fd) AS blocked_threads,
       p.container_runtime, p.container_name
FROM sockets s
JOIN fds f ON f.inode = s.inode
JOIN processes p ON p.pid = f.pid
WHERE s.protocol = 'tcp' AND s.state = 'ESTABLISHED' AND s.last_data_recv_ms >= :seconds * 1000
ORDER BY s.last_data_recv_ms DESC, f.pid, f.fd;

-- Views over containers, loaded by the sqlsof command with views.sql (`.read` it in sqlite3).
-- A process is in a container when its cgroup says so (processes.container_id); the views go
-- from each socket or deleted file to its owner, then to the owner's container, so a container
-- sharing the host's network namespace is told apart from the host all the same.

-- Listening Internet sockets of processes in containers: TCP listeners and bound, unconnected
-- UDP, as in the listening view.
CREATE TEMP VIEW IF NOT EXISTS container_listening AS
SELECT p.container_runtime AS runtime, p.container_name AS container, p.container_id,
       p.pod_namespace, p.pod_name, s.protocol, s.local_addr AS address, s.local_port AS port,
       f.pid, p.nspid, p.name AS process, s.netns, s.family, f.fd, s.inode
FROM sockets s
JOIN fds f ON f.inode = s.inode AND f.target LIKE 'socket:[%'
JOIN processes p ON p.pid = f.pid
WHERE s.state IN ('LISTEN', 'IDLE') AND s.family IN ('inet', 'inet6')
  AND (s.state = 'LISTEN' OR s.protocol IN ('udp', 'udplite'))
  AND p.container_id IS NOT NULL;

-- Internet connections (anything past LISTEN and not idle) of processes in containers.
CREATE TEMP VIEW IF NOT EXISTS container_connections AS
SELECT p.container_runtime AS runtime, p.container_name AS container, p.container_id,
       p.pod_namespace, p.pod_name, s.protocol, s.local_addr, s.local_port, s.remote_addr,
       s.remote_port, s.state, f.pid, p.nspid, p.name AS process, s.netns, s.family, f.fd,
       s.inode
FROM sockets s
JOIN fds f ON f.inode = s.inode AND f.target LIKE 'socket:[%'
JOIN processes p ON p.pid = f.pid
WHERE s.family IN ('inet', 'inet6') AND s.state NOT IN ('LISTEN', 'IDLE', 'CLOSE')
  AND p.container_id IS NOT NULL;

-- Files deleted but still held open by processes in containers: the space a container's
-- log rotation did not free.
CREATE TEMP VIEW IF NOT EXISTS container_deleted_files AS
SELECT p.container_runtime AS runtime, p.container_name AS container, p.container_id,
       p.pod_namespace, p.pod_name, f.pid, p.nspid, p.name AS process, f.fd, f.path, f.size
FROM processes p
JOIN fds f ON f.pid = p.pid
WHERE p.container_id IS NOT NULL AND f.deleted = 1;

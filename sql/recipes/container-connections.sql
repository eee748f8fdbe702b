-- Connections per container: each TCP or UDP connection a container's processes hold, with
-- both ends. :container (optional) is a name or an id; without it, every container.
SELECT runtime, container, pod_namespace, pod_name, protocol, local_addr, local_port,
       remote_addr, remote_port, state, pid, nspid, process
FROM container_connections
WHERE :container IS NULL OR container = :container OR container_id = :container
ORDER BY container, container_id, local_port, remote_port, pid;

-- Listening ports per container: which container (runtime, name, Kubernetes pod) listens
-- where, with no nsenter. :container (optional) is a name or an id; without it, every container.
SELECT runtime, container, pod_namespace, pod_name, protocol, address, port, pid, nspid, process
FROM container_listening
WHERE :container IS NULL OR container = :container OR container_id = :container
ORDER BY container, container_id, port, protocol, pid;

-- Deleted files per container, largest first: what a container still holds open after rm.
-- :container (optional) is a name or an id; without it, every container.
SELECT runtime, container, pod_namespace, pod_name, pid, nspid, process, fd, path, size
FROM container_deleted_files
WHERE :container IS NULL OR container = :container OR container_id = :container
ORDER BY size DESC, container, pid, fd;

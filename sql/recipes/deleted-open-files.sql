-- Deleted files still held open, largest first: the disk space that rm did not free.
SELECT f.pid, p.name, f.fd, f.path, f.size
FROM fds f JOIN processes p ON p.pid = f.pid
WHERE f.deleted = 1
ORDER BY f.size DESC, f.pid, f.fd;

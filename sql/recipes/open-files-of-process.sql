-- Everything a process has open, cwd rtd txt mem too: lsof -p PID
SELECT fd || mode || lock AS fd, type, device, size_off, node, name
FROM lsof WHERE pid = :pid
ORDER BY fd_order, fd_num;

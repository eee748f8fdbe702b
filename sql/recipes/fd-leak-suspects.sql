-- fd leak suspects: processes holding many descriptors, with what repeats most among them
-- (the same file opened again and again, or sockets left in CLOSE_WAIT).
WITH per_target AS (
  SELECT f.pid, coalesce(f.path, f.type, '?') AS what, count(*) AS n
  FROM fds f GROUP BY f.pid, what
), top AS (
  SELECT pid, what, n, row_number() OVER (PARTITION BY pid ORDER BY n DESC, what) AS rank
  FROM per_target
)
SELECT p.pid, p.name, (SELECT count(*) FROM fds f WHERE f.pid = p.pid) AS fds,
       t.what AS most_repeated, t.n AS repeats,
       (SELECT count(*) FROM fds f JOIN sockets s ON s.inode = f.inode AND f.target LIKE 'socket:[%'
        WHERE f.pid = p.pid AND s.state = 'CLOSE_WAIT') AS close_wait
FROM processes p JOIN top t ON t.pid = p.pid AND t.rank = 1
WHERE t.n >= :min_repeats
ORDER BY t.n DESC, p.pid;

-- The process tree under a pid (1 for the whole host) with each process's open-fd count.
-- The processes are read once into a materialized table: the recursion walks that one (SQLite
-- gives it an automatic index on ppid), so the cost is linear in the tree, not depth x host.
-- No tree is deeper than its processes are many: that bound ends the walk even if a pid reused
-- between two reads of /proc made a parent its own descendant.
WITH RECURSIVE procs AS MATERIALIZED (SELECT pid, ppid, name FROM processes),
tree(pid, depth) AS (
  SELECT :pid, 0
  UNION ALL
  SELECT p.pid, t.depth + 1 FROM procs p JOIN tree t ON p.ppid = t.pid
  WHERE t.depth < (SELECT count(*) FROM procs)
)
SELECT t.depth, t.pid, substr('                ', 1, 2 * t.depth) || p.name AS process,
       (SELECT count(*) FROM fds f WHERE f.pid = t.pid) AS fds
FROM tree t JOIN procs p ON p.pid = t.pid
ORDER BY t.pid;

-- Views over the sqlsof tables, loaded by the sqlsof command (and by `.read sql/views.sql`
-- in the sqlite3 shell). TEMP, because the tables are direct-only: a view in a schema may not
-- reach host data, a TEMP view may.

-- Processes with their parent's name: the first question about an unknown pid.
CREATE TEMP VIEW IF NOT EXISTS process_tree AS
SELECT p.pid, p.ppid, parent.name AS parent_name, p.name, p.user, p.cmdline
FROM processes p LEFT JOIN processes parent ON parent.pid = p.ppid;

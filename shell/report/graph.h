/*
** Who talks to whom: a graph of processes (nodes, grouped by container) and the pipes, sockets
** and other objects they share (edges), written as Graphviz DOT for `sqlsof --dot` and drawn
** as inline SVG by Graphviz's dot for the `-- graph:` sections of `sqlsof --html`.
**
** The one shape of the edges' SQL: each row is (pid, peer_pid[, label]), by position: two
** integer pids (a row with a NULL one is no edge) and an optional label (the edge's kind).
** Edges have no direction; the same pair with the same label is drawn once.
*/
#ifndef SQLSOF_GRAPH_H
#define SQLSOF_GRAPH_H

#include <stddef.h>
#include <stdio.h>

#include <sqlite3.h>

/* `sqlsof --dot SQL`: runs SQL, one SELECT of the shape above, on DB and prints its graph as DOT
 * on OUT. A wrong shape is one line on stderr. Returns the exit status. */
int graphDot(FILE *out, sqlite3 *db, const char *sql);

/* A `-- graph:` section of the HTML report: the SVG of STMT's graph on OUT, or one line saying
 * why there is none (no Graphviz). Returns SQLITE_DONE, or the error code with the message in
 * *ERR (sqlite3_free) for a wrong shape. */
int graphSvg(FILE *out, sqlite3_stmt *stmt, char **err);

/* Runs Graphviz's `dot -Tsvg` on the LEN bytes of DOT, bounded in time and output. Returns 0 with
 * the SVG in *SVG (malloc'd, NUL-terminated), or -1 with why not in WHY (SIZE bytes). */
int graphRunDot(const char *dot, size_t len, char **svg, char *why, size_t size);

#endif

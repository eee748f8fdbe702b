/*
** lsof's -E and +E: the other ends of pipes, FIFOs, unix sockets, TCP connections, ptys,
** eventfds and message queues, written into NAME as lsof 4.95 writes them
** ("pipe 42,cat,3w", "/dev/ptmx ->/dev/pts/3 42,sh,0u", "[eventfd:7] 42,x,5u"), from the
** endpoints table. The query's rows are x, a row of the lsof views.
*/
#ifndef SQLSOF_LSOF_ENDPOINTS_H
#define SQLSOF_LSOF_ENDPOINTS_H

/*
** The statement's WITH clause (sqlite3_free it): lsof_ends, the endpoints of the processes
** whose descriptors COND (may be "") selects and, with PEERS (+E), of their peers, each with
** its text "pid,command,fd+mode" (commands cut to WIDTH bytes; 0: whole). Made once: a
** correlated subquery of the endpoints table, one a row, would pass over the host for each.
*/
char *lsofEndpointsWith(const char *cond, int peers, int width);

/* NAME with the endpoints of row x appended, from lsof_ends (sqlite3_free it); NAME is the
 * plain NAME expression. */
char *lsofEndpointName(const char *name);

/* +E's extra rows: "OR the row is a peer of a row that COND selects" (sqlite3_free it). */
char *lsofEndpointRows(const char *cond);

#endif

/*
** lsof's -E and +E: the other ends of pipes, FIFOs, unix sockets, TCP connections, ptys,
** eventfds and message queues, written into NAME as lsof 4.95 writes them
** ("pipe 42,cat,3w", "/dev/ptmx ->/dev/pts/3 42,sh,0u", "[eventfd:7] 42,x,5u"), from the
** endpoints view (sql/views.sql). The query's rows are x, a row of the lsof views.
*/
#ifndef SQLSOF_LSOF_ENDPOINTS_H
#define SQLSOF_LSOF_ENDPOINTS_H

/* NAME with the endpoints of row x appended (sqlite3_free it); NAME is the plain NAME
 * expression. Peer commands are cut to WIDTH bytes (0: whole). */
char *lsofEndpointName(const char *name, int width);

/* +E's extra rows: "OR the row is a peer of a row that COND selects" (sqlite3_free it). */
char *lsofEndpointRows(const char *cond);

#endif

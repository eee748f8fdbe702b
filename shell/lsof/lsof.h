/* sqlsof's lsof-compatible mode: lsof's options in, lsof's output out, SQL in between. */
#ifndef SQLSOF_LSOF_H
#define SQLSOF_LSOF_H

/* Runs lsof mode on the lsof options ARGV[0..ARGC). With PRINTSQL, prints the query instead.
 * Returns the exit status: 0 when something was listed, 1 when nothing or on error. */
int lsofMain(int argc, char *const argv[], int printSql);

#endif

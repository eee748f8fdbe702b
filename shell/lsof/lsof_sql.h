/* lsof's options (lsof_args.h) as SQL over the lsof views of sql/views.sql. */
#ifndef SQLSOF_LSOF_SQL_H
#define SQLSOF_LSOF_SQL_H

#include <stddef.h>

#include <sqlite3.h>

#include "lsof/lsof_args.h"

/*
** lsof mode's query for O. TEXT is the one statement --sql prints. What runs is PART: the same
** rows, in one statement or, when O asks for the files that are no descriptors, two (those,
** then the descriptors), whose rows lsofPrint() puts in lsof's order: one statement over the
** lsof view's UNION ALL copies every column of every row into a co-routine, and its ORDER BY
** sorts them all again. Each text is sqlite3_free()d by lsofFreeQuery().
*/
struct lsof_query {
    char *text;
    char *part[2];
    int nparts;
};

/* Builds Q for O, looking up the names of O's -i hosts and services; -1 with a one-line
 * message in ERR when one cannot be. */
int lsofBuildQuery(struct lsof_opts *o, struct lsof_query *q, char *err, size_t errlen);
void lsofFreeQuery(struct lsof_query *q);

#endif

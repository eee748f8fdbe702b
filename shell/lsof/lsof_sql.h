/* lsof's options (lsof_args.h) as one SQL query over the lsof views of sql/views.sql. */
#ifndef SQLSOF_LSOF_SQL_H
#define SQLSOF_LSOF_SQL_H

#include <stddef.h>

#include <sqlite3.h>

#include "lsof/lsof_args.h"

/*
** The query for O (sqlite3_free it), whose columns lsofPrint() expects; NULL with a one-line
** message in ERR when a host or service name cannot be looked up. Looks up the names of O's
** -i hosts and services.
*/
char *lsofBuildSql(struct lsof_opts *o, char *err, size_t errlen);

#endif

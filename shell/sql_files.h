/* The files of sql/, compiled into the command by shell/embed-sql.sh. */
#ifndef SQLSOF_SQL_FILES_H
#define SQLSOF_SQL_FILES_H

struct sql_file {
    const char *name; /* "views.sql" */
    const char *text;
};

extern const struct sql_file sqlFiles[];    /* views made at start; ends with {0, 0} */
extern const struct sql_file reportFiles[]; /* sql/report.sql, for --html; ends with {0, 0} */
extern const struct sql_file metricFiles[]; /* sql/metrics.sql, for --prom; ends with {0, 0} */

#endif

/*
** The Prometheus text exposition format (see prom.h): HELP and TYPE once per metric, then one
** line per row, `name{label="value",...} sample`, no timestamps. The text is built in memory,
** so a bad declaration writes nothing and --prom-dir never leaves half a file behind.
*/
#include "report/prom.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output.h"
#include "report/prom_series.h"
#include "utf8.h"

static int nameChar(char c, int first, int colon)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':') ||
           (!first && c >= '0' && c <= '9');
}

static int validName(const char *name, int colon)
{
    if (!name || !*name) return 0;
    for (const char *p = name; *p; p++)
        if (!nameChar(*p, p == name, colon)) return 0;
    return 1;
}

int promMetricName(const char *name)
{
    return validName(name, 1);
}

int promLabelName(const char *name)
{
    return validName(name, 0) && strncmp(name, "__", 2) != 0;
}

/* The next blank-separated word of *P, NUL-terminated in place; NULL at the end. */
static char *nextWord(char **p)
{
    char *s = *p + strspn(*p, " \t");
    if (!*s) return NULL;
    char *end = s + strcspn(s, " \t");
    *p = *end ? end + 1 : end;
    *end = '\0';
    return s;
}

const char *promParseDecl(char *line, struct prom_decl *decl)
{
    char *p = line;
    decl->name = nextWord(&p);
    decl->type = nextWord(&p);
    decl->help = p + strspn(p, " \t");
    if (!decl->name) return "no metric name";
    if (!promMetricName(decl->name)) return "not a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)";
    if (!decl->type) return "no type (counter, gauge or untyped)";
    if (strcmp(decl->type, "counter") && strcmp(decl->type, "gauge") &&
        strcmp(decl->type, "untyped"))
        return "the type must be counter, gauge or untyped";
    if (!*decl->help) return "no help text after the type";
    return NULL;
}

/* S with the characters of ESCAPES backslash-escaped (newline as \n), and bytes that are not
 * UTF-8 and control characters (a terminal's, when someone reads the file) as U+FFFD. */
static void escaped(FILE *out, const unsigned char *s, const char *escapes)
{
    while (*s) {
        int n = utf8Length(s);
        if (*s == '\n')
            fputs("\\n", out);
        else if (strchr(escapes, *s))
            fprintf(out, "\\%c", *s);
        else if (n == 0 || utf8IsControl(utf8Decode(s, n))) {
            fputs("\xEF\xBF\xBD", out);
            s += n ? n : 1;
            continue;
        } else {
            fwrite(s, 1, (size_t)n, out);
            s += n;
            continue;
        }
        s++;
    }
}

void promLabelValue(FILE *out, const unsigned char *s)
{
    escaped(out, s, "\\\"");
}

void promHelpText(FILE *out, const unsigned char *s)
{
    escaped(out, s, "\\");
}

void promNumber(FILE *out, double v)
{
    if (isnan(v)) {
        fputs("NaN", out);
        return;
    }
    if (isinf(v)) {
        fputs(v > 0 ? "+Inf" : "-Inf", out);
        return;
    }
    char text[32];
    snprintf(text, sizeof text, "%.15g", v);
    if (strtod(text, NULL) != v) snprintf(text, sizeof text, "%.17g", v);
    fputs(text, out);
}

/* ---- one metric ---- */

/* A metric's statement checked against its declaration: which column is the value. */
struct prom_metric {
    struct prom_decl decl;
    int valueCol;
    enum prom_merge merge;
};

/* Checks STMT's columns: one `value`, the rest label names, none twice. NULL or the problem. */
static const char *checkColumns(sqlite3_stmt *stmt, int *valueCol)
{
    int ncol = sqlite3_column_count(stmt);
    *valueCol = -1;
    for (int c = 0; c < ncol; c++) {
        const char *name = sqlite3_column_name(stmt, c);
        if (!name) return "out of memory";
        for (int k = 0; k < c; k++)
            if (!strcmp(name, sqlite3_column_name(stmt, k))) return "a column name twice";
        if (!strcmp(name, "value"))
            *valueCol = c;
        else if (!promLabelName(name))
            return "a column that is not a label name ([a-zA-Z_][a-zA-Z0-9_]*, no leading __)";
    }
    return *valueCol < 0 ? "no column named value" : NULL;
}

/* One sample line; a row whose value is NULL has none. Returns 0, or 1 for a value that is
 * not a number. */
static int writeSample(FILE *out, sqlite3_stmt *stmt, const struct prom_metric *m)
{
    int type = sqlite3_column_type(stmt, m->valueCol);
    if (type == SQLITE_NULL) return 0;
    if (type != SQLITE_INTEGER && type != SQLITE_FLOAT) return 1;
    fputs(m->decl.name, out);
    int ncol = sqlite3_column_count(stmt), labels = 0;
    for (int c = 0; c < ncol; c++) {
        if (c == m->valueCol) continue;
        fprintf(out, "%s%s=\"", labels++ ? "," : "{", sqlite3_column_name(stmt, c));
        const unsigned char *text = (const unsigned char *)outputColumnText(stmt, c);
        if (text) promLabelValue(out, text);
        fputc('"', out);
    }
    if (labels) fputc('}', out);
    fputc(' ', out);
    if (type == SQLITE_INTEGER)
        fprintf(out, "%lld", (long long)sqlite3_column_int64(stmt, m->valueCol));
    else
        promNumber(out, sqlite3_column_double(stmt, m->valueCol));
    fputc('\n', out);
    return 0;
}

static void writeHeader(FILE *out, const struct prom_decl *decl)
{
    fprintf(out, "# HELP %s ", decl->name);
    promHelpText(out, (const unsigned char *)decl->help);
    fprintf(out, "\n# TYPE %s %s\n", decl->name, decl->type);
}

/*
** Steps STMT, writing the metric's header and samples to OUT; rows of one series are merged by
** the metric's rule. On an error the samples are dropped and the error printed. Returns what
** counts in sqlsof_collect_errors: 1 for a metric left out, else the rows merged away.
*/
static long writeMetric(FILE *out, sqlite3 *db, sqlite3_stmt *stmt, const struct prom_metric *m)
{
    char *samples = NULL, *merged = NULL;
    size_t len = 0, mergedLen = 0;
    FILE *mem = open_memstream(&samples, &len);
    if (!mem) {
        fprintf(stderr, "sqlsof: metric %s: %s\n", m->decl.name, strerror(errno));
        return 1;
    }
    int rc, bad = 0;
    while (!bad && (rc = sqlite3_step(stmt)) == SQLITE_ROW) bad = writeSample(mem, stmt, m);
    fclose(mem);
    long repeated = !bad && rc == SQLITE_DONE
                        ? promMergeSeries(samples, len, m->merge, &merged, &mergedLen)
                        : 0;
    long errors = 1;
    if (bad)
        fprintf(stderr, "sqlsof: metric %s: value is not a number\n", m->decl.name);
    else if (rc != SQLITE_DONE)
        fprintf(stderr, "sqlsof: metric %s: %s\n", m->decl.name, sqlite3_errmsg(db));
    else if (repeated < 0)
        fprintf(stderr, "sqlsof: metric %s: out of memory\n", m->decl.name);
    else {
        if (repeated)
            fprintf(stderr,
                    "sqlsof: metric %s: %ld row%s merged into another of the same labels (%s)\n",
                    m->decl.name, repeated, repeated > 1 ? "s" : "", promMergeRuleName(m->merge));
        writeHeader(out, &m->decl);
        fwrite(merged, 1, mergedLen, out);
        errors = repeated;
    }
    free(samples);
    free(merged);
    return errors;
}

/* ---- the report ---- */

/* The names declared so far, to refuse a second declaration of one. */
struct prom_names {
    char **v;
    int n;
};

static int namesHave(const struct prom_names *names, const char *name)
{
    for (int i = 0; i < names->n; i++)
        if (!strcmp(names->v[i], name)) return 1;
    return 0;
}

static int namesAdd(struct prom_names *names, const char *name)
{
    char **grown = realloc(names->v, (size_t)(names->n + 1) * sizeof *grown);
    if (!grown) return 1;
    names->v = grown;
    if (!(names->v[names->n] = strdup(name))) return 1;
    names->n++;
    return 0;
}

static void namesFree(struct prom_names *names)
{
    for (int i = 0; i < names->n; i++) free(names->v[i]);
    free(names->v);
}

/* The start of STMT's text, for naming a statement that has no declaration. */
static void statementStart(const char *sql, char *buf, size_t size)
{
    sql += strspn(sql, " \t\r\n");
    size_t n = strcspn(sql, "\r\n");
    if (n >= size) n = size - 1;
    memcpy(buf, sql, n);
    buf[n] = '\0';
}

/*
** Checks one statement that returns columns against LINE, the declaration in the text before
** it, and MERGE, the text of its merge line (or NULL). Returns 0 when the metric is good (M
** filled in, pointing into LINE), else prints the problem and returns 1.
*/
static int declareMetric(sqlite3_stmt *stmt, char *line, const char *merge,
                         struct prom_names *names, struct prom_metric *m)
{
    char start[48];
    if (!line) {
        statementStart(sqlite3_sql(stmt), start, sizeof start);
        fprintf(stderr, "sqlsof: a SELECT without a `%s NAME TYPE HELP` line: %s\n", PROM_MARK,
                start);
        return 1;
    }
    const char *why = promParseDecl(line, &m->decl);
    if (!why) why = checkColumns(stmt, &m->valueCol);
    m->merge = merge ? promMergeRule(merge) : PROM_MERGE_SUM;
    if (!why && (int)m->merge < 0) why = "the merge rule must be sum, max or min";
    if (!why && namesHave(names, m->decl.name)) why = "declared twice";
    if (!why && namesAdd(names, m->decl.name)) why = "out of memory";
    if (why) {
        fprintf(stderr, "sqlsof: metric %s: %s\n", m->decl.name ? m->decl.name : "(none)", why);
        return 1;
    }
    return 0;
}

/* A statement that does not compile (ending at END, or NULL when unknown): named by the
 * declaration before the error, if any. */
static void prepareError(sqlite3 *db, const char *sql, const char *end)
{
    int offset = sqlite3_error_offset(db);
    char *line = markedLine(sql,
                            offset >= 0 ? sql + offset
                            : end       ? end
                                        : sql + strlen(sql),
                            PROM_MARK);
    if (line)
        fprintf(stderr, "sqlsof: metric %.*s: %s\n", (int)strcspn(line, " \t"), line,
                sqlite3_errmsg(db));
    else
        fprintf(stderr, "sqlsof: %s\n", sqlite3_errmsg(db));
    free(line);
}

static double monotonicSeconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The collection's own metrics, after the rest. */
static void writeOwnMetrics(FILE *out, double seconds, long errors)
{
    fputs("# HELP sqlsof_collect_duration_seconds How long this collection took.\n"
          "# TYPE sqlsof_collect_duration_seconds gauge\n"
          "sqlsof_collect_duration_seconds ",
          out);
    promNumber(out, (double)(long long)(seconds * 1e6 + 0.5) / 1e6); /* microseconds suffice */
    fprintf(out,
            "\n# HELP sqlsof_collect_errors Metrics left out of this collection (their statement "
            "failed or gave a value that is not a number), rows merged into another of the same "
            "labels, and what the metrics' SQL counted (process names folded into other, "
            "sources that failed).\n"
            "# TYPE sqlsof_collect_errors gauge\n"
            "sqlsof_collect_errors %ld\n",
            errors);
}

/* collect_errors(N): adds N to this collection's sqlsof_collect_errors; returns N. For what the
 * metrics' own SQL finds wrong (sql/metrics.sql counts the process names it folds). */
static void collectErrors(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    long *errors = sqlite3_user_data(ctx);
    *errors += (long)sqlite3_value_int64(argv[0]);
    sqlite3_result_value(ctx, argv[0]);
}

/* The end of the statement that starts SQL (past its ';'), or NULL: for skipping one that does
 * not compile. */
static const char *statementEnd(const char *sql)
{
    for (const char *p = strchr(sql, ';'); p; p = strchr(p + 1, ';')) {
        char *head = strndup(sql, (size_t)(p + 1 - sql));
        int complete = head && sqlite3_complete(head);
        free(head);
        if (complete) return p + 1;
    }
    return NULL;
}

int promReport(FILE *out, sqlite3 *db, const char *sql)
{
    double started = monotonicSeconds();
    struct prom_names names = {0};
    namesAdd(&names, "sqlsof_collect_duration_seconds"); /* written by writeOwnMetrics */
    namesAdd(&names, "sqlsof_collect_errors");
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    int status = mem ? 0 : 1, failedSources = 0;
    long errors = 0;
    if (!mem) perror("sqlsof");
    sqlite3_create_function(db, "collect_errors", 1, SQLITE_UTF8, &errors, collectErrors, NULL,
                            NULL);

    while (!status && sql && *sql) {
        sqlite3_stmt *stmt = NULL;
        const char *tail = NULL;
        char *line = NULL, *merge = NULL;
        if (sqlite3_prepare_v2(db, sql, -1, &stmt, &tail) != SQLITE_OK) {
            /* After a source failed, what depends on it is left out and counted, as it fails. */
            const char *end = statementEnd(sql);
            prepareError(db, sql, end);
            if (!failedSources || !end) {
                status = 1;
                break;
            }
            errors++;
            sql = end;
            continue;
        }
        line = markedLine(sql, tail, PROM_MARK);
        merge = markedLine(sql, tail, PROM_MERGE_MARK);
        sql = tail;
        struct prom_metric m;
        if (stmt && sqlite3_column_count(stmt) > 0) {
            if (declareMetric(stmt, line, merge, &names, &m) != 0)
                status = 1;
            else
                errors += writeMetric(mem, db, stmt, &m);
        } else if (stmt && line) {
            fprintf(stderr, "sqlsof: metric %.*s: its statement returns no columns\n",
                    (int)strcspn(line, " \t"), line);
            status = 1;
        } else if (stmt) {
            if (sqlite3_step(stmt) != SQLITE_DONE) { /* a source: the metrics go on */
                fprintf(stderr, "sqlsof: %s\n", sqlite3_errmsg(db));
                failedSources++;
                errors++;
            }
        }
        free(line);
        free(merge);
        sqlite3_finalize(stmt);
    }
    sqlite3_create_function(db, "collect_errors", 1, SQLITE_UTF8, NULL, NULL, NULL, NULL);
    if (mem) fclose(mem);
    if (!status) {
        fwrite(text, 1, len, out);
        writeOwnMetrics(out, monotonicSeconds() - started, errors);
    }
    free(text);
    namesFree(&names);
    return status ? status : failedSources ? PROM_PARTIAL : 0;
}

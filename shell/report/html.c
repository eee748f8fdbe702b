/*
** The HTML report. A page a person can open anywhere: inline CSS, no script, no external asset.
** Every value is HTML-escaped (process names and command lines are chosen by whoever started
** the process) and bytes that are not UTF-8 become U+FFFD, so the page is always valid text.
*/
#include "report/html.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "output.h"
#include "report/graph.h"
#include "utf8.h"
#include "sqlsof.h"

#define SECTION_MARK "-- section:"
#define GRAPH_MARK   "-- graph:"

static const char css[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em 2em;color:#1d2329;background:#fff}"
    "h1{font-size:1.5em;margin:0}"
    "header p{color:#5b6670;margin:.2em 0 1em}"
    "nav ol{columns:2;margin:0 0 1.5em;padding-left:1.4em}"
    "h2{font-size:1.15em;margin:1.6em 0 .4em;border-bottom:2px solid #2f6f9f;padding-bottom:.15em}"
    "table{border-collapse:collapse;font-size:13px}"
    "th,td{padding:.2em .7em;border-bottom:1px solid #dde3e8;text-align:left;vertical-align:top}"
    "th{background:#eef3f7;position:sticky;top:0}"
    "tbody tr:nth-child(even){background:#f8fafb}"
    "td.num{text-align:right;font-variant-numeric:tabular-nums}"
    "td.null{color:#9aa5ad}"
    "td{white-space:nowrap}"
    "td:last-child{white-space:normal;overflow-wrap:anywhere;max-width:60em}"
    "p.rows{color:#5b6670;font-size:12px;margin:.3em 0}"
    "p.note{color:#8a5a00}"
    "div.graph{overflow:auto;max-height:80vh;border:1px solid #dde3e8}";

/* & < > " ' as character references, controls (C0, DEL, C1) as \xHH, bytes that are not
 * UTF-8 as U+FFFD: the page is valid UTF-8 and shows no character a browser would drop. */
static const char *htmlEscape(const unsigned char *s, int n, char *buf)
{
    unsigned char c = *s;
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    case '\'': return "&#39;";
    }
    if (n == 0) return "\xEF\xBF\xBD";
    unsigned cp = utf8Decode(s, n);
    if (!utf8IsControl(cp)) return NULL;
    snprintf(buf, 16, "\\x%02X", cp);
    return buf;
}

static void htmlText(FILE *out, const unsigned char *s)
{
    outputEscaped(out, s, htmlEscape);
}

/* One section: a heading (when titled), the table, the row count. */
static int htmlSection(FILE *out, sqlite3_stmt *stmt, int id, const char *title)
{
    int ncol = sqlite3_column_count(stmt), nrow = 0, rc;
    fprintf(out, "<section id=\"s%d\">\n", id);
    if (title) {
        fputs("<h2>", out);
        htmlText(out, (const unsigned char *)title);
        fputs("</h2>\n", out);
    }
    fputs("<table>\n<thead><tr>", out);
    for (int c = 0; c < ncol; c++) {
        fputs("<th>", out);
        htmlText(out, (const unsigned char *)sqlite3_column_name(stmt, c));
        fputs("</th>", out);
    }
    fputs("</tr></thead>\n<tbody>\n", out);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        nrow++;
        fputs("<tr>", out);
        for (int c = 0; c < ncol; c++) {
            int type = sqlite3_column_type(stmt, c);
            if (type == SQLITE_NULL) {
                fputs("<td class=\"null\"></td>", out);
                continue;
            }
            fputs(type == SQLITE_INTEGER || type == SQLITE_FLOAT ? "<td class=\"num\">" : "<td>",
                  out);
            htmlText(out, (const unsigned char *)outputColumnText(stmt, c));
            fputs("</td>", out);
        }
        fputs("</tr>\n", out);
    }
    fprintf(out, "</tbody>\n</table>\n<p class=\"rows\">%d row%s</p>\n</section>\n", nrow,
            nrow == 1 ? "" : "s");
    return rc;
}

/* A `-- graph:` section: its heading and the graph of STMT's edges (graph.h). */
static int htmlGraph(FILE *out, sqlite3_stmt *stmt, int id, const char *title)
{
    char *err = NULL;
    fprintf(out, "<section id=\"s%d\">\n<h2>", id);
    htmlText(out, (const unsigned char *)title);
    fputs("</h2>\n", out);
    int rc = graphSvg(out, stmt, &err);
    fputs("</section>\n", out);
    if (rc != SQLITE_DONE)
        fprintf(stderr, "sqlsof: %s\n", err ? err : sqlite3_errmsg(sqlite3_db_handle(stmt)));
    sqlite3_free(err);
    return rc;
}

/* The page's header, its table of contents (TITLES, COUNT of them) and BODY. */
static void htmlPage(FILE *out, char **titles, int count, const char *body, size_t bodyLen)
{
    char host[256] = "this host", when[64] = "";
    gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = '\0';
    time_t now = time(NULL);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", gmtime(&now));

    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width\">\n<title>sqlsof report: ",
          out);
    htmlText(out, (const unsigned char *)host);
    fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n<header><h1>sqlsof report: ", css);
    htmlText(out, (const unsigned char *)host);
    fprintf(out, "</h1>\n<p>%s, sqlsof %s (SQLite %s)</p></header>\n", when, SQLSOF_VERSION,
            sqlite3_libversion());
    fputs("<nav><ol>\n", out);
    for (int i = 0; i < count; i++) {
        if (!titles[i]) continue;
        fprintf(out, "<li><a href=\"#s%d\">", i + 1);
        htmlText(out, (const unsigned char *)titles[i]);
        fputs("</a></li>\n", out);
    }
    fputs("</ol></nav>\n<main>\n", out);
    fwrite(body, 1, bodyLen, out);
    fputs("</main>\n</body>\n</html>\n", out);
}

int htmlReport(FILE *out, sqlite3 *db, const char *sql)
{
    char *body = NULL, **titles = NULL;
    size_t bodyLen = 0;
    int count = 0, status = 0;
    size_t titlesCap = 0;
    FILE *mem = open_memstream(&body, &bodyLen);
    if (!mem) {
        perror("sqlsof");
        return 1;
    }
    while (sql && *sql && !status) {
        sqlite3_stmt *stmt = NULL;
        const char *tail = NULL;
        if (sqlite3_prepare_v2(db, sql, -1, &stmt, &tail) != SQLITE_OK) {
            fprintf(stderr, "sqlsof: %s\n", sqlite3_errmsg(db));
            status = 1;
            break;
        }
        char *graph = markedLine(sql, tail, GRAPH_MARK);
        char *title = graph ? graph : markedLine(sql, tail, SECTION_MARK);
        sql = tail;
        int rc = SQLITE_DONE;
        if (stmt && sqlite3_column_count(stmt) > 0) {
            titles = outputGrow(titles, &titlesCap, (size_t)count + 1, sizeof *titles);
            titles[count++] = title;
            title = NULL;
            rc = graph ? htmlGraph(mem, stmt, count, titles[count - 1])
                       : htmlSection(mem, stmt, count, titles[count - 1]);
        } else if (stmt) {
            rc = sqlite3_step(stmt);
        }
        free(title);
        if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
            if (!graph) fprintf(stderr, "sqlsof: %s\n", sqlite3_errmsg(db)); /* htmlGraph's own */
            status = 1;
        }
        sqlite3_finalize(stmt);
    }
    fclose(mem);
    if (!status) htmlPage(out, titles, count, body, bodyLen);
    for (int i = 0; i < count; i++) free(titles[i]);
    free(titles);
    free(body);
    return status;
}

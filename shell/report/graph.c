/*
** The graph of who talks to whom (graph.h): edges read from a SELECT of (pid, peer_pid[, label]),
** each process named and put in its container's cluster from the processes table, written as
** DOT with every label escaped (process names are chosen by whoever started the process).
*/
#include "report/graph.h"

#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "utf8.h"

#define GRAPH_MAX_EDGES 2000 /* rows read: past this dot takes long and nobody reads the picture */

struct edge {
    long long a, b; /* a <= b: edges have no direction */
    char *label;    /* NULL: none */
};

struct node {
    long long pid;
    char *name, *container, *cluster; /* cluster: the container's name, else its id's start */
};

struct graph {
    struct edge *edges;
    size_t n, cap, more; /* more: edges past GRAPH_MAX_EDGES, not drawn */
    struct node *nodes;
    size_t nodeCount;
};

/* " \ and controls escaped for a DOT quoted string (controls shown as \xHH, as the HTML report
 * does), bytes that are not UTF-8 as U+FFFD: dot reads UTF-8 and must never see a line end. */
static const char *dotEscape(const unsigned char *s, int n, char *buf)
{
    if (*s == '"') return "\\\"";
    if (*s == '\\') return "\\\\";
    if (n == 0) return "\xEF\xBF\xBD";
    unsigned cp = utf8Decode(s, n);
    if (!utf8IsControl(cp)) return NULL;
    snprintf(buf, 16, "\\\\x%02X", cp);
    return buf;
}

static void dotString(FILE *out, const char *s)
{
    fputc('"', out);
    outputEscaped(out, (const unsigned char *)s, dotEscape);
    fputc('"', out);
}

static int byEdge(const void *x, const void *y)
{
    const struct edge *e = x, *f = y;
    if (e->a != f->a) return e->a < f->a ? -1 : 1;
    if (e->b != f->b) return e->b < f->b ? -1 : 1;
    return strcmp(e->label ? e->label : "", f->label ? f->label : "");
}

static void graphFree(struct graph *g)
{
    for (size_t i = 0; i < g->n; i++) free(g->edges[i].label);
    for (size_t i = 0; i < g->nodeCount; i++)
        free(g->nodes[i].name), free(g->nodes[i].container), free(g->nodes[i].cluster);
    free(g->edges);
    free(g->nodes);
}

/* Reads STMT's rows into G. Returns SQLITE_DONE, or the error with *ERR set for a wrong shape. */
static int graphRead(sqlite3_stmt *stmt, struct graph *g, char **err)
{
    int ncol = sqlite3_column_count(stmt), rc;
    if (ncol != 2 && ncol != 3) {
        *err = sqlite3_mprintf("the graph's SELECT must return (pid, peer_pid[, label]), not %d "
                               "column%s",
                               ncol, ncol == 1 ? "" : "s");
        return SQLITE_ERROR;
    }
    for (long long row = 1; (rc = sqlite3_step(stmt)) == SQLITE_ROW; row++) {
        int ta = sqlite3_column_type(stmt, 0), tb = sqlite3_column_type(stmt, 1);
        if (ta == SQLITE_NULL || tb == SQLITE_NULL) continue;
        if (ta != SQLITE_INTEGER || tb != SQLITE_INTEGER) {
            *err = sqlite3_mprintf("row %lld of the graph's SELECT: pid and peer_pid must be "
                                   "integers",
                                   row);
            return SQLITE_MISMATCH;
        }
        if (g->n == GRAPH_MAX_EDGES) {
            g->more++;
            continue;
        }
        long long a = sqlite3_column_int64(stmt, 0), b = sqlite3_column_int64(stmt, 1);
        g->edges = outputGrow(g->edges, &g->cap, g->n + 1, sizeof *g->edges);
        g->edges[g->n++] =
            (struct edge){.a = a < b ? a : b,
                          .b = a < b ? b : a,
                          .label = ncol == 3 ? outputCopy(outputColumnText(stmt, 2)) : NULL};
    }
    if (rc != SQLITE_DONE) return rc;
    if (g->n) qsort(g->edges, g->n, sizeof *g->edges, byEdge); /* NULL when none: UB to qsort */
    return SQLITE_DONE;
}

static int byPid(const void *x, const void *y)
{
    long long a = *(const long long *)x, b = *(const long long *)y;
    return (a > b) - (a < b);
}

/* Containers first in their clusters' order, host processes last, each by pid. */
static int byCluster(const void *x, const void *y)
{
    const struct node *m = x, *n = y;
    if (!m->container != !n->container) return m->container ? -1 : 1;
    int c = m->container ? strcmp(m->container, n->container) : 0;
    return c ? c : byPid(&m->pid, &n->pid);
}

/* The nodes: every pid of an edge, named from the processes table (gone: no name). */
static void graphNodes(sqlite3 *db, struct graph *g)
{
    long long *pids = malloc((2 * g->n + 1) * sizeof *pids);
    if (!pids) outputOutOfMemory();
    size_t n = 0;
    for (size_t i = 0; i < g->n; i++) pids[n++] = g->edges[i].a, pids[n++] = g->edges[i].b;
    qsort(pids, n, sizeof *pids, byPid);
    g->nodes = calloc(n + 1, sizeof *g->nodes);
    if (!g->nodes) outputOutOfMemory();
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(db,
                       "SELECT name, container_id, coalesce(container_name, "
                       "substr(container_id, 1, 12)) FROM processes WHERE pid = ?",
                       -1, &q, NULL);
    for (size_t i = 0; i < n; i++) {
        if (i && pids[i] == pids[i - 1]) continue;
        struct node *node = &g->nodes[g->nodeCount++];
        node->pid = pids[i];
        sqlite3_bind_int64(q, 1, pids[i]);
        if (q && sqlite3_step(q) == SQLITE_ROW) {
            node->name = outputCopy(outputColumnText(q, 0));
            node->container = outputCopy(outputColumnText(q, 1));
            node->cluster = outputCopy(outputColumnText(q, 2));
        }
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    free(pids);
    qsort(g->nodes, g->nodeCount, sizeof *g->nodes, byCluster);
}

static void dotNode(FILE *out, const struct node *node, const char *indent)
{
    char pid[32];
    snprintf(pid, sizeof pid, "%lld", node->pid);
    fprintf(out, "%sp%lld [label=", indent, node->pid);
    if (node->name) {
        /* name and pid on two lines: the \n is DOT's, written after the name was escaped */
        fputc('"', out);
        outputEscaped(out, (const unsigned char *)node->name, dotEscape);
        fprintf(out, "\\n%s\"", pid);
    } else {
        dotString(out, pid);
    }
    fputs("];\n", out);
}

/* G as a DOT graph: clusters of the container's processes, then the host's, then the edges. */
static void dotWrite(FILE *out, const struct graph *g)
{
    fputs("graph sqlsof {\n"
          "  graph [rankdir=LR, fontname=\"sans-serif\", fontsize=11];\n"
          "  node [shape=box, style=rounded, fontname=\"sans-serif\", fontsize=10];\n"
          "  edge [fontname=\"sans-serif\", fontsize=9, color=\"#2f6f9f\"];\n",
          out);
    int cluster = 0;
    for (size_t i = 0; i < g->nodeCount; i++) {
        const struct node *node = &g->nodes[i];
        if (node->container && (!i || !g->nodes[i - 1].container ||
                                strcmp(node->container, g->nodes[i - 1].container))) {
            fprintf(out, "  subgraph cluster_%d {\n    label=", ++cluster);
            dotString(out, node->cluster);
            fputs(";\n", out);
        }
        dotNode(out, node, node->container ? "    " : "  ");
        if (node->container && (i + 1 == g->nodeCount || !g->nodes[i + 1].container ||
                                strcmp(node->container, g->nodes[i + 1].container)))
            fputs("  }\n", out);
    }
    for (size_t i = 0; i < g->n; i++) {
        const struct edge *e = &g->edges[i];
        if (i && !byEdge(e, e - 1)) continue; /* drawn once */
        fprintf(out, "  p%lld -- p%lld", e->a, e->b);
        if (e->label) {
            fputs(" [label=", out);
            dotString(out, e->label);
            fputc(']', out);
        }
        fputs(";\n", out);
    }
    fputs("}\n", out);
}

int graphDot(FILE *out, sqlite3 *db, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    const char *tail = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, &tail) != SQLITE_OK) {
        fprintf(stderr, "sqlsof: %s\n", sqlite3_errmsg(db));
        return 1;
    }
    tail += strspn(tail, " \t\r\n;");
    if (!stmt || *tail) {
        fprintf(stderr, "sqlsof: --dot takes one SELECT of (pid, peer_pid[, label])\n");
        sqlite3_finalize(stmt);
        return 1;
    }
    struct graph g = {0};
    char *err = NULL;
    int rc = graphRead(stmt, &g, &err);
    if (rc == SQLITE_DONE) {
        graphNodes(db, &g);
        dotWrite(out, &g);
        if (g.more)
            fprintf(stderr, "sqlsof: --dot: %zu rows past the first %d left out\n", g.more,
                    GRAPH_MAX_EDGES);
    } else {
        fprintf(stderr, "sqlsof: --dot: %s\n", err ? err : sqlite3_errmsg(db));
    }
    sqlite3_free(err);
    sqlite3_finalize(stmt);
    graphFree(&g);
    return rc != SQLITE_DONE;
}

int graphSvg(FILE *out, sqlite3_stmt *stmt, char **err)
{
    struct graph g = {0};
    char *dot = NULL, *svg = NULL, why[128];
    size_t len = 0;
    int rc = graphRead(stmt, &g, err);
    FILE *mem = rc == SQLITE_DONE ? open_memstream(&dot, &len) : NULL;
    if (mem) {
        graphNodes(sqlite3_db_handle(stmt), &g);
        dotWrite(mem, &g);
        fclose(mem);
    }
    if (rc != SQLITE_DONE) {
        /* the caller says what went wrong */
    } else if (!g.n) {
        fputs("<p class=\"rows\">no edges</p>\n", out);
    } else if (graphRunDot(dot, len, &svg, why, sizeof why) < 0) {
        fprintf(out, "<p class=\"note\">The graph needs Graphviz (<code>dot</code>): %s.</p>\n",
                why);
    } else {
        /* dot's SVG as it wrote it (dot escapes its XML), from its root element on */
        fprintf(out, "<div class=\"graph\">\n%s</div>\n", strstr(svg, "<svg"));
        fprintf(out, "<p class=\"rows\">%zu process%s", g.nodeCount, g.nodeCount == 1 ? "" : "es");
        if (g.more) fprintf(out, "; %zu rows past the first %d left out", g.more, GRAPH_MAX_EDGES);
        fputs("</p>\n", out);
    }
    free(svg);
    free(dot);
    graphFree(&g);
    return rc;
}

/*
** lsof's three output forms: the column listing (widths from the widest value, as lsof sizes
** them), -t (process ids only) and -F (one field per line, or NUL-terminated with -F0).
*/
#include "lsof/lsof_print.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lsof/lsof_escape.h"
#include "output.h"

/* The columns of lsofBuildSql()'s query. */
enum {
    Q_COMMAND,
    Q_PID,
    Q_USER,
    Q_UID,
    Q_PGID,
    Q_PPID,
    Q_FD,
    Q_MODE,
    Q_LOCK,
    Q_TYPE,
    Q_DEVICE,
    Q_SIZE_OFF,
    Q_NODE,
    Q_NAME,
    Q_INODE,
    Q_PROTOCOL,
    Q_FLAGS,
    Q_POS,
    Q_COUNT
};

struct row {
    char *v[Q_COUNT]; /* text; NULL for SQL NULL */
};

static char *escape(const char *s)
{
    return lsofEscape(s, 0, 0);
}

static int readRows(sqlite3_stmt *stmt, struct row **rows, size_t *nrows)
{
    size_t cap = 0;
    int rc;
    *rows = NULL;
    *nrows = 0;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        *rows = outputGrow(*rows, &cap, *nrows + 1, sizeof **rows);
        struct row *r = &(*rows)[(*nrows)++];
        for (int c = 0; c < Q_COUNT; c++) {
            r->v[c] = outputCopy(outputColumnText(stmt, c));
        }
    }
    return rc;
}

static void freeRows(struct row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (int c = 0; c < Q_COUNT; c++) free(rows[i].v[c]);
    free(rows);
}

/* The cells of one listing line, escaped, in lsof's column order. */
enum { L_COMMAND, L_PID, L_USER, L_FD, L_TYPE, L_DEVICE, L_SIZE, L_NODE, L_NAME, L_COUNT };

static void listingCells(const struct row *r, const struct lsof_opts *o, char *cell[L_COUNT])
{
    cell[L_COMMAND] =
        lsofEscape(r->v[Q_COMMAND] ? r->v[Q_COMMAND] : "",
                   o->commandWidth > 0 ? (size_t)o->commandWidth : 0, LSOF_ESCAPE_SPACE);
    cell[L_PID] = outputCopy(r->v[Q_PID]);
    const char *user = !o->numericUsers && r->v[Q_USER] ? r->v[Q_USER] : r->v[Q_UID];
    cell[L_USER] = escape(user ? user : "");
    cell[L_FD] = outputCopy(r->v[Q_FD] ? r->v[Q_FD] : "");
    cell[L_TYPE] = outputCopy(r->v[Q_TYPE] ? r->v[Q_TYPE] : "");
    cell[L_DEVICE] = outputCopy(r->v[Q_DEVICE] ? r->v[Q_DEVICE] : "");
    cell[L_SIZE] = outputCopy(r->v[Q_SIZE_OFF] ? r->v[Q_SIZE_OFF] : "");
    cell[L_NODE] = outputCopy(r->v[Q_NODE] ? r->v[Q_NODE] : "");
    cell[L_NAME] = escape(r->v[Q_NAME] ? r->v[Q_NAME] : "");
}

static void printListing(FILE *out, const struct row *rows, size_t n, const struct lsof_opts *o)
{
    static const char *const title[L_COUNT] = {"COMMAND", "PID",      "USER", "FD",  "TYPE",
                                               "DEVICE",  "SIZE/OFF", "NODE", "NAME"};
    /* lsof's minimum widths; the FD number column is at least 4 wide. */
    size_t width[L_COUNT] = {7, 3, 4, 4, 4, 6, 8, 4, 0};
    char *(*cells)[L_COUNT] = calloc(n ? n : 1, sizeof *cells);
    if (!cells) outputOutOfMemory();
    for (size_t i = 0; i < n; i++) {
        listingCells(&rows[i], o, cells[i]);
        for (int c = 0; c < L_NAME; c++)
            if (strlen(cells[i][c]) > width[c]) width[c] = strlen(cells[i][c]);
    }
    /* COMMAND and USER align left, the numbers right; FD is the number, mode and lock. */
    fprintf(out, "%-*s %*s %-*s %*s   %*s %*s %*s %*s %s\n", (int)width[L_COMMAND], title[0],
            (int)width[L_PID], title[1], (int)width[L_USER], title[2], (int)width[L_FD], title[3],
            (int)width[L_TYPE], title[4], (int)width[L_DEVICE], title[5], (int)width[L_SIZE],
            title[6], (int)width[L_NODE], title[7], title[8]);
    for (size_t i = 0; i < n; i++) {
        char **cell = cells[i];
        const char *mode = rows[i].v[Q_MODE] ? rows[i].v[Q_MODE] : "";
        const char *lock = rows[i].v[Q_LOCK] ? rows[i].v[Q_LOCK] : "";
        fprintf(out, "%-*s %*s %-*s %*s%c%c %*s %*s %*s %*s %s\n", (int)width[L_COMMAND],
                cell[L_COMMAND], (int)width[L_PID], cell[L_PID], (int)width[L_USER], cell[L_USER],
                (int)width[L_FD], cell[L_FD], *mode ? *mode : ' ', *lock ? *lock : ' ',
                (int)width[L_TYPE], cell[L_TYPE], (int)width[L_DEVICE], cell[L_DEVICE],
                (int)width[L_SIZE], cell[L_SIZE], (int)width[L_NODE], cell[L_NODE], cell[L_NAME]);
        for (int c = 0; c < L_COUNT; c++) free(cell[c]);
    }
    free(cells);
}

static void printPids(FILE *out, const struct row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (i == 0 || strcmp(rows[i].v[Q_PID], rows[i - 1].v[Q_PID]) != 0)
            fprintf(out, "%s\n", rows[i].v[Q_PID]);
}

/* lsof's -F device: the kernel's encoding of major and minor, in hex. */
static void printFieldDevice(FILE *out, const char *device, char end)
{
    unsigned major, minor;
    if (!device || sscanf(device, "%u,%u", &major, &minor) != 2) return;
    unsigned long enc = (minor & 0xffu) | (major << 8) | ((unsigned long)(minor & ~0xffu) << 12);
    fprintf(out, "D0x%lx%c", enc, end);
}

/* The address part of an Internet NAME: "1.2.3.4:5->6.7.8.9:10 (STATE)" → "1.2...:10". */
static void printFieldInetName(FILE *out, const char *name, char end)
{
    fprintf(out, "n%.*s%c", (int)strcspn(name, " "), name, end);
}

/* A text field as lsof writes it (escaped: a newline in a name starts no field). */
static void printFieldText(FILE *out, char field, const char *text, char end)
{
    char *escaped = escape(text);
    fprintf(out, "%c%s%c", field, escaped, end);
    free(escaped);
}

/* A unix socket's NAME without its "(STATE)", which -F gives in its own field; escaped. */
static void printFieldUnixName(FILE *out, const char *name, char end)
{
    const char *state = strrchr(name, '(');
    size_t len = state && state > name && state[-1] == ' ' && name[strlen(name) - 1] == ')'
                     ? (size_t)(state - name - 1)
                     : strlen(name);
    char *cut = outputCopy(name);
    cut[len] = '\0';
    printFieldText(out, 'n', cut, end);
    free(cut);
}

static int wants(const struct lsof_opts *o, char field)
{
    return *o->fields == '\0' || strchr(o->fields, field) != NULL;
}

/* Whether any field of a file's set is asked for (lsof prints no file lines for -Fpc). */
static int wantsFileFields(const struct lsof_opts *o)
{
    return *o->fields == '\0' || strpbrk(o->fields, "faltGDsoinP") != NULL;
}

static const char *blankIfEmpty(const char *s)
{
    return s && *s ? s : " ";
}

static void printFields(FILE *out, const struct row *rows, size_t n, const struct lsof_opts *o)
{
    char end = o->fieldNul ? '\0' : '\n';
    for (size_t i = 0; i < n; i++) {
        const struct row *r = &rows[i];
        if (i == 0 || strcmp(r->v[Q_PID], rows[i - 1].v[Q_PID]) != 0) {
            fprintf(out, "p%s%c", r->v[Q_PID], end);
            if (wants(o, 'g') && r->v[Q_PGID]) fprintf(out, "g%s%c", r->v[Q_PGID], end);
            if (wants(o, 'R') && r->v[Q_PPID]) fprintf(out, "R%s%c", r->v[Q_PPID], end);
            if (wants(o, 'c') && r->v[Q_COMMAND]) printFieldText(out, 'c', r->v[Q_COMMAND], end);
            if (wants(o, 'u') && r->v[Q_UID]) fprintf(out, "u%s%c", r->v[Q_UID], end);
            if (wants(o, 'L') && r->v[Q_USER]) printFieldText(out, 'L', r->v[Q_USER], end);
            if (o->fieldNul) fputc('\n', out);
        }
        int inet = r->v[Q_TYPE] && (!strcmp(r->v[Q_TYPE], "IPv4") || !strcmp(r->v[Q_TYPE], "IPv6"));
        if (!wantsFileFields(o)) continue; /* -Fc, -Fp: the process set alone, as lsof */
        if (wants(o, 'f')) fprintf(out, "f%s%c", r->v[Q_FD] ? r->v[Q_FD] : "", end);
        /* lsof keeps a blank mode and lock (a blank after the letter) where there is none. */
        if (wants(o, 'a')) fprintf(out, "a%s%c", blankIfEmpty(r->v[Q_MODE]), end);
        if (wants(o, 'l')) fprintf(out, "l%s%c", blankIfEmpty(r->v[Q_LOCK]), end);
        if (wants(o, 't') && r->v[Q_TYPE]) fprintf(out, "t%s%c", r->v[Q_TYPE], end);
        if (wants(o, 'G') && r->v[Q_FLAGS])
            fprintf(out, "G0x%llx;0x0%c", strtoull(r->v[Q_FLAGS], NULL, 10), end);
        if (wants(o, 'D') && !inet) printFieldDevice(out, r->v[Q_DEVICE], end);
        if (wants(o, 's') && r->v[Q_SIZE_OFF] && strncmp(r->v[Q_SIZE_OFF], "0t", 2) != 0)
            fprintf(out, "s%s%c", r->v[Q_SIZE_OFF], end);
        /* The offset: asked for, every descriptor's; by default, where SIZE/OFF shows it. */
        if (*o->fields ? wants(o, 'o') && r->v[Q_POS]
                       : r->v[Q_SIZE_OFF] && !strncmp(r->v[Q_SIZE_OFF], "0t", 2))
            fprintf(out, "o0t%s%c", r->v[Q_POS] ? r->v[Q_POS] : "0", end);
        if (wants(o, 'i') && !inet && r->v[Q_INODE]) fprintf(out, "i%s%c", r->v[Q_INODE], end);
        if (wants(o, 'P') && inet && r->v[Q_NODE]) fprintf(out, "P%s%c", r->v[Q_NODE], end);
        if (wants(o, 'n') && r->v[Q_NAME]) {
            if (inet)
                printFieldInetName(out, r->v[Q_NAME], end);
            else if (r->v[Q_TYPE] && !strcmp(r->v[Q_TYPE], "unix"))
                printFieldUnixName(out, r->v[Q_NAME], end);
            else
                printFieldText(out, 'n', r->v[Q_NAME], end);
        }
        if (o->fieldNul) fputc('\n', out);
    }
}

int lsofPrint(FILE *out, sqlite3_stmt *stmt, const struct lsof_opts *o, size_t *printed)
{
    struct row *rows;
    size_t n;
    int rc = readRows(stmt, &rows, &n);
    if (rc == SQLITE_DONE && n > 0) {
        if (o->terse)
            printPids(out, rows, n);
        else if (o->fields)
            printFields(out, rows, n, o);
        else
            printListing(out, rows, n, o);
    }
    *printed = n;
    freeRows(rows, n);
    return rc;
}

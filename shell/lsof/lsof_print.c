/*
** lsof's three output forms: the column listing (widths from the widest value, as lsof sizes
** them), -t (process ids only) and -F (one field per line, or NUL-terminated with -F0).
*/
#include "lsof/lsof_print.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lsof/lsof_escape.h"
#include "output.h"

/* The columns of lsofBuildQuery()'s statements. */
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
    Q_COUNT,
    Q_FD_ORDER = Q_COUNT /* the order of a process's rows: a sort key, never printed */
};

/* Every row's texts, held to size the columns: one buffer for all of them, and per row each
 * column's offset in it (NO_TEXT for SQL NULL), so that a row costs no allocation of its own. */
#define NO_TEXT SIZE_MAX

struct rows {
    char *text;
    size_t len, cap;
    size_t (*off)[Q_COUNT];
    struct row_key *key; /* each row's place in lsof's order */
    size_t n, nCap, keyCap;
};

/* Where a row sorts: by process, then as lsof orders a process's files (fd_order). */
struct row_key {
    sqlite3_int64 pid, order;
};

/* Row I's text of column C; NULL for SQL NULL. */
static const char *rowText(const struct rows *t, size_t i, int c)
{
    return t->off[i][c] == NO_TEXT ? NULL : t->text + t->off[i][c];
}

/* Row I's text of column C, or "" for NULL. */
static const char *rowTextOr(const struct rows *t, size_t i, int c)
{
    const char *s = rowText(t, i, c);
    return s ? s : "";
}

/* Room for N more bytes of T's text. */
static char *rowsRoom(struct rows *t, size_t n)
{
    t->text = outputGrow(t->text, &t->cap, t->len + n, 1);
    return t->text + t->len;
}

/* V in decimal, NUL-terminated, at the end of T's text: what sqlite3_column_text() would make
 * of it, without the allocation it makes in the statement's value. */
static void rowsAppendInteger(struct rows *t, sqlite3_int64 v)
{
    char digits[24], *p = digits + sizeof digits;
    uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
    *--p = '\0';
    do *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0) *--p = '-';
    size_t n = (size_t)(digits + sizeof digits - p);
    memcpy(rowsRoom(t, n), p, n);
    t->len += n;
}

/* Steps STMT to the end, adding its rows to T. */
static int readRows(sqlite3_stmt *stmt, struct rows *t)
{
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        t->off = outputGrow(t->off, &t->nCap, t->n + 1, sizeof *t->off);
        t->key = outputGrow(t->key, &t->keyCap, t->n + 1, sizeof *t->key);
        t->key[t->n].pid = sqlite3_column_int64(stmt, Q_PID);
        t->key[t->n].order = sqlite3_column_int64(stmt, Q_FD_ORDER);
        size_t *off = t->off[t->n++];
        for (int c = 0; c < Q_COUNT; c++) {
            sqlite3_value *v = sqlite3_column_value(stmt, c); /* read directly: output.h */
            off[c] = t->len;
            if (sqlite3_value_type(v) == SQLITE_INTEGER) {
                rowsAppendInteger(t, sqlite3_value_int64(v));
                continue;
            }
            const char *text = outputValueText(v);
            if (!text) {
                off[c] = NO_TEXT;
                continue;
            }
            size_t len = (size_t)sqlite3_value_bytes(v);
            memcpy(rowsRoom(t, len + 1), text, len + 1);
            t->len += len + 1;
        }
    }
    return rc;
}

static int compareKeys(const struct row_key *a, const struct row_key *b)
{
    if (a->pid != b->pid) return a->pid < b->pid ? -1 : 1;
    return (a->order > b->order) - (a->order < b->order);
}

/* A row's key and its place in the statements' output: sorted by both, the sort is stable. */
struct row_at {
    struct row_key key;
    size_t at;
};

static int compareRowAt(const void *x, const void *y)
{
    const struct row_at *a = x, *b = y;
    int c = compareKeys(&a->key, &b->key);
    return c ? c : (a->at > b->at) - (a->at < b->at);
}

/*
** Puts T's rows in lsof's order, by process and then fd_order; rows of equal keys (a process's
** mapped files) stay in the order the statements gave them. Rows mostly come in order (one
** process's descriptors): then nothing moves.
*/
static void sortRows(struct rows *t)
{
    size_t i = 1;
    while (i < t->n && compareKeys(&t->key[i - 1], &t->key[i]) <= 0) i++;
    if (i >= t->n) return;
    size_t atCap = 0, offCap = 0;
    struct row_at *by = outputGrow(NULL, &atCap, t->n, sizeof *by);
    for (i = 0; i < t->n; i++) by[i] = (struct row_at){t->key[i], i};
    qsort(by, t->n, sizeof *by, compareRowAt);
    size_t(*off)[Q_COUNT] = outputGrow(NULL, &offCap, t->n, sizeof *off);
    for (i = 0; i < t->n; i++) {
        memcpy(off[i], t->off[by[i].at], sizeof *off);
        t->key[i] = by[i].key;
    }
    free(by);
    free(t->off);
    t->off = off;
    t->nCap = offCap;
}

static void freeRows(struct rows *t)
{
    free(t->text);
    free(t->off);
    free(t->key);
}

/* A growing byte buffer for one output line, or one escaped text. */
struct line {
    char *buf;
    size_t len, cap;
};

static char *lineRoom(struct line *l, size_t n)
{
    l->buf = outputGrow(l->buf, &l->cap, l->len + n + 1, 1);
    return l->buf + l->len;
}

static void lineAppend(struct line *l, const char *s, size_t n)
{
    memcpy(lineRoom(l, n), s, n);
    l->len += n;
}

/* S in a column WIDTH wide, aligned left or right, and the space after it. */
static void lineCell(struct line *l, const char *s, size_t n, size_t width, int left)
{
    size_t pad = width > n ? width - n : 0;
    char *p = lineRoom(l, pad + n + 1);
    if (!left) memset(p, ' ', pad), p += pad;
    memcpy(p, s, n), p += n;
    if (left) memset(p, ' ', pad), p += pad;
    *p++ = ' ';
    l->len = (size_t)(p - l->buf);
}

/* S escaped as lsof writes it, into SCRATCH (reused); its text. */
static const char *escapeInto(struct line *scratch, const char *s, size_t width, int flags)
{
    scratch->len = 0;
    lsofEscapeInto(lineRoom(scratch, LSOF_ESCAPED_MAX(strlen(s))), s, width, flags);
    return scratch->buf;
}

/* The cells of one listing line, in lsof's column order. COMMAND, USER and NAME are escaped;
 * a process's COMMAND and USER are escaped once, on its first row. */
enum { L_COMMAND, L_PID, L_USER, L_FD, L_TYPE, L_DEVICE, L_SIZE, L_NODE, L_NAME, L_COUNT };

struct cells {
    const char *text[L_COUNT];
    size_t len[L_COUNT];
    struct line command, user, name; /* the escaped texts */
};

static void setCell(struct cells *c, int cell, const char *text)
{
    c->text[cell] = text;
    c->len[cell] = strlen(text);
}

static void listingCells(const struct rows *t, size_t i, const struct lsof_opts *o, struct cells *c)
{
    if (i == 0 || strcmp(rowText(t, i, Q_PID), rowText(t, i - 1, Q_PID)) != 0) {
        size_t width = o->commandWidth > 0 ? (size_t)o->commandWidth : 0;
        setCell(c, L_COMMAND,
                escapeInto(&c->command, rowTextOr(t, i, Q_COMMAND), width, LSOF_ESCAPE_SPACE));
        const char *user = !o->numericUsers && rowText(t, i, Q_USER) ? rowText(t, i, Q_USER)
                                                                     : rowTextOr(t, i, Q_UID);
        setCell(c, L_USER, escapeInto(&c->user, user, 0, 0));
        setCell(c, L_PID, rowTextOr(t, i, Q_PID));
    }
    setCell(c, L_FD, rowTextOr(t, i, Q_FD));
    setCell(c, L_TYPE, rowTextOr(t, i, Q_TYPE));
    setCell(c, L_DEVICE, rowTextOr(t, i, Q_DEVICE));
    setCell(c, L_SIZE, rowTextOr(t, i, Q_SIZE_OFF));
    setCell(c, L_NODE, rowTextOr(t, i, Q_NODE));
}

/* One listing line: COMMAND and USER align left, the numbers right; FD is the number, then
 * the mode and lock letters (blank when none). */
static void listingLine(struct line *l, const char *const *text, const size_t *len,
                        const size_t *width, char mode, char lock)
{
    l->len = 0;
    lineCell(l, text[L_COMMAND], len[L_COMMAND], width[L_COMMAND], 1);
    lineCell(l, text[L_PID], len[L_PID], width[L_PID], 0);
    lineCell(l, text[L_USER], len[L_USER], width[L_USER], 1);
    lineCell(l, text[L_FD], len[L_FD], width[L_FD], 0);
    l->len--; /* the mode and lock letters follow the number */
    char *p = lineRoom(l, 3);
    p[0] = mode, p[1] = lock, p[2] = ' ';
    l->len += 3;
    for (int c = L_TYPE; c < L_NAME; c++) lineCell(l, text[c], len[c], width[c], 0);
    lineAppend(l, text[L_NAME], len[L_NAME]);
    lineAppend(l, "\n", 1);
}

static void printListing(FILE *out, const struct rows *t, const struct lsof_opts *o)
{
    static const char *const title[L_COUNT] = {"COMMAND", "PID",      "USER", "FD",  "TYPE",
                                               "DEVICE",  "SIZE/OFF", "NODE", "NAME"};
    /* lsof's minimum widths; the FD number column is at least 4 wide. */
    size_t width[L_COUNT] = {7, 3, 4, 4, 4, 6, 8, 4, 0};
    struct cells c = {0};
    for (size_t i = 0; i < t->n; i++) {
        listingCells(t, i, o, &c);
        for (int k = 0; k < L_NAME; k++)
            if (c.len[k] > width[k]) width[k] = c.len[k];
    }
    struct line l = {0};
    size_t titleLen[L_COUNT];
    for (int k = 0; k < L_COUNT; k++) titleLen[k] = strlen(title[k]);
    listingLine(&l, title, titleLen, width, ' ', ' ');
    fwrite(l.buf, 1, l.len, out);
    for (size_t i = 0; i < t->n; i++) {
        listingCells(t, i, o, &c);
        setCell(&c, L_NAME, escapeInto(&c.name, rowTextOr(t, i, Q_NAME), 0, 0));
        const char *mode = rowTextOr(t, i, Q_MODE), *lock = rowTextOr(t, i, Q_LOCK);
        listingLine(&l, c.text, c.len, width, *mode ? *mode : ' ', *lock ? *lock : ' ');
        fwrite(l.buf, 1, l.len, out);
    }
    free(l.buf);
    free(c.command.buf);
    free(c.user.buf);
    free(c.name.buf);
}

static void printPids(FILE *out, const struct rows *t)
{
    for (size_t i = 0; i < t->n; i++)
        if (i == 0 || strcmp(rowText(t, i, Q_PID), rowText(t, i - 1, Q_PID)) != 0)
            fprintf(out, "%s\n", rowText(t, i, Q_PID));
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
    char *escaped = lsofEscape(text, 0, 0);
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

/* One row's texts by column (NULL for SQL NULL). */
struct row {
    const char *v[Q_COUNT];
};

static void printFields(FILE *out, const struct rows *t, const struct lsof_opts *o)
{
    char end = o->fieldNul ? '\0' : '\n';
    for (size_t i = 0; i < t->n; i++) {
        struct row row, *r = &row;
        for (int c = 0; c < Q_COUNT; c++) row.v[c] = rowText(t, i, c);
        if (i == 0 || strcmp(r->v[Q_PID], rowText(t, i - 1, Q_PID)) != 0) {
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

int lsofPrint(FILE *out, sqlite3_stmt *const *stmt, int n, const struct lsof_opts *o,
              size_t *printed)
{
    struct rows rows = {0};
    int rc = SQLITE_DONE;
    for (int i = 0; i < n && rc == SQLITE_DONE; i++) rc = readRows(stmt[i], &rows);
    sortRows(&rows);
    if (rc == SQLITE_DONE && rows.n > 0) {
        if (o->terse)
            printPids(out, &rows);
        else if (o->fields)
            printFields(out, &rows, o);
        else
            printListing(out, &rows, o);
    }
    *printed = rows.n;
    freeRows(&rows);
    return rc;
}

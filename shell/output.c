#include "output.h"

#include <stdint.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

const char *outputColumnText(sqlite3_stmt *stmt, int col)
{
    return outputValueText(sqlite3_column_value(stmt, col));
}

const char *outputValueText(sqlite3_value *v)
{
    /* The type first: a text that could not be made leaves the value NULL. */
    if (sqlite3_value_type(v) == SQLITE_NULL) return NULL;
    const char *text = (const char *)sqlite3_value_text(v);
    if (!text) outputOutOfMemory();
    return text;
}

/* ---- table: every row is held, to size the columns ---- */

struct cell {
    char *text; /* NULL for SQL NULL */
    int numeric;
};

/* Display width in characters: UTF-8 continuation bytes take no column. */
static size_t displayWidth(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) w++;
    return w;
}

/* A copy of S that a terminal shows as it is, on one line: C0 and C1 controls and DEL as \n, \t,
 * \xHH (of a byte) or \u00HH (of a C1 control, a character of two bytes), and bytes that are
 * not UTF-8 as \xHH. */
static char *escapeForTable(const unsigned char *s)
{
    size_t n = strlen((const char *)s);
    char *out = malloc(4 * n + 1), *p = out; /* \xHH for each byte, \u00HH for two, at worst */
    if (!out) outputOutOfMemory();
    while (*s) {
        int len = utf8Length(s);
        unsigned cp = len ? utf8Decode(s, len) : *s;
        if (*s == '\n')
            p += sprintf(p, "\\n");
        else if (*s == '\t')
            p += sprintf(p, "\\t");
        else if (len == 0 || (len == 1 && utf8IsControl(cp)))
            p += sprintf(p, "\\x%02x", *s);
        else if (utf8IsControl(cp))
            p += sprintf(p, "\\u%04x", cp);
        else {
            memcpy(p, s, (size_t)len);
            p += len;
        }
        s += len ? len : 1;
    }
    *p = '\0';
    return out;
}

/* TEXT padded to WIDTH (right-aligned when NUMERIC), then the column gap or, when LAST, the end
 * of the line (a last text column is not padded: no trailing blanks). */
static void printCell(FILE *out, const char *text, size_t width, int numeric, int last)
{
    int pad = (int)(width - displayWidth(text));
    if (numeric)
        fprintf(out, "%*s%s", pad, "", text);
    else
        fprintf(out, "%s%*s", text, last ? 0 : pad, "");
    fputs(last ? "\n" : "  ", out);
}

static int printTable(FILE *out, sqlite3_stmt *stmt)
{
    int ncol = sqlite3_column_count(stmt);
    size_t *width = calloc((size_t)ncol + 1, sizeof *width);
    int *numeric = calloc((size_t)ncol + 1, sizeof *numeric);
    if (!width || !numeric) outputOutOfMemory();
    struct cell *cells = NULL;
    size_t nrow = 0, cap = 0;
    int rc;

    for (int c = 0; c < ncol; c++) width[c] = displayWidth(sqlite3_column_name(stmt, c));
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        cells = outputGrow(cells, &cap, (nrow + 1) * (size_t)ncol + 1, sizeof *cells);
        for (int c = 0; c < ncol; c++) {
            struct cell *cell = &cells[nrow * (size_t)ncol + (size_t)c];
            sqlite3_value *v = sqlite3_column_value(stmt, c); /* read directly: output.h */
            int type = sqlite3_value_type(v);
            cell->numeric = type == SQLITE_INTEGER || type == SQLITE_FLOAT;
            cell->text = type == SQLITE_NULL
                             ? NULL
                             : escapeForTable((const unsigned char *)outputValueText(v));
            if (cell->text && displayWidth(cell->text) > width[c])
                width[c] = displayWidth(cell->text);
            if (cell->numeric) numeric[c] = 1;
        }
        nrow++;
    }
    /* Numbers align right, text left; a column is numeric if any of its values is. An error
     * prints no table, only its one line. */
    if (rc == SQLITE_DONE) {
        for (int c = 0; c < ncol; c++)
            printCell(out, sqlite3_column_name(stmt, c), width[c], numeric[c], c + 1 == ncol);
        for (int c = 0; c < ncol; c++) {
            for (size_t i = 0; i < width[c]; i++) fputc('-', out);
            fputs(c + 1 < ncol ? "  " : "\n", out);
        }
    }
    for (size_t r = 0; r < nrow; r++) {
        for (int c = 0; c < ncol; c++) {
            struct cell *cell = &cells[r * (size_t)ncol + (size_t)c];
            if (rc == SQLITE_DONE)
                printCell(out, cell->text ? cell->text : "", width[c], numeric[c], c + 1 == ncol);
            free(cell->text);
        }
    }
    free(cells);
    free(width);
    free(numeric);
    return rc;
}

/* ---- CSV (RFC 4180: CRLF line ends, quotes doubled) ---- */

/* A CSV row is built here and written with one fwrite: a stdio call per field cost more than
 * the formatting at 100,000 rows. */
struct csv_row {
    char *data;
    size_t len, cap;
};

/* Room for N more bytes. */
static char *csvRoom(struct csv_row *row, size_t n)
{
    if (row->len + n > row->cap) row->data = outputGrow(row->data, &row->cap, row->len + n, 1);
    return row->data + row->len;
}

/* Whether S (LEN bytes, NULs included) must be quoted. */
static int csvNeedsQuotes(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n') return 1;
    return 0;
}

static void csvField(struct csv_row *row, const char *s, size_t len)
{
    if (!csvNeedsQuotes(s, len)) {
        memcpy(csvRoom(row, len), s, len);
        row->len += len;
        return;
    }
    char *p = csvRoom(row, 2 * len + 2), *start = p; /* every byte a quote, at worst */
    *p++ = '"';
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"') *p++ = '"';
        *p++ = s[i];
    }
    *p++ = '"';
    row->len += (size_t)(p - start);
}

/* An integer in decimal, as SQLite's text of it, without its conversion of the value. */
static void csvInteger(struct csv_row *row, sqlite3_int64 v)
{
    char digits[24], *end = digits + sizeof digits, *p = end;
    sqlite3_uint64 u = v < 0 ? -(sqlite3_uint64)v : (sqlite3_uint64)v;
    do *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0) *--p = '-';
    size_t n = (size_t)(end - p);
    memcpy(csvRoom(row, n), p, n);
    row->len += n;
}

static void csvByte(struct csv_row *row, char c)
{
    *csvRoom(row, 1) = c;
    row->len++;
}

/* Ends ROW's line and writes it to OUT; ROW is empty again. */
static void csvWriteRow(FILE *out, struct csv_row *row)
{
    csvByte(row, '\r');
    csvByte(row, '\n');
    fwrite(row->data, 1, row->len, out);
    row->len = 0;
}

static int printCsv(FILE *out, sqlite3_stmt *stmt, int header)
{
    int ncol = sqlite3_column_count(stmt), rc;
    struct csv_row row = {0};
    for (int c = 0; c < ncol && header; c++) {
        if (c) csvByte(&row, ',');
        const char *name = sqlite3_column_name(stmt, c);
        csvField(&row, name, strlen(name));
    }
    if (header) csvWriteRow(out, &row);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        for (int c = 0; c < ncol; c++) {
            if (c) csvByte(&row, ',');
            sqlite3_value *v = sqlite3_column_value(stmt, c); /* read directly: output.h */
            switch (sqlite3_value_type(v)) {
            case SQLITE_NULL: break;
            case SQLITE_INTEGER: csvInteger(&row, sqlite3_value_int64(v)); break;
            default: {
                const char *text = outputValueText(v);
                csvField(&row, text, (size_t)sqlite3_value_bytes(v));
            }
            }
        }
        csvWriteRow(out, &row);
    }
    free(row.data);
    return rc;
}

/* ---- JSON ---- */

void outputEscaped(FILE *out, const unsigned char *s,
                   const char *(*escape)(const unsigned char *s, int n, char *buf))
{
    char buf[16];
    while (*s) {
        int n = utf8Length(s);
        const char *rep = escape(s, n, buf);
        if (rep)
            fputs(rep, out);
        else
            fwrite(s, 1, (size_t)n, out);
        s += n ? n : 1;
    }
}

/* Bytes that are not UTF-8 (file names may hold any) become \u00XX: the byte's value as the
 * code point, so the text stays valid JSON (RFC 8259) and strict decoders accept it. */
static const char *jsonEscape(const unsigned char *s, int n, char *buf)
{
    unsigned char c = *s;
    switch (c) {
    case '"': return "\\\"";
    case '\\': return "\\\\";
    case '\n': return "\\n";
    case '\t': return "\\t";
    case '\r': return "\\r";
    }
    if (n == 0 || c < 0x20) {
        snprintf(buf, 16, "\\u%04x", c);
        return buf;
    }
    /* DEL and C1 controls are legal JSON; escaped, a terminal showing the text leaves them be. */
    unsigned cp = utf8Decode(s, n);
    if (!utf8IsControl(cp)) return NULL;
    snprintf(buf, 16, "\\u%04x", cp);
    return buf;
}

/* A JSON string. */
static void printJsonString(FILE *out, const unsigned char *s)
{
    fputc('"', out);
    outputEscaped(out, s, jsonEscape);
    fputc('"', out);
}

static void printJsonValue(FILE *out, sqlite3_stmt *stmt, int c)
{
    switch (sqlite3_column_type(stmt, c)) {
    case SQLITE_NULL: fputs("null", out); break;
    case SQLITE_INTEGER:
    case SQLITE_FLOAT: fputs(outputColumnText(stmt, c), out); break;
    case SQLITE_BLOB: {
        const unsigned char *b = sqlite3_column_blob(stmt, c);
        int n = sqlite3_column_bytes(stmt, c);
        fputc('"', out);
        for (int i = 0; i < n; i++) fprintf(out, "%02x", b[i]);
        fputc('"', out);
        break;
    }
    default: printJsonString(out, (const unsigned char *)outputColumnText(stmt, c));
    }
}

static int printJson(FILE *out, sqlite3_stmt *stmt, int lines)
{
    int ncol = sqlite3_column_count(stmt), rc, nrow = 0;
    if (!lines) fputc('[', out);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (!lines) fputs(nrow ? ",\n" : "\n", out);
        fputc('{', out);
        for (int c = 0; c < ncol; c++) {
            if (c) fputc(',', out);
            printJsonString(out, (const unsigned char *)sqlite3_column_name(stmt, c));
            fputc(':', out);
            printJsonValue(out, stmt, c);
        }
        fputc('}', out);
        if (lines) fputc('\n', out);
        nrow++;
    }
    if (!lines) fputs(nrow ? "\n]\n" : "]\n", out);
    return rc;
}

int outputStatement(FILE *out, sqlite3_stmt *stmt, enum output_mode mode)
{
    return outputRows(out, stmt, mode, 1);
}

int outputRows(FILE *out, sqlite3_stmt *stmt, enum output_mode mode, int header)
{
    /* One thread writes: stdio's lock on every fputc cost more than the rows' formatting. */
    __fsetlocking(out, FSETLOCKING_BYCALLER);
    switch (mode) {
    case OUTPUT_CSV: return printCsv(out, stmt, header);
    case OUTPUT_JSON: return printJson(out, stmt, 0);
    case OUTPUT_JSONL: return printJson(out, stmt, 1);
    default: return printTable(out, stmt);
    }
}

char *markedLine(const char *from, const char *to, const char *mark)
{
    const char *text = NULL;
    size_t markLen = strlen(mark);
    for (const char *p = from; p < to; p++) {
        if ((p == from || p[-1] == '\n') && (size_t)(to - p) >= markLen &&
            !strncmp(p, mark, markLen))
            text = p + markLen;
    }
    if (!text) return NULL;
    while (*text == ' ' || *text == '\t') text++;
    size_t len = strcspn(text, "\r\n");
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t')) len--;
    return strndup(text, len);
}

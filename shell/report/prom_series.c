#include "report/prom_series.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/prom.h"

static const char *const names[] = {
    [PROM_MERGE_SUM] = "sum", [PROM_MERGE_MAX] = "max", [PROM_MERGE_MIN] = "min"};

const char *promMergeRuleName(enum prom_merge rule)
{
    return names[rule];
}

int promMergeRule(const char *word)
{
    for (int i = 0; i < (int)(sizeof names / sizeof *names); i++)
        if (!strcmp(word, names[i])) return i;
    return -1;
}

/* One sample line: its series (up to the last space: label values hold no newline), its value,
 * its place among the lines, and what became of it. */
struct sample {
    const char *text;
    size_t seriesLen, lineLen;
    size_t index;
    double value;
    int merged;  /* the first of a repeated series: write the merged value */
    int dropped; /* a later one: merged into the first */
};

static int seriesCompare(const void *a, const void *b)
{
    const struct sample *x = a, *y = b;
    size_t n = x->seriesLen < y->seriesLen ? x->seriesLen : y->seriesLen;
    int c = memcmp(x->text, y->text, n);
    if (!c) c = (x->seriesLen > y->seriesLen) - (x->seriesLen < y->seriesLen);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

static int indexCompare(const void *a, const void *b)
{
    const struct sample *x = a, *y = b;
    return (x->index > y->index) - (x->index < y->index);
}

static int sameSeries(const struct sample *x, const struct sample *y)
{
    return x->seriesLen == y->seriesLen && !memcmp(x->text, y->text, x->seriesLen);
}

static double mergeValues(double a, double b, enum prom_merge rule)
{
    switch (rule) {
    case PROM_MERGE_MAX: return a > b ? a : b;
    case PROM_MERGE_MIN: return a < b ? a : b;
    default: return a + b;
    }
}

/* The lines of SAMPLES, split; NULL without memory. */
static struct sample *splitSamples(const char *samples, size_t len, size_t *n)
{
    size_t lines = 0;
    for (size_t i = 0; i < len; i++) lines += samples[i] == '\n';
    struct sample *v = calloc(lines + 1, sizeof *v);
    if (!v) return NULL;
    *n = 0;
    for (const char *p = samples, *end = samples + len; p < end && *n < lines;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *space = memrchr(p, ' ', (size_t)(nl - p));
        v[*n] = (struct sample){.text = p,
                                .seriesLen = (size_t)(space - p),
                                .lineLen = (size_t)(nl + 1 - p),
                                .index = *n,
                                .value = strtod(space + 1, NULL)};
        (*n)++;
        p = nl + 1;
    }
    return v;
}

/* Marks the repeated series of V (sorted by series, then place) and merges their values into
 * the first of each; the number of lines merged away. */
static long markRepeated(struct sample *v, size_t n, enum prom_merge rule)
{
    long dropped = 0;
    for (size_t i = 0; i < n;) {
        size_t k = i + 1;
        for (; k < n && sameSeries(&v[i], &v[k]); k++) {
            v[i].value = mergeValues(v[i].value, v[k].value, rule);
            v[k].dropped = 1;
            dropped++;
        }
        v[i].merged = k > i + 1;
        i = k;
    }
    return dropped;
}

long promMergeSeries(const char *samples, size_t len, enum prom_merge rule, char **out,
                     size_t *outLen)
{
    size_t n = 0;
    struct sample *v = splitSamples(samples, len, &n);
    if (!v) return -1;
    qsort(v, n, sizeof *v, seriesCompare);
    long dropped = markRepeated(v, n, rule);
    qsort(v, n, sizeof *v, indexCompare);
    FILE *mem = open_memstream(out, outLen);
    if (!mem) {
        free(v);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (v[i].dropped) continue;
        if (!v[i].merged) {
            fwrite(v[i].text, 1, v[i].lineLen, mem);
            continue;
        }
        fwrite(v[i].text, 1, v[i].seriesLen + 1, mem); /* with its space */
        promNumber(mem, v[i].value);
        fputc('\n', mem);
    }
    free(v);
    return fclose(mem) == 0 ? dropped : -1;
}

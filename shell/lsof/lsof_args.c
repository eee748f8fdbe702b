/*
** lsof's option syntax: single letters that may be bundled (-nP), options whose value may be
** attached or the next argument (-p123, -p 123), optional values (-i, -i:22, -i TCP), '^' for
** exclusion in lists, and a few '+' forms (+E, +r, +c).
*/
#include "lsof/lsof_args.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memory.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* ARRAY, holding N elements of SIZE, grown to hold one more (memory.h's rule: never NULL). */
static void *grow(void *array, int n, size_t size)
{
    size_t cap = (size_t)n;
    return outputGrow(array, &cap, (size_t)n + 1, size);
}

static char *copyN(const char *s, size_t n)
{
    char *p = strndup(s, n);
    if (!p) outputOutOfMemory();
    return p;
}

static void appendString(char ***array, int *n, const char *s, size_t len)
{
    *array = grow(*array, *n, sizeof **array);
    (*array)[(*n)++] = copyN(s, len);
}

/* The -F fields sqlsof prints. */
#define FIELD_LETTERS "0pcugRLftaDsilnPGo"

/* Splits "a,^b,c" into inclusions and exclusions. Empty items are an error. */
static int parseList(const char *value, struct lsof_list *list)
{
    while (*value) {
        size_t len = strcspn(value, ",");
        int exclude = value[0] == '^';
        if (len == (size_t)exclude) return -1;
        if (exclude)
            appendString(&list->exc, &list->nexc, value + 1, len - 1);
        else
            appendString(&list->inc, &list->ninc, value, len);
        value += len;
        if (*value == ',') {
            value++;
            if (!*value) return -1;
        }
    }
    return 0;
}

static int isNumber(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s)) return 0;
    return 1;
}

static int parseNumber(const char *s, size_t len, long max, long *out)
{
    if (len == 0 || len > 10) return -1;
    long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)s[i])) return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (v > max) return -1;
    *out = v;
    return 0;
}

/* -p: each item a pid. */
static int checkPids(const struct lsof_list *l, char *err, size_t errlen)
{
    for (int i = 0; i < l->ninc + l->nexc; i++) {
        const char *p = i < l->ninc ? l->inc[i] : l->exc[i - l->ninc];
        long v;
        if (parseNumber(p, strlen(p), 0x7fffffff, &v) != 0)
            return fail(err, errlen, "illegal process ID: %s", p);
    }
    return 0;
}

/* -d: each item a number, a range N-M, or one of lsof's names for non-fd files. */
static int checkFds(const struct lsof_list *l, char *err, size_t errlen)
{
    /* lsof's names; on Linux only cwd rtd txt mem DEL and fd (every descriptor) name files. */
    static const char *const names[] = {"cwd", "rtd", "txt", "mem", "DEL",  "fd", "NOFD", "err",
                                        "jld", "ltx", "Lnn", "m86", "mmap", "pd", "tr",   "v86"};
    if (l->ninc && l->nexc)
        return fail(err, errlen, "exclude in an include -d list: ^%s", l->exc[0]);
    for (int i = 0; i < l->ninc + l->nexc; i++) {
        const char *p = i < l->ninc ? l->inc[i] : l->exc[i - l->ninc];
        int known = isNumber(p);
        for (size_t k = 0; k < sizeof names / sizeof *names && !known; k++)
            known = !strcmp(p, names[k]);
        const char *dash = strchr(p, '-');
        long lo, hi;
        if (!known && dash && parseNumber(p, (size_t)(dash - p), 0x7fffffff, &lo) == 0 &&
            parseNumber(dash + 1, strlen(dash + 1), 0x7fffffff, &hi) == 0 && lo <= hi)
            known = 1;
        if (!known) return fail(err, errlen, "invalid file descriptor: %s", p);
    }
    return 0;
}

/* Port lists: "22", "22,80", "1-1024", "ssh". */
static int parsePorts(const char *s, struct lsof_inet *in)
{
    while (*s) {
        size_t len = strcspn(s, ",");
        const char *dash = memchr(s, '-', len);
        long lo, hi;
        if (dash && parseNumber(s, (size_t)(dash - s), 65535, &lo) == 0 &&
            parseNumber(dash + 1, len - (size_t)(dash - s) - 1, 65535, &hi) == 0 && lo <= hi) {
        } else if (parseNumber(s, len, 65535, &lo) == 0) {
            hi = lo;
        } else {
            /* A service name: letters first (so an out-of-range number is no name). */
            if (len == 0 || !isalpha((unsigned char)s[0])) return -1;
            for (size_t i = 0; i < len; i++)
                if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_') return -1;
            appendString(&in->portNames, &in->nportNames, s, len);
            lo = hi = -1;
        }
        if (lo >= 0) {
            in->ports = grow(in->ports, in->nports, sizeof *in->ports);
            in->ports[in->nports++] = (struct lsof_port_range){(int)lo, (int)hi};
        }
        s += len;
        if (*s == ',' && !*++s) return -1;
    }
    return 0;
}

/* One -i value: [46][protocol][@host][:ports]. */
static int parseInet(const char *spec, struct lsof_inet *in, char *err, size_t errlen)
{
    const char *s = spec;
    memset(in, 0, sizeof *in);
    if (*s == '4' || *s == '6') in->family = *s++ - '0';
    size_t plen = strcspn(s, "@:");
    if (plen) {
        char proto[16];
        if (plen >= sizeof proto) return fail(err, errlen, "unknown protocol name in: -i %s", spec);
        for (size_t i = 0; i < plen; i++) proto[i] = (char)tolower((unsigned char)s[i]);
        proto[plen] = '\0';
        if (strcmp(proto, "tcp") && strcmp(proto, "udp"))
            return fail(err, errlen, "unknown protocol name (%.*s) in: -i %s", (int)plen, s, spec);
        in->protocol = copyN(proto, plen);
        s += plen;
    }
    if (*s == '@') {
        s++;
        size_t hlen;
        if (*s == '[') {
            const char *close = strchr(s, ']');
            if (!close) return fail(err, errlen, "unterminated [ in: -i %s", spec);
            in->host = copyN(s + 1, (size_t)(close - s - 1));
            s = close + 1;
        } else {
            hlen = strcspn(s, ":");
            in->host = copyN(s, hlen);
            s += hlen;
        }
        if (!*in->host) return fail(err, errlen, "missing host name in: -i %s", spec);
    }
    if (*s == ':') {
        if (parsePorts(s + 1, in) != 0 || !s[1])
            return fail(err, errlen, "bad port in: -i %s", spec);
        s += strlen(s);
    }
    if (*s) return fail(err, errlen, "bad Internet address in: -i %s", spec);
    return 0;
}

static const char *const tcpStates[] = {"ESTABLISHED", "SYN_SENT",  "SYN_RECV", "FIN_WAIT1",
                                        "FIN_WAIT2",   "TIME_WAIT", "CLOSE",    "CLOSE_WAIT",
                                        "LAST_ACK",    "LISTEN",    "CLOSING",  "NEW_SYN_RECV"};

int lsofKnownState(const char *protocol, const char *state)
{
    if (!strcmp(protocol, "udp")) return !strcmp(state, "IDLE") || !strcmp(state, "ESTABLISHED");
    for (size_t i = 0; i < sizeof tcpStates / sizeof *tcpStates; i++)
        if (!strcmp(state, tcpStates[i])) return 1;
    return 0;
}

/* One -s value: PROTO:STATE[,STATE] (lsof's Linux build rejects UDP states; sqlsof has them). */
static int parseStates(const char *spec, struct lsof_opts *o, char *err, size_t errlen)
{
    const char *colon = strchr(spec, ':');
    char proto[8] = "";
    size_t plen = colon ? (size_t)(colon - spec) : 0;
    if (!colon || plen >= sizeof proto || !colon[1])
        return fail(err, errlen, "bad -s value, want PROTOCOL:STATE[,STATE]: %s", spec);
    for (size_t i = 0; i < plen; i++) proto[i] = (char)tolower((unsigned char)spec[i]);
    if (strcmp(proto, "tcp") && strcmp(proto, "udp"))
        return fail(err, errlen, "unsupported -s protocol: %.*s", (int)plen, spec);
    o->states = grow(o->states, o->nstates, sizeof *o->states);
    struct lsof_states *st = &o->states[o->nstates++];
    memset(st, 0, sizeof *st);
    st->protocol = copyN(proto, plen);
    if (parseList(colon + 1, &st->states) != 0)
        return fail(err, errlen, "bad state list: %s", spec);
    for (int i = 0; i < st->states.ninc + st->states.nexc; i++) {
        char *name = i < st->states.ninc ? st->states.inc[i] : st->states.exc[i - st->states.ninc];
        for (char *p = name; *p; p++) *p = (char)toupper((unsigned char)*p);
        if (!lsofKnownState(proto, name))
            return fail(err, errlen, "unknown %s state name: %s", st->protocol, name);
    }
    return 0;
}

/* Options that take a value, and whether it may be left out. */
static int valueKind(char c)
{
    switch (c) {
    case 'p':
    case 'u':
    case 'c':
    case 'd': return 2; /* required */
    case 'i':
    case 's':
    case 'F':
    case 'r': return 1; /* optional */
    default: return 0;
    }
}

/* Whether the next argument may be taken as an optional value of option C. */
static int looksLikeValue(char c, const char *next)
{
    if (!next || next[0] == '-' || next[0] == '+') return 0;
    if (c == 'r')
        return strspn(next, "0123456789c") == strlen(next) && isdigit((unsigned char)*next);
    if (c == 'F') return strspn(next, FIELD_LETTERS) == strlen(next);
    return 1;
}

/* -F LETTERS: a second -F adds to the first; '0' ends each field with NUL. No letters (or only
 * '0') asks for lsof's default set, which lsofPrint() knows by an empty list. */
static int addFields(const char *f, struct lsof_opts *o, char *err, size_t errlen)
{
    size_t had = o->fields ? strlen(o->fields) : 0;
    char *all = realloc(o->fields, had + strlen(f) + 1);
    if (!all) return fail(err, errlen, "out of memory");
    o->fields = all;
    for (const char *p = f; *p; p++) {
        if (!strchr(FIELD_LETTERS, *p)) return fail(err, errlen, "unsupported -F field: %c", *p);
        if (*p == '0')
            o->fieldNul = 1;
        else if (!memchr(all, *p, had))
            all[had++] = *p;
    }
    all[had] = '\0';
    return 0;
}

/* -r [T[cN]]: every T seconds (15), N passes at most ("1c3"). */
static int parseRepeat(const char *value, struct lsof_opts *o, char *err, size_t errlen)
{
    long secs = 15, count = 0;
    if (value) {
        size_t n = strcspn(value, "c");
        if ((n && parseNumber(value, n, 86400, &secs) != 0) ||
            (value[n] && parseNumber(value + n + 1, strlen(value + n + 1), 1000000, &count) != 0))
            return fail(err, errlen, "illegal -r delay: %s", value);
    }
    o->repeat = secs > 0 ? (int)secs : 1;
    o->repeatCount = (int)count;
    return 0;
}

static int applyOption(char c, const char *value, struct lsof_opts *o, char *err, size_t errlen)
{
    switch (c) {
    case 'a': o->and = 1; return 0;
    case 'n': o->noHosts = 1; return 0;
    case 'P': o->noPorts = 1; return 0;
    case 'l': o->numericUsers = 1; return 0;
    case 't': o->terse = 1; return 0;
    case 'U': o->unixSockets = 1; return 0;
    case 'E': o->endpoints = 1; return 0;
    case 'i':
        o->inet = 1;
        if (!value) return 0;
        o->inets = grow(o->inets, o->ninets, sizeof *o->inets);
        return parseInet(value, &o->inets[o->ninets++], err, errlen);
    case 's':
        if (!value) return fail(err, errlen, "-s needs PROTOCOL:STATE[,STATE]");
        return parseStates(value, o, err, errlen);
    case 'p':
        if (parseList(value, &o->pids) != 0) return fail(err, errlen, "illegal -p list: %s", value);
        return checkPids(&o->pids, err, errlen);
    case 'u':
        if (parseList(value, &o->users) != 0)
            return fail(err, errlen, "illegal -u list: %s", value);
        return 0;
    case 'c':
        if (parseList(value, &o->commands) != 0)
            return fail(err, errlen, "illegal -c list: %s", value);
        return 0;
    case 'd':
        if (parseList(value, &o->fds) != 0) return fail(err, errlen, "illegal -d list: %s", value);
        return checkFds(&o->fds, err, errlen);
    case 'F': return addFields(value ? value : "", o, err, errlen);
    case 'r': return parseRepeat(value, o, err, errlen);
    case 'w': return 0; /* lsof's warnings off: sqlsof prints none to suppress */
    default: return fail(err, errlen, "illegal option character: %c", c);
    }
}

/* The '+' forms: +E, +r [secs], +c width. */
static int applyPlus(const char *arg, const char *next, int *used, struct lsof_opts *o, char *err,
                     size_t errlen)
{
    long v;
    *used = 0;
    if (!strcmp(arg, "+E")) {
        o->endpoints = 2;
        return 0;
    }
    if (!strncmp(arg, "+r", 2)) {
        const char *value = arg[2] ? arg + 2 : (next && looksLikeValue('r', next) ? next : NULL);
        if (!arg[2] && value) *used = 1;
        if (applyOption('r', value, o, err, errlen) != 0) return -1;
        o->repeatUntilEmpty = 1;
        return 0;
    }
    if (!strncmp(arg, "+c", 2)) {
        const char *value = arg[2] ? arg + 2 : next;
        if (!arg[2]) *used = 1;
        if (!value || parseNumber(value, strlen(value), 4096, &v) != 0)
            return fail(err, errlen, "+c needs a command width");
        o->commandWidth = v == 0 ? 0 : (int)v;
        return 0;
    }
    return fail(err, errlen, "illegal option: %s", arg);
}

int lsofParse(int argc, char *const argv[], struct lsof_opts *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    o->commandWidth = 9;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (arg[0] == '+') {
            int used;
            if (applyPlus(arg, next, &used, o, err, errlen) != 0) return -1;
            i += used;
            continue;
        }
        if (!strcmp(arg, "--")) { /* the rest are file names */
            for (i++; i < argc; i++) appendString(&o->names, &o->nnames, argv[i], strlen(argv[i]));
            break;
        }
        if (arg[0] != '-' || !arg[1]) {
            appendString(&o->names, &o->nnames, arg, strlen(arg));
            continue;
        }
        /* Bundled letters: each one a flag until one takes the rest as its value. */
        for (const char *p = arg + 1; *p; p++) {
            int kind = valueKind(*p);
            if (kind == 0) {
                if (applyOption(*p, NULL, o, err, errlen) != 0) return -1;
                continue;
            }
            const char *value = p[1] ? p + 1 : NULL;
            if (!value && looksLikeValue(*p, next))
                value = next, i++;
            else if (!value && kind == 2 && next)
                value = next, i++;
            if (!value && kind == 2) return fail(err, errlen, "-%c needs a value", *p);
            if (applyOption(*p, value, o, err, errlen) != 0) return -1;
            break;
        }
    }
    return 0;
}

static void freeList(struct lsof_list *l)
{
    for (int i = 0; i < l->ninc; i++) free(l->inc[i]);
    for (int i = 0; i < l->nexc; i++) free(l->exc[i]);
    free(l->inc);
    free(l->exc);
}

void lsofFree(struct lsof_opts *o)
{
    for (int i = 0; i < o->ninets; i++) {
        free(o->inets[i].protocol);
        free(o->inets[i].host);
        free(o->inets[i].ports);
        for (int k = 0; k < o->inets[i].nportNames; k++) free(o->inets[i].portNames[k]);
        free(o->inets[i].portNames);
    }
    free(o->inets);
    for (int i = 0; i < o->nstates; i++) {
        free(o->states[i].protocol);
        freeList(&o->states[i].states);
    }
    free(o->states);
    freeList(&o->pids);
    freeList(&o->users);
    freeList(&o->commands);
    freeList(&o->fds);
    for (int i = 0; i < o->nnames; i++) free(o->names[i]);
    free(o->names);
    free(o->fields);
    memset(o, 0, sizeof *o);
}

/*
** lsof's command line, parsed: the options sqlsof understands in lsof-compatible mode. No I/O
** and no SQLite here (a fuzz target feeds it arbitrary argument vectors).
*/
#ifndef SQLSOF_LSOF_ARGS_H
#define SQLSOF_LSOF_ARGS_H

#include <stddef.h>

/* A comma-separated list of -p, -u, -c or -d: items to include, and '^' items to exclude. */
struct lsof_list {
    char **inc;
    int ninc;
    char **exc;
    int nexc;
};

struct lsof_port_range {
    int lo, hi;
};

/* One -i argument: [46][protocol][@host][:port[,port|range]...]. Empty parts match any. */
struct lsof_inet {
    int family;     /* 0 any, 4 or 6 */
    char *protocol; /* "tcp", "udp" (lower case), or NULL */
    char *host;     /* as given, without brackets, or NULL */
    struct lsof_port_range *ports;
    int nports;
    char **portNames; /* service names still to look up, e.g. "ssh" */
    int nportNames;
};

/* One -s PROTO:STATE[,STATE] argument. */
struct lsof_states {
    char *protocol; /* "tcp" or "udp" */
    struct lsof_list states;
};

struct lsof_opts {
    int and;  /* -a: selections are ANDed, not ORed */
    int inet; /* -i given at least once */
    struct lsof_inet *inets;
    int ninets;
    struct lsof_states *states;
    int nstates;
    int unixSockets; /* -U */
    struct lsof_list pids, users, commands, fds;
    char **names; /* file names to select */
    int nnames;
    int terse;            /* -t */
    int noHosts;          /* -n */
    int noPorts;          /* -P */
    int numericUsers;     /* -l */
    char *fields;         /* -F: the field letters, NULL without -F */
    int fieldNul;         /* -F0 */
    int repeat;           /* -r / +r: seconds between passes, 0 without */
    int repeatUntilEmpty; /* +r */
    int repeatCount;      /* -r Tc N: passes before exiting, 0 for no limit */
    int endpoints;        /* -E 1, +E 2 */
    int commandWidth;     /* +c W: 0 for the whole name; lsof's default is 9 */
};

/*
** Parses ARGV[0..ARGC) (the lsof options only, no program name) into O. Returns 0, or -1 with
** a one-line message in ERR that names the bad option or value. Free O with lsofFree().
*/
int lsofParse(int argc, char *const argv[], struct lsof_opts *o, char *err, size_t errlen);
void lsofFree(struct lsof_opts *o);

/* True when STATE is a state name of PROTOCOL ("tcp"/"udp") that sqlsof knows. */
int lsofKnownState(const char *protocol, const char *state);

#endif

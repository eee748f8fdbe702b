/*
** Three processes that talk, for the graph of who talks to whom: A holds a pipe's write end and
** B its read end, B and C a unix socketpair, and C a loopback TCP connection to A's listener.
** Each object is held by exactly those two processes; A forks B and C, which die with it.
*/
#ifndef SQLSOF_TALKERS_H
#define SQLSOF_TALKERS_H

#include "fixture.h"

struct talkers {
    int pid[3]; /* A, B, C */
};

/* Starts FX (process A) and its children; C is named NAME (NULL: "sqlsof-talk-c"), A and B
 * "sqlsof-talk-a" and "sqlsof-talk-b". fixtureStop(FX) ends all three. */
void talkersStart(struct fixture *fx, struct talkers *t, const char *name);

/* talkersStart's three pids as an SQL list: "(A, B, C)" (static storage). */
const char *talkersList(const struct talkers *t);

#endif

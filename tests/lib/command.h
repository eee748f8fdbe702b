/* Running a command (build/sqlsof, lsof, ...) and capturing what it prints and its exit code. */
#ifndef SQLSOF_COMMAND_H
#define SQLSOF_COMMAND_H

struct command_result {
    char *out;  /* stdout, NUL-terminated (malloc'd) */
    char *err;  /* stderr, NUL-terminated (malloc'd) */
    int status; /* exit code; 128 + signal when killed */
};

/* Runs ARGV (NULL-terminated; argv[0] looked up in PATH) with no stdin; fails the test if it
 * cannot be started. */
void testCommand(char *const argv[], struct command_result *r);
void testCommandFree(struct command_result *r);

/* The sqlsof command under test: $SQLSOF_BUILD/sqlsof (the sanitized pass sets it), else
 * build/sqlsof. */
char *testSqlsof(void);

/* Runs the sqlsof command with the arguments that follow R, a NULL-terminated list (16 at most). */
void testRunSqlsof(struct command_result *r, ...) __attribute__((sentinel));

/* Runs `sqlsof --csv --param P ... SQL` with each P of the NULL-terminated list that follows SQL;
 * fails the test unless it exits 0. Returns what it printed (malloc'd). */
char *testSqlsofCsv(const char *sql, ...) __attribute__((sentinel));

/* testSqlsofCsv on the recipe sql/recipes/FILE. */
char *testRecipe(const char *file, ...) __attribute__((sentinel));

#endif

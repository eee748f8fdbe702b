/* sqlsof --shell: the system's sqlite3 shell with the extension loaded and the views created. */
#ifndef SQLSOF_INTERACTIVE_H
#define SQLSOF_INTERACTIVE_H

/* Executes sqlite3 with ARGV[0..ARGC) after sqlsof's own setup; returns only on failure. */
int shellMain(int argc, char **argv);

#endif

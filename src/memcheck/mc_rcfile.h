/* valgrind's option sources besides the command line: ~/.valgrindrc,
 * $VALGRIND_OPTS and ./.valgrindrc, in that order, before the command
 * line's options (so those win), unless the command line says
 * --command-line-only=yes. A CI job that sets VALGRIND_OPTS (a common way
 * to add --error-exitcode=1 to every run) gets what valgrind would do. */
#ifndef SONDE_MEMCHECK_MC_RCFILE_H
#define SONDE_MEMCHECK_MC_RCFILE_H

struct mc_rc_args {
	int argc;
	char **argv; /* argv itself when nothing was added */
	int extra;   /* how many were added (malloc'd, after argv[0]) */
};

/* argv with the extra options inserted after argv[0]. Files that valgrind
 * would not read (not ours, not regular, writable by others) get
 * valgrind's message on stderr. */
struct mc_rc_args mc_rc_args(int argc, char **argv);
void mc_rc_args_free(struct mc_rc_args *a);

/* Splits s at blanks into arguments, valgrind's way: ' and " quote
 * (the quotes dropped), nothing else is special. Appends them to *v (a
 * malloc'd vector of *n malloc'd strings). */
void mc_rc_split(const char *s, char ***v, int *n);

#endif

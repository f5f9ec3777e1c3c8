/* Long output on a terminal goes through the user's pager, as in git and
 * perf: $SONDE_PAGER, else $PAGER, else less (LESS=FRSX when LESS is unset:
 * quit at once if the text fits one screen, pass colours, chop long lines,
 * leave the text on the screen). Empty or "cat" means no pager. Output that
 * is not a terminal is never paged. */
#ifndef SONDE_UTIL_PAGER_H
#define SONDE_UTIL_PAGER_H

/* --no-pager: pager_start() does nothing from now on. */
void pager_forbid(void);
/* --no-pager in an option table (util/options.h): pager_forbid() when given. */
struct opt_parser;
struct opt;
int pager_forbid_opt(struct opt_parser *p, const struct opt *o, const char *arg);
/* When stdout is a terminal, starts the pager and points stdout at it; sonde
 * then waits for it at exit (or on a fatal signal). When the reader quits
 * the pager early, sonde exits with status 0, silently. If the pager cannot
 * be started, output goes to the terminal as before. Call it once the
 * command is about to print, after the loading (and its progress line). */
void pager_start(void);

#endif

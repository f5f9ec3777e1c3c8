/* sonde's built-in suppressions (--default-suppressions=yes). */
#ifndef SONDE_MEMCHECK_DEFAULT_SUPP_H
#define SONDE_MEMCHECK_DEFAULT_SUPP_H
#include "memcheck/mc_supp.h"
#include "util/strbuf.h"

/* Adds them to s; -1 (message in err) only if the built-in text is bad. */
int mc_default_supp_load(struct mc_supps *s, struct strbuf *err);

#endif

/* Perl's s/REGEX/REPLACEMENT/[gi] (cg_diff's --mod-filename and
 * --mod-funcname), on POSIX extended regular expressions: \d \w \s and
 * their capitals are translated, $1..$9 / ${N} / \N and $& replaced. */
#ifndef SONDE_CACHEGRIND_CG_SUBST_H
#define SONDE_CACHEGRIND_CG_SUBST_H
#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

struct cg_subst {
	regex_t re;
	char *repl;
	bool global, compiled;
};

/* Parses `expr`; returns 0, or -1 with the reason in err. */
int cg_subst_compile(struct cg_subst *s, const char *expr, char *err, size_t errlen);
/* s applied to `in`: a new string. */
char *cg_subst_apply(const struct cg_subst *s, const char *in);
void cg_subst_free(struct cg_subst *s);

#endif

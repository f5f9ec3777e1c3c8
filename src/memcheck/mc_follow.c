/* Which exec'd programs --trace-children=yes follows, by valgrind's rules
 * (its VG_(should_we_trace_this_child)): none without the option; not one
 * whose path, as exec was given it, matches a --trace-children-skip
 * pattern, nor one with an argument after argv[0] matching a
 * --trace-children-skip-by-arg pattern. Patterns are comma-separated
 * (empty ones skipped), matched whole with '*' and '?'. */
#include <stdlib.h>
#include <string.h>

#include "memcheck/mc_opts.h"
#include "memcheck/mc_supp.h"
#include "util/die.h"

/* Does any pattern of the comma list match s? */
static bool any_matches(const char *list, const char *s)
{
	for (const char *p = list; *p;) {
		while (*p == ',')
			p++;
		size_t n = strcspn(p, ",");
		if (!n)
			break;
		char *pat = xstrndup(p, n);
		bool m = mc_supp_glob(pat, s);
		free(pat);
		if (m)
			return true;
		p += n;
	}
	return false;
}

bool mc_follow_child(const struct mc_opts *o, const char *exe, char *const *args, size_t nargs)
{
	if (!exe || !*exe) /* nothing to go by */
		return o->trace_children;
	if (!o->trace_children)
		return false;
	if (o->trace_children_skip && any_matches(o->trace_children_skip, exe))
		return false;
	for (size_t i = 0; o->trace_children_skip_by_arg && i < nargs; i++)
		if (any_matches(o->trace_children_skip_by_arg, args[i]))
			return false;
	return true;
}

/* --trace-children's choice of the programs it follows (mc_follow.c):
 * valgrind 3.19's rules for --trace-children-skip and
 * --trace-children-skip-by-arg, and its pattern match (mc_supp_glob). */
#include "memcheck/mc_opts.h"
#include "memcheck/mc_supp.h"
#include "unit.h"

static bool follows(const struct mc_opts *o, const char *exe, const char *a1, const char *a2)
{
	char *args[2] = { (char *)a1, (char *)a2 };
	return mc_follow_child(o, exe, args, a2 ? 2 : a1 ? 1 : 0);
}

static void test_match(void)
{
	/* valgrind's VG_(string_match): '\c' is c itself, '?' included */
	CHECK(mc_supp_glob("a\\?c", "a?c"));
	CHECK(!mc_supp_glob("a\\?c", "abc"));
	CHECK(mc_supp_glob("a\\\\", "a\\"));
	/* a pattern ending in a lone '\' matches nothing */
	CHECK(!mc_supp_glob("a\\", "a\\"));
	CHECK(!mc_supp_glob("*\\", "x"));
	CHECK(mc_supp_glob("*/sh", "/bin/sh"));
	CHECK(!mc_supp_glob("*/sh", "/bin/bash"));
	CHECK(mc_supp_glob("/usr/*/p?thon*", "/usr/bin/python3"));
	CHECK(mc_supp_glob("", ""));
	CHECK(!mc_supp_glob("", "x"));
}

static void test_rules(void)
{
	struct mc_opts o;
	mc_opts_init(&o);
	/* without --trace-children=yes nothing is followed */
	CHECK(!follows(&o, "/bin/true", NULL, NULL));
	/* an exec without a name: the option decides */
	CHECK(!follows(&o, "", NULL, NULL));
	o.trace_children = true;
	CHECK(follows(&o, "", NULL, NULL));
	CHECK(follows(&o, NULL, NULL, NULL));
	CHECK(follows(&o, "/bin/true", "x", NULL));
	/* the path as exec was given it, whole */
	o.trace_children_skip = "*/sh,,/usr/bin/py*";
	CHECK(!follows(&o, "/bin/sh", "-c", "ls"));
	CHECK(!follows(&o, "/usr/bin/python3", NULL, NULL));
	CHECK(follows(&o, "/bin/shx", NULL, NULL));
	CHECK(follows(&o, "sh", NULL, NULL)); /* "*\/sh" needs the slash */
	/* leading and doubled commas are skipped; an empty list skips nothing */
	o.trace_children_skip = ",,*true";
	CHECK(!follows(&o, "/bin/true", NULL, NULL));
	o.trace_children_skip = ",,,";
	CHECK(follows(&o, "/bin/true", NULL, NULL));
	/* by argument: any argument after argv[0], never the path */
	o.trace_children_skip = NULL;
	o.trace_children_skip_by_arg = "*.py,--no-trace";
	CHECK(!follows(&o, "/usr/bin/python3", "run.py", NULL));
	CHECK(!follows(&o, "/bin/x", "a", "--no-trace"));
	CHECK(follows(&o, "/bin/x.py", "a", "b"));
	CHECK(follows(&o, "/bin/x", NULL, NULL));
	/* both lists */
	o.trace_children_skip = "*/x";
	CHECK(!follows(&o, "/bin/x", "a", NULL));
	CHECK(!follows(&o, "/bin/y", "a.py", NULL));
	CHECK(follows(&o, "/bin/y", "a", NULL));
	mc_opts_free(&o);
}

static void test_parse(void)
{
	struct mc_opts o;
	struct strbuf err = STRBUF_INIT;
	mc_opts_init(&o);
	char *argv[] = { "--trace-children=yes", "--trace-children-skip=*/sh,*/bash",
			 "--trace-children-skip-by-arg=-q", "--child-silent-after-fork=yes", "prog", NULL };
	CHECK_INT(mc_opts_parse(&o, 5, argv, &err), 4);
	CHECK(o.trace_children && o.child_silent_after_fork);
	CHECK_STR(o.trace_children_skip, "*/sh,*/bash");
	CHECK_STR(o.trace_children_skip_by_arg, "-q");
	CHECK_INT((int)o.ignored.n, 0); /* they mean something now: no notes */
	mc_opts_free(&o);
	sb_free(&err);
}

int main(void)
{
	RUN(test_match);
	RUN(test_rules);
	RUN(test_parse);
	UNIT_EXIT();
}

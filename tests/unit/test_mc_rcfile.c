/* memcheck/mc_rcfile: valgrind's splitting of $VALGRIND_OPTS and
 * .valgrindrc, and the order of the option sources. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "memcheck/mc_rcfile.h"
#include "unit.h"

static int split(const char *s, char ***v)
{
	*v = NULL;
	int n = 0;
	mc_rc_split(s, v, &n);
	return n;
}

static void free_all(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void test_split(void)
{
	char **v;
	int n = split("  --a=1\t--b  \n--c='x y' \"--d=it's\" --e=\"\" ''", &v);
	CHECK_INT(n, 6);
	CHECK_STR(v[0], "--a=1");
	CHECK_STR(v[1], "--b");
	CHECK_STR(v[2], "--c=x y");
	CHECK_STR(v[3], "--d=it's");
	CHECK_STR(v[4], "--e=");
	CHECK_STR(v[5], "");
	free_all(v, n);
	CHECK_INT(split("", &v), 0);
	CHECK_INT(split(" \n\t ", &v), 0);
	n = split("--x='unclosed still one", &v); /* an open quote runs to the end */
	CHECK_INT(n, 1);
	CHECK_STR(v[0], "--x=unclosed still one");
	free_all(v, n);
}

static void test_order(void)
{
	setenv("HOME", "/nonexistent-home", 1);
	setenv("VALGRIND_OPTS", "--from-env", 1);
	char *argv[] = { "memcheck", "--cmd", "prog", NULL };
	struct mc_rc_args a = mc_rc_args(3, argv);
	CHECK_INT(a.argc, 4);
	CHECK_STR(a.argv[1], "--from-env");
	CHECK_STR(a.argv[2], "--cmd"); /* the command line last: it wins */
	CHECK(a.argv[4] == NULL);
	mc_rc_args_free(&a);
	char *only[] = { "memcheck", "--command-line-only=yes", "prog", NULL };
	a = mc_rc_args(3, only);
	CHECK(a.argv == only && a.argc == 3);
	char *after[] = { "memcheck", "prog", "--command-line-only=yes", NULL }; /* the program's */
	a = mc_rc_args(3, after);
	CHECK_INT(a.argc, 4);
	mc_rc_args_free(&a);
	unsetenv("VALGRIND_OPTS");
}

int main(void)
{
	RUN(test_split);
	RUN(test_order);
	UNIT_EXIT();
}

/* util/options: every form of option and value, operands, the usage errors
 * (run in a child: they exit 129 with two lines on stderr), and --help. */
#include <float.h>
#include <unistd.h>

#include "unit.h"
#include "util/options.h"

struct vals {
	bool flag, off;
	int quiet, num, mode;
	uint64_t big;
	double d;
	const char *str, *pair_a, *pair_b, *leak;
	int cb_calls;
};
static struct vals V;

static int pair_cb(struct opt_parser *p, const struct opt *o, const char *arg)
{
	V.pair_a = arg;
	V.pair_b = opt_next_arg(p);
	return V.pair_b ? 0 : -1;
}

static int odd_cb(struct opt_parser *p, const struct opt *o, const char *arg)
{
	V.cb_calls++;
	return atoi(arg) % 2 ? 0 : -1;
}

static int leak_cb(struct opt_parser *p, const struct opt *o, const char *arg)
{
	V.leak = arg ? arg : "(none)";
	return 0;
}

static bool is_word(const char *s) { return !strcmp(s, "yes") || !strcmp(s, "no"); }

static const char *const modes[] = { "svg", "folded", "speedscope", NULL };
static const char *const usage[] = { "test [options] [--] CMD", "test --other", NULL };

static struct opt opts[] = {
	OPT_GROUP("Things:"),
	OPT_BOOL('g', "graph", &V.flag, "a flag"),
	OPT_SET_BOOL(0, "no-graph", &V.off, 1, "another\nwith a second line"),
	OPT_COUNT('q', "quiet", &V.quiet, "quieter"),
	OPT_STRING('o', "output", &V.str, "FILE", "where"),
	OPT_INT('n', "number", &V.num, "N", "a number", -5, 100, NULL),
	OPT_U64('F', "freq", &V.big, "HZ", "a frequency", 1, 0, "invalid frequency '%s'"),
	OPT_DOUBLE(0, "limit", &V.d, "P", "a percentage", 0, 100, NULL),
	OPT_ENUM(0, "format", &V.mode, "FMT", "svg, folded or speedscope", modes, NULL),
	OPT_CALLBACK(0, "diff", NULL, "A B", "two values", pair_cb, "--diff needs two files"),
	OPT_CALLBACK('x', "odd", NULL, "N", "an odd number", odd_cb, NULL),
	{ .kind = OPTK_CALLBACK, .shrt = 'l', .lng = "print-leaks", .argh = "B", .help = "optional value",
	  .flags = OPTF_OPTARG, .cb = leak_cb, .takes = is_word },
	OPT_HIDDEN_BOOL(0, "graphs", &V.flag),
	OPT_END(),
};

static int parse(bool stop, char **argv)
{
	struct opt_cmd cmd = { .name = "test", .usage = usage, .stop_at_arg = stop };
	int argc = 0;
	while (argv[argc])
		argc++;
	memset(&V, 0, sizeof(V));
	return opt_parse(&cmd, opts, argc, argv);
}

#define ARGS(...) ((char *[]){ "test", __VA_ARGS__, NULL })

static void test_forms(void)
{
	char **a = ARGS("-g", "--output=x", "-n", "-3", "--freq", "99", "--limit=2.5", "--format", "folded", "op1");
	int n = parse(false, a);
	CHECK(V.flag && V.num == -3 && V.big == 99 && V.d == 2.5 && V.mode == 1);
	CHECK_STR(V.str, "x");
	CHECK_INT(n, 1);
	CHECK_STR(a[0], "op1");
	CHECK(a[1] == NULL);
	/* -xV, bundles, unique prefixes, aliases sharing a target */
	a = ARGS("-qqgF7", "-ofile", "--out", "f2", "--no-g", "--grap");
	n = parse(false, a);
	CHECK(V.quiet == 2 && V.flag && V.big == 7 && V.off);
	CHECK_STR(V.str, "f2");
	CHECK_INT(n, 0);
	/* operands anywhere; -- ends options; "-" is an operand */
	a = ARGS("a", "-g", "-", "--", "-q", "b");
	n = parse(false, a);
	CHECK_INT(n, 4);
	CHECK(V.flag && !V.quiet);
	CHECK_STR(a[0], "a");
	CHECK_STR(a[1], "-");
	CHECK_STR(a[2], "-q");
	CHECK_STR(a[3], "b");
	/* a command line: the first operand starts it */
	a = ARGS("-g", "prog", "-q", "x");
	n = parse(true, a);
	CHECK_INT(n, 3);
	CHECK(V.flag && !V.quiet);
	CHECK_STR(a[0], "prog");
	CHECK_STR(a[1], "-q");
	/* callbacks: two values; an optional value attached or a word after */
	a = ARGS("--diff", "A", "B", "-x", "3", "-l", "file");
	n = parse(false, a);
	CHECK_STR(V.pair_a, "A");
	CHECK_STR(V.pair_b, "B");
	CHECK_STR(V.leak, "(none)");
	CHECK(V.cb_calls == 1 && n == 1);
	a = ARGS("-l", "yes");
	parse(false, a);
	CHECK_STR(V.leak, "yes");
	a = ARGS("--print-leaks=0");
	parse(false, a);
	CHECK_STR(V.leak, "0");
	a = ARGS("-l1");
	parse(false, a);
	CHECK_STR(V.leak, "1");
	/* a value may start with '-' */
	a = ARGS("-o", "-", "--output", "--x");
	parse(false, a);
	CHECK_STR(V.str, "--x");
}

/* Runs the parser in a child; returns its exit status and its stderr. */
static int child(bool stop, char **argv, char *err, size_t errlen)
{
	int fds[2];
	if (pipe(fds) < 0)
		return -1;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fds[1], 2);
		dup2(fds[1], 1);
		parse(stop, argv);
		_exit(0);
	}
	close(fds[1]);
	size_t n = 0;
	ssize_t r;
	while (n + 1 < errlen && (r = read(fds[0], err + n, errlen - 1 - n)) > 0)
		n += (size_t)r;
	err[n] = 0;
	close(fds[0]);
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#define CHECK_USAGE(want, ...)                                                                    \
	do {                                                                                      \
		char err_[4096];                                                                  \
		int rc_ = child(false, ARGS(__VA_ARGS__), err_, sizeof(err_));                    \
		if (rc_ != 129 || !strstr(err_, want) ||                                          \
		    !strstr(err_, "\nRun 'sonde test --help' for the options.\n"))                 \
			printf("got %d: %s", rc_, err_);                                          \
		CHECK(rc_ == 129);                                                                \
		CHECK(!strncmp(err_, "sonde test: ", 12));                                        \
		CHECK(strstr(err_, want));                                                        \
		CHECK(strstr(err_, "\nRun 'sonde test --help' for the options.\n"));              \
	} while (0)

static void test_errors(void)
{
	CHECK_USAGE("unknown option '--bogus'\n", "--bogus");
	CHECK_USAGE("unknown option '--outptu'; did you mean '--output'?", "--outptu=x");
	CHECK_USAGE("unknown option '-z'", "-gz");
	CHECK_USAGE("option '--output' needs a value", "--output");
	CHECK_USAGE("option '-o' needs a value", "-o");
	CHECK_USAGE("option '--graph' takes no value", "--graph=1");
	CHECK_USAGE("option '--f' is ambiguous (--freq, --format, ...)", "--f");
	CHECK_USAGE("invalid frequency '-1'", "-F", "-1");
	CHECK_USAGE("invalid frequency '0'", "-F0");
	CHECK_USAGE("invalid frequency ' 5'", "-F", " 5");
	CHECK_USAGE("invalid value '101' for --number", "-n", "101");
	CHECK_USAGE("invalid value '1x' for --number", "-n1x");
	CHECK_USAGE("invalid value '-6' for --number", "--number=-6");
	CHECK_USAGE("invalid value '99999999999999999999' for --number", "-n", "99999999999999999999");
	for (const char *const *v = (const char *const[]){ "nan", "inf", "-1", "1e309", "101", "", "x", NULL }; *v; v++) {
		char want[64];
		snprintf(want, sizeof(want), "invalid value '%s' for --limit", *v);
		CHECK_USAGE(want, "--limit", (char *)*v);
	}
	CHECK_USAGE("unknown --format 'png' (expected svg, folded or speedscope)", "--format=png");
	CHECK_USAGE("--diff needs two files", "--diff", "A");
	CHECK_USAGE("invalid value '4' for --odd", "-x4");
}

static void test_help(void)
{
	char out[8192];
	int rc = child(false, ARGS("-g", "--help"), out, sizeof(out));
	CHECK_INT(rc, 0);
	const char *want = "usage: sonde test [options] [--] CMD\n"
			   "       sonde test --other\n"
			   "\n"
			   "Things:\n"
			   "  -g, --graph            a flag\n"
			   "      --no-graph         another\n"
			   "                         with a second line\n"
			   "  -q, --quiet            quieter\n"
			   "  -o, --output FILE      where\n"
			   "  -n, --number N         a number\n"
			   "  -F, --freq HZ          a frequency\n"
			   "      --limit P          a percentage\n"
			   "      --format FMT       svg, folded or speedscope\n"
			   "      --diff A B         two values\n"
			   "  -x, --odd N            an odd number\n"
			   "  -l, --print-leaks[=B]  optional value\n";
	if (strcmp(out, want))
		printf("got:\n%s", out);
	CHECK_STR(out, want);
	CHECK_INT(child(false, ARGS("-h"), out, sizeof(out)), 0);
	CHECK(!strncmp(out, "usage: sonde test", 17));
	/* with a command line, --help after its first word is the command's */
	CHECK_INT(child(true, ARGS("prog", "--help"), out, sizeof(out)), 0);
	CHECK_STR(out, "");
}

int main(void)
{
	RUN(test_forms);
	RUN(test_errors);
	RUN(test_help);
	UNIT_EXIT();
}

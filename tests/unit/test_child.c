/* watch/child: a job's output line by line, its exit status, start errors,
 * and kills that leave no process of the group behind. */
#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "unit.h"
#include "util/strbuf.h"
#include "watch/child.h"

/* Collects lines as "E:line\n" / "O:line\n". */
static void collect(void *ctx, enum child_stream s, const char *line, size_t len)
{
	struct strbuf *sb = ctx;
	sb_addf(sb, "%c:%.*s\n", s == CHILD_STDERR ? 'E' : 'O', (int)len, line);
}

static void test_lines_and_status(void)
{
	const char *argv[] = { "sh", "-c",
			       "printf 'one\\n\\033[1;31merror\\033[0m: two\\r\\n' >&2; sleep 0.05; echo out; "
			       "sleep 0.05; printf 'tail' >&2; exit 3",
			       NULL };
	struct child_spec spec = { .argv = argv, .need_stdout = true };
	char err[256];
	struct child *c = child_start(&spec, err, sizeof(err));
	CHECK(c);
	struct strbuf sb = STRBUF_INIT;
	int st = child_wait(c, collect, &sb);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3);
	CHECK_STR(sb.buf, "E:one\nE:\033[1;31merror\033[0m: two\nO:out\nE:tail\n");
	char words[64];
	child_describe_status(st, words, sizeof(words));
	CHECK_STR(words, "exit status 3");
	child_free(c);
	sb_free(&sb);
}

static void test_no_stdout_env_workdir(void)
{
	const char *argv[] = { "sh", "-c", "echo hidden; echo \"$SONDE_T1 $(pwd)\" >&2", NULL };
	const char *env[] = { "SONDE_T1=set", NULL };
	struct child_spec spec = { .argv = argv, .env = env, .workdir = "/" };
	char err[256];
	struct child *c = child_start(&spec, err, sizeof(err));
	CHECK(c);
	struct strbuf sb = STRBUF_INIT;
	child_wait(c, collect, &sb);
	CHECK_STR(sb.buf, "E:set /\n");
	child_free(c);
	sb_free(&sb);
}

static void test_start_errors(void)
{
	char err[256];
	const char *argv[] = { "/nonexistent/sonde-no-such-program", NULL };
	struct child_spec spec = { .argv = argv };
	CHECK(!child_start(&spec, err, sizeof(err)));
	CHECK(strstr(err, "cannot run /nonexistent/sonde-no-such-program: No such file"));
	const char *ok[] = { "true", NULL };
	struct child_spec bad_dir = { .argv = ok, .workdir = "/nonexistent-dir" };
	CHECK(!child_start(&bad_dir, err, sizeof(err)));
	CHECK(strstr(err, "cannot enter /nonexistent-dir"));
	const char *empty[] = { NULL };
	struct child_spec none = { .argv = empty };
	CHECK(!child_start(&none, err, sizeof(err)));
}

/* true while any process of group pgid is alive */
static bool group_alive(pid_t pgid)
{
	return kill(-pgid, 0) == 0 || errno != ESRCH;
}

/* Starts `sh -c script`, lets it spawn its children, kills it with
 * kill_cmd (NULL: the default) and checks the signal that ended it and
 * that nothing of its group is left. */
static bool kill_case(const char *script, const char *const *kill_cmd, int want_sig)
{
	const char *argv[] = { "sh", "-c", script, NULL };
	struct child_spec spec = { .argv = argv };
	char err[256];
	struct child *c = child_start(&spec, err, sizeof(err));
	if (!c)
		return false;
	pid_t pid = child_pid(c);
	usleep(100 * 1000);
	bool started = group_alive(pid);
	int st = child_kill(c, kill_cmd, 200);
	child_free(c);
	return started && WIFSIGNALED(st) && WTERMSIG(st) == want_sig && !group_alive(pid);
}

static void test_kill_group(void)
{
	/* grandchildren, and one that ignores SIGTERM */
	CHECK(kill_case("sleep 100 & (trap '' TERM; sleep 100) & sleep 100", NULL, SIGTERM));
}

static void test_kill_command(void)
{
	/* bacon appends the PID to the `kill` command and waits for it; the
	 * background sleep (SIGINT ignored, as in any `&` job of sh) is swept */
	const char *kill_int[] = { "kill", "-s", "INT", NULL };
	CHECK(kill_case("sleep 100 & exec sleep 100", kill_int, SIGINT));
	/* a kill command that fails falls back to SIGKILL */
	const char *bad_kill[] = { "false", NULL };
	CHECK(kill_case("sleep 100 & exec sleep 100", bad_kill, SIGKILL));
}

int main(void)
{
	RUN(test_lines_and_status);
	RUN(test_no_stdout_env_workdir);
	RUN(test_start_errors);
	RUN(test_kill_group);
	RUN(test_kill_command);
	UNIT_EXIT();
}

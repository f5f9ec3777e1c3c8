/* bacon.toml semantics: actions, sources laid over each other, job
 * defaults, the checks and their wording, command lines. */
#include <stdlib.h>

#include "unit.h"
#include "watch/config.h"
#include "watch/mission.h"

static bool apply(struct watch_settings *s, const char *text, char *err, size_t errsize)
{
	char why[300];
	struct toml_table *t = toml_parse(text, strlen(text), why, sizeof(why));
	if (!t) {
		snprintf(err, errsize, "toml: %s", why);
		return false;
	}
	bool ok = settings_apply_table(s, t, "t.toml", err, errsize);
	toml_free(t);
	return ok;
}

static void test_actions(void)
{
	struct action a;
	char err[200], buf[200];
	const char *round[] = { "job:clippy", "job:alias:my-check", "job:nextest(a::b,c)", "job:previous",
				"job:default", "back", "quit", "toggle-summary", "scroll-lines(-3)", "scroll-pages(1.5)",
				"toggle-backtrace(full)", "export:locations", NULL };
	for (size_t i = 0; round[i]; i++) {
		CHECK(action_parse(round[i], &a, err, sizeof(err)));
		action_format(&a, buf, sizeof(buf));
		CHECK_STR(buf, round[i]);
		action_free(&a);
	}
	CHECK(action_parse("internal:toggle-wrap", &a, err, sizeof(err)));
	CHECK_INT(a.kind, ACT_TOGGLE_WRAP);
	CHECK(action_parse("scroll-page(-.5)", &a, err, sizeof(err)));
	CHECK_INT(a.kind, ACT_SCROLL_PAGES);
	CHECK_INT(a.n, -500);
	CHECK(!action_parse("clippy", &a, err, sizeof(err)));
	CHECK_STR(err, "Action not understood: \"clippy\" (did you mean \"job:clippy\"?)");
	CHECK(!action_parse("toggle-backtrace(3)", &a, err, sizeof(err)));
	CHECK_STR(err, "Invalid backtrace level: \"3\"");
	CHECK(!action_parse("scroll-lines(x)", &a, err, sizeof(err)));
}

static void test_sources_and_defaults(void)
{
	struct watch_settings s;
	char err[400] = "";
	settings_init(&s);
	CHECK(apply(&s, watch_builtin_config, err, sizeof(err)));
	CHECK_STR(s.default_job, "check");
	CHECK_INT(s.jobs.n, 11);
	/* the default bindings, and the built-in file's c = job:clippy-all over bacon's c = job:clippy */
	char buf[100];
	action_format(settings_key_action(&s, "c"), buf, sizeof(buf));
	CHECK_STR(buf, "job:clippy-all");
	action_format(settings_key_action(&s, "esc"), buf, sizeof(buf));
	CHECK_STR(buf, "back");
	/* a project file: a new job, a replaced one, top-level defaults, bindings */
	CHECK(apply(&s,
		    "default_job = \"flamegraph\"\n"
		    "allow_warnings = true\n"
		    "env.RUST_LOG = \"debug\"\n"
		    "ignore = [\"target-other\"]\n"
		    "[jobs.flamegraph]\n"
		    "command = [\"cargo\", \"flamegraph\", \"-o\", \"$OUT\"]\n"
		    "env = { OUT = \"fg.svg\" }\n"
		    "on_success = \"job:open-flamegraph\"\n"
		    "[jobs.check]\n"
		    "command = [\"cargo\", \"check\", \"--all-targets\"]\n"
		    "allow_warnings = false\n"
		    "grace_period = \"50ms\"\n"
		    "[keybindings]\n"
		    "f = \"job:flamegraph\"\n"
		    "shift-p = \"job:perf-report\"\n",
		    err, sizeof(err)));
	CHECK(settings_check(&s, err, sizeof(err)));
	CHECK_INT(s.jobs.n, 12);
	const struct watch_job *check = settings_job(&s, "check");
	CHECK_INT(check->command.n, 3);
	struct watch_job eff;
	settings_effective_job(&s, check, &eff);
	CHECK(!job_allow_warnings(&eff)); /* the job's own false over the top-level true */
	CHECK_INT(job_grace_period_ms(&eff), 50);
	CHECK_INT(eff.env.n, 2); /* CARGO_TERM_COLOR from the built-in file, RUST_LOG */
	CHECK_INT(eff.ignore.n, 1);
	job_free(&eff);
	action_format(settings_key_action(&s, "f"), buf, sizeof(buf));
	CHECK_STR(buf, "job:flamegraph");

	struct mission m;
	struct mission_args a = { 0 };
	char *extra[] = { "--bench", "x" };
	a.extra = extra;
	a.nextra = 2;
	a.all_features = true;
	CHECK(mission_build(&m, &s, "flamegraph", "/nonexistent-project", &a, err, sizeof(err)));
	CHECK_INT(m.argv.n, 7);
	CHECK_STR(m.argv.v[3], "fg.svg"); /* $OUT from the job's env */
	CHECK_STR(m.argv.v[4], "--all-features");
	CHECK_STR(m.argv.v[5], "--bench");
	CHECK(m.argv.v[7] == NULL);
	CHECK(job_allow_warnings(&m.job)); /* the top-level default */
	CHECK_INT(m.watch_paths.n, 0);     /* nothing of the default watches exists there */
	mission_free(&m);
	CHECK(!mission_build(&m, &s, "nope", "/", &a, err, sizeof(err)));
	CHECK_STR(err, "job not found: \"nope\"");
	settings_free(&s);
}

static void test_errors(void)
{
	struct watch_settings s;
	char err[400];
	settings_init(&s);
	CHECK(!apply(&s, "[jobs.x]\ncommand = []\n", err, sizeof(err)));
	CHECK_STR(err, "t.toml:1:7: jobs.x: Invalid configuration : empty command for job \"x\"");
	CHECK(!apply(&s, "[jobs.x]\ncommand = [\"a\"]\nneed_stdout = 3\n", err, sizeof(err)));
	CHECK_STR(err, "t.toml:3:15: jobs.x.need_stdout: expected a boolean, found integer");
	CHECK(!apply(&s, "[jobs.x]\ncommand = [\"a\"]\non_success = \"clippy\"\n", err, sizeof(err)));
	CHECK_STR(err, "t.toml:3:14: jobs.x.on_success: Action not understood: \"clippy\" (did you mean \"job:clippy\"?)");
	CHECK(!apply(&s, "[jobs.\"a b\"]\ncommand = [\"a\"]\n", err, sizeof(err)));
	CHECK(!apply(&s, "[keybindings]\nq = \"nope\"\n", err, sizeof(err)));
	settings_free(&s);
	settings_init(&s);
	CHECK(!settings_check(&s, err, sizeof(err)));
	CHECK_STR(err, "Invalid configuration : no job found");
	CHECK(apply(&s, "default_job = \"x\"\n[jobs.y]\ncommand = [\"true\"]\n", err, sizeof(err)));
	CHECK(!settings_check(&s, err, sizeof(err)));
	CHECK_STR(err, "Invalid configuration : default job (\"x\") not found in jobs");
	settings_free(&s);
}

static void test_expand(void)
{
	str_list env = { 0 };
	env_set(&env, "A", "1");
	env_set(&env, "A", "2");
	setenv("SONDE_T_B", "b", 1);
	char *x = expand_env_vars("$A-${SONDE_T_B}-$NOPE_X-${}-$", &env);
	CHECK_STR(x, "2-b-$NOPE_X-${}-$");
	free(x);
	for (size_t i = 0; i < env.n; i++)
		free(env.v[i]);
	vec_free(&env);
}

int main(void)
{
	RUN(test_actions);
	RUN(test_sources_and_defaults);
	RUN(test_errors);
	RUN(test_expand);
	UNIT_EXIT();
}

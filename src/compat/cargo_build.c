/* Running cargo for the cargo subcommands (src/compat/cargo_build.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compat/cargo_build.h"
#include "util/die.h"
#include "util/json.h"
#include "util/options.h"
#include "util/strbuf.h"
#include "util/vec.h"

void cargo_argv_push(struct cargo_argv *a, const char *s) { vec_push(a, xstrdup(s)); }

void cargo_argv_free(struct cargo_argv *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	vec_free(a);
}

char **cargo_argv_copy(const struct cargo_argv *a)
{
	char **v = xmalloc((a->n + 1) * sizeof(*v));
	if (a->n)
		memcpy(v, a->v, a->n * sizeof(*v));
	v[a->n] = NULL;
	return v;
}

int cargo_pass_cb(struct opt_parser *p, const struct opt *opt, const char *arg)
{
	struct cargo_argv *a = p->cmd->data;
	cargo_argv_push(a, opt->value);
	if (arg)
		cargo_argv_push(a, arg);
	return 0;
}

const char *cargo_bin(void)
{
	const char *c = getenv("CARGO");
	return c && *c ? c : "cargo";
}

char *cargo_profile_debug_var(const char *profile)
{
	struct strbuf var = STRBUF_INIT;
	sb_adds(&var, "CARGO_PROFILE_");
	for (const char *c = profile; *c; c++)
		sb_addc(&var, *c == '-' ? '_' : (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c));
	sb_adds(&var, "_DEBUG");
	return sb_detach(&var);
}

int cargo_capture(char *const *argv, struct strbuf *out, const char *debug_profile)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		die("cannot create a pipe: %s", strerror(errno));
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		die("cannot fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(fds[1], 1);
		if (debug_profile) {
			/* As flamegraph-rs does: debug info for the profile being
			 * built, unless the user says otherwise. */
			setenv(cargo_profile_debug_var(debug_profile), "true", 0);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "%s: cannot run '%s': %s\n", sonde_progname, argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	sb_read_fd(out, fds[0]);
	close(fds[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}

int cargo_metadata(const char *manifest_path, struct json *meta)
{
	char *argv[] = { (char *)cargo_bin(), "metadata", "--no-deps", "--format-version", "1",
			 manifest_path ? "--manifest-path" : NULL, (char *)manifest_path, NULL };
	struct strbuf out = STRBUF_INIT;
	int rc = cargo_capture(argv, &out, NULL);
	if (rc == 0 && json_parse(out.buf ? out.buf : "", out.len, meta) < 0)
		die("cannot parse the output of 'cargo metadata'");
	sb_free(&out);
	return rc;
}

void cargo_build_run(char *const *argv, const char *debug_profile, struct strbuf *out)
{
	int rc = cargo_capture(argv, out, debug_profile);
	if (rc != 0)
		die("building with cargo failed (status %d); fix the errors above and try again", rc);
}

void cargo_each_artifact(const char *out, void (*fn)(const struct json *msg, void *data), void *data)
{
	/* one JSON message a line */
	for (const char *line = out, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		size_t len = next ? (size_t)(next - line) : strlen(line);
		if (next)
			next++;
		if (!len || !memmem(line, len, "compiler-artifact", 17))
			continue;
		struct json m;
		if (json_parse(line, len, &m) < 0)
			continue;
		const char *reason = json_str(json_get(&m, "reason"));
		if (reason && !strcmp(reason, "compiler-artifact"))
			fn(&m, data);
		json_free(&m);
	}
}

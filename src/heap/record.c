/* sonde heap CMD: preload the runtime, read its chunks from a pipe, write
 * the compressed trace. */
#include "heap/record.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child_protocol.h"
#include "heap_protocol.h"
#include "binary/buildid_cache.h"
#include "collect/interrupt.h"
#include "collect/launch.h"
#include "collect/secure_exec.h"
#include "heap/allocator_check.h"
#include "heap/record_children.h"
#include "heap/record_pass.h"
#include "heap/trace.h"
#include "heap/trace_end.h"
#include "util/die.h"
#include "util/libpath.h"
#include "util/outfile.h"
#include "util/strbuf.h"

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

char *heap_find_runtime(void)
{
	return sonde_find_lib("SONDE_RT", "libsonde-rt.so");
}

/* path made absolute for messages, whether or not it exists yet */
static char *absolute_path(const char *p)
{
	char *r = realpath(p, NULL), cwd[PATH_MAX];
	if (r)
		return r;
	if (p[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return xstrdup(p);
	return xasprintf("%s/%s", cwd, p);
}

static char *output_name(const struct heap_record_opts *o, const char *app, pid_t pid)
{
	if (!o->output) {
		const char *base = strrchr(app, '/');
		base = base ? base + 1 : app;
		return xasprintf("%s.%s.%d.zst", o->prefix ? o->prefix : "sonde-heap", base, (int)pid);
	}
	struct strbuf sb = STRBUF_INIT;
	for (const char *p = o->output; *p; p++) {
		if (p[0] == '%' && p[1] == 'p') {
			sb_addf(&sb, "%d", (int)pid);
			p++;
		} else if (p[0] == '%' && p[1] == 'h') {
			char host[256] = "localhost";
			gethostname(host, sizeof(host) - 1);
			sb_adds(&sb, host);
			p++;
		} else {
			sb_addc(&sb, *p);
		}
	}
	return sb_detach(&sb);
}

/* Processes the kernel's OOM killer has killed since boot (0: unknown):
 * a target killed by SIGKILL while it grew is likely one of them. */
static uint64_t oom_kills(void)
{
	FILE *f = fopen("/proc/vmstat", "re");
	char line[128];
	unsigned long long n = 0;
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "oom_kill %llu", &n) == 1)
			break;
	if (f)
		fclose(f);
	return n;
}

static char *join_argv(char **argv)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; argv[i]; i++) {
		if (i)
			sb_addc(&sb, ' ');
		sb_adds(&sb, argv[i]);
	}
	return sb_detach(&sb);
}

/* Memcheck mode also preloads the string-function checks that sit next
 * to the runtime (without them only overlaps go unchecked). */
static char *memcheck_preload(const char *rt)
{
	const char *slash = strrchr(rt, '/');
	char *str = xasprintf("%.*slibsonde-mcstr.so", slash ? (int)(slash - rt + 1) : 0, rt);
	if (access(str, R_OK) == 0) {
		char *both = xasprintf("%s:%s", rt, str);
		free(str);
		return both;
	}
	warn("%s is missing: overlapping memcpy/strcpy arguments go unchecked", str);
	free(str);
	return xstrdup(rt);
}

/* Memcheck mode's settings, all in one variable the runtime reads at its
 * start (runtime/memcheck/mc_settings.c): "1" or "noleak", then ",key=value"
 * items for what differs from the runtime's defaults. One variable, plus
 * GLIBCXX_FORCE_NEW as valgrind sets it (libstdc++'s pool allocators hand
 * memory back to operator delete, so the leak check sees it): a program
 * under sonde memcheck sees as many variables added to its environment
 * as under valgrind (LD_PRELOAD and two), and sizes its tables alike —
 * Python's os.environ dict, for one. */
static void memcheck_env(const struct heap_record_opts *o)
{
	struct strbuf v = STRBUF_INIT;
	sb_adds(&v, o->no_leak_check ? "noleak" : "1");
	if (o->max_frames)
		sb_addf(&v, ",frames=%u", o->max_frames);
	sb_addf(&v, ",heuristics=%u", o->heuristics);
	if (o->precise)
		sb_addf(&v, ",precise=%u", o->precise);
	if (o->freelist_vol >= 0)
		sb_addf(&v, ",freelist_vol=%lld", (long long)o->freelist_vol);
	if (o->freelist_big >= 0)
		sb_addf(&v, ",freelist_big=%lld", (long long)o->freelist_big);
	if (o->no_mismatch)
		sb_adds(&v, ",no_mismatch=1");
	if (o->exit_first >= 0)
		sb_addf(&v, ",exit_first=%d", o->exit_first & 255);
	if (o->trace_fd >= 0)
		sb_addf(&v, ",trace_fd=%d", o->trace_fd);
	if (o->trace_fd >= 0 || (o->children && o->children->trace_lines)) {
		sb_addf(&v, ",t0=%llu", (unsigned long long)o->t0_ns);
		if (o->time_stamp)
			sb_adds(&v, ",time_stamp=1");
	}
	setenv("SONDE_MEMCHECK", v.buf, 1);
	sb_free(&v);
	setenv("GLIBCXX_FORCE_NEW", "1", 0);
}

/* Waits for the target, still answering Ctrl-C. */
static void wait_target(struct interrupt *intr, pid_t pid, int *status, const char *cmd)
{
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR))
			break;
		interrupt_poll(intr, cmd);
		struct timespec d = { 0, 50 * 1000000 };
		nanosleep(&d, NULL);
	}
}

/* --trace-children: the socket every image connects to (its own trace
 * lines' directory with --trace-malloc). */
static void children_env(const struct heap_children *c)
{
	char *sock = heap_children_sock(c);
	setenv(CHILD_SOCK_ENV, sock, 1);
	free(sock);
	if (c->trace_lines)
		setenv(CHILD_TRACE_DIR_ENV, c->dir, 1);
}

/* --trace-children: every image's stream into its own trace
 * (record_children.c); returns the target's status as heap_record. */
static int record_children(const struct heap_record_opts *o, struct launch *l, int lfd, char **argv)
{
	struct interrupt intr;
	interrupt_watch(&intr, l->pid);
	int err = launch_release(l);
	if (err) {
		interrupt_unwatch(&intr);
		close(lfd);
		error("cannot run '%s': %s", argv[0], launch_failure_reason(argv[0], err));
		if (o->not_started)
			*o->not_started = true;
		return launch_exec_failure_status(err);
	}
	int status = 0;
	if (!heap_children_loop(o, o->children, lfd, l->pid, &intr, argv, &status))
		wait_target(&intr, l->pid, &status, argv[0]);
	interrupt_unwatch(&intr);
	if (o->wait_status)
		*o->wait_status = status;
	if (interrupt_seen(&intr) && WIFSIGNALED(status))
		return 128 + SIGINT;
	return wait_status_code(status);
}

int heap_record(const struct heap_record_opts *o, char **argv)
{
	/* a command that cannot run: one line, no trace */
	int cannot_run = launch_preflight(argv[0]);
	if (cannot_run) {
		if (o->not_started)
			*o->not_started = true;
		return cannot_run;
	}
	char why[80];
	if (secure_exec(argv[0], why, sizeof(why))) { /* a trace of nothing would look clean */
		if (o->not_started)
			*o->not_started = true;
		return secure_exec_refuse(argv[0], why, false);
	}
	char *rt = heap_find_runtime();
	if (!rt)
		die("cannot find libsonde-rt.so (looked next to sonde and in ../lib/sonde/); set SONDE_RT=/path/to/libsonde-rt.so");
	char rtabs[PATH_MAX];
	if (realpath(rt, rtabs)) {
		free(rt);
		rt = xstrdup(rtabs);
	}

	int fds[2] = { -1, -1 }, wfd = -1, lfd = -1;
	if (o->children) {
		lfd = heap_children_listen(o->children);
	} else {
		if (pipe2(fds, O_CLOEXEC) < 0)
			die("cannot create a pipe: %s", strerror(errno));
		/* the write end goes to the target (and must not be fd 0-2) */
		wfd = fcntl(fds[1], F_DUPFD, 10);
		if (wfd < 0)
			die("cannot duplicate a pipe fd: %s", strerror(errno));
		close(fds[1]);
		fcntl(fds[0], F_SETPIPE_SZ, 1 << 20);
	}

	const char *old = getenv("LD_PRELOAD");
	char *first = o->memcheck ? memcheck_preload(rt) : xstrdup(rt);
	char *preload = old && *old ? xasprintf("%s:%s", first, old) : xstrdup(first);
	free(first);
	char fdstr[16];
	snprintf(fdstr, sizeof(fdstr), "%d", wfd);
	setenv("LD_PRELOAD", preload, 1);
	if (o->children)
		children_env(o->children);
	else
		setenv("SONDE_HEAP_FD", fdstr, 1);
	bool force_new_set = getenv("GLIBCXX_FORCE_NEW") != NULL; /* the user's own, kept */
	if (o->memcheck)
		memcheck_env(o);

	struct launch l = { 0 };
	if (launch_suspended(&l, argv) < 0)
		die("cannot start '%s': %s", argv[0], strerror(errno));
	/* restore our own environment (symbolizers may spawn helpers later) */
	if (old)
		setenv("LD_PRELOAD", old, 1);
	else
		unsetenv("LD_PRELOAD");
	unsetenv("SONDE_HEAP_FD");
	unsetenv(CHILD_SOCK_ENV);
	unsetenv(CHILD_TRACE_DIR_ENV);
	unsetenv("SONDE_MEMCHECK");
	if (o->memcheck && !force_new_set)
		unsetenv("GLIBCXX_FORCE_NEW");

	if (o->pid)
		*o->pid = (int)l.pid;
	if (o->children) {
		int rc = record_children(o, &l, lfd, argv);
		free(preload);
		free(rt);
		return rc;
	}
	char *out = output_name(o, argv[0], l.pid);
	struct outfile of;
	int ofd = outfile_open(&of, out);
	if (ofd < 0)
		error("cannot create '%s': %s", out, strerror(errno));
	struct heap_writer *w = ofd < 0 ? NULL : heap_writer_open_fd(ofd, out, o->level ? o->level : 3);
	if (!w) {
		outfile_drop(&of);
		launch_abort(&l);
		exit(1);
	}
	char *cmdline = join_argv(argv);
	heap_writer_command(w, cmdline);
	free(cmdline);

	char *abs = absolute_path(out);
	if (o->heaptrack_msgs) {
		printf("heaptrack output will be written to \"%s\"\n", abs ? abs : out);
		printf("starting application, this might take some time...\n");
		fflush(stdout);
	}

	struct interrupt intr;
	interrupt_watch(&intr, l.pid);

	uint64_t t0 = now_ns(), oom_before = oom_kills();
	int err = launch_release(&l);
	close(wfd);
	if (err) { /* what the preflight could not see (a file changed meanwhile): no trace either */
		interrupt_unwatch(&intr);
		close(fds[0]);
		heap_writer_close(w);
		outfile_drop(&of);
		error("cannot run '%s': %s", argv[0], launch_failure_reason(argv[0], err));
		if (o->not_started)
			*o->not_started = true;
		free(abs);
		free(out);
		free(preload);
		free(rt);
		return launch_exec_failure_status(err);
	}
	/* the command runs: the trace takes out's place (a previous one kept as .old) */
	if (outfile_place(&of, true) < 0)
		warn("cannot rename the trace to '%s' (%s): it is written to '%s'", out, strerror(errno), of.tmp);
	outfile_done(&of);
	int status = 0;
	bool reaped = false;

	struct heap_passer ps = { 0 };
	uint8_t *buf = xmalloc(1 << 16);
	uint64_t last_flush = now_ns(), exited_at = 0;
	for (;;) {
		struct pollfd pfd = { fds[0], POLLIN, 0 };
		int pr = poll(&pfd, 1, 100);
		if (pr > 0) {
			ssize_t k = read(fds[0], buf, 1 << 16);
			if (k < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (k <= 0)
				break; /* EOF: every writer is gone */
			heap_pass_data(&ps, w, buf, (size_t)k);
		} else if (pr < 0 && errno != EINTR) {
			break;
		}
		uint64_t now = now_ns();
		if (now - last_flush > 200000000ull) { /* decodable on disk within 200 ms */
			heap_writer_flush(w);
			last_flush = now;
		}
		if (!reaped) {
			pid_t r = waitpid(l.pid, &status, WNOHANG);
			if (r == l.pid) {
				reaped = true;
				exited_at = now;
				intr.target = 0;
			} else {
				interrupt_poll(&intr, argv[0]); /* Ctrl-C: SIGTERM, then SIGKILL */
			}
		} else if (!exited_at) {
			exited_at = now;
		}
		/* descendants still holding the pipe: give them a moment after the
		 * target itself is gone, then stop waiting */
		if (reaped && pr == 0 && now - exited_at > 2000000000ull)
			break;
	}
	/* the stream ended (the target closed it?) but the target runs on */
	if (!reaped) {
		wait_target(&intr, l.pid, &status, argv[0]);
		exited_at = now_ns();
	}
	/* the program's run: descendants may hold the pipe a while longer */
	uint64_t wall = (exited_at ? exited_at : now_ns()) - t0;
	close(fds[0]);
	free(buf);
	if (ps.n && !ps.raw)
		warn("heap runtime stream ended inside a chunk (%zu bytes dropped)", ps.n);
	free(ps.buf);
	interrupt_unwatch(&intr);

	heap_writer_summary(w, status, wall);
	int wrc = heap_writer_close(w);
	/* threads' clock keys take more room than the order they give: worth
	 * a pass over the trace once they are a good part of it */
	if (wrc == 0 && !o->memcheck && ps.clock_bytes && ps.clock_bytes * 8 >= ps.chunk_bytes &&
	    heap_trace_compact(out, o->level ? o->level : 3, !o->quiet) < 0)
		warn("the trace in %s is complete but was not compacted", out);
	if (wrc == 0 && !o->no_buildid_cache)
		buildid_cache_record(&ps.modules);
	buildid_list_free(&ps.modules);
	int code = wait_status_code(status);
	/* ended for a Ctrl-C (ours or the terminal's): the interrupt's status */
	bool stopped = interrupt_seen(&intr) && WIFSIGNALED(status);
	if (stopped)
		code = 128 + SIGINT;
	if (o->wait_status)
		*o->wait_status = status;
	/* a trace that misses part of the run says so, and what is missing */
	ps.end.summary = true;
	ps.end.wait_status = status;
	ps.end.wall_ns = wall;
	ps.end.oom_kills = oom_kills() > oom_before;
	if (o->oom_kills)
		*o->oom_kills = ps.end.oom_kills;
	enum heap_cut cut = ps.raw ? HEAP_CUT_NONE : heap_end_judge(&ps.end);
	if (cut == HEAP_CUT_NONE && WIFSIGNALED(status) && WTERMSIG(status) != SIGINT && !stopped && !o->quiet)
		warn("'%s' was killed by signal %d (%s); the trace holds what was recorded until then", argv[0],
		     WTERMSIG(status), strsignal(WTERMSIG(status)));
	if (cut != HEAP_CUT_NONE && code == 0) /* part of the result was lost */
		code = 1;
	if (wrc == 0 && !o->quiet) /* an allocator of its own would leave the trace empty */
		heap_alloc_check_recorded(argv[0], out);
	if (wrc == 0 && !o->quiet) {
		if (o->heaptrack_msgs) {
			printf("Heaptrack finished! Now run the following to investigate the data:\n\n"
			       "  heaptrack --analyze \"%s\"\n", abs ? abs : out);
			fflush(stdout);
		} else {
			fprintf(stderr, "sonde: wrote trace to %s; run 'sonde heap report %s'\n", out, out);
		}
	}
	if (cut != HEAP_CUT_NONE && !o->quiet) { /* last: what the trace misses */
		char *what = heap_end_text(&ps.end, cut, argv[0], HEAP_END_TRACE);
		error("%s", what);
		free(what);
	}
	free(abs);
	free(out);
	free(preload);
	free(rt);
	if (wrc < 0 && code == 0)
		return 1;
	return code;
}

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

#include "../runtime/heap_protocol.h"
#include "binary/buildid_cache.h"
#include "collect/interrupt.h"
#include "collect/launch.h"
#include "heap/allocator_check.h"
#include "heap/trace.h"
#include "heap/trace_end.h"
#include "util/die.h"
#include "util/strbuf.h"

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static char *try_path(const char *dir, const char *rel)
{
	char *p = xasprintf("%s/%s", dir, rel);
	if (access(p, R_OK) == 0)
		return p;
	free(p);
	return NULL;
}

char *heap_find_runtime(void)
{
	const char *env = getenv("SONDE_RT");
	if (env && *env) {
		if (access(env, R_OK) == 0)
			return xstrdup(env);
		warn("SONDE_RT='%s' is not readable; looking next to sonde", env);
	}
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return NULL;
	self[n] = 0;
	char *slash = strrchr(self, '/');
	if (!slash)
		return NULL;
	*slash = 0;
	char *p = try_path(self, "libsonde-rt.so");
	if (!p)
		p = try_path(self, "../lib/sonde/libsonde-rt.so");
	if (!p)
		p = try_path(self, "../lib/libsonde-rt.so");
	if (!p)
		p = try_path(self, "build/libsonde-rt.so");
	return p;
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

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Passes complete chunks through; keeps a partial one buffered. Once the
 * framing is lost (bad magic), everything is passed through raw. The
 * modules the runtime announces are listed for the build-id cache. */
struct passer {
	uint8_t *buf;
	size_t n, cap;
	bool raw;
	uint64_t version; /* the runtime's protocol version, from HR_HELLO */
	struct buildid_list modules;
	uint64_t chunk_bytes, clock_bytes; /* all chunks', those with clock keys' */
	struct heap_end_facts end;         /* what the runtime's own chunks say of its end */
};

static int pass_data(struct passer *ps, struct heap_writer *w, const uint8_t *data, size_t n)
{
	if (ps->raw)
		return heap_writer_add(w, data, n);
	if (ps->n + n > ps->cap) {
		while (ps->n + n > ps->cap)
			ps->cap = ps->cap ? ps->cap * 2 : 1 << 16;
		ps->buf = xrealloc(ps->buf, ps->cap);
	}
	memcpy(ps->buf + ps->n, data, n);
	ps->n += n;
	size_t off = 0;
	while (ps->n - off >= HEAP_CHUNK_HEADER) {
		if (le32(ps->buf + off) != HEAP_CHUNK_MAGIC) {
			warn("heap runtime stream is out of step (bad chunk magic); storing the rest as is");
			ps->raw = true;
			break;
		}
		size_t len = HEAP_CHUNK_HEADER + (size_t)le32(ps->buf + off + 4);
		if (ps->n - off < len)
			break;
		if (le32(ps->buf + off + 8) == 0 && (le32(ps->buf + off + 12) & HEAP_CHUNK_DEFS)) {
			heap_chunk_modules(ps->buf + off + HEAP_CHUNK_HEADER, len - HEAP_CHUNK_HEADER, &ps->version,
					   &ps->modules);
			heap_end_facts_chunk(&ps->end, ps->buf + off + HEAP_CHUNK_HEADER, len - HEAP_CHUNK_HEADER);
		}
		ps->chunk_bytes += len;
		if (le32(ps->buf + off + 12) & HEAP_CHUNK_CLOCK)
			ps->clock_bytes += len;
		off += len;
	}
	int rc = 0;
	size_t upto = ps->raw ? ps->n : off;
	if (upto)
		rc = heap_writer_add(w, ps->buf, upto);
	memmove(ps->buf, ps->buf + upto, ps->n - upto);
	ps->n -= upto;
	return rc;
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

static const char *const memcheck_vars[] = {
	"SONDE_MEMCHECK_FREELIST_VOL", "SONDE_MEMCHECK_FREELIST_BIG", "SONDE_MEMCHECK_NO_MISMATCH",
	"SONDE_MEMCHECK_EXIT_FIRST",   "SONDE_MEMCHECK_TRACE_FD",     "SONDE_MEMCHECK_TIME_STAMP",
	"SONDE_MEMCHECK_T0",           "SONDE_MEMCHECK_HEURISTICS",
};

static void setenv_ll(const char *name, long long v)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%lld", v);
	setenv(name, buf, 1);
}

/* What the runtime reads at its start (runtime/rt.c, mc_env_options). */
static void memcheck_env(const struct heap_record_opts *o)
{
	if (o->freelist_vol >= 0)
		setenv_ll("SONDE_MEMCHECK_FREELIST_VOL", o->freelist_vol);
	if (o->freelist_big >= 0)
		setenv_ll("SONDE_MEMCHECK_FREELIST_BIG", o->freelist_big);
	if (o->no_mismatch)
		setenv("SONDE_MEMCHECK_NO_MISMATCH", "1", 1);
	if (o->exit_first >= 0)
		setenv_ll("SONDE_MEMCHECK_EXIT_FIRST", o->exit_first & 255);
	if (o->trace_fd >= 0) {
		setenv_ll("SONDE_MEMCHECK_TRACE_FD", o->trace_fd);
		setenv_ll("SONDE_MEMCHECK_T0", (long long)o->t0_ns);
		if (o->time_stamp)
			setenv("SONDE_MEMCHECK_TIME_STAMP", "1", 1);
	}
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
	char *rt = heap_find_runtime();
	if (!rt)
		die("cannot find libsonde-rt.so (looked next to sonde and in ../lib/sonde/); set SONDE_RT=/path/to/libsonde-rt.so");
	char rtabs[PATH_MAX];
	if (realpath(rt, rtabs)) {
		free(rt);
		rt = xstrdup(rtabs);
	}

	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		die("cannot create a pipe: %s", strerror(errno));
	/* the write end goes to the target (and must not be fd 0-2) */
	int wfd = fcntl(fds[1], F_DUPFD, 10);
	if (wfd < 0)
		die("cannot duplicate a pipe fd: %s", strerror(errno));
	close(fds[1]);
	fcntl(fds[0], F_SETPIPE_SZ, 1 << 20);

	const char *old = getenv("LD_PRELOAD");
	char *first = o->memcheck ? memcheck_preload(rt) : xstrdup(rt);
	char *preload = old && *old ? xasprintf("%s:%s", first, old) : xstrdup(first);
	free(first);
	char fdstr[16];
	snprintf(fdstr, sizeof(fdstr), "%d", wfd);
	setenv("LD_PRELOAD", preload, 1);
	setenv("SONDE_HEAP_FD", fdstr, 1);
	if (o->memcheck)
		setenv("SONDE_MEMCHECK", o->no_leak_check ? "noleak" : "1", 1);
	if (o->memcheck && o->max_frames) {
		char frames[16];
		snprintf(frames, sizeof frames, "%u", o->max_frames);
		setenv("SONDE_MEMCHECK_FRAMES", frames, 1);
	}
	if (o->memcheck) {
		char heur[16];
		snprintf(heur, sizeof heur, "%u", o->heuristics);
		setenv("SONDE_MEMCHECK_HEURISTICS", heur, 1);
	}
	if (o->memcheck && o->precise) {
		char every[16];
		snprintf(every, sizeof every, "%u", o->precise);
		setenv("SONDE_MEMCHECK_PRECISE", every, 1);
	}
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
	unsetenv("SONDE_MEMCHECK");
	unsetenv("SONDE_MEMCHECK_PRECISE");
	unsetenv("SONDE_MEMCHECK_FRAMES");
	for (size_t i = 0; i < sizeof(memcheck_vars) / sizeof(memcheck_vars[0]); i++)
		unsetenv(memcheck_vars[i]);

	if (o->pid)
		*o->pid = (int)l.pid;
	char *out = output_name(o, argv[0], l.pid);
	struct heap_writer *w = heap_writer_open(out, o->level ? o->level : 3);
	if (!w) {
		launch_abort(&l);
		exit(1);
	}
	char *cmdline = join_argv(argv);
	heap_writer_command(w, cmdline);
	free(cmdline);

	char *abs = realpath(out, NULL);
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
		unlink(out);
		error("cannot run '%s': %s", argv[0], launch_failure_reason(argv[0], err));
		if (o->not_started)
			*o->not_started = true;
		free(abs);
		free(out);
		free(preload);
		free(rt);
		return launch_exec_failure_status(err);
	}
	int status = 0;
	bool reaped = false;

	struct passer ps = { 0 };
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
			pass_data(&ps, w, buf, (size_t)k);
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
	/* the stream ended (the target closed it?) but the target runs on:
	 * wait for it, still answering Ctrl-C */
	while (!reaped) {
		pid_t r = waitpid(l.pid, &status, WNOHANG);
		if (r == l.pid)
			exited_at = now_ns();
		if (r == l.pid || (r < 0 && errno != EINTR))
			break;
		interrupt_poll(&intr, argv[0]);
		struct timespec d = { 0, 50 * 1000000 };
		nanosleep(&d, NULL);
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
		char *why = heap_end_text(&ps.end, cut, argv[0], HEAP_END_TRACE);
		error("%s", why);
		free(why);
	}
	free(abs);
	free(out);
	free(preload);
	free(rt);
	if (wrc < 0 && code == 0)
		return 1;
	return code;
}

/* The sampling session behind `sonde record`.
 *
 * Launch mode: fork the command suspended, open one inherited event per CPU on
 * its pid (inherit cannot be mmapped with cpu == -1), each with its own ring
 * buffer, enable_on_exec, release the child. Attach mode: one inherited event
 * per (thread, CPU), all events of a CPU redirected into that CPU's buffer
 * with PERF_EVENT_IOC_SET_OUTPUT, enabled after the /proc state is written.
 *
 * The loop polls the buffers every 100 ms (or on watermark wakeups), copies
 * the records of all buffers into a batch, sorts the batch by time and turns
 * the kernel records into sonde records. */
#include "collect/session_state.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "binary/procspace.h"
#include "collect/interrupt.h"
#include "collect/kparse.h"
#include "collect/launch.h"
#include "collect/mapped_files.h"
#include "collect/permissions.h"
#include "collect/ring.h"
#include "collect/secure_exec.h"
#include "collect/synth.h"
#include "profile/format.h"
#include "util/die.h"
#include "util/outfile.h"
#include "util/strbuf.h"
#include "util/vec.h"

static volatile sig_atomic_t got_int, got_term, got_chld;

static void on_signal(int sig)
{
	if (sig == SIGINT)
		got_int++;
	else if (sig == SIGTERM || sig == SIGHUP)
		got_term++;
	else if (sig == SIGCHLD)
		got_chld = 1;
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

const char *fmt_thousands(uint64_t n, char *buf, size_t len)
{
	char tmp[32];
	int k = snprintf(tmp, sizeof(tmp), "%" PRIu64, n);
	size_t j = 0;
	for (int i = 0; i < k && j + 1 < len; i++) {
		if (i && (k - i) % 3 == 0 && j + 2 < len)
			buf[j++] = ',';
		buf[j++] = tmp[i];
	}
	buf[j] = 0;
	return buf;
}

static void fmt_size(uint64_t b, char *buf, size_t len)
{
	if (b < 1024)
		snprintf(buf, len, "%" PRIu64 " bytes", b);
	else if (b < 1024 * 1024)
		snprintf(buf, len, "%.1f KB", b / 1024.0);
	else if (b < 1024ull * 1024 * 1024)
		snprintf(buf, len, "%.1f MB", b / (1024.0 * 1024));
	else
		snprintf(buf, len, "%.2f GB", b / (1024.0 * 1024 * 1024));
}

static const char *out_name(const struct session *s)
{
	return strcmp(s->out_path, "-") ? s->out_path : "standard output";
}

/* Remembers the first write error and reports it once. */
static void write_failed(struct session *s)
{
	if (s->write_errno)
		return;
	s->write_errno = errno ? errno : EIO;
	error("cannot write '%s': %s", out_name(s), strerror(s->write_errno));
}

/* ---------------------------------------------------------------- output */

static void output_open(struct session *s)
{
	int fd = outfile_open(&s->out, s->out_path);
	if (fd < 0 || !(s->w = sd_writer_fdopen(fd, fd != STDOUT_FILENO)))
		die("cannot open '%s' for writing: %s", s->out_path, strerror(errno));
}

/* The command started: the recording takes FILE's place, the previous
 * one kept as FILE.old (perf's rule). */
static void output_place(struct session *s)
{
	if (outfile_place(&s->out, true) < 0)
		warn("cannot rename the recording to '%s' (%s): it is written to '%s'", s->out_path, strerror(errno),
		     s->out.tmp);
}

/* The recording did not happen (the command could not run): nothing the
 * user had is touched. */
static void output_discard(struct session *s)
{
	sd_writer_close(s->w);
	s->w = NULL;
	outfile_drop(&s->out);
}

static void meta(struct session *s, const char *k, const char *v)
{
	if (!s->write_errno && sd_write_meta(s->w, k, v) < 0)
		write_failed(s);
}

static void write_meta(struct session *s, uint64_t start_mono)
{
	const struct record_opts *o = s->o;
	char buf[256];
	meta(s, "event", event_display(&s->ev, buf, sizeof(buf)));
	if (o->use_period) {
		snprintf(buf, sizeof(buf), "%" PRIu64, o->period);
		meta(s, "period", buf);
	} else {
		snprintf(buf, sizeof(buf), "%" PRIu64, (uint64_t)s->attr.sample_freq);
		meta(s, "freq", buf);
	}
	meta(s, "callgraph", o->callgraph == CALLGRAPH_NONE ? "none" : o->callgraph == CALLGRAPH_FP ? "fp" : "dwarf");
	if (o->callgraph == CALLGRAPH_DWARF) {
		char size[32];
		snprintf(size, sizeof(size), "%u", o->stack_size);
		meta(s, "stack-copy-size", size);
	}
	if (o->cmdline)
		meta(s, "cmdline", o->cmdline);
	if (o->pid > 0) {
		snprintf(buf, sizeof(buf), "%d", (int)o->pid);
		meta(s, "pid", buf);
	} else {
		struct strbuf sb = STRBUF_INIT;
		for (char **a = o->argv; *a; a++) {
			if (a != o->argv)
				sb_addc(&sb, ' ');
			sb_adds(&sb, *a);
		}
		meta(s, "command", sb.buf ? sb.buf : "");
		sb_free(&sb);
	}
	if (gethostname(buf, sizeof(buf)) == 0) {
		buf[sizeof(buf) - 1] = 0;
		meta(s, "hostname", buf);
	}
	struct utsname u;
	if (uname(&u) == 0) {
		meta(s, "kernel", u.release);
		meta(s, "arch", u.machine);
	}
	meta(s, "sonde-version", SONDE_VERSION);
	snprintf(buf, sizeof(buf), "%" PRIu64, start_mono);
	meta(s, "start-time", buf);
	time_t t = time(NULL);
	struct tm tm;
	if (localtime_r(&t, &tm) && strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S%z", &tm))
		meta(s, "start-realtime", buf);
	snprintf(buf, sizeof(buf), "%d", s->ncpus);
	meta(s, "nr-cpus", buf);
	meta(s, "clock", "monotonic");
}

/* ---------------------------------------------------------------- records */

static void collect_cb(void *arg, const unsigned char *rec, size_t size)
{
	struct session *s = arg;
	size_t off = s->arena.n;
	vec_reserve(&s->arena, off + ((size + 7) & ~(size_t)7));
	memcpy(s->arena.v + off, rec, size);
	s->arena.n = off + ((size + 7) & ~(size_t)7);
	struct batch_ent e = { kparse_time(rec, size, s->attr.sample_type), off, (uint32_t)size,
			       (uint32_t)s->batch.n };
	vec_push(&s->batch, e);
}

static int cmp_ent(const void *a, const void *b)
{
	const struct batch_ent *x = a, *y = b;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static const char *zstr(struct session *s, const char *p, size_t n)
{
	sb_reset(&s->name);
	sb_add(&s->name, p, n);
	return s->name.buf;
}

static int convert(struct session *s, const unsigned char *rec, size_t size)
{
	struct perf_event_header h;
	memcpy(&h, rec, sizeof(h));
	uint64_t st = s->attr.sample_type;
	struct kid id;
	switch (h.type) {
	case PERF_RECORD_SAMPLE: {
		struct ksample k;
		if (kparse_sample_regs(rec, size, st, s->attr.sample_regs_user, &k) < 0)
			return 0;
		uint32_t nr, nk = 0;
		bool truncated = false;
		vec_reserve(&s->frames, k.nr + 1 + MAX_USER_FRAMES);
		if (k.nr) {
			vec_reserve(&s->chain, k.nr);
			memcpy(s->chain.v, k.ips, k.nr * 8); /* aligned copy */
			nr = split_callchain(s->chain.v, k.nr, k.ip, k.cpumode, s->frames.v,
					     (uint32_t)s->frames.cap, &nk);
		} else {
			s->frames.v[0] = k.ip;
			nr = 1;
			nk = k.cpumode == PERF_RECORD_MISC_KERNEL;
		}
		if (s->ps) {
			/* The kernel chain stops at the user boundary: unwind the rest. */
			nr = nk;
			if (k.regs_abi && k.nregs <= 64) {
				memcpy(s->regs, k.regs, k.nregs * 8);
				nr += (uint32_t)procspaces_unwind(s->ps, k.pid, s->regs, s->attr.sample_regs_user,
								  k.stack, k.stack_dyn_size, s->frames.v + nk,
								  MAX_USER_FRAMES, &truncated);
			}
			if (!nr) { /* a kernel thread, or no user registers */
				s->frames.v[0] = k.ip;
				nr = 1;
			}
			s->truncated += truncated;
			if (k.regs_abi) {
				uint64_t need = procspaces_last_need(s->ps);
				s->need_hist[need == UINT64_MAX ? 64 : need >= (64u << 10) ? 63 : need >> 10]++;
			}
		}
		uint64_t sid = sd_intern_stack(s->w, s->frames.v, nr, nk, truncated);
		if (sid == UINT64_MAX)
			return -1;
		struct sd_sample smp = { .time = k.time, .pid = k.pid, .tid = k.tid, .cpu = k.cpu,
					 .period = k.period ? k.period : s->o->period, .stack_id = sid, .cpumode = k.cpumode };
		s->samples++;
		if (s->o->keep_stacks && k.regs_abi && k.nregs <= 64) {
			struct sd_user_stack u = { s->attr.sample_regs_user, k.nregs, s->regs, k.stack,
						   (size_t)k.stack_dyn_size };
			if (sd_write_user_stack(s->w, &u) < 0)
				return -1;
		}
		return sd_write_sample(s->w, &smp);
	}
	case PERF_RECORD_MMAP2: {
		struct kmmap2 m;
		if (kparse_mmap2(rec, size, st, &m) < 0 || kparse_trailer(rec, size, st, &id) < 0)
			return 0;
		struct sd_mmap sm = { .time = id.time, .pid = m.pid, .tid = m.tid, .start = m.addr,
				      .len = m.len, .pgoff = m.pgoff, .prot = m.prot, .flags = m.flags,
				      .build_id_len = m.build_id_len };
		memcpy(sm.build_id, m.build_id, sizeof(sm.build_id));
		sm.filename = zstr(s, m.filename, m.filename_len);
		mapped_files_note(&s->seen, &sm, &m);
		if (s->ps)
			procspaces_mmap(s->ps, m.pid, m.addr, m.len, m.pgoff, sm.filename);
		return sd_write_mmap(s->w, &sm);
	}
	case PERF_RECORD_COMM: {
		struct kcomm c;
		if (kparse_comm(rec, size, st, &c) < 0 || kparse_trailer(rec, size, st, &id) < 0)
			return 0;
		struct sd_comm sc = { .time = id.time, .pid = c.pid, .tid = c.tid, .exec = c.exec,
				      .comm = zstr(s, c.comm, c.comm_len) };
		if (s->ps && c.exec)
			procspaces_exec(s->ps, c.pid);
		return sd_write_comm(s->w, &sc);
	}
	case PERF_RECORD_FORK:
	case PERF_RECORD_EXIT: {
		struct ktask t;
		if (kparse_task(rec, size, &t) < 0)
			return 0;
		struct sd_task sdt = { .time = t.time, .pid = t.pid, .ppid = t.ppid, .tid = t.tid, .ptid = t.ptid };
		if (s->ps && h.type == PERF_RECORD_FORK)
			procspaces_fork(s->ps, t.ppid, t.pid);
		else if (s->ps && t.pid == t.tid)
			procspaces_exit(s->ps, t.pid);
		return h.type == PERF_RECORD_FORK ? sd_write_fork(s->w, &sdt) : sd_write_exit(s->w, &sdt);
	}
	case PERF_RECORD_LOST:
	case PERF_RECORD_LOST_SAMPLES: {
		uint64_t n;
		if (kparse_lost(rec, size, &n) < 0)
			return 0;
		kparse_trailer(rec, size, st, &id);
		s->lost += n;
		struct sd_lost l = { .time = id.time, .lost = n };
		return sd_write_lost(s->w, &l);
	}
	case PERF_RECORD_THROTTLE:
		s->throttled++;
		return 0;
	default:
		return 0;
	}
}

/* Drains every ring, sorts the batch by time and writes it. */
static void drain(struct session *s)
{
	s->arena.n = 0;
	s->batch.n = 0;
	for (int c = 0; c < s->ncpus; c++)
		if (s->rings && s->rings[c])
			ring_drain(s->rings[c], collect_cb, s);
	if (!s->batch.n || s->write_errno)
		return;
	qsort(s->batch.v, s->batch.n, sizeof(*s->batch.v), cmp_ent);
	for (size_t i = 0; i < s->batch.n; i++) {
		struct batch_ent *e = &s->batch.v[i];
		if (convert(s, s->arena.v + e->off, e->size) < 0) {
			write_failed(s);
			return;
		}
	}
	if (sd_writer_flush(s->w) < 0)
		write_failed(s);
}

/* Says how much stack copy 95% and 99% of the samples needed, so that
 * --call-graph dwarf,SIZE can be set from a measurement. */
static void note_stack_need(const struct session *s, unsigned copy_size)
{
	uint64_t total = 0, acc = 0;
	for (int i = 0; i <= 64; i++)
		total += s->need_hist[i];
	if (!total)
		return;
	int p95 = -1, p99 = -1;
	for (int i = 0; i <= 64; i++) {
		acc += s->need_hist[i];
		if (p95 < 0 && acc * 100 >= total * 95)
			p95 = i;
		if (p99 < 0 && acc * 100 >= total * 99)
			p99 = i;
	}
	/* bucket i: needed at most i + 1 KB; bucket 64: ran out of copy */
	if (p95 == 64)
		note("more than 5%% of the samples needed more than the %u bytes of stack copy", copy_size);
	else if (p99 == 64)
		note("95%% of the samples needed at most %d KB of stack copy, but more than 1%% needed more "
		     "than the %u bytes copied",
		     p95 + 1, copy_size);
	else
		note("95%% of the samples needed at most %d KB of stack copy, and 99%% at most %d KB", p95 + 1,
		     p99 + 1);
}

/* ---------------------------------------------------------------- main */

static void raise_nofile(size_t want)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want + 64 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void print_start_note(struct session *s)
{
	char ev[64], rate[64];
	event_display(&s->ev, ev, sizeof(ev));
	if (s->o->use_period)
		snprintf(rate, sizeof(rate), "every %" PRIu64 " %s", s->o->period,
			 s->ev.type == PERF_TYPE_SOFTWARE &&
					 (s->ev.config == PERF_COUNT_SW_CPU_CLOCK ||
					  s->ev.config == PERF_COUNT_SW_TASK_CLOCK)
				 ? "ns"
				 : "events");
	else
		snprintf(rate, sizeof(rate), "at %" PRIu64 " Hz", (uint64_t)s->attr.sample_freq);
	if (s->fallback_reason)
		note("recording %s %s (%s)", ev, rate, s->fallback_reason);
	else
		note("recording %s %s", ev, rate);
	if (s->user_only_note)
		note("kernel samples are not allowed (kernel.perf_event_paranoid=%d): recording user "
		     "space only",
		     s->paranoid);
}

static char *command_string(char **argv)
{
	struct strbuf sb = STRBUF_INIT;
	for (char **a = argv; *a; a++) {
		if (a != argv)
			sb_addc(&sb, ' ');
		sb_adds(&sb, *a);
	}
	return sb_detach(&sb);
}

char *record_cmdline(int argc, char **argv)
{
	struct strbuf line = STRBUF_INIT;
	sb_adds(&line, sonde_progname);
	for (int i = 0; i < argc; i++) {
		sb_addc(&line, ' ');
		sb_adds(&line, argv[i]);
	}
	return sb_detach(&line);
}

/* Frees what the session holds (not the output file, closed earlier). */
static void session_release(struct session *s)
{
	free(s->cpus);
	free(s->rings);
	vec_free(&s->fds);
	vec_free(&s->arena);
	vec_free(&s->batch);
	vec_free(&s->frames);
	vec_free(&s->chain);
	sb_free(&s->name);
	procspaces_free(s->ps);
	mapped_files_free(&s->seen);
	outfile_done(&s->out);
}

int record_session(const struct record_opts *o)
{
	/* a command that cannot run: one line, and no file touched */
	int cannot_run = o->pid > 0 ? 0 : launch_preflight(o->argv[0]);
	if (cannot_run)
		return cannot_run;
	char secure[80];
	if (o->pid <= 0 && secure_exec(o->argv[0], secure, sizeof(secure))) /* 0 samples would look idle */
		return secure_exec_refuse(o->argv[0], secure, true);
	struct session S = { 0 }, *s = &S;
	s->o = o;
	s->ev = o->event;
	s->out_path = o->output;
	s->paranoid = perm_read_paranoid();
	s->privileged = perm_privileged();
	if (!s->ev.modifier && perm_default_exclude_kernel(s->paranoid, s->privileged)) {
		s->ev.exclude_kernel = true;
		s->user_only_note = true;
	}
	s->ncpus = online_cpus(&s->cpus);
	attr_setup(s);
	if (o->callgraph == CALLGRAPH_DWARF)
		s->ps = procspaces_new();

	pid_t *pids = NULL;
	int npids = 0;
	struct launch child = { .pid = -1, .go_fd = -1, .err_fd = -1 };
	char *cmd = NULL;
	if (o->pid > 0) {
		if (!proc_alive(o->pid)) {
			free(s->cpus);
			die("cannot attach to process %d: %s", (int)o->pid, strerror(ESRCH));
		}
		npids = proc_threads(o->pid, &pids);
		if (npids <= 0) {
			free(s->cpus);
			die("cannot attach to process %d: %s", (int)o->pid, strerror(errno ? errno : ESRCH));
		}
		/* the main thread first, so its ESRCH is fatal */
		for (int i = 1; i < npids; i++)
			if (pids[i] == o->pid) {
				pids[i] = pids[0];
				pids[0] = o->pid;
			}
		raise_nofile((size_t)npids * (size_t)s->ncpus);
	}

	output_open(s);

	if (o->pid <= 0) {
		cmd = command_string(o->argv);
		child.stdout_to_stderr = !strcmp(o->output, "-");
		if (launch_suspended(&child, o->argv) < 0) {
			int e = errno;
			output_discard(s);
			die("cannot start '%s': %s", o->argv[0], strerror(e));
		}
		pids = xmalloc(sizeof(*pids));
		pids[0] = child.pid;
		npids = 1;
	}

	char *why = setup_events(s, pids, npids);
	if (why) {
		close_events(s);
		if (o->pid <= 0)
			launch_abort(&child);
		output_discard(s);
		error("%s", why);
		free(why);
		free(pids);
		free(cmd);
		session_release(s);
		return 1;
	}

	uint64_t start = now_ns(CLOCK_MONOTONIC);
	write_meta(s, start);

	/* Signals: handled only inside ppoll, so no wakeup is lost. */
	sigset_t block, orig;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &orig);
	struct sigaction sa = { 0 }, old_int, old_term, old_hup, old_chld;
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	sigaction(SIGCHLD, &sa, &old_chld);
	got_int = got_term = got_chld = 0;

	int status = -1;
	bool child_done = false;
	int exit_code = 0;
	if (o->pid > 0) {
		if (synth_process(s->w, s->ps, &s->seen, o->pid, now_ns(CLOCK_MONOTONIC)) < 0)
			write_failed(s);
		enable_events(s, PERF_EVENT_IOC_ENABLE);
		output_place(s);
		print_start_note(s);
		note("attached to process %d (%d thread%s); press Ctrl-C to stop", (int)o->pid, npids,
		     npids == 1 ? "" : "s");
	} else {
		int e = launch_release(&child);
		if (e) {
			sigprocmask(SIG_SETMASK, &orig, NULL);
			sigaction(SIGINT, &old_int, NULL);
			sigaction(SIGTERM, &old_term, NULL);
			sigaction(SIGHUP, &old_hup, NULL);
			sigaction(SIGCHLD, &old_chld, NULL);
			close_events(s);
			output_discard(s);
			error("cannot run '%s': %s", o->argv[0], strerror(e));
			free(pids);
			free(cmd);
			session_release(s);
			return launch_exec_failure_status(e);
		}
		/* only now: a command that cannot run gets a single error line */
		output_place(s);
		print_start_note(s);
	}

	struct pollfd *pfd = xcalloc(s->fds.n ? s->fds.n : 1, sizeof(*pfd));
	uint64_t deadline = o->duration > 0 ? start + (uint64_t)(o->duration * 1e9) : 0;
	bool stopped_by_duration = false, interrupted = false, killed = false;
	struct interrupt intr = { .target = o->pid > 0 ? 0 : child.pid };
	for (;;) {
		size_t np = 0;
		for (int c = 0; c < s->ncpus; c++) {
			if (s->rings && s->rings[c]) {
				pfd[np].fd = s->rings[c]->fd;
				pfd[np].events = POLLIN;
				np++;
			}
		}
		long ms = POLL_MS;
		if (deadline) {
			uint64_t now = now_ns(CLOCK_MONOTONIC);
			if (now >= deadline) {
				stopped_by_duration = true;
				break;
			}
			if ((deadline - now) / 1000000 < (uint64_t)ms)
				ms = (long)((deadline - now) / 1000000) + 1;
		}
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
		int pr = ppoll(pfd, np, &ts, &orig);
		bool all_hup = np > 0;
		for (size_t i = 0; pr > 0 && i < np; i++)
			if (!(pfd[i].revents & POLLHUP))
				all_hup = false;
		if (!s->write_errno)
			drain(s);
		if (s->write_errno && s->fds.n) {
			/* Stop sampling; keep waiting for the command. */
			drain(s); /* just to release the buffers */
			close_events(s);
			if (o->pid > 0)
				break;
		}
		if (o->pid <= 0) {
			pid_t r = waitpid(child.pid, &status, WNOHANG);
			if (r == child.pid) {
				child_done = true;
				break;
			}
			/* Ctrl-C: SIGTERM a second later, SIGKILL on a repeat
			 * (collect/interrupt.h); the loop goes on until it is reaped */
			killed |= interrupt_escalate(&intr, (unsigned)got_int, (unsigned)got_term,
						     now_ns(CLOCK_MONOTONIC), cmd);
		} else {
			if (got_int || got_term) {
				interrupted = true;
				break;
			}
			if ((pr > 0 && all_hup) || !proc_alive(o->pid))
				break;
		}
		if (pr > 0 && all_hup && o->pid <= 0) {
			/* The command's tasks are gone from every buffer; avoid spinning
			 * on POLLHUP while waiting for the zombie to be reaped. */
			struct timespec d = { 0, 10 * 1000000 };
			nanosleep(&d, NULL);
		}
	}
	free(pfd);

	enable_events(s, PERF_EVENT_IOC_DISABLE);
	if (!s->write_errno)
		drain(s);
	close_events(s);

	if (o->pid <= 0 && !child_done) {
		if (stopped_by_duration) {
			note("stopping after %g s (--duration): sending SIGTERM to '%s'", o->duration, cmd);
			kill(child.pid, SIGTERM);
			for (int i = 0; i < 300; i++) { /* up to 3 s, then SIGKILL */
				pid_t r = waitpid(child.pid, &status, WNOHANG);
				if (r == child.pid || (r < 0 && errno != EINTR)) {
					child_done = r == child.pid;
					break;
				}
				struct timespec d = { 0, 10 * 1000000 };
				nanosleep(&d, NULL);
			}
			if (!child_done) {
				kill(child.pid, SIGKILL);
				child_done = waitpid(child.pid, &status, 0) == child.pid;
			}
		} else if (interrupted) {
			note("interrupted: stopped recording; '%s' (pid %d) may still be running", cmd,
			     (int)child.pid);
			status = -1;
		} else if (s->write_errno) {
			/* unreachable: the loop only ends on exit/duration/interrupt */
		}
	}
	if (o->pid <= 0 && s->write_errno && !child_done && !interrupted) {
		while (waitpid(child.pid, &status, 0) < 0 && errno == EINTR)
			;
		child_done = true;
	}

	/* Unblock while our handlers are still in place, so a Ctrl-C that
	 * arrived during the last drain does not kill us after the fact. */
	sigprocmask(SIG_SETMASK, &orig, NULL);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	sigaction(SIGCHLD, &old_chld, NULL);

	if (!s->write_errno) {
		struct sd_finish f = { .time = now_ns(CLOCK_MONOTONIC), .samples = s->samples, .lost = s->lost,
				       .exit_status = child_done ? status : -1 };
		if (sd_write_finish(s->w, &f) < 0)
			write_failed(s);
	}
	uint64_t bytes = sd_writer_bytes(s->w);
	if (sd_writer_close(s->w) < 0)
		write_failed(s);
	s->w = NULL;

	if (!s->write_errno) {
		char n1[32], n2[32], sz[32];
		fmt_size(bytes, sz, sizeof(sz));
		if (!o->temp_output)
			note("wrote %s sample%s (%s lost) to '%s' (%s)", fmt_thousands(s->samples, n1, sizeof(n1)),
			     s->samples == 1 ? "" : "s", fmt_thousands(s->lost, n2, sizeof(n2)), out_name(s), sz);
		if (s->ps && (s->truncated || getenv("SONDE_STACK_STATS")))
			note_stack_need(s, o->stack_size);
		if (s->truncated)
			note("%s stack%s did not fit in the %u-byte stack copy and %s cut short; "
			     "raise it with --call-graph dwarf,SIZE (at most 65528)",
			     fmt_thousands(s->truncated, n1, sizeof(n1)), s->truncated == 1 ? "" : "s",
			     o->stack_size, s->truncated == 1 ? "was" : "were");
		if (s->lost)
			note("the kernel dropped samples: try a lower -F or a larger "
			     "/proc/sys/kernel/perf_event_mlock_kb");
		if (s->throttled)
			note("the kernel throttled sampling %" PRIu64 " times (see "
			     "/proc/sys/kernel/perf_event_max_sample_rate)",
			     s->throttled);
		/* A recording read right away (flamegraph) needs no copies. */
		if (!o->no_buildid_cache && !o->temp_output)
			buildid_cache_record(&s->seen.list);
	}

	if (o->pid <= 0) {
		if (child_done && WIFSIGNALED(status)) {
			int sig = WTERMSIG(status);
			if (!stopped_by_duration && !intr.termed && !killed && sig != SIGINT && sig != SIGPIPE)
				error("'%s' was killed by signal %d (%s)%s", cmd, sig, strsignal(sig),
				      s->write_errno ? "" : "; the profile up to that point was saved");
		}
		if (stopped_by_duration)
			exit_code = 0;
		else if (interrupted || (killed && got_int))
			exit_code = 128 + SIGINT;
		else if (child_done)
			exit_code = wait_status_code(status);
	} else {
		exit_code = 0;
	}
	if (s->write_errno) {
		exit_code = exit_code ? exit_code : 1;
		/* What was written before the error is a readable recording
		 * (the reader stops at the last complete record): say so. */
		struct stat st;
		char sz[32];
		if (strcmp(s->out_path, "-") && stat(s->out_path, &st) == 0 && st.st_size > 0) {
			fmt_size((uint64_t)st.st_size, sz, sizeof(sz));
			note("'%s' keeps the %s written before the error; 'sonde report -i %s' reads its complete records",
			     s->out_path, sz, s->out_path);
		}
	}

	free(pids);
	free(cmd);
	session_release(s);
	return exit_code;
}

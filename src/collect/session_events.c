/* The perf events of a `sonde record` session: the attr built from the
 * options, one event per CPU (or per thread and CPU when attaching), each
 * CPU's ring buffer, with the fallbacks when the machine or the
 * permissions refuse the first choice. */
#include "collect/session_state.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "binary/procspace.h"
#include "collect/permissions.h"
#include "collect/ring.h"
#include "util/die.h"

/* Stack copies make samples up to 64 KB: give them room. */
static unsigned ring_pages_max(const struct session *s)
{
	return s->o->callgraph == CALLGRAPH_DWARF ? RING_PAGES_MAX_DWARF : RING_PAGES_MAX;
}

void attr_setup(struct session *s)
{
	const struct record_opts *o = s->o;
	struct perf_event_attr *a = &s->attr;
	event_attr_init(a, &s->ev);
	a->sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU;
	/* With a fixed period the kernel turns every software event into a
	 * sample when PERIOD is requested (perf_swevent_event), so ask for the
	 * period only in frequency mode; it is known otherwise. */
	if (!o->use_period)
		a->sample_type |= PERF_SAMPLE_PERIOD;
	if (o->callgraph != CALLGRAPH_NONE)
		a->sample_type |= PERF_SAMPLE_CALLCHAIN;
	if (o->callgraph == CALLGRAPH_DWARF) {
		/* The kernel walks its own part; the user part is unwound here
		 * from the registers and a copy of the stack. */
		a->sample_type |= PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
		a->exclude_callchain_user = 1;
		a->sample_regs_user = PROCSPACE_REGS_MASK;
		a->sample_stack_user = o->stack_size;
	}
	if (o->use_period) {
		a->sample_period = o->period;
	} else {
		a->freq = 1;
		a->sample_freq = o->freq;
	}
	a->disabled = 1;
	a->enable_on_exec = o->pid <= 0;
	a->inherit = 1;
	a->mmap = 1;
	a->mmap2 = 1;
	a->comm = 1;
	a->comm_exec = 1;
	a->task = 1;
	a->sample_id_all = 1;
	a->use_clockid = 1;
	a->clockid = CLOCK_MONOTONIC;
	a->build_id = 1;
	a->watermark = 1;
	a->wakeup_watermark = ring_pages_max(s) * 4096u / 4;
}

/* Opens the event for (pid, cpu), adapting the attr on the first open:
 * cycles → cpu-clock without a PMU, kernel → user-only without permission,
 * no build-id on old kernels. Returns fd or -1 with errno. */
static int open_one(struct session *s, pid_t pid, int cpu, bool adapt)
{
	for (;;) {
		int fd = sys_perf_event_open(&s->attr, pid, cpu, -1, 0);
		if (fd >= 0 || !adapt)
			return fd;
		int e = errno;
		if (e == EINVAL && s->attr.build_id) {
			s->attr.build_id = 0;
			continue;
		}
		if (event_err_unsupported(e) && event_is_hardware(&s->ev) && !s->o->event_given) {
			struct event_spec sw;
			event_parse("cpu-clock", &sw);
			sw.exclude_kernel = s->ev.exclude_kernel;
			sw.exclude_user = s->ev.exclude_user;
			s->fallback_reason = "no hardware 'cycles' event on this machine";
			s->ev = sw;
			uint64_t bid = s->attr.build_id;
			attr_setup(s);
			s->attr.build_id = bid;
			continue;
		}
		enum perm_next next = perm_after_error(e, s->attr.exclude_kernel,
						       s->ev.modifier && s->ev.exclude_user);
		if (next == PERM_RETRY_USER) {
			s->ev.exclude_kernel = true;
			s->attr.exclude_kernel = 1;
			s->user_only_note = true;
			continue;
		}
		errno = e;
		return -1;
	}
}

void close_events(struct session *s)
{
	for (int i = 0; s->rings && i < s->ncpus; i++) {
		if (s->rings[i]) {
			ring_unmap(s->rings[i]);
			free(s->rings[i]);
			s->rings[i] = NULL;
		}
	}
	for (size_t i = 0; i < s->fds.n; i++)
		if (s->fds.v[i].fd >= 0)
			close(s->fds.v[i].fd);
	s->fds.n = 0;
}

/* Returns NULL, or a malloc'd message for a fatal open failure. */
static char *open_events(struct session *s, const pid_t *pids, int npids)
{
	bool first = true;
	for (int p = 0; p < npids; p++) {
		for (int c = 0; c < s->ncpus; c++) {
			int fd = open_one(s, pids[p], s->cpus[c], first);
			if (fd < 0) {
				int e = errno;
				if (e == ESRCH && s->o->pid > 0 && p > 0)
					break; /* that thread exited meanwhile */
				if (e == ENODEV && s->ncpus > 1 && !first)
					continue; /* cpu went offline */
				char ev[64];
				event_display(&s->ev, ev, sizeof(ev));
				if (e == EACCES || e == EPERM) {
					char msg[512];
					perm_denied_message(msg, sizeof(msg), s->paranoid, s->privileged,
							    !s->attr.exclude_kernel);
					return xstrdup(msg);
				}
				if (event_err_unsupported(e))
					return xasprintf("event '%s' is not supported on this machine (%s); "
							 "try -e cpu-clock",
							 ev, strerror(e));
				if (e == ESRCH)
					return xasprintf("cannot attach to process %d: %s", (int)pids[p],
							 strerror(e));
				if (e == EMFILE)
					return xasprintf("too many open files (%d threads x %d CPUs); raise "
							 "'ulimit -n'",
							 npids, s->ncpus);
				if (e == EINVAL && !s->o->use_period)
					return xasprintf("cannot open event '%s' at %" PRIu64
							 " Hz: %s (see "
							 "/proc/sys/kernel/perf_event_max_sample_rate)",
							 ev, (uint64_t)s->attr.sample_freq, strerror(e));
				return xasprintf("cannot open event '%s': %s", ev, strerror(e));
			}
			first = false;
			vec_push(&s->fds, ((struct evfd){ .fd = fd, .cpu_idx = c }));
		}
	}
	return NULL;
}

/* Maps one ring of 1+pages pages per CPU; the other fds of that CPU write
 * into it. Returns 0, an errno for EPERM/ENOMEM (over the mlock budget: the
 * caller retries smaller), or -1 with *why set. */
static int map_rings(struct session *s, unsigned pages, char **why)
{
	if (!s->rings)
		s->rings = xcalloc((size_t)s->ncpus, sizeof(*s->rings));
	for (size_t i = 0; i < s->fds.n; i++) {
		struct evfd *f = &s->fds.v[i];
		struct ring **r = &s->rings[f->cpu_idx];
		if (*r) {
			if (ioctl(f->fd, PERF_EVENT_IOC_SET_OUTPUT, (*r)->fd) < 0) {
				*why = xasprintf("cannot share the ring buffer of CPU %d: %s",
						 s->cpus[f->cpu_idx], strerror(errno));
				return -1;
			}
			continue;
		}
		*r = xcalloc(1, sizeof(**r));
		if (ring_map(*r, f->fd, pages) < 0) {
			int err = errno;
			free(*r);
			*r = NULL;
			if (err == EPERM || err == ENOMEM)
				return err;
			*why = xasprintf("cannot map the perf ring buffer: %s", strerror(err));
			return -1;
		}
	}
	return 0;
}

/* Opens the events and maps their buffers, halving the buffer size while
 * over the locked-memory budget. Returns NULL or a malloc'd message. */
char *setup_events(struct session *s, const pid_t *pids, int npids)
{
	for (unsigned pages = ring_pages_max(s); pages >= RING_PAGES_MIN; pages /= 2) {
		/* wake up when a quarter of the buffer is used (we also poll every 100 ms) */
		s->attr.wakeup_watermark = pages * 4096u / 4;
		char *why = open_events(s, pids, npids);
		if (why)
			return why;
		int rc = map_rings(s, pages, &why);
		if (rc == 0) {
			if (pages < ring_pages_max(s))
				note("using %u KB ring buffers (the mlock limit is too small for %u KB)",
				     pages * 4, ring_pages_max(s) * 4);
			return NULL;
		}
		close_events(s);
		if (rc < 0)
			return why;
	}
	return xasprintf("cannot map the perf ring buffers (%d CPUs x %u KB): over the locked-memory "
			 "limit; raise /proc/sys/kernel/perf_event_mlock_kb or 'ulimit -l'",
			 s->ncpus, RING_PAGES_MIN * 4);
}

void enable_events(struct session *s, unsigned long req)
{
	for (size_t i = 0; i < s->fds.n; i++)
		if (s->fds.v[i].fd >= 0)
			ioctl(s->fds.v[i].fd, req, 0);
}

/* Counting mode: one counter per event, cpu = -1 with inherit (fine without
 * mmap), enabled by the exec. */
#include "collect/counters.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "collect/counter_source.h"
#include "collect/interrupt.h"
#include "collect/launch.h"
#include "collect/secure_exec.h"
#include "collect/permissions.h"
#include "util/die.h"

/* Closes the counters opened so far. */
static void counters_close(struct counter *c, int n)
{
	const struct counter_source *src = counter_source();
	for (int i = 0; i < n; i++)
		if (c[i].fd >= 0) {
			src->close(c[i].fd);
			c[i].fd = -1;
		}
}

int counters_open(struct counter *c, int n, pid_t pid)
{
	const struct counter_source *src = counter_source();
	int paranoid = perm_read_paranoid();
	bool priv = perm_privileged();
	for (int i = 0; i < n; i++) {
		struct counter *k = &c[i];
		k->fd = -1;
		k->state = COUNTER_OK;
		k->value = 0;
		if (!k->ev.modifier && perm_default_exclude_kernel(paranoid, priv))
			k->ev.exclude_kernel = true;
		for (;;) {
			struct perf_event_attr a;
			event_attr_init(&a, &k->ev);
			a.disabled = 1;
			a.enable_on_exec = 1;
			a.inherit = 1;
			a.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
			int fd = src->open(&a, pid);
			if (fd >= 0) {
				k->fd = fd;
				break;
			}
			int e = errno;
			if (event_err_unsupported(e)) {
				k->state = COUNTER_UNSUPPORTED;
				break;
			}
			enum perm_next next =
				perm_after_error(e, k->ev.exclude_kernel, k->ev.modifier && k->ev.exclude_user);
			if (next == PERM_RETRY_USER) {
				k->ev.exclude_kernel = true;
				continue;
			}
			char ev[64];
			event_display(&k->ev, ev, sizeof(ev));
			if (next == PERM_DENIED) {
				char msg[512];
				perm_denied_message(msg, sizeof(msg), paranoid, priv, !k->ev.exclude_kernel);
				error("%s", msg);
			} else {
				error("cannot open event '%s': %s", ev, strerror(e));
			}
			counters_close(c, i);
			return -1;
		}
	}
	return 0;
}

void counters_read_close(struct counter *c, int n)
{
	const struct counter_source *src = counter_source();
	for (int i = 0; i < n; i++) {
		struct counter *k = &c[i];
		if (k->fd < 0)
			continue;
		uint64_t v[3] = { 0, 0, 0 };
		int r = src->read(k->fd, v);
		src->close(k->fd);
		k->fd = -1;
		k->raw = v[0];
		k->enabled = v[1];
		k->running = v[2];
		if (r < 0 || (k->enabled && !k->running)) {
			k->state = COUNTER_NOT_COUNTED;
			k->value = 0;
			continue;
		}
		k->value = (double)v[0];
		if (k->running && k->running < k->enabled)
			k->value = (double)v[0] * (double)k->enabled / (double)k->running;
	}
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int counters_run(struct counter *c, int n, char **argv, int *status, uint64_t *elapsed_ns,
		 struct rusage *ru, bool *interrupted)
{
	int cannot_run = launch_preflight(argv[0]);
	if (cannot_run)
		return cannot_run;
	char why[80];
	if (secure_exec(argv[0], why, sizeof(why))) /* its counts would stop at the exec */
		return secure_exec_refuse(argv[0], why, true);
	struct launch l = { .pid = -1, .go_fd = -1, .err_fd = -1 };
	if (launch_suspended(&l, argv) < 0) {
		error("cannot start '%s': %s", argv[0], strerror(errno));
		return 1;
	}
	if (counters_open(c, n, l.pid) < 0) {
		launch_abort(&l);
		return 1;
	}
	/* Like a shell running a foreground job: Ctrl-C goes to the command, and
	 * we report what was counted until then (collect/interrupt.h: a
	 * command that ignores it gets SIGTERM, then SIGKILL). */
	struct interrupt intr;
	interrupt_watch(&intr, l.pid);
	uint64_t t0 = mono_ns();
	int e = launch_release(&l);
	if (e) {
		interrupt_unwatch(&intr);
		counters_close(c, n);
		error("cannot run '%s': %s", argv[0], strerror(e));
		return launch_exec_failure_status(e);
	}
	memset(ru, 0, sizeof(*ru));
	for (;;) {
		pid_t r = wait4(l.pid, status, interrupt_seen(&intr) ? WNOHANG : 0, ru);
		if (r > 0 || (r < 0 && errno != EINTR))
			break;
		/* interrupted: the time no longer matters, answering Ctrl-C does */
		interrupt_poll(&intr, argv[0]);
		struct timespec d = { 0, 50 * 1000000 };
		nanosleep(&d, NULL);
	}
	*elapsed_ns = mono_ns() - t0;
	*interrupted = interrupt_seen(&intr);
	interrupt_unwatch(&intr);
	counters_read_close(c, n);
	return 0;
}

/* The real counter source, perf_event_open, and the choice of source. */
#include "collect/counter_source.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect/events.h"
#include "util/die.h"

static int perf_open(struct perf_event_attr *attr, pid_t pid)
{
	return sys_perf_event_open(attr, pid, -1, -1, 0);
}

static int perf_read(int h, uint64_t v[3])
{
	return read(h, v, 3 * sizeof(uint64_t)) == (ssize_t)(3 * sizeof(uint64_t)) ? 0 : -1;
}

static void perf_close(int h) { close(h); }

/* A user-only cycles counter on ourselves: the kernel answers ENOENT (or
 * EOPNOTSUPP...) when there is no PMU to count it. Any other refusal
 * (permissions) says nothing about the hardware, so it counts as a PMU. */
static bool perf_has_pmu(void)
{
	struct event_spec ev;
	struct perf_event_attr a;
	event_parse("cycles:u", &ev);
	event_attr_init(&a, &ev);
	a.disabled = 1;
	int fd = sys_perf_event_open(&a, 0, -1, -1, 0);
	if (fd >= 0) {
		close(fd);
		return true;
	}
	return !event_err_unsupported(errno);
}

const struct counter_source counter_source_perf = { perf_open, perf_read, perf_close, perf_has_pmu };

const struct counter_source *counter_source(void)
{
	static const struct counter_source *src;
	if (!src) {
		const char *fake = getenv(COUNTER_FAKE_ENV);
		src = &counter_source_perf;
		if (fake && *fake) {
			src = counter_fake_load(fake);
			if (!src)
				exit(2);
		}
	}
	return src;
}

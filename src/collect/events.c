/* Event names and perf_event_open plumbing. */
#include "collect/events.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/die.h"
#include "util/vec.h"

static const struct {
	const char *name;
	uint32_t type;
	uint64_t config;
} events[] = {
	{ "cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ "cpu-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ "instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS },
	{ "branches", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS },
	{ "branch-instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS },
	{ "branch-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES },
	{ "cache-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES },
	{ "cache-references", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_REFERENCES },
	{ "cpu-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK },
	{ "task-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK },
	{ "page-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
	{ "faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
	{ "context-switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "cs", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "cpu-migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS },
	{ "migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS },
	{ "minor-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MIN },
	{ "major-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MAJ },
};

const char *event_valid_names(void)
{
	return "cycles, instructions, branches, branch-misses, cache-misses, cache-references, "
	       "cpu-clock, task-clock, page-faults, context-switches (cs), cpu-migrations, "
	       "minor-faults, major-faults (optionally with :u or :k)";
}

int event_parse(const char *str, struct event_spec *ev)
{
	memset(ev, 0, sizeof(*ev));
	const char *colon = strchr(str, ':');
	size_t n = colon ? (size_t)(colon - str) : strlen(str);
	if (colon) {
		const char *mod = colon + 1;
		if (!strcmp(mod, "u"))
			ev->exclude_kernel = true;
		else if (!strcmp(mod, "k"))
			ev->exclude_user = true;
		else if (strcmp(mod, "uk") && strcmp(mod, "ku"))
			return -1;
		ev->modifier = true;
	}
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		if (strlen(events[i].name) == n && !strncmp(events[i].name, str, n)) {
			memcpy(ev->name, str, n);
			ev->name[n] = 0;
			ev->type = events[i].type;
			ev->config = events[i].config;
			return 0;
		}
	}
	return -1;
}

const char *event_display(const struct event_spec *ev, char *buf, size_t len)
{
	const char *mod = "";
	if (ev->exclude_kernel && !ev->exclude_user)
		mod = ":u";
	else if (ev->exclude_user && !ev->exclude_kernel)
		mod = ":k";
	snprintf(buf, len, "%s%s", ev->name, mod);
	return buf;
}

bool event_is_hardware(const struct event_spec *ev) { return ev->type == PERF_TYPE_HARDWARE; }

bool event_err_unsupported(int err)
{
	return err == ENOENT || err == ENODEV || err == ENXIO || err == EOPNOTSUPP;
}

void event_attr_init(struct perf_event_attr *attr, const struct event_spec *ev)
{
	memset(attr, 0, sizeof(*attr));
	attr->size = sizeof(*attr);
	attr->type = ev->type;
	attr->config = ev->config;
	attr->exclude_kernel = ev->exclude_kernel;
	attr->exclude_user = ev->exclude_user;
	attr->exclude_hv = 1;
}

int sys_perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu, int group_fd,
			unsigned long flags)
{
	long fd = syscall(SYS_perf_event_open, attr, pid, cpu, group_fd, flags | PERF_FLAG_FD_CLOEXEC);
	return (int)fd;
}

int parse_cpu_list(const char *s, int **out)
{
	VEC(int) cpus = { 0 };
	const char *p = s;
	while (*p && *p != '\n') {
		char *end;
		long a = strtol(p, &end, 10), b;
		if (end == p || a < 0)
			goto bad;
		b = a;
		p = end;
		if (*p == '-') {
			p++;
			b = strtol(p, &end, 10);
			if (end == p || b < a || b - a > 65536)
				goto bad;
			p = end;
		}
		for (long c = a; c <= b; c++)
			vec_push(&cpus, (int)c);
		if (*p == ',')
			p++;
		else if (*p && *p != '\n')
			goto bad;
	}
	*out = cpus.v;
	return (int)cpus.n;
bad:
	vec_free(&cpus);
	*out = NULL;
	return -1;
}

int online_cpus(int **out)
{
	char buf[4096];
	FILE *f = fopen("/sys/devices/system/cpu/online", "re");
	if (f) {
		bool ok = fgets(buf, sizeof(buf), f) != NULL;
		fclose(f);
		if (ok) {
			int n = parse_cpu_list(buf, out);
			if (n > 0)
				return n;
			free(*out);
		}
	}
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	int *v = xmalloc((size_t)n * sizeof(int));
	for (long i = 0; i < n; i++)
		v[i] = (int)i;
	*out = v;
	return (int)n;
}

/* Event names and perf_event_open plumbing. */
#include "collect/events.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "collect/hwcache.h"
#include "util/die.h"
#include "util/vec.h"

/* perf's names (parse-events.l); the first of a (type, config) is the
 * canonical one, as perf's evsel__hw_names / evsel__sw_names print it. */
static const struct {
	const char *name;
	uint32_t type;
	uint64_t config;
} events[] = {
	{ "cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ "cpu-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ "instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS },
	{ "cache-references", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_REFERENCES },
	{ "cache-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES },
	{ "branches", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS },
	{ "branch-instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS },
	{ "branch-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES },
	{ "bus-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BUS_CYCLES },
	{ "stalled-cycles-frontend", PERF_TYPE_HARDWARE, PERF_COUNT_HW_STALLED_CYCLES_FRONTEND },
	{ "idle-cycles-frontend", PERF_TYPE_HARDWARE, PERF_COUNT_HW_STALLED_CYCLES_FRONTEND },
	{ "stalled-cycles-backend", PERF_TYPE_HARDWARE, PERF_COUNT_HW_STALLED_CYCLES_BACKEND },
	{ "idle-cycles-backend", PERF_TYPE_HARDWARE, PERF_COUNT_HW_STALLED_CYCLES_BACKEND },
	{ "ref-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_REF_CPU_CYCLES },
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
	{ "alignment-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_ALIGNMENT_FAULTS },
	{ "emulation-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_EMULATION_FAULTS },
	{ "dummy", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_DUMMY },
	{ "bpf-output", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_BPF_OUTPUT },
	{ "cgroup-switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CGROUP_SWITCHES },
};

const char *event_valid_names(void)
{
	return "cycles, instructions, branches, branch-misses, cache-references, cache-misses, "
	       "bus-cycles, ref-cycles, stalled-cycles-frontend, stalled-cycles-backend, "
	       "cpu-clock, task-clock, page-faults, context-switches (cs), cpu-migrations, "
	       "minor-faults, major-faults, alignment-faults, emulation-faults; "
	       "hardware cache events as perf spells them, CACHE-OP[-misses] with CACHE "
	       "L1-dcache, L1-icache, LLC, dTLB, iTLB, branch or node and OP load, store or "
	       "prefetch (L1-dcache-load-misses, LLC-loads, dTLB-store-misses...); "
	       "raw rNNNN (hex); each optionally with :u or :k";
}

/* perf's rNNNN: 1 to 16 hex digits (R1a2 and 17 digits are refused). */
static int parse_raw(const char *s, size_t n, uint64_t *config)
{
	if (n < 2 || n > 17 || s[0] != 'r')
		return -1;
	uint64_t v = 0;
	for (size_t i = 1; i < n; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		v = v << 4 | (uint64_t)d;
	}
	*config = v;
	return 0;
}

static int parse_name(const char *s, size_t n, struct event_spec *ev)
{
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		if (strlen(events[i].name) == n && !strncmp(events[i].name, s, n)) {
			ev->type = events[i].type;
			ev->config = events[i].config;
			return 0;
		}
	if (!hwcache_parse(s, n, &ev->config)) {
		ev->type = PERF_TYPE_HW_CACHE;
		return 0;
	}
	if (!parse_raw(s, n, &ev->config)) {
		ev->type = PERF_TYPE_RAW;
		return 0;
	}
	return -1;
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
	if (n >= sizeof(ev->name) || parse_name(str, n, ev) < 0)
		return -1;
	memcpy(ev->name, str, n);
	ev->name[n] = 0;
	return 0;
}

const char *event_why_unknown(const char *str, char *buf, size_t len)
{
	const char *colon = strchr(str, ':');
	return hwcache_why_not(str, colon ? (size_t)(colon - str) : strlen(str), buf, len);
}

const char *event_canonical_name(uint32_t type, uint64_t config, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		if (events[i].type == type && events[i].config == config) {
			snprintf(buf, len, "%s", events[i].name);
			return buf;
		}
	if (type == PERF_TYPE_HW_CACHE)
		return hwcache_name(config, buf, len);
	if (type == PERF_TYPE_RAW) {
		snprintf(buf, len, "r%" PRIx64, config);
		return buf;
	}
	return NULL;
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

bool event_is_hardware(const struct event_spec *ev)
{
	return ev->type == PERF_TYPE_HARDWARE || ev->type == PERF_TYPE_HW_CACHE || ev->type == PERF_TYPE_RAW;
}

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

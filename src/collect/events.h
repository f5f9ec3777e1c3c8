/* Event names, perf_event_attr setup and the perf_event_open syscall. */
#ifndef SONDE_COLLECT_EVENTS_H
#define SONDE_COLLECT_EVENTS_H
#include <linux/perf_event.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct event_spec {
	char name[48]; /* canonical name as the user spelled it, without modifier ("cs" stays "cs") */
	uint32_t type; /* PERF_TYPE_HARDWARE, _SOFTWARE, _HW_CACHE or _RAW */
	uint64_t config;
	bool exclude_user, exclude_kernel; /* from a ":u" / ":k" modifier, or permissions */
	bool modifier;                     /* the user gave ":u"/":k" explicitly */
};

/* Parses "cycles", "cpu-clock:u", "cs:k", "L1-dcache-load-misses", "r1a2"...
 * as perf does. Returns 0, or -1 for an unknown name or modifier. */
int event_parse(const char *str, struct event_spec *ev);
/* For a name event_parse refused: a specific reason, or NULL. */
const char *event_why_unknown(const char *str, char *buf, size_t len);
/* perf's name for (type, config): "cycles", "LLC-load-misses", "r1a2"; NULL
 * when there is none. */
const char *event_canonical_name(uint32_t type, uint64_t config, char *buf, size_t len);
/* "cycles, instructions, ..." — the names event_parse accepts. */
const char *event_valid_names(void);
/* Writes "cpu-clock", "cpu-clock:u" ... into buf. */
const char *event_display(const struct event_spec *ev, char *buf, size_t len);
/* Counted by the CPU's PMU: hardware, hardware-cache and raw events. */
bool event_is_hardware(const struct event_spec *ev);
/* True if err from perf_event_open means "this event does not exist here"
 * (no PMU in a VM): ENOENT, ENODEV, ENXIO, EOPNOTSUPP. */
bool event_err_unsupported(int err);

/* Fills the type/config/exclude bits of attr from ev (the rest is zeroed). */
void event_attr_init(struct perf_event_attr *attr, const struct event_spec *ev);

/* The raw syscall, with PERF_FLAG_FD_CLOEXEC. Returns fd or -1 with errno. */
int sys_perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu, int group_fd,
			unsigned long flags);

/* Online CPU numbers (from /sys/devices/system/cpu/online); returns count,
 * *out is malloc'd. */
int online_cpus(int **out);
/* Parses a cpu list like "0-3,5" into *out (malloc'd); returns count or -1. */
int parse_cpu_list(const char *s, int **out);

#endif

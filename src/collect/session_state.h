/* The state of a `sonde record` session, shared by its loop (session.c)
 * and its perf events (session_events.c). Private to src/collect. */
#ifndef SONDE_COLLECT_SESSION_STATE_H
#define SONDE_COLLECT_SESSION_STATE_H
#include <linux/perf_event.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "collect/events.h"
#include "collect/mapped_files.h"
#include "collect/session.h"
#include "util/outfile.h"
#include "util/strbuf.h"
#include "util/vec.h"

#define RING_PAGES_MAX 128u
#define RING_PAGES_MAX_DWARF 1024u
#define RING_PAGES_MIN 4u
#define POLL_MS 100
/* Deepest user stack unwound (a 2000-deep recursion must fit). */
#define MAX_USER_FRAMES 8192u

struct evfd {
	int fd;
	int cpu_idx; /* index into cpus[] */
	bool hup;
};

struct batch_ent {
	uint64_t time;
	size_t off;
	uint32_t size;
	uint32_t seq;
};

struct session {
	const struct record_opts *o;
	struct perf_event_attr attr;
	struct event_spec ev; /* the event actually used */
	const char *fallback_reason;
	bool user_only_note; /* fell back to exclude_kernel because of permissions */
	int paranoid;
	bool privileged;

	int *cpus;
	int ncpus;
	VEC(struct evfd) fds;
	struct ring **rings; /* per cpu index */

	struct sd_writer *w;
	const char *out_path;
	struct outfile out; /* placed once the command has started */
	int write_errno; /* first write error, 0 if none */

	uint64_t samples, lost, throttled;
	VEC(unsigned char) arena;
	VEC(struct batch_ent) batch;
	VEC(uint64_t) frames, chain;
	struct strbuf name;
	struct procspaces *ps; /* address spaces, for DWARF unwinding */
	struct mapped_files seen; /* for the build-id cache */
	uint64_t regs[64];
	uint64_t truncated; /* samples whose stack copy ended before the outermost frame */
	uint64_t need_hist[65]; /* stack copy actually needed, in KB buckets (64 = cut short) */
};

/* session_events.c: the attr from the options, then the events opened on
 * the command's (or attached) tasks with their ring buffers. */
void attr_setup(struct session *s);
/* NULL when every event is open and mapped, else why not (malloc'd). */
char *setup_events(struct session *s, const pid_t *pids, int npids);
void enable_events(struct session *s, unsigned long req);
void close_events(struct session *s);

#endif

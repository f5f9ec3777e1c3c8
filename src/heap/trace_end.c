/* Whether a heap trace covers the program's whole run (see trace_end.h). */
#include "heap/trace_end.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "heap_protocol.h"
#include "heap/trace.h"
#include "util/die.h"

/* The runtime's timer writes HR_TIME every 10 ms while it records: a
 * program that ran on for longer than this after the last one did so
 * without the runtime's stream. */
#define STOPPED_MS 100

void heap_end_facts_of(const struct heap_trace *t, struct heap_end_facts *f)
{
	memset(f, 0, sizeof *f);
	f->hello = t->have_hello;
	f->version = t->version;
	f->exit = t->have_exit;
	f->last_ms = t->last_time_ms;
	f->lost = t->have_lost;
	f->lost_rec = t->lost;
	f->summary = t->have_summary;
	f->wait_status = t->wait_status;
	f->wall_ns = t->wall_ns;
}

static bool varints(const uint8_t **p, const uint8_t *end, uint64_t *v, int n)
{
	for (int i = 0; i < n; i++) {
		size_t k = heap_get_varint(*p, (size_t)(end - *p), &v[i]);
		if (!k)
			return false;
		*p += k;
	}
	return true;
}

void heap_end_facts_chunk(struct heap_end_facts *f, const uint8_t *payload, size_t n)
{
	const uint8_t *p = payload, *end = payload + n;
	while (p < end) {
		uint8_t type = *p++;
		uint64_t v[5];
		int nf = heap_event_fields(type);
		if (nf >= 0) { /* K, T and X are what thread 0 sends of these */
			if (!varints(&p, end, v, nf))
				return;
			if (type == HR_TIME && v[0] > f->last_ms)
				f->last_ms = v[0];
			f->exit |= type == HR_EXIT;
			continue;
		}
		if (type == HR_LOST && !f->lost) {
			if (!heap_lost_decode(&p, end, &f->lost_rec))
				return;
			f->lost = true;
			continue;
		}
		if (type == HR_HELLO) {
			f->hello = true;
			if (!varints(&p, end, v, 1))
				return;
			f->version = v[0];
			if (!varints(&p, end, v, 4) || v[3] > (uint64_t)(end - p)) /* pid, ppid, start, exe */
				return;
			p += v[3];
			continue;
		}
		if (!heap_skip_def(&p, end, type, f->version))
			return;
	}
}

enum heap_cut heap_end_judge(const struct heap_end_facts *f)
{
	if (!f->hello) /* no runtime in the program: said elsewhere (a static program) */
		return HEAP_CUT_NONE;
	if (f->lost)
		return HEAP_CUT_NOMEM;
	if (f->exit || !f->summary) /* complete; or sonde itself was stopped: the damage note says so */
		return HEAP_CUT_NONE;
	if (WIFSIGNALED(f->wait_status))
		return HEAP_CUT_KILLED;
	if (f->wall_ns / 1000000 > f->last_ms + STOPPED_MS)
		return HEAP_CUT_STOPPED;
	return HEAP_CUT_NO_END;
}

static const char *duration(char *buf, size_t n, uint64_t ms)
{
	if (ms < 1000)
		snprintf(buf, n, "%llu ms", (unsigned long long)ms);
	else
		snprintf(buf, n, "%.2f s", (double)ms / 1000);
	return buf;
}

static const char *binary_size(char *buf, size_t n, uint64_t bytes)
{
	static const char *const unit[] = { "bytes", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;
	double v = (double)bytes;
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (!u)
		snprintf(buf, n, "%llu bytes", (unsigned long long)bytes);
	else
		snprintf(buf, n, v < 10 && v != (uint64_t)v ? "%.1f %s" : "%.0f %s", v, unit[u]);
	return buf;
}

/* "killed by SIGKILL" */
static const char *signal_name(char *buf, size_t n, int sig)
{
	const char *abbrev = sigabbrev_np(sig);
	if (abbrev)
		snprintf(buf, n, "SIG%s", abbrev);
	else
		snprintf(buf, n, "signal %d", sig);
	return buf;
}

char *heap_end_text(const struct heap_end_facts *f, enum heap_cut cut, const char *app, enum heap_end_voice v)
{
	char a[32], b[32], c[32], d[32];
	uint64_t run_ms = f->wall_ns / 1000000;
	bool check = v == HEAP_END_CHECK;
	const char *lost = check ? "calls after that went unchecked and the leak check could not run"
				 : "calls after that are missing from the trace and leaks are unknown";
	switch (cut) {
	case HEAP_CUT_NOMEM: {
		char limits[96] = "";
		if (f->lost_rec.as && f->lost_rec.data)
			snprintf(limits, sizeof limits, " under its RLIMIT_AS of %s and RLIMIT_DATA of %s",
				 binary_size(c, sizeof c, f->lost_rec.as), binary_size(d, sizeof d, f->lost_rec.data));
		else if (f->lost_rec.as || f->lost_rec.data)
			snprintf(limits, sizeof limits, " under its %s of %s", f->lost_rec.as ? "RLIMIT_AS" : "RLIMIT_DATA",
				 binary_size(c, sizeof c, f->lost_rec.as ? f->lost_rec.as : f->lost_rec.data));
		return xasprintf("the heap runtime ran out of memory %s into the run of '%s' (%s more failed: %s%s): "
				 "%s; give the program more memory",
				 duration(a, sizeof a, f->lost_rec.ms), app, binary_size(b, sizeof b, f->lost_rec.bytes),
				 strerror((int)f->lost_rec.err), limits, lost);
	}
	case HEAP_CUT_KILLED:
		return xasprintf("'%s' was killed by %s %s into the run%s: %s", app,
				 signal_name(c, sizeof c, WTERMSIG(f->wait_status)), duration(a, sizeof a, run_ms),
				 f->oom_kills && WTERMSIG(f->wait_status) == SIGKILL
					 ? ", by the kernel's out-of-memory killer it seems (give it more memory)"
					 : "",
				 check ? "the leak check could not run"
				       : "the trace holds its calls until a few ms before, and blocks still live "
					 "then show as leaked");
	case HEAP_CUT_STOPPED:
		return xasprintf("'%s' took the heap runtime's descriptor away %s into its %s run (a raw close or "
				 "dup2 system call?): %s; close descriptors through the C library, which spares sonde's",
				 app, duration(a, sizeof a, f->last_ms), duration(b, sizeof b, run_ms), lost);
	case HEAP_CUT_NO_END:
		return xasprintf("'%s' ended %s into the run without the heap runtime's end record (a raw exit or "
				 "exec system call?): %s", app, duration(a, sizeof a, run_ms),
				 check ? "the leak check could not run" : "its last calls may be missing and leaks are unknown");
	case HEAP_CUT_NONE:
		break;
	}
	return xstrdup("");
}

char *heap_end_short(const struct heap_end_facts *f, enum heap_cut cut)
{
	char a[32];
	switch (cut) {
	case HEAP_CUT_NOMEM:
		return xasprintf("sonde's runtime ran out of memory %s into the run", duration(a, sizeof a, f->lost_rec.ms));
	case HEAP_CUT_KILLED:
		return xasprintf("the program was killed by %s", signal_name(a, sizeof a, WTERMSIG(f->wait_status)));
	case HEAP_CUT_STOPPED:
		return xasprintf("the program took sonde's descriptor away %s into the run",
				 duration(a, sizeof a, f->last_ms));
	case HEAP_CUT_NO_END:
		return xstrdup("the program ended without the runtime's end record");
	case HEAP_CUT_NONE:
		break;
	}
	return xstrdup("");
}

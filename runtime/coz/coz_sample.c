/* Per-thread sampling: a task-clock perf event (user only, 1 ms) whose
 * ring the thread itself reads when the kernel signals it every
 * COZ_SAMPLE_BATCH samples (F_SETOWN_EX to the thread, F_SETSIG SIGPROF).
 * The handler is installed without SA_ONSTACK, so it runs on the thread's
 * own stack and never on a small alternate stack (Rust installs a few-KiB
 * sigaltstack per thread for its overflow handler, which overflowed coz's
 * SA_ONSTACK handler, coz #110); it uses a few hundred bytes of stack. */
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "coz_rt.h"

#define RING_PAGES 8
#define MAX_FRAMES 32

/* the calling thread's event; initial-exec TLS, so safe in the handler */
static __thread int ev_fd = -1;
static __thread struct perf_event_mmap_page *ring;
static size_t page_size;
static bool disabled;

void coz_sampling_disable(void) { disabled = true; }

/* The line a frame is in: a return address is past its call, so pc-1
 * is in the calling line. */
static int32_t frame_line(uint64_t pc, bool returned) { return coz_table_line(returned ? pc - 1 : pc); }

/* chain[] is the kernel's: context markers, then the user frames starting
 * with ip itself (skipped: read as a return address, ip-1 would name the
 * line before the sampled one, which coz does). */
static void on_sample(uint64_t ip, const uint64_t *chain, uint64_t n)
{
	int32_t sel = __atomic_load_n(&coz_selected_line, __ATOMIC_ACQUIRE);
	int32_t first = frame_line(ip, false);
	bool hit = first >= 0 && first == sel, ip_seen = false;
	for (uint64_t i = 0; i < n && !hit; i++) {
		if (chain[i] >= (uint64_t)PERF_CONTEXT_MAX)
			continue; /* a context marker, not an address */
		if (!ip_seen && chain[i] == ip) {
			ip_seen = true;
			continue;
		}
		ip_seen = true;
		int32_t l = frame_line(chain[i], true);
		if (l < 0)
			continue;
		if (first < 0)
			first = l;
		hit = l == sel;
	}
	if (first < 0)
		return;
	__atomic_add_fetch(&coz_line_samples[first], 1, __ATOMIC_RELAXED);
	int32_t none = -1;
	__atomic_compare_exchange_n(&coz_next_line, &none, first, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	if (hit) {
		coz_thread_add_delay(__atomic_load_n(&coz_delay_size, __ATOMIC_RELAXED));
		__atomic_add_fetch(&coz_selected_samples, 1, __ATOMIC_RELAXED);
	}
}

/* Reads every record in the thread's ring (they may wrap around its end). */
void coz_drain(void)
{
	struct perf_event_mmap_page *r = ring;
	if (!r)
		return;
	const unsigned char *data = (const unsigned char *)r + page_size;
	uint64_t size = RING_PAGES * page_size;
	uint64_t head = __atomic_load_n(&r->data_head, __ATOMIC_ACQUIRE), tail = r->data_tail;
	uint64_t rec[3 + MAX_FRAMES + 8];
	while (tail < head) {
		struct perf_event_header h;
		for (size_t i = 0; i < sizeof(h); i++)
			((unsigned char *)&h)[i] = data[(tail + i) % size];
		if (h.size < sizeof(h))
			break;
		if (h.type == PERF_RECORD_SAMPLE && h.size >= 3 * sizeof(uint64_t) && h.size <= sizeof(rec)) {
			for (size_t i = 0; i < h.size; i++)
				((unsigned char *)rec)[i] = data[(tail + i) % size];
			/* header, ip, nr, ips[nr] */
			uint64_t nr = rec[2];
			if (nr > MAX_FRAMES + 6 || 3 + nr > h.size / 8)
				nr = h.size / 8 - 3;
			on_sample(rec[1], &rec[3], nr);
		}
		tail += h.size;
	}
	__atomic_store_n(&r->data_tail, tail, __ATOMIC_RELEASE);
}

static void on_sigprof(int sig, siginfo_t *si, void *uc) { coz_process_samples(); }

bool coz_thread_sampled(void) { return ev_fd >= 0; }

bool coz_sampling_init(void)
{
	page_size = (size_t)sysconf(_SC_PAGESIZE);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigprof;
	sa.sa_flags = SA_SIGINFO | SA_RESTART; /* no SA_ONSTACK: see above */
	sigemptyset(&sa.sa_mask);
	return coz_real_sigaction(SIGPROF, &sa, NULL) == 0;
}

/* Said once: a thread left out is time missing from the profile. */
static void unsampled(int err)
{
	static int said;
	if (__atomic_exchange_n(&said, 1, __ATOMIC_RELAXED))
		return;
	char msg[256];
	int n = snprintf(msg, sizeof(msg),
			 "sonde coz: cannot sample a thread (%s): its time is missing from the profile; "
			 "more open files (ulimit -n) or kernel.perf_event_mlock_kb may help\n",
			 strerror(err));
	if (n > 0)
		(void)!write(2, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
}

void coz_thread_begin(void)
{
	if (disabled)
		return;
	struct perf_event_attr a;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_TASK_CLOCK;
	a.sample_period = COZ_SAMPLE_PERIOD;
	a.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_CALLCHAIN;
	a.wakeup_events = COZ_SAMPLE_BATCH;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	a.exclude_idle = 1;
	a.exclude_callchain_kernel = 1;
	a.sample_max_stack = MAX_FRAMES;
	a.disabled = 1;
	int fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0) {
		unsampled(errno);
		return;
	}
	void *m = mmap(NULL, (RING_PAGES + 1) * page_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	struct f_owner_ex owner = { F_OWNER_TID, (pid_t)syscall(SYS_gettid) };
	if (m == MAP_FAILED || fcntl(fd, F_SETOWN_EX, &owner) < 0 || fcntl(fd, F_SETSIG, SIGPROF) < 0 ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_ASYNC) < 0) {
		unsampled(errno);
		if (m != MAP_FAILED)
			munmap(m, (RING_PAGES + 1) * page_size);
		close(fd);
		return;
	}
	ring = m;
	ev_fd = fd;
	ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
}

void coz_sampler_pause(bool pause)
{
	if (ev_fd >= 0)
		ioctl(ev_fd, pause ? PERF_EVENT_IOC_DISABLE : PERF_EVENT_IOC_ENABLE, 0);
}

void coz_thread_end(void)
{
	if (ev_fd < 0)
		return;
	coz_process_samples(); /* pays what it owes: a thread joining this one may be woken next */
	ioctl(ev_fd, PERF_EVENT_IOC_DISABLE, 0);
	bool was = coz_thread_busy(true);
	coz_drain();
	coz_thread_busy(was);
	coz_thread_forget();
}

/* Lets go of the thread's event and ring without touching the event: in a
 * fork child it is still the parent thread's. */
void coz_thread_forget(void)
{
	if (ev_fd < 0)
		return;
	struct perf_event_mmap_page *r = ring;
	ring = NULL; /* a signal still pending finds no ring */
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	munmap(r, (RING_PAGES + 1) * page_size);
	close(ev_fd);
	ev_fd = -1;
}

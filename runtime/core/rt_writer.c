/* The stream: the global lock, the pipe (or socket) to sonde, chunks of
 * the threads' buffers and of the runtime's own records, and HR_LOST when
 * the runtime runs out of memory. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "rt_core.h"

static int g_fd = -1;
static dev_t g_fd_dev;
static ino_t g_fd_ino;
bool rt_exit_written;

/* g_lock serialises writes to the fd and the thread registry. */
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic int g_lock_owner;

int rt_my_tid(void)
{
	return (int)syscall(SYS_gettid);
}

void rt_lock(void)
{
	pthread_mutex_lock(&g_lock);
	atomic_store_explicit(&g_lock_owner, rt_my_tid(), memory_order_relaxed);
}

void rt_unlock(void)
{
	atomic_store_explicit(&g_lock_owner, 0, memory_order_relaxed);
	pthread_mutex_unlock(&g_lock);
}

bool rt_lock_held(void)
{
	return atomic_load_explicit(&g_lock_owner, memory_order_relaxed) == rt_my_tid();
}

/* From a signal handler: never wait on ourselves, and not forever. */
bool rt_lock_bounded(void)
{
	if (atomic_load_explicit(&g_lock_owner, memory_order_relaxed) == rt_my_tid())
		return false;
	for (int i = 0; i < 2000; i++) {
		if (pthread_mutex_trylock(&g_lock) == 0) {
			atomic_store_explicit(&g_lock_owner, rt_my_tid(), memory_order_relaxed);
			return true;
		}
		struct timespec ts = { 0, 100000 };
		nanosleep(&ts, NULL);
	}
	return false;
}

uint64_t rt_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- writing ------------------------------------------------------------------ */

/* Writes all of p (SIGPIPE blocked: a dead reader turns tracing off instead
 * of killing the program). Called with g_lock held. */
static bool write_all(const uint8_t *p, size_t n)
{
	if (g_fd < 0)
		return false;
	struct stat st;
	if (fstat(g_fd, &st) != 0 || st.st_dev != g_fd_dev || st.st_ino != g_fd_ino) {
		/* the program closed our fd with a raw system call (rt_fdguard.c
		 * stops the C library's calls), and may have reused the number:
		 * sonde sees the stream end without its exit record */
		rt_fd_unguard(g_fd);
		g_fd = -1;
		atomic_store(&rt_state, ST_OFF);
		return false;
	}
	sigset_t block, old, pend;
	sigemptyset(&block);
	sigaddset(&block, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	bool pending_before = sigpending(&pend) == 0 && sigismember(&pend, SIGPIPE);
	bool ok = true;
	while (n) {
		ssize_t w = write(g_fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) { /* the program made the pipe non-blocking */
			struct pollfd pfd = { g_fd, POLLOUT, 0 };
			poll(&pfd, 1, -1);
			continue;
		}
		if (w <= 0) {
			if (errno == EPIPE && !pending_before) {
				struct timespec zero = { 0, 0 };
				sigtimedwait(&block, NULL, &zero);
			}
			ok = false;
			break;
		}
		p += w;
		n -= (size_t)w;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!ok) {
		rt_fd_close_own(g_fd);
		g_fd = -1;
		atomic_store(&rt_state, ST_OFF);
	}
	return ok;
}

void rt_writer_start(int fd, bool follow_exec)
{
	/* Move the fd out of the program's way (it may close or reuse low
	 * numbers); write_all checks it is still the same pipe. */
	int nfd = fcntl(fd, follow_exec ? F_DUPFD : F_DUPFD_CLOEXEC, 512);
	if (nfd < 0)
		nfd = fcntl(fd, follow_exec ? F_DUPFD : F_DUPFD_CLOEXEC, 64);
	if (nfd >= 0 && !follow_exec)
		close(fd);
	else if (nfd < 0)
		nfd = fd;
	if (!follow_exec)
		fcntl(nfd, F_SETFD, FD_CLOEXEC);
	struct stat st;
	fstat(nfd, &st);
	rt_fd_guard(nfd);
	g_fd = nfd;
	g_fd_dev = st.st_dev;
	g_fd_ino = st.st_ino;
}

void rt_writer_forked(void)
{
	if (g_fd >= 0)
		rt_fd_close_own(g_fd);
	g_fd = -1;
}

/* ---- the runtime out of memory: HR_LOST ---------------------------------------- */

/* rt_out_of_memory claims, fills, then marks ready; the next writer sends. */
static _Atomic int g_lost_claim, g_lost_ready;
static uint64_t g_lost_ms, g_lost_bytes, g_lost_errno;

void rt_out_of_memory(size_t n, int err)
{
	if (atomic_exchange(&g_lost_claim, 1) || atomic_load(&rt_state) != ST_ON)
		return;
	g_lost_ms = (rt_now_ns() - rt_start_ns) / 1000000u;
	g_lost_bytes = n;
	g_lost_errno = (uint64_t)err;
	atomic_store(&rt_stopped, 1); /* no more events: the trace ends cleanly here */
	atomic_store(&g_lost_ready, 1); /* the timer ends the stream */
}

bool rt_runtime_lost(void)
{
	return atomic_load(&g_lost_ready) != 0;
}

static uint64_t limit_or_zero(int res)
{
	uint64_t v = rt_rlimit_program(res);
	return v == (uint64_t)RLIM_INFINITY ? 0 : v;
}

/* g_lock held: HR_LOST goes out once, before whatever is written next. */
static void send_lost_locked(void)
{
	if (RT_LIKELY(atomic_load_explicit(&g_lost_ready, memory_order_relaxed) != 1))
		return;
	atomic_store(&g_lost_ready, 2);
	uint8_t b[HEAP_CHUNK_HEADER + 64], *p = b + HEAP_CHUNK_HEADER;
	*p++ = HR_LOST;
	*p++ = HLOST_NOMEM;
	p += varint_put(p, g_lost_ms);
	p += varint_put(p, g_lost_bytes);
	p += varint_put(p, g_lost_errno);
	p += varint_put(p, limit_or_zero(RLIMIT_AS));
	p += varint_put(p, limit_or_zero(RLIMIT_DATA));
	rt_put_chunk_header(b, (size_t)(p - b) - HEAP_CHUNK_HEADER, 0, HEAP_CHUNK_DEFS);
	write_all(b, (size_t)(p - b));
}

/* With g_lock held: a forked child (through a path that ran no atfork
 * handler) must not write into its parent's stream. */
static bool may_write(void)
{
	if (rt_exit_written || g_fd < 0)
		return false;
	if (getpid() != rt_pid) {
		atomic_store(&rt_state, ST_OFF);
		g_fd = -1;
		return false;
	}
	return true;
}

/* g_lock held. What the timer sent already is left out; the rest starts
 * with the running key in force where it stopped. */
void rt_write_thread_chunk(struct rt_thread *t)
{
	if (t->pos > t->sent && t->sent > HEAP_CHUNK_HEADER) {
		uint8_t key[11];
		size_t k = 0;
		if (t->sent_key) {
			key[k++] = HR_KEY;
			k += varint_put(key + k, t->sent_key);
		}
		memmove(t->buf + HEAP_CHUNK_HEADER + k, t->buf + t->sent, t->pos - t->sent);
		memcpy(t->buf + HEAP_CHUNK_HEADER, key, k);
		t->pos = HEAP_CHUNK_HEADER + k + (t->pos - t->sent);
		t->defs = true; /* what is left may hold definitions */
	} else if (t->sent > HEAP_CHUNK_HEADER) {
		t->pos = HEAP_CHUNK_HEADER; /* all of it went out */
	}
	if (t->pos > HEAP_CHUNK_HEADER && may_write()) {
		send_lost_locked();
		rt_put_chunk_header(t->buf, t->pos - HEAP_CHUNK_HEADER, t->index,
			    (t->defs ? HEAP_CHUNK_DEFS : 0) | (t->clock_keys ? HEAP_CHUNK_CLOCK : 0));
		write_all(t->buf, t->pos);
	}
	t->pos = t->sent = HEAP_CHUNK_HEADER;
	t->last_seq = t->sent_key = 0;
	t->defs = false;
	t->clock_keys = false;
}

/* g_lock held, the timer: the buffer of a thread that has made no event
 * for two time steps (blocked, or waiting to be killed) is sent up to its
 * last complete record, without touching the owner's state but sent and
 * sent_key (write_thread_chunk, under the same lock, starts from there).
 * A program killed by SIGKILL leaves what it did until then. */
void rt_send_idle_locked(unsigned epoch)
{
	static uint8_t b[HEAP_CHUNK_HEADER + 11 + RT_BUF];
	for (struct rt_thread *t = rt_threads; t; t = t->next) {
		if (epoch - __atomic_load_n(&t->epoch, __ATOMIC_RELAXED) < 2)
			continue;
		uint32_t gen = __atomic_load_n(&t->gen, __ATOMIC_ACQUIRE);
		if (atomic_load_explicit(&t->busy, memory_order_acquire))
			continue;
		size_t pos = __atomic_load_n(&t->pos, __ATOMIC_RELAXED);
		uint64_t key = __atomic_load_n(&t->last_seq, __ATOMIC_RELAXED);
		atomic_thread_fence(memory_order_acquire);
		/* an append in between (x86: its busy store is seen before its
		 * stores to pos and last_seq) */
		if (atomic_load_explicit(&t->busy, memory_order_relaxed) ||
		    __atomic_load_n(&t->gen, __ATOMIC_RELAXED) != gen || pos <= t->sent || pos > RT_BUF)
			continue;
		size_t n = HEAP_CHUNK_HEADER;
		if (t->sent_key) {
			b[n++] = HR_KEY;
			n += varint_put(b + n, t->sent_key);
		}
		memcpy(b + n, t->buf + t->sent, pos - t->sent);
		n += pos - t->sent;
		rt_put_chunk_header(b, n - HEAP_CHUNK_HEADER, t->index, HEAP_CHUNK_DEFS | (t->clock_keys ? HEAP_CHUNK_CLOCK : 0));
		write_all(b, n);
		t->sent = pos;
		t->sent_key = key;
	}
}

void rt_write_global_locked(const uint8_t *payload, size_t len)
{
	if (!len || !may_write())
		return;
	send_lost_locked();
	uint8_t stackbuf[4096];
	uint8_t *b = len + HEAP_CHUNK_HEADER <= sizeof stackbuf ? stackbuf : rt_xmalloc(len + HEAP_CHUNK_HEADER);
	rt_put_chunk_header(b, len, 0, HEAP_CHUNK_DEFS);
	memcpy(b + HEAP_CHUNK_HEADER, payload, len);
	write_all(b, len + HEAP_CHUNK_HEADER);
	if (b != stackbuf)
		rt_xfree(b);
}

void rt_emit_global(const uint8_t *payload, size_t len)
{
	rt_lock();
	rt_write_global_locked(payload, len);
	rt_unlock();
}

/* The owner flushes its own buffer (never inside its busy section). */
void rt_flush_own(struct rt_thread *t)
{
	if (t->pos <= HEAP_CHUNK_HEADER)
		return;
	rt_lock();
	rt_write_thread_chunk(t);
	rt_unlock();
}

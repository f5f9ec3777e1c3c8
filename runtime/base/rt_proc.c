/* What the runtime reads of /proc about its own process: memory figures,
 * the number of threads, a thread's name. Plain system calls, no
 * allocation. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rt.h"

ssize_t rt_read_file(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return n;
}

/* From /proc/self/stat: resident set (KiB) and the number of threads. */
bool rt_self_stat(uint64_t *rss, uint64_t *nthreads)
{
	char buf[1024];
	/* thread-self: after the main thread's pthread_exit, /proc/self (the
	 * zombie leader) has no memory figures */
	if (rt_read_file("/proc/thread-self/stat", buf, sizeof buf) <= 0 &&
	    rt_read_file("/proc/self/stat", buf, sizeof buf) <= 0)
		return false;
	char *p = strrchr(buf, ')');
	if (!p)
		return false;
	p++;
	uint64_t field[24] = { 0 };
	for (int i = 3; i <= 24 && *p; i++) { /* field numbers as in proc(5) */
		while (*p == ' ')
			p++;
		uint64_t v = 0;
		while (*p && *p != ' ') {
			if (*p >= '0' && *p <= '9')
				v = v * 10 + (uint64_t)(*p - '0');
			p++;
		}
		field[i - 1] = v;
	}
	*nthreads = field[19];
	*rss = field[23] * (uint64_t)sysconf(_SC_PAGESIZE) / 1024;
	return true;
}

uint64_t rt_peak_rss_kib(void)
{
	char buf[4096];
	if (rt_read_file("/proc/thread-self/status", buf, sizeof buf) <= 0 &&
	    rt_read_file("/proc/self/status", buf, sizeof buf) <= 0)
		return 0;
	char *p = strstr(buf, "VmHWM:");
	if (!p)
		return 0;
	p += 6;
	while (*p == ' ' || *p == '\t')
		p++;
	uint64_t v = 0;
	while (*p >= '0' && *p <= '9')
		v = v * 10 + (uint64_t)(*p++ - '0');
	return v;
}

void rt_proc_thread_name(int tid, char *out, size_t cap)
{
	char path[64], buf[64];
	snprintf(path, sizeof path, "/proc/self/task/%d/comm", tid);
	ssize_t n = rt_read_file(path, buf, sizeof buf);
	if (n <= 0) {
		out[0] = 0;
		return;
	}
	if (buf[n - 1] == '\n')
		buf[--n] = 0;
	size_t k = (size_t)n < cap - 1 ? (size_t)n : cap - 1;
	memcpy(out, buf, k);
	out[k] = 0;
}

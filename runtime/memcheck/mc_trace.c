/* --trace-malloc lines (see mc_trace.h). Formatted by hand: they are
 * written from inside the allocation hooks, a line per write(). */
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "heap_protocol.h"
#include "mc_trace.h"

bool mc_trace_on;
static int g_fd = -1;
static bool g_stamp;
static uint64_t g_t0;

void mc_trace_init(int fd, bool stamp, uint64_t t0_ns)
{
	g_fd = fd;
	g_stamp = stamp;
	g_t0 = t0_ns;
	mc_trace_on = fd >= 0;
}

struct line {
	char buf[512];
	size_t n;
};

static void put(struct line *l, const char *s, size_t n)
{
	if (n > sizeof l->buf - l->n)
		n = sizeof l->buf - l->n;
	memcpy(l->buf + l->n, s, n);
	l->n += n;
}

static void put_num(struct line *l, uint64_t v, unsigned base, unsigned width)
{
	char tmp[24];
	size_t i = sizeof tmp;
	do {
		tmp[--i] = "0123456789ABCDEF"[v % base];
		v /= base;
	} while (v || sizeof tmp - i < width);
	put(l, tmp + i, sizeof tmp - i);
}

/* "--PID-- " or, with time stamps, "--00:00:00:01.234 PID-- " */
static void prefix(struct line *l)
{
	put(l, "--", 2);
	if (g_stamp) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		uint64_t ms = ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec - g_t0) / 1000000u;
		put_num(l, ms / 86400000u, 10, 2);
		put(l, ":", 1);
		put_num(l, ms / 3600000u % 24, 10, 2);
		put(l, ":", 1);
		put_num(l, ms / 60000u % 60, 10, 2);
		put(l, ":", 1);
		put_num(l, ms / 1000u % 60, 10, 2);
		put(l, ".", 1);
		put_num(l, ms % 1000u, 10, 3);
		put(l, " ", 1);
	}
	put_num(l, (uint64_t)getpid(), 10, 1);
	put(l, "-- ", 3);
}

void mc_trace(const char *fmt, ...)
{
	if (g_fd < 0)
		return;
	struct line l = { .n = 0 };
	prefix(&l);
	va_list ap;
	va_start(ap, fmt);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			put(&l, p, 1);
			continue;
		}
		switch (*++p) {
		case 'u':
			put_num(&l, va_arg(ap, uint64_t), 10, 1);
			break;
		case 'p':
			put(&l, "0x", 2);
			put_num(&l, va_arg(ap, uint64_t), 16, 1);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			put(&l, s, strlen(s));
			break;
		}
		case 'n':
			put(&l, "\n", 1);
			prefix(&l);
			break;
		default:
			p--;
			break;
		}
	}
	va_end(ap);
	put(&l, "\n", 1);
	for (size_t off = 0; off < l.n;) {
		ssize_t w = write(g_fd, l.buf + off, l.n - off);
		if (w <= 0)
			return;
		off += (size_t)w;
	}
}

const char *mc_trace_free_name(int how)
{
	static const char *const del[2][6] = {
		{ "_ZdlPv", "_ZdlPvm", "_ZdlPvSt11align_val_t", "_ZdlPvmSt11align_val_t", "_ZdlPvRKSt9nothrow_t",
		  "_ZdlPvSt11align_val_tRKSt9nothrow_t" },
		{ "_ZdaPv", "_ZdaPvm", "_ZdaPvSt11align_val_t", "_ZdaPvmSt11align_val_t", "_ZdaPvRKSt9nothrow_t",
		  "_ZdaPvSt11align_val_tRKSt9nothrow_t" },
	};
	int base = HK_FREE_BASE(how);
	if (base != HK_DELETE && base != HK_DELETE_ARRAY)
		return "free";
	int form = how & HK_NOTHROW ? 4 + !!(how & HK_ALIGNED) : !!(how & HK_SIZED) + 2 * !!(how & HK_ALIGNED);
	return del[base == HK_DELETE_ARRAY][form];
}

#include "util/lines.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/die.h"

const char *lines_strerror(int e, uint64_t stop, char *buf, size_t len)
{
	if (e != EFBIG)
		return strerror(e);
	snprintf(buf, len, "the line starting at byte %llu is longer than %zu MiB (binary data, or endless input?)",
		 (unsigned long long)stop, LINES_MAX_LINE >> 20);
	return buf;
}

int64_t for_each_line(FILE *in, size_t min_buf, void (*fn)(void *ctx, const char *line, size_t len, uint64_t lineno),
		      void *ctx, uint64_t *stop)
{
	size_t cap = 64 << 10, have = 0; /* small inputs stay cheap */
	char *buf = xmalloc(cap);
	uint64_t lineno = 0, done = 0; /* done: bytes before buf[0] */
	int64_t ret = 0;
	for (;;) {
		if (have == cap || cap < min_buf) {
			if (have > LINES_MAX_LINE) {
				if (stop)
					*stop = done;
				errno = EFBIG;
				ret = -1;
				break;
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		size_t got = fread(buf + have, 1, cap - have, in);
		bool eof = got == 0;
		if (eof && ferror(in)) {
			ret = -1;
			if (!errno)
				errno = EIO;
			break;
		}
		size_t start = 0, end = have + got;
		const char *nl;
		while ((nl = memchr(buf + start, '\n', end - start))) {
			size_t ll = (size_t)(nl - (buf + start));
			fn(ctx, buf + start, ll, ++lineno);
			start += ll + 1;
		}
		if (eof) {
			if (start < end)
				fn(ctx, buf + start, end - start, ++lineno);
			break;
		}
		memmove(buf, buf + start, end - start);
		have = end - start;
		done += start;
	}
	free(buf);
	return ret < 0 ? ret : (int64_t)lineno;
}

/* Minimal unit-test harness. Each TEST prints "PASS name" or "FAIL name: why";
 * tests/run counts those lines. */
#ifndef SONDE_TESTS_UNIT_H
#define SONDE_TESTS_UNIT_H
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static int unit_failed_;
static const char *unit_current_;
static int unit_current_failed_;

#define CHECK(cond)                                                                       \
	do {                                                                              \
		if (!(cond)) {                                                            \
			printf("FAIL %s: %s:%d: %s\n", unit_current_, __FILE__, __LINE__, #cond); \
			unit_current_failed_ = 1;                                         \
			return;                                                           \
		}                                                                         \
	} while (0)

#define CHECK_STR(a, b)                                                                   \
	do {                                                                              \
		const char *a_ = (a), *b_ = (b);                                          \
		if (!a_ || !b_ || strcmp(a_, b_)) {                                       \
			printf("FAIL %s: %s:%d: \"%s\" != \"%s\"\n", unit_current_, __FILE__, \
			       __LINE__, a_ ? a_ : "(null)", b_ ? b_ : "(null)");         \
			unit_current_failed_ = 1;                                         \
			return;                                                           \
		}                                                                         \
	} while (0)

#define CHECK_INT(a, b)                                                                   \
	do {                                                                              \
		long long a_ = (long long)(a), b_ = (long long)(b);                       \
		if (a_ != b_) {                                                           \
			printf("FAIL %s: %s:%d: %s == %lld, expected %lld\n", unit_current_,  \
			       __FILE__, __LINE__, #a, a_, b_);                           \
			unit_current_failed_ = 1;                                         \
			return;                                                           \
		}                                                                         \
	} while (0)

#define RUN(fn)                                                                           \
	do {                                                                              \
		unit_current_ = #fn;                                                      \
		unit_current_failed_ = 0;                                                 \
		fn();                                                                     \
		if (unit_current_failed_)                                                 \
			unit_failed_++;                                                   \
		else                                                                      \
			printf("PASS %s\n", #fn);                                         \
		fflush(stdout);                                                           \
	} while (0)

#define UNIT_EXIT() return unit_failed_ ? 1 : 0

/* Runs a shell command made like printf; returns its exit status (-1 if it
 * could not run or was killed), for tests that set up files with tools. */
static inline int unit_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline int unit_sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	int rc = system(cmd);
	return rc == -1 ? -1 : WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

#endif

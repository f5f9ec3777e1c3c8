/* Minimal unit-test harness. Each TEST prints "PASS name" or "FAIL name: why";
 * tests/run counts those lines. */
#ifndef SONDE_TESTS_UNIT_H
#define SONDE_TESTS_UNIT_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

#endif

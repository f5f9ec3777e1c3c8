/* Leak suppressions, heaptrack_print's (LSan's file format): lines
 * "leak:PATTERN", '#' comments, blank lines. A leak is suppressed when any
 * frame of its stack (function, file or module, inlined frames too) matches
 * a pattern; see supp_match() for the pattern language. */
#ifndef SONDE_HEAP_SUPPRESS_H
#define SONDE_HEAP_SUPPRESS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/vec.h"

struct heap_suppression {
	char *pattern;
	uint64_t matches; /* allocation sites (stacks) it matched */
	int64_t leaked;   /* bytes it took out of the leak total */
};

struct heap_suppressions {
	VEC(struct heap_suppression) v; /* in order: the first match is credited */
};

void supp_free(struct heap_suppressions *s);
void supp_add(struct heap_suppressions *s, const char *pattern, size_t len);

/* Parses suppression-file text (any bytes: NULs, no final newline, huge
 * lines). Each line is trimmed; "leak:" lines add their pattern, others but
 * comments and blanks are invalid: `bad` (may be NULL) gets each, cut to
 * 200 bytes. Returns the number of patterns added. */
size_t supp_parse(struct heap_suppressions *s, const char *text, size_t len,
		  void (*bad)(const char *line, size_t n, void *ctx), void *ctx);

/* supp_parse() warning about invalid lines like heaptrack_print
 * ("invalid suppression line: ..."; the first 10, then a count). */
size_t supp_add_text(struct heap_suppressions *s, const char *text, size_t len, const char *origin);
/* Reads and parses a file (supp_add_text). Returns -1 (error printed) if unreadable. */
int supp_load_file(struct heap_suppressions *s, const char *path);

/* The known one-time leaks of system libraries (heaptrack's builtin list). */
void supp_add_builtin(struct heap_suppressions *s);

/* LSan's pattern language: `*` matches any run of characters, a leading `^`
 * anchors at the start, `$` at the end (text after it is ignored); without
 * anchors a pattern matches anywhere in str (implicitly "*PATTERN*"). A
 * pattern equal to str always matches; an empty str never does otherwise. */
bool supp_match(const char *pattern, const char *str);

/* Index of the first suppression matching str, or -1. */
long supp_find(const struct heap_suppressions *s, const char *str);

/* ---- embedded suppressions (suppress_elf.c) ---- */

/* The text `__lsan_default_suppressions()` returns in the executable at
 * path, read from the file without running it: the function must load the
 * address of a string constant and return it (x86-64). Returns a malloc'd
 * string; NULL with *why set (a static message) when the function exists but
 * its string can't be read, NULL with *why = NULL when there is none. */
char *supp_embedded_text(const char *path, const char **why);
/* Adds the executable's embedded suppressions, warning when it has the
 * function but its text can't be read. */
void supp_add_embedded(struct heap_suppressions *s, const char *exe);

/* Pure part of the above: the address that x86-64 code at `vaddr` returns
 * in rax when it is "[endbr64] [push rbp; mov rbp, rsp] lea/mov CONST, rax".
 * Returns false for anything else. */
bool supp_x86_returned_address(const uint8_t *code, size_t n, uint64_t vaddr, uint64_t *out);

#endif

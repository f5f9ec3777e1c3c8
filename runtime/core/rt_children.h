/* Following exec in memcheck's --trace-children=yes (rt_children.c,
 * runtime/child_protocol.h). */
#ifndef SONDE_RT_CHILDREN_H
#define SONDE_RT_CHILDREN_H
#include <stdbool.h>

/* At init: -1 when exec is not followed (no SONDE_HEAP_SOCK: the pipe of
 * SONDE_HEAP_FD, if any, is the stream); -2 when this image is not traced
 * (sonde skipped it, or cannot be reached); else the connected socket,
 * which carries this image's stream. */
int rt_children_connect(void);
/* --trace-malloc: this image's own file for its lines (-1: none). */
int rt_children_trace_fd(void);
/* Constructor time: a skipped image takes sonde's socket out of its
 * environment, so its children are not traced either. */
void rt_children_ctor(void);
/* Before an exec of file (PATH-searched when search): when the new image
 * cannot have the runtime, tells sonde why. */
void rt_children_exec(const char *file, bool search, char *const argv[], char *const envp[]);

#endif

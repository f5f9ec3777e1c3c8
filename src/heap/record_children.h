/* heap_record's side of --trace-children=yes (record_children.c): the
 * socket every image connects to, and the loop that reads them all. */
#ifndef SONDE_HEAP_RECORD_CHILDREN_H
#define SONDE_HEAP_RECORD_CHILDREN_H
#include <stdbool.h>
#include <sys/types.h>

#include "heap/record.h"

struct interrupt;

/* Makes c->dir (0700) and listens on its socket; returns the listening fd
 * (dies when it cannot). */
int heap_children_listen(struct heap_children *c);
/* The socket's path (malloc'd), for SONDE_HEAP_SOCK. */
char *heap_children_sock(const struct heap_children *c);
/* Reads every image's stream into its trace until the launched program
 * (pid) has ended and so have the streams (descendants still running get
 * two seconds more), answering Ctrl-C; fills c's images and notes.
 * Returns true once pid was reaped (*status: its wait status). */
bool heap_children_loop(const struct heap_record_opts *o, struct heap_children *c, int lfd, pid_t pid,
			struct interrupt *intr, char **argv, int *status);

#endif

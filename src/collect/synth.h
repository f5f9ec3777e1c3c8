/* The initial state of a running process, read from /proc, as sonde records. */
#ifndef SONDE_COLLECT_SYNTH_H
#define SONDE_COLLECT_SYNTH_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct sd_writer;
struct procspaces;
struct mapped_files;

/* Thread ids of pid from /proc/PID/task; returns the count (or -1 with errno),
 * *out malloc'd. */
int proc_threads(pid_t pid, pid_t **out);
/* True while pid exists and is not a zombie. */
bool proc_alive(pid_t pid);

/* Writes COMM records for every thread and MMAP records for every executable
 * mapping of pid, stamped `time`, registers the maps in `ps` (may be NULL)
 * for DWARF unwinding and the files in `seen` (may be NULL) for the
 * build-id cache. Returns 0 or -1 (write error, errno set). */
int synth_process(struct sd_writer *w, struct procspaces *ps, struct mapped_files *seen, pid_t pid, uint64_t time);

/* Parses one /proc/PID/maps line. Returns true for an executable mapping;
 * *path points into `line` ("//anon" for anonymous ones). */
bool parse_maps_line(char *line, uint64_t *start, uint64_t *end, uint64_t *pgoff, uint32_t *prot,
		     uint32_t *flags, const char **path);

#endif

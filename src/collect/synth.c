/* Synthesizing COMM/MMAP records for an already running process. */
#include "collect/synth.h"

#include <dirent.h>
#include <errno.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "binary/procspace.h"
#include "collect/mapped_files.h"
#include "profile/format.h"
#include "util/die.h"
#include "util/vec.h"

int proc_threads(pid_t pid, pid_t **out)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	VEC(pid_t) tids = { 0 };
	struct dirent *e;
	while ((e = readdir(d))) {
		char *end;
		long t = strtol(e->d_name, &end, 10);
		if (*end || t <= 0)
			continue;
		vec_push(&tids, (pid_t)t);
	}
	closedir(d);
	*out = tids.v;
	return (int)tids.n;
}

bool proc_alive(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	const char *rp = strrchr(buf, ')'); /* comm may contain spaces and parens */
	if (!rp || rp[1] != ' ')
		return false;
	return rp[2] != 'Z' && rp[2] != 'X';
}

bool parse_maps_line(char *line, uint64_t *start, uint64_t *end, uint64_t *pgoff, uint32_t *prot,
		     uint32_t *flags, const char **path)
{
	/* start-end perms offset dev inode   path */
	char perms[8];
	int n = 0;
	unsigned long long s, e, off;
	if (sscanf(line, "%llx-%llx %7s %llx %*s %*s %n", &s, &e, perms, &off, &n) < 4 || n == 0)
		return false;
	if (strlen(perms) < 4 || perms[2] != 'x')
		return false;
	char *p = line + n;
	while (*p == ' ')
		p++;
	size_t len = strlen(p);
	while (len && (p[len - 1] == '\n' || p[len - 1] == ' '))
		p[--len] = 0;
	*start = s;
	*end = e;
	*pgoff = off;
	*prot = (perms[0] == 'r' ? PROT_READ : 0) | (perms[1] == 'w' ? PROT_WRITE : 0) | PROT_EXEC;
	*flags = perms[3] == 's' ? MAP_SHARED : MAP_PRIVATE;
	*path = len ? p : "//anon";
	return true;
}

int synth_process(struct sd_writer *w, struct procspaces *ps, struct mapped_files *seen, pid_t pid, uint64_t time)
{
	pid_t *tids = NULL;
	int n = proc_threads(pid, &tids);
	for (int i = 0; i < n; i++) {
		char path[96], comm[64] = "";
		snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)pid, (int)tids[i]);
		FILE *f = fopen(path, "re");
		if (!f)
			continue; /* the thread just exited */
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = 0;
		fclose(f);
		struct sd_comm c = { .time = time, .pid = (uint32_t)pid, .tid = (uint32_t)tids[i], .comm = comm };
		if (sd_write_comm(w, &c) < 0) {
			free(tids);
			return -1;
		}
	}
	free(tids);

	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;
	while (getline(&line, &cap, f) > 0) {
		struct sd_mmap m = { .time = time, .pid = (uint32_t)pid, .tid = (uint32_t)pid };
		uint64_t end;
		if (!parse_maps_line(line, &m.start, &end, &m.pgoff, &m.prot, &m.flags, &m.filename))
			continue;
		m.len = end - m.start;
		if (m.filename[0] == '/') /* map_files: right even for deleted files or other mount namespaces */
			m.build_id_len = (uint8_t)mapped_build_id((uint32_t)pid, m.start, end, m.filename, 0, 0,
								  m.build_id);
		if (seen)
			mapped_files_note(seen, &m, NULL);
		if (ps) /* only executable maps are listed */
			procspaces_mmap(ps, m.pid, m.start, m.len, m.pgoff, m.filename);
		if (sd_write_mmap(w, &m) < 0) {
			rc = -1;
			break;
		}
	}
	free(line);
	fclose(f);
	return rc;
}

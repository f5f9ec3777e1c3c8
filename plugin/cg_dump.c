/* The guest's executable mappings, and the dump written at exit
 * (src/proto/cg_dump_format.h). Guest addresses are host addresses when qemu
 * runs with guest_base 0 (x86-64 on x86-64); otherwise the maps read from
 * qemu's own /proc/self/maps are shifted back into the guest's view by
 * guest_base = host address - guest address of the first instruction. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cg_plugin.h"

struct map {
	uint64_t start, end, offset;
	char *path;
};

static struct map *maps;
static unsigned n_maps, cap_maps;
static int64_t base;
static pthread_mutex_t maps_lock = PTHREAD_MUTEX_INITIALIZER;

static bool known(uint64_t a)
{
	for (unsigned i = 0; i < n_maps; i++)
		if (a >= maps[i].start && a < maps[i].end)
			return true;
	return false;
}

static void add_map(uint64_t start, uint64_t end, uint64_t off, const char *path)
{
	for (unsigned i = 0; i < n_maps; i++)
		if (maps[i].start == start && maps[i].end == end && !strcmp(maps[i].path, path))
			return;
	if (n_maps == cap_maps) {
		unsigned cap = cap_maps ? cap_maps * 2 : 64;
		struct map *m = realloc(maps, cap * sizeof(*m));
		if (!m)
			return;
		maps = m;
		cap_maps = cap;
	}
	char *p = strdup(path);
	if (p)
		maps[n_maps++] = (struct map){ start, end, off, p };
}

/* The file mapping holding guest address vaddr. qemu maps guest code
 * without execute permission on the host (it translates, never runs it),
 * so the mapping is found by address, not by its permissions. */
static void reread_maps(uint64_t vaddr)
{
	FILE *f = fopen("/proc/self/maps", "re");
	if (!f)
		return;
	char line[4096];
	while (fgets(line, sizeof(line), f)) {
		unsigned long long s, e, off;
		char perms[8];
		int pos = 0;
		if (sscanf(line, "%llx-%llx %7s %llx %*s %*s%n", &s, &e, perms, &off, &pos) < 4)
			continue;
		char *path = line + pos;
		path += strspn(path, " ");
		path[strcspn(path, "\n")] = 0;
		if (!*path)
			continue;
		/* host -> guest addresses */
		uint64_t gs = s - (uint64_t)base, ge = e - (uint64_t)base;
		if (vaddr >= gs && vaddr < ge)
			add_map(gs, ge, off, path);
	}
	fclose(f);
}

void cg_maps_note(uint64_t vaddr, int64_t guest_base)
{
	pthread_mutex_lock(&maps_lock);
	base = guest_base;
	if (!known(vaddr))
		reread_maps(vaddr);
	pthread_mutex_unlock(&maps_lock);
}

static char guest_name[16], *guest_cmd;

/* qemu runs as qemu-x86_64 [OPTIONS] -0 ARGV0 PATH ARGS (cg_run.c,
 * cg_exec.c): the thread name the kernel would give PATH (its base name,
 * 15 bytes) and valgrind's cmd: line (PATH ARGS). */
void cg_guest_cmd(void)
{
	static char buf[65536];
	FILE *f = fopen("/proc/self/cmdline", "re");
	if (!f)
		return;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	char *at = buf, *end = buf + n;
	while (at < end && strcmp(at, "-0"))
		at += strlen(at) + 1;
	if (at >= end)
		return;
	at += strlen(at) + 1;
	at += at < end ? strlen(at) + 1 : 0; /* ARGV0 */
	if (at >= end)
		return;
	const char *slash = strrchr(at, '/');
	snprintf(guest_name, sizeof(guest_name), "%s", slash ? slash + 1 : at);
	guest_cmd = at;
	for (char *c = at; c < end - 1; c++)
		if (!*c || *c == '\n')
			*c = ' ';
}

static void dump_vcpu(FILE *f, unsigned idx, const struct vcpu *v)
{
	fprintf(f, "vcpu %u %d %s\n", idx, v->tid, v->name[0] ? v->name : guest_name);
	for (uint32_t i = 1; i < v->n_nodes; i++)
		fprintf(f, "node %u %u %" PRIx64 "\n", i, v->nodes[i].parent, v->nodes[i].entry);
	for (uint32_t t = 0; t < v->blk_tab_cap; t++) {
		const struct blk *b = v->blk_tab[t];
		if (!b || !b->exec)
			continue;
		fprintf(f, "blk %u %u %" PRIu64 "\n", b->node, b->tb->n, b->exec);
		for (uint32_t i = 0; i < b->tb->n; i++) {
			const uint64_t *c = b->ic[i].c;
			fprintf(f, "i %" PRIx64 " %u", b->tb->insn[i].addr, b->tb->insn[i].size);
			for (int k = 0; k < CGR_N; k++)
				fprintf(f, " %" PRIu64, c[k]);
			fputc('\n', f);
		}
	}
}

void cg_dump(struct vcpu *const *vcpus, unsigned n)
{
	char path[4096], tmp[4200];
	snprintf(path, sizeof(path), "%s.%d", cg_cfg.out, (int)getpid());
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "we");
	if (!f) {
		fprintf(stderr, "sonde cachegrind engine: cannot write %s\n", tmp);
		return;
	}
	static char buf[1 << 20];
	setvbuf(f, buf, _IOFBF, sizeof(buf));
	fprintf(f, "%s\npid %d\nsim %d %d\nguest_base %" PRIx64 "\n", CG_RAW_MAGIC, (int)getpid(), cg_cfg.cache,
		cg_cfg.branch, (uint64_t)base);
	if (cg_cfg.execd && guest_cmd)
		fprintf(f, "cmd %s\n", guest_cmd);
	pthread_mutex_lock(&maps_lock);
	for (unsigned i = 0; i < n_maps; i++)
		fprintf(f, "map %" PRIx64 " %" PRIx64 " %" PRIx64 " %s\n", maps[i].start, maps[i].end, maps[i].offset,
			maps[i].path);
	pthread_mutex_unlock(&maps_lock);
	for (unsigned i = 0; i < n; i++)
		if (vcpus[i])
			dump_vcpu(f, i, vcpus[i]);
	if (cg_fatal.sig) {
		fprintf(f, "fatal %d %d %d %" PRIx64 "\n", cg_fatal.sig, cg_fatal.has_info, cg_fatal.code, cg_fatal.addr);
		fputs("fatal_ip", f);
		for (unsigned i = 0; i < cg_fatal.n_ip; i++)
			fprintf(f, " %" PRIx64, cg_fatal.ip[i]);
		fputc('\n', f);
	}
	fputs("end\n", f);
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		fprintf(stderr, "sonde cachegrind engine: cannot write %s\n", path);
}

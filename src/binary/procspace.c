/* Per-process address spaces for the unwinder; see procspace.h. */
#include "binary/procspace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binary/addrspace.h"
#include "binary/vdso.h"
#include "util/die.h"
#include "util/hashmap.h"
#include "util/vec.h"

/* A module of the address spaces: an ELF file (or the vDSO) and its CFI. */
struct file_cfi {
	char *path;
	struct cfi_table *cfi; /* may be NULL: frame pointers only */
};

/* The unwinder's view of one pid's maps, rebuilt when they change. */
struct unwind_cache {
	VEC(struct unwind_map) maps;
	uint32_t gen;
};

#define NO_FILE UINT32_MAX /* anonymous or special mapping: no CFI */

struct procspaces {
	struct addrspaces *as; /* module ids: index into cfis, or NO_FILE */
	struct u64map files;   /* hash(path) -> index into cfis (chained by probing) */
	VEC(struct file_cfi) cfis;
	struct u64map unwind_index; /* pid -> index + 1 into unwind */
	VEC(struct unwind_cache) unwind;
	uint64_t last_need;
};

struct procspaces *procspaces_new(void)
{
	struct procspaces *ps = xcalloc(1, sizeof(struct procspaces));
	ps->as = addrspaces_new();
	return ps;
}

void procspaces_free(struct procspaces *ps)
{
	if (!ps)
		return;
	addrspaces_free(ps->as);
	for (size_t i = 0; i < ps->cfis.n; i++) {
		free(ps->cfis.v[i].path);
		cfi_table_free(ps->cfis.v[i].cfi);
	}
	vec_free(&ps->cfis);
	u64map_free(&ps->files);
	for (size_t i = 0; i < ps->unwind.n; i++)
		vec_free(&ps->unwind.v[i].maps);
	vec_free(&ps->unwind);
	u64map_free(&ps->unwind_index);
	free(ps);
}

/* The vDSO is the same image in every process: read our own. */
static struct cfi_table *own_vdso_cfi(void)
{
	const void *start;
	size_t len;
	return own_vdso(&start, &len) ? cfi_table_from_memory(start, len) : NULL;
}

/* The module of a mapped path, its CFI loaded once. */
static uint32_t file_module(struct procspaces *ps, const char *path)
{
	bool vdso = !strcmp(path, "[vdso]");
	if (!vdso && path[0] != '/')
		return NO_FILE;
	uint64_t h = hash_bytes(path, strlen(path));
	for (;;) {
		bool fresh;
		uint64_t *slot = u64map_upsert(&ps->files, h, ps->cfis.n, &fresh);
		if (fresh) {
			struct file_cfi fc = { xstrdup(path), vdso ? own_vdso_cfi() : cfi_table_load(path) };
			vec_push(&ps->cfis, fc);
			return (uint32_t)*slot;
		}
		if (!strcmp(ps->cfis.v[*slot].path, path))
			return (uint32_t)*slot;
		h = hash_u64(h + 1);
	}
}

void procspaces_mmap(struct procspaces *ps, uint32_t pid, uint64_t start, uint64_t len, uint64_t pgoff,
		     const char *path)
{
	if (!len || start + len < start)
		return;
	uint32_t module = file_module(ps, path);
	struct cfi_table *cfi = module == NO_FILE ? NULL : ps->cfis.v[module].cfi;
	struct as_map nm = { start, start + len, (int64_t)(start - pgoff), (int64_t)(start - pgoff), module };
	/* The map's first page may belong to the previous segment (lld puts
	 * .text right after .rodata in the same page): convert an offset from
	 * the middle of the map, which lies in the segment it was mapped for. */
	uint64_t at = pgoff + len / 2, vaddr;
	bool found = cfi && cfi_table_offset_to_vaddr(cfi, at, &vaddr);
	/* A text segment shorter than half its map (a small static program):
	 * its map's first page, then. start - pgoff is right only when file
	 * offsets equal addresses, as in a PIE, never for a non-PIE executable. */
	if (cfi && !found) {
		at = pgoff;
		found = cfi_table_offset_to_vaddr(cfi, at, &vaddr);
	}
	if (found)
		nm.bias = (int64_t)(start + (at - pgoff) - vaddr);
	addrspaces_mmap(ps->as, pid, &nm);
}

void procspaces_exec(struct procspaces *ps, uint32_t pid)
{
	addrspaces_exec(ps->as, pid);
}

void procspaces_fork(struct procspaces *ps, uint32_t parent_pid, uint32_t child_pid)
{
	addrspaces_fork(ps->as, parent_pid, child_pid);
}

void procspaces_exit(struct procspaces *ps, uint32_t pid)
{
	addrspaces_exit(ps->as, pid);
}

/* pid's maps as the unwinder takes them, kept until they change. */
static struct unwind_space unwind_space_of(struct procspaces *ps, uint32_t pid)
{
	bool fresh;
	uint64_t *slot = u64map_upsert(&ps->unwind_index, pid, 0, &fresh);
	if (fresh) {
		struct unwind_cache c = { { 0 }, 0 };
		vec_push(&ps->unwind, c);
		*slot = ps->unwind.n;
	}
	struct unwind_cache *c = &ps->unwind.v[*slot - 1];
	uint32_t gen = addrspaces_gen(ps->as, pid);
	if (fresh || c->gen != gen) {
		size_t n;
		const struct as_map *maps = addrspaces_maps(ps->as, pid, &n);
		c->maps.n = 0;
		for (size_t i = 0; i < n; i++) {
			uint32_t m = maps[i].module;
			struct unwind_map um = { maps[i].start, maps[i].end, maps[i].bias,
						 m == NO_FILE ? NULL : ps->cfis.v[m].cfi };
			vec_push(&c->maps, um);
		}
		c->gen = gen;
	}
	struct unwind_space as = { c->maps.v, c->maps.n };
	return as;
}

struct stack_copy {
	uint64_t sp;
	const uint8_t *data;
	size_t len;
	uint64_t high; /* end of the highest 8 bytes read: how much copy was needed */
};

static bool read_copy(void *ctx, uint64_t addr, uint64_t *val)
{
	struct stack_copy *c = ctx;
	if (addr < c->sp || addr - c->sp > c->len || c->len - (addr - c->sp) < 8)
		return false;
	memcpy(val, c->data + (addr - c->sp), 8);
	if (addr + 8 > c->high)
		c->high = addr + 8;
	return true;
}

/* perf register number -> DWARF register number (-1: not used). */
static const int8_t perf_to_dwarf[24] = {
	[PERF_X86_AX] = UNW_RAX, [PERF_X86_BX] = UNW_RBX, [PERF_X86_CX] = UNW_RCX,
	[PERF_X86_DX] = UNW_RDX, [PERF_X86_SI] = UNW_RSI, [PERF_X86_DI] = UNW_RDI,
	[PERF_X86_BP] = UNW_RBP, [PERF_X86_SP] = UNW_RSP, [PERF_X86_IP] = UNW_RIP,
	[PERF_X86_FLAGS] = -1, [PERF_X86_CS] = -1, [PERF_X86_SS] = -1,
	[PERF_X86_DS] = -1, [PERF_X86_ES] = -1, [PERF_X86_FS] = -1, [PERF_X86_GS] = -1,
	[PERF_X86_R8] = UNW_R8, [PERF_X86_R9] = UNW_R9, [PERF_X86_R10] = UNW_R10,
	[PERF_X86_R11] = UNW_R11, [PERF_X86_R12] = UNW_R12, [PERF_X86_R13] = UNW_R13,
	[PERF_X86_R14] = UNW_R14, [PERF_X86_R15] = UNW_R15,
};

size_t procspaces_unwind(struct procspaces *ps, uint32_t pid, const uint64_t *regs, uint64_t mask,
			 const uint8_t *stack, size_t stack_len, uint64_t *out, size_t max, bool *truncated)
{
	*truncated = false;
	struct unwind_regs ur = { { 0 }, 0 };
	size_t k = 0;
	for (unsigned bit = 0; bit < 64; bit++) {
		if (!(mask & (1ull << bit)))
			continue;
		uint64_t v = regs[k++];
		if (bit < 24 && perf_to_dwarf[bit] >= 0) {
			ur.r[perf_to_dwarf[bit]] = v;
			ur.valid |= 1u << perf_to_dwarf[bit];
		}
	}
	if (!(ur.valid & (1u << UNW_RIP)) || !max)
		return 0;
	if (!(ur.valid & (1u << UNW_RSP))) {
		out[0] = ur.r[UNW_RIP];
		return 1;
	}
	struct unwind_space as = unwind_space_of(ps, pid);
	struct stack_copy copy = { ur.r[UNW_RSP], stack, stack_len, ur.r[UNW_RSP] };
	struct unwind_memory mem = { read_copy, &copy };
	enum unwind_stop why;
	size_t n = unwind_stack(&as, &ur, &mem, out, max, &why);
	*truncated = why == UNWIND_TRUNCATED || why == UNWIND_MAX;
	ps->last_need = *truncated ? UINT64_MAX : copy.high - copy.sp;
	return n;
}

uint64_t procspaces_last_need(const struct procspaces *ps)
{
	return ps->last_need;
}

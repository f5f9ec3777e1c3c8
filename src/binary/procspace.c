/* Per-process address spaces for the unwinder; see procspace.h. */
#include "binary/procspace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binary/vdso.h"
#include "util/die.h"
#include "util/hashmap.h"
#include "util/vec.h"

struct space {
	VEC(struct unwind_map) maps; /* sorted by start, non-overlapping */
};

struct file_cfi {
	char *path;
	struct cfi_table *cfi;
};

struct procspaces {
	struct u64map pids; /* pid -> index + 1 into spaces */
	VEC(struct space) spaces;
	struct u64map files; /* hash(path) -> index into cfis (chained by probing) */
	VEC(struct file_cfi) cfis;
	struct cfi_table *vdso;
	bool vdso_tried;
	uint64_t last_need;
};

struct procspaces *procspaces_new(void)
{
	return xcalloc(1, sizeof(struct procspaces));
}

void procspaces_free(struct procspaces *ps)
{
	if (!ps)
		return;
	for (size_t i = 0; i < ps->spaces.n; i++)
		vec_free(&ps->spaces.v[i].maps);
	vec_free(&ps->spaces);
	u64map_free(&ps->pids);
	for (size_t i = 0; i < ps->cfis.n; i++) {
		free(ps->cfis.v[i].path);
		cfi_table_free(ps->cfis.v[i].cfi);
	}
	vec_free(&ps->cfis);
	u64map_free(&ps->files);
	cfi_table_free(ps->vdso);
	free(ps);
}

static struct space *space_of(struct procspaces *ps, uint32_t pid, bool create)
{
	if (!create) {
		uint64_t *slot = u64map_get(&ps->pids, pid);
		return slot ? &ps->spaces.v[*slot - 1] : NULL;
	}
	bool fresh;
	uint64_t *slot = u64map_upsert(&ps->pids, pid, 0, &fresh);
	if (fresh) {
		struct space sp = { 0 };
		vec_push(&ps->spaces, sp);
		*slot = ps->spaces.n;
	}
	return &ps->spaces.v[*slot - 1];
}

/* The vDSO is the same image in every process: read our own. */
static struct cfi_table *vdso_cfi(struct procspaces *ps)
{
	if (ps->vdso_tried)
		return ps->vdso;
	ps->vdso_tried = true;
	const void *start;
	size_t len;
	if (own_vdso(&start, &len))
		ps->vdso = cfi_table_from_memory(start, len);
	return ps->vdso;
}

static struct cfi_table *file_cfi(struct procspaces *ps, const char *path)
{
	if (!strcmp(path, "[vdso]"))
		return vdso_cfi(ps);
	if (path[0] != '/')
		return NULL; /* anonymous or special mapping: no file */
	uint64_t h = hash_bytes(path, strlen(path));
	for (;;) {
		bool fresh;
		uint64_t *slot = u64map_upsert(&ps->files, h, ps->cfis.n, &fresh);
		if (fresh) {
			struct file_cfi fc = { xstrdup(path), cfi_table_load(path) };
			vec_push(&ps->cfis, fc);
			return fc.cfi;
		}
		if (!strcmp(ps->cfis.v[*slot].path, path))
			return ps->cfis.v[*slot].cfi;
		h = hash_u64(h + 1);
	}
}

void procspaces_mmap(struct procspaces *ps, uint32_t pid, uint64_t start, uint64_t len, uint64_t pgoff,
		     const char *path)
{
	if (!len || start + len < start)
		return;
	uint64_t end = start + len;
	struct space *sp = space_of(ps, pid, true);
	struct unwind_map nm = { start, end, (int64_t)(start - pgoff), file_cfi(ps, path) };
	/* The map's first page may belong to the previous segment (lld puts
	 * .text right after .rodata in the same page): convert an offset from
	 * the middle of the map, which lies in the segment it was mapped for. */
	uint64_t mid = pgoff + len / 2, vaddr;
	if (nm.cfi && cfi_table_offset_to_vaddr(nm.cfi, mid, &vaddr))
		nm.bias = (int64_t)(start + (mid - pgoff) - vaddr);
	/* Drop or trim what the new mapping covers, as mmap(MAP_FIXED) does. */
	size_t out = 0;
	struct unwind_map tail = { 0 };
	bool have_tail = false;
	for (size_t i = 0; i < sp->maps.n; i++) {
		struct unwind_map m = sp->maps.v[i];
		if (m.end <= start || m.start >= end) {
			sp->maps.v[out++] = m;
			continue;
		}
		if (m.start < start) {
			struct unwind_map head = m;
			head.end = start;
			sp->maps.v[out++] = head;
		}
		if (m.end > end) {
			tail = m;
			tail.start = end;
			have_tail = true;
		}
	}
	sp->maps.n = out;
	vec_push(&sp->maps, nm);
	if (have_tail)
		vec_push(&sp->maps, tail);
	for (size_t i = 1; i < sp->maps.n; i++) { /* insertion sort: nearly sorted */
		struct unwind_map m = sp->maps.v[i];
		size_t j = i;
		while (j > 0 && sp->maps.v[j - 1].start > m.start) {
			sp->maps.v[j] = sp->maps.v[j - 1];
			j--;
		}
		sp->maps.v[j] = m;
	}
}

void procspaces_exec(struct procspaces *ps, uint32_t pid)
{
	struct space *sp = space_of(ps, pid, false);
	if (sp)
		sp->maps.n = 0;
}

void procspaces_fork(struct procspaces *ps, uint32_t parent_pid, uint32_t child_pid)
{
	if (parent_pid == child_pid)
		return;
	struct space *parent = space_of(ps, parent_pid, false);
	size_t n = parent ? parent->maps.n : 0;
	struct unwind_map *copy = xmalloc((n ? n : 1) * sizeof(*copy));
	if (n)
		memcpy(copy, parent->maps.v, n * sizeof(*copy));
	struct space *child = space_of(ps, child_pid, true); /* may move parent */
	child->maps.n = 0;
	for (size_t i = 0; i < n; i++)
		vec_push(&child->maps, copy[i]);
	free(copy);
}

void procspaces_exit(struct procspaces *ps, uint32_t pid)
{
	struct space *sp = space_of(ps, pid, false);
	if (sp)
		vec_free(&sp->maps); /* the slot stays; pids are rarely reused */
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
	struct space *sp = space_of(ps, pid, false);
	struct unwind_space as = { sp ? sp->maps.v : NULL, sp ? sp->maps.n : 0 };
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

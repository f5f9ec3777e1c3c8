/* Stacks in the runtime: the module list, live-stack unwinding and the
 * stack trie.
 *
 * Unwinding reuses src/binary (the CFI parser and tables, and the step
 * functions of unwind_step.c, linked as they are) and walks the calling
 * thread's own stack with a memory callback that reads directly, after
 * checking the address lies between the hook's stack pointer and the top
 * of the thread's stack. The cfi_table of a module is loaded (mmap of its
 * file, .eh_frame_hdr) on the first address that needs it. cfi_table is not thread-safe, so every
 * access goes through g_mod_lock; the per-thread rule cache in front of it
 * makes that rare (one lock per new call-site address per thread).
 *
 * The trie: node ids are global, (parent, ip) -> id in a hash table under
 * g_trie_lock, with a per-thread direct-mapped cache in front, and the
 * previous stack of the thread reused for the common outer frames. */
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "binary/cfi_table.h"
#include "binary/unwind_step.h"
#include "heap_protocol.h"
#include "rt.h"
#include "rt_encode.h"

/* ---- modules ---------------------------------------------------------------- */

struct rt_module {
	struct rt_module *next;
	char *path;
	uint64_t bias;
	struct cfi_table *cfi; /* under g_mod_lock */
	bool cfi_tried;
	bool seen;
};

struct rt_map {
	uint64_t start, end;
	uint64_t bias;
	struct rt_module *mod;
};

struct rt_snapshot {
	size_t n;
	struct rt_map maps[];
};

static pthread_mutex_t g_mod_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rt_module *g_modules;
static _Atomic(struct rt_snapshot *) g_snap;
static _Atomic uint32_t g_mod_gen = 1;
static _Atomic int g_mod_dirty;
static unsigned long long g_adds, g_subs;
static bool g_mods_built;
static char g_exe[4096];

struct refresh_ctx {
	bool force, changed;
	size_t nmaps, capmaps;
	struct rt_map *maps;
	uint8_t *rec; /* HR_MODULE records of new modules */
	size_t rec_len, rec_cap;
};

static void rec_reserve(struct refresh_ctx *r, size_t more)
{
	if (r->rec_len + more <= r->rec_cap)
		return;
	size_t cap = r->rec_cap ? r->rec_cap : 4096;
	while (cap < r->rec_len + more)
		cap *= 2;
	r->rec = rt_xrealloc(r->rec, cap);
	r->rec_cap = cap;
}

/* True if [vaddr, vaddr + len) lies in a PT_LOAD's file-backed bytes,
 * so reading it in memory cannot fault. */
static bool in_loaded(const struct dl_phdr_info *info, uint64_t vaddr, uint64_t len)
{
	for (size_t i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_LOAD && vaddr >= ph->p_vaddr && len <= ph->p_filesz &&
		    vaddr - ph->p_vaddr <= ph->p_filesz - len)
			return true;
	}
	return false;
}

/* The module's NT_GNU_BUILD_ID note, read from its mapped PT_NOTE
 * segments (no file access). Returns its length, at most max; 0: none. */
static size_t module_build_id(const struct dl_phdr_info *info, uint8_t *out, size_t max)
{
	for (size_t i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_NOTE || !in_loaded(info, ph->p_vaddr, ph->p_memsz))
			continue;
		const uint8_t *p = (const uint8_t *)(uintptr_t)(info->dlpi_addr + ph->p_vaddr);
		uint64_t align = ph->p_align == 8 ? 8 : 4, off = 0;
		while (off <= ph->p_memsz && ph->p_memsz - off >= 12) {
			uint32_t nh[3]; /* namesz, descsz, type */
			memcpy(nh, p + off, sizeof nh);
			uint64_t name = off + 12, desc = name + ((nh[0] + align - 1) & ~(align - 1));
			uint64_t next = desc + ((nh[1] + align - 1) & ~(align - 1));
			if (desc > ph->p_memsz || nh[1] > ph->p_memsz - desc || next <= off)
				break;
			if (nh[2] == NT_GNU_BUILD_ID && nh[0] == 4 && !memcmp(p + name, "GNU", 4) && nh[1]) {
				size_t n = nh[1] < max ? nh[1] : max;
				memcpy(out, p + desc, n);
				return n;
			}
			off = next;
		}
	}
	return 0;
}

static int phdr_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct refresh_ctx *r = arg;
	(void)size;
	if (!r->changed) {
		/* the first call tells whether anything was loaded or unloaded */
		if (!r->force && g_mods_built && info->dlpi_adds == g_adds && info->dlpi_subs == g_subs)
			return 1;
		r->changed = true;
		g_adds = info->dlpi_adds;
		g_subs = info->dlpi_subs;
	}
	const char *path = info->dlpi_name && info->dlpi_name[0] ? info->dlpi_name : g_exe;
	struct rt_module *m;
	for (m = g_modules; m; m = m->next)
		if (m->bias == info->dlpi_addr && !strcmp(m->path, path))
			break;
	if (!m) {
		m = rt_xcalloc(1, sizeof *m);
		size_t plen = strlen(path);
		m->path = rt_xmalloc(plen + 1);
		memcpy(m->path, path, plen + 1);
		m->bias = info->dlpi_addr;
		m->next = g_modules;
		g_modules = m;
		/* HR_MODULE: load bias, path, n PT_LOAD x (vaddr, memsz, flags), build-id */
		rec_reserve(r, 1 + 10 + 10 + plen + 10 + (size_t)info->dlpi_phnum * 30 + 1 + HEAP_BUILD_ID_MAX);
		uint8_t *p = r->rec + r->rec_len;
		*p++ = HR_MODULE;
		p += varint_put(p, m->bias);
		p += rt_put_str(p, path, plen);
		size_t nload = 0;
		for (size_t i = 0; i < info->dlpi_phnum; i++)
			nload += info->dlpi_phdr[i].p_type == PT_LOAD;
		p += varint_put(p, nload);
		for (size_t i = 0; i < info->dlpi_phnum; i++) {
			const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
			if (ph->p_type != PT_LOAD)
				continue;
			p += varint_put(p, ph->p_vaddr);
			p += varint_put(p, ph->p_memsz);
			p += varint_put(p, ph->p_flags);
		}
		uint8_t bid[HEAP_BUILD_ID_MAX];
		size_t bid_len = module_build_id(info, bid, sizeof bid);
		p += rt_put_str(p, (const char *)bid, bid_len);
		r->rec_len = (size_t)(p - r->rec);
	}
	m->seen = true;
	for (size_t i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X) || !ph->p_memsz)
			continue;
		if (r->nmaps == r->capmaps) {
			r->capmaps = r->capmaps ? 2 * r->capmaps : 64;
			r->maps = rt_xrealloc(r->maps, r->capmaps * sizeof *r->maps);
		}
		uint64_t start = info->dlpi_addr + ph->p_vaddr;
		r->maps[r->nmaps++] = (struct rt_map){ start, start + ph->p_memsz, info->dlpi_addr, m };
	}
	return 0;
}

static int map_cmp(const void *a, const void *b)
{
	const struct rt_map *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* Re-reads the module list if the loader's counters moved (or force).
 * Returns true if the snapshot changed. Caller must not hold g_mod_lock. */
static bool modules_refresh(bool force)
{
	pthread_mutex_lock(&g_mod_lock);
	if (!g_exe[0]) {
		ssize_t n = readlink("/proc/self/exe", g_exe, sizeof g_exe - 1);
		if (n > 0)
			g_exe[n] = 0;
		else
			strcpy(g_exe, "[exe]");
	}
	struct refresh_ctx r = { .force = force || !g_mods_built };
	for (struct rt_module *m = g_modules; m; m = m->next)
		m->seen = false;
	dl_iterate_phdr(phdr_cb, &r);
	if (r.changed) {
		qsort(r.maps, r.nmaps, sizeof *r.maps, map_cmp);
		/* drop overlaps (should not happen) so the binary search holds */
		size_t w = 0;
		for (size_t i = 0; i < r.nmaps; i++)
			if (!w || r.maps[i].start >= r.maps[w - 1].end)
				r.maps[w++] = r.maps[i];
		struct rt_snapshot *s = rt_xmalloc(sizeof *s + w * sizeof(struct rt_map));
		s->n = w;
		memcpy(s->maps, r.maps, w * sizeof(struct rt_map));
		/* the old snapshot may be in use by another thread's walk: kept */
		atomic_store_explicit(&g_snap, s, memory_order_release);
		atomic_fetch_add(&g_mod_gen, 1);
		g_mods_built = true;
	}
	atomic_store_explicit(&g_mod_dirty, 0, memory_order_relaxed);
	pthread_mutex_unlock(&g_mod_lock);
	if (r.rec_len)
		rt_emit_global(r.rec, r.rec_len);
	rt_xfree(r.rec);
	rt_xfree(r.maps);
	return r.changed;
}

void rt_modules_init(void)
{
	modules_refresh(true);
}

void rt_modules_mark_dirty(void)
{
	atomic_store_explicit(&g_mod_dirty, 1, memory_order_relaxed);
}

static const struct rt_map *snap_find(const struct rt_snapshot *s, uint64_t addr)
{
	if (!s)
		return NULL;
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->maps[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < s->n && addr >= s->maps[lo].start)
		return &s->maps[lo];
	return NULL;
}

/* ---- live-stack memory ---------------------------------------------------------- */

struct live_mem {
	uint64_t lo, hi;
	struct rt_stack_cache *c; /* logs each read into c->w->read_* */
	bool overflow;
};

/* A read whose value is not logged yet (see struct pending below). */
static inline bool live_peek(const struct live_mem *m, uint64_t addr, uint64_t *val)
{
	if (addr < m->lo || addr > m->hi - 8)
		return false;
	memcpy(val, (const void *)(uintptr_t)addr, 8);
	return true;
}

static inline void log_read(struct live_mem *m, uint64_t addr, uint64_t val)
{
	struct rt_last_walk *w = m->c->w;
	if (RT_LIKELY(w->n_read < RT_READ_LOG)) {
		w->read_addr[w->n_read] = addr;
		w->read_val[w->n_read++] = val;
	} else {
		m->overflow = true;
	}
}

/* Callee-saved registers restored from the stack by the fast path: their
 * reads join the log only when a later step uses the register, because
 * they usually hold the caller's loop variables, which change on every
 * call and would defeat the same-stack check although the walk never
 * looks at them. */
struct pending {
	uint32_t regs; /* bit per register */
	uint64_t addr[UNW_NREGS];
};

static inline void use_reg(struct live_mem *m, struct pending *pd, unsigned reg, uint64_t val)
{
	if (pd->regs & (1u << reg)) {
		pd->regs &= ~(1u << reg);
		log_read(m, pd->addr[reg], val);
	}
}

static void use_all(struct live_mem *m, struct pending *pd, const struct unwind_regs *r)
{
	for (unsigned reg = 0; pd->regs; reg++)
		use_reg(m, pd, reg, r->r[reg]);
}

static bool live_read(void *ctx, uint64_t addr, uint64_t *val)
{
	struct live_mem *m = ctx;
	if (!live_peek(m, addr, val))
		return false;
	log_read(m, addr, *val);
	return true;
}

/* The mapping of /proc/self/maps holding addr, read with plain syscalls:
 * pthread_getattr_np would take the thread's lock (deadlock when the hook
 * runs inside it: Rust's main() calls it, then allocates) and malloc. */
bool rt_mapping_of(uint64_t addr, uint64_t *lo, uint64_t *hi)
{
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	char buf[8192];
	size_t have = 0;
	bool found = false, eof = false;
	while (!found) {
		if (!eof && have < sizeof buf) {
			ssize_t r = read(fd, buf + have, sizeof buf - have);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				eof = true;
			else
				have += (size_t)r;
		}
		char *nl = memchr(buf, '\n', have);
		if (!nl) {
			if (eof || have == sizeof buf)
				break;
			continue;
		}
		uint64_t a = 0, b = 0;
		const char *p = buf;
		for (; p < nl && *p != '-'; p++)
			a = a * 16 + (uint64_t)(*p <= '9' ? *p - '0' : (*p | 0x20) - 'a' + 10);
		for (p++; p < nl && *p != ' '; p++)
			b = b * 16 + (uint64_t)(*p <= '9' ? *p - '0' : (*p | 0x20) - 'a' + 10);
		if (addr >= a && addr < b) {
			*lo = a;
			*hi = b;
			found = true;
		}
		size_t used = (size_t)(nl + 1 - buf);
		memmove(buf, nl + 1, have - used);
		have -= used;
	}
	close(fd);
	return found;
}

void rt_stack_thread_init(struct rt_stack_cache *c)
{
	uint64_t here = (uint64_t)(uintptr_t)__builtin_frame_address(0);
	if (!rt_mapping_of(here, &c->stack_lo, &c->stack_hi))
		c->stack_lo = c->stack_hi = 0;
	c->rule_gen = 0;
	for (int k = 0; k < RT_WALKS; k++) {
		c->walks[k].last_valid = false;
		c->walks[k].n_read = 0;
		c->walks[k].last_n = 0;
		for (int e = 0; e < RT_WALK_CACHE; e++)
			c->recent[k][e].valid = false;
	}
	c->w = &c->walks[RT_WALK_ALLOC];
	c->n_new = 0;
	memset(c->rules, 0xff, sizeof c->rules); /* key UINT64_MAX: empty */
	memset(c->nodes, 0, sizeof c->nodes);    /* id 0: empty */
}

/* ---- rules ---------------------------------------------------------------------- */

static inline size_t rule_hash(uint64_t a)
{
	return (size_t)((a * 0x9E3779B97F4A7C15ull) >> 40) & (RT_RULE_CACHE - 1);
}

static const struct rt_rule_slot *rule_lookup(struct rt_stack_cache *c, const struct rt_snapshot **sp,
					      uint64_t look)
{
	struct rt_rule_slot *slot = &c->rules[rule_hash(look)];
	if (RT_LIKELY(slot->key == look))
		return slot;
	const struct rt_snapshot *s = *sp;
	const struct rt_map *m = snap_find(s, look);
	if (!m && modules_refresh(false)) {
		s = *sp = atomic_load_explicit(&g_snap, memory_order_acquire);
		m = snap_find(s, look);
	}
	struct cfi_rule rule = { .kind = CFI_RULE_NONE };
	if (m) {
		pthread_mutex_lock(&g_mod_lock);
		if (!m->mod->cfi_tried) {
			m->mod->cfi_tried = true;
			struct stat st; /* its file is mapped: room under the program's RLIMIT_AS */
			if (m->mod->path && stat(m->mod->path, &st) == 0)
				rt_rlimit_make_room((size_t)st.st_size, false);
			m->mod->cfi = cfi_table_open(&rt_cfi_env, m->mod->path);
		}
		if (m->mod->cfi)
			rule = cfi_table_rule(m->mod->cfi, look - m->bias);
		pthread_mutex_unlock(&g_mod_lock);
	}
	slot->key = look;
	slot->rule = rule;
	slot->map = m ? (uint32_t)(m - s->maps) + 1 : 0;
	return slot;
}

static size_t walk(struct rt_stack_cache *c, uint64_t ip, uint64_t sp, uint64_t bp, uint64_t *out, uint64_t *sps,
		   size_t max, bool *bp_used, bool *cacheable)
{
	const struct rt_snapshot *s = atomic_load_explicit(&g_snap, memory_order_acquire);

	struct live_mem lm;
	if (sp >= c->stack_lo && sp < c->stack_hi) {
		lm.lo = sp;
		lm.hi = c->stack_hi;
	} else {
		/* a signal handler on an alternate stack, or a stack we don't
		 * know (coroutines): only the alternate stack is walked */
		stack_t ss;
		if (sigaltstack(NULL, &ss) == 0 && !(ss.ss_flags & SS_DISABLE) && sp >= (uint64_t)(uintptr_t)ss.ss_sp &&
		    sp < (uint64_t)(uintptr_t)ss.ss_sp + ss.ss_size) {
			lm.lo = sp;
			lm.hi = (uint64_t)(uintptr_t)ss.ss_sp + ss.ss_size;
		} else {
			lm.lo = lm.hi = sp + 8;
		}
	}
	lm.c = c;
	lm.overflow = false;
	c->w->n_read = 0;
	bool bp_init = true; /* rbp still holds the hook's caller's value */
	*bp_used = false;
	*cacheable = true;
	struct unwind_memory mem = { live_read, &lm };
	struct pending pd = { 0 };
	struct unwind_regs cur;
	cur.r[UNW_RIP] = ip;
	cur.r[UNW_RSP] = sp;
	cur.r[UNW_RBP] = bp;
	cur.valid = UNW_BIT(UNW_RIP) | UNW_BIT(UNW_RSP) | UNW_BIT(UNW_RBP);

	size_t n = 0;
	bool adjust = true; /* every frame here is a return address */
	unsigned same_sp = 0;
	while (n < max) {
		ip = cur.r[UNW_RIP];
		if (ip == 0)
			break;
		if (sps)
			sps[n] = cur.r[UNW_RSP];
		out[n++] = ip;
		if (n >= max)
			break;
		uint64_t osp = cur.r[UNW_RSP];
		uint64_t look = adjust ? ip - 1 : ip;
		const struct rt_rule_slot *slot = rule_lookup(c, &s, look);
		const struct cfi_rule *rule = &slot->rule;
		bool signal = false;
		enum unwind_step st;
		switch (rule->kind) {
		case CFI_RULE_END:
			goto out;
		case CFI_RULE_CFA: {
			/* step_rule, with direct reads */
			if (!(cur.valid & UNW_BIT(rule->cfa_reg)))
				goto out;
			if (rule->cfa_reg == UNW_RBP && bp_init)
				*bp_used = true;
			use_reg(&lm, &pd, rule->cfa_reg, cur.r[rule->cfa_reg]);
			uint64_t cfa = cur.r[rule->cfa_reg] + (uint64_t)(int64_t)rule->cfa_off, ra;
			if (!live_read(&lm, cfa + (uint64_t)(int64_t)rule->ra_off, &ra))
				goto out;
			if (rule->save[1]) /* rbp */
				bp_init = false;
			for (unsigned i = 0; i < CFI_NSAVE; i++) {
				if (!rule->save[i])
					continue;
				unsigned reg = cfi_save_regs[i];
				uint64_t at = cfa + (uint64_t)(int64_t)rule->save[i];
				if (live_peek(&lm, at, &cur.r[reg])) {
					cur.valid |= UNW_BIT(reg);
					pd.regs |= 1u << reg;
					pd.addr[reg] = at;
				} else {
					cur.valid &= ~UNW_BIT(reg);
					pd.regs &= ~(1u << reg);
				}
			}
			cur.r[UNW_RSP] = cfa;
			cur.r[UNW_RIP] = ra;
			cur.valid = (cur.valid & ~UNW_CALLER_SAVED) | UNW_BIT(UNW_RSP) | UNW_BIT(UNW_RIP);
			st = STEP_OK;
			break;
		}
		case CFI_RULE_FULL: {
			struct cfi_row row;
			*bp_used |= bp_init; /* conservatively */
			use_all(&lm, &pd, &cur);
			const struct rt_map *m = slot->map ? &s->maps[slot->map - 1] : NULL;
			enum cfi_status cs = CFI_NOT_FOUND;
			if (m) {
				pthread_mutex_lock(&g_mod_lock);
				if (m->mod->cfi)
					cs = cfi_table_row(m->mod->cfi, look - m->bias, &row);
				pthread_mutex_unlock(&g_mod_lock);
			}
			if (cs != CFI_OK)
				goto out;
			signal = row.signal;
			if (signal)
				*cacheable = false; /* interrupted context: registers beyond the stack */
			st = unwind_step_row(&row, &cur, &mem);
			break;
		}
		default:
			*bp_used |= bp_init;
			use_all(&lm, &pd, &cur);
			st = unwind_step_fp(&cur, &mem);
			bp_init = false;
			break;
		}
		if (st != STEP_OK)
			goto out;
		uint64_t nsp = cur.r[UNW_RSP];
		if (!signal) {
			if (nsp < osp)
				goto out;
			if (nsp == osp) {
				if (++same_sp >= 2)
					goto out;
			} else {
				same_sp = 0;
			}
		}
		adjust = !signal;
	}
out:
	if (lm.overflow)
		*cacheable = false;
	return n;
}

/* ---- the trie ------------------------------------------------------------------- */

struct trie_ent {
	uint64_t ip;
	uint32_t parent, id; /* id 0: empty */
};

static _Atomic int g_trie_lock;
static struct trie_ent *g_trie;
static size_t g_trie_cap, g_trie_n;
static uint32_t g_next_id = 1;

static inline uint64_t node_hash(uint32_t parent, uint64_t ip)
{
	uint64_t h = (ip ^ ((uint64_t)parent << 32) ^ parent) * 0x9E3779B97F4A7C15ull;
	return h ^ (h >> 29);
}

static uint32_t trie_intern(uint32_t parent, uint64_t ip, bool *created)
{
	bool locked = rt_spin_lock_if_threaded(&g_trie_lock);
	if (g_trie_n * 2 >= g_trie_cap) {
		size_t ncap = g_trie_cap ? 2 * g_trie_cap : 1 << 14;
		struct trie_ent *nt = rt_xcalloc(ncap, sizeof *nt);
		for (size_t i = 0; i < g_trie_cap; i++) {
			if (!g_trie[i].id)
				continue;
			size_t j = node_hash(g_trie[i].parent, g_trie[i].ip) & (ncap - 1);
			while (nt[j].id)
				j = (j + 1) & (ncap - 1);
			nt[j] = g_trie[i];
		}
		rt_xfree(g_trie);
		g_trie = nt;
		g_trie_cap = ncap;
	}
	size_t j = node_hash(parent, ip) & (g_trie_cap - 1);
	while (g_trie[j].id) {
		if (g_trie[j].ip == ip && g_trie[j].parent == parent) {
			uint32_t id = g_trie[j].id;
			rt_spin_unlock_if(locked, &g_trie_lock);
			*created = false;
			return id;
		}
		j = (j + 1) & (g_trie_cap - 1);
	}
	uint32_t id = g_next_id++;
	g_trie[j] = (struct trie_ent){ ip, parent, id };
	g_trie_n++;
	rt_spin_unlock_if(locked, &g_trie_lock);
	*created = true;
	return id;
}

static inline uint32_t intern(struct rt_stack_cache *c, uint32_t parent, uint64_t ip)
{
	struct rt_node_slot *slot = &c->nodes[node_hash(parent, ip) & (RT_NODE_CACHE - 1)];
	if (RT_LIKELY(slot->id && slot->ip == ip && slot->parent == parent))
		return slot->id;
	bool created;
	uint32_t id = trie_intern(parent, ip, &created);
	if (created)
		c->new_nodes[c->n_new++] = (struct rt_node_slot){ ip, parent, id };
	*slot = (struct rt_node_slot){ ip, parent, id };
	return id;
}

unsigned rt_max_frames = RT_MAX_FRAMES;

/* Whether the stack words a walk read still hold what it read. */
static inline bool words_unchanged(const uint64_t *addr, const uint64_t *val, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (*(const uint64_t *)(uintptr_t)addr[i] != val[i])
			return false;
	return true;
}

static inline size_t recent_slot(uint64_t ip, uint64_t sp)
{
	uint64_t h = (ip ^ (sp << 7)) * 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 59) & (RT_WALK_CACHE - 1);
}

/* Keeps the walk just made (w) in its recent-walks slot, if it can be
 * checked again cheaply. */
static void remember(struct rt_walk_entry *ce, const struct rt_last_walk *w, uint32_t leaf)
{
	ce->valid = w->last_valid && w->n_read <= RT_WALK_CACHE_READS;
	if (!ce->valid)
		return;
	ce->ip0 = w->last_ip0;
	ce->sp = w->last_sp;
	ce->bp = w->last_bp;
	ce->bp_used = w->last_bp_used;
	ce->leaf = leaf;
	ce->n_read = (uint16_t)w->n_read;
	memcpy(ce->read_addr, w->read_addr, w->n_read * sizeof ce->read_addr[0]);
	memcpy(ce->read_val, w->read_val, w->n_read * sizeof ce->read_val[0]);
}

uint32_t rt_capture_kind(struct rt_stack_cache *c, enum rt_walk_kind kind, uint64_t ip, uint64_t sp, uint64_t bp)
{
	struct rt_last_walk *w = c->w = &c->walks[kind];
	c->n_new = 0;
	uint32_t gen = atomic_load_explicit(&g_mod_gen, memory_order_relaxed);
	if (RT_UNLIKELY(atomic_load_explicit(&g_mod_dirty, memory_order_relaxed))) {
		modules_refresh(false);
		gen = atomic_load_explicit(&g_mod_gen, memory_order_relaxed);
	}
	if (RT_UNLIKELY(c->rule_gen != gen)) {
		memset(c->rules, 0xff, sizeof c->rules);
		c->rule_gen = gen;
		for (int k = 0; k < RT_WALKS; k++) {
			c->walks[k].last_valid = false;
			for (int e = 0; e < RT_WALK_CACHE; e++)
				c->recent[k][e].valid = false;
		}
	}
	/* Same registers and the same stack words as last time: same stack. */
	if (w->last_valid && ip == w->last_ip0 && sp == w->last_sp && (!w->last_bp_used || bp == w->last_bp) &&
	    words_unchanged(w->read_addr, w->read_val, w->n_read))
		return w->last_n ? w->last_id[0] : 0;
	struct rt_walk_entry *ce = &c->recent[kind][recent_slot(ip, sp)];
	if (ce->valid && ip == ce->ip0 && sp == ce->sp && (!ce->bp_used || bp == ce->bp) &&
	    words_unchanged(ce->read_addr, ce->read_val, ce->n_read))
		return ce->leaf;
	uint64_t ips[RT_MAX_FRAMES];
	bool bp_used, cacheable;
	size_t n = walk(c, ip, sp, bp, ips, NULL, rt_max_frames, &bp_used, &cacheable);
	w->last_valid = cacheable;
	w->last_ip0 = ip;
	w->last_sp = sp;
	w->last_bp = bp;
	w->last_bp_used = bp_used;
	if (!n) {
		w->last_n = 0;
		return 0;
	}
	/* the outer frames the previous stack shares keep their node ids */
	size_t i = n, j = w->last_n;
	while (i > 0 && j > 0 && ips[i - 1] == w->last_ip[j - 1]) {
		i--;
		j--;
	}
	if (i == 0 && j == 0) { /* the very same stack */
		remember(ce, w, w->last_id[0]);
		return w->last_id[0];
	}
	uint32_t parent = i < n ? w->last_id[j] : 0;
	uint32_t ids[RT_MAX_FRAMES];
	if (i < n)
		memcpy(ids + i, w->last_id + j, (n - i) * sizeof ids[0]);
	for (size_t k = i; k-- > 0;) {
		parent = intern(c, parent, ips[k]);
		ids[k] = parent;
	}
	memcpy(w->last_ip, ips, n * sizeof ips[0]);
	memcpy(w->last_id, ids, n * sizeof ids[0]);
	w->last_n = n;
	remember(ce, w, ids[0]);
	return ids[0];
}

int rt_stack_frame_holding(struct rt_stack_cache *c, uint64_t ip, uint64_t sp, uint64_t bp, uint64_t addr)
{
	uint64_t ips[RT_MAX_FRAMES], sps[RT_MAX_FRAMES];
	bool bp_used, cacheable;
	c->w = &c->walks[RT_WALK_FREE];
	size_t n = walk(c, ip, sp, bp, ips, sps, rt_max_frames, &bp_used, &cacheable);
	c->w->last_valid = false; /* its read log is this walk's now */
	/* frame k's locals lie between its stack pointer and its caller's */
	for (size_t k = 0; k + 1 < n; k++)
		if (addr >= sps[k] && addr < sps[k + 1])
			return (int)k;
	return -1;
}

uint32_t rt_capture_from(struct rt_stack_cache *c, uint64_t ip, uint64_t sp, uint64_t bp,
			 bool (*first)(uint64_t ip))
{
	uint64_t ips[RT_MAX_FRAMES];
	bool bp_used, cacheable;
	c->w = &c->walks[RT_WALK_FREE];
	c->n_new = 0;
	size_t n = walk(c, ip, sp, bp, ips, NULL, RT_MAX_FRAMES, &bp_used, &cacheable);
	c->w->last_valid = false; /* its read log is this walk's now */
	size_t k = 0;
	while (k < n && !first(ips[k]))
		k++;
	if (k == n)
		return 0;
	if (n - k > rt_max_frames)
		n = k + rt_max_frames;
	uint32_t parent = 0;
	for (size_t i = n; i-- > k;)
		parent = intern(c, parent, ips[i]);
	return parent;
}

uint32_t rt_stack_child(struct rt_stack_cache *c, uint32_t parent, uint64_t ip)
{
	if (c->n_new >= RT_MAX_FRAMES) /* no room to send its node: keep the stack as it is */
		return parent;
	return intern(c, parent, ip);
}

uint32_t rt_capture(struct rt_stack_cache *c, uint64_t ip, uint64_t sp, uint64_t bp)
{
	return rt_capture_kind(c, RT_WALK_ALLOC, ip, sp, bp);
}

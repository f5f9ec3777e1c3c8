/* Memcheck mode's block layer: redzones and the freed pattern
 * (runtime/memcheck/mc_redzone.c), precise mode's guarded blocks (runtime/memcheck/mc_guard.c)
 * and the recent frees / quarantine (runtime/memcheck/mc_freed.c), linked here
 * with stand-ins for what they take from the rest of the runtime (rt_real:
 * the C library's allocator; rt_map: plain mmap, failing on demand).
 *
 * One process: mc_guard's mode and mc_freed's tables are global and never
 * reset, so the tests run in order — redzones, guarded blocks (mode 1, then
 * every third block, then off again), then mc_freed scenario by scenario,
 * each starting from the state the previous one left, and last a random
 * sequence checked against a model after draining whatever came before.
 * mc_freed's behaviour when rt_map fails runs first, in forked children
 * (its tables are not mapped yet there). Until the last test the slot
 * allocator (runtime/memcheck/mc_slab.c) is off, so blocks come from the C library;
 * the last one turns it on and goes over the redzones again. */
#include <errno.h>
#include <malloc.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mc_freed.h"
#include "mc_guard.h"
#include "mc_guard_layout.h"
#include "mc_redzone.h"
#include "mc_redzone_layout.h"
#include "mc_slab.h"
#include "rt.h"

enum { GUARD_SLOTS = SLOTS };
/* the tests below use one thread's ring: the first, which holds the most bytes */
#define RING MC_RING_ENTRIES
#define VOLUME (20u << 20) /* set by main: the scenarios below were written for it */
static struct mc_ring *test_ring(void)
{
	static struct mc_ring *r;
	if (!r)
		r = mc_ring_new();
	return r;
}
#include "unit.h"

/* ---- what the modules need from the runtime ---- */

struct rt_real rt_real = {
	.malloc = malloc,
	.free = free,
	.calloc = calloc,
	.realloc = realloc,
	.posix_memalign = posix_memalign,
	.aligned_alloc = aligned_alloc,
	.memalign = memalign,
	.valloc = valloc,
	.malloc_usable_size = malloc_usable_size,
};

static int map_calls, map_fail_call; /* rt_map call number that fails (0: none) */

void *rt_map(size_t n)
{
	if (++map_calls == map_fail_call)
		return NULL;
	void *m = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return m == MAP_FAILED ? NULL : m;
}

void rt_unmap(void *p, size_t n)
{
	munmap(p, n);
}

void rt_map_note(void *m, size_t n)
{
	(void)m;
	(void)n;
}

_Atomic int rt_multi;

static size_t page;

/* ---- faults ---- */

static sigjmp_buf fault_jmp;
static volatile uintptr_t fault_addr;
static volatile uint8_t sink;
static struct sigaction old_segv;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	fault_addr = (uintptr_t)si->si_addr;
	siglongjmp(fault_jmp, 1);
}

static void catch_segv(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old_segv);
}

static void uncatch_segv(void)
{
	sigaction(SIGSEGV, &old_segv, NULL);
}

static void __attribute__((noinline)) rd(volatile uint8_t *a)
{
	sink = *a;
}

static void __attribute__((noinline)) wr(volatile uint8_t *a)
{
	*a = 0x42;
}

/* Whether reading (write 0) or writing a faults, at a itself. */
static bool faults(uint8_t *a, int write)
{
	fault_addr = 0;
	if (sigsetjmp(fault_jmp, 1))
		return fault_addr == (uintptr_t)a;
	if (write)
		wr(a);
	else
		rd(a);
	return false;
}

/* Whether [a, a + len) is unmapped. */
static bool unmapped(const void *a, size_t len)
{
	return msync((void *)((uintptr_t)a & ~(uintptr_t)(page - 1)), len, MS_ASYNC) == -1 && errno == ENOMEM;
}

static uint64_t u(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* ---- redzones ---- */

static const size_t sizes[] = { 0, 1, 10, 16, 17, 4096, 100000 };
static const size_t aligns[] = { 0, 16, 32, 64, 4096 };
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static size_t front_of(size_t align)
{
	return align > 16 ? align : 32;
}

/* One block: alignment, intact redzones, then each damage alone. */
static void rz_one(size_t n, size_t align)
{
	uint8_t *p = mc_rz_alloc(n, align);
	struct mc_damage b, a;
	CHECK(p);
	CHECK(u(p) % (align > 16 ? align : 16) == 0);
	CHECK(!mc_guard_owns(p));
	memset(p, 0x77, n); /* the whole block is the program's */
	CHECK(!mc_rz_check(p, n, &b, &a));
	CHECK(b.len == 0 && a.len == 0);

	p[n] = 0; /* one byte past */
	CHECK(mc_rz_check(p, n, &b, &a));
	CHECK(b.len == 0);
	CHECK(a.addr == u(p + n) && a.len == 1);
	p[n] = MC_CANARY;
	CHECK(!mc_rz_check(p, n, &b, &a));

	p[n + 3] = 1; /* a span: lowest byte and the distance to the highest */
	p[n + 5] = 2;
	CHECK(mc_rz_check(p, n, &b, &a));
	CHECK(b.len == 0);
	CHECK(a.addr == u(p + n + 3) && a.len == 3);
	p[n + 3] = p[n + 5] = MC_CANARY;

	size_t last = tail_end(n) - 1; /* the tail's last byte */
	CHECK(tail_end(n) >= n + 16);
	p[last] = 0;
	CHECK(mc_rz_check(p, n, &b, &a));
	CHECK(a.addr == u(p + last) && a.len == 1);
	p[last] = MC_CANARY;

	p[-1] = 0; /* one byte before */
	CHECK(mc_rz_check(p, n, &b, &a));
	CHECK(b.addr == u(p - 1) && b.len == 1);
	CHECK(a.len == 0);
	p[-16] = 0; /* and the front canaries' first byte */
	CHECK(mc_rz_check(p, n, &b, &a));
	CHECK(b.addr == u(p - 16) && b.len == 16);
	p[-16] = p[-1] = MC_CANARY;

	p[-7] = 0; /* both sides at once */
	p[n + 1] = 0;
	CHECK(mc_rz_check(p, n, &b, &a));
	CHECK(b.addr == u(p - 7) && b.len == 1);
	CHECK(a.addr == u(p + n + 1) && a.len == 1);
	p[-7] = p[n + 1] = MC_CANARY;

	CHECK(!mc_rz_check(p, n, &b, &a));
	for (size_t i = 0; i < n; i++)
		CHECK(p[i] == 0x77);
	mc_rz_release(p, n);
}

static void test_rz_blocks(void)
{
	for (size_t i = 0; i < N_OF(sizes); i++)
		for (size_t j = 0; j < N_OF(aligns); j++) {
			rz_one(sizes[i], aligns[j]);
			if (unit_current_failed_) {
				printf("  (size %zu align %zu)\n", sizes[i], aligns[j]);
				return;
			}
		}
}

/* Every single damaged byte of both redzones, for small sizes. */
static void test_rz_every_byte(void)
{
	for (size_t n = 0; n <= 48; n++) {
		uint8_t *p = mc_rz_alloc(n, 0);
		struct mc_damage b, a;
		CHECK(p);
		for (size_t k = n; k < tail_end(n); k++) {
			p[k] ^= 0x01;
			bool bad = mc_rz_check(p, n, &b, &a);
			p[k] ^= 0x01;
			CHECK(bad && b.len == 0 && a.addr == u(p + k) && a.len == 1);
		}
		for (int k = 1; k <= 16; k++) {
			p[-k] ^= 0x80;
			bool bad = mc_rz_check(p, n, &b, &a);
			p[-k] ^= 0x80;
			CHECK(bad && a.len == 0 && b.addr == u(p - k) && b.len == 1);
		}
		CHECK(!mc_rz_check(p, n, &b, &a));
		mc_rz_release(p, n);
	}
}

/* A write into the header: the damage starts at the header; the block is
 * left alone by mc_rz_release (its base is unknown), so freed here. */
static void test_rz_header(void)
{
	for (size_t j = 0; j < N_OF(aligns); j++)
		for (size_t i = 0; i < N_OF(sizes); i++) {
			size_t n = sizes[i], align = aligns[j];
			uint8_t *p = mc_rz_alloc(n, align);
			struct mc_damage b, a;
			CHECK(p);
			p[-20] ^= 0xff; /* header.check */
			CHECK(mc_rz_check(p, n, &b, &a));
			CHECK(b.addr == u(p - 32) && b.len == 16);
			CHECK(a.len == 0);
			p[-1] = 0; /* and a canary: one span from the header */
			CHECK(mc_rz_check(p, n, &b, &a));
			CHECK(b.addr == u(p - 32) && b.len == 32);
			p[-1] = MC_CANARY; /* to the highest damaged byte */
			p[-9] = 0;
			CHECK(mc_rz_check(p, n, &b, &a));
			CHECK(b.addr == u(p - 32) && b.len == 24);
			p[n] = 0;
			CHECK(mc_rz_check(p, n, &b, &a));
			CHECK(a.addr == u(p + n) && a.len == 1);
			mc_rz_release(p, n); /* must not free (ASan would see our free twice) */
			free(p - front_of(align));
		}
	/* the size field, and a size that is not the block's */
	uint8_t *p = mc_rz_alloc(40, 0);
	struct mc_damage b, a;
	CHECK(p);
	CHECK(mc_rz_check(p, 41, &b, &a));
	CHECK(b.addr == u(p - 32) && b.len == 16);
	p[-32] ^= 1;
	CHECK(mc_rz_check(p, 40, &b, &a));
	CHECK(b.addr == u(p - 32) && b.len == 16);
	mc_rz_release(p, 40);
	free(p - 32);
}

static void test_rz_absurd(void)
{
	CHECK(mc_rz_alloc(((size_t)1 << 60) + 1, 0) == NULL);
	CHECK(mc_rz_alloc(SIZE_MAX, 0) == NULL);
	CHECK(mc_rz_alloc(16, (size_t)1 << 41) == NULL);
}

/* The freed pattern over every offset and length up to 40, damage at
 * every byte and spans; bytes around the range are not touched. */
static void test_rz_freed_pattern(void)
{
	static uint8_t buf[80] __attribute__((aligned(16)));
	struct mc_damage d;
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; len <= 40; len++) {
			uint8_t *q = buf + 16 + off;
			memset(buf, 0, sizeof buf);
			mc_rz_fill_freed(q, len);
			for (size_t i = 0; i < sizeof buf; i++)
				CHECK(buf[i] == (&buf[i] >= q && &buf[i] < q + len ? MC_FREED : 0));
			CHECK(mc_rz_freed_intact(q, len, &d));
			for (size_t k = 0; k < len; k++) {
				q[k] = 0;
				bool ok = mc_rz_freed_intact(q, len, &d);
				CHECK(!ok && d.addr == u(q + k) && d.len == 1);
				for (size_t k2 = k + 1; k2 < len; k2++) {
					q[k2] = 0xfe;
					ok = mc_rz_freed_intact(q, len, &d);
					q[k2] = MC_FREED;
					CHECK(!ok && d.addr == u(q + k) && d.len == k2 - k + 1);
				}
				q[k] = MC_FREED;
			}
			CHECK(mc_rz_freed_intact(q, len, &d));
		}
}

/* On a real block: filled, its redzones untouched; a write found. */
static void test_rz_freed_block(void)
{
	for (size_t i = 0; i < N_OF(sizes); i++) {
		size_t n = sizes[i];
		uint8_t *p = mc_rz_alloc(n, 0);
		struct mc_damage b, a, d;
		CHECK(p);
		memset(p, 0x33, n);
		mc_rz_fill_freed(p, n);
		/* whole up to FILL_WHOLE, else the head and the end */
		for (size_t k = 0; k < n; k++)
			CHECK(p[k] == (n <= FILL_WHOLE || k < FILL_HEAD || k >= n - FILL_END ? MC_FREED : 0x33));
		CHECK(mc_rz_freed_intact(p, n, &d));
		CHECK(!mc_rz_check(p, n, &b, &a));
		if (n > FILL_WHOLE) {
			p[n / 2] = 0; /* the unfilled middle is not checked */
			CHECK(mc_rz_freed_intact(p, n, &d));
			p[n - 2] = 0; /* the end */
			CHECK(!mc_rz_freed_intact(p, n, &d));
			CHECK(d.addr == u(p + n - 2) && d.len == 1);
			p[8] = 0; /* the head's damage comes first */
			p[9] = 0;
			CHECK(!mc_rz_freed_intact(p, n, &d));
			CHECK(d.addr == u(p + 8) && d.len == 2);
		} else if (n >= 10) {
			p[8] = 0;
			p[9] = 0;
			CHECK(!mc_rz_freed_intact(p, n, &d));
			CHECK(d.addr == u(p + 8) && d.len == 2);
			p[n - 1] = 1;
			CHECK(!mc_rz_freed_intact(p, n, &d));
			CHECK(d.addr == u(p + 8) && d.len == n - 8);
		}
		mc_rz_release(p, n);
	}
}

/* ---- guarded blocks ---- */

/* Where a guarded block's guard page starts: its end rounded up to 16. */
static uint8_t *guard_of(uint8_t *p, size_t n)
{
	return (uint8_t *)((u(p + n) + 15) & ~(uint64_t)15);
}

/* A guarded block of n bytes as the layout says: aligned as malloc's
 * (16), fewer than 16 bytes of canary padding to its guard page. */
static void guard_one(size_t n, uint8_t **out)
{
	uint8_t *p = mc_rz_alloc(n, 0);
	uint64_t blk;
	struct mc_damage b, a;
	*out = p;
	CHECK(p);
	uint8_t *g = guard_of(p, n);
	CHECK(u(g) % page == 0);
	CHECK(u(p) % mc_guard_align(n) == 0);
	CHECK(mc_guard_align(n) == 16);
	CHECK(mc_guard_owns(p));
	CHECK(!mc_guard_owns(p + 1));
	CHECK(mc_guard_find(u(p), &blk) && blk == u(p));
	CHECK(mc_guard_find(u(p) + n / 2, &blk) && blk == u(p));
	CHECK(mc_guard_find(u(p - 32), &blk) && blk == u(p)); /* its header */
	CHECK(mc_guard_find(u(g), &blk) && blk == u(p));      /* the guard page */
	CHECK(mc_guard_find(u(g) + page - 1, &blk) && blk == u(p));
	CHECK(!mc_guard_find(u(g) + page, &blk) || blk != u(p));
	CHECK(!mc_rz_check(p, n, &b, &a));
	memset(p, 0x55, n);
	CHECK(!mc_rz_check(p, n, &b, &a));
	if (n)
		CHECK(!faults(p + n - 1, 0) && !faults(p + n - 1, 1));
	if (g > p + n) { /* a write into the padding is found by its canaries */
		CHECK(!faults(g - 1, 0));
		g[-1] ^= 0xff;
		CHECK(mc_rz_check(p, n, &b, &a));
		CHECK(a.addr == u(g - 1) && a.len == 1 && b.len == 0);
		g[-1] ^= 0xff;
		CHECK(!mc_rz_check(p, n, &b, &a));
	}
	CHECK(faults(g, 0));
	CHECK(faults(g, 1));
	CHECK(faults(g + page - 1, 1));
}

static const size_t gsizes[] = { 1, 10, 13, 24, 4000, 4096, 5000, 0, 65504 };

static void test_guard_blocks(void)
{
	uint8_t *ps[N_OF(gsizes)] = { 0 };
	mc_guard_init(1);
	CHECK(page == (size_t)sysconf(_SC_PAGESIZE));
	catch_segv();
	for (size_t i = 0; i < N_OF(gsizes); i++) {
		guard_one(gsizes[i], &ps[i]);
		if (unit_current_failed_) {
			printf("  (size %zu)\n", gsizes[i]);
			break;
		}
	}
	uncatch_segv();
	for (size_t i = 0; i < N_OF(gsizes); i++)
		if (ps[i]) {
			uint8_t *p = ps[i];
			size_t n = gsizes[i];
			uint64_t blk;
			mc_rz_release(p, n);
			CHECK(!mc_guard_find(u(p), &blk) || blk != u(p));
			CHECK(!mc_guard_find(u(p + n), &blk) || blk != u(p));
			CHECK(!mc_guard_owns(p));
			CHECK(unmapped(p - 32, 1) && unmapped(guard_of(p, n), 1));
		}
}

/* The page map itself, with page numbers far above user space whose
 * slots collide around the table's wrap: every page found until erased
 * (backward-shift deletion), in any order. */
static void test_guard_page_map(void)
{
	enum { NP = 96 };
	static uint64_t pages[NP];
	static bool gone[NP];
	size_t k = 0, used0 = mc_guard_used;
	CHECK(mc_guard_map); /* mapped by the first guarded block */
	for (uint64_t pg = (uint64_t)1 << 40; k < NP; pg++) {
		uint32_t sl = mc_guard_slot_of(pg);
		if (sl >= GUARD_SLOTS - 4 || sl <= 3)
			pages[k++] = pg;
	}
	rt_spin_lock(&mc_guard_lock);
	for (size_t i = 0; i < NP; i++)
		mc_guard_map_put(pages[i], 0x1000 + i);
	rt_spin_unlock(&mc_guard_lock);
	CHECK(mc_guard_used == used0 + NP);
	memset(gone, 0, sizeof gone);
	for (size_t step = 0; step < NP; step++) {
		size_t victim = (step * 37 + 11) % NP; /* 37 is prime to NP: a permutation */
		rt_spin_lock(&mc_guard_lock);
		mc_guard_map_erase(pages[victim]);
		rt_spin_unlock(&mc_guard_lock);
		gone[victim] = true;
		for (size_t i = 0; i < NP; i++) {
			uint64_t blk = 0;
			bool found = mc_guard_find(pages[i] * page + page / 2, &blk);
			if (found != !gone[i] || (found && blk != 0x1000 + i)) {
				printf("  after erasing %zu of %d: page %zu %s\n", step + 1, NP, i,
				       found ? "found, wrong block" : "lost");
				CHECK(0);
			}
		}
	}
	CHECK(mc_guard_used == used0);
}

/* Damage in front of a guarded block is found by its front canaries and
 * header; it has no tail. */
static void test_guard_underrun(void)
{
	uint8_t *p = mc_rz_alloc(24, 0);
	struct mc_damage b, a;
	CHECK(p && mc_guard_owns(p));
	p[-1] = 0;
	CHECK(mc_rz_check(p, 24, &b, &a));
	CHECK(b.addr == u(p - 1) && b.len == 1 && a.len == 0);
	p[-1] = MC_CANARY;
	p[-20] ^= 0xff;
	CHECK(mc_rz_check(p, 24, &b, &a));
	CHECK(b.addr == u(p - 32) && b.len == 16 && a.len == 0);
	p[-20] ^= 0xff;
	CHECK(!mc_rz_check(p, 24, &b, &a));
	mc_rz_release(p, 24);
	CHECK(!mc_guard_owns(p));
}

/* The fault handler's stepping: the page opens for one access, then closes. */
static void test_guard_open_close(void)
{
	uint8_t *p = mc_rz_alloc(100, 0);
	CHECK(p && mc_guard_owns(p));
	uint8_t *g = guard_of(p, 100);
	catch_segv();
	bool closed1 = faults(g, 1);
	mc_guard_open_page(u(g) + 7);
	bool opened = !faults(g, 1) && !faults(g + page - 1, 0);
	mc_guard_close_page(u(g));
	bool closed2 = faults(g, 0);
	uncatch_segv();
	CHECK(closed1 && opened && closed2);
	mc_rz_release(p, 100);
}

/* A freed guarded block: inaccessible, then unmapped at release. */
static void test_guard_freed(void)
{
	static const size_t ns[] = { 1, 100, 4096, 5000, 4064 };
	for (size_t i = 0; i < N_OF(ns); i++) {
		size_t n = ns[i];
		uint8_t *p = mc_rz_alloc(n, 0);
		struct mc_damage d;
		uint64_t blk;
		CHECK(p && mc_guard_owns(p));
		memset(p, 1, n);
		mc_rz_fill_freed(p, n);
		catch_segv();
		bool f0 = faults(p, 0), f1 = faults(p, 1), fl = faults(p + n - 1, 0);
		uncatch_segv();
		CHECK(f0 && f1 && fl);
		CHECK(mc_guard_owns(p));
		CHECK(mc_guard_find(u(p + n - 1), &blk) && blk == u(p));
		CHECK(mc_rz_freed_intact(p, n, &d));
		mc_rz_release(p, n);
		CHECK(!mc_guard_owns(p));
		CHECK(!mc_guard_find(u(p), &blk) || blk != u(p));
		CHECK(unmapped(p, 1) && unmapped(p + n, 1));
	}
}

/* The header before a guarded block is a struct with 8-byte fields: it
 * must be 8-aligned whatever the block's own alignment. */
static void test_guard_header_aligned(void)
{
	static const size_t ns[] = { 1, 10, 13, 24, 4000, 5000, 4099 };
	int bad = 0;
	for (size_t i = 0; i < N_OF(ns); i++) {
		uint8_t *p = mc_rz_alloc(ns[i], 0);
		CHECK(p && mc_guard_owns(p));
		if ((u(p) - 32) % _Alignof(struct header)) {
			printf("  block of %zu at %p: header at %p, not %zu-aligned\n", ns[i], (void *)p,
			       (void *)(p - 32), _Alignof(struct header));
			bad++;
		}
		mc_rz_release(p, ns[i]);
	}
	CHECK(bad == 0);
}

/* Big blocks are guarded too: their own page and guard page in the page
 * map, any other address found through the table of big regions; freed,
 * every byte faults and the call says their pages went back (small
 * blocks' do not); released, unmapped and forgotten. */
static void test_guard_big(void)
{
	const size_t ns[] = { 15 * page + 1, 16 * page + 1, (1u << 20) + 3, 40u << 20 };
	for (size_t i = 0; i < N_OF(ns); i++) {
		size_t n = ns[i];
		uint8_t *p;
		catch_segv();
		guard_one(n, &p);
		uncatch_segv();
		if (!p)
			return;
		uint64_t blk, used = mc_guard_used;
		CHECK(mc_guard_nbig == 1);
		CHECK(mc_guard_find(u(p) + n / 3, &blk) && blk == u(p));
		CHECK(mc_rz_fill_freed(p, n)); /* its pages went back */
		catch_segv();
		bool f0 = faults(p, 0), f1 = faults(p + n / 2, 1), fl = faults(p + n - 1, 0);
		uncatch_segv();
		CHECK(f0 && f1 && fl);
		CHECK(mc_guard_owns(p));
		CHECK(mc_guard_find(u(p) + n / 2, &blk) && blk == u(p));
		mc_rz_release(p, n);
		CHECK(!mc_guard_owns(p));
		CHECK(!mc_guard_find(u(p) + n / 2, &blk) || blk != u(p));
		CHECK(unmapped(p, 1) && unmapped(p + n / 2, 1) && unmapped(guard_of(p, n), 1));
		CHECK(mc_guard_nbig == 0 && mc_guard_used == used - 2);
	}
	uint8_t *q = mc_rz_alloc(100, 0);
	CHECK(q && mc_guard_owns(q));
	CHECK(!mc_rz_fill_freed(q, 100)); /* a small one keeps its pages */
	mc_rz_release(q, 100);
}

/* Past MAX_BIG big blocks at once, the redzones take over until one goes. */
static void test_guard_big_limit(void)
{
	enum { N = MAX_BIG + 3 };
	size_t n = 16 * page + 1;
	uint8_t **ps = calloc(N, sizeof(*ps));
	CHECK(ps);
	size_t guarded = 0;
	for (size_t i = 0; i < N; i++) {
		ps[i] = mc_rz_alloc(n, 0);
		guarded += ps[i] && mc_guard_owns(ps[i]);
	}
	CHECK(guarded == MAX_BIG);
	CHECK(ps[N - 1] && !mc_guard_owns(ps[N - 1]));
	mc_rz_release(ps[0], n);
	uint8_t *again = mc_rz_alloc(n, 0);
	CHECK(again && mc_guard_owns(again));
	mc_rz_release(again, n);
	for (size_t i = 1; i < N; i++)
		if (ps[i])
			mc_rz_release(ps[i], n);
	free(ps);
	CHECK(mc_guard_nbig == 0 && mc_guard_regions == 0 && mc_guard_used == 0);
}

/* Too aligned for guard pages: redzones. */
static void test_guard_fallback(void)
{
	struct mc_damage b, a;
	uint8_t *p = mc_rz_alloc(100, 64);
	CHECK(p);
	CHECK(u(p) % 64 == 0);
	CHECK(!mc_guard_owns(p));
	CHECK(!mc_rz_check(p, 100, &b, &a));
	p[100] = 0; /* the tail redzone is there */
	CHECK(mc_rz_check(p, 100, &b, &a) && a.addr == u(p + 100) && a.len == 1);
	p[100] = MC_CANARY;
	mc_rz_release(p, 100);
}

/* memalign(16, 24) and the like in precise mode: the block must have the
 * alignment asked for, not only its size's lowest set bit. */
static void test_guard_explicit_align(void)
{
	static const size_t cases[][2] = { { 24, 16 }, { 40, 16 }, { 13, 8 }, { 12, 4 }, { 4, 2 }, { 8, 16 } };
	int bad = 0;
	for (size_t i = 0; i < N_OF(cases); i++) {
		size_t n = cases[i][0], align = cases[i][1];
		uint8_t *p = mc_rz_alloc(n, align);
		CHECK(p);
		if (u(p) % align) {
			printf("  mc_rz_alloc(%zu, %zu) = %p (guarded %d): not %zu-aligned\n", n, align, (void *)p,
			       mc_guard_owns(p), align);
			bad++;
		}
		mc_rz_release(p, n);
	}
	CHECK(bad == 0);
}

/* Past MAX_REGIONS live guarded blocks the redzones take over; releasing
 * gives room again; the page map finds each of them until released. */
static void test_guard_region_limit(void)
{
	enum { N = MAX_REGIONS + 50 };
	uint8_t **ps = calloc(N, sizeof(*ps));
	CHECK(ps);
	size_t guarded = 0, first_fallback = N;
	for (size_t i = 0; i < N; i++) {
		ps[i] = mc_rz_alloc(64, 0);
		if (!ps[i])
			break;
		if (mc_guard_owns(ps[i]))
			guarded++;
		else if (first_fallback == N)
			first_fallback = i;
	}
	int bad = 0;
	for (size_t i = 0; i < N; i++) {
		uint64_t blk;
		if (ps[i] && mc_guard_owns(ps[i]) && !(mc_guard_find(u(ps[i]) + 64, &blk) && blk == u(ps[i])))
			bad++;
	}
	for (size_t i = 0; i < N; i += 2) /* every other one first: page map churn */
		if (ps[i])
			mc_rz_release(ps[i], 64);
	for (size_t i = 1; i < N; i += 2) {
		uint64_t blk;
		if (ps[i] && mc_guard_owns(ps[i]) && !(mc_guard_find(u(ps[i]), &blk) && blk == u(ps[i])))
			bad++;
		if (ps[i])
			mc_rz_release(ps[i], 64);
	}
	for (size_t i = 0; i < N; i++) {
		uint64_t blk;
		if (ps[i] && mc_guard_find(u(ps[i]), &blk) && blk == u(ps[i]))
			bad++;
	}
	free(ps);
	CHECK(guarded == MAX_REGIONS);
	CHECK(first_fallback == MAX_REGIONS);
	CHECK(bad == 0);
	CHECK(mc_guard_used == 0 && mc_guard_regions == 0);
	uint8_t *p = mc_rz_alloc(64, 0);
	CHECK(p && mc_guard_owns(p));
	mc_rz_release(p, 64);
}

/* Whether MAX_REGIONS guarded blocks (two mappings each) fit under
 * vm.max_map_count besides the mappings in use. */
static bool region_limit_fits(void)
{
	long max = 0;
	FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
	if (f) {
		if (fscanf(f, "%ld", &max) != 1)
			max = 0;
		fclose(f);
	}
	long in_use = 0;
	f = fopen("/proc/self/maps", "r");
	if (f) {
		int c;
		while ((c = fgetc(f)) != EOF)
			in_use += c == '\n';
		fclose(f);
	}
	if (max >= 2L * MAX_REGIONS + in_use + 2000)
		return true;
	printf("SKIP test_guard_region_limit: vm.max_map_count %ld, %ld mappings in use\n", max, in_use);
	return false;
}

/* --precise=3: every third block. */
static void test_guard_sampling(void)
{
	uint8_t *ps[12];
	bool g[12];
	mc_guard_init(3);
	for (int i = 0; i < 12; i++) {
		ps[i] = mc_rz_alloc(64, 0);
		g[i] = ps[i] && mc_guard_owns(ps[i]);
	}
	int first = -1, count = 0;
	for (int i = 0; i < 12; i++)
		if (g[i]) {
			if (first < 0)
				first = i;
			count++;
		}
	bool pattern = first >= 0 && first < 3;
	for (int i = 0; i < 12; i++)
		pattern = pattern && g[i] == (i >= first && (i - first) % 3 == 0);
	for (int i = 0; i < 12; i++) {
		struct mc_damage b, a;
		CHECK(ps[i]);
		CHECK(!mc_rz_check(ps[i], 64, &b, &a));
		if (!g[i]) { /* a redzone block in between has its tail */
			ps[i][64] = 0;
			CHECK(mc_rz_check(ps[i], 64, &b, &a) && a.addr == u(ps[i] + 64));
			ps[i][64] = MC_CANARY;
		}
		mc_rz_release(ps[i], 64);
	}
	CHECK(count == 4);
	CHECK(pattern);
	/* more alignment than 16: redzones */
	uint8_t *q = mc_rz_alloc(64, 4096);
	CHECK(q && !mc_guard_owns(q));
	mc_rz_release(q, 64);
}

static void test_guard_off(void)
{
	mc_guard_init(0);
	for (int i = 0; i < 8; i++) {
		uint8_t *p = mc_rz_alloc(64, 0);
		struct mc_damage b, a;
		CHECK(p && !mc_guard_owns(p));
		p[64] = 0;
		CHECK(mc_rz_check(p, 64, &b, &a) && a.len == 1);
		p[64] = MC_CANARY;
		mc_rz_release(p, 64);
	}
}

/* ---- mc_freed ---- */

#define MiB ((uint64_t)1 << 20)

static struct mc_freed_block fb(uint64_t ptr, uint64_t size, uint32_t info, uint32_t fs)
{
	return (struct mc_freed_block){ ptr, size, info, fs, 0 };
}

static bool same(const struct mc_freed_block *a, const struct mc_freed_block *b)
{
	return a->ptr == b->ptr && a->size == b->size && a->info == b->info && a->free_stack == b->free_stack;
}

static size_t note(struct mc_freed_block b, bool held, struct mc_freed_block *out, size_t max)
{
	return mc_freed_note(test_ring(), &b, held, out, max);
}

#define MAX_SEEN 64
struct seen {
	size_t n;
	struct mc_freed_block b[MAX_SEEN];
};

static void collect(const struct mc_freed_block *b, void *ctx)
{
	struct seen *s = ctx;
	if (s->n < MAX_SEEN)
		s->b[s->n] = *b;
	s->n++;
}

static struct seen held_now(void)
{
	struct seen s = { 0 };
	mc_freed_foreach_held(collect, &s);
	return s;
}

/* In a child: rt_map fails at its call number `fail`. Each held block is
 * then either kept (found) or handed back for the caller to release, and
 * later frees still work. */
static int freed_oom_child(int fail)
{
	struct mc_freed_block out[4], f;
	map_calls = 0;
	map_fail_call = fail;
	for (uint64_t i = 1; i <= 3; i++) {
		struct mc_freed_block b = fb(0x1000 * i, 10 * i, (uint32_t)i, (uint32_t)i + 100);
		size_t n = note(b, true, out, 4);
		if (!(n == 1 && same(&out[0], &b)) && !(n == 0 && mc_freed_find(b.ptr, &f) && same(&f, &b)))
			return (int)i + 1;
	}
	if (note(fb(0x5000, 30, 5, 6), false, out, 4) != 0)
		return 9;
	return 0;
}

static void test_freed_map_fails(void)
{
	CHECK(map_calls == 0); /* nothing mapped yet in this process */
	for (int fail = 1; fail <= 2; fail++) {
		fflush(stdout);
		pid_t pid = fork();
		CHECK(pid >= 0);
		if (pid == 0)
			_exit(freed_oom_child(fail));
		int st = 0;
		CHECK(waitpid(pid, &st, 0) == pid);
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			bool sig = WIFSIGNALED(st);
			printf("FAIL %s: rt_map failing at call %d: child %s %d\n", unit_current_, fail,
			       sig ? "killed by signal" : "exited with", sig ? WTERMSIG(st) : WEXITSTATUS(st));
			unit_current_failed_ = 1;
		}
	}
	map_fail_call = 0;
}

static const struct mc_freed_block A = { 0xa000, 100, 1, 11, 0 }, B = { 0xb000, 200, 2, 22, 0 }, C = { 0xc000, 300, 3, 33, 0 };
static const struct mc_freed_block X = { 0xe000, 50, 5, 55, 0 }, X2 = { 0xe000, 50, 6, 66, 0 };

static void test_freed_empty(void)
{
	struct mc_freed_block f;
	CHECK(!mc_freed_find(0xa000, &f));
	CHECK(held_now().n == 0);
}

static void test_freed_note_find(void)
{
	struct mc_freed_block out[4], f;
	CHECK(note(A, true, out, 4) == 0);
	CHECK(note(B, true, out, 4) == 0);
	CHECK(note(C, true, out, 4) == 0);
	CHECK(mc_freed_find(A.ptr, &f) && same(&f, &A));
	CHECK(mc_freed_find(B.ptr, &f) && same(&f, &B));
	CHECK(mc_freed_find(C.ptr, &f) && same(&f, &C));
	CHECK(!mc_freed_find(0xd000, &f));
	CHECK(!mc_freed_find(0xa001, &f)); /* the start only */
}

static void test_freed_foreach(void)
{
	struct seen s = held_now();
	CHECK(s.n == 3);
	CHECK(same(&s.b[0], &A) && same(&s.b[1], &B) && same(&s.b[2], &C));
}

/* A block not held (too big for the quarantine, released at once) whose
 * address comes back and is freed again: find says the latest free. (A
 * held block is never freed twice: its address stays allocated.) */
static void test_freed_renote(void)
{
	struct mc_freed_block out[4], f;
	CHECK(note(X, false, out, 4) == 0);
	CHECK(mc_freed_find(X.ptr, &f) && same(&f, &X));
	CHECK(note(X2, false, out, 4) == 0);
	CHECK(mc_freed_find(X.ptr, &f) && same(&f, &X2));
	struct seen s = held_now(); /* remembered, not held */
	CHECK(s.n == 3);
	CHECK(same(&s.b[0], &A) && same(&s.b[1], &B) && same(&s.b[2], &C));
}

static struct mc_freed_block H[8];

/* Held bytes over 20 MiB push the oldest held blocks out, in order; a
 * remembered block that is not held is forgotten on the way, never out. */
static void test_freed_volume(void)
{
	struct mc_freed_block out[8], f;
	for (int i = 0; i < 8; i++)
		H[i] = fb(0x100000000ull + (uint64_t)i * 0x1000000, 5 * MiB, 100 + (uint32_t)i, 200 + (uint32_t)i);
	/* held: A B C (600 bytes), then H0..H2 (15 MiB) */
	for (int i = 0; i < 3; i++)
		CHECK(note(H[i], true, out, 8) == 0);
	/* H3 would make 20 MiB + 600: A, B and C leave */
	CHECK(note(H[3], true, out, 8) == 3);
	CHECK(same(&out[0], &A) && same(&out[1], &B) && same(&out[2], &C));
	CHECK(!mc_freed_find(A.ptr, &f) && !mc_freed_find(B.ptr, &f) && !mc_freed_find(C.ptr, &f));
	CHECK(mc_freed_find(X.ptr, &f) && same(&f, &X2));
	for (int i = 0; i < 4; i++)
		CHECK(mc_freed_find(H[i].ptr, &f) && same(&f, &H[i]));
	/* exactly 20 MiB held; H4: X (not held) is forgotten, H0 leaves */
	CHECK(note(H[4], true, out, 8) == 1);
	CHECK(same(&out[0], &H[0]));
	CHECK(!mc_freed_find(X.ptr, &f));
	struct seen s = held_now();
	CHECK(s.n == 4);
	for (int i = 0; i < 4; i++)
		CHECK(same(&s.b[i], &H[i + 1]));
	/* a block not held never makes room, however big */
	CHECK(note(fb(0x7000, 8 * MiB, 7, 77), false, out, 8) == 0);
	/* at exactly 20 MiB an empty block still fits, one more byte does not */
	CHECK(note(fb(0x8000, 0, 8, 88), true, out, 8) == 0);
	CHECK(note(fb(0x9000, 1, 9, 99), true, out, 8) == 1);
	CHECK(same(&out[0], &H[1]));
	s = held_now();
	CHECK(s.n == 5);
	CHECK(same(&s.b[0], &H[2]) && same(&s.b[1], &H[3]) && same(&s.b[2], &H[4]));
	CHECK(s.b[3].ptr == 0x8000 && s.b[4].ptr == 0x9000);
}

/* At most max blocks leave per note; the next note catches up. */
static void test_freed_max(void)
{
	struct mc_freed_block out[8];
	/* held: H2 H3 H4 (15 MiB), 0x8000 (0), 0x9000 (1) */
	CHECK(note(fb(0xf000, 16 * MiB, 15, 150), true, out, 1) == 1);
	CHECK(same(&out[0], &H[2]));
	/* 26 MiB + 1 held now; an empty block makes H3 and H4 leave */
	CHECK(note(fb(0xf100, 0, 16, 160), true, out, 8) == 2);
	CHECK(same(&out[0], &H[3]) && same(&out[1], &H[4]));
	struct seen s = held_now();
	CHECK(s.n == 4);
	CHECK(s.b[0].ptr == 0x8000 && s.b[1].ptr == 0x9000 && s.b[2].ptr == 0xf000 && s.b[3].ptr == 0xf100);
}

/* RING frees are remembered: the oldest entry goes, held ones out. */
static void test_freed_ring(void)
{
	struct mc_freed_block out[8], f;
	/* remembered, oldest first: 0x7000 (not held), 0x8000, 0x9000,
	 * 0xf000, 0xf100 (held) */
	struct seen s0 = held_now();
	CHECK(s0.n == 4);
	const uint64_t base = 0x200000000ull;
	size_t room = RING - 5;
	for (size_t i = 0; i < room; i++)
		if (note(fb(base + i * 16, 8, 1, 2), false, out, 8) != 0)
			CHECK(0);
	CHECK(mc_freed_find(0x7000, &f));
	CHECK(mc_freed_find(base, &f) && f.ptr == base);
	CHECK(mc_freed_find(base + (room - 1) * 16, &f));
	/* full: each new one pushes out the oldest */
	CHECK(note(fb(base + room * 16, 8, 1, 2), false, out, 8) == 0);
	CHECK(!mc_freed_find(0x7000, &f));
	for (size_t k = 0; k < 4; k++) {
		size_t n = note(fb(base + (room + 1 + k) * 16, 8, 1, 2), false, out, 8);
		CHECK(n == 1 && same(&out[0], &s0.b[k]));
		CHECK(!mc_freed_find(s0.b[k].ptr, &f));
	}
	CHECK(held_now().n == 0);
	/* a held one when full: the oldest (not held) goes, nothing out */
	CHECK(note(fb(0xabc000, 64, 1, 2), true, out, 8) == 0);
	CHECK(!mc_freed_find(base, &f));
	CHECK(mc_freed_find(base + 16, &f));
	struct seen s = held_now();
	CHECK(s.n == 1 && s.b[0].ptr == 0xabc000);
}

/* ---- random frees against a model: a queue, oldest first ---- */

#define OPS 60000 /* per phase */
#define PHASES 3

struct mnote {
	struct mc_freed_block b;
	bool held;
};

static struct mnote *mnotes; /* every note of the test, in order */
static size_t mfirst, mnext; /* remembered: [mfirst, mnext) */
static uint64_t mheld;

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint64_t mptr(size_t i)
{
	return 0x5000000000ull + (uint64_t)i * 48;
}

/* mc_freed_note as documented, on the model; b is note number mnext. */
static size_t model_note(const struct mc_freed_block *b, bool held, struct mc_freed_block *out, size_t max)
{
	size_t n = 0;
	while (mnext > mfirst && n < max && (mnext - mfirst == RING || (held && mheld + b->size > VOLUME))) {
		struct mnote *o = &mnotes[mfirst++];
		if (o->held) {
			out[n++] = o->b;
			mheld -= o->b.size;
		}
	}
	if (mnext - mfirst == RING) /* cannot happen with max >= 1 */
		return (size_t)-1;
	mnotes[mnext++] = (struct mnote){ *b, held };
	if (held)
		mheld += b->size;
	return n;
}

static bool model_find_agrees(size_t i)
{
	struct mc_freed_block f;
	bool found = mc_freed_find(mptr(i), &f);
	return found == (i >= mfirst && i < mnext) && (!found || same(&f, &mnotes[i].b));
}

struct held_cmp {
	size_t i;
	bool ok;
};

static void cmp_held(const struct mc_freed_block *b, void *ctx)
{
	struct held_cmp *c = ctx;
	while (c->i < mnext && !mnotes[c->i].held)
		c->i++;
	if (c->i == mnext || !same(b, &mnotes[c->i].b))
		c->ok = false;
	c->i++;
}

static bool model_held_agrees(void)
{
	struct held_cmp c = { mfirst, true };
	mc_freed_foreach_held(cmp_held, &c);
	while (c.i < mnext && !mnotes[c.i].held)
		c.i++;
	return c.ok && c.i == mnext;
}

/* Phases: small blocks (the count limit), big ones (the volume), mixed;
 * max 1..4 (mc_block.c passes 4). Every address is new (an address noted again
 * is test_freed_renote's). */
static void test_freed_model(void)
{
	struct mc_freed_block out[8], want[8];
	mnotes = calloc(RING + (size_t)PHASES * OPS, sizeof(*mnotes));
	CHECK(mnotes);
	/* whatever the tests before left goes: RING new addresses, not held */
	size_t drained_held = 0;
	for (size_t i = 0; i < RING; i++) {
		struct mc_freed_block b = fb(mptr(i), 1, (uint32_t)i, (uint32_t)i);
		drained_held += note(b, false, out, 8);
		mnotes[i] = (struct mnote){ b, false };
	}
	mfirst = 0;
	mnext = RING;
	mheld = 0;
	CHECK(drained_held == 1); /* 0xabc000, from test_freed_ring */
	CHECK(held_now().n == 0);
	int bad = 0;
	for (int phase = 0; phase < PHASES && !bad; phase++)
		for (int op = 0; op < OPS && !bad; op++) {
			bool held = rnd() % 4 != 0;
			uint64_t size = phase == 0 ? rnd() % 256
				      : phase == 1 ? rnd() % (4 * MiB)
						   : (rnd() % 64 == 0 ? rnd() % (4 * MiB) : rnd() % 4096);
			size_t max = 1 + rnd() % 4;
			struct mc_freed_block b = fb(mptr(mnext), size, (uint32_t)rnd(), (uint32_t)rnd());
			size_t ne = model_note(&b, held, want, max);
			size_t n = mc_freed_note(test_ring(), &b, held, out, max);
			bool ok = n == ne;
			for (size_t k = 0; ok && k < n; k++)
				ok = same(&out[k], &want[k]);
			if (ok && op % 64 == 0) /* a remembered one, and one forgotten */
				ok = model_find_agrees(mfirst + rnd() % (mnext - mfirst)) &&
				     (mfirst == 0 || model_find_agrees(rnd() % mfirst));
			if (!ok) {
				printf("  phase %d op %d: note(%#llx, %llu, held %d, max %zu) gave %zu, model %zu\n",
				       phase, op, (unsigned long long)b.ptr, (unsigned long long)size, held, max, n, ne);
				bad++; /* the model cannot follow from here */
			} else if (op % 4096 == 0 && !model_held_agrees()) {
				printf("  phase %d op %d: held blocks differ from the model\n", phase, op);
				bad++;
			}
		}
	if (!bad && (!model_held_agrees() || !model_find_agrees(mnext - 1) || !model_find_agrees(mfirst) ||
		     (mfirst && !model_find_agrees(mfirst - 1))))
		bad++;
	free(mnotes);
	CHECK(bad == 0);
	CHECK(mheld == mc_ring_held_bytes(test_ring()));
}

/* Blocks from the slot allocator: the same layout and checks; a block
 * with a broken header still goes back to its slot (its base is known). */
static void test_rz_slab(void)
{
	CHECK(mc_slab_init());
	for (size_t i = 0; i < N_OF(sizes); i++)
		for (size_t j = 0; j < N_OF(aligns); j++) {
			size_t n = sizes[i], al = aligns[j];
			uint8_t *p = mc_rz_alloc(n, al);
			CHECK(p);
			bool slot = al <= 16 && n + 48 <= MC_SLAB_MAX;
			CHECK(mc_slab_owns(u(p)) == slot);
			if (slot)
				CHECK(mc_slab_cell(u(p) - MC_RZ_FRONT) != NULL);
			mc_rz_release(p, n);
			rz_one(n, al);
			if (unit_current_failed_) {
				printf("  (size %zu align %zu)\n", n, al);
				return;
			}
		}
	uint8_t *p = mc_rz_alloc(100, 0);
	struct mc_damage b, a;
	CHECK(p && mc_slab_owns(u(p)));
	p[-20] ^= 0xff; /* header.check */
	CHECK(mc_rz_check(p, 100, &b, &a));
	CHECK(b.addr == u(p - 32) && b.len == 16);
	mc_rz_release(p, 100);
	CHECK(mc_rz_alloc(100, 0) == p); /* the slot was reused */
}

/* A block held at no cost (its pages went back) pushes nothing out,
 * whatever its size, and leaves when the ring's room runs out; lookups
 * by an address near it find it. A ring of its own (5 MiB: not the first). */
static void test_freed_free_of_cost(void)
{
	struct mc_ring *r = mc_ring_new();
	struct mc_freed_block out[4], f;
	struct mc_freed_block a = fb(0x300000000ull, 4 * MiB, 1, 2), big = fb(0x310000000ull, 100 * MiB, 3, 4),
			      c = fb(0x3f0000000ull, 2 * MiB, 5, 6);
	CHECK(r);
	CHECK(mc_freed_note(r, &a, MC_HELD, out, 4) == 0);
	CHECK(mc_freed_note(r, &big, MC_HELD_FREE_OF_COST, out, 4) == 0);
	CHECK(mc_freed_note(r, &c, MC_HELD, out, 4) == 1 && same(&out[0], &a)); /* 6 MiB > 5: a goes, big stays */
	CHECK(mc_freed_find_near(big.ptr + 50 * MiB, 16, &f) && same(&f, &big));
	CHECK(mc_freed_find_near(big.ptr + big.size + 15, 16, &f) && same(&f, &big));
	CHECK(mc_freed_find_near(big.ptr - 16, 16, &f) && same(&f, &big));
	CHECK(!mc_freed_find_near(big.ptr + big.size + 16, 16, &f) && !mc_freed_find_near(big.ptr - 17, 16, &f));
	size_t left = 0, got_big = 0;
	for (uint64_t i = 0; i < RING && !got_big; i++) {
		struct mc_freed_block x = fb(0x400000000ull + i * 16, 8, 7, 8);
		size_t k = mc_freed_note(r, &x, MC_NOT_HELD, out, 4);
		for (size_t j = 0; j < k; j++)
			got_big += same(&out[j], &big), left++;
	}
	CHECK(got_big == 1 && left == 1);
	CHECK(!mc_freed_find(big.ptr, &f));
	/* the next one out is c: nothing of this ring stays held */
	struct mc_freed_block x = fb(0x500000000ull, 8, 7, 8);
	CHECK(mc_freed_note(r, &x, MC_NOT_HELD, out, 4) == 1 && same(&out[0], &c));
}

/* --freelist-big-blocks: held blocks at least that big leave before any
 * smaller one, oldest first; a block bigger than the whole volume is
 * released at once, as valgrind does. */
static void test_freed_big(void)
{
	struct mc_freed_block out[8];
	for (size_t i = 0; i < RING; i++) /* drain what the model left */
		note(fb(0x6000000000ull + i * 16, 8, 1, 2), false, out, 8);
	CHECK(held_now().n == 0);
	mc_freed_config(VOLUME, MiB);
	struct mc_freed_block s1 = fb(0x7100000000ull, 100, 1, 2), s2 = fb(0x7200000000ull, 900 * 1024, 3, 4);
	struct mc_freed_block b1 = fb(0x7300000000ull, 8 * MiB, 5, 6), b2 = fb(0x7400000000ull, 8 * MiB, 7, 8);
	struct mc_freed_block b3 = fb(0x7500000000ull, 8 * MiB, 9, 10), huge = fb(0x7600000000ull, 30 * MiB, 11, 12);
	CHECK(note(s1, true, out, 8) == 0);
	CHECK(note(b1, true, out, 8) == 0);
	CHECK(note(b2, true, out, 8) == 0);
	/* 16 MiB + 100 held: b3 makes room by pushing out b1, not s1 */
	CHECK(note(b3, true, out, 8) == 1 && same(&out[0], &b1));
	struct mc_freed_block f;
	CHECK(mc_freed_find(b2.ptr, &f) && same(&f, &b2));
	/* small ones over the volume: the big ones go first */
	size_t n = 0;
	for (int i = 0; i < 8 && !n; i++)
		n = note(fb(s2.ptr + (uint64_t)i * 0x100000, s2.size, 3, 4), true, out, 8);
	CHECK(n == 1 && same(&out[0], &b2));
	CHECK(mc_freed_find(s1.ptr, &f));
	/* bigger than the volume: out at once, nothing else leaves */
	CHECK(note(huge, true, out, 8) == 1 && same(&out[0], &huge));
	CHECK(mc_freed_find(b3.ptr, &f) && mc_freed_find(s1.ptr, &f));
	mc_freed_config(VOLUME, UINT64_MAX);
}

int main(void)
{
	page = (size_t)sysconf(_SC_PAGESIZE);
	mc_freed_config(VOLUME, UINT64_MAX); /* no big blocks until test_freed_big */
	RUN(test_freed_map_fails);
	RUN(test_rz_blocks);
	RUN(test_rz_every_byte);
	RUN(test_rz_header);
	RUN(test_rz_absurd);
	RUN(test_rz_freed_pattern);
	RUN(test_rz_freed_block);
	RUN(test_guard_blocks); /* from here mc_guard_init(1) */
	RUN(test_guard_page_map);
	RUN(test_guard_underrun);
	RUN(test_guard_open_close);
	RUN(test_guard_freed);
	RUN(test_guard_fallback);
	RUN(test_guard_big);
	if (region_limit_fits())
		RUN(test_guard_big_limit);
	RUN(test_guard_explicit_align);
	RUN(test_guard_header_aligned);
	if (region_limit_fits())
		RUN(test_guard_region_limit);
	RUN(test_guard_sampling); /* mc_guard_init(3) */
	RUN(test_guard_off);      /* mc_guard_init(0): redzones from here */
	RUN(test_freed_empty);
	RUN(test_freed_note_find);
	RUN(test_freed_foreach);
	RUN(test_freed_renote);
	RUN(test_freed_volume);
	RUN(test_freed_max);
	RUN(test_freed_ring);
	RUN(test_freed_model);
	RUN(test_freed_free_of_cost);
	RUN(test_freed_big);
	RUN(test_rz_slab); /* mc_slab_init: slots from here */
	UNIT_EXIT();
}

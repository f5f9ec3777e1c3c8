/* memcheck's leak classification (runtime/memcheck/mc_mark.c) on a synthetic address
 * space, and the in-process scan (runtime/memcheck/mc_roots.c) on real programs
 * (tests/fixtures/leak_*.c under tests/fixtures/leak_preload.c) compared
 * with valgrind's LEAK SUMMARY when valgrind is installed. */
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mc_mark.h"
#include "unit.h"

/* ---- the synthetic address space: one mmap'd arena ---- */
#define ARENA (8u << 20)
static uint8_t *arena;
static uint64_t arena_fail_lo, arena_fail_hi; /* reads here fail */
static uint64_t vt_lo, vt_hi, fn_lo, fn_hi;   /* fake "file" mappings */

static const void *fake_read(void *ctx, uint64_t a, size_t len, void *buf)
{
	uint64_t lo = (uintptr_t)arena;
	if (a < lo || a + len > lo + ARENA || (a < arena_fail_hi && a + len > arena_fail_lo))
		return NULL;
	memcpy(buf, (void *)(uintptr_t)a, len);
	return buf;
}

static unsigned fake_seg(void *ctx, uint64_t a, uint64_t *end)
{
	if (a >= vt_lo && a < vt_hi) {
		*end = vt_hi;
		return MC_SEG_R | MC_SEG_FILE;
	}
	if (a >= fn_lo && a < fn_hi) {
		*end = fn_hi;
		return MC_SEG_R | MC_SEG_X | MC_SEG_FILE;
	}
	return 0;
}

#define MAXB 64
static struct mc_block blk[MAXB];
static size_t nb;
static uint8_t st[MAXB];
static uint64_t ind[MAXB];

static void reset(void)
{
	memset(arena, 0, 1 << 20);
	nb = 0;
	arena_fail_lo = arena_fail_hi = 0;
}

/* Blocks are placed in address order at 4 KiB steps from 64 KiB. */
static uint64_t *add(uint64_t size)
{
	uint64_t a = (uintptr_t)arena + 65536 + nb * 4096;
	blk[nb++] = (struct mc_block){a, size};
	return (uint64_t *)(uintptr_t)a;
}

static const uint32_t *clique_order; /* NULL: address order */

static void run(const uint64_t *roots, size_t nroots, unsigned heur)
{
	struct mc_mem mem = {fake_read, fake_seg, NULL};
	struct mc_mark m;
	if (mc_mark_init(&m, blk, nb, &mem, heur, st, ind))
		abort();
	mc_mark_set_order(&m, clique_order);
	/* Root words live in the arena's first page, scanned as memory. */
	memset(arena, 0, 4096);
	if (nroots)
		memcpy(arena, roots, nroots * 8);
	mc_mark_range(&m, (uintptr_t)arena, 4096);
	mc_mark_finish(&m);
	mc_mark_free(&m);
}

#define A(i) ((uint64_t)(uintptr_t)blkp[i])

static void test_single_and_list(void)
{
	reset();
	uint64_t *blkp[4];
	blkp[0] = add(16); /* single leak */
	blkp[1] = add(32); /* list head, then two more */
	blkp[2] = add(48);
	blkp[3] = add(64);
	blkp[1][0] = A(2);
	blkp[2][1] = A(3);
	run(NULL, 0, MC_HEUR_ALL);
	CHECK_INT(MC_KIND(st[0]), MC_DEFINITE);
	CHECK_INT(ind[0], 0);
	CHECK_INT(MC_KIND(st[1]), MC_DEFINITE);
	CHECK_INT(ind[1], 48 + 64);
	CHECK_INT(MC_KIND(st[2]), MC_INDIRECT);
	CHECK_INT(MC_KIND(st[3]), MC_INDIRECT);
	CHECK_INT(ind[2], 0);
}

static void test_tree_and_cycle(void)
{
	reset();
	uint64_t *blkp[10];
	for (int i = 0; i < 7; i++) /* a tree of 7: i -> 2i+1, 2i+2 */
		blkp[i] = add(24);
	for (int i = 0; i < 3; i++)
		blkp[i][0] = A(2 * i + 1), blkp[i][1] = A(2 * i + 2);
	for (int i = 7; i < 10; i++) /* a 3-cycle */
		blkp[i] = add(40);
	blkp[7][0] = A(8), blkp[8][0] = A(9), blkp[9][0] = A(7);
	run(NULL, 0, MC_HEUR_ALL);
	CHECK_INT(MC_KIND(st[0]), MC_DEFINITE);
	CHECK_INT(ind[0], 6 * 24);
	for (int i = 1; i < 7; i++)
		CHECK_INT(MC_KIND(st[i]), MC_INDIRECT);
	CHECK_INT(MC_KIND(st[7]), MC_DEFINITE); /* lowest address leads */
	CHECK_INT(ind[7], 80);
	CHECK_INT(MC_KIND(st[8]), MC_INDIRECT);
	CHECK_INT(MC_KIND(st[9]), MC_INDIRECT);
}

static void test_rooted(void)
{
	reset();
	uint64_t *blkp[6];
	for (int i = 0; i < 6; i++)
		blkp[i] = add(64);
	blkp[0][0] = A(1);     /* root -> 0 -> 1: reachable */
	blkp[2][0] = A(3);     /* root -> interior of 2 -> 3: both possible */
	blkp[3][3] = A(4) + 8; /* and 4 through an interior pointer: possible */
	/* 5: interior from the roots, then a start pointer from reachable 1 */
	blkp[1][2] = A(5);
	uint64_t roots[] = {A(0), A(2) + 16, A(5) + 24, 12345};
	run(roots, 4, MC_HEUR_ALL);
	CHECK_INT(MC_KIND(st[0]), MC_REACHABLE);
	CHECK_INT(MC_KIND(st[1]), MC_REACHABLE);
	CHECK_INT(MC_KIND(st[2]), MC_POSSIBLE);
	CHECK_INT(MC_KIND(st[3]), MC_POSSIBLE); /* a possible block cannot make it reachable */
	CHECK_INT(MC_KIND(st[4]), MC_POSSIBLE);
	CHECK_INT(MC_KIND(st[5]), MC_REACHABLE); /* upgraded, then rescanned */
	CHECK_INT(ind[2], 0);
}

static void test_swallow(void)
{
	/* X (low) -> Y; Z (high) -> X. X leads first, then Z's clique takes X
	 * and X's indirect bytes: memcheck's order. */
	reset();
	uint64_t *blkp[3];
	blkp[0] = add(100);
	blkp[1] = add(50);
	blkp[2] = add(300);
	blkp[0][0] = A(1);
	blkp[2][5] = A(0) + 40; /* interior pointers join cliques too */
	run(NULL, 0, MC_HEUR_ALL);
	CHECK_INT(MC_KIND(st[2]), MC_DEFINITE);
	CHECK_INT(ind[2], 150);
	CHECK_INT(MC_KIND(st[0]), MC_INDIRECT);
	CHECK_INT(ind[0], 0);
	CHECK_INT(MC_KIND(st[1]), MC_INDIRECT);
}

static void test_clique_order(void)
{
	/* a 3-cycle 0 -> 1 -> 2 -> 0 and a head 3 -> 1: walked by address,
	 * 0 leads the cycle and 3 is alone; walked oldest first with the
	 * head oldest (valgrind's address order on another heap layout), the
	 * head takes everything */
	for (int pass = 0; pass < 2; pass++) {
		reset();
		uint64_t *blkp[4];
		for (int i = 0; i < 4; i++)
			blkp[i] = add(16);
		blkp[0][0] = A(1), blkp[1][0] = A(2), blkp[2][0] = A(0);
		blkp[3][0] = A(1);
		static const uint32_t head_first[] = {3, 2, 1, 0};
		clique_order = pass ? head_first : NULL;
		run(NULL, 0, MC_HEUR_ALL);
		clique_order = NULL;
		if (!pass) {
			CHECK_INT(MC_KIND(st[0]), MC_DEFINITE);
			CHECK_INT(ind[0], 32);
			CHECK_INT(MC_KIND(st[3]), MC_DEFINITE);
			CHECK_INT(ind[3], 0);
		} else {
			CHECK_INT(MC_KIND(st[3]), MC_DEFINITE);
			CHECK_INT(ind[3], 48);
			for (int i = 0; i < 3; i++)
				CHECK_INT(MC_KIND(st[i]), MC_INDIRECT);
		}
	}
}

static void test_heuristics(void)
{
	reset();
	uint64_t *blkp[6];
	blkp[0] = add(3 * 8 + 20 + 1); /* stdstring */
	blkp[0][0] = 5, blkp[0][1] = 20;
	blkp[1] = add(8 + 99); /* length64 */
	blkp[1][0] = 99;
	blkp[2] = add(8 + 7 * 16); /* newarray */
	blkp[2][0] = 7;
	blkp[3] = add(64); /* multiple inheritance: two vtable pointers */
	blkp[4] = add(64); /* no match */
	blkp[4][0] = 0;
	/* fake vtables at arena+512K, functions at arena+768K */
	vt_lo = (uintptr_t)arena + (512 << 10), vt_hi = vt_lo + 4096;
	fn_lo = (uintptr_t)arena + (768 << 10), fn_hi = fn_lo + 4096;
	uint64_t *vt = (uint64_t *)(uintptr_t)vt_lo;
	vt[0] = fn_lo + 16, vt[1] = fn_lo + 32, vt[8] = fn_lo, vt[9] = 0, vt[10] = fn_lo + 64;
	blkp[3][0] = vt_lo, blkp[3][2] = vt_lo + 64;
	uint64_t roots[] = {A(0) + 24, A(1) + 8, A(2) + 8, A(3) + 16, A(4) + 8};
	run(roots, 5, MC_HEUR_ALL);
	CHECK_INT(MC_KIND(st[0]), MC_REACHABLE);
	CHECK_INT(MC_HEUR(st[0]), MC_HEUR_STDSTRING);
	CHECK_INT(MC_KIND(st[1]), MC_REACHABLE);
	CHECK_INT(MC_HEUR(st[1]), MC_HEUR_LENGTH64);
	CHECK_INT(MC_KIND(st[2]), MC_REACHABLE);
	CHECK_INT(MC_HEUR(st[2]), MC_HEUR_NEWARRAY);
	CHECK_INT(MC_KIND(st[3]), MC_REACHABLE);
	CHECK_INT(MC_HEUR(st[3]), MC_HEUR_MULTIINH);
	CHECK_INT(MC_KIND(st[4]), MC_POSSIBLE);
	CHECK_INT(MC_HEUR(st[4]), 0);
	run(roots, 5, 0); /* --leak-check-heuristics=none */
	for (int i = 0; i < 5; i++)
		CHECK_INT(MC_KIND(st[i]), MC_POSSIBLE);
	/* a start pointer clears the heuristic mark */
	uint64_t roots2[] = {A(1) + 8, A(1)};
	run(roots2, 2, MC_HEUR_ALL);
	CHECK_INT(MC_KIND(st[1]), MC_REACHABLE);
	CHECK_INT(MC_HEUR(st[1]), 0);
}

static void test_glibc_link_and_edges(void)
{
	reset();
	uint64_t *blkp[4];
	blkp[0] = add(72); /* chunk 80: the next chunk at start + 64, inside */
	blkp[1] = add(0);  /* zero-sized: its start still counts */
	blkp[2] = add(64);
	blkp[3] = add(64);
	blkp[2][0] = A(3);
	arena_fail_lo = A(2), arena_fail_hi = A(2) + 64; /* unreadable block */
	uint64_t roots[] = {A(0) + 64, A(1), A(2)};
	run(roots, 3, MC_HEUR_ALL | MC_IGNORE_GLIBC_LINKS);
	CHECK_INT(MC_KIND(st[0]), MC_DEFINITE);
	CHECK_INT(MC_KIND(st[1]), MC_REACHABLE);
	CHECK_INT(MC_KIND(st[2]), MC_REACHABLE);
	CHECK_INT(MC_KIND(st[3]), MC_DEFINITE); /* its only pointer could not be read */
	run(roots, 3, MC_HEUR_ALL);
	CHECK_INT(MC_KIND(st[0]), MC_POSSIBLE);
	CHECK_INT(mc_find_block(blk, nb, A(1)), 1);
	CHECK_INT(mc_find_block(blk, nb, A(1) + 1), -1);
}

/* A million blocks in chains both ways: no recursion, linear cliques. */
static void test_million(void)
{
	size_t n = 1000000;
	struct mc_block *b = mmap(NULL, n * sizeof *b, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *s = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t *in = mmap(NULL, n * 8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(b != MAP_FAILED && s != MAP_FAILED && in != MAP_FAILED);
	uint64_t base = (uintptr_t)arena;
	arena_fail_lo = arena_fail_hi = 0;
	for (size_t dir = 0; dir < 2; dir++) {
		for (size_t i = 0; i < n; i++) {
			b[i] = (struct mc_block){base + 8 * i, 8};
			uint64_t *w = (uint64_t *)(uintptr_t)b[i].start;
			/* dir 0: i -> i+1 (the first leads); dir 1: i -> i-1 (each
			 * leader is swallowed by the next: the last leads) */
			*w = dir == 0 ? (i + 1 < n ? b[i].start + 8 : 0) : (i ? b[i].start - 8 : 0);
		}
		struct mc_mem mem = {fake_read, NULL, NULL};
		struct mc_mark m;
		CHECK(mc_mark_init(&m, b, n, &mem, MC_HEUR_ALL, s, in) == 0);
		mc_mark_finish(&m);
		mc_mark_free(&m);
		size_t leader = dir == 0 ? 0 : n - 1;
		CHECK_INT(MC_KIND(s[leader]), MC_DEFINITE);
		CHECK_INT(in[leader], (n - 1) * 8);
		size_t indirect = 0;
		for (size_t i = 0; i < n; i++)
			indirect += MC_KIND(s[i]) == MC_INDIRECT;
		CHECK_INT(indirect, n - 1);
	}
	munmap(b, n * sizeof *b);
	munmap(s, n);
	munmap(in, n * 8);
}

/* ---- real programs, with the scan and with valgrind ---- */

static char dir[1024], root[1024];
static int built;

static int sh(const char *cmd)
{
	int r = system(cmd);
	return WIFEXITED(r) && WEXITSTATUS(r) == 0;
}

/* The four LEAK SUMMARY kinds (bytes, blocks) from a log: "N bytes in M blocks". */
static int summary(const char *path, long long out[8])
{
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	static const char *const keys[4] = {"definitely lost:", "indirectly lost:",
					    "possibly lost:", "still reachable:"};
	char line[512];
	int got = 0;
	for (int k = 0; k < 8; k++)
		out[k] = 0;
	while (fgets(line, sizeof line, f)) {
		for (int k = 0; k < 4; k++) {
			char *p = strstr(line, keys[k]);
			if (!p)
				continue;
			char digits[512];
			size_t d = 0;
			for (p += strlen(keys[k]); *p && d < sizeof digits - 1; p++)
				if (*p != ',')
					digits[d++] = *p;
			digits[d] = 0;
			if (sscanf(digits, " %lld bytes in %lld blocks", &out[2 * k], &out[2 * k + 1]) == 2)
				got |= 1 << k;
		}
	}
	fclose(f);
	return got == 0xf || got == 0; /* valgrind prints none when nothing leaked */
}

static int have_valgrind(void)
{
	static int v = -1;
	if (v < 0)
		v = !getenv("SONDE_NO_VALGRIND") && sh("valgrind --version >/dev/null 2>&1");
	return v;
}

/* Runs fixture `prog` with mode `arg` under the preload; checks the kinds
 * against `want` (bytes/blocks, definite, indirect, possible, reachable)
 * and, when valgrind is here, against valgrind's. */
static int compare(const char *prog, const char *arg, const long long want[8], char *why,
		   size_t whyn)
{
	char cmd[16384], log[1200], vlog[1200];
	long long got[8], vg[8];
	snprintf(log, sizeof log, "%s/%s_%s.sonde", dir, prog, arg);
	snprintf(cmd, sizeof cmd, "LD_PRELOAD='%s/leak_preload.so' timeout 60 '%s/%s' %s 2>'%s' >/dev/null",
		 dir, dir, prog, arg, log);
	if (!sh(cmd) || !summary(log, got)) {
		snprintf(why, whyn, "%s %s: run failed", prog, arg);
		return 0;
	}
	for (int k = 0; k < 8; k++)
		if (got[k] != want[k]) {
			snprintf(why, whyn, "%s %s: kind %d got %lld/%lld want %lld/%lld", prog, arg,
				 k / 2, got[k & ~1], got[k | 1], want[k & ~1], want[k | 1]);
			return 0;
		}
	if (!have_valgrind())
		return 1;
	snprintf(vlog, sizeof vlog, "%s/%s_%s.vg", dir, prog, arg);
	snprintf(cmd, sizeof cmd,
		 "timeout 300 valgrind --leak-check=full --show-leak-kinds=all '%s/%s' %s 2>'%s' >/dev/null",
		 dir, prog, arg, vlog);
	if (!sh(cmd) || !summary(vlog, vg)) {
		snprintf(why, whyn, "%s %s: valgrind run failed", prog, arg);
		return 0;
	}
	for (int k = 0; k < 8; k++)
		if (got[k] != vg[k]) {
			snprintf(why, whyn, "%s %s: kind %d sonde %lld/%lld valgrind %lld/%lld", prog, arg,
				 k / 2, got[k & ~1], got[k | 1], vg[k & ~1], vg[k | 1]);
			return 0;
		}
	return 1;
}

static void build_fixtures(void)
{
	const char *tmp = getenv("SONDE_TMP");
	const char *r = getenv("SONDE_ROOT");
	snprintf(root, sizeof root, "%s", r ? r : ".");
	snprintf(dir, sizeof dir, "%s/mc_leak_%d", tmp ? tmp : "/tmp", (int)getpid());
	char cmd[16384];
	snprintf(cmd, sizeof cmd,
		 "mkdir -p '%s' && cc -shared -fPIC -O2 -I'%s/runtime/memcheck' -o '%s/leak_preload.so' "
		 "'%s/tests/fixtures/leak_preload.c' '%s/runtime/memcheck/mc_mark.c' '%s/runtime/memcheck/mc_roots.c' -ldl "
		 "&& for f in graphs threads heur; do cc -O2 -g -pthread -o '%s'/$f "
		 "'%s'/tests/fixtures/leak_$f.c || exit 1; done",
		 dir, root, dir, root, root, root, dir, root);
	built = sh(cmd);
}

#define RUN_REAL(prog, arg, ...)                                                          \
	do {                                                                              \
		static const long long want_[8] = {__VA_ARGS__};                          \
		char why_[512];                                                           \
		if (!compare(prog, arg, want_, why_, sizeof why_)) {                      \
			printf("FAIL %s: %s\n", unit_current_, why_);                     \
			unit_current_failed_ = 1;                                         \
			return;                                                           \
		}                                                                         \
	} while (0)

static void test_real_graphs(void)
{
	CHECK(built);
	RUN_REAL("graphs", "list", 64, 1, 576, 9, 0, 0, 0, 0);
	RUN_REAL("graphs", "tree", 72, 1, 1008, 14, 0, 0, 0, 0);
	RUN_REAL("graphs", "cycle", 80, 1, 160, 2, 0, 0, 0, 0);
	RUN_REAL("graphs", "interior", 0, 0, 0, 0, 200, 1, 0, 0);
	RUN_REAL("graphs", "possible_child", 0, 0, 0, 0, 192, 3, 0, 0);
	RUN_REAL("graphs", "global", 0, 0, 0, 0, 0, 0, 320, 5);
	RUN_REAL("graphs", "swallow", 364, 1, 328, 2, 0, 0, 0, 0);
	RUN_REAL("graphs", "fromlost", 64, 1, 408, 6, 0, 0, 0, 0);
	RUN_REAL("graphs", "all", 644, 5, 2480, 33, 392, 4, 336, 6);
}

static void test_real_threads(void)
{
	CHECK(built);
	RUN_REAL("threads", "none", 64, 1, 384, 2, 0, 0, 0, 0);
	RUN_REAL("threads", "tls", 0, 0, 0, 0, 0, 0, 448, 3);
	/* 288: glibc's TLS block of the parked thread (calloc'd, reached only
	 * through an interior pointer): possibly lost in valgrind too */
	RUN_REAL("threads", "tls_thread", 0, 0, 0, 0, 288, 1, 448, 3);
	RUN_REAL("threads", "stack", 0, 0, 0, 0, 288, 1, 448, 3);
#if defined(__x86_64__)
	RUN_REAL("threads", "reg", 0, 0, 0, 0, 288, 1, 448, 3);
#endif
}

static void test_real_heuristics(void)
{
	CHECK(built);
	RUN_REAL("heur", "", 0, 0, 0, 0, 90, 1, 272, 3);
}

int main(void)
{
	arena = mmap(NULL, ARENA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (arena == MAP_FAILED)
		return 1;
	RUN(test_single_and_list);
	RUN(test_tree_and_cycle);
	RUN(test_rooted);
	RUN(test_swallow);
	RUN(test_clique_order);
	RUN(test_heuristics);
	RUN(test_glibc_link_and_edges);
	RUN(test_million);
	if (!getenv("SONDE_NO_CC")) {
		build_fixtures();
		RUN(test_real_graphs);
		RUN(test_real_threads);
		RUN(test_real_heuristics);
		if (built) {
			char cmd[8192];
			snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
			(void)!system(cmd);
		}
	}
	if (!have_valgrind())
		printf("SKIP test_mc_leak: valgrind not installed, compared with the expected figures only\n");
	UNIT_EXIT();
}

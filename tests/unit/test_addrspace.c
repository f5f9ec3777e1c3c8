/* The shared address spaces (binary/addrspace.h): maps trimmed as mmap
 * does, exec, fork, exit, and the generation readers cache by. */
#include "binary/addrspace.h"
#include "unit.h"

static struct as_map map(uint64_t start, uint64_t end, uint64_t pgoff, uint32_t module)
{
	struct as_map m = { start, end, (int64_t)(start - pgoff), 0, module };
	return m;
}

static void test_overlap(void)
{
	struct addrspaces *as = addrspaces_new();
	CHECK_INT(addrspaces_gen(as, 7), 0);
	struct as_map a = map(0x1000, 0x5000, 0, 1);
	addrspaces_mmap(as, 7, &a);
	CHECK_INT(addrspaces_gen(as, 7), 1);
	/* a map in the middle: the old one keeps a head and a tail, whose file
	 * offsets still follow from the same bias */
	struct as_map b = map(0x2000, 0x3000, 0x9000, 2);
	addrspaces_mmap(as, 7, &b);
	size_t n;
	const struct as_map *m = addrspaces_maps(as, 7, &n);
	CHECK_INT(n, 3);
	CHECK(m[0].start == 0x1000 && m[0].end == 0x2000 && m[0].module == 1);
	CHECK(m[1].start == 0x2000 && m[1].end == 0x3000 && m[1].module == 2);
	CHECK(m[2].start == 0x3000 && m[2].end == 0x5000 && m[2].module == 1);
	const struct as_map *f = addrspaces_find(as, 7, 0x3800);
	CHECK(f && f->module == 1);
	CHECK_INT(0x3800 - f->off_bias, 0x2800); /* offset in module 1's file */
	f = addrspaces_find(as, 7, 0x2400);
	CHECK(f && f->module == 2);
	CHECK_INT(0x2400 - f->off_bias, 0x9400);
	CHECK(!addrspaces_find(as, 7, 0x5000));
	CHECK(!addrspaces_find(as, 8, 0x1000)); /* another process */
	/* empty and wrapping maps change nothing */
	struct as_map empty = map(0x8000, 0x8000, 0, 3);
	addrspaces_mmap(as, 7, &empty);
	CHECK_INT(addrspaces_gen(as, 7), 2);
	addrspaces_free(as);
}

static void test_fork_exec_exit(void)
{
	struct addrspaces *as = addrspaces_new();
	struct as_map a = map(0x1000, 0x2000, 0, 1);
	addrspaces_mmap(as, 10, &a);
	addrspaces_fork(as, 10, 11);
	CHECK(addrspaces_find(as, 11, 0x1800));
	uint32_t g = addrspaces_gen(as, 11);
	CHECK(g != 0);
	addrspaces_fork(as, 10, 10); /* a thread: nothing */
	CHECK_INT(addrspaces_gen(as, 10), 1);
	addrspaces_exec(as, 11);
	CHECK(!addrspaces_find(as, 11, 0x1800));
	CHECK(addrspaces_gen(as, 11) != g);
	CHECK(addrspaces_find(as, 10, 0x1800)); /* the parent keeps its maps */
	addrspaces_fork(as, 99, 12); /* a parent never seen: no maps */
	size_t n;
	addrspaces_maps(as, 12, &n);
	CHECK_INT(n, 0);
	addrspaces_exit(as, 10);
	CHECK(!addrspaces_find(as, 10, 0x1800));
	addrspaces_free(as);
}

int main(void)
{
	RUN(test_overlap);
	RUN(test_fork_exec_exit);
	UNIT_EXIT();
}

/* Allocators sonde heap can't see: the symbol verdicts, the trace evidence
 * for Rust allocators, the messages. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heap/allocator_check.h"
#include "unit.h"

static enum heap_alloc_kind verdict(const char *const *defined, const char *const *undefined, bool interp,
				    const char **name)
{
	struct heap_alloc_scan s = { 0 };
	s.has_interp = interp;
	for (size_t i = 0; defined && defined[i]; i++)
		heap_alloc_scan_symbol(&s, defined[i], true);
	for (size_t i = 0; undefined && undefined[i]; i++)
		heap_alloc_scan_symbol(&s, undefined[i], false);
	return heap_alloc_scan_result(&s, name);
}

static void test_c_programs(void)
{
	const char *name;
	const char *plain[] = { "main", "_start", "use", NULL }, *imports[] = { "malloc", "free", NULL };
	CHECK_INT(verdict(plain, imports, true, &name), HEAP_ALLOC_SYSTEM);
	CHECK(name == NULL);
	CHECK_INT(verdict(plain, imports, false, &name), HEAP_ALLOC_STATIC_EXE);
	const char *je[] = { "main", "je_malloc", "je_free", NULL };
	CHECK_INT(verdict(je, NULL, true, &name), HEAP_ALLOC_LINKED);
	CHECK_STR(name, "jemalloc");
	const char *unprefixed[] = { "main", "malloc", "mallocx", "free", NULL };
	CHECK_INT(verdict(unprefixed, NULL, true, &name), HEAP_ALLOC_LINKED);
	CHECK_STR(name, "jemalloc");
	const char *mi[] = { "mi_malloc", "mi_free", NULL };
	CHECK_INT(verdict(mi, NULL, true, &name), HEAP_ALLOC_LINKED);
	CHECK_STR(name, "mimalloc");
	const char *tc[] = { "_ZN8tcmalloc11ThreadCache8AllocateEm", NULL };
	CHECK_INT(verdict(tc, NULL, true, &name), HEAP_ALLOC_LINKED);
	CHECK_STR(name, "tcmalloc");
	const char *own[] = { "main", "malloc", "free", "calloc", NULL };
	CHECK_INT(verdict(own, NULL, true, &name), HEAP_ALLOC_OWN_MALLOC);
	/* calling a library's mi_malloc is not having it linked in */
	const char *mi_import[] = { "mi_malloc", NULL };
	CHECK_INT(verdict(plain, mi_import, true, &name), HEAP_ALLOC_SYSTEM);
}

static void test_rust_programs(void)
{
	const char *name;
	/* rustc >= 1.8x: v0-mangled shims in the __rustc crate */
	const char *dflt[] = { "_RNvCsfLfy6EI15iL_7___rustc12___rust_alloc", "_RNvCsfLfy6EI15iL_7___rustc11___rdl_alloc",
			       "_RNvCsfLfy6EI15iL_7___rustc19___rust_alloc_zeroed", NULL };
	CHECK_INT(verdict(dflt, NULL, true, &name), HEAP_ALLOC_SYSTEM);
	const char *custom[] = { "_RNvCsfLfy6EI15iL_7___rustc12___rust_alloc",
				 "_RNvCsfLfy6EI15iL_7___rustc19___rust_alloc_zeroed", NULL };
	CHECK_INT(verdict(custom, NULL, true, &name), HEAP_ALLOC_RUST_CUSTOM);
	/* older rustc: plain names; the glue of #[global_allocator] */
	const char *old_dflt[] = { "__rust_alloc", "__rdl_alloc", NULL };
	CHECK_INT(verdict(old_dflt, NULL, true, &name), HEAP_ALLOC_SYSTEM);
	const char *old_custom[] = { "__rust_alloc", "__rg_alloc", "__rdl_alloc", NULL };
	CHECK_INT(verdict(old_custom, NULL, true, &name), HEAP_ALLOC_RUST_CUSTOM);
	/* std as a shared library: the default allocator is imported */
	const char *shim[] = { "__rust_alloc", NULL }, *rdl[] = { "__rdl_alloc", NULL };
	CHECK_INT(verdict(shim, rdl, true, &name), HEAP_ALLOC_SYSTEM);
	/* a Rust program with mimalloc as its global allocator */
	const char *rmi[] = { "__rust_alloc", "mi_malloc_aligned", "mi_free", NULL };
	CHECK_INT(verdict(rmi, NULL, true, &name), HEAP_ALLOC_LINKED);
	CHECK_STR(name, "mimalloc");
	const char *rje[] = { "__rust_alloc", "_rjem_mallocx", "_rjem_sdallocx", NULL };
	CHECK_INT(verdict(rje, NULL, true, &name), HEAP_ALLOC_LINKED);
	CHECK_STR(name, "jemalloc");
	/* look-alikes */
	const char *alike[] = { "__rust_alloc_zeroed", "my__rust_alloc", "x12___rust_allocx", NULL };
	CHECK_INT(verdict(alike, NULL, true, &name), HEAP_ALLOC_SYSTEM);
}

static void test_messages(void)
{
	char b[512];
	heap_alloc_message(b, sizeof(b), "/x/y/prog", HEAP_ALLOC_LINKED, "jemalloc");
	CHECK_STR(b, "prog uses a statically linked allocator (jemalloc): its allocations do not go through malloc "
		     "and are not seen; build with the system allocator to profile them");
	heap_alloc_message(b, sizeof(b), "prog", HEAP_ALLOC_OWN_MALLOC, NULL);
	CHECK(strstr(b, "(its own malloc)"));
	heap_alloc_message(b, sizeof(b), "prog", HEAP_ALLOC_RUST_CUSTOM, NULL);
	CHECK(strstr(b, "#[global_allocator]"));
	heap_alloc_message(b, sizeof(b), "prog", HEAP_ALLOC_STATIC_EXE, NULL);
	CHECK(strstr(b, "statically linked: LD_PRELOAD"));
	heap_alloc_message(b, 8, NULL, HEAP_ALLOC_STATIC_EXE, NULL); /* cut, terminated */
	CHECK_INT(strlen(b), 7);
}

static void test_files(void)
{
	enum heap_alloc_kind k;
	const char *name;
	CHECK(heap_alloc_check_file("/bin/sh", &k, &name));
	CHECK_INT(k, HEAP_ALLOC_SYSTEM);
	CHECK(!heap_alloc_check_file("/proc/self/status", &k, &name));
	CHECK(!heap_alloc_check_file("/nonexistent", &k, &name));
	CHECK(!heap_alloc_check_file(NULL, &k, &name));
}

static void add_node(struct heap_trace *t, uint64_t id, uint64_t ip)
{
	struct heap_stack_node n = { id, 0, ip };
	u64map_upsert(&t->node_index, id, t->nodes.n, NULL);
	vec_push(&t->nodes, n);
}

static void test_exe_calls(void)
{
	struct heap_trace t;
	heap_trace_init(&t);
	t.exe = strdup("/x/prog");
	struct heap_module exe = { .bias = 0x1000, .path = strdup("") },
			   libc = { .bias = 0x10000, .path = strdup("/lib/libc.so.6") },
			   named = { .bias = 0x20000, .path = strdup("/x/prog") };
	struct heap_segment seg = { 0, 0x1000, 5 };
	vec_push(&exe.segs, seg);
	vec_push(&libc.segs, seg);
	vec_push(&named.segs, seg);
	vec_push(&t.modules, exe);
	vec_push(&t.modules, libc);
	vec_push(&t.modules, named);
	add_node(&t, 1, 0x1100);  /* in the executable (empty path) */
	add_node(&t, 2, 0x10100); /* in libc */
	add_node(&t, 3, 0x20100); /* the executable by name */
	add_node(&t, 4, 0x1000);  /* return address at the start: the call is before it */
	struct heap_analysis a;
	memset(&a, 0, sizeof(a));
	struct heap_cost c1 = { .stack = 1, .allocations = 5 }, c2 = { .stack = 2, .allocations = 7 },
			 c3 = { .stack = 3, .allocations = 11 }, c4 = { .stack = 4, .allocations = 100 },
			 c9 = { .stack = 9, .allocations = 1000 }; /* unknown stack */
	vec_push(&a.costs, c1);
	vec_push(&a.costs, c2);
	vec_push(&a.costs, c3);
	vec_push(&a.costs, c4);
	vec_push(&a.costs, c9);
	CHECK_INT(heap_alloc_exe_calls(&t, &a), 16);
	vec_free(&a.costs);
	heap_trace_free(&t);
}

int main(void)
{
	RUN(test_c_programs);
	RUN(test_rust_programs);
	RUN(test_messages);
	RUN(test_files);
	RUN(test_exe_calls);
	UNIT_EXIT();
}

/* Does the traced program allocate where sonde heap can't see? */
#include "heap/allocator_check.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "binary/elf_symbols.h"
#include "util/die.h"

/* Entry points that only an allocator library defines. */
static const struct {
	const char *sym, *lib;
} known[] = {
	{ "je_malloc", "jemalloc" },     { "je_mallocx", "jemalloc" },   { "mallocx", "jemalloc" },
	{ "_rjem_malloc", "jemalloc" },  { "_rjem_mallocx", "jemalloc" }, /* tikv-jemallocator's prefix */
	{ "mi_malloc", "mimalloc" },     { "mi_heap_malloc", "mimalloc" }, { "mi_malloc_aligned", "mimalloc" },
	{ "tc_malloc", "tcmalloc" },     { "tc_new", "tcmalloc" },
	{ "sn_rust_alloc", "snmalloc" }, { "rpmalloc", "rpmalloc" },     { "rpmalloc_initialize", "rpmalloc" },
};

/* C++ namespaces of allocators without a C entry point. */
static const struct {
	const char *prefix, *lib;
} known_ns[] = {
	{ "_ZN8tcmalloc", "tcmalloc" },
	{ "_ZN8snmalloc", "snmalloc" },
};

/* A Rust allocator shim symbol: plain (older rustc) or v0-mangled in the
 * `__rustc` crate ("..._7___rustc12___rust_alloc": length, '_', name);
 * vsuffix is the v0 ending ("12___rust_alloc"). */
static bool rust_sym(const char *name, size_t n, const char *ident, const char *vsuffix)
{
	size_t k = strlen(vsuffix);
	return !strcmp(name, ident) || (n > k && !memcmp(name + n - k, vsuffix, k));
}

void heap_alloc_scan_symbol(struct heap_alloc_scan *s, const char *name, bool defined)
{
	size_t n = strlen(name);
	if (n >= 10 && !memcmp(name + n - 6, "_alloc", 6)) {
		/* __rdl_alloc is std's default (System) allocator: present,
		 * defined or imported from a libstd.so, only when nothing
		 * replaced it */
		if (rust_sym(name, n, "__rdl_alloc", "11___rdl_alloc"))
			s->rust_default = true;
		else if (defined && rust_sym(name, n, "__rust_alloc", "12___rust_alloc"))
			s->rust_alloc = true;
		else if (defined && rust_sym(name, n, "__rg_alloc", "10___rg_alloc")) /* #[global_allocator]'s glue */
			s->rust_glue = true;
	}
	if (!defined)
		return;
	if (!strcmp(name, "malloc"))
		s->own_malloc = true;
	if (s->lib)
		return;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(name, known[i].sym))
			s->lib = known[i].lib;
	for (size_t i = 0; i < sizeof(known_ns) / sizeof(known_ns[0]); i++)
		if (!strncmp(name, known_ns[i].prefix, strlen(known_ns[i].prefix)))
			s->lib = known_ns[i].lib;
}

enum heap_alloc_kind heap_alloc_scan_result(const struct heap_alloc_scan *s, const char **name)
{
	*name = NULL;
	if (!s->has_interp)
		return HEAP_ALLOC_STATIC_EXE;
	if (s->lib) {
		*name = s->lib;
		return HEAP_ALLOC_LINKED;
	}
	if (s->own_malloc)
		return HEAP_ALLOC_OWN_MALLOC;
	if (s->rust_alloc && (s->rust_glue || !s->rust_default))
		return HEAP_ALLOC_RUST_CUSTOM;
	return HEAP_ALLOC_SYSTEM;
}

static bool scan_cb(const struct elf_any_sym *sym, void *ctx)
{
	if (sym->type == STT_FUNC || sym->type == STT_GNU_IFUNC || sym->type == STT_NOTYPE)
		heap_alloc_scan_symbol(ctx, sym->name, sym->defined);
	return true;
}

bool heap_alloc_check_file(const char *path, enum heap_alloc_kind *kind, const char **name)
{
	*kind = HEAP_ALLOC_SYSTEM;
	*name = NULL;
	elf_version(EV_CURRENT);
	int fd;
	Elf *elf = path ? elf_open_file(path, &fd) : NULL;
	if (!elf)
		return false;
	struct heap_alloc_scan s = { 0 };
	GElf_Ehdr eh;
	size_t nph = 0;
	bool ok = gelf_getehdr(elf, &eh) && (eh.e_type == ET_EXEC || eh.e_type == ET_DYN) &&
		  elf_getphdrnum(elf, &nph) == 0;
	for (size_t i = 0; ok && i < nph && i < 65536; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_INTERP)
			s.has_interp = true;
	}
	if (ok) {
		elf_each_symbol(elf, scan_cb, &s);
		*kind = heap_alloc_scan_result(&s, name);
	}
	elf_close_file(elf, fd);
	return ok;
}

/* The executable's module: its path, or an empty one (the main program). */
static bool is_exe(const struct heap_trace *t, const struct heap_module *m)
{
	return !m->path || !*m->path || (t->exe && !strcmp(m->path, t->exe));
}

uint64_t heap_alloc_exe_calls(const struct heap_trace *t, const struct heap_analysis *a)
{
	uint64_t n = 0;
	for (size_t i = 0; i < a->costs.n; i++) {
		uint64_t *slot = a->costs.v[i].stack ? u64map_get(&t->node_index, a->costs.v[i].stack) : NULL;
		if (!slot || *slot >= t->nodes.n)
			continue;
		uint64_t ip = t->nodes.v[*slot].ip - 1; /* a return address: the call is before it */
		for (size_t k = 0; k < t->modules.n; k++) {
			const struct heap_module *m = &t->modules.v[k];
			bool in = false;
			for (size_t j = 0; j < m->segs.n && !in; j++)
				in = ip - m->bias - m->segs.v[j].vaddr < m->segs.v[j].memsz;
			if (in) {
				if (is_exe(t, m))
					n += a->costs.v[i].allocations;
				break;
			}
		}
	}
	return n;
}

void heap_alloc_message(char *buf, size_t n, const char *prog, enum heap_alloc_kind kind, const char *name)
{
	const char *base = prog ? strrchr(prog, '/') : NULL;
	base = base ? base + 1 : prog ? prog : "the program";
	switch (kind) {
	case HEAP_ALLOC_STATIC_EXE:
		snprintf(buf, n, "%s is statically linked: LD_PRELOAD cannot hook its allocations and none are seen; "
				 "link it dynamically to profile them", base);
		break;
	case HEAP_ALLOC_RUST_CUSTOM:
		snprintf(buf, n, "%s uses a custom Rust #[global_allocator] that does not call malloc: its allocations "
				 "are not seen; build with the system allocator (std::alloc::System) to profile them", base);
		break;
	case HEAP_ALLOC_OWN_MALLOC:
	case HEAP_ALLOC_LINKED:
		snprintf(buf, n, "%s uses a statically linked allocator (%s): its allocations do not go through malloc "
				 "and are not seen; build with the system allocator to profile them",
			 base, kind == HEAP_ALLOC_LINKED && name ? name : "its own malloc");
		break;
	case HEAP_ALLOC_SYSTEM:
		snprintf(buf, n, "%s allocates through malloc", base);
		break;
	}
}

/* argv[0] as execvp finds it. */
static char *find_program(const char *argv0)
{
	if (strchr(argv0, '/'))
		return xstrdup(argv0);
	const char *path = getenv("PATH");
	for (const char *p = path ? path : "/usr/bin:/bin"; p;) {
		const char *colon = strchr(p, ':');
		size_t len = colon ? (size_t)(colon - p) : strlen(p);
		char *cand = xasprintf("%.*s%s%s", (int)len, len ? p : ".", "/", argv0);
		if (access(cand, X_OK) == 0)
			return cand;
		free(cand);
		p = colon ? colon + 1 : NULL;
	}
	return NULL;
}

static void print_warning(const char *msg)
{
	if (!strcmp(sonde_progname, "sonde"))
		fprintf(stderr, "sonde heap: %s\n", msg);
	else
		fprintf(stderr, "%s: %s\n", sonde_progname, msg);
}

void heap_alloc_check_recorded(const char *argv0, const char *trace)
{
	char *path = find_program(argv0);
	enum heap_alloc_kind kind;
	const char *name;
	if (!path || !heap_alloc_check_file(path, &kind, &name) || kind == HEAP_ALLOC_SYSTEM) {
		free(path);
		return;
	}
	if (kind == HEAP_ALLOC_RUST_CUSTOM) {
		struct heap_trace t;
		heap_trace_init(&t);
		bool read = heap_trace_read_file(&t, trace, true) == 0;
		uint64_t calls = 1;
		if (read) {
			struct heap_analysis a;
			heap_analyze(&t, &a);
			calls = heap_alloc_exe_calls(&t, &a);
			heap_analysis_free(&a);
		}
		heap_trace_free(&t);
		if (calls) { /* it calls malloc (or the trace can't tell): seen */
			free(path);
			return;
		}
	}
	char msg[512];
	heap_alloc_message(msg, sizeof(msg), argv0, kind, name);
	print_warning(msg);
	free(path);
}

void heap_alloc_check_report(FILE *out, const struct heap_trace *t, const struct heap_analysis *a)
{
	/* the executable the runtime named, else the recorded command's */
	char *path = NULL;
	if (t->exe && *t->exe) {
		path = xstrdup(t->exe);
	} else if (heap_trace_cmdline(t)) {
		const char *c = heap_trace_cmdline(t);
		char *argv0 = xstrndup(c, strcspn(c, " "));
		path = *argv0 ? find_program(argv0) : NULL;
		free(argv0);
	}
	enum heap_alloc_kind kind;
	const char *name;
	if (path && heap_alloc_check_file(path, &kind, &name) && kind != HEAP_ALLOC_SYSTEM &&
	    (kind != HEAP_ALLOC_RUST_CUSTOM || !heap_alloc_exe_calls(t, a))) {
		char msg[512];
		heap_alloc_message(msg, sizeof(msg), path, kind, name);
		if (out)
			fprintf(out, "note: %s\n", msg);
		else
			print_warning(msg);
	}
	free(path);
}

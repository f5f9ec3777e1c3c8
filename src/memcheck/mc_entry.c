/* The runtime's entry points as report frames (mc_entry.h). */
#include "memcheck/mc_entry.h"

#include <stdlib.h>
#include <string.h>

#include "binary/elf_symbols.h"
#include "util/die.h"

/* valgrind's printed name -> the symbol sonde's runtime exports */
static const struct {
	const char *printed, *symbol;
	bool strings; /* in libsonde-mcstr.so */
} k_entries[] = {
	{ "malloc", "malloc", false },
	{ "calloc", "calloc", false },
	{ "realloc", "realloc", false },
	{ "reallocarray", "reallocarray", false },
	{ "free", "free", false },
	{ "memalign", "memalign", false },
	{ "posix_memalign", "posix_memalign", false },
	{ "aligned_alloc", "aligned_alloc", false },
	{ "valloc", "valloc", false },
	{ "pvalloc", "pvalloc", false },
	{ "operator new(unsigned long)", "_Znwm", false },
	{ "operator new[](unsigned long)", "_Znam", false },
	{ "operator delete(void*)", "_ZdlPv", false },
	{ "operator delete[](void*)", "_ZdaPv", false },
	{ "operator delete(void*, unsigned long)", "_ZdlPvm", false },
	{ "operator delete[](void*, unsigned long)", "_ZdaPvm", false },
	{ "operator delete(void*, std::align_val_t)", "_ZdlPvSt11align_val_t", false },
	{ "operator delete[](void*, std::align_val_t)", "_ZdaPvSt11align_val_t", false },
	{ "operator delete(void*, unsigned long, std::align_val_t)", "_ZdlPvmSt11align_val_t", false },
	{ "operator delete[](void*, unsigned long, std::align_val_t)", "_ZdaPvmSt11align_val_t", false },
	{ "operator delete(void*, std::nothrow_t const&)", "_ZdlPvRKSt9nothrow_t", false },
	{ "operator delete[](void*, std::nothrow_t const&)", "_ZdaPvRKSt9nothrow_t", false },
	{ "operator delete(void*, std::align_val_t, std::nothrow_t const&)", "_ZdlPvSt11align_val_tRKSt9nothrow_t", false },
	{ "operator delete[](void*, std::align_val_t, std::nothrow_t const&)", "_ZdaPvSt11align_val_tRKSt9nothrow_t", false },
	{ "_exit", "_exit", false },
	{ "memcpy", "memcpy", true },
	{ "mempcpy", "mempcpy", true },
	{ "strcpy", "strcpy", true },
	{ "stpcpy", "stpcpy", true },
	{ "strncpy", "strncpy", true },
	{ "stpncpy", "stpncpy", true },
	{ "strcat", "strcat", true },
	{ "strncat", "strncat", true },
	{ "wcscpy", "wcscpy", true },
};
#define N_ENTRIES (sizeof k_entries / sizeof k_entries[0])
_Static_assert(N_ENTRIES <= MC_ENTRY_MAX, "struct mc_entries holds every entry point");

struct scan {
	struct mc_entries *e;
	uint64_t bias;
	bool strings;
};

static bool take_symbol(const struct elf_any_sym *s, void *ctx)
{
	struct scan *sc = ctx;
	if (!s->defined || !s->value)
		return true;
	for (size_t i = 0; i < N_ENTRIES; i++)
		if (k_entries[i].strings == sc->strings && !strcmp(s->name, k_entries[i].symbol))
			sc->e->sym[i].ip = sc->bias + s->value;
	return true;
}

static void read_object(struct mc_entries *e, const struct heap_trace *t, const char *path, bool strings)
{
	if (!path)
		return;
	const struct heap_module *m = NULL;
	for (size_t i = 0; i < t->modules.n; i++)
		if (t->modules.v[i].path && !strcmp(t->modules.v[i].path, path))
			m = &t->modules.v[i];
	if (!m)
		return; /* not loaded (or not preloaded under this name): addresses stay 0 */
	int fd;
	Elf *elf = elf_open_file(path, &fd);
	if (!elf)
		return;
	struct scan sc = { e, m->bias, strings };
	elf_each_symbol(elf, take_symbol, &sc);
	elf_close_file(elf, fd);
}

void mc_entries_init(struct mc_entries *e, const struct heap_trace *t, const char *rt_path)
{
	memset(e, 0, sizeof *e);
	e->n = N_ENTRIES;
	for (size_t i = 0; i < N_ENTRIES; i++)
		e->sym[i].name = k_entries[i].symbol;
	if (rt_path) {
		e->rt_path = xstrdup(rt_path);
		const char *slash = strrchr(rt_path, '/');
		e->str_path = xasprintf("%.*slibsonde-mcstr.so", slash ? (int)(slash - rt_path + 1) : 0, rt_path);
	}
	read_object(e, t, e->rt_path, false);
	read_object(e, t, e->str_path, true);
}

void mc_entries_free(struct mc_entries *e)
{
	free(e->rt_path);
	free(e->str_path);
	memset(e, 0, sizeof *e);
}

struct mc_frame mc_entry_frame(const struct mc_entries *e, const char *func)
{
	struct mc_frame f = { 0 };
	f.func = func;
	f.object = e->rt_path;
	for (size_t i = 0; i < N_ENTRIES; i++)
		if (!strcmp(func, k_entries[i].printed)) {
			f.mangled = k_entries[i].symbol;
			f.ip = e->sym[i].ip;
			if (k_entries[i].strings)
				f.object = e->str_path;
			break;
		}
	return f;
}

/* The runtime's own thread-locals (initial-exec __thread variables) make
 * libsonde-rt.so one more TLS module of every process it is preloaded
 * into, so the dynamic thread vector ld.so allocates for each new thread
 * (allocate_dtv: calloc(highest module id + 16, sizeof(dtv_t)), 16-byte
 * entries) has one entry more than the program alone would have: 288
 * bytes where valgrind, whose preload has no TLS, reports 272. Such a
 * block keeps its real size inside the runtime (its checks, the leak
 * scan) and is reported at the program's own size. */
#include <elf.h>
#include <link.h>
#include <string.h>

#include "heap_protocol.h"
#include "rt.h"

static uint64_t g_ldso_lo, g_ldso_hi; /* ld.so's code */

struct find_ldso {
	const char *interp; /* the executable's PT_INTERP */
};

static int find_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct find_ldso *f = arg;
	(void)size;
	if (!f->interp) { /* the first object is the executable */
		for (size_t i = 0; i < info->dlpi_phnum; i++)
			if (info->dlpi_phdr[i].p_type == PT_INTERP)
				f->interp = (const char *)(uintptr_t)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
		return f->interp ? 0 : 1;
	}
	if (!info->dlpi_name || strcmp(info->dlpi_name, f->interp))
		return 0;
	for (size_t i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
			g_ldso_lo = info->dlpi_addr + ph->p_vaddr;
			g_ldso_hi = g_ldso_lo + ph->p_memsz;
		}
	}
	return 1;
}

void rt_tls_init(void)
{
	struct find_ldso f = { NULL };
	dl_iterate_phdr(find_cb, &f);
}

int rt_tls_calloc_kind(uint64_t caller, size_t n, size_t m)
{
	if (m == 16 && n > 16 && caller >= g_ldso_lo && caller < g_ldso_hi)
		return HK_CALLOC | RT_KIND_THREAD_VECTOR;
	return HK_CALLOC;
}

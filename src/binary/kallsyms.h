/* /proc/kallsyms: kernel text symbols, sorted by address. */
#ifndef SONDE_BINARY_KALLSYMS_H
#define SONDE_BINARY_KALLSYMS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ksym {
	uint64_t start, end;
	uint32_t name;   /* offset into kallsyms.names */
	uint32_t module; /* offset of "[module]" in names, or UINT32_MAX for the core kernel */
};

struct kallsyms {
	struct ksym *syms;
	size_t n;
	char *names;
	size_t names_len, names_cap;
	bool visible; /* some address was non-zero */
};

/* Parses a kallsyms-format file; false if it cannot be read. Addresses that
 * are all zero (kptr_restrict) leave visible == false and no symbols. */
bool kallsyms_load(struct kallsyms *k, const char *path);
const struct ksym *kallsyms_find(const struct kallsyms *k, uint64_t addr);
void kallsyms_free(struct kallsyms *k);

#endif

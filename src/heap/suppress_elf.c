/* Embedded suppressions: the text a program's __lsan_default_suppressions()
 * returns. heaptrack calls the function inside the traced process; sonde
 * reads it from the executable afterwards, which works for the usual
 * `return "leak:...\n";` (the function loads a constant address). */
#include "heap/suppress.h"

#include <stdlib.h>
#include <string.h>

#include "binary/elf_symbols.h"
#include "util/die.h"

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

bool supp_x86_returned_address(const uint8_t *c, size_t n, uint64_t vaddr, uint64_t *out)
{
	size_t i = 0;
	if (n >= 4 && !memcmp(c, "\xf3\x0f\x1e\xfa", 4)) /* endbr64 */
		i += 4;
	if (i < n && c[i] == 0x55) { /* push rbp; mov rbp, rsp (-O0) */
		if (n - i < 4 || memcmp(c + i + 1, "\x48\x89\xe5", 3))
			return false;
		i += 4;
	}
	if (n - i >= 7 && !memcmp(c + i, "\x48\x8d\x05", 3)) { /* lea disp32(%rip), %rax */
		*out = vaddr + i + 7 + (uint64_t)(int64_t)(int32_t)rd32(c + i + 3);
		return true;
	}
	if (n - i >= 5 && c[i] == 0xb8) { /* mov $imm32, %eax (non-PIE) */
		*out = rd32(c + i + 1);
		return true;
	}
	if (n - i >= 7 && !memcmp(c + i, "\x48\xc7\xc0", 3)) { /* mov $simm32, %rax */
		*out = (uint64_t)(int64_t)(int32_t)rd32(c + i + 3);
		return true;
	}
	if (n - i >= 10 && c[i] == 0x48 && c[i + 1] == 0xb8) { /* movabs $imm64, %rax */
		*out = (uint64_t)rd32(c + i + 2) | (uint64_t)rd32(c + i + 6) << 32;
		return true;
	}
	return false;
}

struct find {
	uint64_t addr;
	bool found;
};

static bool find_fn(const struct elf_any_sym *s, void *ctx)
{
	struct find *f = ctx;
	if (!s->defined || s->type != STT_FUNC || strcmp(s->name, "__lsan_default_suppressions"))
		return true;
	f->addr = s->value;
	f->found = true;
	return false;
}

#define SUPP_TEXT_MAX (1u << 20)

char *supp_embedded_text(const char *path, const char **why)
{
	*why = NULL;
	elf_version(EV_CURRENT);
	int fd;
	Elf *elf = path ? elf_open_file(path, &fd) : NULL;
	if (!elf)
		return NULL;
	struct find f = { 0, false };
	elf_each_symbol(elf, find_fn, &f);
	char *text = NULL;
	GElf_Ehdr eh;
	uint8_t code[32];
	uint64_t at;
	if (!f.found) {
		/* none: nothing to say */
	} else if (!gelf_getehdr(elf, &eh) || eh.e_machine != EM_X86_64) {
		*why = "only x86-64 code is read";
	} else if (!supp_x86_returned_address(code, elf_read_vaddr(elf, f.addr, code, sizeof(code)), f.addr, &at)) {
		*why = "it does not simply return a string constant";
	} else {
		/* the string: up to its NUL, within what the file maps */
		size_t cap = 4096, n = 0;
		text = xmalloc(cap);
		for (;;) {
			size_t k = elf_read_vaddr(elf, at + n, text + n, cap - n);
			char *nul = k ? memchr(text + n, 0, k) : NULL;
			if (nul)
				break;
			n += k;
			if (!k || cap >= SUPP_TEXT_MAX) {
				free(text);
				text = NULL;
				*why = "its string is not in the file";
				break;
			}
			cap *= 2;
			text = xrealloc(text, cap);
		}
	}
	elf_close_file(elf, fd);
	return text;
}

void supp_add_embedded(struct heap_suppressions *s, const char *exe)
{
	const char *why;
	char *text = supp_embedded_text(exe, &why);
	if (text)
		supp_add_text(s, text, strlen(text), "__lsan_default_suppressions()");
	else if (why)
		warn("ignoring the suppressions __lsan_default_suppressions() returns in %s: %s; pass them with --suppressions",
		     exe, why);
	free(text);
}

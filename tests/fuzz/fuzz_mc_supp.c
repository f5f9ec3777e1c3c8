/* libFuzzer target: the valgrind suppression parser on any bytes, then
 * every parsed suppression matched against a stack named from the same
 * input (patterns are untrusted: '*' and '...' must stay polynomial). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "memcheck/mc_supp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mc_supps s;
	memset(&s, 0, sizeof(s));
	struct strbuf err = STRBUF_INIT;
	mc_supp_parse_text(&s, (const char *)data, size, "fuzz.supp", &err);
	size_t part = size / 4;
	char *name = malloc(part + 1);
	memcpy(name, data + size - part, part);
	name[part] = 0;
	struct mc_loss l;
	memset(&l, 0, sizeof(l));
	for (int i = 0; i < 30; i++) {
		struct mc_frame f = { (uint64_t)i, name, name, (unsigned)i, name, NULL, NULL };
		vec_push(&l.alloc.frames, f);
	}
	struct mc_error e;
	memset(&e, 0, sizeof(e));
	e.kind = MC_INVALID_READ;
	e.size = 4;
	e.where = l.alloc;
	for (int k = 0; k < MC_LEAK_KINDS; k++) {
		l.kind = (enum mc_leak_kind)k;
		mc_supp_find_loss(&s, &l, 24);
	}
	mc_supp_find_error(&s, &e, 24);
	for (size_t i = 0; i < s.v.n; i++)
		for (size_t j = 0; j < s.v.v[i].frames.n; j++)
			if (s.v.v[i].frames.v[j].pattern)
				mc_supp_glob(s.v.v[i].frames.v[j].pattern, name);
	mc_stack_free(&l.alloc);
	free(name);
	sb_free(&err);
	mc_supps_free(&s);
	return 0;
}

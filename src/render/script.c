#include "render/script.h"

#include <stdlib.h>
#include <string.h>

#include "collapse/folded.h"
#include "profile/model.h"
#include "profile/stack_frames.h"
#include "render/folded_profile.h"
#include "util/die.h"

static void print_frame_lines(FILE *out, const struct stack_frames *sf, const struct prof_frame *f, bool no_inline)
{
	const struct profile *p = sf->p;
	for (uint32_t j = no_inline ? f->loc_n - 1 : 0; j < f->loc_n; j++) {
		const struct prof_loc *l = stack_frame_loc(sf, f, j);
		const struct prof_module *m = &p->modules.v[l->module];
		const char *dso = prof_str(p, m->kernel ? m->name : m->path);
		if (l->unknown)
			fprintf(out, "\t%16llx [unknown] (%s)\n", (unsigned long long)f->addr, dso);
		else if (l->inlined || p->from_text) /* text: no symbol offsets */
			fprintf(out, "\t%16llx %s (%s)\n", (unsigned long long)f->addr,
				prof_str(p, l->func), dso);
		else
			fprintf(out, "\t%16llx %s+0x%llx (%s)\n", (unsigned long long)f->addr,
				prof_str(p, l->func), (unsigned long long)l->sym_offset, dso);
	}
}

void script_print(FILE *out, const struct profile *p, const struct script_opts *o)
{
	const char *event = profile_event(p);
	struct stack_frames sf;
	stack_frames_init(&sf, p);
	for (size_t i = 0; i < p->samples.n; i++) {
		const struct prof_sample *s = &p->samples.v[i];
		const char *comm = prof_str(p, s->comm);
		if (!*comm) /* text has no threads: perf's name for a thread it never saw */
			comm = "[unknown]";
		if (o->show_pid)
			fprintf(out, "%s %5u/%-5u", comm, s->pid, s->tid);
		else
			fprintf(out, "%s %5u", comm, s->tid);
		fprintf(out, " [%03u] %12.6f: %10llu %s: \n", s->cpu, (double)s->time / 1e9,
			(unsigned long long)prof_value(p, i, 0), event);
		uint32_t n;
		const struct prof_frame *fs = stack_frames_of(&sf, s->rstack, &n);
		for (uint32_t k = 0; k < n; k++)
			print_frame_lines(out, &sf, &fs[k], o->no_inline);
		fputc('\n', out);
	}
	stack_frames_free(&sf);
}

void folded_print(FILE *out, const struct profile *p, const struct folded_opts *o)
{
	struct folded_set set;
	folded_init(&set);
	profile_to_folded(p, o, &set);
	folded_sort(&set);
	folded_write(out, &set);
	folded_free(&set);
}

#include "render/script.h"

#include <stdlib.h>
#include <string.h>

#include "profile/model.h"
#include "util/die.h"
#include "util/hashmap.h"
#include "util/strbuf.h"
#include "util/vec.h"

static void print_frame_lines(FILE *out, const struct profile *p, const struct prof_frame *f, bool no_inline)
{
	for (uint32_t j = no_inline ? f->loc_n - 1 : 0; j < f->loc_n; j++) {
		const struct prof_loc *l = &p->locs.v[p->frame_locs.v[f->loc_first + j]];
		const struct prof_module *m = &p->modules.v[l->module];
		const char *dso = prof_str(p, m->kernel ? m->name : m->path);
		if (l->unknown)
			fprintf(out, "\t%16llx [unknown] (%s)\n", (unsigned long long)f->addr, dso);
		else if (l->inlined)
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
	for (size_t i = 0; i < p->samples.n; i++) {
		const struct prof_sample *s = &p->samples.v[i];
		const char *comm = prof_str(p, s->comm);
		if (o->show_pid)
			fprintf(out, "%s %5u/%-5u", comm, s->pid, s->tid);
		else
			fprintf(out, "%s %5u", comm, s->tid);
		fprintf(out, " [%03u] %12.6f: %10llu %s: \n", s->cpu, (double)s->time / 1e9,
			(unsigned long long)s->period, event);
		const struct prof_rstack *rs = &p->rstacks.v[s->rstack];
		for (uint32_t k = 0; k < rs->frame_n; k++)
			print_frame_lines(out, p, &p->frames.v[rs->frame_first + k], o->no_inline);
		fputc('\n', out);
	}
}

/* Names go into a ';'-separated line: a ';' inside one would split it. */
static void add_name(struct strbuf *sb, const char *name)
{
	for (const char *c = name; *c; c++)
		sb_addc(sb, *c == ';' ? ':' : *c == '\n' ? ' ' : *c);
}

struct fold_line {
	char *text;
	uint64_t weight;
};

static int cmp_line(const void *a, const void *b)
{
	return strcmp(((const struct fold_line *)a)->text, ((const struct fold_line *)b)->text);
}

void folded_print(FILE *out, const struct profile *p, const struct folded_opts *o)
{
	struct u64map index = { 0 };
	VEC(struct fold_line) lines = { 0 };
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < p->samples.n; i++) {
		const struct prof_sample *s = &p->samples.v[i];
		const struct prof_rstack *rs = &p->rstacks.v[s->rstack];
		sb_reset(&sb);
		if (!o->no_comm) {
			const char *comm = prof_str(p, s->comm);
			for (const char *c = comm; *c; c++)
				sb_addc(&sb, *c == ' ' ? '_' : *c == ';' ? ':' : *c);
			if (o->tid)
				sb_addf(&sb, "-%u/%u", s->pid, s->tid);
			else if (o->pid)
				sb_addf(&sb, "-%u", s->pid);
		}
		for (uint32_t k = rs->frame_n; k-- > 0;) {
			const struct prof_frame *f = &p->frames.v[rs->frame_first + k];
			uint32_t first = o->no_inline ? f->loc_n - 1 : 0;
			for (uint32_t j = f->loc_n; j-- > first;) {
				const struct prof_loc *l = &p->locs.v[p->frame_locs.v[f->loc_first + j]];
				if (sb.len)
					sb_addc(&sb, ';');
				if (l->unknown) {
					/* stackcollapse-perf's convention: the module in brackets */
					const char *mod = prof_str(p, p->modules.v[l->module].name);
					bool bracketed = mod[0] == '[';
					if (!bracketed)
						sb_addc(&sb, '[');
					add_name(&sb, mod);
					if (!bracketed)
						sb_addc(&sb, ']');
				} else {
					add_name(&sb, prof_str(p, l->func));
				}
				if (o->kernel && l->kernel)
					sb_adds(&sb, "_[k]");
				else if (o->inline_marks && l->inlined)
					sb_adds(&sb, "_[i]");
			}
		}
		uint64_t w = o->counts ? 1 : s->period;
		uint64_t h = hash_bytes(sb.buf, sb.len);
		for (;;) {
			bool fresh;
			uint64_t *slot = u64map_upsert(&index, h, lines.n, &fresh);
			if (fresh) {
				struct fold_line fl = { xstrdup(sb.buf), w };
				vec_push(&lines, fl);
				break;
			}
			if (!strcmp(lines.v[*slot].text, sb.buf)) {
				lines.v[*slot].weight += w;
				break;
			}
			h = hash_u64(h + 1);
		}
	}
	qsort(lines.v, lines.n, sizeof(*lines.v), cmp_line);
	for (size_t i = 0; i < lines.n; i++) {
		fprintf(out, "%s %llu\n", lines.v[i].text, (unsigned long long)lines.v[i].weight);
		free(lines.v[i].text);
	}
	vec_free(&lines);
	sb_free(&sb);
	u64map_free(&index);
}

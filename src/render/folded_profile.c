/* profile -> folded stacks. The naming conventions follow
 * stackcollapse-perf: the command (spaces -> '_') as root frame, optionally
 * with -PID or -PID/TID, [module] for frames without a symbol, _[k] and
 * _[i] annotations. */
#include "render/folded_profile.h"

#include <string.h>

#include "profile/model.h"
#include "util/strbuf.h"

/* Names go into a ';'-separated line: a ';' inside one would split it. */
static void add_name(struct strbuf *sb, const char *name)
{
	for (const char *c = name; *c; c++)
		sb_addc(sb, *c == ';' ? ':' : *c == '\n' ? ' ' : *c);
}

void profile_sample_stack(const struct profile *p, const struct folded_opts *o, size_t sample, struct strbuf *sb)
{
	const struct prof_sample *s = &p->samples.v[sample];
	const struct prof_rstack *rs = &p->rstacks.v[s->rstack];
	size_t start = sb->len;
	if (!o->no_comm) {
		const char *comm = prof_str(p, s->comm);
		for (const char *c = comm; *c; c++)
			sb_addc(sb, *c == ' ' ? '_' : *c == ';' ? ':' : *c);
		if (o->tid)
			sb_addf(sb, "-%u/%u", s->pid, s->tid);
		else if (o->pid)
			sb_addf(sb, "-%u", s->pid);
	}
	for (uint32_t k = rs->frame_n; k-- > 0;) {
		const struct prof_frame *f = &p->frames.v[rs->frame_first + k];
		uint32_t first = o->no_inline ? f->loc_n - 1 : 0;
		for (uint32_t j = f->loc_n; j-- > first;) {
			const struct prof_loc *l = &p->locs.v[p->frame_locs.v[f->loc_first + j]];
			if (sb->len > start)
				sb_addc(sb, ';');
			if (l->unknown) {
				/* stackcollapse-perf's convention: the module in brackets */
				const char *mod = prof_str(p, p->modules.v[l->module].name);
				bool bracketed = mod[0] == '[';
				if (!bracketed)
					sb_addc(sb, '[');
				add_name(sb, mod);
				if (!bracketed)
					sb_addc(sb, ']');
			} else {
				add_name(sb, prof_str(p, l->func));
			}
			if (o->kernel && l->kernel)
				sb_adds(sb, "_[k]");
			else if (o->inline_marks && l->inlined)
				sb_adds(sb, "_[i]");
		}
	}
	sb_add(sb, "", 0); /* "" rather than NULL for an empty stack */
}

void profile_to_folded(const struct profile *p, const struct folded_opts *o, struct folded_set *out)
{
	struct strbuf sb = STRBUF_INIT;
	/* Samples of one (stack, thread) share their text: cache the last one. */
	uint32_t last_rstack = UINT32_MAX, last_comm = 0, last_pid = 0, last_tid = 0;
	for (size_t i = 0; i < p->samples.n; i++) {
		const struct prof_sample *s = &p->samples.v[i];
		uint64_t w = prof_value(p, i, o->counts ? PROF_WEIGHT_SAMPLES : o->weight);
		if (!w)
			continue; /* a heap stack that holds nothing at the peak, say */
		bool same = s->rstack == last_rstack && (o->no_comm || s->comm == last_comm) &&
			    (!(o->pid || o->tid) || s->pid == last_pid) && (!o->tid || s->tid == last_tid);
		if (!same) {
			sb_reset(&sb);
			profile_sample_stack(p, o, i, &sb);
			last_rstack = s->rstack;
			last_comm = s->comm;
			last_pid = s->pid;
			last_tid = s->tid;
		}
		folded_add(out, sb.buf ? sb.buf : "", sb.len, w);
	}
	sb_free(&sb);
}

/* valgrind's XML protocol 4, element by element in valgrind's order and
 * indentation (compared with valgrind 3.19's --xml=yes on the same
 * programs). */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "memcheck/mc_text.h"
#include "memcheck/mc_xml.h"
#include "util/escape.h"
#include "util/utf8.h"

static void esc(struct strbuf *sb, const char *s)
{
	xml_escapes(sb, s);
}

/* Text inside <![CDATA[ ]]>, as valgrind writes the raw suppression (real
 * newlines, readers show it as written): a "]]>" in a name would end the
 * section, so it is split across two; what XML cannot hold at all (control
 * bytes, broken UTF-8) becomes '?'. */
static void cdata(struct strbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		if (p[i] == ']' && i + 2 < n && p[i + 1] == ']' && p[i + 2] == '>') {
			sb_adds(sb, "]]]]><![CDATA[>");
			i += 3;
		} else if (p[i] < 0x20 && p[i] != '\n' && p[i] != '\t') {
			sb_addc(sb, '?');
			i++;
		} else if (p[i] < 0x80) {
			sb_addc(sb, (char)p[i++]);
		} else {
			size_t k = utf8_valid_len(p + i, n - i);
			if (k)
				sb_add(sb, p + i, k);
			else
				sb_addc(sb, '?');
			i += k ? k : 1;
		}
	}
}

/* <tag>escaped text</tag> on its own line at `indent` spaces */
static void elem(struct strbuf *sb, int indent, const char *tag, const char *text)
{
	sb_addf(sb, "%*s<%s>", indent, "", tag);
	esc(sb, text);
	sb_addf(sb, "</%s>\n", tag);
}

static void status(struct strbuf *sb, const char *state, uint64_t ms)
{
	uint64_t s = ms / 1000;
	sb_addf(sb, "<status>\n  <state>%s</state>\n  <time>%02llu:%02llu:%02llu:%02llu.%03llu </time>\n</status>\n\n",
		state, (unsigned long long)(s / 86400), (unsigned long long)(s / 3600 % 24),
		(unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60),
		(unsigned long long)(ms % 1000));
}

void mc_xml_begin(struct strbuf *sb, const struct mc_result *r, uint64_t elapsed_ms)
{
	sb_adds(sb, "<?xml version=\"1.0\"?>\n\n<valgrindoutput>\n\n"
		    "<protocolversion>4</protocolversion>\n<protocoltool>memcheck</protocoltool>\n\n"
		    "<preamble>\n");
	for (int i = 0; i < 3; i++)
		elem(sb, 2, "line", mc_preamble[i]);
	struct strbuf cmd = STRBUF_INIT;
	sb_adds(&cmd, "Command:");
	for (int i = 0; i < r->argc; i++)
		sb_addf(&cmd, " %s", r->argv[i]);
	elem(sb, 2, "line", cmd.buf);
	sb_free(&cmd);
	sb_addf(sb, "</preamble>\n\n<pid>%d</pid>\n<ppid>%d</ppid>\n<tool>memcheck</tool>\n\n<args>\n  <vargv>\n",
		r->pid, r->ppid);
	for (int i = 0; i < r->vargc; i++)
		elem(sb, 4, i ? "arg" : "exe", r->vargv[i]);
	sb_adds(sb, "  </vargv>\n  <argv>\n");
	for (int i = 0; i < r->argc; i++)
		elem(sb, 4, i ? "arg" : "exe", r->argv[i]);
	sb_adds(sb, "  </argv>\n</args>\n\n");
	status(sb, "RUNNING", elapsed_ms);
}

static void stack(struct strbuf *sb, const struct mc_stack *st, const struct mc_opts *o)
{
	size_t n = mc_stack_shown(st, o->num_callers);
	sb_adds(sb, "  <stack>\n");
	for (size_t i = 0; i < n; i++) {
		const struct mc_frame *f = &st->frames.v[i];
		sb_addf(sb, "    <frame>\n      <ip>0x%llX</ip>\n", (unsigned long long)f->ip);
		if (f->object)
			elem(sb, 6, "obj", f->object);
		if (mc_frame_name(f))
			elem(sb, 6, "fn", mc_frame_name(f));
		if (f->file && f->line) {
			if (f->dir)
				elem(sb, 6, "dir", f->dir);
			elem(sb, 6, "file", f->file);
			sb_addf(sb, "      <line>%u</line>\n", f->line);
		}
		sb_adds(sb, "    </frame>\n");
	}
	sb_adds(sb, "  </stack>\n");
}

/* the <suppression> element --gen-suppressions adds to an error */
static void suppression(struct strbuf *sb, const char *kind, const char *aux, const struct mc_stack *st,
			const struct mc_opts *o, const char *raw)
{
	sb_adds(sb, "  <suppression>\n    <sname>insert_a_suppression_name_here</sname>\n");
	elem(sb, 4, "skind", kind);
	if (aux)
		elem(sb, 4, "skaux", aux);
	size_t n = mc_stack_shown(st, o->num_callers);
	for (size_t i = 0; i < n; i++) {
		const struct mc_frame *f = &st->frames.v[i];
		const char *name = mc_frame_supp_name(f);
		sb_adds(sb, "    <sframe> ");
		sb_adds(sb, name ? "<fun>" : "<obj>");
		esc(sb, name ? name : f->object ? f->object : "*");
		sb_adds(sb, name ? "</fun>" : "</obj>");
		sb_adds(sb, " </sframe>\n");
	}
	sb_adds(sb, "    <rawtext>\n<![CDATA[\n");
	cdata(sb, raw);
	sb_adds(sb, "]]>\n    </rawtext>\n  </suppression>\n");
}

static const char *xml_kind(const struct mc_error *e)
{
	switch (e->kind) {
	case MC_INVALID_FREE: return "InvalidFree";
	case MC_MISMATCHED_FREE: return "MismatchedFree";
	case MC_INVALID_READ: return "InvalidRead";
	case MC_INVALID_WRITE: return "InvalidWrite";
	case MC_OVERLAP: return "Overlap";
	case MC_FISHY_VALUE: return "FishyValue";
	case MC_BAD_ALIGNMENT: return "InvalidAlignment";
	case MC_REALLOC_ZERO: return "ReallocSizeZero";
	case MC_INVALID_JUMP: return "InvalidJump";
	default: return "Unknown";
	}
}

void mc_xml_error(struct strbuf *sb, const struct mc_error *e, uint64_t unique, const struct mc_opts *o)
{
	if (e->suppressed)
		return;
	struct strbuf t = STRBUF_INIT;
	sb_addf(sb, "<error>\n  <unique>0x%llx</unique>\n  <tid>%d</tid>\n", (unsigned long long)unique,
		e->tid ? e->tid : 1);
	if (e->thread_name)
		elem(sb, 2, "threadname", e->thread_name);
	sb_addf(sb, "  <kind>%s</kind>\n", xml_kind(e));
	mc_error_what(&t, e);
	elem(sb, 2, "what", t.buf);
	stack(sb, &e->where, o);
	sb_reset(&t);
	if (mc_error_address(&t, e)) {
		elem(sb, 2, "auxwhat", t.buf);
		if (e->rel != MC_ADDR_NONE && e->rel != MC_ADDR_STACK) {
			stack(sb, e->block_freed ? &e->free_stack : &e->alloc_stack, o);
			if (e->block_freed && e->alloc_stack.frames.n) {
				elem(sb, 2, "auxwhat", "Block was alloc'd at");
				stack(sb, &e->alloc_stack, o);
			}
		}
	}
	sb_reset(&t);
	if (mc_error_frame_line(&t, e))
		elem(sb, 2, "auxwhat", t.buf);
	if (e->note)
		elem(sb, 2, "auxwhat", e->note);
	if (o->gen_suppressions != MC_GEN_NO) {
		char kind[64], aux[512];
		const char *a = NULL;
		if (e->kind == MC_FISHY_VALUE) {
			snprintf(aux, sizeof(aux), "%s(%s)", e->func ? e->func : "???", e->arg ? e->arg : "size");
			a = aux;
		}
		sb_reset(&t);
		mc_supp_gen_error(&t, e, o->num_callers);
		suppression(sb, mc_supp_error_kind(e, kind, sizeof(kind)), a, &e->where, o, t.buf);
	}
	sb_free(&t);
	sb_adds(sb, "</error>\n\n");
}

static void leak_error(struct strbuf *sb, const struct mc_loss *l, size_t no, size_t total,
		       uint64_t unique, const struct mc_opts *o)
{
	static const char *const kind[] = { "Leak_DefinitelyLost", "Leak_IndirectlyLost",
					    "Leak_PossiblyLost", "Leak_StillReachable" };
	char a[32], b[32], c[32], d[32], e[32];
	struct strbuf t = STRBUF_INIT;
	if (l->indirect_bytes)
		sb_addf(&t, "%s (%s direct, %s indirect) bytes", mc_commas(l->bytes + l->indirect_bytes, a),
			mc_commas(l->bytes, b), mc_commas(l->indirect_bytes, c));
	else
		sb_addf(&t, "%s bytes", mc_commas(l->bytes, a));
	sb_addf(&t, " in %s blocks are %s in loss record %s of %s", mc_commas(l->blocks, d),
		mc_leak_kind_text(l->kind), mc_commas(no, e), mc_commas(total, b));
	sb_addf(sb, "<error>\n  <unique>0x%llx</unique>\n  <tid>1</tid>\n  <kind>%s</kind>\n  <xwhat>\n",
		(unsigned long long)unique, (unsigned)l->kind < MC_LEAK_KINDS ? kind[l->kind] : "Leak_DefinitelyLost");
	elem(sb, 4, "text", t.buf);
	sb_addf(sb, "    <leakedbytes>%llu</leakedbytes>\n    <leakedblocks>%llu</leakedblocks>\n  </xwhat>\n",
		(unsigned long long)(l->bytes + l->indirect_bytes), (unsigned long long)l->blocks);
	stack(sb, &l->alloc, o);
	if (o->gen_suppressions != MC_GEN_NO) {
		char aux[64];
		snprintf(aux, sizeof(aux), "match-leak-kinds: %s", mc_leak_kind_word(l->kind));
		sb_reset(&t);
		mc_supp_gen_loss(&t, l, o->num_callers);
		suppression(sb, "Memcheck:Leak", aux, &l->alloc, o, t.buf);
	}
	sb_free(&t);
	sb_adds(sb, "</error>\n\n");
}

/* <fatal_signal>: what valgrind writes when the program dies of a signal */
static void fatal_signal(struct strbuf *sb, const struct mc_result *r, const struct mc_opts *o)
{
	const struct mc_fatal *f = &r->fatal;
	const char *abbrev = sigabbrev_np(r->signal);
	sb_addf(sb, "<fatal_signal>\n  <tid>%d</tid>\n", f->tid ? f->tid : 1);
	if (f->thread_name)
		elem(sb, 2, "threadname", f->thread_name);
	sb_addf(sb, "  <signo>%d</signo>\n  <signame>SIG%s</signame>\n  <sicode>%d</sicode>\n", r->signal,
		abbrev ? abbrev : "?", f->code);
	bool has_addr;
	const char *event = mc_fatal_event(r->signal, f, &has_addr);
	if (event) {
		elem(sb, 2, "event", event);
		if (has_addr)
			sb_addf(sb, "  <siaddr>0x%llX</siaddr>\n", (unsigned long long)f->addr);
	}
	stack(sb, &r->signal_stack, o);
	sb_adds(sb, "</fatal_signal>\n\n");
}

void mc_xml_finish(struct strbuf *sb, const struct mc_result *r, const struct mc_opts *o,
		   const struct mc_supps *supps, uint64_t elapsed_ms)
{
	if (r->signal && r->fatal.known)
		fatal_signal(sb, r, o);
	sb_adds(sb, "\n");
	status(sb, "FINISHED", elapsed_ms);
	uint64_t unique = r->errors.n;
	if (r->leak_checked && o->leak_check == MC_LEAK_FULL)
		for (size_t i = 0; i < r->losses.n; i++) {
			const struct mc_loss *l = &r->losses.v[i];
			if (l->suppressed || !(o->show_kinds & MC_KIND_BIT(l->kind)))
				continue;
			leak_error(sb, l, i + 1, r->losses.n, unique++, o);
		}
	sb_adds(sb, "<errorcounts>\n");
	for (size_t i = r->errors.n; i-- > 0;) {
		const struct mc_error *e = &r->errors.v[i];
		if (e->suppressed)
			continue;
		sb_addf(sb, "  <pair>\n    <count>%llu</count>\n    <unique>0x%zx</unique>\n  </pair>\n",
			(unsigned long long)(e->count ? e->count : 1), i);
	}
	sb_adds(sb, "</errorcounts>\n\n");
	if (!o->verbosity) { /* valgrind -q leaves out the used suppressions */
		sb_adds(sb, "\n</valgrindoutput>\n\n");
		return;
	}
	sb_adds(sb, "<suppcounts>\n");
	for (size_t i = supps ? supps->v.n : 0; i-- > 0;) {
		const struct mc_supp *p = &supps->v.v[i];
		if (!p->count)
			continue;
		sb_addf(sb, "  <pair>\n    <count>%llu</count>\n", (unsigned long long)p->count);
		elem(sb, 4, "name", p->name);
		sb_adds(sb, "  </pair>\n");
	}
	sb_adds(sb, "</suppcounts>\n\n</valgrindoutput>\n\n");
}

void mc_xml_report(struct strbuf *sb, const struct mc_result *r, const struct mc_opts *o,
		   const struct mc_supps *supps, uint64_t elapsed_ms)
{
	mc_xml_begin(sb, r, 0);
	for (size_t i = 0; i < r->errors.n; i++)
		mc_xml_error(sb, &r->errors.v[i], i, o);
	mc_xml_finish(sb, r, o, supps, elapsed_ms);
}

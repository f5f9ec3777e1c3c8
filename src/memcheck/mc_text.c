/* valgrind 3.19's text shapes. Every line starts "==PID== "; blank lines
 * are "==PID== " too, and where they fall matters to scripts, so each
 * block below says which blank lines it owns. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memcheck/mc_text.h"

const char *mc_commas(uint64_t v, char buf[32])
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v);
	int o = 0;
	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = 0;
	return buf;
}

/* as many lines as valgrind's, for scripts that skip them by count */
const char *const mc_preamble[3] = {
	"sonde memcheck, a memory error detector",
	"Heap checks in the allocator; no uninitialised-value checks",
	"Using sonde-" SONDE_VERSION "; rerun with -h for help",
};

/* "==PID== " (c '='), "--PID-- " (c '-'); with --time-stamp=yes
 * valgrind's "==00:00:00:01.234 PID== " */
static void pre(struct strbuf *sb, const struct mc_result *r, char c)
{
	sb_addc(sb, c);
	sb_addc(sb, c);
	if (r->stamped) {
		int64_t ms = r->stamp_ms;
		sb_addf(sb, "%02lld:%02lld:%02lld:%02lld.%03lld ", (long long)(ms / 86400000),
			(long long)(ms / 3600000 % 24), (long long)(ms / 60000 % 60), (long long)(ms / 1000 % 60),
			(long long)(ms % 1000));
	}
	sb_addf(sb, "%d%c%c ", r->pid, c, c);
}

#define LINE(sb, r, ...)                                \
	do {                                            \
		pre((sb), (r), '=');                    \
		sb_addf((sb), __VA_ARGS__);             \
		sb_addc((sb), '\n');                    \
	} while (0)

/* A Command: word as valgrind prints it: bytes outside printable ASCII
 * as '_', a backslash before ' ', '\\', '<' and '>'. */
static void command_arg(struct strbuf *sb, const char *a)
{
	sb_addc(sb, ' ');
	for (const unsigned char *p = (const unsigned char *)a; *p; p++) {
		if (strchr(" \\<>", *p))
			sb_addc(sb, '\\');
		sb_addc(sb, *p < 32 || *p > 127 ? '_' : (char)*p);
	}
}

void mc_text_command(struct strbuf *sb, char *const *argv, int argc)
{
	sb_adds(sb, "Command:");
	for (int i = 0; i < argc; i++)
		command_arg(sb, argv[i]);
}

void mc_text_preamble(struct strbuf *sb, const struct mc_result *r)
{
	LINE(sb, r, "%s", mc_preamble[0]);
	LINE(sb, r, "%s", mc_preamble[1]);
	LINE(sb, r, "%s", mc_preamble[2]);
	pre(sb, r, '=');
	mc_text_command(sb, r->argv, r->argc);
	if (!r->argc && r->exe)
		command_arg(sb, r->exe);
	sb_addc(sb, '\n');
	if (r->log_to_file) /* for logs of runs with many processes */
		LINE(sb, r, "Parent PID: %d", r->ppid);
	LINE(sb, r, "%s", "");
}

static void frame_text(struct strbuf *sb, const struct mc_frame *f)
{
	const char *name = mc_frame_name(f);
	sb_adds(sb, name ? name : "???");
	if (f->file && f->line)
		sb_addf(sb, " (%s:%u)", f->file, f->line);
	else if (f->object)
		sb_addf(sb, " (in %s)", f->object);
}

static void stack_text(struct strbuf *sb, const struct mc_result *r, const struct mc_stack *st,
		       const struct mc_opts *o)
{
	size_t n = mc_stack_shown(st, o->num_callers);
	for (size_t i = 0; i < n; i++) {
		pre(sb, r, '=');
		sb_addf(sb, "   %s 0x%llX: ", i ? "by" : "at", (unsigned long long)st->frames.v[i].ip);
		frame_text(sb, &st->frames.v[i]);
		sb_addc(sb, '\n');
	}
}

/* The message line of an error (no prefix, no newline). */
void mc_error_what(struct strbuf *sb, const struct mc_error *e)
{
	char a[32];
	switch (e->kind) {
	case MC_INVALID_FREE:
		sb_adds(sb, "Invalid free() / delete / delete[] / realloc()");
		break;
	case MC_MISMATCHED_FREE:
		sb_adds(sb, "Mismatched free() / delete / delete []");
		break;
	case MC_INVALID_READ:
	case MC_INVALID_WRITE:
		/* size 0: the faulting instruction was not decoded */
		sb_addf(sb, "Invalid %s of size %s", e->kind == MC_INVALID_READ ? "read" : "write",
			e->size ? mc_commas(e->size, a) : "?");
		break;
	case MC_OVERLAP:
		sb_addf(sb, "Source and destination overlap in %s(0x%llx, 0x%llx", e->func ? e->func : "memcpy",
			(unsigned long long)e->addr, (unsigned long long)e->addr2);
		if (e->size)
			sb_addf(sb, ", %llu", (unsigned long long)e->size);
		sb_addc(sb, ')');
		break;
	case MC_FISHY_VALUE:
		sb_addf(sb, "Argument '%s' of function %s has a fishy (possibly negative) value: %lld",
			e->arg ? e->arg : "size", e->func ? e->func : "malloc", (long long)e->size);
		break;
	case MC_BAD_ALIGNMENT:
		if (e->func && !strcmp(e->func, "posix_memalign"))
			sb_addf(sb, "Invalid alignment value: %llu (should be non-zero, a power of 2 and a multiple of sizeof(void*))",
				(unsigned long long)e->size);
		else
			sb_addf(sb, "Invalid alignment value: %llu (should be power of 2)", (unsigned long long)e->size);
		break;
	case MC_REALLOC_ZERO:
		sb_adds(sb, "realloc() with size 0");
		break;
	case MC_INVALID_JUMP:
		sb_adds(sb, "Jump to the invalid address stated on the next line");
		break;
	default:
		sb_adds(sb, "Unknown error");
		break;
	}
}

/* valgrind's second line for a stack address: "in frame #1, created by
 * main (x.c:5)" (no prefix); false when there is none. */
bool mc_error_frame_line(struct strbuf *sb, const struct mc_error *e)
{
	if (e->rel != MC_ADDR_STACK || !e->stack_frame || e->stack_frame >= e->where.frames.n)
		return false;
	const struct mc_frame *f = &e->where.frames.v[e->stack_frame];
	sb_addf(sb, "in frame #%u, created by ", e->stack_frame);
	if (e->frame_file && f->func) /* valgrind names where the function starts */
		sb_addf(sb, "%s (%s:%u)", f->func, e->frame_file, e->frame_line);
	else
		frame_text(sb, f);
	return true;
}

/* Whether an error names an address even when no block was found. */
static bool about_address(const struct mc_error *e)
{
	return e->kind == MC_INVALID_FREE || e->kind == MC_MISMATCHED_FREE || e->kind == MC_INVALID_READ ||
	       e->kind == MC_INVALID_WRITE || e->kind == MC_INVALID_JUMP;
}

/* "Address 0x.. is N bytes after a block of size M alloc'd" (no prefix);
 * false when the error has no such line. */
bool mc_error_address(struct strbuf *sb, const struct mc_error *e)
{
	char a[32], b[32];
	static const char *const rel[] = { "", "inside", "after", "before", "" };
	if (e->rel == MC_ADDR_NONE) {
		if (!about_address(e))
			return false;
		sb_addf(sb, "Address 0x%llx is not stack'd, malloc'd or (recently) free'd",
			(unsigned long long)e->addr);
		return true;
	}
	if (e->rel == MC_ADDR_STACK) {
		sb_addf(sb, "Address 0x%llx is on thread %llu's stack", (unsigned long long)e->addr,
			(unsigned long long)e->offset);
		return true;
	}
	sb_addf(sb, "Address 0x%llx is %s bytes %s a block of size %s %s", (unsigned long long)e->addr,
		mc_commas(e->offset, a), rel[e->rel], mc_commas(e->block_size, b),
		e->block_freed ? "free'd" : "alloc'd");
	return true;
}

static void error_body(struct strbuf *sb, const struct mc_result *r, const struct mc_error *e,
		       const struct mc_opts *o)
{
	struct strbuf t = STRBUF_INIT;
	mc_error_what(&t, e);
	LINE(sb, r, "%s", t.buf);
	stack_text(sb, r, &e->where, o);
	sb_reset(&t);
	if (mc_error_address(&t, e)) {
		LINE(sb, r, " %s", t.buf);
		if (e->rel != MC_ADDR_NONE && e->rel != MC_ADDR_STACK) {
			stack_text(sb, r, e->block_freed ? &e->free_stack : &e->alloc_stack, o);
			if (e->block_freed && e->alloc_stack.frames.n) { /* none: --keep-stacktraces dropped it */
				LINE(sb, r, " Block was alloc'd at");
				stack_text(sb, r, &e->alloc_stack, o);
			}
		}
	}
	sb_reset(&t);
	if (mc_error_frame_line(&t, e))
		LINE(sb, r, " %s", t.buf);
	if (e->note)
		LINE(sb, r, " %s", e->note);
	sb_free(&t);
	LINE(sb, r, "%s", "");
}

/* valgrind's "Thread N:" ("Thread N name:" for a named thread) before
 * what thread N reports, when it is not the thread printed last (*last,
 * 1 at the start: the main thread's reports have none until another's). */
static void thread_line(struct strbuf *sb, const struct mc_result *r, int tid, const char *name, int *last)
{
	if (tid <= 0)
		tid = 1;
	if (tid == *last)
		return;
	*last = tid;
	if (name)
		LINE(sb, r, "Thread %d %s:", tid, name);
	else
		LINE(sb, r, "Thread %d:", tid);
}

void mc_text_error(struct strbuf *sb, const struct mc_result *r, const struct mc_error *e,
		   const struct mc_opts *o, int *last_tid)
{
	if (e->suppressed)
		return;
	thread_line(sb, r, e->tid, e->thread_name, last_tid);
	error_body(sb, r, e, o);
	if (o->gen_suppressions != MC_GEN_NO)
		mc_supp_gen_error(sb, e, o->num_callers);
}

struct mc_counts mc_count_errors(const struct mc_result *r, const struct mc_opts *o)
{
	struct mc_counts c = { 0, 0, 0, 0 };
	for (size_t i = 0; i < r->errors.n; i++) {
		const struct mc_error *e = &r->errors.v[i];
		uint64_t n = e->count ? e->count : 1;
		if (e->suppressed) {
			c.supp_errors += n;
			c.supp_contexts++;
		} else {
			c.errors += n;
			c.contexts++;
		}
	}
	if (r->leak_checked && o->leak_check == MC_LEAK_FULL)
		for (size_t i = 0; i < r->losses.n; i++) {
			const struct mc_loss *l = &r->losses.v[i];
			if (!(o->error_kinds & MC_KIND_BIT(l->kind)))
				continue;
			if (l->suppressed) {
				c.supp_errors++;
				c.supp_contexts++;
			} else {
				c.errors++;
				c.contexts++;
			}
		}
	return c;
}

int mc_exit_status(const struct mc_result *r, const struct mc_opts *o, int *raise_signal)
{
	*raise_signal = 0;
	if (r->signal) {
		*raise_signal = r->signal;
		return 128 + r->signal;
	}
	if (r->cut) /* a result was lost: never the exit of a clean run */
		return o->error_exitcode ? o->error_exitcode : r->exited && r->exit_code ? r->exit_code : 1;
	if ((o->error_exitcode || o->exit_on_first_error) && mc_count_errors(r, o).errors && !r->execed)
		return o->error_exitcode; /* valgrind exits with 0 when no code was given */
	return r->exited ? r->exit_code : 0;
}

/* valgrind's words for what the kernel says about a fault (NULL: none);
 * *has_addr: they take " at address 0x..". */
const char *mc_fatal_event(int sig, const struct mc_fatal *f, bool *has_addr)
{
	*has_addr = true;
	if (!f->known || f->code <= 0)
		return NULL;
	switch (sig) {
	case SIGSEGV:
		switch (f->code) {
		case SEGV_MAPERR: return "Access not within mapped region";
		case SEGV_ACCERR: return "Bad permissions for mapped region";
		case SI_KERNEL:
			*has_addr = false;
			return "General Protection Fault";
		default: return NULL;
		}
	case SIGILL: {
		static const char *const ill[] = { NULL, "Illegal opcode", "Illegal operand", "Illegal addressing mode",
						   "Illegal trap", "Privileged opcode", "Privileged register",
						   "Coprocessor error", "Internal stack error" };
		return f->code < 9 ? ill[f->code] : NULL;
	}
	case SIGFPE: {
		static const char *const fpe[] = { NULL, "Integer divide by zero", "Integer overflow", "FP divide by zero",
						   "FP overflow", "FP underflow", "FP inexact", "FP invalid operation",
						   "FP subscript out of range" };
		return f->code < 9 ? fpe[f->code] : NULL;
	}
	case SIGBUS: {
		static const char *const bus[] = { NULL, "Invalid address alignment", "Non-existent physical address",
						   "Hardware error" };
		return f->code < 4 ? bus[f->code] : NULL;
	}
	default:
		return NULL;
	}
}

/* valgrind prints the block with -q too for a signal the kernel sent that
 * dumps core by default (the program crashed, rather than was killed). */
static bool fatal_shown(const struct mc_result *r, const struct mc_opts *o)
{
	static const int core_signals[] = { SIGQUIT, SIGILL, SIGABRT, SIGFPE, SIGSEGV, SIGBUS, SIGTRAP, SIGXCPU, SIGXFSZ };
	if (o->verbosity)
		return true;
	if (!r->fatal.known || r->fatal.code <= 0)
		return false;
	for (size_t i = 0; i < sizeof core_signals / sizeof core_signals[0]; i++)
		if (core_signals[i] == r->signal)
			return true;
	return false;
}

static void stack_overflow_line(struct strbuf *sb, const struct mc_result *r)
{
	LINE(sb, r, "Stack overflow in thread #%d: can't grow stack to 0x%llx", r->fatal.tid ? r->fatal.tid : 1,
	     (unsigned long long)r->fatal.grow_to);
}

/* valgrind's block for a fatal signal: the signal, what the kernel said,
 * where (for a stack overflow valgrind says so before and after), and
 * for an unmapped address the hint about the main thread's stack. */
static void fatal_signal(struct strbuf *sb, const struct mc_result *r, const struct mc_opts *o)
{
	const char *abbrev = sigabbrev_np(r->signal);
	const struct mc_fatal *f = &r->fatal;
	if (f->grow_to)
		stack_overflow_line(sb, r);
	LINE(sb, r, "%s", "");
	if (abbrev)
		LINE(sb, r, "Process terminating with default action of signal %d (SIG%s)%s", r->signal, abbrev,
		     f->core ? ": dumping core" : "");
	else
		LINE(sb, r, "Process terminating with default action of signal %d", r->signal);
	bool has_addr;
	const char *event = mc_fatal_event(r->signal, f, &has_addr);
	if (event && has_addr)
		LINE(sb, r, " %s at address 0x%llX", event, (unsigned long long)f->addr);
	else if (event)
		LINE(sb, r, " %s", event);
	if (f->grow_to && (f->tid ? f->tid : 1) == 1) /* valgrind tries to grow the main stack once more */
		stack_overflow_line(sb, r);
	stack_text(sb, r, &r->signal_stack, o);
	if (r->signal == SIGSEGV && f->known && f->code == SEGV_MAPERR) {
		LINE(sb, r, " If you believe this happened as a result of a stack");
		LINE(sb, r, " overflow in your program's main thread (unlikely but");
		LINE(sb, r, " possible), you can try to increase the size of the");
		LINE(sb, r, " main thread stack using the --main-stacksize= flag.");
		if (f->stack_limit)
			LINE(sb, r, " The main thread stack size used in this run was %llu.",
			     (unsigned long long)f->stack_limit);
	}
}

static void loss_line(struct strbuf *sb, const struct mc_loss *l, size_t no, size_t total)
{
	char a[32], b[32], c[32], d[32], e[32];
	if (l->indirect_bytes)
		sb_addf(sb, "%s (%s direct, %s indirect) bytes", mc_commas(l->bytes + l->indirect_bytes, a),
			mc_commas(l->bytes, b), mc_commas(l->indirect_bytes, c));
	else
		sb_addf(sb, "%s bytes", mc_commas(l->bytes, a));
	sb_addf(sb, " in %s blocks are %s in loss record %s of %s", mc_commas(l->blocks, d),
		mc_leak_kind_text(l->kind), mc_commas(no, e), mc_commas(total, b));
}

/* --exit-on-first-error: valgrind stops at the first error it counts */
static void exit_first(struct strbuf *sb, const struct mc_result *r)
{
	LINE(sb, r, "%s", "");
	LINE(sb, r, "Exit program on first error (--exit-on-first-error=yes)");
}

/* false when --exit-on-first-error ended the report at a loss record */
static bool leak_report(struct strbuf *sb, const struct mc_result *r, const struct mc_opts *o, int *last_tid)
{
	uint64_t bytes[MC_LEAK_KINDS] = { 0 }, blocks[MC_LEAK_KINDS] = { 0 }, sbytes = 0, sblocks = 0;
	for (size_t i = 0; i < r->losses.n; i++) {
		const struct mc_loss *l = &r->losses.v[i];
		if (l->suppressed) {
			sbytes += l->bytes;
			sblocks += l->blocks;
			continue;
		}
		if ((unsigned)l->kind < MC_LEAK_KINDS) {
			bytes[l->kind] += l->bytes;
			blocks[l->kind] += l->blocks;
		}
		if (o->leak_check != MC_LEAK_FULL)
			continue;
		bool error = o->error_kinds & MC_KIND_BIT(l->kind);
		if (o->show_kinds & MC_KIND_BIT(l->kind)) {
			thread_line(sb, r, 1, NULL, last_tid); /* the leak check runs in the main thread */
			struct strbuf t = STRBUF_INIT;
			loss_line(&t, l, i + 1, r->losses.n);
			LINE(sb, r, "%s", t.buf);
			sb_free(&t);
			stack_text(sb, r, &l->alloc, o);
			LINE(sb, r, "%s", "");
			if (o->gen_suppressions != MC_GEN_NO)
				mc_supp_gen_loss(sb, l, o->num_callers);
		}
		if (error && o->exit_on_first_error) {
			exit_first(sb, r);
			return false;
		}
	}
	if (!o->verbosity)
		return true;
	static const char *const label[] = { "definitely lost", "indirectly lost", "  possibly lost",
					     "still reachable" };
	char a[32], b[32];
	LINE(sb, r, "LEAK SUMMARY:");
	for (int k = 0; k < MC_LEAK_KINDS; k++)
		LINE(sb, r, "   %s: %s bytes in %s blocks", label[k], mc_commas(bytes[k], a),
		     mc_commas(blocks[k], b));
	/* every block a heuristic reached, whatever its kind or suppression, as
	 * valgrind counts them; shown only when some were */
	bool heur = false;
	for (int h = 1; h < MC_HEURISTICS; h++)
		heur |= r->heur_blocks[h] > 0;
	if (heur)
		LINE(sb, r, "                      of which reachable via heuristic:");
	for (int h = 1; h < MC_HEURISTICS; h++)
		if (r->heur_blocks[h])
			LINE(sb, r, "                        %-19s: %s bytes in %s blocks", mc_heuristic_name(h),
			     mc_commas(r->heur_bytes[h], a), mc_commas(r->heur_blocks[h], b));
	LINE(sb, r, "        suppressed: %s bytes in %s blocks", mc_commas(sbytes, a), mc_commas(sblocks, b));
	if (o->leak_check == MC_LEAK_SUMMARY) {
		LINE(sb, r, "Rerun with --leak-check=full to see details of leaked memory");
	} else if (blocks[MC_REACHABLE] && !(o->show_kinds & MC_KIND_BIT(MC_REACHABLE))) {
		LINE(sb, r, "Reachable blocks (those to which a pointer was found) are not shown.");
		LINE(sb, r, "To see them, rerun with: --leak-check=full --show-leak-kinds=all");
	}
	LINE(sb, r, "%s", "");
	return true;
}

static void error_summary(struct strbuf *sb, const struct mc_result *r, const struct mc_counts *c)
{
	char a[32], b[32], d[32], e[32];
	LINE(sb, r, "ERROR SUMMARY: %s errors from %s contexts (suppressed: %s from %s)",
	     mc_commas(c->errors, a), mc_commas(c->contexts, b), mc_commas(c->supp_errors, d),
	     mc_commas(c->supp_contexts, e));
}

/* -s: the contexts from the least to the most frequent, the latest first
 * among equals, as valgrind lists them */
static void error_list(struct strbuf *sb, const struct mc_result *r, const struct mc_opts *o,
		       const struct mc_supps *supps, const struct mc_counts *c, int *last_tid)
{
	size_t n = 0, *idx = xmalloc((r->errors.n + 1) * sizeof(*idx));
	for (size_t i = r->errors.n; i-- > 0;)
		if (!r->errors.v[i].suppressed)
			idx[n++] = i;
	/* stable insertion sort by count keeps "latest first" among equals */
	for (size_t i = 1; i < n; i++) {
		size_t v = idx[i], j = i;
		uint64_t cv = r->errors.v[v].count ? r->errors.v[v].count : 1;
		while (j > 0) {
			const struct mc_error *p = &r->errors.v[idx[j - 1]];
			if ((p->count ? p->count : 1) <= cv)
				break;
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = v;
	}
	char a[32];
	for (size_t i = 0; i < n; i++) {
		const struct mc_error *e = &r->errors.v[idx[i]];
		LINE(sb, r, "%s", "");
		LINE(sb, r, "%s errors in context %zu of %zu:", mc_commas(e->count ? e->count : 1, a), i + 1, n);
		thread_line(sb, r, e->tid, e->thread_name, last_tid);
		error_body(sb, r, e, o);
	}
	free(idx);
	bool used = false;
	for (size_t i = supps ? supps->v.n : 0; i-- > 0;) {
		const struct mc_supp *p = &supps->v.v[i];
		if (!p->count)
			continue;
		if (!used) {
			pre(sb, r, '-');
			sb_addc(sb, '\n');
		}
		used = true;
		pre(sb, r, '-');
		sb_addf(sb, "used_suppression: %6llu %s %s:%u", (unsigned long long)p->count, p->name, p->file,
			p->line);
		if (p->kind == MC_SK_LEAK) {
			char b[32];
			sb_addf(sb, " suppressed: %s bytes in %s blocks", mc_commas(p->leak_bytes, a),
				mc_commas(p->leak_blocks, b));
		}
		sb_addc(sb, '\n');
	}
	if (used)
		LINE(sb, r, "%s", "");
	if (n || used)
		error_summary(sb, r, c);
}

/* The run ended before the runtime could check for leaks (r->cut): the
 * counts it sent on the way, and the errors it found; no line that could
 * pass for a clean leak check. */
static void cut_summary(struct strbuf *sb, const struct mc_result *r, const struct mc_opts *o)
{
	char a[32], b[32], d[32];
	if (o->verbosity) {
		LINE(sb, r, "%s", "");
		LINE(sb, r, "HEAP SUMMARY:");
		LINE(sb, r, "    in use at exit: unknown (no leak check: %s)", r->cut);
		LINE(sb, r, "  total heap usage until then: %s allocs, %s frees, %s bytes allocated",
		     mc_commas(r->allocs, a), mc_commas(r->frees, b), mc_commas(r->bytes_allocated, d));
		LINE(sb, r, "%s", "");
	}
}

/* HEAP SUMMARY and the leak check's report; false when leak_report says
 * the rest is left out. */
static bool heap_and_leaks(struct strbuf *sb, const struct mc_result *r, const struct mc_opts *o, int *last_tid)
{
	char a[32], b[32], d[32];
	if (o->verbosity) {
		LINE(sb, r, "%s", "");
		LINE(sb, r, "HEAP SUMMARY:");
		LINE(sb, r, "    in use at exit: %s bytes in %s blocks", mc_commas(r->in_use_bytes, a),
		     mc_commas(r->in_use_blocks, b));
		LINE(sb, r, "  total heap usage: %s allocs, %s frees, %s bytes allocated", mc_commas(r->allocs, a),
		     mc_commas(r->frees, b), mc_commas(r->bytes_allocated, d));
		LINE(sb, r, "%s", "");
	}
	if (o->leak_check == MC_LEAK_NO) {
		if (o->verbosity) {
			LINE(sb, r, "For a detailed leak analysis, rerun with: --leak-check=full");
			LINE(sb, r, "%s", "");
		}
	} else if (r->leak_checked && !r->in_use_blocks) {
		if (o->verbosity) {
			LINE(sb, r, "All heap blocks were freed -- no leaks are possible");
			LINE(sb, r, "%s", "");
		}
	} else if (r->leak_checked && !leak_report(sb, r, o, last_tid)) {
		return false;
	}
	return true;
}

void mc_text_fatal(struct strbuf *sb, const struct mc_result *r, const struct mc_opts *o)
{
	if (r->signal && fatal_shown(r, o))
		fatal_signal(sb, r, o);
}

void mc_text_finish(struct strbuf *sb, const struct mc_result *r, const struct mc_opts *o,
		    const struct mc_supps *supps, int *last_tid)
{
	mc_text_fatal(sb, r, o);
	if (r->cut) /* no verdicts: what was seen, and why no more */
		cut_summary(sb, r, o);
	else if (!heap_and_leaks(sb, r, o, last_tid))
		return;
	if (!o->verbosity)
		return;
	struct mc_counts c = mc_count_errors(r, o);
	if (r->reads_unchecked) /* what a clean ERROR SUMMARY does not cover */
		LINE(sb, r, "Invalid reads of heap memory are checked only with --precise");
	if (!o->show_error_list)
		LINE(sb, r, "For lists of detected and suppressed errors, rerun with: -s");
	error_summary(sb, r, &c);
	if (o->show_error_list)
		error_list(sb, r, o, supps, &c, last_tid);
}

void mc_text_head(struct strbuf *sb, const struct mc_result *r, const struct mc_opts *o)
{
	if (o->exit_needs_code) { /* valgrind 3.19 says so, then runs anyway */
		LINE(sb, r, "Bad option: --exit-on-first-error=yes");
		LINE(sb, r, "You must define a non nul exit error code, with --error-exitcode=...");
		LINE(sb, r, "Use --help for more information or consult the user manual.");
	}
	if (o->verbosity)
		mc_text_preamble(sb, r);
	if (o->verbosity < 2)
		return;
	/* -v: what valgrind -v says first that means something for sonde */
	pre(sb, r, '-');
	sb_adds(sb, "Valgrind options:\n");
	for (int i = 1; i < r->vargc; i++)
		if (strcmp(r->vargv[i], "--")) {
			pre(sb, r, '-');
			sb_addf(sb, "   %s\n", r->vargv[i]);
		}
	for (size_t i = 0; i < o->suppressions.n; i++) {
		pre(sb, r, '-');
		sb_addf(sb, "Reading suppressions file: %s\n", o->suppressions.v[i]);
	}
}

void mc_text_body(struct strbuf *sb, const struct mc_result *r, const struct mc_opts *o,
		  const struct mc_supps *supps)
{
	int last_tid = 1;
	for (size_t i = 0; i < r->errors.n; i++) {
		mc_text_error(sb, r, &r->errors.v[i], o, &last_tid);
		if (o->exit_on_first_error && !r->errors.v[i].suppressed) {
			exit_first(sb, r);
			return;
		}
	}
	if (!r->execed) /* after an exec valgrind is gone: no summaries */
		mc_text_finish(sb, r, o, supps, &last_tid);
}

void mc_text_report(struct strbuf *sb, const struct mc_result *r, const struct mc_opts *o,
		    const struct mc_supps *supps)
{
	mc_text_head(sb, r, o);
	mc_text_body(sb, r, o, supps);
}

/* sonde memcheck's valgrind-shaped output: results built by hand from the
 * facts valgrind 3.19 reported on tests/golden/memcheck's fixtures (leaks.c,
 * errs2.c, sig.c, mism.cc; see the README there), rendered and compared with
 * valgrind's own output, the PID fixed and the preamble dropped. Also the
 * option parser and the exit status. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "memcheck/mc_model.h"
#include "memcheck/mc_opts.h"
#include "memcheck/mc_supp.h"
#include "memcheck/mc_text.h"
#include "memcheck/mc_xml.h"
#include "unit.h"
#include "util/strbuf.h"

#define VGPRELOAD "/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so"

static struct mc_frame F(uint64_t ip, const char *func, const char *file, unsigned line, const char *obj)
{
	struct mc_frame f = { ip, func, file, line, obj, NULL, file ? "/tmp/vgfx" : NULL };
	return f;
}
#define MALLOC F(0x48417B4, "malloc", NULL, 0, VGPRELOAD)
#define FREE F(0x484417B, "free", NULL, 0, VGPRELOAD)
#define BELOW F(0x48A3D8F, "__libc_start_call_main", "libc_start_call_main.h", 58, "/usr/lib/x86_64-linux-gnu/libc.so.6")

static struct mc_stack S(int n, ...)
{
	struct mc_stack s = { { 0 } };
	va_list ap;
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		vec_push(&s.frames, va_arg(ap, struct mc_frame));
	va_end(ap);
	return s;
}

static char *read_golden(const char *name)
{
	const char *root = getenv("SONDE_ROOT");
	char path[4096];
	snprintf(path, sizeof(path), "%s/tests/golden/memcheck/%s", root ? root : ".", name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_add(&sb, buf, n);
	fclose(f);
	return sb_detach(&sb);
}

/* sonde's text from its "Command:" line on (valgrind's preamble differs by
 * design), against the golden file; prints the first differing line */
static int same_as_golden(const char *text, const char *golden_name)
{
	char *want = read_golden(golden_name);
	if (!want) {
		printf("FAIL %s: missing golden %s\n", unit_current_, golden_name);
		return 0;
	}
	const char *got = strstr(text, "Command:");
	if (got) {
		while (got > text && got[-1] != '\n')
			got--;
	} else {
		got = text;
	}
	int ok = !strcmp(got, want);
	if (!ok) {
		const char *a = got, *b = want;
		int line = 1;
		while (*a && *a == *b) {
			if (*a == '\n')
				line++;
			a++, b++;
		}
		while (a > got && a[-1] != '\n')
			a--, b--;
		printf("FAIL %s: %s differs at line %d:\n  got:  %.*s\n  want: %.*s\n", unit_current_,
		       golden_name, line, (int)strcspn(a, "\n"), a, (int)strcspn(b, "\n"), b);
	}
	free(want);
	return ok;
}

#define CHECK_GOLDEN(text, name)                          \
	do {                                              \
		if (!same_as_golden((text), (name))) {    \
			unit_current_failed_ = 1;         \
			return;                           \
		}                                         \
	} while (0)

static char *leaks_argv[] = { "./leaks", NULL };

static void add_loss(struct mc_result *r, enum mc_leak_kind k, uint64_t bytes, uint64_t ind,
		     struct mc_stack st)
{
	struct mc_loss l = { k, bytes, ind, 1, st, false, NULL, 0 };
	vec_push(&r->losses, l);
}

/* leaks.c as valgrind saw it; the 2,000-byte blocks come one by one so the
 * grouping has something to merge, and main's caller is there to be cut */
static void leaks_result(struct mc_result *r)
{
	memset(r, 0, sizeof(*r));
	r->pid = 1234;
	r->argv = leaks_argv;
	r->argc = 1;
	r->in_use_bytes = r->bytes_allocated = 6182;
	r->in_use_blocks = r->allocs = 8;
	r->leak_checked = true;
	r->exited = true;
	const char *o = "/tmp/vgfx/leaks";
	for (int i = 0; i < 3; i++)
		add_loss(r, MC_DEFINITE, 2000, 0,
			 S(4, MALLOC, F(0x109150, "mk", "leaks.c", 5, o), F(0x1091F0, "main", "leaks.c", 12, o), BELOW));
	add_loss(r, MC_POSSIBLE, 100, 0, S(2, MALLOC, F(0x1091A6, "main", "leaks.c", 10, o)));
	add_loss(r, MC_DEFINITE, 32, 32, S(2, MALLOC, F(0x10916E, "main", "leaks.c", 9, o)));
	add_loss(r, MC_INDIRECT, 32, 0, S(2, MALLOC, F(0x10917C, "main", "leaks.c", 9, o)));
	add_loss(r, MC_DEFINITE, 10, 0,
		 S(3, MALLOC, F(0x109150, "mk", "leaks.c", 5, o), F(0x109164, "main", "leaks.c", 8, o)));
	add_loss(r, MC_REACHABLE, 8, 0, S(3, MALLOC, F(0x1091C3, "main", "leaks.c", 11, o), BELOW));
	mc_result_group_losses(r, 12);
}

static char *render(const struct mc_result *r, const char *const *args, const struct mc_supps *s)
{
	struct mc_opts o;
	mc_opts_init(&o);
	int n = 0;
	while (args[n])
		n++;
	char *argv[32];
	for (int i = 0; i < n; i++)
		argv[i] = (char *)args[i];
	argv[n] = "./prog";
	struct strbuf err = STRBUF_INIT;
	int at = mc_opts_parse(&o, n + 1, argv, &err);
	if (at != n)
		printf("# parse failed: %s\n", err.buf ? err.buf : "");
	sb_free(&err);
	struct strbuf sb = STRBUF_INIT;
	mc_text_report(&sb, r, &o, s);
	mc_opts_free(&o);
	return sb_detach(&sb);
}

static void test_leaks_full_all(void)
{
	struct mc_result r;
	leaks_result(&r);
	CHECK_INT(r.losses.n, 6);
	CHECK_INT(r.losses.v[5].blocks, 3);
	char *t = render(&r, (const char *[]){ "--leak-check=full", "--show-leak-kinds=all", NULL }, NULL);
	CHECK_GOLDEN(t, "leaks_full_all.txt");
	free(t);
	mc_result_free(&r);
}

static void test_leaks_summary_and_hints(void)
{
	struct mc_result r;
	leaks_result(&r);
	char *t = render(&r, (const char *[]){ NULL }, NULL);
	CHECK_GOLDEN(t, "leaks_summary.txt");
	free(t);
	t = render(&r, (const char *[]){ "--leak-check=yes", NULL }, NULL);
	CHECK_GOLDEN(t, "leaks_full.txt");
	free(t);
	t = render(&r, (const char *[]){ "-q", "--leak-check=full", NULL }, NULL);
	CHECK_GOLDEN(t, "leaks_q.txt");
	free(t);
	mc_result_free(&r);
}

static void test_leaks_gen_suppressions(void)
{
	struct mc_result r;
	leaks_result(&r);
	char *t = render(&r, (const char *[]){ "--leak-check=full", "--show-leak-kinds=all",
						"--gen-suppressions=all", NULL }, NULL);
	CHECK_GOLDEN(t, "leaks_gen.txt");
	free(t);
	mc_result_free(&r);
}

static void test_leaks_suppressed(void)
{
	struct mc_result r;
	leaks_result(&r);
	struct mc_supps s;
	memset(&s, 0, sizeof(s));
	struct strbuf err = STRBUF_INIT;
	const char *root = getenv("SONDE_ROOT");
	if (root && chdir(root) != 0)
		root = NULL;
	CHECK_INT(mc_supp_load_file(&s, "tests/golden/memcheck/ok.supp", &err), 0);
	mc_supp_apply(&s, &r, 12);
	char *t = render(&r, (const char *[]){ "--leak-check=full", "-s", NULL }, &s);
	CHECK_GOLDEN(t, "leaks_supp_s.txt");
	free(t);
	/* the later "rr" wins over "leak-main", as in valgrind */
	CHECK_STR(r.losses.v[1].supp_name, "rr");
	sb_free(&err);
	mc_supps_free(&s);
	mc_result_free(&r);
}

static char *errs_argv[] = { "./errs2", NULL };

static void errs_result(struct mc_result *r)
{
	memset(r, 0, sizeof(*r));
	r->pid = 1234;
	r->argv = errs_argv;
	r->argc = 1;
	r->allocs = 1;
	r->frees = 2;
	r->bytes_allocated = 10;
	r->leak_checked = true;
	r->exited = true;
	r->exit_code = 3;
	const char *o = "/tmp/vgfx/errs2";
	struct mc_frame alloc_main = F(0x10915A, "main", "errs2.c", 4, o);
	struct mc_error e = { 0 };
	e.kind = MC_INVALID_READ;
	e.size = 1;
	e.addr = 0x4a4304e;
	e.where = S(2, F(0x109163, "main", "errs2.c", 5, o), BELOW);
	e.rel = MC_ADDR_AFTER;
	e.offset = 4;
	e.block_size = 10;
	e.alloc_stack = S(2, MALLOC, alloc_main);
	mc_result_add_error(r, &e);
	e.kind = MC_INVALID_WRITE;
	e.size = 1;
	e.addr = 0x4a4304a;
	e.offset = 0;
	e.where = S(1, F(0x109176, "main", "errs2.c", 6, o));
	e.rel = MC_ADDR_AFTER;
	e.block_size = 10;
	e.alloc_stack = S(2, MALLOC, alloc_main);
	mc_result_add_error(r, &e);
	e.kind = MC_INVALID_FREE;
	e.size = 0;
	e.how = "free()";
	e.addr = 0x4a43040;
	e.where = S(2, FREE, F(0x109190, "main", "errs2.c", 8, o));
	e.rel = MC_ADDR_INSIDE;
	e.block_size = 10;
	e.block_freed = true;
	e.free_stack = S(2, FREE, F(0x109184, "main", "errs2.c", 7, o));
	e.alloc_stack = S(2, MALLOC, alloc_main);
	mc_result_add_error(r, &e);
	e.kind = MC_FISHY_VALUE;
	e.size = (uint64_t)-3;
	e.func = "malloc";
	e.where = S(2, MALLOC, F(0x10919C, "main", "errs2.c", 9, o));
	mc_result_add_error(r, &e);
}

static void test_errors_s(void)
{
	struct mc_result r;
	errs_result(&r);
	CHECK_INT(r.errors.n, 4);
	char *t = render(&r, (const char *[]){ "-s", NULL }, NULL);
	CHECK_GOLDEN(t, "errs_s.txt");
	free(t);
	t = render(&r, (const char *[]){ "--leak-check=no", "--num-callers=1", NULL }, NULL);
	CHECK_GOLDEN(t, "errs_nc1.txt");
	free(t);
	mc_result_free(&r);
}

static void test_error_contexts_merge(void)
{
	struct mc_result r = { 0 };
	for (int i = 0; i < 3; i++) {
		struct mc_error e = { 0 };
		e.kind = MC_INVALID_READ;
		e.size = 4;
		e.where = S(2, F(0x10, "f", "a.c", 1, NULL), F(0x20, "main", "a.c", 9, NULL));
		mc_result_add_error(&r, &e);
	}
	struct mc_error e = { 0 };
	e.kind = MC_INVALID_READ;
	e.size = 8;
	e.where = S(1, F(0x10, "f", "a.c", 1, NULL));
	mc_result_add_error(&r, &e);
	CHECK_INT(r.errors.n, 2);
	CHECK_INT(r.errors.v[0].count, 3);
	struct mc_opts o;
	mc_opts_init(&o);
	struct mc_counts c = mc_count_errors(&r, &o);
	CHECK_INT(c.errors, 4);
	CHECK_INT(c.contexts, 2);
	mc_opts_free(&o);
	mc_result_free(&r);
}

static char *mism_argv[] = { "./mism", NULL };

static void test_mismatched(void)
{
	struct mc_result r = { 0 };
	r.pid = 1234;
	r.argv = mism_argv;
	r.argc = 1;
	r.allocs = r.frees = 4;
	r.bytes_allocated = 72728;
	r.leak_checked = r.exited = true;
	const char *o = "/tmp/vgfx/mism";
	struct mc_frame del = F(0x484499B, "operator delete(void*, unsigned long)", NULL, 0, VGPRELOAD);
	struct {
		struct mc_frame at, alloc;
		uint64_t by, alloc_by, addr, size;
	} c[] = {
		{ del, F(0x484320F, "operator new[](unsigned long)", NULL, 0, VGPRELOAD), 0x1091A4, 0x10918A, 0x4d70c80, 16 },
		{ del, MALLOC, 0x1091C8, 0x1091AE, 0x4d70cd0, 4 },
		{ FREE, F(0x4841F2F, "operator new(unsigned long)", NULL, 0, VGPRELOAD), 0x1091E2, 0x1091D2, 0x4d70d20, 4 },
	};
	for (int i = 0; i < 3; i++) {
		struct mc_error e = { 0 };
		e.kind = MC_MISMATCHED_FREE;
		e.addr = c[i].addr;
		e.where = S(2, c[i].at, F(c[i].by, "main", "mism.cc", 2, o));
		e.rel = MC_ADDR_INSIDE;
		e.block_size = c[i].size;
		e.alloc_stack = S(2, c[i].alloc, F(c[i].alloc_by, "main", "mism.cc", 2, o));
		mc_result_add_error(&r, &e);
	}
	char *t = render(&r, (const char *[]){ NULL }, NULL);
	CHECK_GOLDEN(t, "mism.txt");
	free(t);
	mc_result_free(&r);
}

static char *sig_argv[] = { "./sig", NULL };

static void test_signal(void)
{
	struct mc_result r = { 0 };
	r.pid = 1234;
	r.argv = sig_argv;
	r.argc = 1;
	r.in_use_bytes = r.bytes_allocated = 7;
	r.in_use_blocks = r.allocs = 1;
	r.leak_checked = true;
	r.signal = 11;
	const char *o = "/tmp/vgfx/sig";
	r.signal_stack = S(3, F(0x48E8EEC, "__pthread_kill_implementation", "pthread_kill.c", 44, NULL),
			   F(0x4899FB1, "raise", "raise.c", 26, NULL), F(0x109160, "main", "sig.c", 3, o));
	add_loss(&r, MC_DEFINITE, 7, 0, S(2, MALLOC, F(0x109156, "main", "sig.c", 3, o)));
	char *t = render(&r, (const char *[]){ NULL }, NULL);
	CHECK_GOLDEN(t, "sig.txt");
	free(t);
	struct mc_opts op;
	mc_opts_init(&op);
	op.error_exitcode = 5;
	int sig;
	CHECK_INT(mc_exit_status(&r, &op, &sig), 139);
	CHECK_INT(sig, 11);
	mc_opts_free(&op);
	mc_result_free(&r);
}

static char *segv_argv[] = { "./segv", NULL };

/* segv.c: malloc(7) kept, then a write to address 3 in poke(): the error,
 * then the signal with what the kernel said, its stack and valgrind's hint */
static void segv_result(struct mc_result *r)
{
	memset(r, 0, sizeof(*r));
	r->pid = 1234;
	r->ppid = 1000;
	r->argv = segv_argv;
	r->argc = 1;
	r->in_use_bytes = r->bytes_allocated = 7;
	r->in_use_blocks = r->allocs = 1;
	r->leak_checked = true;
	r->signal = 11;
	const char *o = "/tmp/vgfx/segv";
	struct mc_error e = { 0 };
	e.kind = MC_INVALID_WRITE;
	e.size = 1;
	e.addr = 3;
	e.where = S(2, F(0x109149, "poke", "segv.c", 2, o), F(0x10916E, "main", "segv.c", 3, o));
	mc_result_add_error(r, &e);
	r->signal_stack = S(2, F(0x109149, "poke", "segv.c", 2, o), F(0x10916E, "main", "segv.c", 3, o));
	r->fatal = (struct mc_fatal){ .known = true, .code = 1, .addr = 3, .stack_limit = 8388608, .tid = 1 };
	add_loss(r, MC_REACHABLE, 7, 0, S(2, MALLOC, F(0x10915E, "main", "segv.c", 3, o)));
}

static void test_fatal_signal(void)
{
	struct mc_result r;
	segv_result(&r);
	char *t = render(&r, (const char *[]){ NULL }, NULL);
	CHECK_GOLDEN(t, "segv.txt");
	free(t);
	/* -q: valgrind still tells of a crash the kernel signalled */
	t = render(&r, (const char *[]){ "-q", NULL }, NULL);
	CHECK(strstr(t, "Process terminating with default action of signal 11 (SIGSEGV)\n"));
	CHECK(strstr(t, "==1234==  The main thread stack size used in this run was 8388608.\n"));
	free(t);
	/* ...not of one a process sent (abort's SIGABRT: si_code -6) */
	r.signal = 6;
	r.fatal.code = -6;
	t = render(&r, (const char *[]){ "-q", NULL }, NULL);
	CHECK(!strstr(t, "Process terminating"));
	free(t);
	t = render(&r, (const char *[]){ NULL }, NULL);
	CHECK(strstr(t, "signal 6 (SIGABRT)\n==1234==    at 0x109149: poke (segv.c:2)\n"));
	CHECK(!strstr(t, " at address") && !strstr(t, "If you believe"));
	free(t);
	/* a permissions fault has no hint; unlimited stacks, no size; a core */
	r.signal = 11;
	r.fatal.code = 2;
	r.fatal.core = true;
	t = render(&r, (const char *[]){ "-q", NULL }, NULL);
	CHECK(strstr(t, "(SIGSEGV): dumping core\n==1234==  Bad permissions for mapped region at address 0x3\n"));
	CHECK(!strstr(t, "If you believe"));
	free(t);
	r.fatal.code = 1;
	r.fatal.core = false;
	r.fatal.stack_limit = 0;
	t = render(&r, (const char *[]){ "-q", NULL }, NULL);
	CHECK(strstr(t, "--main-stacksize= flag.\n") && !strstr(t, "stack size used"));
	free(t);
	/* the kernel's other words, as valgrind prints them */
	bool has_addr;
	struct mc_fatal f = { .known = true, .code = 1 };
	CHECK_STR(mc_fatal_event(4, &f, &has_addr), "Illegal opcode");
	CHECK_STR(mc_fatal_event(8, &f, &has_addr), "Integer divide by zero");
	f.code = 2;
	CHECK_STR(mc_fatal_event(7, &f, &has_addr), "Non-existent physical address");
	CHECK(has_addr);
	f.code = 0x80;
	CHECK_STR(mc_fatal_event(11, &f, &has_addr), "General Protection Fault");
	CHECK(!has_addr);
	f.code = -6;
	CHECK(mc_fatal_event(11, &f, &has_addr) == NULL);
	mc_result_free(&r);
}

static char *so_argv[] = { "./so", NULL };

/* so.c: main's stack overflows in down(): valgrind says so before the
 * signal and again after what the kernel said, and shows the one frame */
static void test_stack_overflow(void)
{
	struct mc_result r = { 0 };
	r.pid = 1234;
	r.argv = so_argv;
	r.argc = 1;
	r.signal = 11;
	r.leak_checked = true;
	r.signal_stack = S(1, F(0x109134, "down", "so.c", 1, "/tmp/vgfx/so"));
	r.fatal = (struct mc_fatal){ .known = true, .code = 1, .addr = 0x1FFE801FDC, .grow_to = 0x1ffe801000,
				     .stack_limit = 8388608, .tid = 1 };
	char *t = render(&r, (const char *[]){ "-q", NULL }, NULL);
	char *want = read_golden("so_q.txt");
	CHECK(want);
	if (strcmp(t, want))
		printf("# got:\n%s# want:\n%s", t, want);
	CHECK(!strcmp(t, want));
	free(want);
	free(t);
	/* another thread's: said once, before the signal */
	r.fatal.tid = 2;
	t = render(&r, (const char *[]){ "-q", NULL }, NULL);
	const char *first = strstr(t, "Stack overflow in thread #2");
	CHECK(first && !strstr(first + 1, "Stack overflow"));
	free(t);
	mc_result_free(&r);
}

/* Without --precise, once before the ERROR SUMMARY's hint: invalid reads
 * were not checked; not with -q */
static void test_reads_note(void)
{
	struct mc_result r;
	leaks_result(&r);
	r.reads_unchecked = true;
	const char *line = "==1234== Invalid reads of heap memory are checked only with --precise\n"
			   "==1234== For lists of detected and suppressed errors, rerun with: -s\n";
	char *t = render(&r, (const char *[]){ NULL }, NULL);
	const char *at = strstr(t, line);
	CHECK(at && !strstr(at + strlen(line), "checked only with"));
	free(t);
	t = render(&r, (const char *[]){ "-s", NULL }, NULL);
	at = strstr(t, "checked only with --precise\n==1234== ERROR SUMMARY");
	CHECK(at && !strstr(at + 20, "checked only with"));
	free(t);
	t = render(&r, (const char *[]){ "-q", NULL }, NULL);
	CHECK(!strstr(t, "checked only with"));
	free(t);
	mc_result_free(&r);
}

static void test_exit_status(void)
{
	struct mc_result r;
	leaks_result(&r);
	r.exit_code = 2;
	struct mc_opts o;
	mc_opts_init(&o);
	int sig;
	o.error_exitcode = 9;
	/* leak-check=summary: leaks are not errors */
	CHECK_INT(mc_exit_status(&r, &o, &sig), 2);
	o.leak_check = MC_LEAK_FULL;
	CHECK_INT(mc_exit_status(&r, &o, &sig), 9);
	CHECK_INT(sig, 0);
	o.error_kinds = 0;
	CHECK_INT(mc_exit_status(&r, &o, &sig), 2);
	o.error_kinds = MC_KINDS_ALL;
	CHECK_INT(mc_count_errors(&r, &o).errors, 6);
	o.error_exitcode = 0;
	CHECK_INT(mc_exit_status(&r, &o, &sig), 2);
	mc_opts_free(&o);
	mc_result_free(&r);
}

static void test_commas(void)
{
	char b[32];
	CHECK_STR(mc_commas(0, b), "0");
	CHECK_STR(mc_commas(999, b), "999");
	CHECK_STR(mc_commas(1000, b), "1,000");
	CHECK_STR(mc_commas(72728, b), "72,728");
	CHECK_STR(mc_commas(18446744073709551615ull, b), "18,446,744,073,709,551,615");
}

/* ---- options ---- */

static int parse(struct mc_opts *o, struct strbuf *err, const char *const *args)
{
	char *argv[32];
	int n = 0;
	while (args[n]) {
		argv[n] = (char *)args[n];
		n++;
	}
	mc_opts_init(o);
	sb_reset(err);
	return mc_opts_parse(o, n, argv, err);
}

static void test_opts(void)
{
	struct mc_opts o;
	struct strbuf err = STRBUF_INIT;
	CHECK_INT(parse(&o, &err, (const char *[]){ "./p", NULL }), 0);
	CHECK_INT(o.leak_check, MC_LEAK_SUMMARY);
	CHECK_INT(o.show_kinds, MC_KIND_BIT(MC_DEFINITE) | MC_KIND_BIT(MC_POSSIBLE));
	CHECK_INT(o.num_callers, 12);
	CHECK(o.default_suppressions && o.verbosity == 1 && !o.show_error_list);
	mc_opts_free(&o);
	CHECK_INT(parse(&o, &err, (const char *[]){ "--tool=memcheck", "--leak-check=full", "--show-leak-kinds=definite,reachable",
		"--errors-for-leak-kinds=none", "--error-exitcode=42", "--num-callers=3", "--suppressions=a",
		"--suppressions=b", "--default-suppressions=no", "--gen-suppressions=all", "--log-file=l.%p",
		"-q", "-s", "--track-origins=yes", "--leak-resolution=low", "--trace-children=yes",
		"--child-silent-after-fork=yes", "--xml=yes", "--xml-fd=3", "--", "--prog", "x", NULL }), 20);
	CHECK_INT(o.show_kinds, MC_KIND_BIT(MC_DEFINITE) | MC_KIND_BIT(MC_REACHABLE));
	CHECK_INT(o.error_kinds, 0);
	CHECK_INT(o.error_exitcode, 42);
	CHECK_INT(o.num_callers, 3);
	CHECK_INT(o.suppressions.n, 2);
	CHECK_STR(o.suppressions.v[1], "b");
	CHECK(!o.default_suppressions && o.gen_suppressions == MC_GEN_ALL && o.xml && o.xml_fd == 3);
	CHECK(o.verbosity == 0 && o.show_error_list && o.track_origins && o.trace_children);
	CHECK_INT(o.leak_resolution, 2);
	CHECK_STR(o.log_file, "l.%p");
	mc_opts_free(&o);
	/* --xml=yes implies a full leak check; high resolution = num-callers */
	CHECK_INT(parse(&o, &err, (const char *[]){ "--xml=yes", "--xml-file=x", "--num-callers=7", "p", NULL }), 3);
	CHECK_INT(o.leak_check, MC_LEAK_FULL);
	CHECK_INT(o.leak_resolution, 7);
	mc_opts_free(&o);
	CHECK_INT(parse(&o, &err, (const char *[]){ "--show-reachable=yes", "p", NULL }), 1);
	CHECK_INT(o.show_kinds, MC_KINDS_ALL);
	mc_opts_free(&o);
	CHECK_INT(parse(&o, &err, (const char *[]){ "-v", "p", NULL }), 1);
	CHECK(o.show_error_list && o.verbosity == 2);
	mc_opts_free(&o);
	/* valgrind 3.19: --show-reachable=no hides only the reachable; -q and -v count */
	CHECK_INT(parse(&o, &err, (const char *[]){ "--show-leak-kinds=all", "--show-reachable=no",
		"--memcheck:show-possibly-lost=no", "-q", "-v", "--helgrind:x=1", "p", NULL }), 6);
	CHECK_INT(o.show_kinds, MC_KIND_BIT(MC_DEFINITE) | MC_KIND_BIT(MC_INDIRECT));
	CHECK(o.verbosity == 1 && !o.show_error_list);
	mc_opts_free(&o);
	CHECK_INT(parse(&o, &err, (const char *[]){ "--exit-on-first-error=yes", "--freelist-vol=0",
		"--freelist-big-blocks=5", "--keep-stacktraces=none", "--vex-iropt-level=1", "--vex-iropt-level=2",
		"--error-limit=no", "p", NULL }), 7);
	CHECK(o.exit_on_first_error && o.exit_needs_code && o.freelist_vol == 0 && o.freelist_big_blocks == 5);
	CHECK_INT(o.keep_stacks, MC_KEEP_NONE);
	CHECK_INT(o.ignored.n, 1); /* one note for the option given twice, none for what sonde does */
	CHECK_STR(o.ignored.v[0].arg, "--vex-iropt-level=2");
	mc_opts_free(&o);
	sb_free(&err);
}

static void test_opts_errors(void)
{
	struct mc_opts o;
	struct strbuf err = STRBUF_INIT;
	static const struct { const char *arg, *msg; } c[] = {
		{ "--foo", "Unknown option: --foo\nUse --help for more information or consult the user manual.\n" },
		{ "--leak-check=maybe", "Unknown option: --leak-check=maybe\nUse --help for more information or consult the user manual.\n" },
		{ "--num-callers=0", "Bad option: --num-callers=0\n'--num-callers' argument must be between 1 and 500\nUse --help for more information or consult the user manual.\n" },
		{ "--num-callers=abc", "Bad option: --num-callers=abc\nInvalid integer value 'abc'\nUse --help for more information or consult the user manual.\n" },
		{ "--show-leak-kinds=foo", "Bad option: --show-leak-kinds=foo\nfoo is an invalid show-leak-kinds set\nUse --help for more information or consult the user manual.\n" },
		{ "--show-reachable=maybe", "Bad option: --show-reachable=maybe\nInvalid boolean value 'maybe' (should be 'yes' or 'no')\nUse --help for more information or consult the user manual.\n" },
		{ "--freelist-vol=-1", "Bad option: --freelist-vol=-1\n'--freelist-vol' argument must be between 0 and 10000000000\nUse --help for more information or consult the user manual.\n" },
		{ "--fair-sched=maybe", "Bad option: --fair-sched=maybe\nBad argument, should be 'yes', 'try' or 'no'\nUse --help for more information or consult the user manual.\n" },
		{ "--px-default=x", "Bad option: --px-default=x\nInvalid string 'x' in '--px-default=x'\nUse --help for more information or consult the user manual.\n" },
		{ "--sim-hints=all", "Bad option: --sim-hints=all\nall is an invalid sim-hints set\nUse --help for more information or consult the user manual.\n" },
		{ "--smc-check=some", "Unknown option: --smc-check=some\nUse --help for more information or consult the user manual.\n" },
		{ "--trace-malloc", "Unknown option: --trace-malloc\nUse --help for more information or consult the user manual.\n" },
		{ "--xml=yes", "Bad option: --xml=yes, but no XML destination specified\n--xml=yes has been specified, but there is no XML output\ndestination.  You must specify an XML output destination\nusing --xml-fd, --xml-file or --xml-socket.\nUse --help for more information or consult the user manual.\n" },
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		CHECK_INT(parse(&o, &err, (const char *[]){ c[i].arg, "./p", NULL }), -1);
		CHECK_STR(err.buf, c[i].msg);
		mc_opts_free(&o);
	}
	CHECK_INT(parse(&o, &err, (const char *[]){ "-q", NULL }), -1);
	CHECK_STR(err.buf, "no program specified\nUse --help for more information.\n");
	mc_opts_free(&o);
	sb_free(&err);
}

static void test_file_name(void)
{
	struct strbuf err = STRBUF_INIT;
	setenv("MC_TEST_V", "vv", 1);
	unsetenv("MC_TEST_UNSET");
	char *p = mc_expand_file_name("--log-file", "a.%p.%q{MC_TEST_V}.%%", 77, &err);
	CHECK_STR(p, "a.77.vv.%");
	free(p);
	CHECK(!mc_expand_file_name("--log-file", "x%q", 1, &err));
	CHECK_STR(err.buf, "Bad option: --log-file=x%q\nExpected '{' after '%q'\nUse --help for more information or consult the user manual.\n");
	sb_reset(&err);
	CHECK(!mc_expand_file_name("--log-file", "x%q{MC_TEST_UNSET}", 1, &err));
	CHECK(strstr(err.buf, "Environment variable 'MC_TEST_UNSET' is not set"));
	sb_reset(&err);
	CHECK(!mc_expand_file_name("--log-file", "x%q{HOME", 1, &err));
	CHECK(strstr(err.buf, "Missing '}' in %q specifier"));
	sb_reset(&err);
	CHECK(!mc_expand_file_name("--log-file", "x%x", 1, &err));
	CHECK(strstr(err.buf, "Expected 'p' or 'q' or '%' after '%'"));
	sb_free(&err);
}

/* ---- XML ---- */

/* the sequence of element names, one per line, of an XML text */
static char *tags(const char *x)
{
	struct strbuf sb = STRBUF_INIT;
	for (const char *p = x; (p = strchr(p, '<'));) {
		p++;
		if (*p == '?' || *p == '!') {
			if (!strncmp(p, "![CDATA[", 8)) {
				const char *e = strstr(p, "]]>");
				p = e ? e : p;
			}
			continue;
		}
		size_t n = strcspn(p, "> ");
		sb_add(&sb, p, n);
		sb_addc(&sb, '\n');
	}
	return sb_detach(&sb);
}

static int xmllint_ok(const char *xml)
{
	if (system("command -v xmllint >/dev/null 2>&1"))
		return -1;
	char path[] = "/tmp/sonde-mc-xml-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return 0;
	FILE *f = fdopen(fd, "w");
	fputs(xml, f);
	fclose(f);
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "xmllint --noout %s", path);
	int rc = system(cmd);
	unlink(path);
	return rc == 0;
}

static void check_xml_like(const char *xml, const char *golden_name, int *ok)
{
	char *want = read_golden(golden_name);
	*ok = 0;
	if (!want)
		return;
	char *a = tags(xml), *b = tags(want);
	*ok = !strcmp(a, b);
	if (!*ok)
		printf("# tags differ from %s:\n%s\n---\n%s\n", golden_name, a, b);
	free(a);
	free(b);
	free(want);
}

static void test_xml_leaks(void)
{
	struct mc_result r;
	leaks_result(&r);
	struct mc_opts o;
	mc_opts_init(&o);
	o.leak_check = MC_LEAK_FULL;
	o.show_kinds = MC_KINDS_ALL;
	char *vargv[] = { "/usr/bin/valgrind.bin", "--xml=yes", "--xml-file=x", "--show-leak-kinds=all" };
	r.vargv = vargv;
	r.vargc = 4;
	struct strbuf sb = STRBUF_INIT;
	mc_xml_report(&sb, &r, &o, NULL, 1234);
	int ok;
	check_xml_like(sb.buf, "leaks_all.xml", &ok);
	CHECK(ok);
	CHECK(xmllint_ok(sb.buf) != 0);
	CHECK(strstr(sb.buf, "<text>6,000 bytes in 3 blocks are definitely lost in loss record 6 of 6</text>"));
	CHECK(strstr(sb.buf, "<leakedbytes>64</leakedbytes>"));
	CHECK(strstr(sb.buf, "<time>00:00:00:01.234 </time>"));
	/* --gen-suppressions puts a <suppression> in each error (valgrind 3.19
	 * also repeats it after the error for leaks; sonde does not) */
	sb_reset(&sb);
	o.gen_suppressions = MC_GEN_ALL;
	mc_xml_report(&sb, &r, &o, NULL, 0);
	CHECK(xmllint_ok(sb.buf) != 0);
	CHECK(strstr(sb.buf, "  </stack>\n  <suppression>\n    <sname>insert_a_suppression_name_here</sname>\n"
			     "    <skind>Memcheck:Leak</skind>\n    <skaux>match-leak-kinds: reachable</skaux>\n"
			     "    <sframe> <fun>malloc</fun> </sframe>\n    <sframe> <fun>main</fun> </sframe>\n"));
	/* the raw suppression as valgrind writes it: real lines in CDATA */
	CHECK(strstr(sb.buf, "    <rawtext>\n<![CDATA[\n{\n   <insert_a_suppression_name_here>\n   Memcheck:Leak\n"
			     "   match-leak-kinds: reachable\n   fun:malloc\n   fun:main\n}\n]]>\n    </rawtext>\n"));
	/* a name that would end the section, control bytes, broken UTF-8 */
	sb_reset(&sb);
	for (size_t i = 0; i < r.losses.n; i++)
		if (r.losses.v[i].alloc.frames.n > 1)
			r.losses.v[i].alloc.frames.v[1].func = "evil]]><x>\x01\xff";
	mc_xml_report(&sb, &r, &o, NULL, 0);
	CHECK(xmllint_ok(sb.buf) != 0);
	CHECK(strstr(sb.buf, "fun:evil]]]]><![CDATA[><x>??\n"));
	sb_free(&sb);
	mc_opts_free(&o);
	mc_result_free(&r);
}

/* The "Thread N:" lines of the text, in order, joined by '|'. */
static void thread_lines(const char *t, char *out, size_t n)
{
	out[0] = 0;
	for (const char *p = t; (p = strstr(p, "== Thread ")); p++) {
		const char *e = strchr(p, '\n');
		size_t have = strlen(out), len = e ? (size_t)(e - p - 3) : strlen(p + 3);
		if (have + len + 2 < n) {
			memcpy(out + have, p + 3, len);
			out[have + len] = '|';
			out[have + len + 1] = 0;
		}
	}
}

/* valgrind's thread lines: before an error whose thread is not the one
 * printed last (the main thread's first errors have none), with the
 * thread's name when it has one; the loss records are the main thread's. */
static void test_thread_lines(void)
{
	struct mc_result r;
	errs_result(&r);
	r.errors.v[0].tid = 2;
	r.errors.v[0].thread_name = "worker";
	r.errors.v[1].tid = 2;
	r.errors.v[1].thread_name = "worker";
	r.errors.v[2].tid = 0; /* unknown: the main thread */
	r.errors.v[3].tid = 3;
	r.errors.v[3].thread_name = "w<3>";
	add_loss(&r, MC_DEFINITE, 10, 0, S(2, MALLOC, F(0x109150, "main", "errs2.c", 5, "/tmp/vgfx/errs2")));
	r.in_use_bytes = 10;
	r.in_use_blocks = 1;
	char *t = render(&r, (const char *[]){ "--leak-check=full", NULL }, NULL), got[256];
	thread_lines(t, got, sizeof got);
	CHECK_STR(got, "Thread 2 worker:|Thread 1:|Thread 3 w<3>:|Thread 1:|");
	/* the -s list goes on from the thread printed last */
	free(t);
	t = render(&r, (const char *[]){ "-s", NULL }, NULL);
	thread_lines(t, got, sizeof got);
	CHECK(!strncmp(got, "Thread 2 worker:|Thread 1:|Thread 3 w<3>:|Thread 1:|", 52) && strlen(got) > 52);
	free(t);
	struct mc_opts o;
	mc_opts_init(&o);
	struct strbuf sb = STRBUF_INIT;
	mc_xml_report(&sb, &r, &o, NULL, 0);
	CHECK(xmllint_ok(sb.buf) != 0);
	CHECK(strstr(sb.buf, "<tid>3</tid>\n  <threadname>w&lt;3&gt;</threadname>\n  <kind>") != NULL);
	CHECK(strstr(sb.buf, "<tid>1</tid>\n  <kind>InvalidFree</kind>") != NULL);
	sb_free(&sb);
	mc_opts_free(&o);
	mc_result_free(&r);
}

/* XML: <fatal_signal> after the errors, as valgrind writes it; a jump to
 * NULL is an InvalidJump error */
static void test_fatal_xml(void)
{
	struct mc_result r;
	segv_result(&r);
	struct mc_opts o;
	mc_opts_init(&o);
	o.verbosity = 0; /* -q, as segv.xml was made */
	char *vargv[] = { "/usr/bin/valgrind.bin", "-q", "--xml=yes", "--xml-file=segv.xml" };
	r.vargv = vargv;
	r.vargc = 4;
	struct strbuf sb = STRBUF_INIT;
	mc_xml_report(&sb, &r, &o, NULL, 0);
	int ok;
	check_xml_like(sb.buf, "segv.xml", &ok);
	CHECK(ok);
	CHECK(xmllint_ok(sb.buf) != 0);
	CHECK(strstr(sb.buf, "<fatal_signal>\n  <tid>1</tid>\n  <signo>11</signo>\n  <signame>SIGSEGV</signame>\n"
			     "  <sicode>1</sicode>\n  <event>Access not within mapped region</event>\n"
			     "  <siaddr>0x3</siaddr>\n  <stack>\n"));
	sb_reset(&sb);
	r.errors.v[0].kind = MC_INVALID_JUMP;
	r.errors.v[0].addr = 0;
	r.fatal.tid = 2;
	r.fatal.thread_name = "crasher";
	mc_xml_report(&sb, &r, &o, NULL, 0);
	CHECK(strstr(sb.buf, "<kind>InvalidJump</kind>\n  <what>Jump to the invalid address stated on the next line</what>"));
	CHECK(strstr(sb.buf, "<fatal_signal>\n  <tid>2</tid>\n  <threadname>crasher</threadname>\n"));
	sb_free(&sb);
	char *t = render(&r, (const char *[]){ "-q", NULL }, NULL);
	CHECK(strstr(t, "==1234== Jump to the invalid address stated on the next line\n"));
	CHECK(strstr(t, "==1234==  Address 0x0 is not stack'd, malloc'd or (recently) free'd\n"));
	free(t);
	mc_opts_free(&o);
	mc_result_free(&r);
}

static void test_xml_errors_escaped(void)
{
	struct mc_result r;
	errs_result(&r);
	struct mc_opts o;
	mc_opts_init(&o);
	o.leak_check = MC_LEAK_FULL;
	char *vargv[] = { "/usr/bin/valgrind.bin", "--xml=yes", "--xml-file=x" };
	r.vargv = vargv;
	r.vargc = 3;
	struct strbuf sb = STRBUF_INIT;
	mc_xml_report(&sb, &r, &o, NULL, 0);
	int ok;
	check_xml_like(sb.buf, "errs.xml", &ok);
	CHECK(ok);
	sb_reset(&sb);
	/* hostile names: markup, control characters, invalid UTF-8, "]]>" */
	r.errors.v[0].where.frames.v[0].func = "f<&>\"'\x01\xff]]>";
	r.errors.v[0].where.frames.v[0].file = "a&b.c";
	char *hostile_argv[] = { "./p", "<script>&\x02\xc3" };
	r.argv = hostile_argv;
	r.argc = 2;
	o.gen_suppressions = MC_GEN_ALL;
	mc_xml_report(&sb, &r, &o, NULL, 0);
	CHECK(xmllint_ok(sb.buf) != 0);
	/* escaped in elements; as written in the raw suppression's CDATA,
	 * but for its "]]>" and what XML cannot hold */
	CHECK(strstr(sb.buf, "<fn>f&lt;&amp;&gt;"));
	CHECK(strstr(sb.buf, "fun:f<&>\"'??]]]]><![CDATA[>\n"));
	CHECK(strstr(sb.buf, "&lt;script&gt;&amp;"));
	sb_free(&sb);
	mc_opts_free(&o);
	mc_result_free(&r);
}

int main(void)
{
	RUN(test_commas);
	RUN(test_leaks_full_all);
	RUN(test_leaks_summary_and_hints);
	RUN(test_leaks_gen_suppressions);
	RUN(test_leaks_suppressed);
	RUN(test_errors_s);
	RUN(test_error_contexts_merge);
	RUN(test_thread_lines);
	RUN(test_mismatched);
	RUN(test_signal);
	RUN(test_fatal_signal);
	RUN(test_stack_overflow);
	RUN(test_fatal_xml);
	RUN(test_reads_note);
	RUN(test_exit_status);
	RUN(test_opts);
	RUN(test_opts_errors);
	RUN(test_file_name);
	RUN(test_xml_leaks);
	RUN(test_xml_errors_escaped);
	UNIT_EXIT();
}

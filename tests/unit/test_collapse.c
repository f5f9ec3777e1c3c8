/* collapse_perf_script on small hand-written `perf script` texts: each
 * tidy rule, each option, event filtering, periods, malformed lines.
 * Expected outputs follow FlameGraph's stackcollapse-perf.pl. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collapse/perf_script.h"
#include "unit.h"

static char *collapse(const char *text, const struct collapse_opts *o, struct collapse_stats *st)
{
	struct collapse_opts def = { 0 };
	struct collapse_stats dummy;
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	struct folded_set s;
	folded_init(&s);
	collapse_perf_script(in, o ? o : &def, &s, st ? st : &dummy);
	fclose(in);
	folded_sort(&s);
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	folded_write(f, &s);
	fclose(f);
	folded_free(&s);
	return buf;
}

#define EXPECT(text, opts, want)                                   \
	do {                                                       \
		char *got_ = collapse(text, opts, NULL);           \
		int ok_ = !strcmp(got_, want);                     \
		if (!ok_)                                          \
			printf("got:\n%s", got_);                  \
		free(got_);                                        \
		CHECK(ok_);                                        \
	} while (0)

static const char basic[] =
	"# header comment\n"
	"my prog 1234 [001] 10.000001:     250000 cpu-clock: \n"
	"\tffffffff8103ce3b native_safe_halt+0x1b ([kernel.kallsyms])\n"
	"\t          401136 work+0x16 (/tmp/a.out)\n"
	"\t    7f3e1c029d8f __libc_start_call_main+0x7f (/usr/lib/x86_64-linux-gnu/libc.so.6)\n"
	"\n"
	"my prog 1234 [001] 10.000002:     250000 cpu-clock: \n"
	"\t          401136 work+0x16 (/tmp/a.out)\n"
	"\t    7f3e1c029d8f __libc_start_call_main+0x7f (/usr/lib/x86_64-linux-gnu/libc.so.6)\n"
	"\n";

static void test_basic_periods(void)
{
	EXPECT(basic, NULL,
	       "my_prog;__libc_start_call_main;work 250000\n"
	       "my_prog;__libc_start_call_main;work;native_safe_halt 250000\n");
}

static void test_kernel(void)
{
	struct collapse_opts o = { .kernel = true };
	EXPECT(basic, &o,
	       "my_prog;__libc_start_call_main;work 250000\n"
	       "my_prog;__libc_start_call_main;work;native_safe_halt_[k] 250000\n");
	EXPECT("ab 1 1.0: ev:\n\t1 f (/boot/vmlinux)\n\t2 g (/lib/modules/x/nf.ko)\n\t3 h ([unknown])\n\n", &o,
	       "ab;h;g_[k];f_[k] 1\n");
}

static const char pidtid[] =
	"java 100/101 [000] 1.0: cpu-clock: \n\t1 f (/x)\n\n"
	"java 100/102 [000] 1.1: cpu-clock: \n\t1 f (/x)\n\n"
	"swapper 0/0 [000] 1.2: cpu-clock: \n\t1 idle ([kernel.kallsyms])\n\n"
	"sh 55 [000] 1.3: cpu-clock: \n\t1 f (/x)\n\n";

static void test_pid_tid(void)
{
	struct collapse_opts p = { .pid = true }, t = { .tid = true };
	EXPECT(pidtid, NULL, "java;f 2\nsh;f 1\nswapper;idle 1\n");
	EXPECT(pidtid, &p, "java-100;f 2\nsh-?;f 1\nswapper-?;idle 1\n");
	EXPECT(pidtid, &t, "java-100/101;f 1\njava-100/102;f 1\nsh-?/55;f 1\nswapper-?/0;idle 1\n");
}

static void test_unknown_addrs(void)
{
	static const char in[] = "ab 1 1.0: ev:\n"
				 "\t7f01 [unknown] (/usr/lib/libz.so.1)\n"
				 "\t7f02 [unknown] ([unknown])\n\n";
	struct collapse_opts a = { .addrs = true };
	EXPECT(in, NULL, "ab;[unknown];[libz.so.1] 1\n");
	EXPECT(in, &a, "ab;[unknown <7f02>];[libz.so.1 <7f01>] 1\n");
}

static void test_tidy(void)
{
	EXPECT("ab 1 1.0: ev:\n"
	       "\t1 std::vector<int>::push_back(int const&) (/x)\n"
	       "\t2 ns::(anonymous namespace)::run(int) (/x)\n"
	       "\t3 net/http.(*Client).Do+0x1f (/x)\n"
	       "\t4 a;b\"c'd (/x)\n"
	       "\t5 foo+0xABC (/x)\n"
	       "\t6 (skipped) (/x)\n\n",
	       NULL,
	       "ab;foo+0xABC;a:bcd;net/http.(*Client).Do;ns::(anonymous namespace)::run;std::vector<int>::push_back 1\n");
}

static void test_java_inline_jit(void)
{
	static const char in[] =
		"java 7 1.0: ev:\n"
		"\t1 Ljava/io/PrintStream;::print (/tmp/perf-19982.map)\n"
		"\t2 a->b->c (/tmp/perf-19982.map)\n"
		"\t3 jitfn (/tmp/jitted-7-12.so)\n\n";
	struct collapse_opts j = { .jit = true };
	EXPECT(in, NULL, "java;jitfn;a;b_[i];c_[i];java/io/PrintStream:::print 1\n");
	EXPECT(in, &j, "java;jitfn_[j];a_[j];b_[i];c_[i];java/io/PrintStream:::print_[j] 1\n");
}

static const char twoev[] =
	"ab 1 1.0: 10 cycles: \n\t1 f (/x)\n\n"
	"ab 1 1.1: 20 instructions: \n\t1 g (/x)\n\n"
	"ab 1 1.2: 30 cycles: \n\t1 f (/x)\n\n";

static void test_events(void)
{
	struct collapse_opts e = { .event_filter = "instructions" };
	struct collapse_stats st;
	char *got = collapse(twoev, NULL, &st);
	CHECK_STR(got, "ab;f 40\n");
	free(got);
	CHECK_INT(st.skipped_samples, 1);
	CHECK_STR(st.first_event, "cycles");
	EXPECT(twoev, &e, "ab;g 20\n");
}

static void test_no_comm(void)
{
	struct collapse_opts o = { .no_comm = true };
	EXPECT(basic, &o, "__libc_start_call_main;work 250000\n__libc_start_call_main;work;native_safe_halt 250000\n");
}

static void test_malformed(void)
{
	struct collapse_stats st;
	char *got = collapse("ab 1 1.0: ev:\n\t1 f (/x)\njunk\n\n\x01\x02\n"
			     "ab 1 1.0: ev:\r\n\t1 g (/x)\r\n\r\n", NULL, &st);
	CHECK_STR(got, "ab;f 1\nab;g 1\n");
	free(got);
	CHECK_INT(st.bad_lines, 2);
	CHECK_INT(st.first_bad_line, 3);
	CHECK_INT(st.samples, 2);
}

static void test_sonde_script_layout(void)
{
	/* sonde script prints perf's layout, inline frames as repeated addresses */
	EXPECT("threads 14485 [001]  4416.950148:    1001001 cpu-clock: \n"
	       "\t    7f04b88dbccc _dl_start_final (/usr/lib/ld-linux-x86-64.so.2)\n"
	       "\t    7f04b88dbccc _dl_start+0x55b (/usr/lib/ld-linux-x86-64.so.2)\n\n",
	       NULL, "threads;_dl_start;_dl_start_final 1001001\n");
}

int main(void)
{
	RUN(test_basic_periods);
	RUN(test_kernel);
	RUN(test_pid_tid);
	RUN(test_unknown_addrs);
	RUN(test_tidy);
	RUN(test_java_inline_jit);
	RUN(test_events);
	RUN(test_no_comm);
	RUN(test_malformed);
	RUN(test_sonde_script_layout);
	UNIT_EXIT();
}

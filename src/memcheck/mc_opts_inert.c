/* valgrind 3.19's options that mean nothing to sonde (its JIT, scheduler,
 * gdbserver, debug-info reader, definedness tracking, self-debugging):
 * accepted so that a command line written for valgrind runs unchanged,
 * their values checked as valgrind checks them (a bad one gets valgrind's
 * message and status 1), each with the sentence the note prints. The
 * list and the bounds are valgrind 3.19's (m_main.c, mc_main.c,
 * replacemalloc_core.c), checked against the installed valgrind. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memcheck/mc_opts.h"

enum vtype {
	V_BOOL,   /* yes|no */
	V_INT,    /* a number; lo..hi is its variable's range */
	V_BINT,   /* a number in lo..hi */
	V_BHEX,   /* a hex number in lo..hi */
	V_STR,    /* any text */
	V_XACT,   /* one of vals, else "Unknown option" */
	V_CHOICE, /* one of vals, else "Bad argument, should be 'a', 'b' or 'c'" */
	V_SET,    /* a comma list of vals, or none, or all */
	V_SETX,   /* the same without all */
	V_INDEX,  /* one of vals, else "Invalid string 'x' in '--opt=x'" */
	V_FLAGS8, /* eight 0s and 1s */
	V_BARE,   /* the option alone, no value */
	V_ALIGN,  /* --alignment: a power of two in 16..4096 */
	V_ADDR,   /* --aspace-minaddr: a page-aligned 0x address */
	V_TSYM,   /* --require-text-symbol: CsonameCsymbol */
};

/* why sonde ignores it */
static const char *const whys[] = {
#define W_JIT 0
	"sonde runs the program natively, without valgrind's JIT (VEX): there is nothing to tune",
#define W_CORE 1
	"it tunes valgrind's own machinery (scheduler, address space, code cache), which sonde does not have",
#define W_DEBUG 2
	"it debugs valgrind itself",
#define W_GDB 3
	"sonde has no gdbserver: run the program under gdb itself",
#define W_DEBUGINFO 4
	"sonde reads debug info its own way (inlined frames included, from the build-id cache when a "
	"binary changed); it has no such setting",
#define W_UNDEF 5
	"sonde does not check uninitialised values nor each memory access (only --precise's guarded "
	"blocks); leaks and heap errors are checked",
#define W_XTREE 6
	"sonde writes no xtree files ('sonde heap' profiles the heap)",
#define W_FDS 7
	"sonde does not track file descriptors",
#define W_HEAP 8
	"sonde's checked blocks are 16-byte aligned, with redzones and a freed-block pattern of its own",
#define W_FREERES 9
	"sonde always runs glibc's and libstdc++'s freeres at exit",
#define W_TEXT 10
	"sonde prints stacks and errors as valgrind does by default (demangled, no limit, stopping at main, "
	"no markers)",
#define W_XML 11
	"sonde's XML carries no user comment",
#define W_INPUT 12
	"sonde asks nothing interactively",
#define W_SYMS 13
	"sonde does not check for required symbols",
};

struct inert {
	const char *name;
	unsigned char type, why;
	long long lo, hi;
	const char *vals; /* V_XACT, V_CHOICE, V_SET*, V_INDEX: the words, comma-separated */
	const char *fits; /* the value sonde already honours (no note), or NULL */
};

#define PX "sp-at-mem-access,unwindregs-at-mem-access,allregs-at-mem-access,allregs-at-each-insn"
#define I32 INT_MIN, INT_MAX
#define I64 LLONG_MIN, LLONG_MAX

static const struct inert table[] = {
	/* the JIT */
	{ "--vex-iropt-verbosity", V_BINT, W_JIT, 0, 10, NULL, NULL },
	{ "--vex-iropt-level", V_BINT, W_JIT, 0, 2, NULL, NULL },
	{ "--vex-iropt-unroll-thresh", V_BINT, W_JIT, 0, 400, NULL, NULL },
	{ "--vex-guest-max-insns", V_BINT, W_JIT, 1, 100, NULL, NULL },
	{ "--vex-guest-chase", V_BOOL, W_JIT, 0, 0, NULL, NULL },
	{ "--vex-regalloc-version", V_BINT, W_JIT, 2, 3, NULL, NULL },
	{ "--vex-iropt-register-updates", V_INDEX, W_JIT, 0, 0, PX, NULL },
	{ "--px-default", V_INDEX, W_JIT, 0, 0, PX, NULL },
	{ "--px-file-backed", V_INDEX, W_JIT, 0, 0, PX, NULL },
	{ "--smc-check", V_XACT, W_JIT, 0, 0, "none,stack,all,all-non-file", NULL },
	{ "--num-transtab-sectors", V_BINT, W_JIT, 2, 48, NULL, NULL },
	{ "--avg-transtab-entry-size", V_BINT, W_JIT, 50, 5000, NULL, NULL },
	{ "--trace-flags", V_FLAGS8, W_JIT, 0, 0, NULL, NULL },
	{ "--profile-flags", V_FLAGS8, W_JIT, 0, 0, NULL, NULL },
	{ "--trace-notbelow", V_INT, W_JIT, I32, NULL, NULL },
	{ "--trace-notabove", V_INT, W_JIT, I32, NULL, NULL },
	{ "--profile-interval", V_INT, W_JIT, I32, NULL, NULL },
	{ "--dump-error", V_INT, W_JIT, I32, NULL, NULL },
	/* valgrind's core */
	{ "--fair-sched", V_CHOICE, W_CORE, 0, 0, "yes,try,no", "no" },
	{ "--max-threads", V_INT, W_CORE, I32, NULL, NULL },
	{ "--main-stacksize", V_INT, W_CORE, I64, NULL, NULL },
	{ "--max-stackframe", V_INT, W_CORE, I64, NULL, NULL },
	{ "--valgrind-stacksize", V_BINT, W_CORE, 8192, 10485760, NULL, NULL },
	{ "--aspace-minaddr", V_ADDR, W_CORE, 0, 0, NULL, NULL },
	{ "--sim-hints", V_SETX, W_CORE, 0, 0,
	  "lax-ioctls,lax-doors,fuse-compatible,enable-outer,no-inner-prefix,no-nptl-pthread-stackcache,fallback-llsc",
	  "none" },
	{ "--kernel-variant", V_SETX, W_CORE, 0, 0, "bproc,android-no-hw-tls,android-gpu-sgx5xx,android-gpu-adreno3xx",
	  "none" },
	{ "--resync-filter", V_XACT, W_CORE, 0, 0, "no,yes,verbose", "no" },
	{ "--show-emwarns", V_BOOL, W_CORE, 0, 0, NULL, NULL },
	{ "--sigill-diagnostics", V_BOOL, W_CORE, 0, 0, NULL, NULL },
	{ "--merge-recursive-frames", V_BINT, W_CORE, 0, 500, NULL, "0" },
	{ "--unw-stack-scan-thresh", V_BINT, W_CORE, 0, 100, NULL, "0" },
	{ "--unw-stack-scan-frames", V_BINT, W_CORE, 0, 32, NULL, NULL },
	{ "--command-line-only", V_STR, W_CORE, 0, 0, NULL, NULL },
	{ "--require-text-symbol", V_TSYM, W_SYMS, 0, 0, NULL, NULL },
	/* debugging valgrind */
	{ "-d", V_BARE, W_DEBUG, 0, 0, NULL, NULL },
	{ "--stats", V_BOOL, W_DEBUG, 0, 0, NULL, "no" },
	{ "--sanity-level", V_INT, W_DEBUG, I32, NULL, NULL },
	{ "--trace-syscalls", V_BOOL, W_DEBUG, 0, 0, NULL, "no" },
	{ "--trace-signals", V_BOOL, W_DEBUG, 0, 0, NULL, "no" },
	{ "--trace-symtab", V_BOOL, W_DEBUG, 0, 0, NULL, "no" },
	{ "--trace-symtab-patt", V_STR, W_DEBUG, 0, 0, NULL, NULL },
	{ "--trace-cfi", V_BOOL, W_DEBUG, 0, 0, NULL, "no" },
	{ "--trace-redir", V_BOOL, W_DEBUG, 0, 0, NULL, "no" },
	{ "--trace-sched", V_BOOL, W_DEBUG, 0, 0, NULL, "no" },
	{ "--debug-dump", V_XACT, W_DEBUG, 0, 0, "syms,line,frames", NULL },
	{ "--profile-heap", V_STR, W_DEBUG, 0, 0, NULL, "no" },
	{ "--core-redzone-size", V_BINT, W_DEBUG, 0, 4096, NULL, NULL },
	{ "--wait-for-gdb", V_BOOL, W_DEBUG, 0, 0, NULL, "no" },
	{ "--sym-offsets", V_BOOL, W_DEBUG, 0, 0, NULL, "no" },
	{ "--progress-interval", V_BINT, W_DEBUG, 0, 3600, NULL, "0" },
	/* gdbserver */
	{ "--vgdb", V_XACT, W_GDB, 0, 0, "no,yes,full", "no" },
	{ "--vgdb-error", V_INT, W_GDB, I32, NULL, NULL },
	{ "--vgdb-stop-at", V_SET, W_GDB, 0, 0, "startup,exit,valgrindabexit", "none" },
	{ "--vgdb-poll", V_INT, W_GDB, I32, NULL, NULL },
	{ "--vgdb-prefix", V_STR, W_GDB, 0, 0, NULL, NULL },
	{ "--vgdb-shadow-registers", V_BOOL, W_GDB, 0, 0, NULL, "no" },
	/* debug info */
	{ "--read-var-info", V_BOOL, W_DEBUGINFO, 0, 0, NULL, "no" },
	{ "--read-inline-info", V_BOOL, W_DEBUGINFO, 0, 0, NULL, "yes" },
	{ "--keep-debuginfo", V_BOOL, W_DEBUGINFO, 0, 0, NULL, NULL },
	{ "--dsymutil", V_BOOL, W_DEBUGINFO, 0, 0, NULL, NULL },
	{ "--allow-mismatched-debuginfo", V_BOOL, W_DEBUGINFO, 0, 0, NULL, "no" },
	{ "--extra-debuginfo-path", V_STR, W_DEBUGINFO, 0, 0, NULL, NULL },
	{ "--debuginfo-server", V_STR, W_DEBUGINFO, 0, 0, NULL, NULL },
	{ "--fullpath-after", V_STR, W_DEBUGINFO, 0, 0, NULL, NULL },
	/* definedness and per-access checks */
	{ "--partial-loads-ok", V_BOOL, W_UNDEF, 0, 0, NULL, NULL },
	{ "--expensive-definedness-checks", V_XACT, W_UNDEF, 0, 0, "no,auto,yes", NULL },
	{ "--workaround-gcc296-bugs", V_BOOL, W_UNDEF, 0, 0, NULL, "no" },
	{ "--ignore-ranges", V_STR, W_UNDEF, 0, 0, NULL, NULL },
	{ "--ignore-range-below-sp", V_STR, W_UNDEF, 0, 0, NULL, NULL },
	/* the heap's shape */
	{ "--alignment", V_ALIGN, W_HEAP, 0, 0, NULL, "16" },
	{ "--redzone-size", V_BINT, W_HEAP, 0, 4096, NULL, NULL },
	{ "--malloc-fill", V_BHEX, W_HEAP, 0, 255, NULL, NULL },
	{ "--free-fill", V_BHEX, W_HEAP, 0, 255, NULL, NULL },
	{ "--run-libc-freeres", V_BOOL, W_FREERES, 0, 0, NULL, "yes" },
	{ "--run-cxx-freeres", V_BOOL, W_FREERES, 0, 0, NULL, "yes" },
	/* outputs sonde does not write */
	{ "--xtree-memory", V_XACT, W_XTREE, 0, 0, "none,allocs,full", "none" },
	{ "--xtree-memory-file", V_STR, W_XTREE, 0, 0, NULL, NULL },
	{ "--xtree-leak", V_BOOL, W_XTREE, 0, 0, NULL, "no" },
	{ "--xtree-leak-file", V_STR, W_XTREE, 0, 0, NULL, NULL },
	{ "--xtree-compress-strings", V_BOOL, W_XTREE, 0, 0, NULL, NULL },
	{ "--track-fds", V_CHOICE, W_FDS, 0, 0, "yes,all,no", "no" },
	{ "--demangle", V_BOOL, W_TEXT, 0, 0, NULL, "yes" },
	{ "--error-limit", V_BOOL, W_TEXT, 0, 0, NULL, "no" },
	{ "--show-below-main", V_BOOL, W_TEXT, 0, 0, NULL, "no" },
	{ "--error-markers", V_STR, W_TEXT, 0, 0, NULL, NULL },
	{ "--xml-user-comment", V_STR, W_XML, 0, 0, NULL, NULL },
	{ "--input-fd", V_INT, W_INPUT, I32, NULL, NULL },
};

/* Is w (n bytes) one of the comma-separated words? Its index, or -1. */
static int word_index(const char *vals, const char *w, size_t n)
{
	int i = 0;
	for (const char *p = vals; *p; i++) {
		size_t k = strcspn(p, ",");
		if (k == n && !memcmp(p, w, n))
			return i;
		p += k + (p[k] == ',');
	}
	return -1;
}

/* valgrind's parse_enum_set: "none", "all" (if allowed), or known words */
static bool enum_set(const char *vals, bool allow_all, const char *v)
{
	if (!strcmp(v, "none") || (allow_all && !strcmp(v, "all")))
		return true;
	for (const char *p = v;;) {
		size_t k = strcspn(p, ",");
		if (word_index(vals, p, k) < 0)
			return false;
		if (!p[k])
			return true;
		p += k + 1;
	}
}

/* "'yes', 'try' or 'no'" */
static void choices(char *buf, size_t cap, const char *vals)
{
	size_t len = 0, n = 0;
	for (const char *p = vals; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ','))
		n++;
	size_t i = 0;
	for (const char *p = vals; *p && len < cap; i++) {
		size_t k = strcspn(p, ",");
		len += (size_t)snprintf(buf + len, cap - len, "%s'%.*s'", i == 0 ? "" : i + 1 == n ? " or " : ", ",
					(int)k, p);
		p += k + (p[k] == ',');
	}
}

static int check(const struct inert *t, const char *arg, const char *v, struct strbuf *err)
{
	char msg[400];
	long long x;
	bool b;
	switch (t->type) {
	case V_BOOL:
		return mc_opt_bool(arg, v, &b, err);
	case V_INT:
	case V_BINT:
		return mc_opt_int(arg, v, 10, t->lo, t->hi, &x, err);
	case V_BHEX:
		return mc_opt_int(arg, v, 16, t->lo, t->hi, &x, err);
	case V_STR:
	case V_BARE:
		return 0;
	case V_XACT:
		return word_index(t->vals, v, strlen(v)) < 0 ? mc_opt_unknown(err, arg) : 0;
	case V_CHOICE:
		if (word_index(t->vals, v, strlen(v)) >= 0)
			return 0;
		snprintf(msg, sizeof(msg), "Bad argument, should be ");
		choices(msg + strlen(msg), sizeof(msg) - strlen(msg), t->vals);
		return mc_opt_bad(err, arg, msg);
	case V_SET:
	case V_SETX:
		if (enum_set(t->vals, t->type == V_SET, v))
			return 0;
		snprintf(msg, sizeof(msg), "%.200s is an invalid %s set", v, t->name + 2);
		return mc_opt_bad(err, arg, msg);
	case V_INDEX:
		if (word_index(t->vals, v, strlen(v)) >= 0)
			return 0;
		snprintf(msg, sizeof(msg), "Invalid string '%.150s' in '%.200s'", v, arg);
		return mc_opt_bad(err, arg, msg);
	case V_FLAGS8:
		if (strlen(v) != 8)
			snprintf(msg, sizeof(msg), "%s argument must have 8 digits", t->name);
		else if (strspn(v, "01") != 8)
			snprintf(msg, sizeof(msg), "%s argument can only contain 0s and 1s", t->name);
		else
			return 0;
		return mc_opt_bad(err, arg, msg);
	case V_ALIGN:
		if (mc_opt_int(arg, v, 10, I32, &x, err))
			return -1;
		if (x < 16 || x > 4096 || (x & (x - 1)))
			return mc_opt_bad(err, arg, "Alignment must be a power of 2 in the range 16..4096.");
		return 0;
	case V_ADDR: {
		const char *h = v[0] == '0' && (v[1] == 'x' || v[1] == 'X') ? v + 2 : NULL;
		if (!h || !*h || strspn(h, "0123456789abcdefABCDEF") != strlen(h) || strlen(h) > 16)
			return mc_opt_bad(err, arg, "Invalid address");
		unsigned long long a = strtoull(h, NULL, 16);
		if (a % 4096 || a < 0x1000 || a > 0x200000000ull)
			return mc_opt_bad(err, arg, "Must be a page aligned address between 0x1000 and 0x200000000");
		return 0;
	}
	case V_TSYM: {
		/* C?*C?*: a delimiter, a soname pattern, the same delimiter, a symbol pattern */
		const char *second = v[0] ? strchr(v + 1, v[0]) : NULL;
		if (!second || second == v + 1 || !second[1])
			return mc_opt_bad(err, arg, "Invalid --require-text-symbol= specification.");
		return 0;
	}
	}
	return 0;
}

int mc_opt_inert(const char *arg, const char **why, struct strbuf *err)
{
	*why = NULL;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct inert *t = &table[i];
		size_t n = strlen(t->name);
		if (strncmp(arg, t->name, n))
			continue;
		const char *v;
		if (t->type == V_BARE) {
			if (arg[n])
				continue;
			v = "";
		} else if (arg[n] == '=') {
			v = arg + n + 1;
		} else {
			continue;
		}
		if (check(t, arg, v, err))
			return -1;
		if (!t->fits || strcmp(v, t->fits))
			*why = whys[t->why];
		return 1;
	}
	return 0;
}

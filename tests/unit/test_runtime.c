/* libsonde-rt.so: builds a small C program, runs it with LD_PRELOAD and
 * SONDE_HEAP_FD on a pipe, and decodes the stream (its own minimal decoder,
 * following src/proto/heap_protocol.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "heap_protocol.h"
#include "unit.h"

static char rt_path[4096], prog[4096], prog_cxx[4096];
static int have_cc, have_cxx;

static const char prog_src[] =
	"#include <stdlib.h>\n#include <string.h>\n#include <malloc.h>\n#include <pthread.h>\n"
	"#include <unistd.h>\n#include <sys/wait.h>\n"
	"static void *volatile sink;\n"
	"__attribute__((noinline)) static void leaf(int i) { void *p = malloc(16 + i % 64); sink = p; free(p); }\n"
	"__attribute__((noinline)) static void churn(int n) { for (int i = 0; i < n; i++) leaf(i); }\n"
	"static void *thr(void *a) { churn(500); sink = malloc(33); return a; }\n"
	"int main(int argc, char **argv) {\n"
	"  const char *m = argc > 1 ? argv[1] : \"\";\n"
	"  churn(10000);\n"
	"  void *c = calloc(10, 10); sink = c; free(c);\n"
	"  void *r = NULL; for (int i = 1; i <= 5; i++) { r = realloc(r, i * 100); sink = r; } free(r);\n"
	"  void *q; if (posix_memalign(&q, 64, 100) == 0) { sink = q; free(q); }\n"
	"  q = aligned_alloc(64, 128); sink = q; free(q); q = memalign(64, 10); sink = q; free(q);\n"
	"  pthread_t t[3]; for (int i = 0; i < 3; i++) pthread_create(&t[i], 0, thr, 0);\n"
	"  for (int i = 0; i < 3; i++) pthread_join(t[i], 0);\n"
	"  sink = malloc(4096); /* leaked */\n"
	"  if (!strcmp(m, \"abort\")) abort();\n"
	"  if (!strcmp(m, \"fork\")) { pid_t p = fork(); if (!p) { churn(100); _exit(0); } waitpid(p, 0, 0); }\n"
	"  return 0;\n}\n";

static const char prog_cxx_src[] =
	"#include <new>\n#include <cstdlib>\n"
	"static void *volatile sink;\n"
	"struct alignas(64) A { char c[64]; };\n"
	"int main() {\n"
	"  for (int i = 0; i < 100; i++) { int *p = new int(i); sink = p; delete p; }\n"
	"  for (int i = 0; i < 50; i++) { int *p = new int[10]; sink = p; delete[] p; }\n"
	"  A *a = new A; sink = a; delete a;\n"
	"  int *n = new (std::nothrow) int; sink = n; delete n;\n"
	"  return 0;\n}\n";

struct stats {
	int hello, exit_how, exit_sig, modules, threads, forks, times, bad_nodes, dup_alloc, unknown_free;
	long long pid;
	long allocs, frees, reallocs, kind[64], live, max_depth;
	unsigned long long last_seq, exit_seq;
	int corrupt;
};

static size_t rv(const uint8_t *p, size_t n, size_t *off, uint64_t *out)
{
	uint64_t v = 0;
	for (unsigned s = 0; *off < n && s < 64; s += 7) {
		uint8_t c = p[(*off)++];
		v |= (uint64_t)(c & 0x7f) << s;
		if (c < 0x80) {
			*out = v;
			return 1;
		}
	}
	return 0;
}

/* The trie nodes and allocation infos the stream defined. */
#define NODE_CAP (1 << 14)
static uint64_t node_parent[NODE_CAP];
static unsigned char node_def[NODE_CAP];
#define INFO_CAP (1 << 14)
static uint64_t info_stack[INFO_CAP];
static int info_kind[INFO_CAP];
static unsigned char info_def[INFO_CAP];

struct ev {
	uint64_t seq, v[5];
	int type;
};
static struct ev *evs;
static size_t nev, evcap;

static int ev_cmp(const void *a, const void *b)
{
	const struct ev *x = a, *y = b;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void check_events(struct stats *st);

/* Two passes over the chunks (trie nodes first: a node may be defined in
 * another thread's later chunk), then the events in sequence order. */
static void decode(const uint8_t *b, size_t n, struct stats *st)
{
	nev = 0;
	memset(st, 0, sizeof *st);
	memset(node_def, 0, sizeof node_def);
	memset(info_def, 0, sizeof info_def);
	st->exit_how = -1;
	/* pass 1: nodes (they may be defined in another thread's later chunk) */
	for (int pass = 0; pass < 2; pass++) {
		size_t off = 0;
		while (off + HEAP_CHUNK_HEADER <= n) {
			uint32_t magic, size, th;
			memcpy(&magic, b + off, 4);
			memcpy(&size, b + off + 4, 4);
			memcpy(&th, b + off + 8, 4);
			if (magic != HEAP_CHUNK_MAGIC || size > n - off - HEAP_CHUNK_HEADER) {
				st->corrupt = 1;
				return;
			}
			const uint8_t *p = b + off + HEAP_CHUNK_HEADER;
			size_t o = 0;
			uint64_t seq = 0, v[6];
			while (o < size) {
				int type = p[o++], nf, first = 0;
				switch (type) {
				case HR_HELLO: nf = 4; break;
				case HR_STACK: nf = 3; break;
				case HR_THREAD: nf = 2; break;
				case HR_INFO: nf = 4; break; /* idx, kind (a byte), size, stack */
				case HR_KEY: nf = 1; break;
				/* events: fields go to v[1..], as the checks below count them */
				case HR_ALLOC: nf = 2, first = 1; break;
				case HR_FREE: case HR_DELETE: case HR_DELETE_ARRAY: nf = 2, first = 1; break;
				case HR_REALLOC: nf = 3, first = 1; break;
				case HR_TIME: nf = 3, first = 1; break;
				case HR_FORK: nf = 2, first = 1; break;
				case HR_EXIT: nf = 4, first = 1; break;
				case HR_MODULE: nf = 1; break;
				default: st->corrupt = 1; return;
				}
				v[0] = 0;
				for (int i = first; i < nf; i++) {
					if (type == HR_INFO && i == 1) {
						if (o >= size) {
							st->corrupt = 1;
							return;
						}
						v[i] = p[o++];
						continue;
					}
					if (!rv(p, size, &o, &v[i])) {
						st->corrupt = 1;
						return;
					}
				}
				if (type == HR_FREE || type == HR_DELETE || type == HR_DELETE_ARRAY) {
					v[2] = type == HR_FREE ? HK_FREE : type == HR_DELETE ? HK_DELETE : HK_DELETE_ARRAY;
					type = HR_FREE;
				}
				if (type == HR_HELLO || type == HR_THREAD || type == HR_MODULE) { /* + string */
					uint64_t len;
					if (!rv(p, size, &o, &len) || len > size - o) {
						st->corrupt = 1;
						return;
					}
					o += (size_t)len;
				}
				if (type == HR_MODULE) {
					uint64_t k, x;
					if (!rv(p, size, &o, &k)) {
						st->corrupt = 1;
						return;
					}
					for (uint64_t i = 0; i < 3 * k; i++)
						if (!rv(p, size, &o, &x)) {
							st->corrupt = 1;
							return;
						}
					if (!rv(p, size, &o, &x) || x > size - o || x > 20) { /* the build-id */
						st->corrupt = 1;
						return;
					}
					o += (size_t)x;
				}
				if (pass == 0) {
					if (type == HR_STACK && v[0] < NODE_CAP) {
						node_def[v[0]] = 1;
						node_parent[v[0]] = v[1];
					}
					if (type == HR_INFO && v[0] < INFO_CAP) {
						info_def[v[0]] = 1;
						info_kind[v[0]] = (int)v[1];
						info_stack[v[0]] = v[3];
					}
					continue;
				}
				if (type == HR_INFO)
					continue;
				if (type == HR_KEY) {
					seq += v[0];
					continue;
				}
				if (type == HR_HELLO || type == HR_STACK || type == HR_THREAD || type == HR_MODULE) {
					st->hello += type == HR_HELLO;
					st->threads += type == HR_THREAD;
					st->modules += type == HR_MODULE;
					if (type == HR_HELLO)
						st->pid = (long long)v[1];
					continue;
				}
				if (nev == evcap)
					evs = realloc(evs, (evcap = evcap ? 2 * evcap : 4096) * sizeof *evs);
				evs[nev].seq = seq;
				evs[nev].type = type;
				memcpy(evs[nev].v, v + 1, sizeof evs[nev].v);
				nev++;
			}
			off += HEAP_CHUNK_HEADER + size;
		}
		if (off != n)
			st->corrupt = 1;
	}
	qsort(evs, nev, sizeof *evs, ev_cmp);
	check_events(st);
}

static void check_events(struct stats *st)
{
	for (size_t e = 0; e < nev; e++) {
		uint64_t seq = evs[e].seq, *v = evs[e].v - 1; /* v[1].. as in the record */
		int type = evs[e].type;
		{
				if (seq > st->last_seq)
					st->last_seq = seq;
				if (type == HR_ALLOC || type == HR_REALLOC) {
					uint64_t info = type == HR_ALLOC ? v[1] : v[2];
					if (type == HR_REALLOC && v[1]) {
						if (v[1] < INFO_CAP && info_def[v[1]])
							st->live--;
						else
							st->unknown_free++;
					}
					if (info >= INFO_CAP || !info_def[info]) {
						st->bad_nodes++;
						continue;
					}
					if (type == HR_ALLOC)
						st->kind[info_kind[info] & 63]++;
					st->allocs += type == HR_ALLOC;
					st->reallocs += type == HR_REALLOC;
					st->live++;
					long depth = 0;
					for (uint64_t s = info_stack[info]; s && depth < 1000; depth++) {
						if (s >= NODE_CAP || !node_def[s]) {
							st->bad_nodes++;
							break;
						}
						s = node_parent[s];
					}
					if (depth > st->max_depth)
						st->max_depth = depth;
				} else if (type == HR_FREE) {
					st->frees++;
					st->kind[v[2] & 63]++;
					if (v[1] && v[1] < INFO_CAP && info_def[v[1]])
						st->live--;
					else
						st->unknown_free++;
				} else if (type == HR_TIME) {
					st->times++;
				} else if (type == HR_FORK) {
					st->forks++;
				} else if (type == HR_EXIT) {
					st->exit_how = (int)v[1];
					st->exit_sig = (int)v[2];
					st->exit_seq = seq;
				}
		}
	}
}

/* Runs argv with the runtime preloaded (trace != 0: on a pipe), returns the
 * stream in *out and the wait status. */
static int run_traced(char *const argv[], int trace, uint8_t **out, size_t *len)
{
	int pfd[2];
	if (pipe(pfd))
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		if (pfd[1] != 3) {
			dup2(pfd[1], 3);
			close(pfd[1]);
		}
		int devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, 1);
		dup2(devnull, 2);
		setenv("LD_PRELOAD", rt_path, 1);
		if (trace)
			setenv("SONDE_HEAP_FD", "3", 1);
		else
			unsetenv("SONDE_HEAP_FD");
		execv(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	size_t cap = 1 << 16, n = 0;
	uint8_t *buf = malloc(cap);
	for (;;) {
		if (n == cap)
			buf = realloc(buf, cap *= 2);
		ssize_t r = read(pfd[0], buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(pfd[0]);
	int status = 0;
	waitpid(pid, &status, 0);
	*out = buf;
	*len = n;
	return status;
}

static void test_basic(void)
{
	if (!have_cc) {
		printf("SKIP test_basic: no C compiler\n");
		return;
	}
	char *argv[] = { prog, NULL };
	uint8_t *b;
	size_t n;
	int status = run_traced(argv, 1, &b, &n);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	struct stats st;
	decode(b, n, &st);
	free(b);
	CHECK(!st.corrupt);
	CHECK_INT(st.hello, 1);
	CHECK(st.modules >= 3);
	CHECK_INT(st.threads, 4);
	/* malloc: 10000 churn + 3*(500+1) + 1 leak (+ libc's own: pthread, stdio) */
	CHECK(st.kind[HK_MALLOC] >= 10000 + 1503 + 1);
	CHECK(st.kind[HK_MALLOC] < 10000 + 1503 + 1 + 50);
	CHECK_INT(st.kind[HK_CALLOC] >= 1, 1);
	CHECK_INT(st.kind[HK_POSIX_MEMALIGN], 1);
	CHECK_INT(st.kind[HK_ALIGNED_ALLOC], 1);
	CHECK_INT(st.kind[HK_MEMALIGN], 1);
	CHECK_INT(st.reallocs, 5);
	CHECK_INT(st.unknown_free, 0);
	CHECK_INT(st.dup_alloc, 0);
	CHECK_INT(st.bad_nodes, 0);
	CHECK(st.live >= 4 && st.live < 20); /* 3 thread blocks + 4096, + libc's */
	CHECK(st.max_depth >= 4);            /* leaf, churn, main, libc start... */
	CHECK_INT(st.exit_how, 0);
	CHECK(st.exit_seq == st.last_seq);
}

static void test_passthrough(void)
{
	if (!have_cc) {
		printf("SKIP test_passthrough: no C compiler\n");
		return;
	}
	char *argv[] = { prog, NULL };
	uint8_t *b;
	size_t n;
	int status = run_traced(argv, 0, &b, &n);
	free(b);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_INT(n, 0);
}

static void test_abort(void)
{
	if (!have_cc) {
		printf("SKIP test_abort: no C compiler\n");
		return;
	}
	char *argv[] = { prog, "abort", NULL };
	uint8_t *b;
	size_t n;
	int status = run_traced(argv, 1, &b, &n);
	struct stats st;
	decode(b, n, &st);
	free(b);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	CHECK(!st.corrupt);
	CHECK_INT(st.exit_how, 1);
	CHECK_INT(st.exit_sig, SIGABRT);
	CHECK(st.kind[HK_MALLOC] >= 10000 + 1503 + 1);
}

static void test_fork(void)
{
	if (!have_cc) {
		printf("SKIP test_fork: no C compiler\n");
		return;
	}
	char *argv[] = { prog, "fork", NULL };
	uint8_t *b;
	size_t n;
	int status = run_traced(argv, 1, &b, &n);
	struct stats st;
	decode(b, n, &st);
	free(b);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(!st.corrupt);
	CHECK_INT(st.forks, 1);
	CHECK_INT(st.hello, 1);                           /* the child does not trace */
	CHECK(st.kind[HK_MALLOC] < 10000 + 1503 + 1 + 50); /* nor adds its 100 */
	CHECK_INT(st.exit_how, 0);
}

static void test_cxx(void)
{
	if (!have_cxx) {
		printf("SKIP test_cxx: no C++ compiler\n");
		return;
	}
	char *argv[] = { prog_cxx, NULL };
	uint8_t *b;
	size_t n;
	int status = run_traced(argv, 1, &b, &n);
	struct stats st;
	decode(b, n, &st);
	free(b);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(!st.corrupt);
	CHECK_INT(st.kind[HK_NEW], 102);
	CHECK_INT(st.kind[HK_NEW_ARRAY], 50);
	CHECK_INT(st.kind[HK_DELETE], 102);
	CHECK_INT(st.kind[HK_DELETE_ARRAY], 50);
	CHECK_INT(st.unknown_free, 0);
	CHECK_INT(st.live, 0); /* libstdc++'s pool is released at exit */
}

static int sh(const char *cmd)
{
	int r = system(cmd);
	return WIFEXITED(r) && WEXITSTATUS(r) == 0;
}

int main(void)
{
	const char *sonde = getenv("SONDE");
	const char *tmp = getenv("SONDE_TMP");
	if (!tmp)
		tmp = "/tmp";
	if (sonde) {
		snprintf(rt_path, sizeof rt_path, "%s", sonde);
		char *slash = strrchr(rt_path, '/');
		if (slash)
			strcpy(slash + 1, "libsonde-rt.so");
		else
			strcpy(rt_path, "libsonde-rt.so");
	} else {
		snprintf(rt_path, sizeof rt_path, "build/libsonde-rt.so");
	}
	if (rt_path[0] != '/') {
		char *abs = realpath(rt_path, NULL);
		if (abs && strlen(abs) < sizeof rt_path)
			strcpy(rt_path, abs);
		free(abs);
	}
	if (access(rt_path, R_OK)) {
		printf("SKIP runtime: %s not built\n", rt_path);
		return 0;
	}
	char src[4096], cmd[12288];
	snprintf(src, sizeof src, "%s/rt_prog_%d.c", tmp, (int)getpid());
	snprintf(prog, sizeof prog, "%s/rt_prog_%d", tmp, (int)getpid());
	FILE *f = fopen(src, "w");
	if (f) {
		fputs(prog_src, f);
		fclose(f);
		snprintf(cmd, sizeof cmd, "cc -O2 -g -pthread -o '%s' '%s' 2>/dev/null", prog, src);
		have_cc = sh(cmd);
		unlink(src);
	}
	snprintf(src, sizeof src, "%s/rt_prog_%d.cc", tmp, (int)getpid());
	snprintf(prog_cxx, sizeof prog_cxx, "%s/rt_progxx_%d", tmp, (int)getpid());
	f = fopen(src, "w");
	if (f) {
		fputs(prog_cxx_src, f);
		fclose(f);
		snprintf(cmd, sizeof cmd, "c++ -O1 -std=c++17 -o '%s' '%s' 2>/dev/null", prog_cxx, src);
		have_cxx = sh(cmd);
		unlink(src);
	}
	RUN(test_basic);
	RUN(test_passthrough);
	RUN(test_abort);
	RUN(test_fork);
	RUN(test_cxx);
	unlink(prog);
	unlink(prog_cxx);
	UNIT_EXIT();
}

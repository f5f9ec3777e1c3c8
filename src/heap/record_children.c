/* memcheck --trace-children=yes: every program image the run starts (the
 * launched program, what it execs, what its children exec) connects to a
 * socket of sonde's and sends its own stream; this reads them all at once
 * (a forked child runs alongside its parent) into one trace per image
 * (src/proto/child_protocol.h). */
#include "heap/record_children.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child_protocol.h"
#include "collect/interrupt.h"
#include "heap/record_pass.h"
#include "heap/trace.h"
#include "util/die.h"
#include "util/strbuf.h"

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

char *heap_children_sock(const struct heap_children *c)
{
	return xasprintf("%s/s", c->dir);
}

int heap_children_listen(struct heap_children *c)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = xasprintf("%s/sonde-children.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	struct sockaddr_un a;
	if (strlen(dir) + 2 >= sizeof a.sun_path) { /* a socket's path is short */
		free(dir);
		dir = xstrdup("/tmp/sonde-children.XXXXXX");
	}
	if (!mkdtemp(dir)) /* 0700: only this user's programs can connect */
		die("cannot create a temporary directory %s: %s (set TMPDIR)", dir, strerror(errno));
	c->dir = dir;
	char *path = heap_children_sock(c);
	memset(&a, 0, sizeof a);
	a.sun_family = AF_UNIX;
	memcpy(a.sun_path, path, strlen(path));
	free(path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 128) < 0)
		die("cannot listen on %s: %s", a.sun_path, strerror(errno));
	return fd;
}

static void free_args(heap_strs *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->v[i]);
	vec_free(v);
}

void heap_children_free(struct heap_children *c)
{
	for (size_t i = 0; i < c->images.n; i++) {
		struct heap_child_image *im = &c->images.v[i];
		unlink(im->trace);
		unlink(im->lines);
		free(im->trace);
		free(im->lines);
		free(im->exe);
		free_args(&im->args);
	}
	vec_free(&c->images);
	for (size_t i = 0; i < c->notes.n; i++) {
		free(c->notes.v[i].exe);
		free_args(&c->notes.v[i].args);
	}
	vec_free(&c->notes);
	if (c->dir) {
		char *s = heap_children_sock(c);
		unlink(s);
		free(s);
		rmdir(c->dir);
		free(c->dir);
		c->dir = NULL;
	}
}

/* ---- a connection ------------------------------------------------------------------ */

struct conn {
	int fd;
	bool streaming;
	struct strbuf hello;
	struct heap_passer ps;
	struct heap_writer *w;
	size_t image;
	uint64_t start_ns;
};

struct cur {
	const uint8_t *p, *end;
	bool bad;
};

static uint64_t get_v(struct cur *c)
{
	uint64_t v = 0;
	size_t k = c->bad ? 0 : heap_get_varint(c->p, (size_t)(c->end - c->p), &v);
	if (!k)
		c->bad = true;
	c->p += k;
	return v;
}

static char *get_s(struct cur *c)
{
	uint64_t n = get_v(c);
	if (c->bad || n > (uint64_t)(c->end - c->p)) {
		c->bad = true;
		return xstrdup("");
	}
	char *s = xstrndup((const char *)c->p, (size_t)n);
	c->p += n;
	return s;
}

static uint32_t rd32(const char *p)
{
	const uint8_t *u = (const uint8_t *)p;
	return (uint32_t)u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 | (uint32_t)u[3] << 24;
}

struct loop {
	const struct heap_record_opts *o;
	struct heap_children *c;
	pid_t top_pid;
	bool seen_top;
	VEC(struct conn) conns;
};

static void start_stream(struct loop *L, struct conn *cn, int pid, int ppid, char *exe, heap_strs *args)
{
	struct heap_children *c = L->c;
	struct heap_child_image im = { 0 };
	im.pid = pid;
	im.ppid = ppid;
	im.top = pid == L->top_pid && !L->seen_top;
	L->seen_top |= im.top;
	im.exe = exe;
	im.args = *args;
	im.trace = xasprintf("%s/%zu.zst", c->dir, c->images.n);
	im.lines = xasprintf("%s/%zu.trace", c->dir, c->images.n);
	cn->w = heap_writer_open(im.trace, 1);
	if (!cn->w)
		exit(1);
	struct strbuf cmd = STRBUF_INIT;
	sb_adds(&cmd, exe);
	for (size_t i = 0; i < im.args.n; i++)
		sb_addf(&cmd, " %s", im.args.v[i]);
	heap_writer_command(cn->w, cmd.buf ? cmd.buf : "");
	sb_free(&cmd);
	cn->image = c->images.n;
	cn->streaming = true;
	vec_push(&c->images, im);
}

/* A whole hello arrived: answer it (CHILD_TRACE) or keep it (a note).
 * Returns false when the connection is done with. */
static bool on_hello(struct loop *L, struct conn *cn, size_t len)
{
	struct cur cu = { (const uint8_t *)cn->hello.buf + 8, (const uint8_t *)cn->hello.buf + 8 + len, false };
	uint8_t kind = cu.p < cu.end ? *cu.p++ : 0;
	int pid = (int)get_v(&cu), ppid = (int)get_v(&cu);
	int reason = kind == CHILD_NOTE ? (int)get_v(&cu) : 0;
	char *exe = get_s(&cu);
	heap_strs args = { 0 };
	uint64_t argc = get_v(&cu);
	for (uint64_t i = 0; i < argc && !cu.bad; i++)
		vec_push(&args, get_s(&cu));
	bool follow = !cu.bad && (kind == CHILD_TRACE || kind == CHILD_NOTE) &&
		      ((kind == CHILD_TRACE && pid == L->top_pid && !L->seen_top) || !L->c->follow ||
		       L->c->follow(L->c->ctx, exe, args.v, args.n));
	if (kind == CHILD_NOTE && follow) {
		struct heap_child_note nt = { pid, ppid, reason, exe, args };
		vec_push(&L->c->notes, nt);
		return false;
	}
	if (kind == CHILD_TRACE && follow) {
		uint8_t yes[5] = { CHILD_YES };
		uint32_t id = (uint32_t)L->c->images.n;
		for (int i = 0; i < 4; i++)
			yes[1 + i] = (uint8_t)(id >> (8 * i));
		if (send(cn->fd, yes, sizeof yes, MSG_NOSIGNAL) == (ssize_t)sizeof yes) {
			start_stream(L, cn, pid, ppid, exe, &args);
			return true;
		}
	} else if (kind == CHILD_TRACE) {
		uint8_t no = CHILD_NO;
		ssize_t w = send(cn->fd, &no, 1, MSG_NOSIGNAL);
		(void)w;
	}
	free(exe);
	free_args(&args);
	return false;
}

/* Bytes from a connection; false when it is done with. */
static bool on_data(struct loop *L, struct conn *cn, const uint8_t *p, size_t n)
{
	if (cn->streaming) {
		heap_pass_data(&cn->ps, cn->w, p, n);
		return true;
	}
	sb_add(&cn->hello, p, n);
	if (cn->hello.len < 8)
		return true;
	uint32_t len = rd32(cn->hello.buf + 4);
	if (rd32(cn->hello.buf) != CHILD_HELLO_MAGIC || len > CHILD_HELLO_MAX)
		return false;
	if (cn->hello.len < 8 + (size_t)len)
		return true;
	if (!on_hello(L, cn, len))
		return false;
	size_t rest = cn->hello.len - 8 - len; /* the stream's first bytes */
	if (rest)
		heap_pass_data(&cn->ps, cn->w, (const uint8_t *)cn->hello.buf + 8 + len, rest);
	sb_free(&cn->hello);
	return true;
}

static void close_conn(struct loop *L, size_t i)
{
	struct conn *cn = &L->conns.v[i];
	uint64_t now = now_ns(); /* the order sonde saw the streams end in */
	if (cn->streaming) {
		if (cn->ps.n && !cn->ps.raw)
			warn("heap runtime stream of pid %d ended inside a chunk (%zu bytes dropped)",
			     L->c->images.v[cn->image].pid, cn->ps.n);
		heap_writer_summary(cn->w, 0, now - cn->start_ns);
		heap_writer_close(cn->w);
		L->c->images.v[cn->image].end_ns = now;
	}
	free(cn->ps.buf);
	buildid_list_free(&cn->ps.modules);
	sb_free(&cn->hello);
	close(cn->fd);
	L->conns.v[i] = L->conns.v[--L->conns.n];
}

static bool accept_all(struct loop *L, int lfd)
{
	bool any = false;
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0)
			return any;
		struct conn cn = { 0 };
		cn.fd = fd;
		cn.start_ns = now_ns();
		cn.hello = (struct strbuf)STRBUF_INIT;
		vec_push(&L->conns, cn);
		any = true;
	}
}

/* The launched program never had the runtime (statically linked): an
 * empty trace stands for it, as the pipe's would. */
static void top_stand_in(struct loop *L, char **argv)
{
	struct conn cn = { 0 };
	heap_strs args = { 0 };
	for (size_t i = 1; argv[i]; i++)
		vec_push(&args, xstrdup(argv[i]));
	start_stream(L, &cn, (int)L->top_pid, (int)getpid(), xstrdup(argv[0]), &args);
	heap_writer_summary(cn.w, 0, 0);
	heap_writer_close(cn.w);
	L->c->images.v[cn.image].end_ns = now_ns();
}

static int by_end(const void *a, const void *b)
{
	const struct heap_child_image *x = a, *y = b;
	return x->end_ns < y->end_ns ? -1 : x->end_ns > y->end_ns;
}

bool heap_children_loop(const struct heap_record_opts *o, struct heap_children *c, int lfd, pid_t pid,
			struct interrupt *intr, char **argv, int *status)
{
	struct loop L = { o, c, pid, false, { 0 } };
	bool reaped = false;
	uint64_t exited_at = 0;
	uint8_t *buf = xmalloc(1 << 16);
	struct pollfd *pfd = NULL;
	for (;;) {
		pfd = xrealloc(pfd, (L.conns.n + 1) * sizeof *pfd);
		pfd[0] = (struct pollfd){ lfd, POLLIN, 0 };
		for (size_t i = 0; i < L.conns.n; i++)
			pfd[i + 1] = (struct pollfd){ L.conns.v[i].fd, POLLIN, 0 };
		size_t npfd = L.conns.n + 1;
		int pr = poll(pfd, npfd, 100);
		uint64_t now = now_ns();
		if (pr < 0 && errno != EINTR)
			break;
		/* backwards: close_conn moves the last connection into the hole */
		for (size_t i = npfd - 1; pr > 0 && i >= 1; i--) {
			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t k = read(L.conns.v[i - 1].fd, buf, 1 << 16);
			if (k < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (k <= 0 || !on_data(&L, &L.conns.v[i - 1], buf, (size_t)k))
				close_conn(&L, i - 1);
		}
		if (pr > 0 && (pfd[0].revents & POLLIN))
			accept_all(&L, lfd);
		if (!reaped) {
			if (waitpid(pid, status, WNOHANG) == pid) {
				reaped = true;
				exited_at = now;
				intr->target = 0;
			} else {
				interrupt_poll(intr, argv[0]);
			}
		}
		/* every stream ended with the launched program: done, unless a
		 * last image is still connecting; descendants that outlive it
		 * get a moment, as on the pipe */
		if (reaped && !L.conns.n && !accept_all(&L, lfd))
			break;
		if (reaped && pr == 0 && now - exited_at > 2000000000ull)
			break;
	}
	while (L.conns.n)
		close_conn(&L, L.conns.n - 1);
	vec_free(&L.conns);
	free(pfd);
	free(buf);
	close(lfd);
	if (!L.seen_top)
		top_stand_in(&L, argv);
	qsort(c->images.v, c->images.n, sizeof *c->images.v, by_end);
	return reaped;
}

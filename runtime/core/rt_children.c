/* Following exec (`sonde memcheck --trace-children=yes`,
 * runtime/child_protocol.h): each image connects to sonde's socket and
 * asks whether to trace itself; an exec of a program the runtime cannot
 * be in (static, set-user-ID, an environment without sonde's variables)
 * is reported as a note, so sonde can say what went unchecked.
 *
 * The exec side runs in forked and vfork children too: only system calls
 * and stack or mmap'd memory, no locks, no malloc. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "child_protocol.h"
#include "rt.h"
#include "rt_children.h"
#include "rt_encode.h"

#define EXPORT __attribute__((visibility("default")))

static bool g_on;          /* this image follows exec (SONDE_HEAP_SOCK was set) */
static bool g_declined;    /* ...but is not traced itself: neither are its children */
static int g_trace_fd = -1; /* --trace-malloc: this image's own file */
/* sonde's socket, kept: a program may clear its environment before exec */
static char g_sock[sizeof(((struct sockaddr_un *)0)->sun_path)];

/* A hello being built in mmap'd memory (no malloc: vfork children). */
struct hello {
	uint8_t *p;
	size_t n, cap;
};

static bool hello_room(struct hello *h, size_t more)
{
	if (h->n + more <= h->cap)
		return true;
	size_t cap = h->cap ? h->cap : 1 << 14;
	while (cap < h->n + more)
		cap *= 2;
	if (cap > CHILD_HELLO_MAX)
		return false;
	void *m = h->p ? mremap(h->p, h->cap, cap, MREMAP_MAYMOVE)
		       : mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return false;
	h->p = m;
	h->cap = cap;
	return true;
}

static bool put_v(struct hello *h, uint64_t v)
{
	if (!hello_room(h, 10))
		return false;
	h->n += varint_put(h->p + h->n, v);
	return true;
}

static bool put_s(struct hello *h, const char *s, size_t len)
{
	if (!hello_room(h, len + 10))
		return false;
	h->n += rt_put_str(h->p + h->n, s, len);
	return true;
}

static void hello_free(struct hello *h)
{
	if (h->p)
		munmap(h->p, h->cap);
	h->p = NULL;
}

/* The header and kind; the payload size is filled in by hello_send. */
static bool hello_start(struct hello *h, uint8_t kind)
{
	if (!hello_room(h, 9))
		return false;
	memset(h->p, 0, 8);
	h->p[8] = kind;
	h->n = 9;
	return put_v(h, (uint64_t)getpid()) && put_v(h, (uint64_t)getppid());
}

/* All of n bytes sent (writing) or read; false on an error or EOF. */
static bool io_full(int fd, uint8_t *p, size_t n, bool writing)
{
	while (n) {
		ssize_t k = writing ? send(fd, p, n, MSG_NOSIGNAL) : read(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		p += k;
		n -= (size_t)k;
	}
	return true;
}

static void le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Connects to sonde's socket; -1 if it cannot. */
static int dial(const char *path)
{
	struct sockaddr_un a;
	size_t len = strlen(path);
	if (len >= sizeof a.sun_path)
		return -1;
	memset(&a, 0, sizeof a);
	a.sun_family = AF_UNIX;
	memcpy(a.sun_path, path, len);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int r;
	do
		r = connect(fd, (struct sockaddr *)&a, sizeof a);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool hello_send(int fd, struct hello *h)
{
	le32(h->p, CHILD_HELLO_MAGIC);
	le32(h->p + 4, (uint32_t)(h->n - 8));
	return io_full(fd, h->p, h->n, true);
}

/* ---- the image's own hello ---------------------------------------------------- */

/* /proc/self/cmdline in mmap'd memory, *cap bytes (mc_roots.c reads the
 * maps alike: it is built without the rest of the runtime in tests). */
static char *read_cmdline(size_t *len, size_t *cap)
{
	int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	char *t = mmap(NULL, *cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	*len = 0;
	while (t != MAP_FAILED) {
		if (*len == *cap) {
			char *n = mremap(t, *cap, *cap * 2, MREMAP_MAYMOVE);
			if (n == MAP_FAILED)
				break;
			t = n;
			*cap *= 2;
		}
		ssize_t r = read(fd, t + *len, *cap - *len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		*len += (size_t)r;
	}
	close(fd);
	return t == MAP_FAILED ? NULL : t;
}

static bool is_script(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	char m[2];
	bool yes = pread(fd, m, 2, 0) == 2 && m[0] == '#' && m[1] == '!';
	close(fd);
	return yes;
}

/* The exe as exec was given it and the arguments after argv[0]. For a
 * script the kernel runs its interpreter with [interp, (option), script,
 * args...]: the arguments are the script's (what exec was given). */
static bool hello_image(struct hello *h)
{
	size_t n = 0, cap = 1 << 16;
	char *cl = read_cmdline(&n, &cap);
	const char *args[4] = { 0 };
	size_t na = 0, skip = 1;
	for (size_t off = 0; cl && off < n && na < 4; off += strlen(cl + off) + 1)
		args[na++] = cl + off;
	const char *exe = (const char *)getauxval(AT_EXECFN);
	if (!exe)
		exe = na ? args[0] : "";
	if (na > 1 && is_script(exe))
		for (size_t i = 1; i < na && i <= 2; i++)
			if (!strcmp(args[i], exe)) {
				skip = i + 1;
				break;
			}
	size_t argc = 0;
	for (size_t off = 0; cl && off < n; off += strlen(cl + off) + 1)
		argc++;
	bool ok = put_s(h, exe, strlen(exe)) && put_v(h, argc > skip ? argc - skip : 0);
	size_t i = 0;
	for (size_t off = 0; ok && cl && off < n; off += strlen(cl + off) + 1, i++)
		if (i >= skip)
			ok = put_s(h, cl + off, strlen(cl + off));
	if (cl)
		munmap(cl, cap);
	return ok;
}

/* --trace-malloc: this image's lines in a file of its own */
static void open_trace_file(uint32_t stream)
{
	const char *dir = getenv(CHILD_TRACE_DIR_ENV);
	char path[4096];
	size_t len = dir ? strlen(dir) : 0;
	if (!len || len + 24 > sizeof path)
		return;
	memcpy(path, dir, len);
	char num[16];
	size_t k = 0;
	do
		num[k++] = (char)('0' + stream % 10);
	while ((stream /= 10));
	path[len++] = '/';
	while (k)
		path[len++] = num[--k];
	memcpy(path + len, ".trace", 7);
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd >= 0) { /* out of the program's way, as the stream's fd */
		int hi = fcntl(fd, F_DUPFD_CLOEXEC, 512);
		if (hi >= 0) {
			close(fd);
			fd = hi;
		}
	}
	g_trace_fd = fd;
}

int rt_children_connect(void)
{
	const char *sock = getenv(CHILD_SOCK_ENV);
	if (!sock || !*sock)
		return -1;
	g_on = true;
	g_declined = true;
	if (strlen(sock) >= sizeof g_sock)
		return -2;
	memcpy(g_sock, sock, strlen(sock) + 1);
	int fd = dial(sock);
	if (fd < 0)
		return -2;
	struct hello h = { 0 };
	uint8_t answer[5];
	bool ok = hello_start(&h, CHILD_TRACE) && hello_image(&h) && hello_send(fd, &h) &&
		  io_full(fd, answer, 1, false) && answer[0] == CHILD_YES && io_full(fd, answer + 1, 4, false);
	hello_free(&h);
	if (!ok) {
		close(fd);
		return -2;
	}
	g_declined = false;
	open_trace_file((uint32_t)answer[1] | (uint32_t)answer[2] << 8 | (uint32_t)answer[3] << 16 |
			(uint32_t)answer[4] << 24);
	return fd;
}

int rt_children_trace_fd(void)
{
	return g_trace_fd;
}

void rt_children_ctor(void)
{
	if (g_on && g_declined) /* skipped: valgrind is not in it, nor in its children */
		unsetenv(CHILD_SOCK_ENV);
}

/* ---- execs the runtime will not be in ------------------------------------------------ */

static bool env_has(char *const envp[], const char *name, const char *part)
{
	size_t n = strlen(name);
	for (size_t i = 0; envp && envp[i]; i++)
		if (!strncmp(envp[i], name, n) && envp[i][n] == '=')
			return !part || strstr(envp[i] + n + 1, part);
	return false;
}

/* PATH search as execvp does it: the first regular executable file. */
static bool find_in_path(const char *file, char *out, size_t cap)
{
	const char *path = getenv("PATH");
	if (!path)
		path = "/bin:/usr/bin";
	size_t flen = strlen(file);
	for (const char *p = path;; p++) {
		const char *e = strchr(p, ':');
		size_t dlen = e ? (size_t)(e - p) : strlen(p);
		if (dlen + flen + 2 <= cap) {
			memcpy(out, dlen ? p : ".", dlen ? dlen : 1);
			size_t o = dlen ? dlen : 1;
			out[o++] = '/';
			memcpy(out + o, file, flen + 1);
			struct stat st;
			if (stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0)
				return true;
		}
		if (!e)
			return false;
		p = e;
	}
}

/* Why the program at path cannot have the runtime (0: it can). */
static int cannot_preload(const char *path, char *const envp[])
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || access(path, X_OK) != 0)
		return 0; /* the exec fails: the program goes on */
	if (!env_has(envp, CHILD_SOCK_ENV, NULL) || !env_has(envp, "LD_PRELOAD", "libsonde-rt"))
		return CHILD_NOTE_ENV;
	if (((st.st_mode & S_ISUID) && st.st_uid != geteuid()) || ((st.st_mode & S_ISGID) && st.st_gid != getegid()))
		return CHILD_NOTE_SETUID;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	Elf64_Ehdr eh;
	int why = 0;
	if (pread(fd, &eh, sizeof eh, 0) == (ssize_t)sizeof eh && !memcmp(eh.e_ident, ELFMAG, SELFMAG) &&
	    eh.e_ident[EI_CLASS] == ELFCLASS64 && eh.e_phentsize == sizeof(Elf64_Phdr)) {
		why = CHILD_NOTE_STATIC;
		for (unsigned i = 0; i < eh.e_phnum && i < 256; i++) {
			Elf64_Phdr ph;
			if (pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff + i * sizeof ph)) != (ssize_t)sizeof ph)
				break;
			if (ph.p_type == PT_INTERP) {
				why = 0;
				break;
			}
		}
	}
	close(fd);
	return why;
}

static void send_note(int reason, pid_t pid, const char *path, char *const argv[])
{
	struct hello h = { 0 };
	size_t argc = 0;
	while (argv && argv[0] && argv[argc + 1])
		argc++;
	bool ok = hello_start(&h, CHILD_NOTE);
	if (ok && pid) { /* a spawned child: its pid, and this process as the parent */
		h.n = 9;
		ok = put_v(&h, (uint64_t)pid) && put_v(&h, (uint64_t)getpid());
	}
	ok = ok && put_v(&h, (uint64_t)reason) && put_s(&h, path, strlen(path)) && put_v(&h, argc);
	for (size_t i = 1; ok && i <= argc; i++)
		ok = put_s(&h, argv[i], strlen(argv[i]));
	int fd = ok ? dial(g_sock) : -1;
	if (fd >= 0) {
		hello_send(fd, &h);
		close(fd);
	}
	hello_free(&h);
}

/* The reason the exec of file (PATH-searched if search) cannot be
 * followed, and its path, or 0. */
static int check_exec(const char *file, bool search, char *const envp[], char *path, size_t cap)
{
	if (!g_on || g_declined || !file || !*file)
		return 0;
	if (search && !strchr(file, '/')) {
		if (!find_in_path(file, path, cap))
			return 0;
	} else if (strlen(file) < cap) {
		memcpy(path, file, strlen(file) + 1);
	} else {
		return 0;
	}
	return cannot_preload(path, envp);
}

void rt_children_exec(const char *file, bool search, char *const argv[], char *const envp[])
{
	int e = errno;
	char path[4096];
	int why = check_exec(file, search, envp, path, sizeof path);
	if (why)
		send_note(why, 0, path, argv);
	errno = e;
}

/* posix_spawn (Rust's Command, and others) execs in a child that no hook
 * sees: the same check, sent with the child's pid once it exists. */
typedef int (*spawn_fn)(pid_t *, const char *, const posix_spawn_file_actions_t *, const posix_spawnattr_t *,
			char *const[], char *const[]);

static int spawn(const char *name, bool search, pid_t *pid, const char *file,
		 const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *at, char *const argv[],
		 char *const envp[])
{
	spawn_fn real = (spawn_fn)rt_real_sym(name);
	if (!real)
		return ENOSYS;
	char path[4096];
	int why = check_exec(file, search, envp, path, sizeof path);
	pid_t child = 0;
	int r = real(&child, file, fa, at, argv, envp);
	if (pid)
		*pid = child;
	if (r == 0 && why)
		send_note(why, child, path, argv);
	return r;
}

EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
		       const posix_spawnattr_t *at, char *const argv[], char *const envp[])
{
	return spawn("posix_spawn", false, pid, path, fa, at, argv, envp);
}

EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
			const posix_spawnattr_t *at, char *const argv[], char *const envp[])
{
	return spawn("posix_spawnp", true, pid, file, fa, at, argv, envp);
}

/* The build-id cache (buildid_cache.h): storing the files a recording
 * mapped, evicting the least recently used, finding a build again. */
#include "binary/buildid_cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "binary/elf_symbols.h"
#include "util/die.h"

#define DEFAULT_MAX_BYTES (2ull << 30)
/* A temporary file this old was left by a recorder that died mid-copy. */
#define STALE_TMP_SECONDS 3600

bool buildid_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen, max = alen > blen ? alen : blen;
	if (!n || memcmp(a, b, n))
		return false;
	const uint8_t *longer = alen > blen ? a : b;
	for (size_t i = n; i < max; i++)
		if (longer[i])
			return false;
	return true;
}

void buildid_hex(const uint8_t *id, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[id[i] >> 4];
		out[2 * i + 1] = digits[id[i] & 15];
	}
	out[2 * len] = 0;
}

/* ---- the list a recorder fills ---- */

static uint64_t file_key(const char *path, const uint8_t *id, size_t len)
{
	return hash_bytes(path, strlen(path)) ^ (hash_bytes(id, len) * 31 + len);
}

void buildid_list_add(struct buildid_list *l, const char *path, const uint8_t *id, size_t len)
{
	if (!path || path[0] != '/' || path[1] == '/' || !len) /* "//anon": perf's name for no file */
		return;
	if (len > BUILDID_MAX)
		len = BUILDID_MAX;
	uint64_t key = file_key(path, id, len);
	for (;;) {
		bool fresh;
		uint64_t *slot = u64map_upsert(&l->index, key, l->files.n + 1, &fresh);
		if (fresh)
			break;
		const struct buildid_file *f = &l->files.v[*slot - 1];
		if (f->len == len && !memcmp(f->id, id, len) && !strcmp(f->path, path))
			return;
		key = hash_u64(key + 1);
	}
	struct buildid_file f = { .path = xstrdup(path), .len = len };
	memcpy(f.id, id, len);
	vec_push(&l->files, f);
}

void buildid_list_free(struct buildid_list *l)
{
	for (size_t i = 0; i < l->files.n; i++)
		free(l->files.v[i].path);
	vec_free(&l->files);
	u64map_free(&l->index);
}

/* ---- where ---- */

static char *home_dir(void)
{
	const char *h = getenv("HOME");
	if (h && *h)
		return xstrdup(h);
	struct passwd *pw = getpwuid(getuid());
	return pw && pw->pw_dir && *pw->pw_dir ? xstrdup(pw->pw_dir) : NULL;
}

char *buildid_cache_dir(void)
{
	const char *env = getenv("SONDE_BUILDID_DIR");
	if (env && *env)
		return xstrdup(env);
	const char *xdg = getenv("XDG_CACHE_HOME");
	if (xdg && xdg[0] == '/') /* the XDG spec ignores relative paths */
		return xasprintf("%s/sonde/buildid", xdg);
	char *home = home_dir();
	if (!home)
		return NULL;
	char *dir = xasprintf("%s/.cache/sonde/buildid", home);
	free(home);
	return dir;
}

char *buildid_cache_entry(const char *dir, const uint8_t *id, size_t len)
{
	if (len < 2)
		return NULL;
	if (len > BUILDID_MAX)
		len = BUILDID_MAX;
	char hex[2 * BUILDID_MAX + 1];
	buildid_hex(id, len, hex);
	return xasprintf("%s/%.2s/%s", dir, hex, hex + 2);
}

/* "2G", "500M", "64k", "1048576" (optionally with "B" or "iB"). */
static bool parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	if (!*s || *s == '-')
		return false;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return false;
	unsigned shift = 0;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	default: break;
	}
	if (shift && *end == 'i')
		end++;
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return false;
	*out = (uint64_t)v << shift;
	return true;
}

void buildid_cache_default_limits(struct buildid_cache_limits *lim)
{
	lim->max_bytes = DEFAULT_MAX_BYTES;
	const char *env = getenv("SONDE_BUILDID_CACHE_SIZE");
	if (env && *env && !parse_size(env, &lim->max_bytes)) {
		warn("SONDE_BUILDID_CACHE_SIZE='%s' is not a size (like 500M or 2G); using 2G", env);
		lim->max_bytes = DEFAULT_MAX_BYTES;
	}
	lim->max_file = lim->max_bytes / 4;
}

/* ---- checking an entry or a file ---- */

/* The file behind fd (an ELF, st its stat) is whole as far as its header
 * tables go and carries the build-id. */
static bool elf_carries(Elf *e, const struct stat *st, const uint8_t *id, size_t len)
{
	GElf_Ehdr eh;
	if (!e || !gelf_getehdr(e, &eh))
		return false;
	uint64_t size = (uint64_t)st->st_size;
	if (eh.e_shoff > size || (uint64_t)eh.e_shnum * eh.e_shentsize > size - eh.e_shoff ||
	    eh.e_phoff > size || (uint64_t)eh.e_phnum * eh.e_phentsize > size - eh.e_phoff)
		return false; /* cut short: the tables at its end are gone */
	uint8_t got[ELF_BUILD_ID_MAX];
	size_t got_len = elf_build_id(e, got, sizeof(got));
	return buildid_equal(got, got_len, id, len);
}

static Elf *open_checked(const char *path, const uint8_t *id, size_t len, int *fd, struct stat *st)
{
	Elf *e = elf_open_file(path, fd);
	if (!e)
		return NULL;
	if (fstat(*fd, st) == 0 && S_ISREG(st->st_mode) && elf_carries(e, st, id, len))
		return e;
	elf_close_file(e, *fd);
	*fd = -1;
	return NULL;
}

/* An entry that serves: the right build, and at least as big as the file
 * (strip keeps the build-id, and the copy with symbols is the one to keep). */
static bool entry_serves(const char *path, const uint8_t *id, size_t len, uint64_t min_size)
{
	int fd;
	struct stat st;
	Elf *e = open_checked(path, id, len, &fd, &st);
	bool ok = e && (uint64_t)st.st_size >= min_size;
	elf_close_file(e, fd);
	return ok;
}

static void mark_used(const char *path)
{
	utimensat(AT_FDCWD, path, NULL, 0); /* best effort: a read-only cache still serves */
}

/* ---- storing ---- */

static int make_dirs(const char *path)
{
	char *p = xstrdup(path);
	int rc = 0;
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;
		*s = 0;
		if (mkdir(p, 0755) < 0 && errno != EEXIST) {
			rc = -1;
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	int e = errno;
	free(p);
	errno = e;
	return rc;
}

enum copy_result { COPY_OK, COPY_SHORT, COPY_FAILED };

static enum copy_result copy_fd(int src, int dst, uint64_t size)
{
	loff_t in = 0, out = 0;
	bool plain = false; /* copy_file_range refused: read and write */
	static char buf[1 << 16];
	while ((uint64_t)in < size) {
		size_t want = size - (uint64_t)in > (1u << 30) ? (1u << 30) : (size_t)(size - (uint64_t)in);
		ssize_t n;
		if (!plain) {
			n = copy_file_range(src, &in, dst, &out, want, 0);
			if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP ||
				      errno == EPERM)) {
				plain = true;
				continue;
			}
		} else {
			n = pread(src, buf, want < sizeof(buf) ? want : sizeof(buf), in);
			for (ssize_t done = 0; n > 0 && done < n;) {
				ssize_t w = pwrite(dst, buf + done, (size_t)(n - done), in + done);
				if (w < 0 && errno == EINTR)
					continue;
				if (w <= 0)
					return COPY_FAILED;
				done += w;
			}
			if (n > 0)
				in += n;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return COPY_FAILED;
		if (n == 0)
			return COPY_SHORT; /* the file shrank under us */
	}
	return COPY_OK;
}

/* Copies src into the entry through a temporary file renamed into place,
 * so a reader or another recorder never sees half a file. Returns 0
 * (added, or skipped when the file changed while copied) or -1 with errno. */
static int copy_into(int src, uint64_t size, const char *entry, const struct buildid_file *f,
		     struct buildid_store_stats *st)
{
	char *dir = xstrdup(entry);
	char *slash = strrchr(dir, '/');
	*slash = 0;
	/* pid and clock: unique even for recorders in other pid namespaces */
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	char *tmp = xasprintf("%s/.%s.%d.%lx.tmp", dir, slash + 1, (int)getpid(), (unsigned long)now.tv_nsec);
	int rc = make_dirs(dir);
	int dst = rc < 0 ? -1 : open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	enum copy_result cr = dst < 0 ? COPY_FAILED : copy_fd(src, dst, size);
	int err = errno;
	if (dst >= 0 && close(dst) < 0 && cr == COPY_OK) {
		cr = COPY_FAILED;
		err = errno;
	}
	if (cr == COPY_OK && !entry_serves(tmp, f->id, f->len, size))
		cr = COPY_SHORT; /* rewritten in place while we copied */
	if (cr == COPY_OK && rename(tmp, entry) < 0) {
		cr = COPY_FAILED;
		err = errno;
	}
	if (cr != COPY_OK && dst >= 0)
		unlink(tmp);
	free(tmp);
	free(dir);
	if (cr == COPY_OK) {
		st->added++;
		st->bytes_added += size;
	} else if (cr == COPY_SHORT) {
		st->skipped++;
	}
	errno = err;
	return cr == COPY_FAILED ? -1 : 0;
}

/* Stores one file. Returns 0 (stored, kept or skipped) or -1 with errno
 * when the cache itself cannot be written. */
static int store_one(const char *dir, const struct buildid_file *f, const struct buildid_cache_limits *lim,
		     struct buildid_store_stats *st)
{
	int src;
	struct stat sst;
	Elf *e = open_checked(f->path, f->id, f->len, &src, &sst);
	char *entry = e ? buildid_cache_entry(dir, f->id, f->len) : NULL;
	if (e)
		elf_end(e);
	int rc = 0;
	if (!entry || (uint64_t)sst.st_size > lim->max_file)
		st->skipped++; /* gone, not ELF, rebuilt since it was mapped, or too big */
	else if (entry_serves(entry, f->id, f->len, (uint64_t)sst.st_size)) {
		mark_used(entry);
		st->kept++;
	} else {
		rc = copy_into(src, (uint64_t)sst.st_size, entry, f, st);
	}
	int err = errno;
	free(entry);
	if (src >= 0)
		close(src);
	errno = err;
	return rc;
}

struct cached {
	char *path;
	uint64_t size;
	struct timespec used;
};

static int cmp_cached(const void *a, const void *b)
{
	const struct cached *x = a, *y = b;
	if (x->used.tv_sec != y->used.tv_sec)
		return x->used.tv_sec < y->used.tv_sec ? -1 : 1;
	if (x->used.tv_nsec != y->used.tv_nsec)
		return x->used.tv_nsec < y->used.tv_nsec ? -1 : 1;
	return strcmp(x->path, y->path);
}

static bool is_hex_pair(const char *s)
{
	return strlen(s) == 2 && strspn(s, "0123456789abcdef") == 2;
}

/* Removes the least recently used entries until the rest fit in max, and
 * temporary files left by recorders that died. Entries another recorder
 * removes first are simply gone. */
static void evict(const char *dir, uint64_t max)
{
	DIR *top = opendir(dir);
	if (!top)
		return;
	VEC(struct cached) all = { 0 };
	uint64_t total = 0;
	time_t now = time(NULL);
	struct dirent *de;
	while ((de = readdir(top))) {
		if (!is_hex_pair(de->d_name))
			continue;
		char *sub = xasprintf("%s/%s", dir, de->d_name);
		DIR *d = opendir(sub);
		struct dirent *fe;
		while (d && (fe = readdir(d))) {
			struct stat st;
			if (fstatat(dirfd(d), fe->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
				continue;
			if (fe->d_name[0] == '.') {
				if (now - st.st_mtime > STALE_TMP_SECONDS)
					unlinkat(dirfd(d), fe->d_name, 0);
				continue;
			}
			struct cached c = { xasprintf("%s/%s", sub, fe->d_name), (uint64_t)st.st_size, st.st_mtim };
			vec_push(&all, c);
			total += c.size;
		}
		if (d)
			closedir(d);
		free(sub);
	}
	closedir(top);
	if (all.n)
		qsort(all.v, all.n, sizeof(*all.v), cmp_cached);
	for (size_t i = 0; i < all.n && total > max; i++) {
		unlink(all.v[i].path);
		total -= all.v[i].size;
	}
	for (size_t i = 0; i < all.n; i++)
		free(all.v[i].path);
	vec_free(&all);
}

int buildid_cache_store(const char *dir, const struct buildid_list *l, const struct buildid_cache_limits *lim,
			struct buildid_store_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!l->files.n || !lim->max_bytes)
		return 0;
	elf_version(EV_CURRENT);
	for (size_t i = 0; i < l->files.n; i++) {
		if (store_one(dir, &l->files.v[i], lim, st) < 0) {
			warn("cannot add '%s' to the build-id cache '%s': %s; a report after a rebuild will not find "
			     "this build",
			     l->files.v[i].path, dir, strerror(errno));
			if (st->added)
				evict(dir, lim->max_bytes);
			return -1;
		}
	}
	if (st->added)
		evict(dir, lim->max_bytes);
	return 0;
}

void buildid_cache_record(const struct buildid_list *l)
{
	if (!l->files.n)
		return;
	struct buildid_cache_limits lim;
	buildid_cache_default_limits(&lim);
	char *dir = buildid_cache_dir();
	if (!dir) {
		warn("no home directory for the build-id cache; set SONDE_BUILDID_DIR");
		return;
	}
	struct buildid_store_stats st;
	buildid_cache_store(dir, l, &lim, &st);
	free(dir);
}

/* ---- finding a build ---- */

Elf *buildid_cache_open(const char *dir, const uint8_t *id, size_t len, int *fd)
{
	*fd = -1;
	if (len < 2)
		return NULL;
	struct stat st;
	if (dir) {
		char *p = buildid_cache_entry(dir, id, len);
		Elf *e = open_checked(p, id, len, fd, &st);
		if (e)
			mark_used(p);
		free(p);
		if (e)
			return e;
	}
	/* perf's cache: .build-id/ab/cdef... is a link to the copy (older
	 * perf) or to a directory holding it as "elf". */
	const char *env = getenv("PERF_BUILDID_DIR");
	char *perf = env && *env ? xstrdup(env) : NULL;
	if (!perf) {
		char *home = home_dir();
		perf = home ? xasprintf("%s/.debug", home) : NULL;
		free(home);
	}
	if (!perf)
		return NULL;
	char hex[2 * BUILDID_MAX + 1];
	buildid_hex(id, len > BUILDID_MAX ? BUILDID_MAX : len, hex);
	Elf *e = NULL;
	for (int elf_dir = 1; elf_dir >= 0 && !e; elf_dir--) {
		char *p = xasprintf("%s/.build-id/%.2s/%s%s", perf, hex, hex + 2, elf_dir ? "/elf" : "");
		e = open_checked(p, id, len, fd, &st);
		free(p);
	}
	free(perf);
	return e;
}

/* inotify file watcher with bacon's event filter and grace period. */
#include "watch/watcher.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "util/die.h"
#include "util/vec.h"
#include "watch/ignorer.h"

const char *const watch_default_paths[] = { "Cargo.toml", "src", "tests", "benches", "examples", "build.rs", NULL };

#define DIR_MASK (IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | \
		  IN_MOVE_SELF | IN_ONLYDIR | IN_EXCL_UNLINK)

/* One watched directory, indexed by its watch descriptor. */
struct watched_dir {
	char *path;       /* absolute */
	bool recursive;   /* watched as a tree (else only for the names below) */
	VEC(char *) names; /* files watched in it when not recursive */
};

struct watcher {
	int ino, timer, epoll;
	char *root; /* absolute */
	struct ignorer *ig;
	int grace_ms;
	struct watched_dir *dirs; /* by wd; path NULL when free */
	size_t n_dirs;
	size_t live;
	VEC(char *) tree_roots; /* the recursive roots, for rescans after overflow */
	bool pending, limit_warned;
	struct timespec drop_until; /* watcher_job_started's window */
	struct watch_change change;
};

static struct watched_dir *dir_at(struct watcher *w, int wd)
{
	if (wd < 0 || (size_t)wd >= w->n_dirs || !w->dirs[wd].path)
		return NULL;
	return &w->dirs[wd];
}

static void forget_dir(struct watcher *w, int wd)
{
	struct watched_dir *d = dir_at(w, wd);
	if (!d)
		return;
	free(d->path);
	for (size_t i = 0; i < d->names.n; i++)
		free(d->names.v[i]);
	vec_free(&d->names);
	memset(d, 0, sizeof(*d));
	w->live--;
}

/* root-relative form of an absolute path; NULL when outside root. */
static const char *rel_to_root(const struct watcher *w, const char *abs)
{
	size_t rl = strlen(w->root);
	if (!strncmp(abs, w->root, rl) && (abs[rl] == '/' || !abs[rl]))
		return abs[rl] ? abs + rl + 1 : "";
	if (!strcmp(w->root, "/"))
		return abs + 1;
	return NULL;
}

static bool ignored(const struct watcher *w, const char *abs, bool is_dir)
{
	const char *rel = rel_to_root(w, abs);
	if (!w->ig || !rel || !*rel)
		return false;
	return ignorer_excludes(w->ig, rel, is_dir);
}

static int add_watch(struct watcher *w, const char *abs, bool recursive)
{
	int wd = inotify_add_watch(w->ino, abs, DIR_MASK);
	if (wd < 0) {
		if (errno == ENOSPC && !w->limit_warned) {
			warn("inotify watch limit reached at %s (raise /proc/sys/fs/inotify/max_user_watches)", abs);
			w->limit_warned = true;
		}
		return -1;
	}
	if ((size_t)wd >= w->n_dirs) {
		size_t n = w->n_dirs ? w->n_dirs : 64;
		while (n <= (size_t)wd)
			n *= 2;
		w->dirs = xrealloc(w->dirs, n * sizeof(*w->dirs));
		memset(w->dirs + w->n_dirs, 0, (n - w->n_dirs) * sizeof(*w->dirs));
		w->n_dirs = n;
	}
	struct watched_dir *d = &w->dirs[wd];
	if (!d->path) {
		d->path = xstrdup(abs);
		w->live++;
	} else if (strcmp(d->path, abs)) {
		/* the same directory under a new name (moved inside the tree) */
		free(d->path);
		d->path = xstrdup(abs);
	}
	d->recursive |= recursive;
	return wd;
}

static void add_tree(struct watcher *w, const char *abs)
{
	if (add_watch(w, abs, true) < 0)
		return;
	DIR *dir = opendir(abs);
	if (!dir)
		return;
	struct dirent *de;
	while ((de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char *sub = xasprintf("%s/%s", abs, de->d_name);
		bool is_dir = de->d_type == DT_DIR;
		if (de->d_type == DT_UNKNOWN) {
			struct stat st;
			is_dir = lstat(sub, &st) == 0 && S_ISDIR(st.st_mode);
		}
		/* symlinked directories are not followed: no loops */
		if (is_dir && !ignored(w, sub, true))
			add_tree(w, sub);
		free(sub);
	}
	closedir(dir);
}

static void add_root_tree(struct watcher *w, const char *abs)
{
	bool known = false;
	for (size_t i = 0; i < w->tree_roots.n && !known; i++)
		known = !strcmp(w->tree_roots.v[i], abs);
	if (!known)
		vec_push(&w->tree_roots, xstrdup(abs));
	add_tree(w, abs);
}

/* Watches abs through its directory, filtered to its name: a file saved by
 * rename, or a watched directory deleted and made again, is seen there. */
static void add_file(struct watcher *w, const char *abs)
{
	char *dir = xstrdup(abs);
	char *slash = strrchr(dir, '/');
	const char *name = slash + 1;
	if (slash == dir)
		slash[1] = 0;
	else
		*slash = 0;
	int wd = add_watch(w, dir, false);
	if (wd >= 0)
		vec_push(&w->dirs[wd].names, xstrdup(abs + (name - dir)));
	free(dir);
}

/* Drops the watches of a directory that left the tree and of all below it. */
static void drop_tree(struct watcher *w, const char *abs)
{
	size_t n = strlen(abs);
	for (size_t wd = 0; wd < w->n_dirs; wd++) {
		struct watched_dir *d = &w->dirs[wd];
		if (d->path && d->recursive && !strncmp(d->path, abs, n) && (d->path[n] == '/' || !d->path[n])) {
			inotify_rm_watch(w->ino, (int)wd);
			forget_dir(w, (int)wd);
		}
	}
}

static bool in_drop_window(const struct watcher *w)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec < w->drop_until.tv_sec ||
	       (now.tv_sec == w->drop_until.tv_sec && now.tv_nsec < w->drop_until.tv_nsec);
}

void watcher_job_started(struct watcher *w)
{
	clock_gettime(CLOCK_MONOTONIC, &w->drop_until);
	long ns = w->drop_until.tv_nsec + (long)w->grace_ms * 1000000L;
	w->drop_until.tv_sec += ns / 1000000000L;
	w->drop_until.tv_nsec = ns % 1000000000L;
}

static void note_change(struct watcher *w, const char *abs, bool overflow)
{
	if (!overflow && in_drop_window(w))
		return;
	if (!w->pending) {
		memset(&w->change, 0, sizeof(w->change));
		const char *rel = abs ? rel_to_root(w, abs) : NULL;
		snprintf(w->change.first, sizeof(w->change.first), "%s", rel && *rel ? rel : abs ? abs : "");
		w->pending = true;
		if (w->grace_ms > 0) {
			struct itimerspec its = { .it_value = { w->grace_ms / 1000, (long)(w->grace_ms % 1000) * 1000000L } };
			timerfd_settime(w->timer, 0, &its, NULL);
		}
	}
	w->change.events++;
	w->change.overflow |= overflow;
}

static bool name_listed(const struct watched_dir *d, const char *name)
{
	for (size_t i = 0; i < d->names.n; i++)
		if (!strcmp(d->names.v[i], name))
			return true;
	return false;
}

static void handle_event(struct watcher *w, const struct inotify_event *ev)
{
	if (ev->mask & IN_Q_OVERFLOW) {
		/* events were lost: count a change and make sure every new
		 * directory is watched */
		note_change(w, NULL, true);
		for (size_t i = 0; i < w->tree_roots.n; i++)
			add_tree(w, w->tree_roots.v[i]);
		return;
	}
	struct watched_dir *d = dir_at(w, ev->wd);
	if (!d)
		return;
	if (ev->mask & IN_IGNORED) {
		forget_dir(w, ev->wd);
		return;
	}
	if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
		/* its parent reports the name; a root itself going counts here */
		if (d->recursive)
			note_change(w, d->path, false);
		return;
	}
	if (!ev->len)
		return;
	bool is_dir = ev->mask & IN_ISDIR;
	char *abs = xasprintf("%s/%s", strcmp(d->path, "/") ? d->path : "", ev->name);
	bool in_tree = d->recursive;
	if (in_tree && is_dir && (ev->mask & (IN_MOVED_FROM | IN_DELETE)))
		drop_tree(w, abs);
	/* drop_tree and add_tree may free d or move the array */
	if (in_tree && is_dir && (ev->mask & (IN_CREATE | IN_MOVED_TO)) && !ignored(w, abs, true))
		add_tree(w, abs);
	d = dir_at(w, ev->wd);
	bool counts = in_tree ? !ignored(w, abs, is_dir) : (d && name_listed(d, ev->name));
	if (!in_tree && counts && is_dir && (ev->mask & (IN_MOVED_FROM | IN_DELETE)))
		drop_tree(w, abs); /* a watched directory left: its old watches must not report */
	if (!in_tree && counts && is_dir && (ev->mask & (IN_CREATE | IN_MOVED_TO)))
		add_root_tree(w, abs); /* a watched directory (re)appeared */
	if (counts && w->ig && in_tree) {
		const char *rel = rel_to_root(w, abs);
		if (rel && ignorer_is_rules_file(rel))
			ignorer_reload(w->ig);
	}
	if (counts)
		note_change(w, abs, false);
	free(abs);
}

static void drain_inotify(struct watcher *w)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	for (;;) {
		ssize_t n = read(w->ino, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			handle_event(w, ev);
			p += sizeof(*ev) + ev->len;
		}
	}
}

bool watcher_take_change(struct watcher *w, struct watch_change *out)
{
	drain_inotify(w);
	if (!w->pending)
		return false;
	if (w->grace_ms > 0) {
		unsigned long long expirations;
		if (read(w->timer, &expirations, sizeof(expirations)) != (ssize_t)sizeof(expirations))
			return false;
	}
	*out = w->change;
	w->pending = false;
	return true;
}

bool watcher_wait(struct watcher *w, int timeout_ms, struct watch_change *out)
{
	struct pollfd pfd = { .fd = w->epoll, .events = POLLIN };
	for (;;) {
		if (watcher_take_change(w, out))
			return true;
		int r = poll(&pfd, 1, timeout_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
	}
}

int watcher_fd(const struct watcher *w)
{
	return w->epoll;
}

size_t watcher_dir_count(const struct watcher *w)
{
	return w->live;
}

struct watcher *watcher_new(const struct watcher_config *cfg, char *err, size_t errsz)
{
	struct watcher *w = xcalloc(1, sizeof(*w));
	w->ino = w->timer = w->epoll = -1;
	char *real = realpath(cfg->root ? cfg->root : ".", NULL);
	if (!real) {
		snprintf(err, errsz, "cannot watch %s: %s", cfg->root ? cfg->root : ".", strerror(errno));
		watcher_free(w);
		return NULL;
	}
	w->root = real;
	w->ig = cfg->ignorer;
	w->grace_ms = cfg->grace_ms < 0 ? 0 : cfg->grace_ms;
	w->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	w->timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	w->epoll = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event e1 = { .events = EPOLLIN, .data.fd = w->ino };
	struct epoll_event e2 = { .events = EPOLLIN, .data.fd = w->timer };
	if (w->ino < 0 || w->timer < 0 || w->epoll < 0 || epoll_ctl(w->epoll, EPOLL_CTL_ADD, w->ino, &e1) ||
	    epoll_ctl(w->epoll, EPOLL_CTL_ADD, w->timer, &e2)) {
		snprintf(err, errsz, "cannot use inotify: %s", strerror(errno));
		watcher_free(w);
		return NULL;
	}
	size_t found = 0;
	for (size_t i = 0; i < cfg->n_paths; i++) {
		const char *p = cfg->paths[i];
		char *joined = p[0] == '/' ? xstrdup(p) : xasprintf("%s/%s", w->root, p);
		char *abs = realpath(joined, NULL);
		struct stat st;
		if (!abs || stat(abs, &st)) {
			/* missing paths are skipped, as in bacon, but their
			 * directory (when it exists) tells when they appear */
			char *parent = xstrdup(joined);
			char *slash = strrchr(parent, '/');
			struct stat pst;
			if (slash && slash != parent) {
				*slash = 0;
				char *real_parent = realpath(parent, NULL);
				if (real_parent && !stat(real_parent, &pst) && S_ISDIR(pst.st_mode)) {
					char *again = xasprintf("%s/%s", real_parent, slash + 1);
					add_file(w, again);
					free(again);
				}
				free(real_parent);
			}
			free(parent);
			free(joined);
			free(abs);
			continue;
		}
		free(joined);
		found++;
		if (S_ISDIR(st.st_mode)) {
			add_root_tree(w, abs);
			if (strcmp(abs, "/"))
				add_file(w, abs); /* its parent sees it deleted and made again */
		} else {
			add_file(w, abs);
		}
		free(abs);
	}
	if (!found) {
		snprintf(err, errsz, "nothing to watch: none of the %zu watched paths exists under %s", cfg->n_paths,
			 w->root);
		watcher_free(w);
		return NULL;
	}
	return w;
}

void watcher_free(struct watcher *w)
{
	if (!w)
		return;
	for (size_t wd = 0; wd < w->n_dirs; wd++)
		if (w->dirs[wd].path)
			forget_dir(w, (int)wd);
	free(w->dirs);
	for (size_t i = 0; i < w->tree_roots.n; i++)
		free(w->tree_roots.v[i]);
	vec_free(&w->tree_roots);
	if (w->ino >= 0)
		close(w->ino);
	if (w->timer >= 0)
		close(w->timer);
	if (w->epoll >= 0)
		close(w->epoll);
	free(w->root);
	free(w);
}

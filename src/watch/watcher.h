/* The file watcher of `sonde watch`: inotify, recursive, rename-safe.
 *
 * Directories given are watched with all their subdirectories (new ones
 * are added as they appear, removed or moved-away ones dropped; those the
 * ignorer excludes, such as target/, are not entered). A file given is
 * watched through its directory, filtered to its name, so an editor that
 * saves by writing a temporary file and renaming it over the original is
 * seen and the watch survives. Missing paths are skipped, as bacon does.
 *
 * What counts as a change (as bacon's filter on notify's events): a file
 * closed after writing, created, deleted or renamed (either side); plain
 * IN_MODIFY and attribute changes do not. Each event's path goes through
 * the ignorer; a change needs one path it lets through. A kernel queue
 * overflow (IN_Q_OVERFLOW) always counts as a change, and the trees are
 * scanned again so no new directory goes unwatched.
 *
 * Grace period: the first event that counts opens a window of grace_ms;
 * everything seen until it closes is folded into one change, reported
 * when it closes (a fixed window: a steady stream of events still gives
 * a change every grace_ms, so none is lost). grace_ms 0 reports at once.
 *
 * Use: poll watcher_fd() for POLLIN (or call watcher_wait), then call
 * watcher_take_change() until it returns false. Single-threaded. */
#ifndef SONDE_WATCH_WATCHER_H
#define SONDE_WATCH_WATCHER_H
#include <stdbool.h>
#include <stddef.h>

struct ignorer;

/* bacon's default watches (default_watch = true), relative to the
 * package: "Cargo.toml", "src", "tests", "benches", "examples",
 * "build.rs"; a NULL-terminated list. */
extern const char *const watch_default_paths[];
#define WATCH_DEFAULT_GRACE_MS 15

struct watcher_config {
	const char *root;           /* the project; relative paths resolve here */
	const char *const *paths;   /* files or directories to watch */
	size_t n_paths;
	struct ignorer *ignorer;    /* may be NULL; reloaded when a .gitignore changes */
	int grace_ms;               /* bacon's grace_period (WATCH_DEFAULT_GRACE_MS) */
};

struct watch_change {
	unsigned events;      /* events folded into this change */
	bool overflow;        /* the kernel's queue overflowed: assume anything changed */
	char first[512];      /* the first path that counted, relative to root when under it */
};

/* NULL with a one-line message in err (errsz bytes) when inotify cannot be
 * used or no given path exists. */
struct watcher *watcher_new(const struct watcher_config *cfg, char *err, size_t errsz);
void watcher_free(struct watcher *w);

/* Readable when events or the end of a grace window are pending. */
int watcher_fd(const struct watcher *w);
/* Handles what is ready without blocking; true (and *out filled) when a
 * change is complete. */
bool watcher_take_change(struct watcher *w, struct watch_change *out);
/* Blocks up to timeout_ms (-1: forever) for a change; true when one came. */
bool watcher_wait(struct watcher *w, int timeout_ms, struct watch_change *out);

/* bacon's own grace rule (src/tui/app.rs: is_in_grace_period): events
 * that arrive within grace_ms after a job starts are dropped, not folded,
 * so that files the job itself touches do not start it again. Call at each
 * job start to get it; an overflow still counts. */
void watcher_job_started(struct watcher *w);

/* How many directories are watched (for tests and `--debug` output). */
size_t watcher_dir_count(const struct watcher *w);

#endif

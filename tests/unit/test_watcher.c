/* watch/watcher: changes in a scratch tree, new and removed directories,
 * editor-style rename-saves, .gitignore filtering, the grace period and a
 * kernel queue overflow. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "watch/ignorer.h"
#include "watch/watcher.h"

static char dir[256];

static void path_of(char *buf, size_t size, const char *rel)
{
	snprintf(buf, size, "%s/%s", dir, rel);
}

static void write_file(const char *rel, const char *text)
{
	char p[512];
	path_of(p, sizeof(p), rel);
	FILE *f = fopen(p, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* An editor's save: a temporary file written, then renamed over rel. */
static void rename_save(const char *rel, const char *text)
{
	char tmp[512], p[512];
	path_of(tmp, sizeof(tmp), ".save.tmp");
	path_of(p, sizeof(p), rel);
	FILE *f = fopen(tmp, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	rename(tmp, p);
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "%s/watcher.XXXXXX", getenv("SONDE_TMP") ? getenv("SONDE_TMP") : "/tmp");
	if (!mkdtemp(dir))
		return;
	unit_sh("cd '%s' && git init -q . && mkdir -p src/a target/debug && echo /target > .gitignore && "
		": > Cargo.toml && : > src/main.rs",
		dir);
}

static struct watcher *open_watcher(struct ignorer *ig, int grace_ms)
{
	struct watcher_config cfg = {
		.root = dir, .paths = watch_default_paths, .ignorer = ig, .grace_ms = grace_ms,
	};
	for (cfg.n_paths = 0; watch_default_paths[cfg.n_paths]; cfg.n_paths++)
		;
	char err[256];
	return watcher_new(&cfg, err, sizeof(err));
}

static void test_changes_and_new_dirs(void)
{
	struct watcher *w = open_watcher(NULL, 5);
	CHECK(w);
	CHECK_INT(watcher_dir_count(w), 3); /* src, src/a, and the root for Cargo.toml */
	struct watch_change ch;
	CHECK(!watcher_wait(w, 50, &ch));
	write_file("src/main.rs", "fn main() {}\n");
	CHECK(watcher_wait(w, 2000, &ch));
	CHECK_STR(ch.first, "src/main.rs");
	/* a directory made after the start is watched too */
	char p[512];
	path_of(p, sizeof(p), "src/new/deeper");
	unit_sh("mkdir -p '%s'", p);
	CHECK(watcher_wait(w, 2000, &ch));
	write_file("src/new/deeper/x.rs", "x");
	CHECK(watcher_wait(w, 2000, &ch));
	CHECK_STR(ch.first, "src/new/deeper/x.rs");
	CHECK_INT(watcher_dir_count(w), 5);
	/* removed directories are dropped */
	path_of(p, sizeof(p), "src/new");
	unit_sh("rm -rf '%s'", p);
	CHECK(watcher_wait(w, 2000, &ch));
	while (watcher_wait(w, 50, &ch))
		;
	CHECK_INT(watcher_dir_count(w), 3);
	/* a file beside a watched file, in an unwatched directory: nothing */
	write_file("README.md", "x");
	CHECK(!watcher_wait(w, 100, &ch));
	write_file("Cargo.toml", "[package]\n");
	CHECK(watcher_wait(w, 2000, &ch));
	CHECK_STR(ch.first, "Cargo.toml");
	watcher_free(w);
}

/* A watched directory deleted and made again, and a default watch that
 * was missing at the start, are watched once they (re)appear. */
static void test_dirs_that_appear(void)
{
	struct watcher *w = open_watcher(NULL, 5);
	CHECK(w);
	struct watch_change ch;
	unit_sh("cd '%s' && mv src src.old && mkdir src", dir);
	CHECK(watcher_wait(w, 2000, &ch));
	while (watcher_wait(w, 50, &ch))
		;
	write_file("src.old/main.rs", "moved away: no longer watched");
	CHECK(!watcher_wait(w, 100, &ch));
	write_file("src/again.rs", "x");
	CHECK(watcher_wait(w, 2000, &ch));
	CHECK_STR(ch.first, "src/again.rs");
	unit_sh("cd '%s' && mkdir tests", dir);
	CHECK(watcher_wait(w, 2000, &ch));
	write_file("tests/t.rs", "x");
	CHECK(watcher_wait(w, 2000, &ch));
	CHECK_STR(ch.first, "tests/t.rs");
	unit_sh("cd '%s' && rm -rf src tests && mv src.old src", dir);
	watcher_free(w);
}

/* A watched file replaced by rename, again and again: every save seen. */
static void test_rename_save_loop(void)
{
	struct watcher *w = open_watcher(NULL, 0);
	CHECK(w);
	struct watch_change ch;
	int seen = 0;
	for (int i = 0; i < 200; i++) {
		rename_save(i % 2 ? "Cargo.toml" : "src/main.rs", "saved\n");
		if (watcher_wait(w, 2000, &ch))
			seen++;
		while (watcher_wait(w, 0, &ch))
			;
	}
	CHECK_INT(seen, 200);
	watcher_free(w);
}

static void test_gitignore_and_globs(void)
{
	const char *globs[] = { "src/a" };
	struct ignorer *ig = ignorer_new(dir, true, globs, 1);
	char p[512];
	path_of(p, sizeof(p), "src/target");
	unit_sh("mkdir -p '%s'", p);
	struct watcher *w = open_watcher(ig, 5);
	CHECK(w);
	struct watch_change ch;
	write_file("src/a/skip.rs", "x"); /* the job's ignore glob */
	CHECK(!watcher_wait(w, 100, &ch));
	write_file("src/target/kept.rs", "x"); /* /target is anchored at the top */
	CHECK(watcher_wait(w, 2000, &ch));
	/* a .gitignore change reloads the rules */
	write_file("src/.gitignore", "*.gen\n");
	CHECK(watcher_wait(w, 2000, &ch));
	write_file("src/x.gen", "x");
	CHECK(!watcher_wait(w, 100, &ch));
	watcher_free(w);
	ignorer_free(ig);
}

static void test_grace_folds(void)
{
	struct watcher *w = open_watcher(NULL, 100);
	CHECK(w);
	struct watch_change ch;
	for (int i = 0; i < 5; i++) {
		char name[64];
		snprintf(name, sizeof(name), "src/f%d.rs", i);
		write_file(name, "x");
	}
	CHECK(watcher_wait(w, 2000, &ch));
	CHECK(ch.events >= 5);
	CHECK(!watcher_wait(w, 150, &ch));
	watcher_free(w);
}

/* bacon's rule, on request: events just after a job start are dropped */
static void test_job_start_window(void)
{
	struct watcher *w = open_watcher(NULL, 200);
	CHECK(w);
	struct watch_change ch;
	watcher_job_started(w);
	write_file("src/main.rs", "from the job\n");
	CHECK(!watcher_wait(w, 400, &ch));
	write_file("src/main.rs", "from the user\n");
	CHECK(watcher_wait(w, 2000, &ch));
	watcher_free(w);
}

static void test_overflow_counts(void)
{
	struct watcher *w = open_watcher(NULL, 0);
	CHECK(w);
	/* more events than the kernel queues (max_queued_events, 16384 by
	 * default) before the watcher reads any */
	char p[512];
	path_of(p, sizeof(p), "src/a");
	CHECK(unit_sh("cd '%s' && i=0; while [ $i -lt 9000 ]; do : > f$i; i=$((i+1)); done; rm -f f*", p) == 0);
	struct watch_change ch;
	bool overflow = false;
	while (watcher_wait(w, 100, &ch))
		overflow |= ch.overflow;
	CHECK(overflow);
	watcher_free(w);
}

static void test_missing_paths(void)
{
	const char *none[] = { "nope", "also/nope" };
	struct watcher_config cfg = { .root = dir, .paths = none, .n_paths = 2 };
	char err[256];
	CHECK(!watcher_new(&cfg, err, sizeof(err)));
	CHECK(strstr(err, "nothing to watch"));
	const char *some[] = { "nope", "src" };
	cfg.paths = some;
	struct watcher *w = watcher_new(&cfg, err, sizeof(err));
	CHECK(w);
	watcher_free(w);
}

int main(void)
{
	setup();
	RUN(test_changes_and_new_dirs);
	RUN(test_rename_save_loop);
	RUN(test_dirs_that_appear);
	RUN(test_gitignore_and_globs);
	RUN(test_grace_folds);
	RUN(test_job_start_window);
	RUN(test_overflow_counts);
	RUN(test_missing_paths);
	unit_sh("rm -rf '%s'", dir);
	UNIT_EXIT();
}

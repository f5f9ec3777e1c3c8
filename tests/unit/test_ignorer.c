/* watch/ignorer: git's exclude rules checked against `git check-ignore` on
 * a scratch repository (the answers come from git, not from this file), and
 * bacon's `ignore` globs with their `!` overrides. */
#include <stdbool.h>
#include <unistd.h>

#include "unit.h"
#include "watch/ignorer.h"

static char dir[256];

/* The rule files of the scratch repository. */
static const char root_rules[] =
	"# comment\n"
	"*.o\n"
	"!keep.o\n"
	"/anchored.txt\n"
	"build/\n"
	"!build/keep\n"
	"doc/*.html\n"
	"**/deep/logs\n"
	"cache/**\n"
	"a/**/z.txt\n"
	"\\#hash\n"
	"\\!bang\n"
	"trail\\ \n"
	"spaces   \n"
	"x[0-9].c\n"
	"y[!a].c\n"
	"q?.md\n"
	"onlydir/\n"
	"n*/inner\n"
	"foo**bar\n";
static const char sub_rules[] = "!*.o\nlocal.txt\n/top_only\n*.tmp\n!keep.tmp\n";
static const char exclude_rules[] = "excluded-by-info\n*.swp\n";

/* Paths created; a trailing '/' makes a directory. */
static const char *const paths[] = {
	"main.c", "main.o", "keep.o", "sub/main.o", "sub/keep.o", "anchored.txt", "sub/anchored.txt",
	"build/", "build/keep", "build/x", "sub/build/", "sub/build/y", "doc/a.html", "doc/x/b.html",
	"sub/doc/a.html", "deep/logs", "x/deep/logs/", "x/deep/logs/f", "cache/", "cache/f", "cache/d/g",
	"sub/cache/f", "a/z.txt", "a/b/z.txt", "a/b/c/z.txt", "b/a/z.txt", "#hash", "!bang", "trail ",
	"trail", "spaces", "x1.c", "xa.c", "yb.c", "ya.c", "qa.md", "qab.md", "onlydir/", "onlydir/f",
	"sub/onlydir", "na/inner", "nb/c/inner", "foobar", "fooxbar", "foo/bar", "sub/local.txt", "local.txt",
	"sub/top_only", "sub/deeper/top_only", "sub/t.tmp", "sub/keep.tmp", "t.tmp", "excluded-by-info",
	"sub/e.swp", ".git/config", "sub/deeper/main.o",
};
#define N_PATHS (sizeof(paths) / sizeof(paths[0]))

static bool setup(void)
{
	snprintf(dir, sizeof(dir), "%s/ignorer.XXXXXX", getenv("SONDE_TMP") ? getenv("SONDE_TMP") : "/tmp");
	if (!mkdtemp(dir))
		return false;
	/* no user or system git settings: the user's excludes file would change git's answers */
	setenv("HOME", dir, 1);
	unsetenv("XDG_CONFIG_HOME");
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	if (unit_sh("cd '%s' && git init -q . && mkdir -p sub", dir))
		return false;
	for (size_t i = 0; i < N_PATHS; i++) {
		size_t n = strlen(paths[i]);
		if (!strncmp(paths[i], ".git/", 5))
			continue;
		if (paths[i][n - 1] == '/') {
			if (unit_sh("cd '%s' && mkdir -p '%s'", dir, paths[i]))
				return false;
		} else if (unit_sh("cd '%s' && mkdir -p \"$(dirname '%s')\" && : > '%s'", dir, paths[i], paths[i])) {
			return false;
		}
	}
	char p[512];
	snprintf(p, sizeof(p), "%s/.gitignore", dir);
	FILE *f = fopen(p, "w");
	fputs(root_rules, f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/sub/.gitignore", dir);
	f = fopen(p, "w");
	fputs(sub_rules, f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/.git/info/exclude", dir);
	f = fopen(p, "w");
	fputs(exclude_rules, f);
	fclose(f);
	return true;
}

/* The set of paths git ignores, one per line, from check-ignore --stdin. */
static char *git_answers(void)
{
	char list[512], out[512];
	snprintf(list, sizeof(list), "%s/.paths", dir);
	snprintf(out, sizeof(out), "%s/.answers", dir);
	FILE *f = fopen(list, "w");
	for (size_t i = 0; i < N_PATHS; i++) {
		size_t n = strlen(paths[i]);
		fprintf(f, "%.*s\n", (int)(paths[i][n - 1] == '/' ? n - 1 : n), paths[i]);
	}
	fclose(f);
	unit_sh("cd '%s' && git check-ignore --no-index --stdin < .paths > .answers 2>/dev/null", dir);
	f = fopen(out, "r");
	if (!f)
		return NULL;
	static char buf[16384];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static bool git_says(const char *answers, const char *path)
{
	size_t n = strlen(path);
	for (const char *s = answers; (s = strstr(s, path)); s++)
		if ((s == answers || s[-1] == '\n') && s[n] == '\n')
			return true;
	return false;
}

static void test_against_git(void)
{
	CHECK(setup());
	const char *answers = git_answers();
	CHECK(answers);
	CHECK(git_says(answers, "main.o")); /* git did run */
	struct ignorer *ig = ignorer_new(dir, true, NULL, 0);
	int wrong = 0;
	for (size_t i = 0; i < N_PATHS; i++) {
		char path[256];
		snprintf(path, sizeof(path), "%s", paths[i]);
		size_t n = strlen(path);
		bool is_dir = path[n - 1] == '/';
		if (is_dir)
			path[n - 1] = 0;
		bool want = git_says(answers, path) || !strncmp(path, ".git/", 5);
		bool got = ignorer_excludes(ig, path, is_dir);
		if (want != got) {
			printf("  %s: git says %s, ignorer says %s\n", path, want ? "ignored" : "kept",
			       got ? "ignored" : "kept");
			wrong++;
		}
	}
	ignorer_free(ig);
	CHECK_INT(wrong, 0);
}

/* A watch root below the repository's top sees the top's rules too. */
static void test_subdir_root(void)
{
	char sub[300];
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	struct ignorer *ig = ignorer_new(sub, true, NULL, 0);
	CHECK(ignorer_excludes(ig, "build/y", false));   /* top's build/ */
	CHECK(!ignorer_excludes(ig, "main.o", false));   /* sub's !*.o */
	CHECK(ignorer_excludes(ig, "local.txt", false)); /* sub's own */
	CHECK(!ignorer_excludes(ig, "main.c", false));
	ignorer_free(ig);
	/* apply_gitignore = false: git's rules are not applied */
	ig = ignorer_new(dir, false, NULL, 0);
	CHECK(!ignorer_excludes(ig, "main.o", false));
	ignorer_free(ig);
}

/* bacon's `ignore`: `a/b` covers a/b/..., a leading '/' anchors at the
 * root, `!pat` forces a path back in even over .gitignore. */
static void test_globs(void)
{
	const char *globs[] = { "gen/out", "*.bak", "/top.txt", "logs/", "!main.o", "!build/keep" };
	struct ignorer *ig = ignorer_new(dir, true, globs, 6);
	CHECK(ignorer_excludes(ig, "gen/out", false));
	CHECK(ignorer_excludes(ig, "gen/out/x/y.rs", false));
	CHECK(ignorer_excludes(ig, "sub/gen/out", false));
	CHECK(!ignorer_excludes(ig, "gen/outer", false));
	CHECK(ignorer_excludes(ig, "a/b/c.bak", false));
	CHECK(ignorer_excludes(ig, "top.txt", false));
	CHECK(!ignorer_excludes(ig, "sub/top.txt", false));
	CHECK(ignorer_excludes(ig, "logs/today", false));
	CHECK(!ignorer_excludes(ig, "main.o", false));    /* override over *.o */
	CHECK(!ignorer_excludes(ig, "build/keep", false)); /* override over build/ */
	CHECK(ignorer_excludes(ig, "build/x", false));
	CHECK(ignorer_excludes(ig, "other.o", false));
	ignorer_free(ig);
}

static void test_rules_file(void)
{
	CHECK(ignorer_is_rules_file(".gitignore"));
	CHECK(ignorer_is_rules_file("a/b/.gitignore"));
	CHECK(ignorer_is_rules_file(".git/info/exclude"));
	CHECK(!ignorer_is_rules_file("src/main.rs"));
}

int main(void)
{
	RUN(test_against_git);
	RUN(test_subdir_root);
	RUN(test_globs);
	RUN(test_rules_file);
	unit_sh("rm -rf '%s'", dir);
	UNIT_EXIT();
}

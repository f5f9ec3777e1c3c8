/* bacon's ignore rules: git's excludes plus the job's `ignore` globs. */
#include "watch/ignorer.h"

#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/die.h"
#include "util/vec.h"
#include "watch/gitignore.h"
#include "watch/wildmatch.h"

struct ignorer {
	char *root;   /* absolute, no trailing '/' */
	char *top;    /* the repository's top, NULL outside one */
	char *prefix; /* root relative to top: "" or "a/b/" */
	bool apply_gitignore;
	struct gitignore git;
	VEC(char *) globs;     /* expanded, absolute */
	VEC(char *) overrides; /* the `!pat` ones, expanded */
};

static bool is_dir_path(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The nearest directory at or above root holding .git (a dir or a file, as
 * in worktrees). */
static char *find_top(const char *root)
{
	char *dir = xstrdup(root);
	for (;;) {
		char *git = xasprintf("%s/.git", *dir ? dir : "");
		struct stat st;
		int found = lstat(git, &st) == 0;
		free(git);
		if (found) {
			if (!*dir) {
				free(dir);
				return xstrdup("/");
			}
			return dir;
		}
		char *slash = strrchr(dir, '/');
		if (!slash || !*dir) {
			free(dir);
			return NULL;
		}
		*slash = 0;
	}
}

/* bacon's expansion of an `ignore` glob into absolute patterns: unanchored
 * ones match at any depth, and each also covers what is below it. */
static void add_glob(void *vec_, const char *root, const char *pat)
{
	VEC(char *) *vec = vec_;
	char *over[2] = { NULL, NULL };
	size_t plen = strlen(pat);
	bool ends_slash = plen && pat[plen - 1] == '/';
	if (pat[0] == '/') {
		const char *p = pat;
		while (*p == '/')
			p++;
		over[0] = xasprintf("%s/%s", root, p);
		over[1] = xstrdup(pat);
	} else if (!strncmp(pat, "**/", 3)) {
		over[0] = xstrdup(pat);
	} else {
		over[0] = xasprintf("**/%s", pat);
	}
	for (int i = 0; i < 2 && over[i]; i++) {
		if (!plen || pat[plen - 1] != '*')
			vec_push(vec, xasprintf("%s%s", over[i], ends_slash ? "**" : "/**"));
		if (!ends_slash)
			vec_push(vec, xstrdup(over[i]));
		free(over[i]);
	}
}

static void load_tree(struct ignorer *ig, const char *abs, const char *rel)
{
	char *file = xasprintf("%s/.gitignore", abs);
	gitignore_add_file(&ig->git, rel, file);
	free(file);
	DIR *d = opendir(abs);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") || !strcmp(de->d_name, ".git"))
			continue;
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		char *sub = xasprintf("%s/%s", abs, de->d_name);
		char *subrel = xasprintf("%s%s/", rel, de->d_name);
		subrel[strlen(subrel) - 1] = 0;
		/* git reads no rules inside a directory it excludes */
		if (is_dir_path(sub) && !gitignore_excludes(&ig->git, subrel, true)) {
			strcat(subrel, "/");
			load_tree(ig, sub, subrel);
		}
		free(sub);
		free(subrel);
	}
	closedir(d);
}

static void load_git_rules(struct ignorer *ig)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	char *global = NULL;
	if (xdg && *xdg)
		global = xasprintf("%s/git/ignore", xdg);
	else if (home && *home)
		global = xasprintf("%s/.config/git/ignore", home);
	if (global)
		gitignore_add_file(&ig->git, "", global);
	free(global);
	char *exclude = xasprintf("%s/.git/info/exclude", ig->top);
	gitignore_add_file(&ig->git, "", exclude);
	free(exclude);
	/* the directories from the top down to root, then root's tree */
	if (*ig->prefix) {
		/* ancestors of root, top first */
		char *top_file = xasprintf("%s/.gitignore", ig->top);
		gitignore_add_file(&ig->git, "", top_file);
		free(top_file);
		for (const char *s = ig->prefix; (s = strchr(s, '/')) && s[1]; s++) {
			char *base = xstrndup(ig->prefix, (size_t)(s - ig->prefix) + 1);
			char *file = xasprintf("%s/%s.gitignore", ig->top, base);
			gitignore_add_file(&ig->git, base, file);
			free(file);
			free(base);
		}
	}
	load_tree(ig, ig->root, ig->prefix);
}

struct ignorer *ignorer_new(const char *root, bool apply_gitignore, const char *const *globs, size_t n)
{
	struct ignorer *ig = xcalloc(1, sizeof(*ig));
	char *real = realpath(root, NULL);
	ig->root = real ? real : xstrdup(root);
	size_t rl = strlen(ig->root);
	while (rl > 1 && ig->root[rl - 1] == '/')
		ig->root[--rl] = 0;
	ig->apply_gitignore = apply_gitignore;
	for (size_t i = 0; i < n; i++) {
		if (globs[i][0] == '!')
			add_glob(&ig->overrides, ig->root, globs[i] + 1);
		else if (globs[i][0])
			add_glob(&ig->globs, ig->root, globs[i]);
	}
	if (apply_gitignore && (ig->top = find_top(ig->root))) {
		size_t tl = strlen(ig->top);
		if (!strcmp(ig->top, "/"))
			tl = 0;
		ig->prefix = ig->root[tl] ? xasprintf("%s/", ig->root + tl + 1) : xstrdup("");
		load_git_rules(ig);
	}
	return ig;
}

void ignorer_reload(struct ignorer *ig)
{
	if (!ig->top)
		return;
	gitignore_clear(&ig->git);
	load_git_rules(ig);
}

static bool any_glob(char *const *v, size_t n, const char *abs)
{
	for (size_t i = 0; i < n; i++)
		if (wild_match(v[i], abs, 0))
			return true;
	return false;
}

bool ignorer_excludes(const struct ignorer *ig, const char *relpath, bool is_dir)
{
	while (relpath[0] == '.' && relpath[1] == '/')
		relpath += 2;
	if (ig->overrides.n || ig->globs.n) {
		char *abs = xasprintf("%s/%s", ig->root, relpath);
		bool over = any_glob(ig->overrides.v, ig->overrides.n, abs);
		bool glob = !over && any_glob(ig->globs.v, ig->globs.n, abs);
		free(abs);
		if (over)
			return false;
		if (glob)
			return true;
	}
	if (!ig->top)
		return false;
	char *path = xasprintf("%s%s", ig->prefix, relpath);
	bool out = !strcmp(path, ".git") || !strncmp(path, ".git/", 5) ||
		   gitignore_excludes(&ig->git, path, is_dir);
	free(path);
	return out;
}

bool ignorer_is_rules_file(const char *relpath)
{
	const char *slash = strrchr(relpath, '/');
	const char *base = slash ? slash + 1 : relpath;
	if (!strcmp(base, ".gitignore"))
		return true;
	size_t n = strlen(relpath);
	return n >= 12 && !strcmp(relpath + n - 12, "info/exclude");
}

void ignorer_free(struct ignorer *ig)
{
	if (!ig)
		return;
	free(ig->root);
	free(ig->top);
	free(ig->prefix);
	gitignore_clear(&ig->git);
	for (size_t i = 0; i < ig->globs.n; i++)
		free(ig->globs.v[i]);
	for (size_t i = 0; i < ig->overrides.n; i++)
		free(ig->overrides.v[i]);
	vec_free(&ig->globs);
	vec_free(&ig->overrides);
	free(ig);
}

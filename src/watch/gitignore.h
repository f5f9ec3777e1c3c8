/* gitignore rule lists: parsing the lines of .gitignore-style files and
 * deciding whether a repository-relative path is excluded by them. */
#ifndef SONDE_WATCH_GITIGNORE_H
#define SONDE_WATCH_GITIGNORE_H
#include <stdbool.h>
#include <stddef.h>

struct gitignore_rule {
	char *pattern; /* without '!', leading '/' and trailing '/' */
	char *base;    /* directory of the file the rule comes from, "" or "a/b/" */
	bool negate, dir_only, anchored;
};

/* Rules in increasing precedence: the last rule that matches decides. */
struct gitignore {
	struct gitignore_rule *v;
	size_t n, cap;
};

/* Adds the rules in text (a file's contents, len bytes) read from a file
 * in directory base ("" for the top, else ending in '/'). */
void gitignore_add_text(struct gitignore *gi, const char *base, const char *text, size_t len);
/* Same for a file on disk; a missing or unreadable file adds nothing. */
void gitignore_add_file(struct gitignore *gi, const char *base, const char *path);
/* path: relative to the repository's top. Applies git's rule that nothing
 * inside an excluded directory can be re-included. */
bool gitignore_excludes(const struct gitignore *gi, const char *path, bool is_dir);
void gitignore_clear(struct gitignore *gi);

#endif

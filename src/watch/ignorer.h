/* Which changed paths `sonde watch` ignores: bacon's rules.
 *
 * Two sources, as in bacon's IgnorerSet:
 *  - git's exclude rules, when the job's apply_gitignore is true: the
 *    .gitignore files of the repository (the one at the top, those of the
 *    directories above the watch root, nested ones below it), the repo's
 *    .git/info/exclude and the user's global excludes file
 *    ($XDG_CONFIG_HOME/git/ignore or ~/.config/git/ignore), with gitignore's
 *    pattern semantics (precedence, anchoring, `**`, trailing `/`, `!`
 *    negation, `\` escapes, a file inside an excluded directory stays
 *    excluded). The .git directory itself is always excluded then.
 *  - the job's `ignore` globs: `pat` excludes the paths it matches and
 *    everything below them (bacon also matches "pat/" followed by a double star;
 *    a leading `/` anchors at the watch root), matched on the absolute
 *    path with `*` crossing '/' as Rust's glob crate does; `!pat` forces a
 *    path back in, even over .gitignore.
 * Outside a git repository apply_gitignore has no effect. */
#ifndef SONDE_WATCH_IGNORER_H
#define SONDE_WATCH_IGNORER_H
#include <stdbool.h>
#include <stddef.h>

struct ignorer;

/* root: the directory paths are relative to (the project; need not be the
 * repository's top). globs: the job's `ignore` list (n of them, may be
 * NULL when n is 0). Never fails: unreadable ignore files are skipped. */
struct ignorer *ignorer_new(const char *root, bool apply_gitignore, const char *const *globs, size_t n);
void ignorer_free(struct ignorer *ig);

/* true when a change to relpath (relative to root, no leading "./"; a
 * directory when is_dir) is to be ignored. */
bool ignorer_excludes(const struct ignorer *ig, const char *relpath, bool is_dir);

/* Reads the .gitignore files again (the watcher calls it when one changes). */
void ignorer_reload(struct ignorer *ig);

/* true when relpath's last component is a file the ignorer reads rules from
 * (".gitignore", or "exclude" under .git/info). */
bool ignorer_is_rules_file(const char *relpath);

#endif

/* Where bacon reads its settings, in order (later overriding earlier;
 * bacon's Settings::read):
 *   1. its built-in bacon.toml
 *   2. the global prefs.toml ($XDG_CONFIG_HOME/bacon/prefs.toml, else
 *      ~/.config/bacon/prefs.toml), 3. $BACON_PREFS
 *   4. the workspace's Cargo.toml [workspace.metadata.bacon],
 *   5. WORKSPACE/bacon.toml, 6. WORKSPACE/.config/bacon.toml
 *   7. the package's Cargo.toml [package.metadata.bacon],
 *   8. PACKAGE/bacon.toml, 9. PACKAGE/.config/bacon.toml
 *  10. $BACON_CONFIG, 11. --config FILE, 12. --config-toml TEXT
 * A missing file is skipped; a broken one is an error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/die.h"
#include "watch/config.h"

static bool apply_text(struct watch_settings *s, const char *text, const char *origin, char *err, size_t errsize)
{
	char why[400];
	struct toml_table *t = toml_parse(text, strlen(text), why, sizeof(why));
	if (!t) {
		snprintf(err, errsize, "%s:%s", origin, why);
		return false;
	}
	bool ok = settings_apply_table(s, t, origin, err, errsize);
	toml_free(t);
	return ok;
}

/* A file: absent is fine; metadata names the Cargo.toml table to use
 * ("workspace.metadata.bacon"), NULL for a bacon.toml. */
static bool apply_file(struct watch_settings *s, const char *path, const char *metadata, char *err, size_t errsize)
{
	if (!path || access(path, F_OK) != 0)
		return true;
	struct toml_table *t = toml_parse_file(path, err, errsize);
	if (!t)
		return false;
	bool ok = true;
	const struct toml_table *use = t;
	if (metadata) {
		const struct toml_value *v = toml_get_path(t, metadata);
		use = v && v->type == TOML_TABLE ? v->u.tab : NULL;
	}
	if (use) {
		ok = settings_apply_table(s, use, path, err, errsize);
		if (ok)
			vec_push(&s->config_files, xstrdup(path));
	}
	toml_free(t);
	return ok;
}

static char *join(const char *dir, const char *name) { return dir ? xasprintf("%s/%s", dir, name) : NULL; }

bool settings_load(struct watch_settings *s, const struct config_places *p, char *err, size_t errsize)
{
	if (!p->no_builtin && !apply_text(s, watch_builtin_config, "(built-in bacon.toml)", err, errsize))
		return false;
	char *files[12] = { 0 };
	const char *meta[12] = { 0 };
	size_t n = 0;
	if (!p->no_prefs) {
		const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
		files[n++] = xdg && *xdg ? xasprintf("%s/bacon/prefs.toml", xdg)
					 : home ? xasprintf("%s/.config/bacon/prefs.toml", home) : NULL;
		const char *prefs = getenv("BACON_PREFS");
		files[n++] = prefs && *prefs ? xstrdup(prefs) : NULL;
	}
	const char *ws = p->workspace_dir && (!p->package_dir || strcmp(p->workspace_dir, p->package_dir))
				 ? p->workspace_dir
				 : NULL;
	meta[n] = "workspace.metadata.bacon";
	files[n++] = join(ws ? ws : p->package_dir, "Cargo.toml");
	files[n++] = join(ws, "bacon.toml");
	files[n++] = join(ws, ".config/bacon.toml");
	meta[n] = "package.metadata.bacon";
	files[n++] = join(p->package_dir, "Cargo.toml");
	files[n++] = join(p->package_dir, "bacon.toml");
	files[n++] = join(p->package_dir, ".config/bacon.toml");
	const char *env = getenv("BACON_CONFIG");
	files[n++] = env && *env ? xstrdup(env) : NULL;
	if (p->config_file) {
		if (access(p->config_file, R_OK) != 0) {
			snprintf(err, errsize, "cannot read the config file '%s'", p->config_file);
			for (size_t i = 0; i < n; i++)
				free(files[i]);
			return false;
		}
		files[n++] = xstrdup(p->config_file);
	}
	bool ok = true;
	for (size_t i = 0; i < n; i++) {
		if (ok)
			ok = apply_file(s, files[i], meta[i], err, errsize);
		free(files[i]);
	}
	if (ok && p->config_toml)
		ok = apply_text(s, p->config_toml, "--config-toml", err, errsize);
	return ok && settings_check(s, err, errsize);
}

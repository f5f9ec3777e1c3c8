/* Reading the settings again when a config file changes (bacon's
 * reload-config). */
#include "tui/keys.h"
#include "watch/watch.h"

bool watch_reload_settings(struct watch_ctx *w, char *err, size_t errsize)
{
	struct watch_settings fresh;
	settings_init(&fresh);
	if (!settings_load(&fresh, &w->places, err, errsize)) {
		settings_free(&fresh);
		return false;
	}
	for (size_t i = 0; i < fresh.keys.n; i++) { /* a key name that is no key: keep the old settings */
		struct key k;
		if (key_parse(fresh.keys.v[i].key, &k, err, errsize) < 0) {
			settings_free(&fresh);
			return false;
		}
	}
	/* the display modes the user chose on the command line stay */
	fresh.summary = w->settings.summary;
	fresh.wrap = w->settings.wrap;
	fresh.reverse = w->settings.reverse;
	fresh.help_line = w->settings.help_line;
	settings_free(&w->settings);
	w->settings = fresh;
	return true;
}

/* sonde coz plot [--text] [--min-points N] [-o FILE.html] [profile.coz]:
 * coz's results without coz's web viewer: a self-contained HTML page
 * (opened in a browser when there is one) or a ranked table. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmds.h"
#include "coz/coz_html.h"
#include "coz/coz_profile.h"
#include "coz/coz_speedup.h"
#include "util/browser.h"
#include "util/die.h"
#include "util/options.h"
#include "util/outfile.h"

static const char *const plot_usage[] = { "coz plot [--text] [--min-points N] [-o FILE.html] [profile.coz]", NULL };

static const char plot_intro[] =
	"Shows a causal profile (profile.coz, coz 0.2.2's format, several runs appended):\n"
	"for each line, the program speedup measured at each virtual line speedup,\n"
	"computed as coz's viewer does, a least-squares fit, lines ranked by slope.\n"
	"Writes FILE.html beside the profile and opens it when there is a display.\n";

/* Where the page goes: -o, else PROFILE.html ("-": coz-profile.html). */
static char *page_path(const char *in, const char *out)
{
	if (out)
		return xstrdup(out);
	return xasprintf("%s.html", strcmp(in, "-") ? in : "coz-profile");
}

static int write_page(const char *path, const char *in, const struct coz_profile *p, const struct coz_result *r,
		      size_t min_points)
{
	struct outfile of;
	FILE *f = outfile_fopen(&of, path);
	if (!f) {
		error("cannot create '%s': %s", path, strerror(errno));
		return 1;
	}
	bool ok = coz_write_html(f, in, p, r, min_points) == 0;
	if (outfile_fclose(&of, f, ok) != 0 || !ok) {
		error("cannot write '%s': %s", path, strerror(errno));
		return 1;
	}
	if (!strcmp(path, "-"))
		return 0;
	browser_show(path);
	return 0;
}

int cmd_coz_plot(int argc, char **argv, const struct cmd_ctx *ctx)
{
	bool text = false;
	int min_points = 10; /* the viewer's "Minimum Points" default */
	const char *out = NULL;
	const struct opt opts[] = {
		OPT_BOOL(0, "text", &text, "print a ranked table instead of the HTML page"),
		OPT_INT(0, "min-points", &min_points, "N",
			"show a line only with N distinct line speedups or more [10, as coz's viewer]", 0, 1000000,
			NULL),
		OPT_STRING('o', "output", &out, "FILE.html", "write the page there ('-': standard output)"),
		OPT_END(),
	};
	const struct opt_cmd cmd = { "coz plot", .usage = plot_usage, .intro = plot_intro };
	int n = opt_parse(&cmd, opts, argc, argv);
	if (n > 1)
		opt_usage_error(&cmd, "one profile at a time (runs are appended to one file)");
	if (text && out)
		opt_usage_error(&cmd, "--text prints to standard output; -o writes the page");
	const char *in = n ? argv[0] : "profile.coz";

	struct coz_profile p = { 0 };
	char err[512];
	if (coz_read_file(in, &p, err, sizeof(err)) < 0) {
		error("%s", err);
		coz_profile_free(&p);
		return 1;
	}
	if (!p.experiments)
		warn("%s holds no experiment: was a progress point reached, and did the program run a "
			"few seconds?", in);
	struct coz_result r;
	coz_speedups(&p, &r);
	int rc = 0;
	if (text) {
		if (!coz_write_text(stdout, in, &p, &r, (size_t)min_points))
			fprintf(stderr, "sonde coz plot: no line has %d points or more (--min-points)\n", min_points);
	} else {
		char *path = page_path(in, out);
		rc = write_page(path, in, &p, &r, (size_t)min_points);
		free(path);
	}
	coz_result_free(&r);
	coz_profile_free(&p);
	return rc;
}

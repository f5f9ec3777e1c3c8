/* sonde bloat [OPTIONS] BINARY: the biggest functions (or crates, data
 * objects, generic copies, sections) of a binary, in cargo-bloat's table
 * or JSON. `cargo bloat` (src/compat/cargo_bloat.c) builds through cargo
 * and runs this on the artifact. */
#include <string.h>

#include "bloat/bloat.h"
#include "cmd/cmds.h"
#include "util/die.h"
#include "util/options.h"

static const char *const bloat_usage[] = {
	"bloat [OPTIONS] BINARY",
	"bloat --diff OLD NEW [OPTIONS]",
	NULL,
};

static const char bloat_intro[] =
	"Shows what takes the space in BINARY: its biggest functions (cargo-bloat's\n"
	"table), crates, data objects, generic copies or sections. Sizes come from the\n"
	"ELF symbol table (aliases counted once, gaps between symbols as [padding] and\n"
	"[no symbol] rows); crates from symbol paths, and from DWARF where names can't tell.\n";

static const char *const formats[] = { "table", "json", NULL };

static int diff_cb(struct opt_parser *p, const struct opt *opt, const char *arg)
{
	struct bloat_opts *o = opt->value;
	o->diff_old = arg;
	o->diff_new = opt_next_arg(p);
	if (!o->diff_new)
		opt_usage_error(p->cmd, "--diff needs two binaries: --diff OLD NEW");
	return 0;
}

int cmd_bloat(int argc, char **argv, const struct cmd_ctx *ctx)
{
	struct bloat_opts o = { .n = 20 };
	int format = 0;
	const struct opt opts[] = {
		OPT_GROUP("What to show:"),
		OPT_INT('n', NULL, &o.n, "N", "rows to show, 0 for all (default 20)", 0, 1e9, NULL),
		OPT_BOOL(0, "crates", &o.crates, "totals per crate (C code: per library)"),
		OPT_STRING(0, "filter", &o.filter, "CRATE|REGEX", "only this crate's functions, or names matching REGEX"),
		OPT_BOOL(0, "split-std", &o.split_std, "std's crates apart (core, alloc, ...) instead of one \"std\""),
		OPT_STRING(0, "symbols-section", &o.sections, "NAME",
			   "the section(s) to count, NAME[,NAME...] (default .text)"),
		OPT_BOOL(0, "data", &o.data, "data objects (.rodata, .data, .bss, ...) instead of functions"),
		OPT_BOOL(0, "generics", &o.generics, "generic functions: copies and bytes per name without type arguments"),
		OPT_BOOL(0, "inlined", &o.inlined,
			 "bytes by the function (or crate) whose source they are, inlined code included (DWARF)"),
		OPT_BOOL(0, "sections", &o.section_view, "the file section by section (bloaty's view), debug vs loaded"),
		OPT_CALLBACK(0, "diff", &o, "OLD NEW", "what grew and shrank from OLD to NEW, per function (--crates: per crate)",
			     diff_cb, NULL),
		OPT_GROUP("Output:"),
		OPT_ENUM(0, "message-format", &format, "FMT", "table or json (cargo-bloat's fields)", formats, NULL),
		OPT_BOOL(0, "full-fn", &o.full_fn, "function names with their hash"),
		OPT_BOOL('w', "wide", &o.wide, "do not trim long names to the terminal's width"),
		OPT_BOOL(0, "no-relative-size", &o.no_relative_size, "leave out the File and section percent columns"),
		OPT_COUNT('q', "quiet", &sonde_quiet, "no notes"),
		OPT_END(),
	};
	const struct opt_cmd cmd = { .name = "bloat", .usage = bloat_usage, .intro = bloat_intro };
	int nargs = opt_parse(&cmd, opts, argc, argv);
	o.format = (enum bloat_format)format;
	o.cargo_bloat = ctx && ctx->compat && !strcmp(ctx->compat, "cargo-bloat");
	if (o.diff_old) {
		if (o.generics || o.inlined || o.section_view || o.filter)
			opt_usage_error(&cmd, "--diff compares functions (or --crates) by name; it takes no %s",
					o.generics ? "--generics" : o.inlined ? "--inlined" : o.section_view ? "--sections" : "--filter");
		if (nargs)
			opt_usage_error(&cmd, "--diff OLD NEW takes no other binary ('%s')", argv[0]);
		return bloat_run(stdout, NULL, &o);
	}
	if (o.generics + o.inlined + o.section_view + o.crates > 1 && !(o.inlined && o.crates))
		opt_usage_error(&cmd, "give one view: --crates, --generics, --inlined (with or without --crates) or --sections");
	if (nargs != 1)
		opt_usage_error(&cmd, nargs ? "give one binary" : "give a binary: sonde bloat BINARY (in a cargo project: cargo bloat)");
	return bloat_run(stdout, argv[0], &o);
}

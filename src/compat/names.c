#include <stddef.h>
#include <string.h>

#include "cmd/cg_tools.h"
#include "cmd/cmds.h"
#include "compat/compat.h"

const struct compat_name compat_names[] = {
	{ "perf", "perf record/report/script/stat (other commands: the real perf)" },
	{ "cargo-flamegraph", "cargo flamegraph [--bin B] [-o F] [-- ARGS]" },
	{ "flamegraph", "flamegraph [-o F] -- CMD, flamegraph --pid PID" },
	{ "cargo-bloat", "cargo bloat [--release] [--bin B] [-n N] [--crates] (sonde bloat on the build)" },
	{ "heaptrack", "heaptrack [-o F] CMD, heaptrack --analyze F" },
	{ "heaptrack_print", "heaptrack_print F [-n N] [-l] [-F stacks.txt]" },
	{ "heaptrack_gui", "heaptrack_gui F... (an HTML report F.html for each, opened when there is a display)" },
	{ "valgrind", "valgrind [--leak-check=full] ... CMD (sonde memcheck; other --tool: the real valgrind)" },
	{ "cg_annotate", "cg_annotate [--show/--sort/--threshold/--auto/--context/-I] F [SRC...] (3.19's report)" },
	{ "cg_diff", "cg_diff [--mod-filename/--mod-funcname=s/RE/REPL/] F1 F2" },
	{ "cg_merge", "cg_merge [-o OUT] F..." },
	{ "coz", "coz run --- CMD, coz plot [profile.coz] (sonde coz)" },
	{ "bacon", "bacon [JOB] [PATH] [-- ARGS], bacon --headless/-l/--init (sonde watch)" },
	{ NULL, NULL },
};

int compat_main(const char *name, int argc, char **argv)
{
	if (!strcmp(name, "perf"))
		return compat_perf(argc, argv);
	if (!strcmp(name, "cargo-flamegraph") || !strcmp(name, "flamegraph"))
		return compat_cargo_flamegraph(name, argc, argv);
	if (!strcmp(name, "cargo-bloat"))
		return compat_cargo_bloat(argc, argv);
	if (!strcmp(name, "heaptrack"))
		return compat_heaptrack(argc, argv);
	if (!strcmp(name, "heaptrack_print"))
		return compat_heaptrack_print(argc, argv);
	if (!strcmp(name, "heaptrack_gui"))
		return compat_heaptrack_gui(argc, argv);
	if (!strcmp(name, "valgrind"))
		return compat_valgrind(argc, argv);
	const struct cmd_ctx cg = { name };
	if (!strcmp(name, "coz"))
		return cmd_coz(argc, argv, &cg);
	if (!strcmp(name, "bacon"))
		return cmd_watch(argc, argv, &cg);
	if (!strcmp(name, "cg_annotate"))
		return cmd_cg_annotate(argc, argv, &cg);
	if (!strcmp(name, "cg_diff"))
		return cmd_cg_diff(argc, argv, &cg);
	if (!strcmp(name, "cg_merge"))
		return cmd_cg_merge(argc, argv, &cg);
	return 2;
}

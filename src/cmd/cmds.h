/* Every sonde command has this signature. argv[0] is the command name
 * ("record"); options follow. ctx->compat names the foreign tool being
 * emulated ("perf"), or is NULL for sonde's own command line. The return
 * value is sonde's exit status. */
#ifndef SONDE_CMD_CMDS_H
#define SONDE_CMD_CMDS_H
#include <stdbool.h>

struct cmd_ctx {
	const char *compat;
};

int cmd_record(int argc, char **argv, const struct cmd_ctx *ctx);
int cmd_report(int argc, char **argv, const struct cmd_ctx *ctx);
int cmd_script(int argc, char **argv, const struct cmd_ctx *ctx);
int cmd_collapse(int argc, char **argv, const struct cmd_ctx *ctx);
int cmd_stat(int argc, char **argv, const struct cmd_ctx *ctx);
int cmd_flamegraph(int argc, char **argv, const struct cmd_ctx *ctx);
int cmd_heap(int argc, char **argv, const struct cmd_ctx *ctx);
int cmd_shims(int argc, char **argv, const struct cmd_ctx *ctx);
int cmd_memcheck(int argc, char **argv, const struct cmd_ctx *ctx);
int cmd_cachegrind(int argc, char **argv, const struct cmd_ctx *ctx);
/* sonde coz run|plot (src/cmd/coz.c, coz_plot.c); also the compat name coz. */
int cmd_coz(int argc, char **argv, const struct cmd_ctx *ctx);
int cmd_coz_plot(int argc, char **argv, const struct cmd_ctx *ctx);
/* sonde watch (src/cmd/watch.c, src/watch/); also the compat name bacon. */
int cmd_watch(int argc, char **argv, const struct cmd_ctx *ctx);
/* sonde bloat (src/cmd/bloat.c, src/bloat/); `cargo bloat` runs it with
 * ctx->compat "cargo-bloat" on the artifact it built. */
int cmd_bloat(int argc, char **argv, const struct cmd_ctx *ctx);

/* `sonde heap report`, shared with the heaptrack_print, heaptrack
 * --analyze and heaptrack_gui names (heaptrack_print: its option set). */
int heap_report_cmd(int argc, char **argv, bool heaptrack_print);

#endif

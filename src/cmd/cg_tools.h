/* cachegrind's post-processing tools on sonde: `sonde cachegrind annotate|
 * diff|merge` (src/cmd/cachegrind.c hands its subcommand's argv here) and
 * the compat names cg_annotate, cg_diff, cg_merge. ctx->compat set: the
 * valgrind tool's name, messages and exit statuses. */
#ifndef SONDE_CMD_CG_TOOLS_H
#define SONDE_CMD_CG_TOOLS_H

struct cmd_ctx;

int cmd_cg_annotate(int argc, char **argv, const struct cmd_ctx *ctx);
int cmd_cg_diff(int argc, char **argv, const struct cmd_ctx *ctx);
int cmd_cg_merge(int argc, char **argv, const struct cmd_ctx *ctx);

#endif

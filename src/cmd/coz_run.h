/* `sonde coz run`: causal profiling of a command with libsonde-coz.so
 * preloaded (docs/coz.md); called by the `sonde coz` dispatcher. */
#ifndef SONDE_CMD_COZ_RUN_H
#define SONDE_CMD_COZ_RUN_H
#include "cmd/cmds.h"

int cmd_coz_run(int argc, char **argv, const struct cmd_ctx *ctx);

#endif

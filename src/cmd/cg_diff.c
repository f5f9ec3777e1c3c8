#include "cmd/cg_tools.h"
int cmd_cg_diff(int argc, char **argv, const struct cmd_ctx *ctx) { return 1; }

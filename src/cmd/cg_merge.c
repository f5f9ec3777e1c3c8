#include "cmd/cg_tools.h"
int cmd_cg_merge(int argc, char **argv, const struct cmd_ctx *ctx) { return 1; }

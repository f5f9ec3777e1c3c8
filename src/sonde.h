/* The command table, shared by main and `sonde shims`. */
#ifndef SONDE_SONDE_H
#define SONDE_SONDE_H
#include "cmd/cmds.h"

struct sonde_cmd {
	const char *name;
	int (*fn)(int argc, char **argv, const struct cmd_ctx *ctx);
	const char *summary;
	const char *usage; /* one line */
};

#endif

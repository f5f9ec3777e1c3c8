/* A cachegrind.out file as a profile model, for `sonde report -i` and
 * `sonde flamegraph -i`: one weight column per event, each function a
 * one-frame stack named "file:function" as cg_annotate names it. */
#ifndef SONDE_CACHEGRIND_CG_PROFILE_H
#define SONDE_CACHEGRIND_CG_PROFILE_H
#include <stdbool.h>

#include "cachegrind/cg_data.h"

struct profile;

/* Whether `path` starts like a cachegrind.out file (desc:, cmd: lines). */
bool cg_profile_sniff(const char *path);
/* The model of d. */
struct profile *cg_profile_from_data(const struct cg_data *d);
/* Reads `path` into a model; dies with "FILE:LINE: what" when it cannot. */
struct profile *cg_profile_load(const char *path);

#endif

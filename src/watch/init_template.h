/* What `sonde watch --init` writes: the guide's profiling jobs, each
 * finding the binary in a way today's cargo still supports. */
#ifndef SONDE_WATCH_INIT_TEMPLATE_H
#define SONDE_WATCH_INIT_TEMPLATE_H
extern const char watch_init_template[];
#endif

/* JIT symbol maps in perf's format, /tmp/perf-PID.map: one "START SIZE
 * NAME" line per generated function (START and SIZE in hex), written by
 * JITs (V8 --perf-basic-prof, the JVM's perf-map-agent, .NET, LuaJIT,
 * Wasmtime ...) for code in anonymous executable memory. */
#ifndef SONDE_BINARY_PERFMAP_H
#define SONDE_BINARY_PERFMAP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct perfmap_sym {
	uint64_t start, end;
	uint32_t name; /* offset into perfmap.names */
};

struct perfmap {
	struct perfmap_sym *syms; /* sorted by start */
	size_t n;
	char *names;
	size_t names_len, names_cap;
};

/* Parses the text of a map (lines that do not parse are skipped; a later
 * entry for the same start wins, as JITs rewrite code in place). */
void perfmap_parse(struct perfmap *m, const char *text, size_t len);
/* Reads /tmp/perf-PID.map (dir: $SONDE_PERF_MAP_DIR, else /tmp) when it is a
 * regular file owned by us or by root, as perf asks; 0 when read, -1 if
 * there is none or it may not be trusted. */
int perfmap_load(struct perfmap *m, uint32_t pid);
/* The function covering addr, or NULL. */
const char *perfmap_find(const struct perfmap *m, uint64_t addr);
void perfmap_free(struct perfmap *m);

/* The maps of every process, each read once when first asked for. */
struct perfmaps;
struct perfmaps *perfmaps_new(void);
const char *perfmaps_find(struct perfmaps *ms, uint32_t pid, uint64_t addr);
void perfmaps_free(struct perfmaps *ms);
/* Is a mapping of this name anonymous memory, where JITs put code
 * ("//anon", "[anon:...]", "/memfd:...", "/anon_hugepage")? */
bool perfmap_anon_name(const char *path);

#endif

/* Flamegraph colours: deterministic by function name (the same function gets
 * the same colour in every graph and run), by palette and frame kind, and
 * red/blue for differential graphs. */
#ifndef SONDE_RENDER_PALETTE_H
#define SONDE_RENDER_PALETTE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rgb {
	uint8_t r, g, b;
};

enum palette {
	PAL_HOT, PAL_RUST, PAL_C, PAL_KERNEL, PAL_MEM, PAL_IO, PAL_RED, PAL_GREEN,
	PAL_BLUE, PAL_AQUA, PAL_YELLOW, PAL_PURPLE, PAL_ORANGE,
};

/* Palette by name (NULL or "" = hot; "cpp" = "c"). Returns -1 if unknown. */
int palette_from_name(const char *name);
/* Comma-separated list of the palette names, for help and error messages. */
const char *palette_names(void);
/* Colour of a frame. `kind` is an enum flame_kind (kernel frames orange, or
 * steel blue in the warm palettes; inlined frames a light aqua tint; JIT
 * frames green). Frames named "-" or "--" are grey separators. */
struct rgb palette_color(enum palette p, const char *name, size_t len, int kind);
/* Differential colour: red where the value grew, blue where it shrank,
 * intensity by the relative change; `negate` swaps the two. */
struct rgb palette_diff(uint64_t before, uint64_t after, bool negate);

#endif

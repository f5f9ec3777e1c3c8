#include "render/palette.h"

#include <string.h>

#include "render/flame.h"
#include "util/hashmap.h"

static const char *const names[] = {
	[PAL_HOT] = "hot", [PAL_RUST] = "rust", [PAL_C] = "c", [PAL_KERNEL] = "kernel",
	[PAL_MEM] = "mem", [PAL_IO] = "io", [PAL_RED] = "red", [PAL_GREEN] = "green",
	[PAL_BLUE] = "blue", [PAL_AQUA] = "aqua", [PAL_YELLOW] = "yellow",
	[PAL_PURPLE] = "purple", [PAL_ORANGE] = "orange",
};

int palette_from_name(const char *name)
{
	if (!name || !*name)
		return PAL_HOT;
	if (!strcmp(name, "cpp") || !strcmp(name, "c++"))
		return PAL_C;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return (int)i;
	return -1;
}

const char *palette_names(void)
{
	return "hot, rust, c, cpp, kernel, mem, io, red, green, blue, aqua, yellow, purple, orange";
}

/* A colour range: each channel lo + span * v, v from the name's hash. */
struct range {
	uint8_t r, dr, g, dg, b, db;
};

static const struct range R_HOT = { 205, 50, 0, 230, 0, 55 };
static const struct range R_MEM = { 0, 40, 190, 50, 0, 120 };
static const struct range R_IO = { 80, 60, 80, 60, 190, 55 };
static const struct range R_RED = { 200, 55, 50, 80, 50, 80 };
static const struct range R_GREEN = { 50, 60, 200, 55, 50, 60 };
static const struct range R_BLUE = { 80, 60, 80, 60, 205, 50 };
static const struct range R_AQUA = { 50, 60, 165, 55, 165, 55 };
static const struct range R_YELLOW = { 175, 55, 175, 55, 50, 20 };
static const struct range R_PURPLE = { 190, 65, 80, 60, 190, 65 };
static const struct range R_ORANGE = { 190, 65, 90, 65, 0, 0 };
/* rust: user crates orange/brown; std/core/alloc tan-yellow; the rest hot */
static const struct range R_RUST_USER = { 170, 70, 75, 70, 10, 40 };
static const struct range R_RUST_STD = { 205, 40, 190, 40, 110, 50 };
/* c/cpp: the C++ standard library light green, other namespaced yellow */
static const struct range R_CPP_STD = { 130, 60, 200, 50, 110, 50 };
static const struct range R_CPP = { 200, 55, 180, 55, 40, 40 };
/* kernel frames: orange, or steel blue where the palette is warm */
static const struct range R_KERNEL = { 235, 20, 130, 50, 0, 30 };
static const struct range R_KERNEL_COOL = { 60, 40, 120, 40, 175, 40 };
static const struct range R_USER_GREY = { 150, 40, 160, 40, 175, 40 };
static const struct range R_JIT = { 30, 60, 170, 60, 30, 60 };

static struct rgb pick(const struct range *rg, uint64_t h)
{
	double v1 = (double)(h & 0xffff) / 65535.0, v2 = (double)(h >> 16 & 0xffff) / 65535.0,
	       v3 = (double)(h >> 32 & 0xffff) / 65535.0;
	/* A shared component keeps colours within the family's gradient. */
	struct rgb c = { (uint8_t)(rg->r + rg->dr * v3), (uint8_t)(rg->g + rg->dg * v1),
			 (uint8_t)(rg->b + rg->db * v2) };
	return c;
}

static bool has_prefix(const char *s, size_t len, const char *p)
{
	size_t n = strlen(p);
	return len >= n && !memcmp(s, p, n);
}

static bool has_sub(const char *s, size_t len, const char *p)
{
	return memmem(s, len, p, strlen(p)) != NULL;
}

static bool is_rust_std(const char *s, size_t len)
{
	if (len && s[0] == '<') { /* <std::..>::f, <alloc::vec::Vec<T> as ..>::f */
		s++;
		len--;
	}
	return has_prefix(s, len, "std::") || has_prefix(s, len, "core::") || has_prefix(s, len, "alloc::") ||
	       has_prefix(s, len, "__rust_") || has_prefix(s, len, "__rdl_") || has_prefix(s, len, "__rg_");
}

static bool warm(enum palette p)
{
	return p == PAL_HOT || p == PAL_RUST || p == PAL_C || p == PAL_RED || p == PAL_ORANGE || p == PAL_YELLOW;
}

static struct rgb mix(struct rgb a, struct rgb b, double t)
{
	struct rgb c = { (uint8_t)(a.r + (b.r - a.r) * t), (uint8_t)(a.g + (b.g - a.g) * t),
			 (uint8_t)(a.b + (b.b - a.b) * t) };
	return c;
}

struct rgb palette_color(enum palette p, const char *name, size_t len, int kind)
{
	if ((len == 1 && name[0] == '-') || (len == 2 && name[0] == '-' && name[1] == '-')) {
		struct rgb grey = { 160, 160, 160 };
		return grey;
	}
	uint64_t h = hash_bytes(name, len);
	if (kind == FK_KERNEL)
		return pick(warm(p) ? &R_KERNEL_COOL : &R_KERNEL, h);
	if (kind == FK_JIT)
		return pick(&R_JIT, h);
	const struct range *rg = &R_HOT;
	switch (p) {
	case PAL_HOT: rg = &R_HOT; break;
	case PAL_RUST:
		rg = is_rust_std(name, len) ? &R_RUST_STD : has_sub(name, len, "::") ? &R_RUST_USER : &R_HOT;
		break;
	case PAL_C:
		rg = has_prefix(name, len, "std::") || has_prefix(name, len, "__gnu_cxx::") ||
				     has_prefix(name, len, "__cxxabi")
			     ? &R_CPP_STD
		     : has_sub(name, len, "::") ? &R_CPP
						: &R_HOT;
		break;
	case PAL_KERNEL: rg = &R_USER_GREY; break;
	case PAL_MEM: rg = &R_MEM; break;
	case PAL_IO: rg = &R_IO; break;
	case PAL_RED: rg = &R_RED; break;
	case PAL_GREEN: rg = &R_GREEN; break;
	case PAL_BLUE: rg = &R_BLUE; break;
	case PAL_AQUA: rg = &R_AQUA; break;
	case PAL_YELLOW: rg = &R_YELLOW; break;
	case PAL_PURPLE: rg = &R_PURPLE; break;
	case PAL_ORANGE: rg = &R_ORANGE; break;
	}
	struct rgb c = pick(rg, h);
	if (kind == FK_INLINE) {
		struct rgb aqua = { 190, 245, 245 };
		c = mix(c, aqua, 0.55);
	}
	return c;
}

struct rgb palette_diff(uint64_t before, uint64_t after, bool negate)
{
	struct rgb same = { 235, 235, 235 };
	if (before == after)
		return same;
	bool grew = after > before;
	double hi = (double)(grew ? after : before), d = grew ? (double)(after - before) : (double)(before - after);
	double rel = d / hi; /* 0..1: 1 = appeared (or vanished) */
	uint8_t v = (uint8_t)(225.0 - 200.0 * rel);
	if (negate)
		grew = !grew;
	struct rgb red = { 255, v, v }, blue = { v, v, 255 };
	return grew ? red : blue;
}

/* x86-64: which block-ending instructions matter to the engine (calls and
 * returns for the shadow stack; conditional and indirect branches for the
 * predictor), decoded from their bytes at translation. */
#include <string.h>

#include "cg_plugin.h"

static int32_t rd32(const uint8_t *p)
{
	int32_t v;
	memcpy(&v, p, 4);
	return v;
}

uint8_t cg_decode_end(const uint8_t *b, unsigned len, uint64_t addr, uint64_t *target)
{
	unsigned i = 0;
	bool rep = false;
	uint64_t next = addr + len;
	/* legacy prefixes, then at most one REX */
	while (i < len) {
		uint8_t p = b[i];
		if (p == 0xf2 || p == 0xf3)
			rep = true;
		else if (!(p == 0x66 || p == 0x67 || p == 0xf0 || p == 0x2e || p == 0x36 || p == 0x3e || p == 0x26 ||
			   p == 0x64 || p == 0x65))
			break;
		i++;
	}
	if (i < len && (b[i] & 0xf0) == 0x40)
		i++;
	if (i >= len)
		return END_NONE;
	uint8_t op = b[i];
	switch (op) {
	case 0xe8:
		if (i + 5 > len)
			return END_NONE;
		*target = next + (int64_t)rd32(b + i + 1);
		return END_CALL;
	case 0xc2:
	case 0xc3:
		return END_RET;
	case 0xff:
		if (i + 1 >= len)
			return END_NONE;
		switch ((b[i + 1] >> 3) & 7) {
		case 2:
		case 3:
			return END_ICALL;
		case 4:
		case 5:
			return END_IJMP;
		}
		return END_NONE;
	case 0xe0: case 0xe1: case 0xe2: case 0xe3:
		if (i + 2 > len)
			return END_NONE;
		*target = next + (int64_t)(int8_t)b[i + 1];
		return END_COND;
	case 0x0f:
		if (i + 6 <= len && b[i + 1] >= 0x80 && b[i + 1] <= 0x8f) {
			*target = next + (int64_t)rd32(b + i + 2);
			return END_COND;
		}
		return END_NONE;
	case 0xa4: case 0xa5: case 0xa6: case 0xa7: case 0xaa: case 0xab:
	case 0xac: case 0xad: case 0xae: case 0xaf: case 0x6c: case 0x6d:
	case 0x6e: case 0x6f:
		return rep ? END_REP : END_NONE;
	}
	if (op >= 0x70 && op <= 0x7f && i + 2 <= len) {
		*target = next + (int64_t)(int8_t)b[i + 1];
		return END_COND;
	}
	return END_NONE;
}

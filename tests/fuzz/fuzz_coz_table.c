/* libFuzzer target: the line table libsonde-coz.so maps (runtime/coz/
 * coz_table.c) from any bytes: loaded or refused, then lookups across
 * the address space and every line's name. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "coz_lines.h"
#include "coz_rt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-coz-table", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	char s[16];
	snprintf(s, sizeof(s), "%d", fd);
	setenv(COZ_ENV_TABLE_FD, s, 1);
	if (!coz_table_load()) /* it closes fd */
		return 0;
	int32_t found = 0;
	for (uint64_t a = 0; a < 64; a++) /* low addresses, then spread over the address space */
		found |= coz_table_line(a) | coz_table_line(a << 58 | a * 0x9e3779b97f4a7c15ull >> 8);
	if (found < -1)
		abort(); /* a line is -1 or an index */
	char name[256];
	uint32_t n = coz_table_nlines();
	for (uint32_t i = 0; i < n && i < 4096; i++)
		coz_table_name(i, name, sizeof(name));
	coz_table_name(n, name, sizeof(name));
	return 0;
}

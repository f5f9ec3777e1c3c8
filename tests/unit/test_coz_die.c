/* coz_die_attrs_end (src/coz/coz_die.c) against libdw on this test
 * binary's own DWARF: past every leaf DIE starts its next sibling as
 * dwarf_siblingof finds it, or the list's closing null. */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <unistd.h>

#include "coz/coz_die.h"
#include "unit.h"

static long checked, wrong, unsized;

static void check_list(Dwarf_Die *parent, const struct coz_die_unit *u, int depth)
{
	Dwarf_Die ch, next;
	if (depth > 64 || dwarf_child(parent, &ch) != 0)
		return;
	for (;;) {
		if (dwarf_haschildren(&ch))
			check_list(&ch, u, depth + 1);
		int r = dwarf_siblingof(&ch, &next);
		if (!dwarf_haschildren(&ch)) {
			const unsigned char *e = coz_die_attrs_end(&ch, u);
			if (!e)
				unsized++;
			else if (r == 0 ? e != next.addr : (e >= u->end || *e != 0))
				wrong++;
			checked++;
		}
		if (r != 0)
			return;
		ch = next;
	}
}

static void leaves(void)
{
	int fd = open("/proc/self/exe", O_RDONLY);
	Dwarf *dw = fd >= 0 ? dwarf_begin(fd, DWARF_C_READ) : NULL;
	CHECK(dw != NULL);
	Dwarf_Off off = 0, next;
	size_t hsize;
	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, d;
		struct coz_die_unit u = { 0 };
		if (dwarf_offdie(dw, off + hsize, &cu) && dwarf_diecu(&cu, &d, &u.addr_size, &u.offset_size)) {
			u.end = (const unsigned char *)cu.addr + (next - off - hsize);
			check_list(&cu, &u, 0);
		}
		off = next;
	}
	dwarf_end(dw);
	close(fd);
	CHECK(checked > 100);
	CHECK_INT(wrong, 0);
	CHECK(unsized * 100 < checked); /* the forms compilers use are sized */
}

int main(void)
{
	RUN(leaves);
	UNIT_EXIT();
}

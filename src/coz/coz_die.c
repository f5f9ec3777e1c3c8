/* The end of a DIE's attributes (see coz_die.h): the furthest end of its
 * attribute values, each sized by its form; bounded by the unit's end. */
#include "coz/coz_die.h"

#include <dwarf.h>
#include <string.h>

struct ends {
	const struct coz_die_unit *u;
	const unsigned char *max;
	bool unknown;
};

static const unsigned char *leb_end(const unsigned char *p, const unsigned char *end)
{
	while (p < end && (*p & 0x80))
		p++;
	return p < end ? p + 1 : NULL;
}

/* The end of a's value into *end (NULL: nothing in the DIE); false for
 * a form not sized here. */
static bool value_end(Dwarf_Attribute *a, const struct coz_die_unit *u, const unsigned char **end)
{
	const unsigned char *p = a->valp;
	size_t n;
	*end = NULL;
	if (!p)
		return false;
	switch (a->form) {
	case DW_FORM_flag_present:
	case DW_FORM_implicit_const: /* the value is in the abbrev, not the DIE */
		return true;
	case DW_FORM_data1: case DW_FORM_ref1: case DW_FORM_flag: case DW_FORM_strx1: case DW_FORM_addrx1:
		n = 1;
		break;
	case DW_FORM_data2: case DW_FORM_ref2: case DW_FORM_strx2: case DW_FORM_addrx2:
		n = 2;
		break;
	case DW_FORM_strx3: case DW_FORM_addrx3:
		n = 3;
		break;
	case DW_FORM_data4: case DW_FORM_ref4: case DW_FORM_ref_sup4: case DW_FORM_strx4: case DW_FORM_addrx4:
		n = 4;
		break;
	case DW_FORM_data8: case DW_FORM_ref8: case DW_FORM_ref_sig8: case DW_FORM_ref_sup8:
		n = 8;
		break;
	case DW_FORM_data16:
		n = 16;
		break;
	case DW_FORM_addr:
		n = u->addr_size;
		break;
	case DW_FORM_strp: case DW_FORM_line_strp: case DW_FORM_sec_offset: case DW_FORM_strp_sup:
	case DW_FORM_GNU_ref_alt: case DW_FORM_GNU_strp_alt:
		n = u->offset_size;
		break;
	case DW_FORM_udata: case DW_FORM_sdata: case DW_FORM_ref_udata: case DW_FORM_strx: case DW_FORM_addrx:
	case DW_FORM_loclistx: case DW_FORM_rnglistx: case DW_FORM_GNU_addr_index: case DW_FORM_GNU_str_index:
		*end = p < u->end ? leb_end(p, u->end) : NULL;
		return *end != NULL;
	case DW_FORM_string: {
		const unsigned char *z = p < u->end ? memchr(p, 0, (size_t)(u->end - p)) : NULL;
		*end = z ? z + 1 : NULL;
		return *end != NULL;
	}
	case DW_FORM_block: case DW_FORM_block1: case DW_FORM_block2: case DW_FORM_block4: case DW_FORM_exprloc: {
		Dwarf_Block b;
		if (dwarf_formblock(a, &b) != 0 || !b.data || b.data < p || b.data > u->end ||
		    b.length > (Dwarf_Word)(u->end - b.data))
			return false;
		*end = b.data + b.length;
		return true;
	}
	default: /* DW_FORM_indirect, DW_FORM_ref_addr (its size depends on the version), unknown */
		return false;
	}
	if (p >= u->end || !n || n > (size_t)(u->end - p))
		return false;
	*end = p + n;
	return true;
}

static int one(Dwarf_Attribute *a, void *arg)
{
	struct ends *e = arg;
	const unsigned char *end;
	if (!value_end(a, e->u, &end)) {
		e->unknown = true;
		return DWARF_CB_ABORT;
	}
	if (end && end > e->max)
		e->max = end;
	return DWARF_CB_OK;
}

const unsigned char *coz_die_attrs_end(Dwarf_Die *leaf, const struct coz_die_unit *u)
{
	const unsigned char *start = leaf->addr;
	if (!start || start >= u->end)
		return NULL;
	struct ends e = { u, leb_end(start, u->end), false }; /* the abbrev code */
	if (!e.max || dwarf_getattrs(leaf, one, &e, 0) != 1 || e.unknown)
		return NULL;
	return e.max;
}

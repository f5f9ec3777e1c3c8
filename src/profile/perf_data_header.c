/* perf.data's header side: event attributes, feature sections (build-ids,
 * event names, host facts), the file header. See perf_data_int.h. */
#include "profile/perf_data_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"
#include "util/unaligned.h"

/* Reads a perf_event_attr of `len` bytes (fields past attr.size are zero). */
static void attr_parse(const unsigned char *p, size_t len, struct pattr *a)
{
	unsigned char buf[136] = { 0 };
	memcpy(buf, p, len < sizeof(buf) ? len : sizeof(buf));
	uint32_t sz = rd32(buf + 4);
	if (sz && sz < sizeof(buf))
		memset(buf + sz, 0, sizeof(buf) - sz);
	a->type = rd32(buf);
	a->size = sz;
	a->config = rd64(buf + 8);
	a->period = rd64(buf + 16);
	a->sample_type = rd64(buf + 24);
	a->read_format = rd64(buf + 32);
	a->flags = rd64(buf + 40);
	a->branch_sample_type = rd64(buf + 72);
	a->regs_user = rd64(buf + 80);
	a->stack_user = rd32(buf + 88);
	a->regs_intr = rd64(buf + 96);
}

static const char *const hw_names[] = { "cycles",        "instructions",           "cache-references",
					"cache-misses",  "branches",               "branch-misses",
					"bus-cycles",    "stalled-cycles-frontend", "stalled-cycles-backend",
					"ref-cycles" };
static const char *const sw_names[] = { "cpu-clock",        "task-clock",       "page-faults",
					"context-switches", "cpu-migrations",   "minor-faults",
					"major-faults",     "alignment-faults", "emulation-faults",
					"dummy",            "bpf-output",       "cgroup-switches" };

static char *attr_default_name(const struct pattr *a)
{
	const char *base = NULL;
	if (a->type == PERF_TYPE_HARDWARE && a->config < sizeof(hw_names) / sizeof(hw_names[0]))
		base = hw_names[a->config];
	else if (a->type == PERF_TYPE_SOFTWARE && a->config < sizeof(sw_names) / sizeof(sw_names[0]))
		base = sw_names[a->config];
	char *n = base ? xstrdup(base)
		       : xasprintf("event-%" PRIu32 ":0x%" PRIx64, a->type, a->config);
	if ((a->flags & ATTR_EXCLUDE_KERNEL) && !(a->flags & ATTR_EXCLUDE_USER)) {
		char *m = xasprintf("%s:u", n);
		free(n);
		n = m;
	}
	return n;
}

void pd_set_damage(struct conv *c, const char *fmt, ...)
{
	if (c->damaged)
		return;
	c->damaged = true;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->damage, sizeof(c->damage), fmt, ap);
	va_end(ap);
}

static char *header_string(const unsigned char *p, size_t avail)
{
	if (avail < 4)
		return NULL;
	uint32_t n = rd32(p);
	if (n > avail - 4)
		return NULL;
	return xstrndup((const char *)p + 4, strnlen((const char *)p + 4, n));
}

void pd_add_buildid_event(struct conv *c, const unsigned char *p, size_t size)
{
	/* struct build_id_event: header, pid, build_id[24] (data[20], size, ...), filename[] */
	if (size < 8 + 4 + 24 + 1)
		return;
	uint16_t misc = rd16(p + 4);
	struct buildid b = { 0 };
	b.len = 20;
	if (misc & MISC_BUILD_ID_SIZE) {
		b.len = p[12 + 20];
		if (b.len > 20)
			b.len = 20;
	}
	memcpy(b.id, p + 12, b.len);
	/* a 20-byte field holding a shorter id is zero-padded; trim for md5 ids */
	if (!(misc & MISC_BUILD_ID_SIZE))
		while (b.len > 0 && b.id[b.len - 1] == 0)
			b.len--;
	b.name = xstrndup((const char *)p + 36, strnlen((const char *)p + 36, size - 36));
	vec_push(&c->buildids, b);
}

static void feat_build_id(struct conv *c, const unsigned char *p, size_t size)
{
	size_t off = 0;
	while (size - off >= 8) {
		uint16_t rs = rd16(p + off + 6);
		if (rs < 8 || rs > size - off)
			break;
		pd_add_buildid_event(c, p + off, rs);
		off += rs;
	}
}

static void feat_event_desc(struct conv *c, const unsigned char *p, size_t size)
{
	if (size < 8)
		return;
	uint32_t nr = rd32(p), asz = rd32(p + 4);
	size_t off = 8;
	for (uint32_t i = 0; i < nr; i++) {
		if (asz > size - off || size - off - asz < 4)
			return;
		off += asz;
		uint32_t nids = rd32(p + off);
		off += 4;
		if (size - off < 4)
			return;
		uint32_t slen = rd32(p + off);
		char *name = header_string(p + off, size - off);
		if (!name)
			return;
		off += 4 + (size_t)slen;
		uint64_t first = UINT64_MAX;
		if (nids > (size - off) / 8) {
			free(name);
			return;
		}
		if (nids)
			first = rd64(p + off);
		off += (size_t)nids * 8;
		vec_push(&c->desc_names, name);
		vec_push(&c->desc_first_id, first);
	}
}

void pd_take_feature(struct conv *c, int bit, const unsigned char *p, size_t size)
{
	char **dst = NULL;
	switch (bit) {
	case FEAT_BUILD_ID:
		feat_build_id(c, p, size);
		return;
	case FEAT_HOSTNAME:
		dst = &c->hostname;
		break;
	case FEAT_OSRELEASE:
		dst = &c->osrelease;
		break;
	case FEAT_VERSION:
		dst = &c->version;
		break;
	case FEAT_ARCH:
		dst = &c->arch;
		break;
	case FEAT_NRCPUS:
		if (size >= 8) {
			free(c->nrcpus);
			c->nrcpus = xasprintf("%" PRIu32, rd32(p + 4)); /* available */
		}
		return;
	case FEAT_CMDLINE: {
		if (size < 4)
			return;
		uint32_t nr = rd32(p);
		struct strbuf sb = STRBUF_INIT;
		size_t off = 4;
		for (uint32_t i = 0; i < nr; i++) {
			char *s = header_string(p + off, size - off);
			if (!s)
				break;
			off += 4 + rd32(p + off);
			if (i)
				sb_addc(&sb, ' ');
			sb_adds(&sb, s);
			free(s);
		}
		free(c->cmdline);
		c->cmdline = sb_detach(&sb);
		return;
	}
	case FEAT_EVENT_DESC:
		feat_event_desc(c, p, size);
		return;
	case FEAT_COMPRESSED:
		c->st.compressed = true;
		return;
	default:
		return;
	}
	char *s = header_string(p, size);
	if (s) {
		free(*dst);
		*dst = s;
	}
}

void pd_add_attr(struct conv *c, const unsigned char *p, size_t len, const unsigned char *ids, size_t nids)
{
	struct pattr a = { 0 };
	attr_parse(p, len, &a);
	uint32_t index = (uint32_t)c->attrs.n;
	for (size_t i = 0; i < nids; i++) {
		uint64_t id = rd64(ids + 8 * i);
		vec_push(&a.ids, id);
		*u64map_upsert(&c->id2attr, id, index, NULL) = index;
	}
	vec_push(&c->attrs, a);
}

/* ---- header ---- */

void pd_fail(char *why, size_t why_len, const char *fmt, ...)
{
	if (!why || !why_len)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
}

int pd_read_header(struct conv *c, uint64_t *data_off, uint64_t *data_end, bool *unfinished, char *why,
		       size_t why_len)
{
	if (c->len < PIPE_HEADER_SIZE) {
		pd_fail(why, why_len, "too short to be a perf.data file (%zu bytes)", c->len);
		return -1;
	}
	uint64_t magic = rd64(c->base), hsize = rd64(c->base + 8);
	if (magic == PERF_MAGIC2_SWAPPED) {
		pd_fail(why, why_len, "perf.data written on a big-endian machine is not supported");
		return -1;
	}
	if (!memcmp(c->base, "PERFFILE", 8)) {
		pd_fail(why, why_len, "perf.data version 1 (from perf before Linux 2.6.38) is not supported");
		return -1;
	}
	if (magic != PERF_MAGIC2) {
		pd_fail(why, why_len, "not a perf.data file (no PERFILE2 magic)");
		return -1;
	}
	if (hsize == PIPE_HEADER_SIZE) {
		c->pipe = true;
		c->st.pipe = true;
		*data_off = PIPE_HEADER_SIZE;
		*data_end = c->len;
		*unfinished = false;
		return 0;
	}
	if (hsize < FILE_HEADER_SIZE || hsize > 4096) {
		pd_fail(why, why_len, "perf.data header has an unknown size (%" PRIu64 " bytes)", hsize);
		return -1;
	}
	if (hsize > c->len) {
		pd_fail(why, why_len, "the file is truncated inside the perf.data header");
		return -1;
	}
	const unsigned char *h = c->base;
	uint64_t attr_size = rd64(h + 16);
	uint64_t aoff = rd64(h + 24), asz = rd64(h + 32);
	uint64_t doff = rd64(h + 40), dsz = rd64(h + 48);
	if (attr_size < 64 + 16 || attr_size > 4096) {
		pd_fail(why, why_len, "perf.data attributes have an unknown size (%" PRIu64 " bytes)", attr_size);
		return -1;
	}
	if (aoff > c->len || asz > c->len - aoff || asz < attr_size) {
		pd_fail(why, why_len, "perf.data has no event attributes (the file is truncated or corrupt)");
		return -1;
	}
	for (uint64_t i = 0; i + attr_size <= asz; i += attr_size) {
		const unsigned char *fa = h + aoff + i;
		const unsigned char *sec = fa + attr_size - 16;
		uint64_t ioff = rd64(sec), isz = rd64(sec + 8);
		const unsigned char *ids = NULL;
		size_t nids = 0;
		if (ioff <= c->len && isz <= c->len - ioff) {
			ids = h + ioff;
			nids = isz / 8;
		}
		pd_add_attr(c, fa, attr_size - 16, ids, nids);
	}
	if (doff > c->len) {
		pd_fail(why, why_len, "perf.data data section starts past the end of the file");
		return -1;
	}
	*data_off = doff;
	*unfinished = false;
	if (dsz == 0 && c->len > doff) {
		/* perf writes the data size when it ends: it did not */
		*unfinished = true;
		*data_end = c->len;
		return 0;
	}
	if (dsz > c->len - doff) {
		/* scan what is there, then say the file is short */
		snprintf(c->short_note, sizeof(c->short_note),
			 "the file is truncated (%" PRIu64 " of %" PRIu64 " data bytes present)", c->len - doff, dsz);
		*unfinished = true;
		*data_end = c->len;
		return 0;
	}
	*data_end = doff + dsz;
	/* feature sections: one perf_file_section per set bit, after the data */
	uint64_t foff = doff + dsz;
	const unsigned char *bits = h + 72;
	for (int b = 0; b < FEAT_BITS; b++) {
		if (!(bits[b / 8] & (1u << (b % 8))))
			continue;
		if (foff > c->len || c->len - foff < 16)
			break;
		uint64_t so = rd64(h + foff), ss = rd64(h + foff + 8);
		foff += 16;
		if (so > c->len || ss > c->len - so)
			continue;
		pd_take_feature(c, b, h + so, ss);
	}
	return 0;
}

void pd_name_attrs(struct conv *c)
{
	for (size_t i = 0; i < c->attrs.n; i++) {
		struct pattr *a = &c->attrs.v[i];
		const char *n = NULL;
		for (size_t j = 0; j < c->desc_names.n && !n; j++)
			if (a->ids.n && c->desc_first_id.v[j] == a->ids.v[0])
				n = c->desc_names.v[j];
		if (!n && c->desc_names.n == c->attrs.n)
			n = c->desc_names.v[i];
		a->name = n && *n ? xstrdup(n) : attr_default_name(a);
	}
}


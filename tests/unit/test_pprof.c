/* pprof writer: a small profile encoded, then decoded back by a minimal
 * protobuf reader here (independent of the writer) and checked field by
 * field against profile.proto's numbering; the gzip wrapper inflates to
 * the same bytes. */
#include <stdint.h>
#include <unistd.h>
#include <zlib.h>

#include "render/pprof.h"
#include "util/protobuf.h"
#include "unit.h"

/* ---- a minimal reader ---- */

struct rd {
	const uint8_t *p, *end;
	int bad;
};

static uint64_t rd_varint(struct rd *r)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (r->p >= r->end) {
			r->bad = 1;
			return 0;
		}
		uint8_t b = *r->p++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	r->bad = 1;
	return 0;
}

/* Next field: its number, wire type, and for PB_LEN a sub-reader over
 * the bytes; varints in *v. Returns 0 at the end. */
static uint32_t rd_field(struct rd *r, int *wire, uint64_t *v, struct rd *sub)
{
	if (r->p >= r->end || r->bad)
		return 0;
	uint64_t tag = rd_varint(r);
	*wire = (int)(tag & 7);
	if (*wire == PB_VARINT) {
		*v = rd_varint(r);
	} else if (*wire == PB_LEN) {
		uint64_t n = rd_varint(r);
		if (n > (uint64_t)(r->end - r->p)) {
			r->bad = 1;
			return 0;
		}
		sub->p = r->p;
		sub->end = r->p + n;
		sub->bad = 0;
		r->p += n;
	} else {
		r->bad = 1;
		return 0;
	}
	return (uint32_t)(tag >> 3);
}

/* The decoded profile: counts and the few values checked. */
struct decoded {
	char strs[64][64];
	int nstrs;
	int64_t types[8][2];
	int ntypes;
	int nsamples;
	uint64_t sample_locs[8][8];
	int sample_nlocs[8];
	int64_t sample_vals[8][4];
	int sample_nlabels[8];
	int64_t label_key[8], label_str[8], label_num[8];
	int nmappings;
	uint64_t map_id[4], map_start[4], map_limit[4];
	int64_t map_file[4], map_bid[4];
	uint64_t map_flags[4];
	int nlocations;
	uint64_t loc_map[8], loc_addr[8];
	uint64_t loc_fn[8][4];
	int64_t loc_line[8][4];
	int loc_nlines[8];
	int nfunctions;
	int64_t fn_name[8], fn_file[8];
	int64_t period, duration, default_type, period_type[2];
	int ncomments;
};

static void unpack(struct rd *sub, uint64_t *out, int *n, int max)
{
	while (sub->p < sub->end && !sub->bad && *n < max)
		out[(*n)++] = rd_varint(sub);
}

static void decode_sample(struct rd *r, struct decoded *d)
{
	int i = d->nsamples++, w, nv = 0;
	uint64_t v = 0, vals[4];
	struct rd sub, lab;
	uint32_t f;
	while ((f = rd_field(r, &w, &v, &sub))) {
		if (f == 1 && w == PB_LEN)
			unpack(&sub, d->sample_locs[i], &d->sample_nlocs[i], 8);
		else if (f == 2 && w == PB_LEN)
			unpack(&sub, vals, &nv, 4);
		else if (f == 3 && w == PB_LEN) {
			int li = d->sample_nlabels[i]++;
			while ((f = rd_field(&sub, &w, &v, &lab)))
				if (i == 0 && li < 8) {
					if (f == 1)
						d->label_key[li] = (int64_t)v;
					else if (f == 2)
						d->label_str[li] = (int64_t)v;
					else if (f == 3)
						d->label_num[li] = (int64_t)v;
				}
		}
	}
	for (int k = 0; k < nv; k++)
		d->sample_vals[i][k] = (int64_t)vals[k];
}

static void decode_location(struct rd *r, struct decoded *d)
{
	int i = d->nlocations++, w;
	uint64_t v = 0;
	struct rd sub, ln;
	uint32_t f;
	while ((f = rd_field(r, &w, &v, &sub))) {
		if (f == 2)
			d->loc_map[i] = v;
		else if (f == 3)
			d->loc_addr[i] = v;
		else if (f == 4 && w == PB_LEN) {
			int k = d->loc_nlines[i]++;
			while ((f = rd_field(&sub, &w, &v, &ln)))
				if (k < 4 && f == 1)
					d->loc_fn[i][k] = v;
				else if (k < 4 && f == 2)
					d->loc_line[i][k] = (int64_t)v;
		}
	}
}

static void decode_mapping(struct rd *r, struct decoded *d)
{
	int i = d->nmappings++, w;
	uint64_t v = 0;
	struct rd sub;
	uint32_t f;
	while ((f = rd_field(r, &w, &v, &sub))) {
		switch (f) {
		case 1: d->map_id[i] = v; break;
		case 2: d->map_start[i] = v; break;
		case 3: d->map_limit[i] = v; break;
		case 5: d->map_file[i] = (int64_t)v; break;
		case 6: d->map_bid[i] = (int64_t)v; break;
		case 7: case 8: case 9: case 10: d->map_flags[i] |= v << (f - 7); break;
		}
	}
}

static void decode_pair(struct rd *r, int64_t *a, int64_t *b)
{
	int w;
	uint64_t v = 0;
	struct rd sub;
	uint32_t f;
	while ((f = rd_field(r, &w, &v, &sub)))
		if (f == 1)
			*a = (int64_t)v;
		else if (f == 2)
			*b = (int64_t)v;
}

static int decode(const uint8_t *buf, size_t n, struct decoded *d)
{
	memset(d, 0, sizeof(*d));
	struct rd r = { buf, buf + n, 0 }, sub;
	int w;
	uint64_t v = 0;
	uint32_t f;
	while ((f = rd_field(&r, &w, &v, &sub))) {
		switch (f) {
		case 1: decode_pair(&sub, &d->types[d->ntypes][0], &d->types[d->ntypes][1]); d->ntypes++; break;
		case 2: decode_sample(&sub, d); break;
		case 3: decode_mapping(&sub, d); break;
		case 4: decode_location(&sub, d); break;
		case 5: {
			int64_t id = 0, name = 0, file = 0;
			struct rd fr = sub, fs;
			uint32_t g;
			while ((g = rd_field(&fr, &w, &v, &fs)))
				if (g == 1)
					id = (int64_t)v;
				else if (g == 2)
					name = (int64_t)v;
				else if (g == 4)
					file = (int64_t)v;
			d->fn_name[id - 1] = name;
			d->fn_file[id - 1] = file;
			d->nfunctions++;
			break;
		}
		case 6:
			snprintf(d->strs[d->nstrs++], 64, "%.*s", (int)(sub.end - sub.p), (const char *)sub.p);
			break;
		case 10: d->duration = (int64_t)v; break;
		case 11: decode_pair(&sub, &d->period_type[0], &d->period_type[1]); break;
		case 12: d->period = (int64_t)v; break;
		case 13: d->ncomments++; break;
		case 14: d->default_type = (int64_t)v; break;
		}
	}
	return r.bad ? -1 : 0;
}

/* ---- the profile under test ---- */

static struct pprof *small_profile(void)
{
	struct pprof *pp = pprof_new();
	pprof_sample_type(pp, "samples", "count");
	pprof_sample_type(pp, "cpu", "nanoseconds");
	pprof_default_sample_type(pp, "cpu");
	pprof_period(pp, "cpu", "nanoseconds", 1000000);
	pprof_time(pp, 0, 2500000000LL);
	pprof_comment(pp, "command: ./fx");
	struct pprof_mapping exe = { 0x1000, 0x5000, 0, "/bin/fx", "abcd", true, true, true, true };
	struct pprof_mapping kern = { 0, 0, 0, "[kernel.kallsyms]", NULL, true, false, false, false };
	uint64_t mk = pprof_mapping(pp, &kern), me = pprof_mapping(pp, &exe);
	pprof_main_mapping(pp, me);
	uint64_t fmain = pprof_function(pp, "main", "main", "fx.c", 0);
	uint64_t fouter = pprof_function(pp, "outer", "outer", "fx.c", 0);
	uint64_t finner = pprof_function(pp, "inner", "inner", "fx.c", 0);
	uint64_t fk = pprof_function(pp, "do_syscall_64", "do_syscall_64", NULL, 0);
	struct pprof_line inl[2] = { { finner, 8 }, { fouter, 13 } }, lmain = { fmain, 19 }, lk = { fk, 0 };
	uint64_t locs[3] = { pprof_location(pp, me, 0x1207, inl, 2), pprof_location(pp, me, 0x1081, &lmain, 1), 0 };
	struct pprof_label labels[2] = { { .key = "pid", .num = 42 }, { .key = "comm", .str = "fx" } };
	int64_t v1[2] = { 1, 1000000 }, v2[2] = { 1, 2000000 };
	pprof_sample(pp, locs, 2, v1, labels, 2);
	pprof_sample(pp, locs, 2, v2, labels, 2); /* merges with the first */
	locs[2] = locs[1];
	locs[1] = locs[0];
	locs[0] = pprof_location(pp, mk, 0xffffffff81000000ull, &lk, 1);
	pprof_sample(pp, locs, 3, v1, labels, 1);
	/* the same function and location again: the same ids */
	if (pprof_function(pp, "main", "main", "fx.c", 0) != fmain || pprof_location(pp, me, 0x1081, &lmain, 1) != locs[2])
		return NULL;
	return pp;
}

static void test_encode_decode(void)
{
	struct pprof *pp = small_profile();
	CHECK(pp);
	CHECK_INT(pprof_sample_count(pp), 2);
	struct pb b = { 0 };
	pprof_encode(pp, &b);
	pprof_free(pp);
	static struct decoded d;
	CHECK(decode(b.buf, b.n, &d) == 0);
	pb_free(&b);
	CHECK_STR(d.strs[0], "");
	CHECK_INT(d.ntypes, 2);
	CHECK_STR(d.strs[d.types[0][0]], "samples");
	CHECK_STR(d.strs[d.types[0][1]], "count");
	CHECK_STR(d.strs[d.types[1][0]], "cpu");
	CHECK_STR(d.strs[d.types[1][1]], "nanoseconds");
	CHECK_STR(d.strs[d.default_type], "cpu");
	CHECK_STR(d.strs[d.period_type[1]], "nanoseconds");
	CHECK_INT(d.period, 1000000);
	CHECK_INT(d.duration, 2500000000LL);
	CHECK_INT(d.ncomments, 1);
	/* samples: the first two merged (values summed) */
	CHECK_INT(d.nsamples, 2);
	CHECK_INT(d.sample_vals[0][0], 2);
	CHECK_INT(d.sample_vals[0][1], 3000000);
	CHECK_INT(d.sample_nlocs[0], 2);
	CHECK_INT(d.sample_nlocs[1], 3);
	CHECK_INT(d.sample_nlabels[0], 2);
	CHECK_INT(d.sample_nlabels[1], 1);
	CHECK_STR(d.strs[d.label_key[0]], "pid");
	CHECK_INT(d.label_num[0], 42);
	CHECK_STR(d.strs[d.label_key[1]], "comm");
	CHECK_STR(d.strs[d.label_str[1]], "fx");
	/* mappings: the main one first, with its build-id and flags */
	CHECK_INT(d.nmappings, 2);
	CHECK_INT(d.map_id[0], 2);
	CHECK_STR(d.strs[d.map_file[0]], "/bin/fx");
	CHECK_STR(d.strs[d.map_bid[0]], "abcd");
	CHECK_INT(d.map_start[0], 0x1000);
	CHECK_INT(d.map_limit[0], 0x5000);
	CHECK_INT(d.map_flags[0], 15);
	CHECK_STR(d.strs[d.map_file[1]], "[kernel.kallsyms]");
	CHECK_INT(d.map_bid[1], 0);
	CHECK_INT(d.map_flags[1], 1);
	/* the inlined location: two lines, innermost first */
	CHECK_INT(d.nlocations, 3);
	uint64_t leaf = d.sample_locs[0][0];
	CHECK(leaf >= 1 && leaf <= 3);
	CHECK_INT(d.loc_nlines[leaf - 1], 2);
	CHECK_INT(d.loc_addr[leaf - 1], 0x1207);
	CHECK_INT(d.loc_map[leaf - 1], 2);
	CHECK_STR(d.strs[d.fn_name[d.loc_fn[leaf - 1][0] - 1]], "inner");
	CHECK_STR(d.strs[d.fn_name[d.loc_fn[leaf - 1][1] - 1]], "outer");
	CHECK_INT(d.loc_line[leaf - 1][0], 8);
	CHECK_INT(d.loc_line[leaf - 1][1], 13);
	CHECK_STR(d.strs[d.fn_file[d.loc_fn[leaf - 1][0] - 1]], "fx.c");
	CHECK_INT(d.nfunctions, 4);
	/* the kernel frame leads the second sample */
	uint64_t kl = d.sample_locs[1][0];
	CHECK_INT(d.loc_map[kl - 1], 1);
	CHECK_INT(d.sample_locs[1][1], leaf);
}

static void test_gzip(void)
{
	struct pprof *pp = small_profile();
	CHECK(pp);
	struct pb raw = { 0 };
	pprof_encode(pp, &raw);
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	CHECK(f);
	CHECK(pprof_write_gz(pp, f) == 0);
	fclose(f);
	pprof_free(pp);
	/* a gzip member: magic, deflate */
	CHECK(n > 18 && (uint8_t)buf[0] == 0x1f && (uint8_t)buf[1] == 0x8b && buf[2] == 8);
	uint8_t *out = malloc(raw.n + 16);
	z_stream z;
	memset(&z, 0, sizeof(z));
	CHECK(inflateInit2(&z, 15 + 16) == Z_OK);
	z.next_in = (uint8_t *)buf;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)(raw.n + 16);
	int zr = inflate(&z, Z_FINISH);
	size_t got = raw.n + 16 - z.avail_out;
	inflateEnd(&z);
	int same = zr == Z_STREAM_END && got == raw.n && !memcmp(out, raw.buf, raw.n);
	free(out);
	free(buf);
	pb_free(&raw);
	CHECK(same);
}

static void test_odd_strings(void)
{
	/* invalid UTF-8 becomes Latin-1 characters; valid UTF-8 stays */
	struct pprof *pp = pprof_new();
	int64_t a = pprof_string(pp, "caf\xe9\xff");
	int64_t b = pprof_string(pp, "caf\xc3\xa9");
	int64_t c = pprof_string(pp, "caf\xc3\xa9\xc3\xbf");
	CHECK(a == c && a != b);
	CHECK_INT(pprof_string(pp, NULL), 0);
	CHECK_INT(pprof_string(pp, ""), 0);
	pprof_free(pp);
}

static void test_protobuf_writer(void)
{
	struct pb b = { 0 };
	pb_uint(&b, 1, 0); /* proto3: defaults are left out */
	CHECK_INT(b.n, 0);
	pb_uint(&b, 1, 150); /* the protobuf docs' example: 08 96 01 */
	CHECK(b.n == 3 && b.buf[0] == 0x08 && b.buf[1] == 0x96 && b.buf[2] == 0x01);
	size_t m = pb_begin(&b);
	size_t inner = pb_begin(&b);
	pb_bytes(&b, 2, "testing", 7);
	pb_end(&b, 3, inner);
	pb_end(&b, 4, m);
	/* 22 0b [1a 09 [12 07 "testing"]] */
	CHECK(b.n == 3 + 13 && b.buf[3] == 0x22 && b.buf[4] == 11 && b.buf[5] == 0x1a && b.buf[6] == 9 &&
	      b.buf[7] == 0x12 && b.buf[8] == 7 && !memcmp(b.buf + 9, "testing", 7));
	pb_free(&b);
	pb_int(&b, 1, -1); /* ten bytes of two's complement */
	CHECK_INT(b.n, 11);
	pb_free(&b);
	/* a body longer than 127 bytes: a two-byte length moves it by two */
	m = pb_begin(&b);
	for (int i = 0; i < 100; i++)
		pb_uint(&b, 1, 1);
	pb_end(&b, 1, m);
	CHECK(b.n == 203 && b.buf[0] == 0x0a && b.buf[1] == 0xc8 && b.buf[2] == 0x01 && b.buf[3] == 0x08);
	pb_free(&b);
}

int main(void)
{
	RUN(test_protobuf_writer);
	RUN(test_encode_decode);
	RUN(test_gzip);
	RUN(test_odd_strings);
	UNIT_EXIT();
}

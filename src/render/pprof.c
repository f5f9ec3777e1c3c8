/* pprof profile.proto writer (see pprof.h). Field numbers are profile.proto's. */
#include "render/pprof.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "util/die.h"
#include "util/hashmap.h"
#include "util/outfile.h"
#include "util/protobuf.h"
#include "util/strbuf.h"
#include "util/utf8.h"
#include "util/vec.h"

enum { PROFILE_SAMPLE_TYPE = 1, PROFILE_SAMPLE, PROFILE_MAPPING, PROFILE_LOCATION, PROFILE_FUNCTION,
       PROFILE_STRING_TABLE, PROFILE_TIME_NANOS = 9, PROFILE_DURATION_NANOS, PROFILE_PERIOD_TYPE, PROFILE_PERIOD,
       PROFILE_COMMENT, PROFILE_DEFAULT_SAMPLE_TYPE };

struct vtype {
	int64_t type, unit;
};

struct mapping {
	uint64_t start, limit, offset;
	int64_t file, build_id;
	uint64_t has; /* HAS_* bits; no padding: mappings compare with memcmp */
};

enum { HAS_FUNCTIONS = 1, HAS_FILENAMES = 2, HAS_LINE_NUMBERS = 4, HAS_INLINE_FRAMES = 8 };

struct function {
	int64_t name, sysname, file, start_line;
};

struct location {
	uint64_t mapping, address;
	size_t line_first, line_n;
};

struct label {
	int64_t key, str, num, unit;
};

struct sample {
	size_t loc_first, loc_n, label_first, label_n, value_first;
};

struct pprof {
	struct interner strs;
	VEC(struct vtype) types;
	int64_t default_type;
	struct vtype period_type;
	int64_t period, time_ns, duration_ns;
	VEC(int64_t) comments;
	VEC(struct mapping) mappings;
	uint64_t main_mapping;
	VEC(struct function) functions;
	VEC(struct location) locations;
	VEC(struct pprof_line) lines;
	VEC(struct sample) samples;
	VEC(uint64_t) sample_locs;
	VEC(struct label) labels;
	VEC(int64_t) values;
	struct u64map mapping_index, function_index, location_index, sample_index;
	struct strbuf scratch;
};

struct pprof *pprof_new(void)
{
	struct pprof *pp = xcalloc(1, sizeof(*pp));
	intern(&pp->strs, ""); /* string_table[0] must be "" */
	return pp;
}

void pprof_free(struct pprof *pp)
{
	if (!pp)
		return;
	interner_free(&pp->strs);
	vec_free(&pp->types);
	vec_free(&pp->comments);
	vec_free(&pp->mappings);
	vec_free(&pp->functions);
	vec_free(&pp->locations);
	vec_free(&pp->lines);
	vec_free(&pp->samples);
	vec_free(&pp->sample_locs);
	vec_free(&pp->labels);
	vec_free(&pp->values);
	u64map_free(&pp->mapping_index);
	u64map_free(&pp->function_index);
	u64map_free(&pp->location_index);
	u64map_free(&pp->sample_index);
	sb_free(&pp->scratch);
	free(pp);
}

int64_t pprof_string(struct pprof *pp, const char *s)
{
	if (!s || !*s)
		return 0;
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, k;
	while (i < n && (k = utf8_valid_len(u + i, n - i)))
		i += k;
	if (i == n)
		return intern_n(&pp->strs, s, n);
	/* not UTF-8: each stray byte becomes the Latin-1 character it would be */
	sb_reset(&pp->scratch);
	for (i = 0; i < n;) {
		k = utf8_valid_len(u + i, n - i);
		if (k) {
			sb_add(&pp->scratch, s + i, k);
			i += k;
		} else {
			sb_addc(&pp->scratch, (char)(0xc0 | u[i] >> 6));
			sb_addc(&pp->scratch, (char)(0x80 | (u[i] & 0x3f)));
			i++;
		}
	}
	return intern_n(&pp->strs, pp->scratch.buf, pp->scratch.len);
}

size_t pprof_sample_type(struct pprof *pp, const char *type, const char *unit)
{
	if (pp->samples.n)
		die("pprof: a sample type after the first sample");
	struct vtype t = { pprof_string(pp, type), pprof_string(pp, unit) };
	vec_push(&pp->types, t);
	return pp->types.n - 1;
}

void pprof_default_sample_type(struct pprof *pp, const char *type)
{
	pp->default_type = pprof_string(pp, type);
}

void pprof_period(struct pprof *pp, const char *type, const char *unit, int64_t period)
{
	pp->period_type.type = pprof_string(pp, type);
	pp->period_type.unit = pprof_string(pp, unit);
	pp->period = period;
}

void pprof_time(struct pprof *pp, int64_t time_ns, int64_t duration_ns)
{
	pp->time_ns = time_ns;
	pp->duration_ns = duration_ns;
}

void pprof_comment(struct pprof *pp, const char *text)
{
	vec_push(&pp->comments, pprof_string(pp, text));
}

/* The id (index + 1) of an entry equal to the one described, found through
 * index by hash h (a collision probes on with another hash); or 0, and the
 * index now maps a free hash to `next`, where the caller puts the new one. */
typedef bool (*same_fn)(const struct pprof *pp, size_t index, const void *want);
static uint64_t find(struct pprof *pp, struct u64map *index, uint64_t h, same_fn same, const void *want, size_t next)
{
	for (;;) {
		bool fresh;
		uint64_t *s = u64map_upsert(index, h, next, &fresh);
		if (fresh)
			return 0;
		if (same(pp, (size_t)*s, want))
			return *s + 1;
		h = hash_u64(h + 1);
	}
}

static bool same_mapping(const struct pprof *pp, size_t i, const void *want)
{
	return !memcmp(&pp->mappings.v[i], want, sizeof(struct mapping));
}

uint64_t pprof_mapping(struct pprof *pp, const struct pprof_mapping *m)
{
	struct mapping k;
	k.start = m->start;
	k.limit = m->limit;
	k.offset = m->offset;
	k.file = pprof_string(pp, m->file);
	k.build_id = pprof_string(pp, m->build_id);
	k.has = (m->has_functions ? HAS_FUNCTIONS : 0) | (m->has_filenames ? HAS_FILENAMES : 0) |
		(m->has_line_numbers ? HAS_LINE_NUMBERS : 0) | (m->has_inline_frames ? HAS_INLINE_FRAMES : 0);
	uint64_t id = find(pp, &pp->mapping_index, hash_bytes(&k, sizeof(k)), same_mapping, &k,
				  pp->mappings.n);
	if (id)
		return id;
	vec_push(&pp->mappings, k);
	return pp->mappings.n;
}

void pprof_main_mapping(struct pprof *pp, uint64_t mapping)
{
	pp->main_mapping = mapping;
}

char *pprof_hex(char *out, const uint8_t *id, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	if (!n)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[id[i] >> 4];
		out[2 * i + 1] = digits[id[i] & 15];
	}
	out[2 * n] = 0;
	return out;
}

static bool same_function(const struct pprof *pp, size_t i, const void *want)
{
	return !memcmp(&pp->functions.v[i], want, sizeof(struct function));
}

uint64_t pprof_function(struct pprof *pp, const char *name, const char *system_name, const char *file,
			int64_t start_line)
{
	struct function f = { pprof_string(pp, name), pprof_string(pp, system_name), pprof_string(pp, file),
			      start_line };
	uint64_t id = find(pp, &pp->function_index, hash_bytes(&f, sizeof(f)), same_function, &f,
				  pp->functions.n);
	if (id)
		return id;
	vec_push(&pp->functions, f);
	return pp->functions.n;
}

struct loc_want {
	uint64_t mapping, address;
	const struct pprof_line *lines;
	size_t n;
};

static bool same_location(const struct pprof *pp, size_t i, const void *want)
{
	const struct location *l = &pp->locations.v[i];
	const struct loc_want *w = want;
	return l->mapping == w->mapping && l->address == w->address && l->line_n == w->n &&
	       !memcmp(&pp->lines.v[l->line_first], w->lines, w->n * sizeof(*w->lines));
}

uint64_t pprof_location(struct pprof *pp, uint64_t mapping, uint64_t address, const struct pprof_line *lines,
			size_t n)
{
	struct loc_want w = { mapping, address, lines, n };
	uint64_t h = hash_u64(mapping ^ hash_u64(address)) ^ (n ? hash_bytes(lines, n * sizeof(*lines)) : 0);
	uint64_t id = find(pp, &pp->location_index, h, same_location, &w, pp->locations.n);
	if (id)
		return id;
	struct location l = { mapping, address, pp->lines.n, n };
	for (size_t i = 0; i < n; i++)
		vec_push(&pp->lines, lines[i]);
	vec_push(&pp->locations, l);
	return pp->locations.n;
}

struct sample_want {
	const uint64_t *locs;
	size_t n;
	const struct label *labels;
	size_t nlabels;
};

static bool same_sample(const struct pprof *pp, size_t i, const void *want)
{
	const struct sample *s = &pp->samples.v[i];
	const struct sample_want *w = want;
	return s->loc_n == w->n && s->label_n == w->nlabels &&
	       !memcmp(&pp->sample_locs.v[s->loc_first], w->locs, w->n * sizeof(*w->locs)) &&
	       (!w->nlabels || !memcmp(&pp->labels.v[s->label_first], w->labels, w->nlabels * sizeof(*w->labels)));
}

void pprof_sample(struct pprof *pp, const uint64_t *locs, size_t n, const int64_t *values,
		  const struct pprof_label *labels, size_t nlabels)
{
	struct label lv[16];
	if (nlabels > 16)
		nlabels = 16;
	memset(lv, 0, sizeof(lv));
	for (size_t i = 0; i < nlabels; i++) {
		lv[i].key = pprof_string(pp, labels[i].key);
		if (labels[i].str) {
			lv[i].str = pprof_string(pp, labels[i].str);
		} else {
			lv[i].num = labels[i].num;
			lv[i].unit = pprof_string(pp, labels[i].unit);
		}
	}
	struct sample_want w = { locs, n, lv, nlabels };
	uint64_t h = (n ? hash_bytes(locs, n * sizeof(*locs)) : 0) ^
		     hash_u64(nlabels ? hash_bytes(lv, nlabels * sizeof(*lv)) : 1);
	uint64_t id = find(pp, &pp->sample_index, h, same_sample, &w, pp->samples.n);
	size_t nv = pp->types.n;
	if (id) {
		int64_t *sum = &pp->values.v[pp->samples.v[id - 1].value_first];
		for (size_t i = 0; i < nv; i++)
			sum[i] = (int64_t)((uint64_t)sum[i] + (uint64_t)values[i]); /* wraps, never traps */
		return;
	}
	struct sample s = { pp->sample_locs.n, n, pp->labels.n, nlabels, pp->values.n };
	for (size_t i = 0; i < n; i++)
		vec_push(&pp->sample_locs, locs[i]);
	for (size_t i = 0; i < nlabels; i++)
		vec_push(&pp->labels, lv[i]);
	for (size_t i = 0; i < nv; i++)
		vec_push(&pp->values, values[i]);
	vec_push(&pp->samples, s);
}

size_t pprof_sample_count(const struct pprof *pp)
{
	return pp->samples.n;
}

/* ---- encoding ---- */

static void put_vtype(struct pb *b, uint32_t field, const struct vtype *t)
{
	size_t m = pb_begin(b);
	pb_int(b, 1, t->type);
	pb_int(b, 2, t->unit);
	pb_end(b, field, m);
}

static void put_sample(struct pb *b, const struct pprof *pp, const struct sample *s)
{
	size_t m = pb_begin(b);
	pb_packed_u64(b, 1, &pp->sample_locs.v[s->loc_first], s->loc_n);
	pb_packed_i64(b, 2, &pp->values.v[s->value_first], pp->types.n);
	for (size_t i = 0; i < s->label_n; i++) {
		const struct label *l = &pp->labels.v[s->label_first + i];
		size_t lm = pb_begin(b);
		pb_int(b, 1, l->key);
		pb_int(b, 2, l->str);
		pb_int(b, 3, l->num);
		pb_int(b, 4, l->unit);
		pb_end(b, 3, lm);
	}
	pb_end(b, PROFILE_SAMPLE, m);
}

static void put_mapping(struct pb *b, const struct mapping *mp, uint64_t id)
{
	size_t m = pb_begin(b);
	pb_uint(b, 1, id);
	pb_uint(b, 2, mp->start);
	pb_uint(b, 3, mp->limit);
	pb_uint(b, 4, mp->offset);
	pb_int(b, 5, mp->file);
	pb_int(b, 6, mp->build_id);
	pb_bool(b, 7, mp->has & HAS_FUNCTIONS);
	pb_bool(b, 8, mp->has & HAS_FILENAMES);
	pb_bool(b, 9, mp->has & HAS_LINE_NUMBERS);
	pb_bool(b, 10, mp->has & HAS_INLINE_FRAMES);
	pb_end(b, PROFILE_MAPPING, m);
}

static void put_location(struct pb *b, const struct pprof *pp, const struct location *l, uint64_t id)
{
	size_t m = pb_begin(b);
	pb_uint(b, 1, id);
	pb_uint(b, 2, l->mapping);
	pb_uint(b, 3, l->address);
	for (size_t i = 0; i < l->line_n; i++) {
		const struct pprof_line *ln = &pp->lines.v[l->line_first + i];
		size_t lm = pb_begin(b);
		pb_uint(b, 1, ln->function);
		pb_int(b, 2, ln->line);
		pb_end(b, 4, lm);
	}
	pb_end(b, PROFILE_LOCATION, m);
}

static void put_function(struct pb *b, const struct function *f, uint64_t id)
{
	size_t m = pb_begin(b);
	pb_uint(b, 1, id);
	pb_int(b, 2, f->name);
	pb_int(b, 3, f->sysname);
	pb_int(b, 4, f->file);
	pb_int(b, 5, f->start_line);
	pb_end(b, PROFILE_FUNCTION, m);
}

void pprof_encode(struct pprof *pp, struct pb *b)
{
	for (size_t i = 0; i < pp->types.n; i++)
		put_vtype(b, PROFILE_SAMPLE_TYPE, &pp->types.v[i]);
	for (size_t i = 0; i < pp->samples.n; i++)
		put_sample(b, pp, &pp->samples.v[i]);
	uint64_t main = pp->main_mapping && pp->main_mapping <= pp->mappings.n ? pp->main_mapping : 0;
	if (main)
		put_mapping(b, &pp->mappings.v[main - 1], main);
	for (size_t i = 0; i < pp->mappings.n; i++)
		if (i + 1 != main)
			put_mapping(b, &pp->mappings.v[i], i + 1);
	for (size_t i = 0; i < pp->locations.n; i++)
		put_location(b, pp, &pp->locations.v[i], i + 1);
	for (size_t i = 0; i < pp->functions.n; i++)
		put_function(b, &pp->functions.v[i], i + 1);
	for (size_t i = 0; i < pp->strs.n; i++) {
		const char *s = interned(&pp->strs, (uint32_t)i);
		pb_bytes(b, PROFILE_STRING_TABLE, s, strlen(s));
	}
	pb_int(b, PROFILE_TIME_NANOS, pp->time_ns);
	pb_int(b, PROFILE_DURATION_NANOS, pp->duration_ns);
	if (pp->period_type.type || pp->period_type.unit)
		put_vtype(b, PROFILE_PERIOD_TYPE, &pp->period_type);
	pb_int(b, PROFILE_PERIOD, pp->period);
	for (size_t i = 0; i < pp->comments.n; i++) {
		pb_tag(b, PROFILE_COMMENT, PB_VARINT);
		pb_varint(b, (uint64_t)pp->comments.v[i]);
	}
	pb_int(b, PROFILE_DEFAULT_SAMPLE_TYPE, pp->default_type);
}

int pprof_write_gz(struct pprof *pp, FILE *out)
{
	struct pb raw = { 0 };
	pprof_encode(pp, &raw);
	z_stream z;
	memset(&z, 0, sizeof(z));
	/* windowBits 15 + 16: a gzip header and trailer, as pprof reads */
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		pb_free(&raw);
		errno = ENOMEM;
		return -1;
	}
	unsigned char chunk[1 << 16];
	size_t done = 0;
	int rc = 0, zr;
	do {
		size_t feed = raw.n - done > (1u << 30) ? (1u << 30) : raw.n - done;
		z.next_in = raw.buf + done;
		z.avail_in = (uInt)feed;
		done += feed;
		int flush = done == raw.n ? Z_FINISH : Z_NO_FLUSH;
		do {
			z.next_out = chunk;
			z.avail_out = sizeof(chunk);
			zr = deflate(&z, flush);
			size_t have = sizeof(chunk) - z.avail_out;
			if (have && fwrite(chunk, 1, have, out) != have)
				rc = -1;
		} while (z.avail_out == 0 && rc == 0);
	} while (done < raw.n && rc == 0);
	int saved = errno;
	deflateEnd(&z);
	pb_free(&raw);
	if (rc == 0 && zr != Z_STREAM_END) {
		errno = EIO;
		return -1;
	}
	errno = saved;
	return rc;
}

int pprof_write_file(struct pprof *pp, const char *path)
{
	if (!strcmp(path, "-") && isatty(STDOUT_FILENO))
		return error("a pprof profile is binary (gzip): give a file with -o FILE.pb.gz, or pipe it");
	struct outfile of;
	FILE *f = outfile_fopen(&of, path);
	if (!f)
		return error("cannot write '%s': %s", path, strerror(errno));
	bool ok = pprof_write_gz(pp, f) == 0;
	if (outfile_fclose(&of, f, ok) < 0 || !ok)
		return error("cannot write '%s': %s", path, strerror(errno));
	return 0;
}

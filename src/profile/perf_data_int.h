/* perf.data reading, shared between its files: the file's constants, the
 * conversion state, and the header side (perf_data_header.c: attributes,
 * feature sections, the file header) that the record side
 * (perf_data.c: indexing, decoding, writing sonde records) uses. */
#ifndef SONDE_PROFILE_PERF_DATA_INT_H
#define SONDE_PROFILE_PERF_DATA_INT_H
#include <linux/perf_event.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zstd.h>

#include "profile/perf_data.h"
#include "util/die.h"
#include "util/hashmap.h"
#include "util/vec.h"

/* ---- file layout constants ---- */

#define PERF_MAGIC2 0x32454c4946524550ull /* "PERFILE2" read little-endian */
#define PERF_MAGIC2_SWAPPED 0x50455246494c4532ull
#define FILE_HEADER_SIZE 104 /* magic, size, attr_size, 3 sections, 256-bit feature bitmap */
#define PIPE_HEADER_SIZE 16

enum {
	FEAT_BUILD_ID = 2,
	FEAT_HOSTNAME = 3,
	FEAT_OSRELEASE = 4,
	FEAT_VERSION = 5,
	FEAT_ARCH = 6,
	FEAT_NRCPUS = 7,
	FEAT_CMDLINE = 11,
	FEAT_EVENT_DESC = 12,
	FEAT_COMPRESSED = 27,
	FEAT_BITS = 256,
};

/* perf's user records (not written by the kernel) */
enum {
	REC_HEADER_ATTR = 64,
	REC_HEADER_EVENT_TYPE = 65,
	REC_HEADER_TRACING_DATA = 66,
	REC_HEADER_BUILD_ID = 67,
	REC_FINISHED_ROUND = 68,
	REC_AUXTRACE = 71,
	REC_HEADER_FEATURE = 80,
	REC_COMPRESSED = 81,
};

#define MISC_MMAP_DATA (1u << 13)     /* PERF_RECORD_MISC_MMAP_DATA */
#define MISC_MMAP_BUILD_ID (1u << 14) /* PERF_RECORD_MISC_MMAP_BUILD_ID */
#define MISC_BUILD_ID_SIZE (1u << 15) /* build_id_event carries its size */
#define ATTR_SAMPLE_ID_ALL (1ull << 18)
#define ATTR_FREQ (1ull << 10)
#define ATTR_EXCLUDE_USER (1ull << 4)
#define ATTR_EXCLUDE_KERNEL (1ull << 5)
#define MAX_FRAMES 2048

/* ---- attributes ---- */

struct pattr {
	uint32_t type, size;
	uint64_t config, period, sample_type, read_format, flags;
	uint64_t branch_sample_type, regs_user, regs_intr;
	uint32_t stack_user;
	char *name; /* from EVENT_DESC, or NULL */
	VEC(uint64_t) ids;
};

static inline bool attr_is_dummy(const struct pattr *a)
{
	return a->type == PERF_TYPE_SOFTWARE && a->config == PERF_COUNT_SW_DUMMY;
}


/* ---- conversion state ---- */

struct buildid {
	char *name;
	uint8_t len;
	uint8_t id[20];
};

struct idx {
	uint64_t time;
	uint64_t off; /* bit 63: in the decompressed buffer */
	uint32_t seq;
	uint32_t attr;
};
#define OFF_DECOMP (1ull << 63)

struct conv {
	const unsigned char *base;
	size_t len;
	struct sd_writer *w;
	unsigned flags;
	VEC(struct pattr) attrs;
	struct u64map id2attr; /* sample id -> attr index */
	uint32_t chosen;
	bool pipe;
	char *hostname, *osrelease, *arch, *cmdline, *version, *nrcpus;
	VEC(char *) desc_names; /* EVENT_DESC names in attr order */
	VEC(uint64_t) desc_first_id;
	VEC(struct buildid) buildids;
	VEC(struct idx) recs;
	VEC(uint64_t) chain; /* scratch: a sample's callchain */
	/* decompressed PERF_RECORD_COMPRESSED payloads */
	unsigned char *dbuf;
	size_t dlen, dcap, dparsed;
	ZSTD_DStream *zstd;
	bool dwarf;
	struct procspaces *ps;
	bool damaged;
	char damage[200];
	bool write_failed;
	char short_note[120]; /* the data section is longer than the file */
	struct perf_data_stats st;
	uint64_t last_time;
};

/* The first problem met, kept: the file is damaged from there on. */
void pd_set_damage(struct conv *c, const char *fmt, ...) SONDE_PRINTF(2, 3);
/* Writes the reason a file cannot be read into why. */
void pd_fail(char *why, size_t why_len, const char *fmt, ...) SONDE_PRINTF(3, 4);
/* A build-id record (HEADER_BUILD_ID or the BUILD_ID feature's entries). */
void pd_add_buildid_event(struct conv *c, const unsigned char *p, size_t size);
/* One feature section (or a pipe's HEADER_FEATURE record) by its bit. */
void pd_take_feature(struct conv *c, int bit, const unsigned char *p, size_t size);
/* One event attribute with its sample ids. */
void pd_add_attr(struct conv *c, const unsigned char *p, size_t len, const unsigned char *ids, size_t nids);
/* Reads the file header, attrs and feature sections. Sets *data_off/end. */
int pd_read_header(struct conv *c, uint64_t *data_off, uint64_t *data_end, bool *unfinished, char *why,
		   size_t why_len);
/* Names every attr: EVENT_DESC's name, else the event's usual one. */
void pd_name_attrs(struct conv *c);

#endif

/* sonde.data: sonde's own recording format (documented in docs/format.md).
 *
 * A 16-byte file header, then a stream of records. Each record is
 *   u32 type, u32 payload_size (little-endian), payload
 * and payloads encode integers as LEB128 varints, so the stream can be read
 * up to the last complete record when a recording was cut short. */
#ifndef SONDE_PROFILE_FORMAT_H
#define SONDE_PROFILE_FORMAT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SONDE_DATA_MAGIC "SONDEDAT"
#define SONDE_DATA_MAJOR 1
#define SONDE_DATA_MINOR 1
#define SONDE_DATA_HEADER_SIZE 16
/* Records larger than this are corrupt (a stack of 65536 frames fits easily). */
#define SONDE_MAX_RECORD (16u << 20)

enum sd_record_type {
	SD_META = 1,   /* key/value strings describing the recording */
	SD_MMAP = 2,   /* an executable mapping appeared in a process */
	SD_COMM = 3,   /* a thread was named, or exec'd */
	SD_FORK = 4,   /* a process or thread was created */
	SD_EXIT = 5,   /* a process or thread ended */
	SD_STACK = 6,  /* an interned call chain */
	SD_SAMPLE = 7, /* one sample, referencing a stack */
	SD_LOST = 8,   /* samples the kernel dropped */
	SD_FINISH = 9, /* the recording ended normally; totals and exit status */
	SD_USER_STACK = 10, /* (1.1, --keep-stacks) registers + stack copy of the next sample */
};
#define SD_LAST_TYPE SD_USER_STACK

struct sd_meta {
	size_t n;
	char **keys, **vals;
};

struct sd_mmap {
	uint64_t time;
	uint32_t pid, tid;
	uint64_t start, len, pgoff;
	uint32_t prot, flags;
	uint8_t build_id_len;
	uint8_t build_id[20];
	const char *filename; /* borrowed: valid until the next read */
};

struct sd_comm {
	uint64_t time;
	uint32_t pid, tid;
	bool exec;
	const char *comm; /* borrowed */
};

/* FORK and EXIT share a layout, as in perf. */
struct sd_task {
	uint64_t time;
	uint32_t pid, ppid, tid, ptid;
};

/* A call chain, innermost frame first. The first `nr_kernel` addresses are
 * kernel addresses, the rest user addresses. frames[0] is the sampled IP.
 * Later frames are return addresses (the caller looks symbols up at addr-1). */
struct sd_stack {
	uint64_t id;
	uint32_t nr, nr_kernel;
	uint64_t *frames; /* borrowed */
	bool truncated;   /* the unwinder ran out of stack copy */
};

struct sd_sample {
	uint64_t time;
	uint32_t pid, tid, cpu;
	uint64_t period;
	uint64_t stack_id;
	uint8_t cpumode; /* PERF_RECORD_MISC_* cpumode of the sample */
};

struct sd_lost {
	uint64_t time;
	uint64_t lost;
};

/* The raw material of a DWARF-unwound sample, kept on request so that a
 * later sonde can unwind it again. regs are perf's sample_regs_user layout. */
struct sd_user_stack {
	uint64_t regs_mask;
	uint32_t nregs;
	const uint64_t *regs;  /* borrowed */
	const uint8_t *data;   /* borrowed: the stack copy from the sampled sp */
	size_t len;
};

struct sd_finish {
	uint64_t time;
	uint64_t samples, lost;
	int32_t exit_status; /* wait status as returned by waitpid, or -1 (attach mode) */
};

/* ---- writing ---- */

struct sd_writer;

/* Opens `path` for writing ("-" is stdout). Returns NULL with errno set. */
struct sd_writer *sd_writer_open(const char *path);
/* Writes to an open descriptor, closed by sd_writer_close when own. */
struct sd_writer *sd_writer_fdopen(int fd, bool own);
/* Each returns 0, or -1 with errno set (e.g. ENOSPC); the first error sticks. */
int sd_write_meta(struct sd_writer *w, const char *key, const char *val);
int sd_write_mmap(struct sd_writer *w, const struct sd_mmap *m);
int sd_write_comm(struct sd_writer *w, const struct sd_comm *c);
int sd_write_fork(struct sd_writer *w, const struct sd_task *t);
int sd_write_exit(struct sd_writer *w, const struct sd_task *t);
/* Interns the chain: returns its id (writing an SD_STACK record the first
 * time this exact chain is seen). Returns UINT64_MAX on write error. */
uint64_t sd_intern_stack(struct sd_writer *w, const uint64_t *frames, uint32_t nr, uint32_t nr_kernel,
			 bool truncated);
int sd_write_sample(struct sd_writer *w, const struct sd_sample *s);
int sd_write_lost(struct sd_writer *w, const struct sd_lost *l);
int sd_write_finish(struct sd_writer *w, const struct sd_finish *f);
int sd_write_user_stack(struct sd_writer *w, const struct sd_user_stack *u);
int sd_writer_flush(struct sd_writer *w);
/* Flushes and closes; returns 0 or -1 with errno of the first error. */
int sd_writer_close(struct sd_writer *w);
uint64_t sd_writer_bytes(const struct sd_writer *w);

/* ---- reading ---- */

struct sd_record {
	enum sd_record_type type;
	union {
		struct sd_meta meta;
		struct sd_mmap mmap;
		struct sd_comm comm;
		struct sd_task task;
		struct sd_stack stack;
		struct sd_sample sample;
		struct sd_lost lost;
		struct sd_finish finish;
		struct sd_user_stack ustack;
	} u;
};

enum sd_read_status {
	SD_OK = 0,
	SD_END = 1,       /* clean end of file */
	SD_TRUNCATED = 2, /* the file ends inside a record */
	SD_CORRUPT = 3,   /* a record's contents do not decode */
};

struct sd_reader;

/* Opens and checks the header. On failure returns NULL and writes a one-line
 * reason (without the program prefix) into `why`. */
struct sd_reader *sd_reader_open(const char *path, char *why, size_t why_len);
/* Same, over a memory buffer (used by fuzzing). The buffer must outlive the reader. */
struct sd_reader *sd_reader_open_mem(const void *data, size_t len, char *why, size_t why_len);
/* Reads the next record; unknown record types are skipped (forward compatible). */
enum sd_read_status sd_read(struct sd_reader *r, struct sd_record *rec);
uint64_t sd_reader_offset(const struct sd_reader *r);
unsigned sd_reader_minor(const struct sd_reader *r);
void sd_reader_close(struct sd_reader *r);

/* True if the file starts like a Linux perf.data file ("PERFILE2"). */
bool sd_is_perf_data(const char *path);

#endif

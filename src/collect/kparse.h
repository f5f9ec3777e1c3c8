/* Decoding the kernel's perf ring-buffer records (pure functions, no I/O).
 * Records are passed as a contiguous copy: header first, `size` bytes. */
#ifndef SONDE_COLLECT_KPARSE_H
#define SONDE_COLLECT_KPARSE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The sample_id trailer fields we ask for (sample_id_all). */
struct kid {
	uint32_t pid, tid, cpu;
	uint64_t time;
};

struct ksample {
	uint64_t ip, id; /* id: PERF_SAMPLE_IDENTIFIER's or PERF_SAMPLE_ID's */
	uint32_t pid, tid, cpu;
	uint64_t time, period;
	uint64_t nr;          /* callchain entries (0 without PERF_SAMPLE_CALLCHAIN) */
	const unsigned char *ips; /* nr u64s, possibly unaligned */
	/* PERF_SAMPLE_REGS_USER: abi (0 = no registers, e.g. a kernel thread)
	 * and nregs u64s in register-number order, possibly unaligned. */
	uint64_t regs_abi;
	const unsigned char *regs;
	uint32_t nregs;
	/* PERF_SAMPLE_STACK_USER: the copy, and how much of it is valid. */
	const unsigned char *stack;
	uint64_t stack_size, stack_dyn_size;
	uint8_t cpumode;
};

struct kmmap2 {
	uint32_t pid, tid;
	uint64_t addr, len, pgoff;
	uint32_t prot, flags;
	uint8_t build_id_len;
	uint8_t build_id[20];
	/* the inode mapped, when the kernel gave no build-id (else 0) */
	uint32_t maj, min;
	uint64_t ino, ino_generation;
	const char *filename; /* points into the record */
	size_t filename_len;
};

struct kcomm {
	uint32_t pid, tid;
	bool exec;
	const char *comm;
	size_t comm_len;
};

struct ktask {
	uint32_t pid, ppid, tid, ptid;
	uint64_t time;
};

/* Size of the sample_id trailer for this sample_type. */
size_t kparse_trailer_size(uint64_t sample_type);
/* Reads the sample_id trailer of a non-sample record. Returns 0 or -1. */
int kparse_trailer(const unsigned char *rec, size_t size, uint64_t sample_type, struct kid *id);
/* Timestamp of any record (sample or side-band), 0 if it has none. */
uint64_t kparse_time(const unsigned char *rec, size_t size, uint64_t sample_type);

/* What the layout of a sample depends on: its event's attr fields. */
struct ksample_layout {
	uint64_t sample_type;
	uint64_t regs_user;          /* attr.sample_regs_user */
	uint64_t read_format;        /* attr.read_format (PERF_SAMPLE_READ) */
	uint64_t branch_sample_type; /* attr.branch_sample_type (PERF_SAMPLE_BRANCH_STACK) */
};
/* Decodes a sample's fields up to STACK_USER (later ones are not needed):
 * the one parser of sample records, for the recorder's ring buffers and
 * for perf.data files. Returns 0, or -1 when the record is too short for
 * its layout. */
int kparse_sample_layout(const unsigned char *rec, size_t size, const struct ksample_layout *l, struct ksample *s);
int kparse_sample(const unsigned char *rec, size_t size, uint64_t sample_type, struct ksample *s);
/* The same with REGS_USER (regs_mask = attr.sample_regs_user) and STACK_USER. */
int kparse_sample_regs(const unsigned char *rec, size_t size, uint64_t sample_type, uint64_t regs_mask,
		       struct ksample *s);
int kparse_mmap2(const unsigned char *rec, size_t size, uint64_t sample_type, struct kmmap2 *m);
int kparse_comm(const unsigned char *rec, size_t size, uint64_t sample_type, struct kcomm *c);
int kparse_task(const unsigned char *rec, size_t size, struct ktask *t);
/* PERF_RECORD_LOST: number of lost samples. */
int kparse_lost(const unsigned char *rec, size_t size, uint64_t *lost);

/* Splits a kernel callchain at its PERF_CONTEXT_* markers into sonde's shape:
 * kernel frames first, then user frames, leaf first, markers dropped, guest
 * and hypervisor frames dropped. Entries before any marker belong to the
 * context given by cpumode. If nothing is left, the chain is just `ip`.
 * Writes at most `max` frames to out and returns the count; *nr_kernel gets
 * the number of kernel frames. */
uint32_t split_callchain(const uint64_t *ips, uint64_t nr, uint64_t ip, uint8_t cpumode, uint64_t *out,
			 uint32_t max, uint32_t *nr_kernel);

#endif

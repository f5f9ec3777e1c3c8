/* Decoding kernel perf records. Reads go through memcpy: records copied out of
 * the ring buffer need not be aligned. */
#include "collect/kparse.h"

#include <linux/perf_event.h>
#include <string.h>

#include "util/unaligned.h"

size_t kparse_trailer_size(uint64_t sample_type)
{
	size_t n = 0;
	static const uint64_t bits[] = { PERF_SAMPLE_TID,       PERF_SAMPLE_TIME, PERF_SAMPLE_ID,
					 PERF_SAMPLE_STREAM_ID, PERF_SAMPLE_CPU,  PERF_SAMPLE_IDENTIFIER };
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (sample_type & bits[i])
			n += 8;
	return n;
}

int kparse_trailer(const unsigned char *rec, size_t size, uint64_t sample_type, struct kid *id)
{
	memset(id, 0, sizeof(*id));
	size_t n = kparse_trailer_size(sample_type);
	if (size < sizeof(struct perf_event_header) + n)
		return -1;
	const unsigned char *p = rec + size - n;
	if (sample_type & PERF_SAMPLE_TID) {
		id->pid = rd32(p);
		id->tid = rd32(p + 4);
		p += 8;
	}
	if (sample_type & PERF_SAMPLE_TIME) {
		id->time = rd64(p);
		p += 8;
	}
	if (sample_type & PERF_SAMPLE_ID)
		p += 8;
	if (sample_type & PERF_SAMPLE_STREAM_ID)
		p += 8;
	if (sample_type & PERF_SAMPLE_CPU)
		id->cpu = rd32(p);
	return 0;
}

int kparse_sample_regs(const unsigned char *rec, size_t size, uint64_t sample_type, uint64_t regs_mask,
		       struct ksample *s)
{
	memset(s, 0, sizeof(*s));
	const unsigned char *p = rec + sizeof(struct perf_event_header), *end = rec + size;
	if (size < sizeof(struct perf_event_header))
		return -1;
	struct perf_event_header h;
	memcpy(&h, rec, sizeof(h));
	s->cpumode = h.misc & PERF_RECORD_MISC_CPUMODE_MASK;
#define NEED(n)                                 \
	do {                                    \
		if ((size_t)(end - p) < (size_t)(n)) \
			return -1;              \
	} while (0)
	if (sample_type & PERF_SAMPLE_IDENTIFIER) {
		NEED(8);
		p += 8;
	}
	if (sample_type & PERF_SAMPLE_IP) {
		NEED(8);
		s->ip = rd64(p);
		p += 8;
	}
	if (sample_type & PERF_SAMPLE_TID) {
		NEED(8);
		s->pid = rd32(p);
		s->tid = rd32(p + 4);
		p += 8;
	}
	if (sample_type & PERF_SAMPLE_TIME) {
		NEED(8);
		s->time = rd64(p);
		p += 8;
	}
	if (sample_type & PERF_SAMPLE_ADDR) {
		NEED(8);
		p += 8;
	}
	if (sample_type & PERF_SAMPLE_ID) {
		NEED(8);
		p += 8;
	}
	if (sample_type & PERF_SAMPLE_STREAM_ID) {
		NEED(8);
		p += 8;
	}
	if (sample_type & PERF_SAMPLE_CPU) {
		NEED(8);
		s->cpu = rd32(p);
		p += 8;
	}
	if (sample_type & PERF_SAMPLE_PERIOD) {
		NEED(8);
		s->period = rd64(p);
		p += 8;
	}
	if (sample_type & PERF_SAMPLE_READ)
		return -1; /* not requested by sonde; layout depends on read_format */
	if (sample_type & PERF_SAMPLE_CALLCHAIN) {
		NEED(8);
		uint64_t nr = rd64(p);
		p += 8;
		if (nr > (uint64_t)(end - p) / 8)
			return -1;
		s->nr = nr;
		s->ips = p;
		p += nr * 8;
	}
	if (sample_type & PERF_SAMPLE_RAW) {
		NEED(4);
		uint32_t n = rd32(p);
		p += 4;
		NEED(n);
		p += n;
	}
	if (sample_type & PERF_SAMPLE_BRANCH_STACK)
		return -1; /* not requested by sonde; layout depends on branch_sample_type */
	if (sample_type & PERF_SAMPLE_REGS_USER) {
		NEED(8);
		s->regs_abi = rd64(p);
		p += 8;
		if (s->regs_abi) { /* no registers follow when abi is NONE */
			size_t n = (size_t)__builtin_popcountll(regs_mask);
			NEED(n * 8);
			s->regs = p;
			s->nregs = (uint32_t)n;
			p += n * 8;
		}
	}
	if (sample_type & PERF_SAMPLE_STACK_USER) {
		NEED(8);
		uint64_t n = rd64(p);
		p += 8;
		if (n) { /* data[n] then dyn_size; nothing follows a zero size */
			NEED(n);
			s->stack = p;
			s->stack_size = n;
			p += n;
			NEED(8);
			s->stack_dyn_size = rd64(p);
			if (s->stack_dyn_size > n)
				s->stack_dyn_size = n;
			p += 8;
		}
	}
#undef NEED
	return 0;
}

int kparse_sample(const unsigned char *rec, size_t size, uint64_t sample_type, struct ksample *s)
{
	return kparse_sample_regs(rec, size, sample_type, 0, s);
}

uint64_t kparse_time(const unsigned char *rec, size_t size, uint64_t sample_type)
{
	struct perf_event_header h;
	if (size < sizeof(h))
		return 0;
	memcpy(&h, rec, sizeof(h));
	if (h.type == PERF_RECORD_SAMPLE) {
		struct ksample s;
		/* the time comes early: skip decoding the variable-size tail */
		uint64_t head = sample_type & ~(uint64_t)(PERF_SAMPLE_CALLCHAIN | PERF_SAMPLE_RAW | PERF_SAMPLE_BRANCH_STACK |
							  PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER);
		return kparse_sample(rec, size, head, &s) ? 0 : s.time;
	}
	struct kid id;
	return kparse_trailer(rec, size, sample_type, &id) ? 0 : id.time;
}

int kparse_mmap2(const unsigned char *rec, size_t size, uint64_t sample_type, struct kmmap2 *m)
{
	memset(m, 0, sizeof(*m));
	const size_t fixed = 8 + 8 + 8 * 3 + 24 + 8; /* header, pid/tid, addr/len/pgoff, union, prot/flags */
	size_t trailer = kparse_trailer_size(sample_type);
	if (size < fixed + trailer)
		return -1;
	struct perf_event_header h;
	memcpy(&h, rec, sizeof(h));
	const unsigned char *p = rec + 8;
	m->pid = rd32(p);
	m->tid = rd32(p + 4);
	m->addr = rd64(p + 8);
	m->len = rd64(p + 16);
	m->pgoff = rd64(p + 24);
	if (h.misc & PERF_RECORD_MISC_MMAP_BUILD_ID) {
		uint8_t n = p[32];
		if (n > 20)
			n = 20;
		m->build_id_len = n;
		memcpy(m->build_id, p + 36, n);
	} else {
		m->maj = rd32(p + 32);
		m->min = rd32(p + 36);
		m->ino = rd64(p + 40);
		m->ino_generation = rd64(p + 48);
	}
	m->prot = rd32(p + 56);
	m->flags = rd32(p + 60);
	m->filename = (const char *)(p + 64);
	m->filename_len = strnlen(m->filename, size - fixed - trailer);
	return 0;
}

int kparse_comm(const unsigned char *rec, size_t size, uint64_t sample_type, struct kcomm *c)
{
	memset(c, 0, sizeof(*c));
	size_t trailer = kparse_trailer_size(sample_type);
	if (size < 16 + trailer)
		return -1;
	struct perf_event_header h;
	memcpy(&h, rec, sizeof(h));
	c->pid = rd32(rec + 8);
	c->tid = rd32(rec + 12);
	c->exec = (h.misc & PERF_RECORD_MISC_COMM_EXEC) != 0;
	c->comm = (const char *)(rec + 16);
	c->comm_len = strnlen(c->comm, size - 16 - trailer);
	return 0;
}

int kparse_task(const unsigned char *rec, size_t size, struct ktask *t)
{
	if (size < 8 + 24)
		return -1;
	t->pid = rd32(rec + 8);
	t->ppid = rd32(rec + 12);
	t->tid = rd32(rec + 16);
	t->ptid = rd32(rec + 20);
	t->time = rd64(rec + 24);
	return 0;
}

int kparse_lost(const unsigned char *rec, size_t size, uint64_t *lost)
{
	struct perf_event_header h;
	if (size < 8)
		return -1;
	memcpy(&h, rec, sizeof(h));
	if (h.type == PERF_RECORD_LOST_SAMPLES) {
		if (size < 16)
			return -1;
		*lost = rd64(rec + 8);
		return 0;
	}
	if (size < 24)
		return -1;
	*lost = rd64(rec + 16);
	return 0;
}

enum ctx { CTX_KERNEL, CTX_USER, CTX_OTHER };

uint32_t split_callchain(const uint64_t *ips, uint64_t nr, uint64_t ip, uint8_t cpumode, uint64_t *out,
			 uint32_t max, uint32_t *nr_kernel)
{
	uint32_t n = 0;
	enum ctx start = cpumode == PERF_RECORD_MISC_KERNEL ? CTX_KERNEL
			 : cpumode == PERF_RECORD_MISC_USER   ? CTX_USER
							      : CTX_OTHER;
	/* Two passes: kernel frames, then user frames. */
	for (int pass = 0; pass < 2; pass++) {
		enum ctx want = pass == 0 ? CTX_KERNEL : CTX_USER, cur = start;
		for (uint64_t i = 0; i < nr; i++) {
			uint64_t a = ips[i];
			if (a >= (uint64_t)PERF_CONTEXT_MAX) {
				cur = a == (uint64_t)PERF_CONTEXT_KERNEL ? CTX_KERNEL
				      : a == (uint64_t)PERF_CONTEXT_USER ? CTX_USER
									 : CTX_OTHER;
				continue;
			}
			if (cur == want && n < max)
				out[n++] = a;
		}
		if (pass == 0)
			*nr_kernel = n;
	}
	if (n == 0 && max > 0) {
		out[n++] = ip;
		*nr_kernel = cpumode == PERF_RECORD_MISC_KERNEL ? 1 : 0;
	}
	return n;
}

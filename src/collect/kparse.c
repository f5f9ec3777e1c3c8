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

#define BRANCH_HW_INDEX (1ull << 17) /* PERF_SAMPLE_BRANCH_HW_INDEX (newer kernel headers) */

int kparse_sample_layout(const unsigned char *rec, size_t size, const struct ksample_layout *l, struct ksample *s)
{
	memset(s, 0, sizeof(*s));
	if (size < sizeof(struct perf_event_header))
		return -1;
	const unsigned char *p = rec + sizeof(struct perf_event_header), *end = rec + size;
	uint64_t st = l->sample_type;
	struct perf_event_header h;
	memcpy(&h, rec, sizeof(h));
	s->cpumode = h.misc & PERF_RECORD_MISC_CPUMODE_MASK;
#define NEED(n)                                          \
	do {                                             \
		if ((uint64_t)(end - p) < (uint64_t)(n)) \
			return -1;                       \
	} while (0)
#define U64(dst)               \
	do {                   \
		NEED(8);       \
		dst = rd64(p); \
		p += 8;        \
	} while (0)
	uint64_t skip;
	if (st & PERF_SAMPLE_IDENTIFIER)
		U64(s->id);
	if (st & PERF_SAMPLE_IP)
		U64(s->ip);
	if (st & PERF_SAMPLE_TID) {
		NEED(8);
		s->pid = rd32(p);
		s->tid = rd32(p + 4);
		p += 8;
	}
	if (st & PERF_SAMPLE_TIME)
		U64(s->time);
	if (st & PERF_SAMPLE_ADDR)
		U64(skip);
	if (st & PERF_SAMPLE_ID)
		U64(s->id);
	if (st & PERF_SAMPLE_STREAM_ID)
		U64(skip);
	if (st & PERF_SAMPLE_CPU) {
		NEED(8);
		s->cpu = rd32(p);
		p += 8;
	}
	if (st & PERF_SAMPLE_PERIOD)
		U64(s->period);
	if (st & PERF_SAMPLE_READ) {
		uint64_t rf = l->read_format;
		uint64_t per = 1 + !!(rf & PERF_FORMAT_ID) + !!(rf & PERF_FORMAT_LOST);
		uint64_t fixed = !!(rf & PERF_FORMAT_TOTAL_TIME_ENABLED) + !!(rf & PERF_FORMAT_TOTAL_TIME_RUNNING);
		if (rf & PERF_FORMAT_GROUP) {
			uint64_t nr;
			U64(nr);
			if (nr > (uint64_t)(end - p) / 8 / per)
				return -1;
			NEED(8 * (fixed + nr * per));
			p += 8 * (fixed + nr * per);
		} else {
			NEED(8 * (fixed + per));
			p += 8 * (fixed + per);
		}
	}
	if (st & PERF_SAMPLE_CALLCHAIN) {
		uint64_t nr;
		U64(nr);
		if (nr > (uint64_t)(end - p) / 8)
			return -1;
		s->nr = nr;
		s->ips = p;
		p += nr * 8;
	}
	if (st & PERF_SAMPLE_RAW) {
		NEED(4);
		uint32_t n = rd32(p);
		p += 4;
		NEED(n);
		p += n;
	}
	if (st & PERF_SAMPLE_BRANCH_STACK) {
		uint64_t nr;
		U64(nr);
		if (l->branch_sample_type & BRANCH_HW_INDEX)
			U64(skip);
		if (nr > (uint64_t)(end - p) / 24)
			return -1;
		p += nr * 24;
	}
	if (st & PERF_SAMPLE_REGS_USER) {
		U64(s->regs_abi);
		if (s->regs_abi) { /* no registers follow when abi is NONE */
			uint32_t n = (uint32_t)__builtin_popcountll(l->regs_user);
			NEED((uint64_t)n * 8);
			s->nregs = n;
			s->regs = p;
			p += (size_t)n * 8;
		}
	}
	if (st & PERF_SAMPLE_STACK_USER) {
		U64(s->stack_size);
		if (s->stack_size) { /* data[n] then dyn_size; nothing follows a zero size */
			NEED(s->stack_size);
			s->stack = p;
			p += s->stack_size;
			U64(s->stack_dyn_size);
			if (s->stack_dyn_size > s->stack_size)
				s->stack_dyn_size = s->stack_size;
		}
	}
	(void)skip;
#undef U64
#undef NEED
	return 0;
}

int kparse_sample_regs(const unsigned char *rec, size_t size, uint64_t sample_type, uint64_t regs_mask,
		       struct ksample *s)
{
	struct ksample_layout l = { sample_type, regs_mask, 0, 0 };
	return kparse_sample_layout(rec, size, &l, s);
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

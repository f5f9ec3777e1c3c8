/* sonde.data writer/reader round trips, truncation and corruption. */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "profile/format.h"
#include "unit.h"
#include "util/die.h"

static char path[256];

static void write_sample_file(void)
{
	struct sd_writer *w = sd_writer_open(path);
	sd_write_meta(w, "event", "cpu-clock");
	struct sd_mmap m = { .time = 5, .pid = 10, .tid = 10, .start = 0x400000, .len = 0x1000, .pgoff = 0,
			     .build_id_len = 3, .build_id = { 1, 2, 3 }, .filename = "/bin/x" };
	sd_write_mmap(w, &m);
	struct sd_comm c = { .time = 6, .pid = 10, .tid = 11, .exec = true, .comm = "worker" };
	sd_write_comm(w, &c);
	uint64_t frames[] = { 0xffffffff81000000ULL, 0x400123, 0x400050 };
	uint64_t id = sd_intern_stack(w, frames, 3, 1, false);
	uint64_t id2 = sd_intern_stack(w, frames, 3, 1, false);
	uint64_t id3 = sd_intern_stack(w, frames + 1, 2, 0, true);
	struct sd_sample s = { .time = 100, .pid = 10, .tid = 11, .cpu = 1, .period = 1000, .stack_id = id };
	sd_write_sample(w, &s);
	s.time = 90; /* out of order on purpose: deltas may be negative */
	s.stack_id = id3;
	sd_write_sample(w, &s);
	struct sd_lost l = { 120, 7 };
	sd_write_lost(w, &l);
	struct sd_finish f = { 200, 2, 7, 139 };
	sd_write_finish(w, &f);
	CHECK(id == id2);
	CHECK(id != id3);
	CHECK(sd_writer_close(w) == 0);
}

static void test_round_trip(void)
{
	write_sample_file();
	char why[200];
	struct sd_reader *r = sd_reader_open(path, why, sizeof(why));
	CHECK(r);
	struct sd_record rec;
	CHECK(sd_read(r, &rec) == SD_OK && rec.type == SD_META);
	CHECK_STR(rec.u.meta.keys[0], "event");
	CHECK_STR(rec.u.meta.vals[0], "cpu-clock");
	CHECK(sd_read(r, &rec) == SD_OK && rec.type == SD_MMAP);
	CHECK_INT(rec.u.mmap.start, 0x400000);
	CHECK_INT(rec.u.mmap.build_id_len, 3);
	CHECK_STR(rec.u.mmap.filename, "/bin/x");
	CHECK(sd_read(r, &rec) == SD_OK && rec.type == SD_COMM);
	CHECK(rec.u.comm.exec);
	CHECK_STR(rec.u.comm.comm, "worker");
	CHECK(sd_read(r, &rec) == SD_OK && rec.type == SD_STACK);
	CHECK_INT(rec.u.stack.nr, 3);
	CHECK_INT(rec.u.stack.nr_kernel, 1);
	CHECK(rec.u.stack.frames[0] == 0xffffffff81000000ULL);
	CHECK_INT(rec.u.stack.frames[2], 0x400050);
	CHECK(sd_read(r, &rec) == SD_OK && rec.type == SD_STACK);
	CHECK(rec.u.stack.truncated);
	CHECK(sd_read(r, &rec) == SD_OK && rec.type == SD_SAMPLE);
	CHECK_INT(rec.u.sample.time, 100);
	CHECK_INT(rec.u.sample.tid, 11);
	CHECK(sd_read(r, &rec) == SD_OK && rec.type == SD_SAMPLE);
	CHECK_INT(rec.u.sample.time, 90);
	CHECK(sd_read(r, &rec) == SD_OK && rec.type == SD_LOST);
	CHECK_INT(rec.u.lost.lost, 7);
	CHECK(sd_read(r, &rec) == SD_OK && rec.type == SD_FINISH);
	CHECK_INT(rec.u.finish.exit_status, 139);
	CHECK(sd_read(r, &rec) == SD_END);
	sd_reader_close(r);
}

static void test_truncated_everywhere(void)
{
	/* Every prefix of a file reads as OK records then END or TRUNCATED, never worse. */
	write_sample_file();
	FILE *f = fopen(path, "rb");
	CHECK(f);
	unsigned char buf[4096];
	size_t len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	for (size_t cut = 0; cut < len; cut++) {
		char why[200];
		struct sd_reader *r = sd_reader_open_mem(buf, cut, why, sizeof(why));
		if (cut < SONDE_DATA_HEADER_SIZE) {
			CHECK(!r);
			continue;
		}
		CHECK(r);
		struct sd_record rec;
		enum sd_read_status st;
		while ((st = sd_read(r, &rec)) == SD_OK)
			;
		CHECK(st == SD_END || st == SD_TRUNCATED);
		sd_reader_close(r);
	}
}

static void test_header_checks(void)
{
	char why[200];
	unsigned char hdr[16] = "SONDEDAT";
	hdr[8] = 2; /* major version 2 */
	CHECK(!sd_reader_open_mem(hdr, sizeof(hdr), why, sizeof(why)));
	CHECK(strstr(why, "upgrade sonde"));
	CHECK(!sd_reader_open_mem("PERFILE2xxxxxxxxxxxxxxxx", 24, why, sizeof(why)));
	CHECK(strstr(why, "perf.data"));
	CHECK(!sd_reader_open_mem("", 0, why, sizeof(why)));
	CHECK(strstr(why, "empty"));
	CHECK(!sd_reader_open("/nonexistent/x", why, sizeof(why)));
}

static void test_corrupt_record(void)
{
	unsigned char buf[64] = "SONDEDAT";
	buf[8] = 1;
	/* a SAMPLE record whose payload is a truncated varint */
	uint32_t hdr[2] = { SD_SAMPLE, 2 };
	memcpy(buf + 16, hdr, 8);
	buf[24] = 0x80;
	buf[25] = 0x80;
	char why[200];
	struct sd_reader *r = sd_reader_open_mem(buf, 26, why, sizeof(why));
	CHECK(r);
	struct sd_record rec;
	CHECK(sd_read(r, &rec) == SD_CORRUPT);
	sd_reader_close(r);
	/* an unknown record type from a newer minor version is skipped */
	uint32_t unk[2] = { 77, 1 };
	memcpy(buf + 16, unk, 8);
	buf[24] = 0;
	r = sd_reader_open_mem(buf, 25, why, sizeof(why));
	CHECK(r);
	CHECK(sd_read(r, &rec) == SD_END);
	sd_reader_close(r);
}

static void test_user_stack(void)
{
	struct sd_writer *w = sd_writer_open(path);
	uint64_t regs[3] = { 0x401000, 0x7ffc0000, 0xffffffffffffffffULL };
	uint8_t stack[40];
	for (int i = 0; i < 40; i++)
		stack[i] = (uint8_t)i;
	struct sd_user_stack u = { 0x1c0, 3, regs, stack, sizeof(stack) };
	CHECK(sd_write_user_stack(w, &u) == 0);
	CHECK(sd_writer_close(w) == 0);
	char why[200];
	struct sd_reader *r = sd_reader_open(path, why, sizeof(why));
	CHECK(r);
	struct sd_record rec;
	CHECK(sd_read(r, &rec) == SD_OK && rec.type == SD_USER_STACK);
	CHECK(rec.u.ustack.regs_mask == 0x1c0);
	CHECK_INT(rec.u.ustack.nregs, 3);
	CHECK(rec.u.ustack.regs[2] == 0xffffffffffffffffULL);
	CHECK_INT(rec.u.ustack.len, 40);
	CHECK_INT(rec.u.ustack.data[39], 39);
	CHECK(sd_read(r, &rec) == SD_END);
	sd_reader_close(r);
}

static void test_full_disk(void)
{
	struct sd_writer *w = sd_writer_open("/dev/full");
	CHECK(w);
	for (int i = 0; i < 10000; i++)
		sd_write_meta(w, "k", "some value to fill the buffer");
	CHECK(sd_writer_close(w) < 0);
	CHECK(errno == ENOSPC);
}

int main(void)
{
	snprintf(path, sizeof(path), "/tmp/sonde-test-format-%d.data", (int)getpid());
	RUN(test_round_trip);
	RUN(test_truncated_everywhere);
	RUN(test_header_checks);
	RUN(test_corrupt_record);
	RUN(test_user_stack);
	RUN(test_full_disk);
	unlink(path);
	UNIT_EXIT();
}

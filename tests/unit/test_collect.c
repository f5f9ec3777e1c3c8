/* Pure logic of src/collect: event names, callchain splitting, kernel record
 * decoding, permission decisions, /proc/PID/maps lines, cpu lists. */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "binary/elf_symbols.h"
#include "collect/events.h"
#include "collect/kparse.h"
#include "collect/launch.h"
#include "collect/mapped_files.h"
#include "collect/permissions.h"
#include "collect/session.h"
#include "collect/synth.h"
#include "profile/format.h"
#include "unit.h"
#include "util/die.h"
#include "util/writable.h"

#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static void test_event_parse(void)
{
	struct event_spec e;
	char buf[64];
	CHECK_INT(event_parse("cycles", &e), 0);
	CHECK_INT(e.type, PERF_TYPE_HARDWARE);
	CHECK_INT(e.config, PERF_COUNT_HW_CPU_CYCLES);
	CHECK(!e.exclude_kernel && !e.exclude_user && !e.modifier);
	CHECK_STR(event_display(&e, buf, sizeof(buf)), "cycles");

	CHECK_INT(event_parse("cpu-clock:u", &e), 0);
	CHECK_INT(e.type, PERF_TYPE_SOFTWARE);
	CHECK_INT(e.config, PERF_COUNT_SW_CPU_CLOCK);
	CHECK(e.exclude_kernel && !e.exclude_user && e.modifier);
	CHECK_STR(event_display(&e, buf, sizeof(buf)), "cpu-clock:u");

	CHECK_INT(event_parse("cs:k", &e), 0);
	CHECK_INT(e.config, PERF_COUNT_SW_CONTEXT_SWITCHES);
	CHECK(e.exclude_user && !e.exclude_kernel);
	CHECK_STR(event_display(&e, buf, sizeof(buf)), "cs:k");

	CHECK_INT(event_parse("branch-misses", &e), 0);
	CHECK_INT(e.config, PERF_COUNT_HW_BRANCH_MISSES);
	CHECK_INT(event_parse("major-faults", &e), 0);
	CHECK_INT(e.config, PERF_COUNT_SW_PAGE_FAULTS_MAJ);

	CHECK_INT(event_parse("bogus", &e), -1);
	CHECK_INT(event_parse("cycles:x", &e), -1);
	CHECK_INT(event_parse("cycle", &e), -1);
	CHECK_INT(event_parse("", &e), -1);
	CHECK(strstr(event_valid_names(), "task-clock") != NULL);

	CHECK(event_err_unsupported(ENOENT) && event_err_unsupported(ENODEV));
	CHECK(event_err_unsupported(ENXIO) && event_err_unsupported(EOPNOTSUPP));
	CHECK(!event_err_unsupported(EACCES) && !event_err_unsupported(EINVAL));
}

#define K(x) (0xffffffff81000000ull + (x))

static void test_split_callchain(void)
{
	uint64_t out[16];
	uint32_t nk = 99;
	/* kernel part, then user part, as the kernel writes them */
	uint64_t ips[] = { PERF_CONTEXT_KERNEL, K(1), K(2), PERF_CONTEXT_USER, 0x401000, 0x402000, 0x403000 };
	uint32_t n = split_callchain(ips, 7, K(1), PERF_RECORD_MISC_KERNEL, out, 16, &nk);
	CHECK_INT(n, 5);
	CHECK_INT(nk, 2);
	CHECK(out[0] == K(1) && out[1] == K(2) && out[2] == 0x401000 && out[4] == 0x403000);

	/* user only */
	uint64_t u[] = { PERF_CONTEXT_USER, 0x401000, 0x402000 };
	n = split_callchain(u, 3, 0x401000, PERF_RECORD_MISC_USER, out, 16, &nk);
	CHECK_INT(n, 2);
	CHECK_INT(nk, 0);
	CHECK(out[0] == 0x401000 && out[1] == 0x402000);

	/* user part first in the array: still kernel frames first in the result */
	uint64_t rev[] = { PERF_CONTEXT_USER, 0x401000, PERF_CONTEXT_KERNEL, K(7) };
	n = split_callchain(rev, 4, K(7), PERF_RECORD_MISC_KERNEL, out, 16, &nk);
	CHECK_INT(n, 2);
	CHECK_INT(nk, 1);
	CHECK(out[0] == K(7) && out[1] == 0x401000);

	/* guest / hypervisor frames are dropped */
	uint64_t g[] = { PERF_CONTEXT_HV, 0x1234, PERF_CONTEXT_GUEST_USER, 0x5678, PERF_CONTEXT_USER, 0x401000 };
	n = split_callchain(g, 6, 0x401000, PERF_RECORD_MISC_USER, out, 16, &nk);
	CHECK_INT(n, 1);
	CHECK_INT(nk, 0);
	CHECK(out[0] == 0x401000);

	/* no markers: context from cpumode */
	uint64_t nm[] = { 0x401000, 0x402000 };
	n = split_callchain(nm, 2, 0x401000, PERF_RECORD_MISC_USER, out, 16, &nk);
	CHECK_INT(n, 2);
	CHECK_INT(nk, 0);

	/* empty chain: the IP alone */
	n = split_callchain(NULL, 0, K(3), PERF_RECORD_MISC_KERNEL, out, 16, &nk);
	CHECK_INT(n, 1);
	CHECK_INT(nk, 1);
	CHECK(out[0] == K(3));
	uint64_t only_markers[] = { PERF_CONTEXT_USER };
	n = split_callchain(only_markers, 1, 0x401000, PERF_RECORD_MISC_USER, out, 16, &nk);
	CHECK_INT(n, 1);
	CHECK_INT(nk, 0);

	/* output capacity respected */
	n = split_callchain(ips, 7, K(1), PERF_RECORD_MISC_KERNEL, out, 3, &nk);
	CHECK_INT(n, 3);
	CHECK_INT(nk, 2);
}

static void put64(unsigned char **p, uint64_t v)
{
	memcpy(*p, &v, 8);
	*p += 8;
}
static void put32(unsigned char **p, uint32_t v)
{
	memcpy(*p, &v, 4);
	*p += 4;
}

static const uint64_t ST = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU |
			   PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN;

static void test_kparse_sample(void)
{
	unsigned char buf[256], *p = buf + 8;
	put64(&p, 0x401234);           /* ip */
	put32(&p, 10), put32(&p, 11);  /* pid, tid */
	put64(&p, 123456789);          /* time */
	put32(&p, 1), put32(&p, 0);    /* cpu, res */
	put64(&p, 1000000);            /* period */
	put64(&p, 3);                  /* nr */
	put64(&p, PERF_CONTEXT_USER);
	put64(&p, 0x401234);
	put64(&p, 0x405000);
	struct perf_event_header h = { PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER, (uint16_t)(p - buf) };
	memcpy(buf, &h, sizeof(h));
	struct ksample s;
	CHECK_INT(kparse_sample(buf, h.size, ST, &s), 0);
	CHECK(s.ip == 0x401234 && s.pid == 10 && s.tid == 11 && s.time == 123456789);
	CHECK(s.cpu == 1 && s.period == 1000000 && s.nr == 3 && s.cpumode == PERF_RECORD_MISC_USER);
	CHECK_INT(kparse_time(buf, h.size, ST), 123456789);
	/* truncated record */
	CHECK_INT(kparse_sample(buf, h.size - 8, ST, &s), -1);
	/* callchain nr larger than the record */
	unsigned char bad[256];
	memcpy(bad, buf, h.size);
	uint64_t big = 1000;
	memcpy(bad + 48, &big, 8);
	CHECK_INT(kparse_sample(bad, h.size, ST, &s), -1);
}

static void test_kparse_sideband(void)
{
	unsigned char buf[256], *p = buf + 8;
	/* MMAP2 with build id */
	put32(&p, 10), put32(&p, 10);
	put64(&p, 0x400000), put64(&p, 0x2000), put64(&p, 0x1000);
	*p++ = 20, *p++ = 0, *p++ = 0, *p++ = 0;
	for (int i = 0; i < 20; i++)
		*p++ = (unsigned char)i;
	put32(&p, PROT_READ | PROT_EXEC), put32(&p, MAP_PRIVATE);
	memcpy(p, "/usr/bin/x\0\0\0\0\0\0", 16);
	p += 16;
	put32(&p, 10), put32(&p, 10); /* trailer: tid */
	put64(&p, 555);                /* time */
	put32(&p, 0), put32(&p, 0);    /* cpu */
	struct perf_event_header h = { PERF_RECORD_MMAP2, PERF_RECORD_MISC_MMAP_BUILD_ID, (uint16_t)(p - buf) };
	memcpy(buf, &h, sizeof(h));
	struct kmmap2 m;
	CHECK_INT(kparse_mmap2(buf, h.size, ST, &m), 0);
	CHECK(m.addr == 0x400000 && m.len == 0x2000 && m.pgoff == 0x1000 && m.pid == 10);
	CHECK_INT(m.build_id_len, 20);
	CHECK_INT(m.build_id[19], 19);
	CHECK_INT(m.prot, PROT_READ | PROT_EXEC);
	CHECK_INT(m.filename_len, 10);
	CHECK(!strncmp(m.filename, "/usr/bin/x", 10));
	CHECK_INT(kparse_time(buf, h.size, ST), 555);

	/* MMAP2 without a build-id names the inode */
	p = buf + 8 + 8 + 24;
	put32(&p, 8), put32(&p, 1), put64(&p, 123456), put64(&p, 7);
	h.misc = 0;
	memcpy(buf, &h, sizeof(h));
	CHECK_INT(kparse_mmap2(buf, h.size, ST, &m), 0);
	CHECK_INT(m.build_id_len, 0);
	CHECK(m.maj == 8 && m.min == 1 && m.ino == 123456 && m.ino_generation == 7);
	CHECK(!strncmp(m.filename, "/usr/bin/x", 10));

	/* COMM with exec flag */
	p = buf + 8;
	put32(&p, 7), put32(&p, 8);
	memcpy(p, "prog\0\0\0\0", 8);
	p += 8;
	put32(&p, 7), put32(&p, 8), put64(&p, 777), put32(&p, 1), put32(&p, 0);
	struct perf_event_header hc = { PERF_RECORD_COMM, PERF_RECORD_MISC_COMM_EXEC, (uint16_t)(p - buf) };
	memcpy(buf, &hc, sizeof(hc));
	struct kcomm c;
	CHECK_INT(kparse_comm(buf, hc.size, ST, &c), 0);
	CHECK(c.exec && c.pid == 7 && c.tid == 8 && c.comm_len == 4);
	struct kid id;
	CHECK_INT(kparse_trailer(buf, hc.size, ST, &id), 0);
	CHECK(id.time == 777 && id.cpu == 1 && id.tid == 8);

	/* LOST */
	p = buf + 8;
	put64(&p, 1), put64(&p, 42);
	put32(&p, 0), put32(&p, 0), put64(&p, 9), put32(&p, 0), put32(&p, 0);
	struct perf_event_header hl = { PERF_RECORD_LOST, 0, (uint16_t)(p - buf) };
	memcpy(buf, &hl, sizeof(hl));
	uint64_t lost = 0;
	CHECK_INT(kparse_lost(buf, hl.size, &lost), 0);
	CHECK_INT(lost, 42);
	CHECK_INT(kparse_trailer_size(ST), 24);
}

/* When the kernel gives no build-id, the recorder reads it from the
 * mapping (here: this test's own executable mapping). */
static void test_mapped_build_id(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	CHECK(f != NULL);
	char line[1024], self[1024] = "";
	uint64_t start = 0, end = 0, pgoff;
	uint32_t prot, flags;
	const char *path = NULL;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	CHECK(n > 0);
	self[n] = 0;
	while (fgets(line, sizeof(line), f))
		if (parse_maps_line(line, &start, &end, &pgoff, &prot, &flags, &path) && !strcmp(path, self))
			break;
	fclose(f);
	CHECK(path && !strcmp(path, self));
	uint8_t want[20], got[20];
	int fd;
	elf_version(EV_CURRENT);
	Elf *e = elf_open_file(self, &fd);
	size_t want_len = e ? elf_build_id(e, want, sizeof(want)) : 0;
	elf_close_file(e, fd);
	if (!want_len) {
		printf("SKIP test_mapped_build_id: this binary has no build-id\n");
		return;
	}
	struct stat st;
	CHECK(stat(self, &st) == 0);
	CHECK_INT(mapped_build_id((uint32_t)getpid(), start, end, self, st.st_dev, st.st_ino, got), want_len);
	CHECK(!memcmp(got, want, want_len));
	/* the process gone: the file at the path, if it is the inode mapped */
	const uint32_t gone = 0x7ffffff0;
	CHECK_INT(mapped_build_id(gone, start, end, self, st.st_dev, st.st_ino, got), want_len);
	CHECK_INT(mapped_build_id(gone, start, end, self, st.st_dev, st.st_ino + 1, got), 0);

	struct mapped_files mf = { 0 };
	struct kmmap2 k = { .maj = major(st.st_dev), .min = minor(st.st_dev), .ino = st.st_ino };
	struct sd_mmap sm = { .pid = gone, .start = start, .len = end - start, .filename = self };
	mapped_files_note(&mf, &sm, &k);
	CHECK_INT(sm.build_id_len, want_len);
	CHECK(!memcmp(sm.build_id, want, want_len));
	struct sd_mmap anon = { .pid = gone, .filename = "//anon" };
	mapped_files_note(&mf, &anon, &k);
	CHECK_INT(mf.list.files.n, 1);
	CHECK_STR(mf.list.files.v[0].path, self);
	mapped_files_free(&mf);
}

static void test_permissions(void)
{
	CHECK(perm_default_exclude_kernel(2, false));
	CHECK(perm_default_exclude_kernel(3, false));
	CHECK(!perm_default_exclude_kernel(2, true));
	CHECK(!perm_default_exclude_kernel(1, false));
	CHECK(!perm_default_exclude_kernel(-1, false));

	CHECK_INT(perm_after_error(EINVAL, false, false), PERM_NOT_PERMISSION);
	CHECK_INT(perm_after_error(EACCES, false, false), PERM_RETRY_USER);
	CHECK_INT(perm_after_error(EPERM, false, false), PERM_RETRY_USER);
	CHECK_INT(perm_after_error(EACCES, true, false), PERM_DENIED);
	CHECK_INT(perm_after_error(EACCES, false, true), PERM_DENIED); /* user asked for :k */

	char msg[512];
	perm_denied_message(msg, sizeof(msg), 3, false, false);
	CHECK(strstr(msg, "kernel.perf_event_paranoid=3") != NULL);
	CHECK(strstr(msg, "sudo sysctl kernel.perf_event_paranoid=1") != NULL);
	perm_denied_message(msg, sizeof(msg), 2, false, true);
	CHECK(strstr(msg, "sudo sysctl") != NULL);
	perm_denied_message(msg, sizeof(msg), 1, false, true);
	CHECK(strstr(msg, "sudo sysctl") == NULL);
}

static void test_maps_line(void)
{
	uint64_t s, e, off;
	uint32_t prot, flags;
	const char *path;
	char l1[] = "7f1c2a400000-7f1c2a595000 r-xp 00026000 fe:01 1316        /usr/lib/x86_64-linux-gnu/libc.so.6\n";
	CHECK(parse_maps_line(l1, &s, &e, &off, &prot, &flags, &path));
	CHECK(s == 0x7f1c2a400000ull && e == 0x7f1c2a595000ull && off == 0x26000);
	CHECK_INT(prot, PROT_READ | PROT_EXEC);
	CHECK_INT(flags, MAP_PRIVATE);
	CHECK_STR(path, "/usr/lib/x86_64-linux-gnu/libc.so.6");
	char l2[] = "7ffd1e5f3000-7ffd1e5f5000 r-xp 00000000 00:00 0                          [vdso]\n";
	CHECK(parse_maps_line(l2, &s, &e, &off, &prot, &flags, &path));
	CHECK_STR(path, "[vdso]");
	char l3[] = "7f0000000000-7f0000001000 rwxp 00000000 00:00 0 \n";
	CHECK(parse_maps_line(l3, &s, &e, &off, &prot, &flags, &path));
	CHECK_STR(path, "//anon");
	char l4[] = "55d4c8a00000-55d4c8a21000 rw-p 00000000 00:00 0                          [heap]\n";
	CHECK(!parse_maps_line(l4, &s, &e, &off, &prot, &flags, &path));
	char l5[] = "7f1c2a400000-7f1c2a595000 r-xp 00000000 fe:01 99 /tmp/with space (deleted)\n";
	CHECK(parse_maps_line(l5, &s, &e, &off, &prot, &flags, &path));
	CHECK_STR(path, "/tmp/with space (deleted)");
}

static void test_cpu_list(void)
{
	int *v = NULL;
	CHECK_INT(parse_cpu_list("0-3,5\n", &v), 5);
	CHECK(v[0] == 0 && v[3] == 3 && v[4] == 5);
	free(v);
	CHECK_INT(parse_cpu_list("0", &v), 1);
	free(v);
	CHECK_INT(parse_cpu_list("3-1", &v), -1);
	CHECK_INT(parse_cpu_list("x", &v), -1);
}

static void test_thousands(void)
{
	char b[32];
	CHECK_STR(fmt_thousands(0, b, sizeof(b)), "0");
	CHECK_STR(fmt_thousands(999, b, sizeof(b)), "999");
	CHECK_STR(fmt_thousands(1000, b, sizeof(b)), "1,000");
	CHECK_STR(fmt_thousands(12345, b, sizeof(b)), "12,345");
	CHECK_STR(fmt_thousands(1234567, b, sizeof(b)), "1,234,567");
}

/* What exec would say, known before anything is written. */
static void test_launch_check(void)
{
	char dir[] = "/tmp/sonde-test-launch.XXXXXX";
	CHECK(mkdtemp(dir));
	char *plain = xasprintf("%s/plain", dir), *script = xasprintf("%s/script", dir),
	     *bad = xasprintf("%s/bad", dir), *out = xasprintf("%s/out", dir),
	     *nodir = xasprintf("%s/nodir/out", dir);
	FILE *f = fopen(plain, "w");
	CHECK(f);
	fclose(f);
	f = fopen(script, "w");
	CHECK(f);
	fputs("#! /bin/sh -e\n", f);
	fclose(f);
	f = fopen(bad, "w");
	CHECK(f);
	fputs("#!/no/such/interpreter\n", f);
	fclose(f);
	chmod(script, 0755);
	chmod(bad, 0755);
	CHECK_INT(launch_check("sh"), 0);
	CHECK_INT(launch_check(script), 0);
	CHECK_INT(launch_check("no-such-command-for-sure"), ENOENT);
	CHECK_STR(launch_failure_reason("no-such-command-for-sure", ENOENT), "command not found");
	CHECK_INT(launch_check(plain), EACCES);
	CHECK_INT(launch_check(dir), EISDIR);
	CHECK_INT(launch_check(bad), ENOENT);
	CHECK_INT(launch_check(""), ENOENT);
	CHECK_INT(launch_exec_failure_status(ENOENT), 127);
	CHECK_INT(launch_exec_failure_status(EISDIR), 126);

	/* check_writable leaves no file, and an existing one as it was */
	CHECK_INT(check_writable(out), 0);
	CHECK(access(out, F_OK) != 0);
	CHECK_INT(check_writable(nodir), ENOENT);
	CHECK_INT(check_writable(dir), EISDIR);
	CHECK_INT(check_writable("-"), 0);
	f = fopen(out, "w");
	CHECK(f);
	fputs("keep", f);
	fclose(f);
	CHECK_INT(check_writable(out), 0);
	struct stat st;
	CHECK(stat(out, &st) == 0 && st.st_size == 4);

	unlink(plain), unlink(script), unlink(bad), unlink(out);
	rmdir(dir);
	free(plain), free(script), free(bad), free(out), free(nodir);
}

int main(void)
{
	RUN(test_event_parse);
	RUN(test_split_callchain);
	RUN(test_kparse_sample);
	RUN(test_kparse_sideband);
	RUN(test_mapped_build_id);
	RUN(test_permissions);
	RUN(test_maps_line);
	RUN(test_cpu_list);
	RUN(test_thousands);
	RUN(test_launch_check);
	UNIT_EXIT();
}

/* libFuzzer target: loading a whole recording into the model (reader,
 * replay of maps/comm/fork, stack resolution) from arbitrary bytes, written
 * to a file in $TMPDIR (default /tmp) that is removed at exit. The machine
 * is kept out: a small kallsyms of its own, no build-id caches (the
 * corpus's recordings name binaries that no longer exist, so nothing on
 * disk is symbolized and a run takes microseconds, not a libc's DWARF). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "profile/model.h"
#include "util/die.h"

static char path[4096], ksyms[4096];

static void remove_files(void)
{
	unlink(path);
	unlink(ksyms);
}

static void setup(void)
{
	const char *dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	int pid = (int)getpid();
	snprintf(path, sizeof(path), "%s/sonde-fuzz-profile-%d.data", dir, pid);
	snprintf(ksyms, sizeof(ksyms), "%s/sonde-fuzz-profile-%d.kallsyms", dir, pid);
	FILE *k = fopen(ksyms, "w");
	if (k) {
		fputs("ffffffff81000000 T _stext\nffffffff81001000 T do_syscall_64\n"
		      "ffffffff81002000 t asm_exc_page_fault\nffffffff81003000 T _etext\n"
		      "ffffffffc0000000 t mod_func\t[mod]\n",
		      k);
		fclose(k);
	}
	char none[4200];
	snprintf(none, sizeof(none), "%s/sonde-fuzz-profile-%d.no-cache", dir, pid);
	setenv("SONDE_KALLSYMS", ksyms, 1);
	setenv("SONDE_BUILDID_DIR", none, 1);
	setenv("PERF_BUILDID_DIR", none, 1);
	sonde_quiet = 1;
	atexit(remove_files);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!path[0])
		setup();
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	struct profile *p = profile_load(path, NULL);
	profile_free(p);
	return 0;
}

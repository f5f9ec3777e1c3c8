/* --trace-children=yes: an execve of an ELF program becomes an execve of
 * qemu-x86_64 with this engine and the same arguments, so the new program
 * is counted too (qemu 7.2 would run it natively). The guest's arguments
 * are read in place: guest addresses are host addresses (guest_base 0). */
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cg_plugin.h"
#include "qemu_plugin_v1.h"

/* An ELF program the kernel would run: a regular file we may execute
 * (else the guest's execve fails as it would natively, and its fallback
 * runs: EACCES on a non-executable file or a noexec mount). */
static bool is_elf(const char *path)
{
	char magic[4];
	struct stat st;
	if (access(path, X_OK) != 0 || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return false;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool elf = read(fd, magic, 4) == 4 && !memcmp(magic, "\177ELF", 4);
	close(fd);
	return elf;
}

static size_t count(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

bool cg_follow_exec(uint64_t path_addr, uint64_t argv_addr, uint64_t envp_addr, int64_t guest_base)
{
	const char *path = (const char *)(uintptr_t)path_addr;
	char *const *gargv = (char *const *)(uintptr_t)argv_addr, *const *genv = (char *const *)(uintptr_t)envp_addr;
	char qemu[PATH_MAX];
	Dl_info self;
	if (guest_base != 0 || !path || !is_elf(path) || !dladdr((void *)cg_follow_exec, &self) || !self.dli_fname)
		return false;
	ssize_t ql = readlink("/proc/self/exe", qemu, sizeof(qemu) - 1);
	if (ql <= 0)
		return false;
	qemu[ql] = 0;
	size_t na = count(gargv), ne = count(genv);
	char **av = calloc(na + 10, sizeof(*av)), **ev = calloc(ne + 2, sizeof(*ev));
	char *plugin = malloc(strlen(self.dli_fname) + strlen(cg_cfg.args) + 10);
	char *preload = malloc(strlen(self.dli_fname) + 12);
	if (!av || !ev || !plugin || !preload)
		goto fail;
	/* execd: its dump carries its own command line */
	sprintf(plugin, "%s,%s,execd=1", self.dli_fname, cg_cfg.args);
	sprintf(preload, "LD_PRELOAD=%s", self.dli_fname);
	const char *guest_preload = NULL;
	size_t e = 0;
	for (size_t i = 0; i < ne; i++) {
		if (!strncmp(genv[i], "LD_PRELOAD=", 11))
			guest_preload = genv[i];
		else
			ev[e++] = genv[i];
	}
	ev[e] = preload;
	size_t a = 0;
	av[a++] = qemu;
	av[a++] = guest_preload ? "-E" : "-U";
	av[a++] = guest_preload ? (char *)guest_preload : "LD_PRELOAD";
	av[a++] = "-plugin";
	av[a++] = plugin;
	av[a++] = "-0";
	av[a++] = na ? gargv[0] : (char *)path;
	av[a++] = (char *)path;
	for (size_t i = 1; i < na; i++)
		av[a++] = gargv[i];
	execve(qemu, av, ev);
fail:
	free(av);
	free(ev);
	free(plugin);
	free(preload);
	return false;
}

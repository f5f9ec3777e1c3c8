/* The executable's objects for -b (see coz_objects.h). */
#include "coz/coz_objects.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "binary/elf_symbols.h"
#include "coz/coz_scope.h"
#include "util/die.h"
#include "util/strbuf.h"

static char *real_or_copy(const char *path)
{
	char buf[PATH_MAX];
	return xstrdup(realpath(path, buf) ? buf : path);
}

/* PT_INTERP of the ELF at path, or NULL (static, or not an ELF). */
static char *interpreter(const char *path)
{
	elf_version(EV_CURRENT);
	int fd;
	Elf *elf = elf_open_file(path, &fd);
	if (!elf)
		return NULL;
	char *interp = NULL;
	size_t nph = 0, size = 0;
	const char *raw = elf_rawfile(elf, &size);
	if (raw && elf_getphdrnum(elf, &nph) == 0)
		for (size_t i = 0; i < nph && i < 65536 && !interp; i++) {
			GElf_Phdr ph;
			if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_INTERP && ph.p_offset < size &&
			    ph.p_filesz <= size - ph.p_offset && ph.p_filesz > 1)
				interp = xstrndup(raw + ph.p_offset, (size_t)ph.p_filesz);
		}
	elf_close_file(elf, fd);
	return interp;
}

/* INTERP --list EXE's standard output; false if it did not run cleanly. */
static bool list_needed(const char *interp, const char *exe, struct strbuf *out)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return false;
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(fds[1], 1);
		if (null >= 0)
			dup2(null, 2);
		execl(interp, interp, "--list", exe, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	if (pid > 0)
		sb_read_fd(out, fds[0]);
	close(fds[0]);
	int st;
	if (pid < 0)
		return false;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return false;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void add(coz_objs *objs, const char *name, bool main)
{
	struct coz_obj o = { xstrdup(name), real_or_copy(name), main, false };
	for (size_t i = 0; i < objs->n; i++)
		if (!strcmp(objs->v[i].real, o.real)) { /* the same file twice (the interpreter) */
			free(o.name);
			free(o.real);
			return;
		}
	vec_push(objs, o);
}

/* "\tNAME => PATH (0x...)", "\tNAME => not found", and "\tPATH (0x...)"
 * for a DT_NEEDED with a '/' (relative ones are to the working directory,
 * as for the loader) and the interpreter; "linux-vdso.so.1" is no file */
static void parse_list(coz_objs *objs, char *text)
{
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		line += strspn(line, " \t");
		char *arrow = strstr(line, " => ");
		char *path = arrow ? arrow + 4 : line;
		char *paren = strstr(path, " (0x");
		if (paren)
			*paren = 0;
		if (strchr(path, '/'))
			add(objs, path, false);
	}
}

void coz_objects_list(const char *exe, coz_objs *out)
{
	add(out, exe, true);
	char *interp = interpreter(exe);
	if (!interp)
		return;
	struct strbuf s = STRBUF_INIT;
	if (list_needed(interp, exe, &s) && s.len)
		parse_list(out, s.buf);
	sb_free(&s);
	free(interp);
}

bool coz_objects_pick(coz_objs *objs, const char *p)
{
	bool any = false;
	for (size_t i = 0; i < objs->n; i++) {
		struct coz_obj *o = &objs->v[i];
		if (o->main ? !strcmp(p, "MAIN") || coz_wildcard_match(p, o->real)
			    : coz_wildcard_match(p, o->real) || coz_wildcard_match(p, o->name))
			any = o->picked = true;
	}
	if (!any && !strchr(p, '%') && access(p, R_OK) == 0) {
		add(objs, p, false);
		objs->v[objs->n - 1].picked = true;
		any = true;
	}
	return any;
}

void coz_objects_free(coz_objs *objs)
{
	for (size_t i = 0; i < objs->n; i++) {
		free(objs->v[i].name);
		free(objs->v[i].real);
	}
	vec_free(objs);
}

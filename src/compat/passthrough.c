#include "compat/passthrough.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/path_search.h"
#include "util/strbuf.h"
#include "util/vec.h"

/* A decimal number at *p (digits only: no sign, no spaces); advances *p. */
static bool read_num(const char **p, uintmax_t *out)
{
	if (**p < '0' || **p > '9')
		return false;
	char *end;
	*out = strtoumax(*p, &end, 10);
	*p = end;
	return true;
}

size_t passthrough_parse_chain(const char *val, pid_t pid, pid_t ppid, const struct file_id *parent_exe,
			       struct file_ids *skip, bool *reentered)
{
	size_t hops = 0;
	*reentered = false;
	for (const char *p = val ? val : ""; *p;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		const char *tok = p;
		while (*p && *p != ' ' && *p != '@')
			p++;
		hops += *p == '@'; /* a program sonde ran: one hop */
		p = tok;
		uintmax_t dev, ino, by;
		bool ok = read_num(&p, &dev) && *p == ':';
		if (ok) {
			p++;
			ok = read_num(&p, &ino);
		}
		if (ok && *p == '@') {
			p++;
			/* still that program (it exec'd sonde), or a child of one
			 * that is no longer it (a wrapper script); a child of the
			 * real tool itself is its workload calling the tool again */
			bool parent_is_it = parent_exe && parent_exe->dev == (dev_t)dev && parent_exe->ino == (ino_t)ino;
			ok = read_num(&p, &by) && (by == (uintmax_t)pid || (by == (uintmax_t)ppid && !parent_is_it));
			*reentered |= ok && (*p == ' ' || !*p);
		}
		if (ok && (*p == ' ' || !*p)) {
			struct file_id id = { (dev_t)dev, (ino_t)ino };
			vec_push(skip, id);
		}
		while (*p && *p != ' ')
			p++;
	}
	return hops;
}

static bool is_skipped(const char *cand, const struct stat *st, void *arg)
{
	const struct file_ids *skip = arg;
	for (size_t i = 0; i < skip->n; i++)
		if (skip->v[i].dev == st->st_dev && skip->v[i].ino == st->st_ino)
			return true;
	(void)cand;
	return false;
}

char *passthrough_search(const char *path, const char *name, const struct file_ids *skip)
{
	return path_search(path, name, is_skipped, (void *)skip, NULL);
}

int passthrough_exec(const char *name, const char *what, const char *package, char **argv)
{
	struct file_ids skip = { 0 };
	const char *chain = getenv(PASSTHROUGH_ENV);
	bool reentered;
	struct stat pst;
	char parent[64];
	snprintf(parent, sizeof(parent), "/proc/%d/exe", (int)getppid());
	struct file_id parent_exe = { 0, 0 };
	bool parent_known = stat(parent, &pst) == 0;
	if (parent_known)
		parent_exe = (struct file_id){ pst.st_dev, pst.st_ino };
	size_t hops = passthrough_parse_chain(chain, getpid(), getppid(), parent_known ? &parent_exe : NULL, &skip,
					      &reentered);
	/* the chain goes on with this binary and the program it runs */
	struct strbuf next = STRBUF_INIT;
	if (chain && *chain)
		sb_addf(&next, "%s ", chain);
	struct stat st;
	if (stat("/proc/self/exe", &st) == 0) {
		struct file_id id = { st.st_dev, st.st_ino };
		vec_push(&skip, id);
		sb_addf(&next, "%ju:%ju", (uintmax_t)st.st_dev, (uintmax_t)st.st_ino);
	}
	/* messages say "sonde", whichever name it runs as: it is sonde speaking */
	if (hops >= PASSTHROUGH_MAX_HOPS) {
		fprintf(stderr, "sonde: '%s' came back to sonde %zu times (a wrapper on PATH that runs sonde?); "
				"giving up\n", what, hops);
		vec_free(&skip);
		sb_free(&next);
		return 127;
	}
	char *real = passthrough_search(path_env(), name, &skip);
	vec_free(&skip);
	if (!real) {
		fprintf(stderr, "sonde: '%s' is not part of sonde, and no other %s is on PATH (Debian package: %s)\n",
			what, name, package);
		sb_free(&next);
		return 127;
	}
	if (stat(real, &st) == 0)
		sb_addf(&next, " %ju:%ju@%d", (uintmax_t)st.st_dev, (uintmax_t)st.st_ino, (int)getpid());
	setenv(PASSTHROUGH_ENV, next.buf, 1);
	sb_free(&next);
	if (!reentered) /* the sonde that started the chain has said it */
		fprintf(stderr, "sonde: '%s' is not part of sonde; running %s\n", what, real);
	fflush(NULL);
	execv(real, argv);
	int e = errno;
	fprintf(stderr, "sonde: cannot run '%s': %s\n", real, strerror(e));
	free(real);
	return e == ENOENT ? 127 : 126;
}

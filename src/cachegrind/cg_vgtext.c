/* valgrind's text before and after the program (cg_vgtext.h). */
#include "cachegrind/cg_vgtext.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "memcheck/mc_text.h"
#include "util/strbuf.h"

/* as many lines as valgrind's (name, copyright, version) */
static const char *const cg_preamble[3] = {
	"sonde cachegrind, a cache and branch-prediction profiler",
	"Cache simulation on qemu-user; cachegrind's model and output",
	"Using sonde-" SONDE_VERSION "; rerun with -h for help",
};

void cg_print_preamble(FILE *f, int pid, char *const *argv)
{
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 3; i++)
		sb_addf(&sb, "==%d== %s\n", pid, cg_preamble[i]);
	int argc = 0;
	while (argv[argc])
		argc++;
	sb_addf(&sb, "==%d== ", pid);
	mc_text_command(&sb, argv, argc);
	sb_addf(&sb, "\n==%d== \n", pid);
	fputs(sb.buf, f);
	fflush(f);
	sb_free(&sb);
}

/* the file's base name, as valgrind prints a frame's */
static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

void cg_print_fatal(FILE *f, const struct cg_raw *r, bool quiet)
{
	const struct cg_death *d = &r->death;
	if (!d->sig)
		return;
	const struct interner *s = &r->data.strs;
	struct mc_result res = { .pid = r->pid, .signal = d->sig };
	res.fatal.known = d->has_info;
	res.fatal.code = d->has_info ? d->code : 0;
	res.fatal.addr = d->addr;
	res.fatal.tid = 1;
	struct rlimit rl;
	if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		res.fatal.stack_limit = rl.rlim_cur;
	for (size_t i = 0; i < d->frames.n; i++) {
		const struct cg_frame *cf = &d->frames.v[i];
		struct mc_frame mf = { .ip = cf->ip };
		mf.func = cf->known ? interned(s, cf->fn) : NULL;
		mf.file = cf->line ? base_name(interned(s, cf->file)) : NULL;
		mf.line = cf->line;
		mf.object = interned(s, cf->object);
		vec_push(&res.signal_stack.frames, mf);
	}
	struct mc_opts o;
	mc_opts_init(&o);
	o.verbosity = quiet ? 0 : 1;
	struct strbuf sb = STRBUF_INIT;
	mc_text_fatal(&sb, &res, &o);
	fputs(sb.len ? sb.buf : "", f);
	sb_free(&sb);
	vec_free(&res.signal_stack.frames);
}

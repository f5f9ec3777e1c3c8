/* qemu-x86_64 -plugin libsonde-cg.so,... CMD (cg_run.h). The engine is
 * also preloaded into qemu (not into the guest: -U/-E keep the guest's own
 * LD_PRELOAD) so that a guest dying of a signal still gets its dump. */
#include "cachegrind/cg_run.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cachegrind/cg_vgtext.h"
#include "util/die.h"
#include "util/path_search.h"
#include "util/vec.h"

int cg_run(const struct cg_run_opts *o, char **argv, int *pid)
{
	/* qemu splits -plugin's value at commas */
	if (strchr(o->plugin, ',') || strchr(o->dir, ','))
		die("cannot pass '%s' to qemu's -plugin: the path has a comma", strchr(o->plugin, ',') ? o->plugin : o->dir);
	char *prog = strchr(argv[0], '/') ? xstrdup(argv[0]) : path_search(path_env(), argv[0], NULL, NULL, NULL);
	if (!prog)
		return -1;
	char *arg = xasprintf("%s,out=%s/raw,cache=%d,branch=%d,follow=%d,i1=%u:%u:%u,d1=%u:%u:%u,ll=%u:%u:%u", o->plugin,
			      o->dir, o->cache, o->branch, o->follow, o->i1.size, o->i1.assoc, o->i1.line, o->d1.size, o->d1.assoc,
			      o->d1.line, o->ll.size, o->ll.assoc, o->ll.line);
	const char *guest_preload = getenv("LD_PRELOAD");
	char *keep = guest_preload ? xasprintf("LD_PRELOAD=%s", guest_preload) : NULL;
	VEC(char *) av = { 0 };
	vec_push(&av, (char *)o->qemu);
	vec_push(&av, keep ? "-E" : "-U");
	vec_push(&av, keep ? keep : "LD_PRELOAD");
	vec_push(&av, "-plugin");
	vec_push(&av, arg);
	vec_push(&av, "-0");
	vec_push(&av, argv[0]);
	vec_push(&av, prog);
	for (int i = 1; argv[i]; i++)
		vec_push(&av, argv[i]);
	vec_push(&av, NULL);
	fflush(NULL);
	/* the child waits for the preamble, printed before the program runs */
	int go[2];
	if (pipe2(go, O_CLOEXEC) < 0)
		die("pipe: %s", strerror(errno));
	pid_t child = fork();
	if (child < 0)
		die("fork: %s", strerror(errno));
	if (child == 0) {
		char c;
		close(go[1]);
		while (read(go[0], &c, 1) < 0 && errno == EINTR)
			;
		setenv("LD_PRELOAD", o->plugin, 1);
		execv(o->qemu, av.v);
		fprintf(stderr, "%s: cannot run %s: %s\n", sonde_progname, o->qemu, strerror(errno));
		_exit(127);
	}
	close(go[0]);
	if (o->preamble)
		cg_print_preamble(stderr, (int)child, argv);
	close(go[1]);
	for (const char *l = o->warn; l && *l;) {
		size_t len = strcspn(l, "\n");
		fprintf(stderr, "--%d-- %.*s\n", (int)child, (int)len, l);
		l += len + (l[len] == '\n');
	}
	/* the terminal's ^C and ^\ go to the guest; sonde writes what it got */
	void (*old_int)(int) = signal(SIGINT, SIG_IGN), (*old_quit)(int) = signal(SIGQUIT, SIG_IGN);
	int status;
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid: %s", strerror(errno));
	signal(SIGINT, old_int);
	signal(SIGQUIT, old_quit);
	*pid = (int)child;
	free(prog);
	free(arg);
	free(keep);
	vec_free(&av);
	return status;
}

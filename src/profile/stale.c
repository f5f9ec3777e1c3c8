/* Modules whose recorded build is nowhere (the file changed or is gone and
 * the build-id cache has no copy): found after loading, so reports can
 * name the file instead of leaving its frames as bare [unknown]. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binary/symbolizer.h"
#include "profile/model.h"
#include "util/die.h"

void profile_find_stale(struct profile *p)
{
	/* Samples per distinct stack, then each module once per stack: the
	 * modules of the frames the report shows. */
	uint64_t *per_rstack = xcalloc(p->rstacks.n + 1, sizeof(*per_rstack));
	for (size_t i = 0; i < p->samples.n; i++)
		per_rstack[p->samples.v[i].rstack]++;
	uint64_t *per_module = xcalloc(p->modules.n + 1, sizeof(*per_module));
	size_t *seen_in = xcalloc(p->modules.n + 1, sizeof(*seen_in)); /* rstack index + 1 */
	for (size_t r = 0; r < p->rstacks.n; r++) {
		const struct prof_rstack *rs = &p->rstacks.v[r];
		for (uint32_t i = 0; i < rs->frame_n; i++) {
			uint32_t m = prof_frame_outer(p, &p->frames.v[rs->frame_first + i])->module;
			if (seen_in[m] != r + 1) {
				seen_in[m] = r + 1;
				per_module[m] += per_rstack[r];
			}
		}
	}
	for (size_t m = 0; m < p->modules.n; m++) {
		int handle = p->modules.v[m].sym_handle;
		if (per_module[m] && handle >= 0 && symbolizer_module_stale(p->sym, handle) != SYM_NOT_STALE) {
			struct prof_stale st = { (uint32_t)m, per_module[m] };
			vec_push(&p->stale, st);
		}
	}
	free(seen_in);
	free(per_module);
	free(per_rstack);
}

void profile_stale_message(const struct profile *p, const struct prof_stale *st, char *buf, size_t n)
{
	char effect[96];
	snprintf(effect, sizeof(effect), "its frames in %" PRIu64 " sample%s show as [unknown]", st->samples,
		 st->samples == 1 ? "" : "s");
	symbolizer_stale_message(p->sym, p->modules.v[st->module].sym_handle, effect, buf, n);
}

void profile_warn_stale(const struct profile *p)
{
	char msg[1024];
	for (size_t i = 0; i < p->stale.n; i++) {
		profile_stale_message(p, &p->stale.v[i], msg, sizeof(msg));
		warn("%s", msg);
	}
}

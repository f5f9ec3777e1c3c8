/* libFuzzer target: the cachegrind.out reader on arbitrary bytes, then
 * cg_annotate's report (no source files opened) and the profile model. */
#include <stdint.h>
#include <stdio.h>

#include "cachegrind/cg_annotate.h"
#include "cachegrind/cg_profile.h"
#include "cachegrind/cg_read.h"
#include "profile/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	FILE *in = fmemopen((void *)data, size, "r");
	if (!in)
		return 0;
	struct cg_data d = { 0 };
	char err[512];
	int rc = cg_read_stream(in, "fuzz", &d, err, sizeof(err));
	fclose(in);
	if (rc == 0) {
		FILE *out = fopen("/dev/null", "w");
		if (out) {
			struct cg_ann_opts o = { .data_file = "fuzz", .threshold = "0.1", .show_percs = true, .context = 8 };
			cg_annotate_print(out, &d, &o, err, sizeof(err));
			o.sort = d.n_events > 1 ? "Ir:0" : NULL;
			cg_annotate_print(out, &d, &o, err, sizeof(err));
			fclose(out);
		}
		profile_free(cg_profile_from_data(&d));
	}
	cg_data_free(&d);
	return 0;
}

/* libFuzzer target: a profile.coz read, then the speedups, the text table
 * and the HTML page computed from it. */
#include <stdint.h>
#include <stdio.h>

#include "coz/coz_html.h"
#include "coz/coz_profile.h"
#include "coz/coz_speedup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	FILE *in = fmemopen((void *)data, size, "r");
	if (!in)
		return 0;
	struct coz_profile p = { 0 };
	char err[512];
	int rc = coz_read_stream(in, "fuzz", &p, err, sizeof(err));
	fclose(in);
	if (rc == 0) {
		struct coz_result r;
		coz_speedups(&p, &r);
		FILE *out = fopen("/dev/null", "w");
		if (out) {
			coz_write_text(out, "fuzz", &p, &r, 2);
			coz_write_html(out, "fuzz", &p, &r, 2);
			fclose(out);
		}
		coz_result_free(&r);
	}
	coz_profile_free(&p);
	return 0;
}

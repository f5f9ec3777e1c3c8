/* libFuzzer target: json_parse on arbitrary bytes, then every lookup
 * cargo_flamegraph makes. */
#include <stdint.h>

#include "util/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json v;
	if (json_parse((const char *)data, size, &v) < 0)
		return 0;
	const struct json *t = json_get(&v, "target");
	(void)json_str(json_get(t, "name"));
	(void)json_arr_has(json_get(t, "kind"), "bin");
	(void)json_get(json_get(&v, "profile"), "debuginfo");
	json_free(&v);
	return 0;
}

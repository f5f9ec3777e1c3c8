/* libFuzzer target: toml_parse on arbitrary bytes, then every value of the
 * tree walked (strings read to their length, positions, type names) and
 * the look-ups the bacon.toml layer makes. */
#include <stdint.h>
#include <string.h>

#include "toml/toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

static void walk(const struct toml_value *v, int depth)
{
	sink += v->line + v->col + strlen(toml_type_name(v->type));
	if (v->type == TOML_STRING) {
		for (size_t i = 0; i <= v->u.str.len; i++)
			sink += (unsigned char)v->u.str.s[i];
	} else if (v->type == TOML_ARRAY) {
		for (size_t i = 0; i < v->u.arr->n; i++)
			walk(&v->u.arr->v[i], depth + 1);
	} else if (v->type == TOML_TABLE) {
		const struct toml_table *t = v->u.tab;
		for (size_t i = 0; i < t->n; i++) {
			const struct toml_kv *kv = &t->kv[i];
			sink += kv->keylen + kv->line + kv->col + (unsigned char)kv->key[kv->keylen];
			walk(&kv->val, depth + 1);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	struct toml_table *t = toml_parse((const char *)data, size, err, sizeof err);
	if (!t) {
		sink += strlen(err);
		return 0;
	}
	struct toml_value root = {.type = TOML_TABLE, .u.tab = t};
	walk(&root, 0);
	sink += toml_get(t, "default_job") != NULL;
	sink += toml_get_path(t, "jobs.clippy.command") != NULL;
	sink += toml_get_path(t, "keybindings.f") != NULL;
	sink += toml_get_path(t, "a.b.c.d") != NULL;
	toml_free(t);
	return 0;
}

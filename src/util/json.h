/* A small JSON reader: a whole document into a tree of values. Enough for
 * what sonde reads from other tools (cargo's build messages, `cargo
 * metadata`); nesting is limited to 200 levels. */
#ifndef SONDE_UTIL_JSON_H
#define SONDE_UTIL_JSON_H
#include <stdbool.h>
#include <stddef.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUM, JSON_STR, JSON_ARR, JSON_OBJ };

struct json {
	enum json_type type;
	bool b;
	double num;
	char *str;          /* JSON_STR: decoded UTF-8, NUL-terminated */
	struct json *kids;  /* JSON_ARR / JSON_OBJ: n values */
	char **keys;        /* JSON_OBJ: n keys, in document order */
	size_t n;
};

/* Parses one document of len bytes (surrounding white space allowed).
 * Returns 0, or -1 with *v left empty. Free with json_free. */
int json_parse(const char *s, size_t len, struct json *v);
void json_free(struct json *v);

/* Lookups that accept NULL and wrong types (they give NULL / false), so
 * paths chain: json_str(json_get(json_get(&m, "target"), "name")). */
const struct json *json_get(const struct json *obj, const char *key);
const char *json_str(const struct json *v);
/* Does the array hold the string s? */
bool json_arr_has(const struct json *arr, const char *s);

#endif

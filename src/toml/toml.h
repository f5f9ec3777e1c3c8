/* TOML 1.0 (https://toml.io/en/v1.0.0), read whole into a tree: tables
 * keep their keys in file order, every value knows where it was written
 * (for errors worded "FILE:LINE:COL: ..."). Strings are UTF-8 with their
 * length (a \u0000 escape is legal). A document that breaks the spec is
 * refused with the first error, its line and column; nothing is returned
 * half-read. */
#ifndef SONDE_TOML_TOML_H
#define SONDE_TOML_TOML_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum toml_type {
	TOML_STRING,
	TOML_INTEGER,
	TOML_FLOAT,
	TOML_BOOL,
	TOML_OFFSET_DATETIME, /* 1979-05-27T07:32:00Z, -07:00 */
	TOML_LOCAL_DATETIME,  /* 1979-05-27T07:32:00 */
	TOML_LOCAL_DATE,      /* 1979-05-27 */
	TOML_LOCAL_TIME,      /* 07:32:00.999 */
	TOML_ARRAY,
	TOML_TABLE,
};

struct toml_datetime {
	int year, month, day;          /* LOCAL_TIME: 0 */
	int hour, minute, second;      /* LOCAL_DATE: 0 */
	uint32_t nanosecond;           /* fractional seconds beyond ns are truncated */
	int offset_minutes;            /* OFFSET_DATETIME only; Z is 0 */
};

struct toml_table;
struct toml_array;

struct toml_value {
	enum toml_type type;
	unsigned line, col; /* 1-based, where the value starts */
	union {
		struct {
			char *s; /* NUL-terminated too */
			size_t len;
		} str;
		int64_t i;
		double f; /* inf, -inf, nan as in the file */
		bool b;
		struct toml_datetime dt;
		struct toml_array *arr;
		struct toml_table *tab;
	} u;
};

struct toml_array {
	size_t n;
	struct toml_value *v;
};

struct toml_kv {
	char *key; /* the key's own text after unquoting, NUL-terminated */
	size_t keylen;
	unsigned line, col; /* where the key is */
	struct toml_value val;
};

struct toml_table {
	size_t n;
	struct toml_kv *kv; /* in file order */
	/* (the reader's own bookkeeping may follow) */
};

/* Parses len bytes of text. Returns the root table, or NULL with "LINE:COL:
 * what" in err (a message says what was expected or which key was defined
 * twice). */
struct toml_table *toml_parse(const char *text, size_t len, char *err, size_t errsize);
/* Reads and parses a file; on error err is "PATH:LINE:COL: what" (or
 * "PATH: why" when it cannot be read). */
struct toml_table *toml_parse_file(const char *path, char *err, size_t errsize);
void toml_free(struct toml_table *t);

/* The value of key in t (one key, not a dotted path), or NULL. */
const struct toml_value *toml_get(const struct toml_table *t, const char *key);
/* A dotted path of plain keys ("jobs.clippy.command"), or NULL. */
const struct toml_value *toml_get_path(const struct toml_table *t, const char *path);

const char *toml_type_name(enum toml_type t); /* "string", "integer", ... as toml-test names them */

#endif

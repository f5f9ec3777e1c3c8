/* The TOML reader's shared state: the cursor over the text, the error
 * exit (a longjmp: every allocation is in the document's list, so a
 * refused document is freed whole), and the tables' bookkeeping. */
#ifndef SONDE_TOML_INT_H
#define SONDE_TOML_INT_H
#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>

#include "toml/toml.h"

/* deeper nesting of arrays and inline tables is refused, not recursed */
#define TOML_MAX_DEPTH 200

/* how a table came to be: the redefinition rules depend on it */
enum {
	TAB_IMPLICIT = 1, /* a parent named by a [header] or [[header]] */
	TAB_HEADER = 2,   /* defined by its own [header] or [[header]] */
	TAB_DOTTED = 4,   /* defined by a dotted key (a.b = 1) */
	TAB_INLINE = 8,   /* an inline table: closed once written */
};

struct tmem;

struct ttab {
	struct toml_table pub;
	size_t cap;
	unsigned flags;
	/* big tables: kv positions + 1 by key hash (open addressing) */
	size_t *index, index_cap;
	struct tmem *mem; /* the root's: every allocation of the document */
};

struct tarr {
	struct toml_array pub;
	size_t cap;
	bool of_tables; /* made by [[header]]: only those may be extended */
};

struct tp {
	const char *s;
	size_t len, pos;
	jmp_buf fail;
	char *err;
	size_t errsize;
	struct tmem *mem;
	int depth;
	/* line of a position, found by scanning on from the last one asked */
	size_t lc_pos;
	unsigned lc_line, lc_col;
};

/* toml_mem.c: allocations that live as long as the document */
void *tp_alloc(struct tp *p, size_t n);
void *tp_grow(struct tp *p, void *old, size_t oldn, size_t newn);
void tp_free_all(struct tmem *m);
/* the error exit: "LINE:COL: what" for position pos */
_Noreturn void tp_fail_at(struct tp *p, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void tp_linecol(struct tp *p, size_t pos, unsigned *line, unsigned *col);

/* toml_lex.c: characters, whitespace, comments, keys */
int tp_peek(const struct tp *p, size_t ahead); /* -1 at the end */
bool tp_at_newline(const struct tp *p);
void tp_skip_ws(struct tp *p);
void tp_skip_comment(struct tp *p);
void tp_skip_ws_comments_newlines(struct tp *p);
void tp_check_utf8(struct tp *p);
struct tkey {
	char *s;
	size_t len;
	size_t pos;
	unsigned line, col; /* of pos, found while the cursor passes it */
};
/* a key of one or more dotted parts; keys is grown as needed */
size_t tp_parse_key(struct tp *p, struct tkey **keys, size_t *cap);
/* the character at pos for messages: 'x', U+0001 */
const char *tp_char_text(struct tp *p, size_t pos);
/* a quoted name for messages ("a.b"), printable */
const char *tp_key_text(struct tp *p, const struct tkey *keys, size_t n);

/* toml_string.c: the four string forms at the cursor */
void tp_parse_string(struct tp *p, struct toml_value *v, bool key_only);

/* toml_number.c and toml_datetime.c: a bare value (number, date, time) */
void tp_parse_bare(struct tp *p, struct toml_value *v);
bool tp_datetime(const char *t, size_t n, struct toml_value *v, const char **why);
/* c's value as a digit of base (up to 16), -1 if it is none */
int tp_digit(int c, int base);
bool tp_number(const char *t, size_t n, struct toml_value *v, const char **why);

/* toml_table.c: tables and the redefinition rules */
struct ttab *tp_new_table(struct tp *p, unsigned flags);
struct toml_value *tp_find(struct ttab *t, const char *key, size_t len);
struct toml_value *tp_add(struct tp *p, struct ttab *t, const struct tkey *k);
struct ttab *tp_open_header(struct tp *p, struct ttab *root, const struct tkey *keys, size_t n,
			    bool array);
struct ttab *tp_dotted_parent(struct tp *p, struct ttab *t, const struct tkey *keys, size_t n);
struct tarr *tp_new_array(struct tp *p);
struct toml_value *tp_array_push(struct tp *p, struct tarr *a);

/* toml_value.c: any value, arrays, inline tables, a key = value line */
void tp_parse_value(struct tp *p, struct toml_value *v);
void tp_parse_keyval(struct tp *p, struct ttab *t, struct tkey **keys, size_t *cap);

#endif

/* TOML's tables and where a key may go: [header] and [[header]] paths,
 * dotted keys, and the rules against defining anything twice (a table's
 * own [header] once; a table of dotted keys never by a header, one of a
 * header never by dotted keys; inline tables and static arrays never
 * extended). */
#include <string.h>

#include "toml/toml_int.h"

struct ttab *tp_new_table(struct tp *p, unsigned flags)
{
	struct ttab *t = tp_alloc(p, sizeof *t);
	t->flags = flags;
	return t;
}

struct tarr *tp_new_array(struct tp *p) { return tp_alloc(p, sizeof(struct tarr)); }

/* tables of more keys than this get a hash index: a big document stays
 * linear, small ones are searched in place */
#define INDEX_FROM 16

static size_t key_hash(const char *key, size_t len)
{
	size_t h = 1469598103934665603u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)key[i]) * 1099511628211u;
	return h;
}

static bool same_key(const struct toml_kv *kv, const char *key, size_t len)
{
	return kv->keylen == len && !memcmp(kv->key, key, len);
}

static void index_put(struct ttab *t, size_t i)
{
	size_t mask = t->index_cap - 1;
	size_t h = key_hash(t->pub.kv[i].key, t->pub.kv[i].keylen) & mask;
	while (t->index[h])
		h = (h + 1) & mask;
	t->index[h] = i + 1;
}

/* kept at most half full */
static void index_update(struct tp *p, struct ttab *t)
{
	if (t->pub.n < INDEX_FROM)
		return;
	if (t->pub.n * 2 <= t->index_cap) {
		index_put(t, t->pub.n - 1);
		return;
	}
	t->index_cap = t->index_cap ? t->index_cap * 2 : 4 * INDEX_FROM;
	t->index = tp_alloc(p, t->index_cap * sizeof *t->index);
	for (size_t i = 0; i < t->pub.n; i++)
		index_put(t, i);
}

struct toml_value *tp_find(struct ttab *t, const char *key, size_t len)
{
	if (t->index) {
		size_t mask = t->index_cap - 1;
		for (size_t h = key_hash(key, len) & mask; t->index[h]; h = (h + 1) & mask)
			if (same_key(&t->pub.kv[t->index[h] - 1], key, len))
				return &t->pub.kv[t->index[h] - 1].val;
		return NULL;
	}
	for (size_t i = 0; i < t->pub.n; i++)
		if (same_key(&t->pub.kv[i], key, len))
			return &t->pub.kv[i].val;
	return NULL;
}

/* a new key, known not to be in t */
struct toml_value *tp_add(struct tp *p, struct ttab *t, const struct tkey *k)
{
	if (t->pub.n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 4;
		t->pub.kv = tp_grow(p, t->pub.kv, t->pub.n * sizeof *t->pub.kv, cap * sizeof *t->pub.kv);
		t->cap = cap;
	}
	struct toml_kv *kv = &t->pub.kv[t->pub.n++];
	memset(kv, 0, sizeof *kv);
	kv->key = k->s;
	kv->keylen = k->len;
	kv->line = k->line;
	kv->col = k->col;
	kv->val.line = kv->line;
	kv->val.col = kv->col;
	index_update(p, t);
	return &kv->val;
}

struct toml_value *tp_array_push(struct tp *p, struct tarr *a)
{
	if (a->pub.n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 4;
		a->pub.v = tp_grow(p, a->pub.v, a->pub.n * sizeof *a->pub.v, cap * sizeof *a->pub.v);
		a->cap = cap;
	}
	struct toml_value *v = &a->pub.v[a->pub.n++];
	memset(v, 0, sizeof *v);
	return v;
}

static struct ttab *as_tab(struct toml_value *v) { return (struct ttab *)v->u.tab; }

/* a table for keys[i] under t, made as flags says when missing */
static struct ttab *new_child(struct tp *p, struct ttab *t, const struct tkey *k, unsigned flags)
{
	struct toml_value *v = tp_add(p, t, k);
	v->type = TOML_TABLE;
	v->u.tab = &tp_new_table(p, flags)->pub;
	return as_tab(v);
}

struct ttab *tp_open_header(struct tp *p, struct ttab *root, const struct tkey *keys, size_t n, bool array)
{
	struct ttab *t = root;
	for (size_t i = 0; i + 1 < n; i++) {
		struct toml_value *v = tp_find(t, keys[i].s, keys[i].len);
		if (!v) {
			t = new_child(p, t, &keys[i], TAB_IMPLICIT);
			continue;
		}
		if (v->type == TOML_TABLE && !(as_tab(v)->flags & TAB_INLINE)) {
			t = as_tab(v);
		} else if (v->type == TOML_ARRAY && ((struct tarr *)v->u.arr)->of_tables) {
			/* [[a]] then [a.b]: b goes into the last [[a]] */
			struct toml_array *a = v->u.arr;
			t = (struct ttab *)a->v[a->n - 1].u.tab;
		} else {
			tp_fail_at(p, keys[i].pos, "cannot define a table under '%s': it is %s",
				   tp_key_text(p, keys, i + 1),
				   v->type == TOML_TABLE ? "an inline table" : "a value, not a table");
		}
	}
	const struct tkey *last = &keys[n - 1];
	struct toml_value *v = tp_find(t, last->s, last->len);
	if (array) {
		if (!v) {
			v = tp_add(p, t, last);
			v->type = TOML_ARRAY;
			struct tarr *a = tp_new_array(p);
			a->of_tables = true;
			v->u.arr = &a->pub;
		} else if (v->type != TOML_ARRAY || !((struct tarr *)v->u.arr)->of_tables) {
			tp_fail_at(p, last->pos, "'%s' is already defined and is not an array of tables",
				   tp_key_text(p, keys, n));
		}
		struct toml_value *e = tp_array_push(p, (struct tarr *)v->u.arr);
		e->line = last->line;
		e->col = last->col;
		e->type = TOML_TABLE;
		e->u.tab = &tp_new_table(p, TAB_HEADER)->pub;
		return as_tab(e);
	}
	if (!v)
		return new_child(p, t, last, TAB_HEADER);
	if (v->type == TOML_TABLE && as_tab(v)->flags == TAB_IMPLICIT) {
		as_tab(v)->flags = TAB_HEADER;
		return as_tab(v);
	}
	tp_fail_at(p, last->pos, "'%s' is defined twice", tp_key_text(p, keys, n));
}

/* the table that a dotted key's last part goes into; its other parts are
 * tables of dotted keys, made here or earlier in this same table */
struct ttab *tp_dotted_parent(struct tp *p, struct ttab *t, const struct tkey *keys, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++) {
		struct toml_value *v = tp_find(t, keys[i].s, keys[i].len);
		if (!v) {
			t = new_child(p, t, &keys[i], TAB_DOTTED);
		} else if (v->type == TOML_TABLE &&
			   (as_tab(v)->flags == TAB_DOTTED || as_tab(v)->flags == TAB_IMPLICIT)) {
			/* a parent only named by a header is not defined yet: dotted
			 * keys define it, and no [header] may then */
			t = as_tab(v);
			t->flags = TAB_DOTTED;
		} else {
			tp_fail_at(p, keys[i].pos, "'%s' is already defined; dotted keys cannot extend it",
				   tp_key_text(p, keys, i + 1));
		}
	}
	if (tp_find(t, keys[n - 1].s, keys[n - 1].len))
		tp_fail_at(p, keys[n - 1].pos, "'%s' is defined twice", tp_key_text(p, keys, n));
	return t;
}

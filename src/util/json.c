#include "util/json.h"

#include <stdlib.h>
#include <string.h>

#include "util/die.h"
#include "util/strbuf.h"
#include "util/utf8.h"

struct jparser {
	const char *s, *end;
	int depth;
};

void json_free(struct json *v)
{
	free(v->str);
	for (size_t i = 0; i < v->n; i++) {
		json_free(&v->kids[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->kids);
	free(v->keys);
	memset(v, 0, sizeof(*v));
}

static void jskip_ws(struct jparser *P)
{
	while (P->s < P->end && (*P->s == ' ' || *P->s == '\t' || *P->s == '\n' || *P->s == '\r'))
		P->s++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int jhex4(struct jparser *P, unsigned *out)
{
	if (P->end - P->s < 4)
		return -1;
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hexval(P->s[i]);
		if (h < 0)
			return -1;
		v = v * 16 + (unsigned)h;
	}
	P->s += 4;
	*out = v;
	return 0;
}

/* At the opening quote: decodes the string into a new heap string. */
static char *jstring(struct jparser *P)
{
	if (P->s >= P->end || *P->s != '"')
		return NULL;
	P->s++;
	struct strbuf sb = STRBUF_INIT;
	sb_add(&sb, "", 0);
	while (P->s < P->end && *P->s != '"') {
		char c = *P->s++;
		if ((unsigned char)c < 0x20)
			goto bad;
		if (c != '\\') {
			sb_addc(&sb, c);
			continue;
		}
		if (P->s >= P->end)
			goto bad;
		c = *P->s++;
		switch (c) {
		case '"': case '\\': case '/': sb_addc(&sb, c); break;
		case 'b': sb_addc(&sb, '\b'); break;
		case 'f': sb_addc(&sb, '\f'); break;
		case 'n': sb_addc(&sb, '\n'); break;
		case 'r': sb_addc(&sb, '\r'); break;
		case 't': sb_addc(&sb, '\t'); break;
		case 'u': {
			unsigned cp, lo;
			if (jhex4(P, &cp) < 0)
				goto bad;
			if (cp >= 0xd800 && cp <= 0xdbff && P->end - P->s >= 6 && P->s[0] == '\\' && P->s[1] == 'u') {
				P->s += 2;
				if (jhex4(P, &lo) < 0)
					goto bad;
				if (lo >= 0xdc00 && lo <= 0xdfff)
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				else
					cp = 0xfffd;
			} else if (cp >= 0xd800 && cp <= 0xdfff) {
				cp = 0xfffd;
			}
			char u8[4];
			sb_add(&sb, u8, utf8_encode(cp, u8));
			break;
		}
		default:
			goto bad;
		}
	}
	if (P->s >= P->end)
		goto bad;
	P->s++;
	return sb_detach(&sb);
bad:
	sb_free(&sb);
	return NULL;
}

static int jvalue(struct jparser *P, struct json *v);

static int jcontainer(struct jparser *P, struct json *v, bool obj)
{
	char close = obj ? '}' : ']';
	P->s++;
	v->type = obj ? JSON_OBJ : JSON_ARR;
	size_t cap = 0;
	jskip_ws(P);
	if (P->s < P->end && *P->s == close) {
		P->s++;
		return 0;
	}
	for (;;) {
		if (v->n == cap) {
			cap = cap ? cap * 2 : 4;
			v->kids = xrealloc(v->kids, cap * sizeof(*v->kids));
			if (obj)
				v->keys = xrealloc(v->keys, cap * sizeof(*v->keys));
		}
		jskip_ws(P);
		if (obj) {
			char *k = jstring(P);
			if (!k)
				return -1;
			jskip_ws(P);
			if (P->s >= P->end || *P->s != ':') {
				free(k);
				return -1;
			}
			P->s++;
			v->keys[v->n] = k;
		}
		memset(&v->kids[v->n], 0, sizeof(v->kids[0]));
		v->n++; /* counted before parsing, so jfree frees a half-built value */
		if (jvalue(P, &v->kids[v->n - 1]) < 0)
			return -1;
		jskip_ws(P);
		if (P->s < P->end && *P->s == ',') {
			P->s++;
			continue;
		}
		if (P->s < P->end && *P->s == close) {
			P->s++;
			return 0;
		}
		return -1;
	}
}

static int jvalue(struct jparser *P, struct json *v)
{
	memset(v, 0, sizeof(*v));
	jskip_ws(P);
	if (P->s >= P->end || ++P->depth > 200)
		return -1;
	int rc = 0;
	char c = *P->s;
	if (c == '{' || c == '[') {
		rc = jcontainer(P, v, c == '{');
	} else if (c == '"') {
		v->type = JSON_STR;
		v->str = jstring(P);
		rc = v->str ? 0 : -1;
	} else if (P->end - P->s >= 4 && !memcmp(P->s, "true", 4)) {
		v->type = JSON_BOOL;
		v->b = true;
		P->s += 4;
	} else if (P->end - P->s >= 5 && !memcmp(P->s, "false", 5)) {
		v->type = JSON_BOOL;
		P->s += 5;
	} else if (P->end - P->s >= 4 && !memcmp(P->s, "null", 4)) {
		v->type = JSON_NULL;
		P->s += 4;
	} else if (c == '-' || (c >= '0' && c <= '9')) {
		char buf[64];
		size_t k = 0;
		while (P->s < P->end && k < sizeof(buf) - 1 && *P->s && strchr("+-0123456789.eE", *P->s))
			buf[k++] = *P->s++;
		buf[k] = 0;
		char *e;
		v->type = JSON_NUM;
		v->num = strtod(buf, &e);
		rc = *e ? -1 : 0;
	} else {
		rc = -1;
	}
	P->depth--;
	return rc;
}

int json_parse(const char *s, size_t len, struct json *v)
{
	struct jparser P = { s, s + len, 0 };
	if (jvalue(&P, v) < 0) {
		json_free(v);
		return -1;
	}
	jskip_ws(&P);
	if (P.s != P.end) {
		json_free(v);
		return -1;
	}
	return 0;
}

const struct json *json_get(const struct json *v, const char *key)
{
	if (!v || v->type != JSON_OBJ)
		return NULL;
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->keys[i], key))
			return &v->kids[i];
	return NULL;
}

const char *json_str(const struct json *v) { return v && v->type == JSON_STR ? v->str : NULL; }

bool json_arr_has(const struct json *arr, const char *s)
{
	if (!arr || arr->type != JSON_ARR)
		return false;
	for (size_t i = 0; i < arr->n; i++)
		if (json_str(&arr->kids[i]) && !strcmp(arr->kids[i].str, s))
			return true;
	return false;
}

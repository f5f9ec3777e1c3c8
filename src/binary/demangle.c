/* Symbol demangling: C++ (Itanium) through libiberty, Rust legacy and v0
 * through libiberty's Rust demangler, with a small fallback for legacy Rust
 * symbols libiberty refuses (it wants a hash with >= 5 distinct digits).
 * Output is the short, hash-free form ("fixture::hot"). */
#include "binary/symbolizer.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <libiberty/demangle.h>

#include "util/die.h"
#include "util/strbuf.h"
#include "util/utf8.h"

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static bool is_ident(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* "h" + 16 lowercase hex digits: the legacy hash segment. */
static bool is_rust_hash(const char *s, size_t n)
{
	if (n != 17 || s[0] != 'h')
		return false;
	for (size_t i = 1; i < n; i++)
		if (!is_hex(s[i]))
			return false;
	return true;
}

static const struct {
	const char *esc;
	char c;
} legacy_escapes[] = {
	{ "$SP$", '@' }, { "$BP$", '*' }, { "$RF$", '&' }, { "$LT$", '<' }, { "$GT$", '>' },
	{ "$LP$", '(' }, { "$RP$", ')' }, { "$C$", ',' },
};

/* Decodes one legacy path segment into sb; false if it is malformed. */
static bool legacy_segment(struct strbuf *sb, const char *s, size_t n)
{
	size_t i = 0;
	if (n >= 2 && s[0] == '_' && s[1] == '$')
		i = 1;
	while (i < n) {
		if (s[i] == '.') {
			if (i + 1 < n && s[i + 1] == '.') {
				sb_adds(sb, "::");
				i += 2;
			} else {
				sb_addc(sb, '.');
				i++;
			}
			continue;
		}
		if (s[i] != '$') {
			sb_addc(sb, s[i++]);
			continue;
		}
		bool done = false;
		for (size_t k = 0; k < sizeof(legacy_escapes) / sizeof(legacy_escapes[0]); k++) {
			size_t el = strlen(legacy_escapes[k].esc);
			if (n - i >= el && !memcmp(s + i, legacy_escapes[k].esc, el)) {
				sb_addc(sb, legacy_escapes[k].c);
				i += el;
				done = true;
				break;
			}
		}
		if (done)
			continue;
		/* $uXX$: a code point in hex. */
		if (i + 1 < n && s[i + 1] == 'u') {
			size_t j = i + 2;
			unsigned long cp = 0;
			while (j < n && is_hex(s[j]) && j - i < 10)
				cp = cp * 16 + (unsigned long)(isdigit((unsigned char)s[j]) ? s[j] - '0' : s[j] - 'a' + 10), j++;
			if (j < n && s[j] == '$' && j > i + 2) {
				if (cp >= 0x110000)
					return false;
				char u8[4];
				sb_add(sb, u8, utf8_encode(cp, u8));
				i = j + 1;
				continue;
			}
		}
		return false;
	}
	return true;
}

/* Legacy Rust: _ZN <len ident>* 17h<16 hex> E [.suffix]. Returns NULL if
 * `sym` is not of that shape. */
static char *legacy_rust_demangle(const char *sym)
{
	const char *p = sym;
	if (!strncmp(p, "__ZN", 4))
		p += 4;
	else if (!strncmp(p, "_ZN", 3))
		p += 3;
	else if (!strncmp(p, "ZN", 2))
		p += 2;
	else
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	bool saw_hash = false;
	int nseg = 0;
	while (*p && *p != 'E') {
		if (!isdigit((unsigned char)*p))
			goto fail;
		size_t len = 0;
		while (isdigit((unsigned char)*p)) {
			len = len * 10 + (size_t)(*p - '0');
			if (len > 1 << 20)
				goto fail;
			p++;
		}
		if (len == 0 || strnlen(p, len) < len)
			goto fail;
		if (is_rust_hash(p, len) && p[len] == 'E') {
			saw_hash = true;
		} else {
			if (nseg++)
				sb_adds(&sb, "::");
			if (!legacy_segment(&sb, p, len))
				goto fail;
		}
		p += len;
	}
	if (*p != 'E' || !saw_hash || nseg == 0)
		goto fail;
	p++;
	if (*p && *p != '.')
		goto fail;
	return sb_detach(&sb);
fail:
	sb_free(&sb);
	return NULL;
}

/* Removes "::h<16 hex>" at the end and "[hex]" crate disambiguators
 * ("fixture[1a2b3c]::hot" -> "fixture::hot"), in place. */
static void rust_tidy(char *s)
{
	size_t n = strlen(s);
	if (n > 19 && !memcmp(s + n - 19, "::", 2) && is_rust_hash(s + n - 17, 17))
		s[n - 19] = 0;
	char *w = s;
	for (char *r = s; *r;) {
		if (*r == '[' && r > s && is_ident(r[-1]) && is_hex(r[1])) {
			char *q = r + 1;
			while (is_hex(*q))
				q++;
			if (*q == ']' && q[1] == ':' && q[2] == ':') {
				r = q + 1;
				continue;
			}
		}
		*w++ = *r++;
	}
	*w = 0;
}

/* Where the mangling starts: past the extra '_' some platforms put
 * before "_R" / "_Z"; NULL for no symbol. */
static const char *mangled_start(const char *sym)
{
	if (!sym || !*sym)
		return NULL;
	return sym[0] == '_' && sym[1] == '_' && (sym[2] == 'R' || sym[2] == 'Z') ? sym + 1 : sym;
}

char *sonde_demangle(const char *sym)
{
	const char *p = mangled_start(sym);
	if (!p)
		return NULL;
	if (p[0] == '_' && p[1] == 'R') {
		char *out = rust_demangle(sym, 0);
		if (out)
			rust_tidy(out);
		return out;
	}
	if (p[0] != '_' || p[1] != 'Z')
		return NULL;
	if (p[2] == 'N') {
		char *out = rust_demangle(sym, 0);
		if (!out)
			out = legacy_rust_demangle(sym);
		if (out) {
			/* libiberty allocates with malloc; so does strbuf. */
			rust_tidy(out);
			return out;
		}
	}
	return cplus_demangle(sym, DMGL_PARAMS | DMGL_ANSI);
}

char *sonde_demangle_full(const char *sym)
{
	const char *p = mangled_start(sym);
	if (!p)
		return NULL;
	/* DMGL_VERBOSE: libiberty keeps a legacy symbol's hash and v0's
	 * crate disambiguators */
	if ((p[0] == '_' && p[1] == 'R') || (p[0] == '_' && p[1] == 'Z' && p[2] == 'N')) {
		char *out = rust_demangle(sym, DMGL_VERBOSE);
		if (out)
			return out;
	}
	return sonde_demangle(sym);
}

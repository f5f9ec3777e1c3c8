#include "util/escape.h"

#include <stdbool.h>
#include <string.h>

#include "util/utf8.h"

size_t xml_char_len(const unsigned char *s, size_t left)
{
	size_t n = utf8_valid_len(s, left);
	if (n == 3 && s[0] == 0xef && s[1] == 0xbf && (s[2] == 0xbe || s[2] == 0xbf))
		return 0; /* U+FFFE, U+FFFF are not XML characters */
	return n;
}

void xml_escape(struct strbuf *sb, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	for (size_t i = 0; i < len;) {
		unsigned c = s[i];
		if (c < 0x80) {
			switch (c) {
			case '&': sb_adds(sb, "&amp;"); break;
			case '<': sb_adds(sb, "&lt;"); break;
			case '>': sb_adds(sb, "&gt;"); break;
			case '"': sb_adds(sb, "&quot;"); break;
			case '\'': sb_adds(sb, "&#39;"); break;
			default:
				if (c < 0x20 || c == 0x7f)
					sb_addf(sb, "\\x%02x", c);
				else
					sb_addc(sb, (char)c);
			}
			i++;
			continue;
		}
		size_t n = xml_char_len(s + i, len - i);
		if (n) {
			sb_add(sb, s + i, n);
			i += n;
		} else {
			sb_adds(sb, "\xef\xbf\xbd");
			i++;
		}
	}
}

void xml_escapes(struct strbuf *sb, const char *s)
{
	if (s)
		xml_escape(sb, s, strlen(s));
}

/* html: the string goes inside <script>, where "</script>", "<!--" and the
 * JavaScript line terminators U+2028/U+2029 must not appear as such. */
static void json_quote_as(struct strbuf *sb, const char *str, size_t len, bool html)
{
	const unsigned char *s = (const unsigned char *)str;
	sb_addc(sb, '"');
	for (size_t i = 0; i < len;) {
		unsigned c = s[i];
		if (c < 0x80) {
			if (c == '"' || c == '\\') {
				sb_addc(sb, '\\');
				sb_addc(sb, (char)c);
			} else if (c == '\n') {
				sb_adds(sb, "\\n");
			} else if (c == '\t') {
				sb_adds(sb, "\\t");
			} else if (c < 0x20 || c == 0x7f || (html && (c == '<' || c == '>' || c == '&' || c == '\''))) {
				sb_addf(sb, "\\u%04x", c);
			} else {
				sb_addc(sb, (char)c);
			}
			i++;
			continue;
		}
		size_t n = utf8_valid_len(s + i, len - i);
		if (!n) {
			if (html)
				sb_adds(sb, "\\ufffd");
			else
				sb_addf(sb, "\\u%04x", c); /* not UTF-8: read the byte as Latin-1 */
			i++;
		} else if (html && n == 3 && c == 0xe2 && s[i + 1] == 0x80 && (s[i + 2] == 0xa8 || s[i + 2] == 0xa9)) {
			sb_addf(sb, "\\u%04x", s[i + 2] == 0xa8 ? 0x2028 : 0x2029);
			i += 3;
		} else {
			sb_add(sb, s + i, n);
			i += n;
		}
	}
	sb_addc(sb, '"');
}

void json_quote(struct strbuf *sb, const char *s, size_t len)
{
	json_quote_as(sb, s, len, false);
}

void json_quote_html(struct strbuf *sb, const char *s, size_t len)
{
	json_quote_as(sb, s, len, true);
}

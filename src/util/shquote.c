#include "util/shquote.h"

void sb_add_shquoted(struct strbuf *sb, const char *s)
{
	sb_addc(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			sb_adds(sb, "'\\''"); /* close, an escaped quote, reopen */
		else
			sb_addc(sb, *s);
	}
	sb_addc(sb, '\'');
}

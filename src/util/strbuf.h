/* Growable NUL-terminated byte buffer. */
#ifndef SONDE_UTIL_STRBUF_H
#define SONDE_UTIL_STRBUF_H
#include <stddef.h>
#include <stdint.h>
#include "util/die.h"

struct strbuf {
	char *buf;
	size_t len, cap;
};

#define STRBUF_INIT { NULL, 0, 0 }

void sb_grow(struct strbuf *sb, size_t extra);
void sb_add(struct strbuf *sb, const void *data, size_t n);
void sb_adds(struct strbuf *sb, const char *s);
void sb_addc(struct strbuf *sb, char c);
SONDE_PRINTF(2, 3) void sb_addf(struct strbuf *sb, const char *fmt, ...);
/* Appends what fd gives until end of file (EINTR retried); 0, or -1 on
 * a read error (what was read stays). */
int sb_read_fd(struct strbuf *sb, int fd);
void sb_reset(struct strbuf *sb);
void sb_free(struct strbuf *sb);
/* Returns the buffer ("" when empty) and gives up ownership. */
char *sb_detach(struct strbuf *sb);

/* A string table: NUL-terminated strings back to back in *tab, each named
 * by its offset. Appends n bytes of s and a NUL; returns their offset. */
uint32_t strtab_add(char **tab, size_t *len, size_t *cap, const char *s, size_t n);

#endif

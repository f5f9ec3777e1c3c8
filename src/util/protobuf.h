/* A small protocol-buffers writer: varints, tags, length-delimited fields
 * and nested messages, appended to one growable buffer. Enough to write a
 * schema by hand (render/pprof.c writes profile.proto) without generated
 * code or a library. */
#ifndef SONDE_UTIL_PROTOBUF_H
#define SONDE_UTIL_PROTOBUF_H
#include <stddef.h>
#include <stdint.h>

enum pb_wire { PB_VARINT = 0, PB_I64 = 1, PB_LEN = 2, PB_I32 = 5 };

struct pb {
	uint8_t *buf;
	size_t n, cap;
};

void pb_free(struct pb *b);
void pb_raw(struct pb *b, const void *data, size_t n);
void pb_varint(struct pb *b, uint64_t v);
void pb_tag(struct pb *b, uint32_t field, enum pb_wire wire);

/* Scalar fields. proto3 leaves a field at its default out: these write
 * nothing for 0 (and false), as every proto3 encoder does. int64 is the
 * two's complement as a varint (10 bytes when negative). */
void pb_uint(struct pb *b, uint32_t field, uint64_t v);
void pb_int(struct pb *b, uint32_t field, int64_t v);
void pb_bool(struct pb *b, uint32_t field, int v);
/* A bytes/string field, written even when empty (a repeated string's
 * empty element, string_table[0], must be there). */
void pb_bytes(struct pb *b, uint32_t field, const void *data, size_t n);

/* A nested message: pb_begin() marks where its body starts, the body is
 * appended as fields, pb_end() puts the tag and length in front of it.
 * Nesting works inside out (end the inner one first). */
size_t pb_begin(struct pb *b);
void pb_end(struct pb *b, uint32_t field, size_t mark);

/* A packed repeated varint field (repeated uint64/int64 in proto3). */
void pb_packed_u64(struct pb *b, uint32_t field, const uint64_t *v, size_t n);
void pb_packed_i64(struct pb *b, uint32_t field, const int64_t *v, size_t n);

/* Bytes a varint of v takes (1..10). */
size_t pb_varint_len(uint64_t v);

#endif

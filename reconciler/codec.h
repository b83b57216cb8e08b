/*
 * codec: the encodings secrets and identifiers travel in.
 *
 * Base64 and MD5 come from OpenSSL; this module only adds the strictness the
 * API needs (one-line base64, lowercase MD5 hex) and the "<md5> [md5]"
 * placeholder that lets a spec keep a live secret without knowing it.
 */
#ifndef CF_CODEC_H
#define CF_CODEC_H

#include <stdbool.h>
#include <stddef.h>

/* Returns a NUL-terminated base64 encoding of len bytes; caller frees. */
char *cf_base64_encode(const unsigned char *data, size_t len);
/* True when s is canonical one-line base64 (padding only at the end). */
bool cf_base64_valid(const char *s);
/* Writes 32 lowercase hex digits and a NUL into out. */
void cf_md5_hex(const void *data, size_t len, char out[33]);
/* True for "<32 hex digits>" optionally followed by " [md5]". */
bool cf_is_md5_placeholder(const char *s);
/* True for a textual UUID, 8-4-4-4-12 hex digits. */
bool cf_is_uuid(const char *s);

#endif

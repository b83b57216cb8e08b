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
/* True only for "<32 hex digits> [md5]", the sem CLI's notation for a
 * secret kept as it is. Bare 32 hex digits are an ordinary value: a secret
 * may well look like an MD5, and taking it for one would silently keep
 * whatever is live instead of storing it. */
bool cf_is_md5_placeholder(const char *s);
/* The MD5 a placeholder names, lowercase and without " [md5]": what the API
 * compares with the live value's MD5 to keep it. s must be a placeholder. */
void cf_md5_placeholder_hash(const char *s, char out[33]);
/* True for a textual UUID, 8-4-4-4-12 hex digits. */
bool cf_is_uuid(const char *s);

#endif

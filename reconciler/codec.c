/*
 * codec: base64, MD5 and UUID shapes over OpenSSL.
 */
#include "reconciler/codec.h"
#include "reconciler/error.h"

#include <ctype.h>
#include <string.h>
#include <openssl/evp.h>

char *cf_base64_encode(const unsigned char *data, size_t len)
{
	char *out = cf_xmalloc(4 * ((len + 2) / 3) + 1);
	/* EVP_EncodeBlock takes an int length; secrets are capped far below. */
	EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	return out;
}

bool cf_base64_valid(const char *s)
{
	size_t n = strlen(s);
	if (n % 4 != 0 || n > (size_t)1 << 30)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (isspace((unsigned char)s[i]))
			return false; /* EVP_DecodeBlock would skip it; the API would not */
		if (s[i] == '=' && i < n - 2)
			return false;
		if (s[i] == '=' && i == n - 2 && s[n - 1] != '=')
			return false;
	}
	if (n == 0)
		return true;
	unsigned char *tmp = cf_xmalloc(n / 4 * 3 + 1);
	int r = EVP_DecodeBlock(tmp, (const unsigned char *)s, (int)n);
	free(tmp);
	return r >= 0;
}

void cf_md5_hex(const void *data, size_t len, char out[33])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_Digest(data, len, md, &mdlen, EVP_md5(), NULL);
	static const char hex[] = "0123456789abcdef";
	for (unsigned int i = 0; i < 16; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[32] = '\0';
}

static bool hex_run(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

bool cf_is_md5_placeholder(const char *s)
{
	return s && strlen(s) == 38 && hex_run(s, 32) && strcmp(s + 32, " [md5]") == 0;
}

void cf_md5_placeholder_hash(const char *s, char out[33])
{
	/* the API lowercases before it compares (check_env_var, check_file in
	 * public-api's deployments_client/request_formatter.ex) */
	for (size_t i = 0; i < 32; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[32] = '\0';
}

bool cf_is_uuid(const char *s)
{
	static const size_t groups[] = {8, 4, 4, 4, 12};
	for (size_t g = 0; g < 5; g++) {
		if (!hex_run(s, groups[g]))
			return false;
		s += groups[g];
		if (g < 4 && *s++ != '-')
			return false;
	}
	return *s == '\0';
}

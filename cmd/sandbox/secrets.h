/*
 * secrets: what the organisation and project secret handlers share (decoding,
 * content checks, answers, listing), defined in h_secrets.c.
 */
#ifndef SBX_SECRETS_H
#define SBX_SECRETS_H

#include "cmd/sandbox/sandbox.h"

enum { INVALID_ARGUMENT = 3, NOT_FOUND = 5, PERMISSION_DENIED = 7, FAILED_PRECONDITION = 9, UNKNOWN = 2 };

typedef struct dec {
	char err[256];
} dec;

void sbx_sec_answer(sbx_resp *rs, cJSON *body);
bool sbx_sec_exposed(sbx *s);
bool sbx_sec_blank(const char *v);
bool sbx_sec_ecto_uuid(const char *s);
cJSON *sbx_sec_decode_secret(const cJSON *b, dec *d);
const cJSON *sbx_sec_msg(const cJSON *o, const char *key);
bool sbx_sec_content_ok(const cJSON *data, char *out, size_t n);
cJSON *sbx_sec_secret_json(sbx *s, const cJSON *x, bool project);
void sbx_sec_put(cJSON *o, const char *key, cJSON *v);
void sbx_sec_set_data(cJSON *x, const cJSON *data);
void sbx_sec_normalize(cJSON *x);
void sbx_sec_touch(cJSON *x);
void sbx_sec_list_page(sbx *s, sbx_resp *rs, const cJSON *list, const char *project_id, int size, bool time_order,
		      const char *token);
#endif

/*
 * gateway: how public-api-gateway answers for the services behind it
 * (notifications, dashboards, secrets): grpc-gateway v2's error shape
 * {"code", "message", "details"} and status mapping, int64 values as strings,
 * and the services' page sizes and opaque page tokens (semaphoreio/semaphore
 * public-api-gateway/main.go and go.mod: grpc-gateway v2.21).
 */
#include "cmd/sandbox/sandbox.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

/* grpc-gateway v2 runtime/errors.go HTTPStatusFromCode */
static int http_status(int code)
{
	static const int map[] = {200, 499, 500, 400, 504, 404, 409, 403, 429, 400, 409, 400, 501, 500, 503, 500, 401};
	return code >= 0 && code <= 16 ? map[code] : 500;
}

/* grpc-gateway v2 DefaultHTTPErrorHandler: the status proto through the JSONPb marshaler */
void sbx_fail_gw(sbx_resp *rs, int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cJSON_Delete(rs->body);
	free(rs->text);
	rs->text = NULL;
	rs->status = http_status(code);
	rs->content_type = "application/json";
	rs->body = cJSON_CreateObject();
	cJSON_AddNumberToObject(rs->body, "code", code);
	cJSON_AddStringToObject(rs->body, "message", msg);
	cJSON_AddArrayToObject(rs->body, "details");
}

/* An exception the Elixir service does not rescue: grpc's handler answers
 * UNKNOWN, the gateway 500. */
void sbx_fail_gw_crash(sbx_resp *rs)
{
	sbx_fail_gw(rs, 2, "Internal Server Error");
}

/* The list request's page_size (runtime.PopulateQueryParameters), then the
 * service's extract_page_size: 0 is def, more than limit is 400, and
 * Paginator makes anything below 1 a page of 1. -1 with rs filled in. */
int sbx_gw_page_size(const sbx_req *rq, sbx_resp *rs, int def, int limit)
{
	const cJSON *v = sbx_param(rq, "page_size");
	long n = 0;
	if (cJSON_IsString(v) && *v->valuestring) {
		char *end;
		n = strtol(v->valuestring, &end, 10);
		if (*end || n > 2147483647L || n < -2147483648L) {
			sbx_fail_gw(rs, 3, "parsing field \"page_size\": strconv.ParseInt: parsing \"%s\": invalid syntax",
				    v->valuestring);
			return -1;
		}
	} else if (cJSON_IsNumber(v)) {
		n = (long)v->valuedouble;
	}
	if (n == 0)
		return def;
	if (n > limit) {
		sbx_fail_gw(rs, 3, "Page size can't exceed %d", limit);
		return -1;
	}
	return n < 1 ? 1 : (int)n;
}

/* Paginator's cursor: opaque url-safe base64 of the sort keys of the page's last row */
char *sbx_gw_token(const cJSON *keys)
{
	char *json = cJSON_PrintUnformatted(keys);
	size_t n = strlen(json);
	char *out = malloc(4 * ((n + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)json, (int)n);
	free(json);
	for (char *c = out; *c; c++) /* Base.url_encode64 */
		*c = *c == '+' ? '-' : *c == '/' ? '_' : *c;
	return out;
}

/* The keys back, or NULL for a token Paginator could not decode (it raises: 500). */
cJSON *sbx_gw_untoken(const char *token)
{
	size_t n = strlen(token);
	if (n == 0 || n % 4)
		return NULL;
	unsigned char *buf = malloc(n);
	char *std = strdup(token);
	for (char *c = std; *c; c++)
		*c = *c == '-' ? '+' : *c == '_' ? '/' : *c;
	int len = EVP_DecodeBlock(buf, (const unsigned char *)std, (int)n);
	free(std);
	cJSON *keys = NULL;
	if (len > 0) {
		while (len > 0 && buf[len - 1] == '\0')
			len--;
		keys = cJSON_ParseWithLength((const char *)buf, (size_t)len);
	}
	free(buf);
	if (keys && (!cJSON_IsArray(keys) || cJSON_GetArraySize(keys) != 2)) {
		cJSON_Delete(keys);
		keys = NULL;
	}
	return keys;
}

static char *sbx_gw_int64(double v)
{
	char *s;
	if (asprintf(&s, "%lld", (long long)v) < 0)
		abort();
	return s;
}

void sbx_gw_add_int64(cJSON *o, const char *key, double v)
{
	char *s = sbx_gw_int64(v);
	cJSON_AddStringToObject(o, key, s);
	free(s);
}


/* The services' uuid? (dashboardhub utils.ex, secrethub secret.ex): a
 * lowercase UUID anywhere in s, unanchored. */
bool sbx_gw_has_uuid(const char *s)
{
	static const int groups[] = {8, 4, 4, 4, 12};
	for (const char *start = s; *start; start++) {
		const char *p = start;
		bool ok = true;
		for (int g = 0; g < 5 && ok; g++) {
			for (int i = 0; i < groups[g] && ok; i++, p++)
				ok = (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f');
			if (ok && g < 4)
				ok = *p++ == '-';
		}
		if (ok)
			return true;
	}
	return false;
}

/*
 * What the CircleCI conformance tests share: raw libcurl calls to
 * ciform-sandbox --api circleci with the Circle-Token header (nothing of
 * ciform's client), the seed's organisation and project, and expect().
 */
#ifndef TEST_CONFORMANCE_CIRCLECI_H
#define TEST_CONFORMANCE_CIRCLECI_H

#define _GNU_SOURCE
#include "tests/conformance/api.h"
#include "tests/support/fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ORG "aaaaaaaa-0000-4000-8000-000000000001"
#define WEB "bbbbbbbb-0000-4000-8000-000000000001"
#define SEED(more)                                                                                             \
	"{\"circleci\": {\"collaborations\": [{\"id\": \"" ORG "\", \"name\": \"acme\", \"slug\": \"gh/acme\"}],"    \
	" \"projects\": [{\"id\": \"" WEB "\", \"slug\": \"gh/acme/web\", \"name\": \"web\"}]" more "}}"

typedef struct ans {
	long status;
	char *body;
	cJSON *json;
} ans;

static inline size_t collect(char *p, size_t s, size_t n, void *ud)
{
	char **b = ud;
	size_t have = *b ? strlen(*b) : 0;
	*b = realloc(*b, have + s * n + 1);
	memcpy(*b + have, p, s * n);
	(*b)[have + s * n] = '\0';
	return s * n;
}

/* token NULL: the sandbox's; "" sends no Circle-Token at all. */
static inline ans call_as(const cx_env *e, const char *token, const char *method, const char *path, const char *body)
{
	ans a = {0};
	char *url = NULL, *hdr = NULL;
	if (asprintf(&url, "%s/api/v2%s", e->sb.url, path) < 0 ||
	    asprintf(&hdr, "Circle-Token: %s", token ? token : TEST_TOKEN) < 0)
		abort();
	struct curl_slist *hs = NULL;
	if (!token || *token)
		hs = curl_slist_append(hs, hdr);
	hs = curl_slist_append(hs, "Content-Type: application/json");
	CURL *c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &a.body);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a.status);
	curl_easy_cleanup(c);
	curl_slist_free_all(hs);
	free(url);
	free(hdr);
	if (!a.body)
		a.body = strdup("");
	a.json = cJSON_Parse(a.body);
	return a;
}

static inline ans call(const cx_env *e, const char *method, const char *path, const char *body)
{
	return call_as(e, NULL, method, path, body);
}

static inline void expect(ans a, long status, const char *body)
{
	if (a.status != status || (body && strcmp(a.body, body)))
		fail_msg("wanted %ld %s, got %ld %s", status, body ? body : "", a.status, a.body);
	free(a.body);
	cJSON_Delete(a.json);
}

static inline void up(cx_env *e, const char *seed)
{
	cx_up(e, seed, "50", (const char *const[]){"--api", "circleci", NULL});
}

#endif

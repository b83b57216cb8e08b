/*
 * What the Buildkite conformance tests share: a `ciform-sandbox --api
 * buildkite` per test (seeded with the file's SEED, which it defines before
 * including this), and raw HTTP to it through libcurl (none of ciform's
 * client), with the Bearer token the API wants.
 */
#ifndef CF_TEST_CONFORMANCE_BUILDKITE_H
#define CF_TEST_CONFORMANCE_BUILDKITE_H

#include "tests/unit/test_helpers.h"
#include "tests/support/fixture.h"
#include "tests/support/sandbox.h"
#include "reconciler/diff.h"
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define CLUSTER "01900000-0000-4000-8000-000000000001"
#define OTHER "01900000-0000-4000-8000-000000000002"
#define Q1 "01910000-0000-4000-8000-000000000001"
#define Q2 "01910000-0000-4000-8000-000000000002"
#define ORG "/v2/organizations/acme"

typedef struct ans {
	long status;
	char *body, *headers;
	cJSON *json;
} ans;

static inline size_t grow(char *p, size_t s, size_t n, void *ud)
{
	char **buf = ud;
	size_t old = *buf ? strlen(*buf) : 0;
	*buf = cf_xrealloc(*buf, old + s * n + 1);
	memcpy(*buf + old, p, s * n);
	(*buf)[old + s * n] = '\0';
	return s * n;
}

static inline ans call(const fx_sandbox *sb, const char *method, const char *path, const char *body, const char *token)
{
	ans a = {0};
	CURL *h = curl_easy_init();
	char url[512], auth[256];
	snprintf(url, sizeof(url), "%s%s", sb->url, path);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token ? token : TEST_TOKEN);
	struct curl_slist *hd = curl_slist_append(NULL, auth);
	hd = curl_slist_append(hd, "Content-Type: application/json");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
	if (body)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, grow);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &a.body);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, grow);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &a.headers);
	assert_int_equal(curl_easy_perform(h), CURLE_OK);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a.status);
	curl_slist_free_all(hd);
	curl_easy_cleanup(h);
	a.json = a.body ? cJSON_Parse(a.body) : NULL;
	return a;
}

static inline void done(ans *a)
{
	free(a->body);
	free(a->headers);
	cJSON_Delete(a->json);
}

/* up(sb): a sandbox seeded with the file's SEED (expanded where it is used) */
#define up(sb) bk_sandbox_up(sb, SEED)
static inline void bk_sandbox_up(fx_sandbox *sb, const char *seed)
{
	fx_enter_tmpdir();
	fx_write("seed.json", seed);
	fx_sandbox_start(sb, ARGS("--api", "buildkite", "--seed", "seed.json"));
}

static inline void down(fx_sandbox *sb)
{
	fx_sandbox_stop(sb);
	fx_leave_tmpdir();
}

#endif

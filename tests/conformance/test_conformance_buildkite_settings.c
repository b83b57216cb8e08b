/*
 * Conformance of `ciform-sandbox --api buildkite`'s pipeline settings
 * routes with Buildkite's REST API v2 (docs = buildkite/docs
 * pages/apis/rest_api/organizations/pipeline_settings.md). Raw libcurl,
 * none of ciform's client.
 */
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
#define SEED "{\"buildkite\": {\"organization\": \"acme\", \"clusters\": [{\"id\": \"" CLUSTER "\", \"name\": \"linux\"}, " \
	"{\"id\": \"" OTHER "\", \"name\": \"macos\"}], \"queues\": [{\"id\": \"" Q1 "\", \"cluster_id\": \"" CLUSTER "\", \"key\": \"default\"}, " \
	"{\"id\": \"" Q2 "\", \"cluster_id\": \"" OTHER "\", \"key\": \"mac\"}], \"agent_tokens\": [{\"id\": \"t1\", \"cluster_id\": \"" CLUSTER "\"}]}}"
#define ORG "/v2/organizations/acme"

typedef struct ans {
	long status;
	char *body, *headers;
	cJSON *json;
} ans;

static size_t grow(char *p, size_t s, size_t n, void *ud)
{
	char **buf = ud;
	size_t old = *buf ? strlen(*buf) : 0;
	*buf = cf_xrealloc(*buf, old + s * n + 1);
	memcpy(*buf + old, p, s * n);
	(*buf)[old + s * n] = '\0';
	return s * n;
}

static ans call(const fx_sandbox *sb, const char *method, const char *path, const char *body, const char *token)
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

static void done(ans *a)
{
	free(a->body);
	free(a->headers);
	cJSON_Delete(a->json);
}

static void up(fx_sandbox *sb)
{
	fx_enter_tmpdir();
	fx_write("seed.json", SEED);
	fx_sandbox_start(sb, ARGS("--api", "buildkite", "--seed", "seed.json"));
}

static void down(fx_sandbox *sb)
{
	fx_sandbox_stop(sb);
	fx_leave_tmpdir();
}


#define PS ORG "/pipeline-settings"

/* docs "Update pipeline settings": only the fields in the body change */
static void test_a_patch_changes_only_the_fields_it_names(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "PATCH", PS, "{\"default_branch\": \"main\", \"default_timeout_in_minutes\": 60}", NULL);
	assert_int_equal(a.status, 200);
	done(&a);
	a = call(&sb, "PATCH", PS, "{\"default_cluster_id\": \"" CLUSTER "\"}", NULL);
	assert_int_equal(a.status, 200);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(a.json, "default_branch")), "main");
	assert_int_equal(cJSON_GetObjectItem(a.json, "default_timeout_in_minutes")->valueint, 60);
	done(&a);
	a = call(&sb, "PATCH", PS, "{\"default_cluster_id\": null}", NULL); /* docs: null clears it */
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(a.json, "default_cluster_id")));
	done(&a);
	down(&sb);
}

/* docs: 422 for a default_cluster_id that is no cluster of the organisation */
static void test_a_foreign_default_cluster_is_422(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "PATCH", PS, "{\"default_cluster_id\": \"01900000-0000-4000-8000-00000000dead\"}", NULL);
	assert_int_equal(a.status, 422);
	done(&a);
	down(&sb);
}

/* docs: read_organization_settings to read, write_organization_settings to change */
static void test_the_settings_need_their_own_scopes(void **state)
{
	(void)state;
	fx_sandbox sb;
	fx_enter_tmpdir();
	fx_write("seed.json", "{\"buildkite\": {\"scopes\": [\"read_organization_settings\"]}}");
	fx_sandbox_start(&sb, ARGS("--api", "buildkite", "--seed", "seed.json"));
	ans a = call(&sb, "GET", PS, NULL, NULL);
	assert_int_equal(a.status, 200);
	done(&a);
	a = call(&sb, "PATCH", PS, "{\"default_branch\": \"x\"}", NULL);
	assert_int_equal(a.status, 403);
	done(&a);
	down(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_patch_changes_only_the_fields_it_names),
		cmocka_unit_test(test_a_foreign_default_cluster_is_422),
		cmocka_unit_test(test_the_settings_need_their_own_scopes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Conformance of `ciform-sandbox --api buildkite`'s pipeline schedule
 * routes with Buildkite's REST API v2 (gob = go-buildkite
 * pipeline_schedules.go; docs = buildkite/docs pages/apis/rest_api/
 * pipeline_schedules.md). Raw libcurl, none of ciform's client.
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
	"{\"id\": \"" Q2 "\", \"cluster_id\": \"" OTHER "\", \"key\": \"mac\"}], \"agent_tokens\": [], \"pipelines\": [{\"slug\": \"web\", \"name\": \"web\", \"repository\": \"r\", " \
	"\"cluster_id\": \"" CLUSTER "\", \"configuration\": \"steps: [wait]\"}]}}"
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


#define WS ORG "/pipelines/web/schedules"

static const char *s_at(const cJSON *o, const char *path)
{
	return cJSON_GetStringValue(cf_json_path(o, path));
}

/* gob CreatePipelineSchedule: cronline always sent, env a JSON object of
 * strings; the answer carries env in clear and enabled */
static void test_a_create_answers_with_env_as_an_object(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "POST", WS, "{\"label\": \"Nightly\", \"cronline\": \"@daily\", \"env\": {\"A\": \"1\"}}", NULL);
	assert_int_equal(a.status, 201);
	assert_string_equal(s_at(a.json, "env.A"), "1");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(a.json, "enabled")));
	done(&a);
	a = call(&sb, "POST", WS, "{\"label\": \"x\"}", NULL);
	assert_int_equal(a.status, 422);
	done(&a);
	a = call(&sb, "POST", WS, "{\"cronline\": \"@daily\", \"env\": [\"A=1\"]}", NULL);
	assert_int_equal(a.status, 422); /* REST takes an object; tf's K=V lines are GraphQL's */
	done(&a);
	down(&sb);
}

/* gob Update: PATCH with the given fields; the others stay */
static void test_an_update_patches_the_given_fields_only(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "POST", WS, "{\"label\": \"Nightly\", \"cronline\": \"@daily\", \"enabled\": false}", NULL);
	char *path = cf_xasprintf("%s/%s", WS, s_at(a.json, "id"));
	done(&a);
	a = call(&sb, "PATCH", path, "{\"cronline\": \"@hourly\", \"enabled\": true}", NULL);
	assert_int_equal(a.status, 200);
	assert_string_equal(s_at(a.json, "cronline"), "@hourly");
	assert_string_equal(s_at(a.json, "label"), "Nightly");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(a.json, "enabled")));
	done(&a);
	free(path);
	down(&sb);
}

/* gob Delete: 204; a schedule of another pipeline is not found here */
static void test_delete_answers_204(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "POST", WS, "{\"label\": \"Nightly\", \"cronline\": \"@daily\"}", NULL);
	char *path = cf_xasprintf("%s/%s", WS, s_at(a.json, "id"));
	done(&a);
	a = call(&sb, "DELETE", path, NULL, NULL);
	assert_int_equal(a.status, 204);
	done(&a);
	a = call(&sb, "GET", path, NULL, NULL);
	assert_int_equal(a.status, 404);
	done(&a);
	a = call(&sb, "GET", ORG "/pipelines/none/schedules", NULL, NULL);
	assert_int_equal(a.status, 404);
	done(&a);
	free(path);
	down(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_create_answers_with_env_as_an_object),
		cmocka_unit_test(test_an_update_patches_the_given_fields_only),
		cmocka_unit_test(test_delete_answers_204),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

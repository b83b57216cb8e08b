/*
 * Conformance of `ciform-sandbox --api buildkite`'s cluster routes with
 * Buildkite's REST API v2 (docs = buildkite/docs pages/apis/rest_api/
 * clusters.md, gob = go-buildkite clusters.go). Raw libcurl, none of
 * ciform's client.
 */
#include "tests/unit/test_helpers.h"
#include "tests/support/fixture.h"
#include "tests/support/sandbox.h"

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

/* docs "Create a cluster": 201 with the cluster; no default queue made */
static void test_create_answers_201_without_a_default_queue(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "POST", ORG "/clusters", "{\"name\": \"Open Source\", \"color\": \"#FFE0F1\"}", NULL);
	assert_int_equal(a.status, 201);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(a.json, "name")), "Open Source");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(a.json, "default_queue_id")));
	assert_non_null(cJSON_GetStringValue(cJSON_GetObjectItem(a.json, "id")));
	done(&a);
	down(&sb);
}

/* docs "Create a cluster": name is required; 422 {"message"} */
static void test_create_without_a_name_is_422_with_a_message(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "POST", ORG "/clusters", "{\"description\": \"x\"}", NULL);
	assert_int_equal(a.status, 422);
	assert_non_null(cJSON_GetStringValue(cJSON_GetObjectItem(a.json, "message")));
	done(&a);
	down(&sb);
}

/* docs "Update a cluster": PUT; gob clusters.go Update: PATCH; both change it */
static void test_update_takes_put_and_patch(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "PUT", ORG "/clusters/" CLUSTER, "{\"description\": \"by put\"}", NULL);
	assert_int_equal(a.status, 200);
	done(&a);
	a = call(&sb, "PATCH", ORG "/clusters/" CLUSTER, "{\"emoji\": \":penguin:\"}", NULL);
	assert_int_equal(a.status, 200);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(a.json, "description")), "by put");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(a.json, "emoji")), ":penguin:");
	done(&a);
	down(&sb);
}

/* docs "Update a cluster": default_queue_id is a queue of this cluster */
static void test_the_default_queue_must_be_one_of_the_clusters_queues(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "PUT", ORG "/clusters/" CLUSTER, "{\"default_queue_id\": \"" Q2 "\"}", NULL);
	assert_int_equal(a.status, 422);
	done(&a);
	a = call(&sb, "PUT", ORG "/clusters/" CLUSTER, "{\"default_queue_id\": \"" Q1 "\"}", NULL);
	assert_int_equal(a.status, 200);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(a.json, "default_queue_id")), Q1);
	done(&a);
	down(&sb);
}

/* docs "Delete a cluster": 204; its queues and tokens go with it */
static void test_delete_answers_204_and_takes_the_queues_along(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "DELETE", ORG "/clusters/" CLUSTER, NULL, NULL);
	assert_int_equal(a.status, 204);
	done(&a);
	a = call(&sb, "GET", ORG "/clusters/" CLUSTER, NULL, NULL);
	assert_int_equal(a.status, 404);
	done(&a);
	a = call(&sb, "GET", ORG "/clusters/" OTHER "/queues", NULL, NULL);
	assert_int_equal(cJSON_GetArraySize(a.json), 1); /* another cluster's queue stays */
	done(&a);
	down(&sb);
}

/* docs clusters/queues.md "List queues": the cluster's own queues only */
static void test_a_clusters_queue_list_holds_its_own_queues(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "GET", ORG "/clusters/" CLUSTER "/queues", NULL, NULL);
	assert_int_equal(a.status, 200);
	assert_int_equal(cJSON_GetArraySize(a.json), 1);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(a.json, 0), "key")), "default");
	done(&a);
	down(&sb);
}

/* docs "Create a cluster": Required scope write_clusters; else 403 */
static void test_a_change_without_write_clusters_is_403(void **state)
{
	(void)state;
	fx_sandbox sb;
	fx_enter_tmpdir();
	fx_write("seed.json", "{\"buildkite\": {\"scopes\": [\"read_clusters\"]}}");
	fx_sandbox_start(&sb, ARGS("--api", "buildkite", "--seed", "seed.json"));
	ans a = call(&sb, "POST", ORG "/clusters", "{\"name\": \"x\"}", NULL);
	assert_int_equal(a.status, 403);
	done(&a);
	a = call(&sb, "GET", ORG "/clusters", NULL, NULL);
	assert_int_equal(a.status, 200);
	done(&a);
	down(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_answers_201_without_a_default_queue),
		cmocka_unit_test(test_create_without_a_name_is_422_with_a_message),
		cmocka_unit_test(test_update_takes_put_and_patch),
		cmocka_unit_test(test_the_default_queue_must_be_one_of_the_clusters_queues),
		cmocka_unit_test(test_delete_answers_204_and_takes_the_queues_along),
		cmocka_unit_test(test_a_clusters_queue_list_holds_its_own_queues),
		cmocka_unit_test(test_a_change_without_write_clusters_is_403),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

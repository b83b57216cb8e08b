/*
 * Conformance of `ciform-sandbox --api buildkite`'s cluster queue routes
 * with Buildkite's REST API v2 (docs = buildkite/docs pages/apis/rest_api/
 * clusters/queues.md, gob = go-buildkite cluster_queues.go). Raw libcurl,
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

#define QS ORG "/clusters/" CLUSTER "/queues"

static const char *s_at(const cJSON *o, const char *path)
{
	return cJSON_GetStringValue(cf_json_path(o, path));
}

/* docs "Create a self-hosted queue": 201; retry_agent_affinity defaults to
 * prefer-warmest; not paused */
static void test_create_answers_201_with_the_documented_defaults(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "POST", QS, "{\"key\": \"big\", \"description\": \"Big boxes\"}", NULL);
	assert_int_equal(a.status, 201);
	assert_string_equal(s_at(a.json, "key"), "big");
	assert_string_equal(s_at(a.json, "retry_agent_affinity"), "prefer-warmest");
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(a.json, "dispatch_paused")));
	done(&a);
	down(&sb);
}

/* docs "Create a self-hosted queue": key is required; a taken key is a
 * validation failure: 422 {"message": "Validation failed: ..."} */
static void test_create_without_a_key_or_with_a_taken_key_is_422(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "POST", QS, "{\"description\": \"x\"}", NULL);
	assert_int_equal(a.status, 422);
	assert_non_null(s_at(a.json, "message"));
	done(&a);
	a = call(&sb, "POST", QS, "{\"key\": \"default\"}", NULL);
	assert_int_equal(a.status, 422);
	done(&a);
	down(&sb);
}

/* docs "Create a Buildkite hosted queue": hostedAgents.instanceShape in,
 * hosted: true and hosted_agents.instance_shape.name out */
static void test_a_hosted_create_answers_with_its_instance_shape(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "POST", QS, "{\"key\": \"h\", \"hostedAgents\": {\"instanceShape\": \"LINUX_AMD64_2X4\"}}", NULL);
	assert_int_equal(a.status, 201);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(a.json, "hosted")));
	assert_string_equal(s_at(a.json, "hosted_agents.instance_shape.name"), "LINUX_AMD64_2X4");
	done(&a);
	down(&sb);
}

/* docs "Update a queue": PUT; gob Update and tf send PATCH; both change it;
 * a hosted shape changes only in size */
static void test_update_takes_put_and_patch_and_a_shape_changes_only_in_size(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "PUT", QS "/" Q1, "{\"description\": \"by put\"}", NULL);
	assert_int_equal(a.status, 200);
	done(&a);
	a = call(&sb, "PATCH", QS "/" Q1, "{\"retry_agent_affinity\": \"prefer-different\"}", NULL);
	assert_int_equal(a.status, 200);
	assert_string_equal(s_at(a.json, "description"), "by put");
	assert_string_equal(s_at(a.json, "retry_agent_affinity"), "prefer-different");
	done(&a);
	a = call(&sb, "POST", QS, "{\"key\": \"h\", \"hostedAgents\": {\"instanceShape\": \"LINUX_AMD64_2X4\"}}", NULL);
	char *id = cf_xstrdup(s_at(a.json, "id"));
	done(&a);
	char *path = cf_xasprintf("%s/%s", QS, id);
	a = call(&sb, "PATCH", path, "{\"hostedAgents\": {\"instanceShape\": \"LINUX_AMD64_4X16\"}}", NULL);
	assert_int_equal(a.status, 200);
	done(&a);
	a = call(&sb, "PATCH", path, "{\"hostedAgents\": {\"instanceShape\": \"LINUX_ARM64_4X16\"}}", NULL);
	assert_int_equal(a.status, 422);
	done(&a);
	free(path);
	free(id);
	down(&sb);
}

/* docs "Pause a queue" / "Resume a paused queue": 200, then 422 "already
 * paused" / "not paused"; the note is dispatch_paused_note (gob) */
static void test_pause_and_resume_answer_422_when_already_so(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "POST", QS "/" Q1 "/pause_dispatch", "{\"dispatch_paused_note\": \"incident\"}", NULL);
	assert_int_equal(a.status, 200);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(a.json, "dispatch_paused")));
	assert_string_equal(s_at(a.json, "dispatch_paused_note"), "incident");
	done(&a);
	a = call(&sb, "POST", QS "/" Q1 "/pause_dispatch", "{}", NULL);
	assert_int_equal(a.status, 422);
	assert_string_equal(s_at(a.json, "message"), "Cluster queue is already paused");
	done(&a);
	a = call(&sb, "POST", QS "/" Q1 "/resume_dispatch", NULL, NULL);
	assert_int_equal(a.status, 200);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(a.json, "dispatch_paused")));
	done(&a);
	a = call(&sb, "POST", QS "/" Q1 "/resume_dispatch", NULL, NULL);
	assert_int_equal(a.status, 422);
	assert_string_equal(s_at(a.json, "message"), "Cluster queue is not paused");
	done(&a);
	down(&sb);
}

/* docs "Delete a queue": 204; a queue of another cluster is not found here */
static void test_delete_answers_204_and_another_clusters_queue_is_404(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "DELETE", QS "/" Q2, NULL, NULL);
	assert_int_equal(a.status, 404);
	done(&a);
	a = call(&sb, "DELETE", QS "/" Q1, NULL, NULL);
	assert_int_equal(a.status, 204);
	done(&a);
	a = call(&sb, "GET", QS "/" Q1, NULL, NULL);
	assert_int_equal(a.status, 404);
	done(&a);
	down(&sb);
}

/* docs "Create a self-hosted queue": Required scope write_clusters */
static void test_a_queue_change_without_write_clusters_is_403(void **state)
{
	(void)state;
	fx_sandbox sb;
	fx_enter_tmpdir();
	fx_write("seed.json", "{\"buildkite\": {\"scopes\": [\"read_clusters\"], \"clusters\": [{\"id\": \"" CLUSTER
			      "\", \"name\": \"linux\"}]}}");
	fx_sandbox_start(&sb, ARGS("--api", "buildkite", "--seed", "seed.json"));
	ans a = call(&sb, "POST", QS, "{\"key\": \"x\"}", NULL);
	assert_int_equal(a.status, 403);
	done(&a);
	a = call(&sb, "GET", QS, NULL, NULL);
	assert_int_equal(a.status, 200);
	done(&a);
	down(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_answers_201_with_the_documented_defaults),
		cmocka_unit_test(test_create_without_a_key_or_with_a_taken_key_is_422),
		cmocka_unit_test(test_a_hosted_create_answers_with_its_instance_shape),
		cmocka_unit_test(test_update_takes_put_and_patch_and_a_shape_changes_only_in_size),
		cmocka_unit_test(test_pause_and_resume_answer_422_when_already_so),
		cmocka_unit_test(test_delete_answers_204_and_another_clusters_queue_is_404),
		cmocka_unit_test(test_a_queue_change_without_write_clusters_is_403),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

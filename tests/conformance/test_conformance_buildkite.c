/*
 * Conformance of `ciform-sandbox --api buildkite` with Buildkite's REST API
 * v2, each rule with its evidence (docs = buildkite/docs pages/apis/rest_api/,
 * tf = terraform-provider-buildkite buildkite/). Raw libcurl, none of
 * ciform's client: Bearer auth, headers read as the server sends them.
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
#define SEED "{\"buildkite\": {\"organization\": \"acme\", \"clusters\": [{\"id\": \"" CLUSTER "\", \"name\": \"linux\"}]}}"
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

#define PIPE(name, slug) "{\"name\": \"" name "\", \"repository\": \"git@x:y.git\", \"cluster_id\": \"" CLUSTER \
	"\", \"configuration\": \"steps: [wait]\"" slug "}"

/* docs rest_api.md "Authentication": Bearer; gob ErrorResponse {"message"} */
static void test_a_wrong_bearer_token_is_401_with_a_message(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "GET", ORG "/pipelines", NULL, "nope");
	assert_int_equal(a.status, 401);
	assert_non_null(cJSON_GetStringValue(cJSON_GetObjectItem(a.json, "message")));
	done(&a);
	down(&sb);
}

/* docs access_token.md: GET /v2/access-token returns the token's scopes */
static void test_the_access_token_lists_its_scopes(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "GET", "/v2/access-token", NULL, NULL);
	assert_int_equal(a.status, 200);
	assert_true(cJSON_IsArray(cJSON_GetObjectItem(a.json, "scopes")));
	done(&a);
	down(&sb);
}

/* docs rate_limits.md: RateLimit-* and RateLimit-User-* on every answer */
static void test_every_answer_carries_the_rate_limit_headers(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "GET", ORG "/clusters", NULL, NULL);
	assert_true(fx_contains(a.headers, "RateLimit-Remaining: "));
	assert_true(fx_contains(a.headers, "RateLimit-User-Remaining: "));
	assert_true(fx_contains(a.headers, "RateLimit-Reset: "));
	done(&a);
	down(&sb);
}

/* docs pipelines.md "Create a YAML pipeline": a blank configuration is a
 * 422 on the field configuration; a duplicate name is an error */
static void test_create_needs_a_configuration_and_a_unique_name(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "POST", ORG "/pipelines", "{\"name\": \"A\", \"repository\": \"r\", \"cluster_id\": \""
		     CLUSTER "\", \"configuration\": \"\"}", NULL);
	assert_int_equal(a.status, 422);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(
		cJSON_GetObjectItem(a.json, "errors"), 0), "field")), "configuration");
	done(&a);
	a = call(&sb, "POST", ORG "/pipelines", PIPE("My App", ""), NULL);
	assert_int_equal(a.status, 201);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(a.json, "slug")), "my-app");
	done(&a);
	a = call(&sb, "POST", ORG "/pipelines", PIPE("My App", ", \"slug\": \"other\""), NULL);
	assert_int_equal(a.status, 422);
	done(&a);
	down(&sb);
}

/* docs pipelines.md Update: a name without slug regenerates the slug */
static void test_a_rename_without_slug_moves_the_slug(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "POST", ORG "/pipelines", PIPE("One", ""), NULL);
	done(&a);
	a = call(&sb, "PATCH", ORG "/pipelines/one", "{\"name\": \"Two Words\"}", NULL);
	assert_int_equal(a.status, 200);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(a.json, "slug")), "two-words");
	done(&a);
	down(&sb);
}

/* tf resource_pipeline.go Update: an archived pipeline refuses updates */
static void test_an_archived_pipeline_refuses_updates_until_unarchived(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "POST", ORG "/pipelines", PIPE("One", ""), NULL);
	done(&a);
	a = call(&sb, "POST", ORG "/pipelines/one/archive", NULL, NULL);
	assert_int_equal(a.status, 200);
	assert_non_null(cJSON_GetStringValue(cJSON_GetObjectItem(a.json, "archived_at")));
	done(&a);
	a = call(&sb, "PATCH", ORG "/pipelines/one", "{\"description\": \"x\"}", NULL);
	assert_int_equal(a.status, 422);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(a.json, "message")),
			    "Cannot update an archived pipeline");
	done(&a);
	a = call(&sb, "POST", ORG "/pipelines/one/unarchive", NULL, NULL);
	done(&a);
	a = call(&sb, "PATCH", ORG "/pipelines/one", "{\"description\": \"x\"}", NULL);
	assert_int_equal(a.status, 200);
	done(&a);
	down(&sb);
}

/* docs rest_api.md "Pagination": per_page at most 100, Link rel="next" */
static void test_lists_are_paged_with_a_link_header(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "POST", ORG "/pipelines", PIPE("One", ""), NULL);
	done(&a);
	a = call(&sb, "POST", ORG "/pipelines", PIPE("Two", ""), NULL);
	done(&a);
	a = call(&sb, "GET", ORG "/pipelines?per_page=1&page=1", NULL, NULL);
	assert_int_equal(cJSON_GetArraySize(a.json), 1);
	assert_true(fx_contains(a.headers, "rel=\"next\""));
	done(&a);
	a = call(&sb, "GET", ORG "/pipelines?per_page=1&page=2", NULL, NULL);
	assert_int_equal(cJSON_GetArraySize(a.json), 1);
	assert_false(fx_contains(a.headers, "rel=\"next\""));
	done(&a);
	down(&sb);
}

/* docs pipelines.md "Delete a pipeline": 204; then 404 */
static void test_delete_answers_204_and_then_404(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "POST", ORG "/pipelines", PIPE("One", ""), NULL);
	done(&a);
	a = call(&sb, "DELETE", ORG "/pipelines/one", NULL, NULL);
	assert_int_equal(a.status, 204);
	done(&a);
	a = call(&sb, "GET", ORG "/pipelines/one", NULL, NULL);
	assert_int_equal(a.status, 404);
	done(&a);
	down(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_wrong_bearer_token_is_401_with_a_message),
		cmocka_unit_test(test_the_access_token_lists_its_scopes),
		cmocka_unit_test(test_every_answer_carries_the_rate_limit_headers),
		cmocka_unit_test(test_create_needs_a_configuration_and_a_unique_name),
		cmocka_unit_test(test_a_rename_without_slug_moves_the_slug),
		cmocka_unit_test(test_an_archived_pipeline_refuses_updates_until_unarchived),
		cmocka_unit_test(test_lists_are_paged_with_a_link_header),
		cmocka_unit_test(test_delete_answers_204_and_then_404),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

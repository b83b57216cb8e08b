/*
 * ciform-sandbox --api circleci answers the runner API (/api/v3/runner/...)
 * as CircleCI does, rule by rule, each test naming its evidence (PUB =
 * CircleCI-Public/terraform-provider-circleci internal/circleci/runner/ and
 * testing/fakecircle/runner.go; LABS = CircleCI-Labs/terraform-provider-circleci
 * internal/circleci/runner.go, error.go; docs/circleci.md "Runner"): raw
 * libcurl, nothing of ciform's client.
 */
#include "tests/conformance/test_conformance_circleci.h"

#define RSEED(more)                                                                                              \
	"{\"circleci\": {\"runner_namespaces\": [{\"name\": \"acme\", \"org_id\": \"" ORG "\"}, {\"name\": \"beta\", " \
	"\"org_id\": \"" ORG "\"}], \"runner_classes\": [{\"id\": \"c1\", \"resource_class\": \"acme/linux\", "        \
	"\"description\": \"L\"}, {\"id\": \"c2\", \"resource_class\": \"beta/mac\", \"description\": \"M\"}]" more "}}"
#define TOKENS ", \"runner_tokens\": [{\"id\": \"t1\", \"resource_class\": \"acme/linux\", \"nickname\": \"h1\", " \
	"\"token\": \"secret-1\", \"created_at\": \"2026-01-01T00:00:00Z\"}]"

/* path is the whole path, /api/v3/runner/... */
static ans rcall(const cx_env *e, const char *method, const char *path, const char *body)
{
	ans a = {0};
	char *url = NULL, *hdr = NULL;
	if (asprintf(&url, "%s%s", e->sb.url, path) < 0 || asprintf(&hdr, "Circle-Token: %s", TEST_TOKEN) < 0)
		abort();
	struct curl_slist *hs = curl_slist_append(NULL, hdr);
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

/* The v3 error envelope {"error": {title, detail, id}} (LABS error.go
 * APIError), with this status and detail. */
static void expect_v3_error(ans a, long status, const char *detail)
{
	const cJSON *e = cJSON_GetObjectItem(a.json, "error");
	if (a.status != status || !cJSON_GetStringValue(cJSON_GetObjectItem(e, "title")) ||
	    !cJSON_GetStringValue(cJSON_GetObjectItem(e, "id")) ||
	    strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(e, "detail")) ?: "", detail))
		fail_msg("wanted %ld {error: {title, detail: %s, id}}, got %ld %s", status, detail, a.status, a.body);
	free(a.body);
	cJSON_Delete(a.json);
}

/* LABS ListResourceClasses: namespace or org-id, 400 for neither; org-id
 * wins when both come (every class of the organisation); {items} */
static void test_class_lists_need_a_scope_and_org_id_wins(void **state)
{
	(void)state;
	cx_env e;
	up(&e, RSEED(""));
	expect_v3_error(rcall(&e, "GET", "/api/v3/runner/resource", NULL), 400, "one of namespace or org-id is required");
	expect(rcall(&e, "GET", "/api/v3/runner/resource?namespace=acme", NULL), 200,
	       "{\"items\":[{\"id\":\"c1\",\"resource_class\":\"acme/linux\",\"description\":\"L\"}]}");
	expect(rcall(&e, "GET", "/api/v3/runner/resource?namespace=acme&org-id=" ORG, NULL), 200,
	       "{\"items\":[{\"id\":\"c1\",\"resource_class\":\"acme/linux\",\"description\":\"L\"},"
	       "{\"id\":\"c2\",\"resource_class\":\"beta/mac\",\"description\":\"M\"}]}");
	cx_down(&e);
}

/* LABS DeleteResourceClass: missing and unauthorized are the same 404
 * (middleware.AccessDeniedMsg) */
static void test_a_namespace_not_the_callers_is_404_like_a_missing_one(void **state)
{
	(void)state;
	cx_env e;
	up(&e, RSEED(""));
	expect_v3_error(rcall(&e, "GET", "/api/v3/runner/resource?namespace=zeta", NULL), 404,
			"Access denied or resource not found.");
	expect_v3_error(rcall(&e, "POST", "/api/v3/runner/resource", "{\"resource_class\": \"zeta/x\"}"), 404,
			"Access denied or resource not found.");
	expect_v3_error(rcall(&e, "DELETE", "/api/v3/runner/resource/nope", NULL), 404,
			"Access denied or resource not found.");
	cx_down(&e);
}

/* PUB fakecircle createResourceClass: 200 {id, resource_class,
 * description}, an existing name 409 (LABS IsConflict); org_id is not read
 * (LABS ResourceClassInput) */
static void test_a_class_create_answers_it_and_a_second_is_409(void **state)
{
	(void)state;
	cx_env e;
	up(&e, RSEED(""));
	ans a = rcall(&e, "POST", "/api/v3/runner/resource",
		      "{\"resource_class\": \"acme/big\", \"description\": \"Big\", \"org_id\": \"ignored\"}");
	assert_int_equal(a.status, 200);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(a.json, "resource_class")), "acme/big");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(a.json, "description")), "Big");
	assert_non_null(cJSON_GetStringValue(cJSON_GetObjectItem(a.json, "id")));
	free(a.body);
	cJSON_Delete(a.json);
	expect_v3_error(rcall(&e, "POST", "/api/v3/runner/resource", "{\"resource_class\": \"acme/big\"}"), 409,
			"resource class already exists");
	cx_down(&e);
}

/* LABS DeleteResourceClass, PUB fakecircle deleteResourceClass: 409 while
 * tokens exist; /force deletes the class and its tokens */
static void test_a_class_with_tokens_is_409_and_force_deletes_both(void **state)
{
	(void)state;
	cx_env e;
	up(&e, RSEED(TOKENS));
	expect_v3_error(rcall(&e, "DELETE", "/api/v3/runner/resource/c1", NULL), 409, "resource class has tokens");
	expect(rcall(&e, "DELETE", "/api/v3/runner/resource/c1/force", NULL), 200, "{\"message\":\"deleted\"}");
	expect(rcall(&e, "GET", "/api/v3/runner/resource?namespace=acme", NULL), 200, "{\"items\":[]}");
	expect(rcall(&e, "DELETE", "/api/v3/runner/token/t1", NULL), 404, NULL);
	cx_down(&e);
}

/* LABS CreateToken/Token: the create's answer is the only one with the
 * value; ListTokens omits it and needs resource-class (400 without) */
static void test_a_token_value_is_shown_by_its_create_only(void **state)
{
	(void)state;
	cx_env e;
	up(&e, RSEED(""));
	ans a = rcall(&e, "POST", "/api/v3/runner/token", "{\"resource_class\": \"acme/linux\", \"nickname\": \"h2\"}");
	assert_int_equal(a.status, 200);
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItem(a.json, "token"));
	assert_true(v && strlen(v) >= 20);
	assert_non_null(cJSON_GetStringValue(cJSON_GetObjectItem(a.json, "created_at")));
	ans l = rcall(&e, "GET", "/api/v3/runner/token?resource-class=acme/linux", NULL);
	assert_int_equal(l.status, 200);
	const cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItem(l.json, "items"), 0);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(t, "nickname")), "h2");
	assert_null(cJSON_GetObjectItem(t, "token"));
	assert_false(strstr(l.body, v) != NULL);
	free(a.body);
	cJSON_Delete(a.json);
	free(l.body);
	cJSON_Delete(l.json);
	expect_v3_error(rcall(&e, "GET", "/api/v3/runner/token", NULL), 400, "resource-class is required");
	cx_down(&e);
}

/* PUB fakecircle createToken: a class that does not exist is 404 */
static void test_a_token_for_an_unknown_class_is_404(void **state)
{
	(void)state;
	cx_env e;
	up(&e, RSEED(""));
	expect_v3_error(rcall(&e, "POST", "/api/v3/runner/token", "{\"resource_class\": \"acme/none\", \"nickname\": \"x\"}"),
			404, "Access denied or resource not found.");
	cx_down(&e);
}

/* LABS DeleteToken: a token that is gone is 404 */
static void test_a_deleted_token_is_404_the_second_time(void **state)
{
	(void)state;
	cx_env e;
	up(&e, RSEED(TOKENS));
	expect(rcall(&e, "DELETE", "/api/v3/runner/token/t1", NULL), 200, "{\"message\":\"deleted\"}");
	expect_v3_error(rcall(&e, "DELETE", "/api/v3/runner/token/t1", NULL), 404, "Access denied or resource not found.");
	cx_down(&e);
}

/* PUB GetRunningTaskCount, LABS RunningTaskCount: {"running_runner_tasks": N};
 * the sandbox's tasks end one per look (its own device, docs/circleci.md) */
static void test_running_tasks_are_counted_per_class(void **state)
{
	(void)state;
	cx_env e;
	up(&e, RSEED(", \"runner_running\": {\"acme/linux\": 1}"));
	expect(rcall(&e, "GET", "/api/v3/runner/tasks/running?resource-class=acme/linux", NULL), 200,
	       "{\"running_runner_tasks\":1}");
	expect(rcall(&e, "GET", "/api/v3/runner/tasks/running?resource-class=acme/linux", NULL), 200,
	       "{\"running_runner_tasks\":0}");
	expect_v3_error(rcall(&e, "GET", "/api/v3/runner/tasks/running?resource-class=acme/none", NULL), 404,
			"Access denied or resource not found.");
	cx_down(&e);
}

/* PUB fakecircle/auth.go: the runner host takes the same Circle-Token */
static void test_the_runner_api_wants_the_circle_token(void **state)
{
	(void)state;
	cx_env e;
	up(&e, RSEED(""));
	char *url = NULL;
	if (asprintf(&url, "%s/api/v3/runner/resource?namespace=acme", e.sb.url) < 0)
		abort();
	CURL *c = curl_easy_init();
	char *body = NULL;
	long status = 0;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	assert_int_equal(status, 401);
	assert_string_equal(body, "{\"message\":\"You must log in first.\"}");
	free(body);
	free(url);
	cx_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_class_lists_need_a_scope_and_org_id_wins),
		cmocka_unit_test(test_a_namespace_not_the_callers_is_404_like_a_missing_one),
		cmocka_unit_test(test_a_class_create_answers_it_and_a_second_is_409),
		cmocka_unit_test(test_a_class_with_tokens_is_409_and_force_deletes_both),
		cmocka_unit_test(test_a_token_value_is_shown_by_its_create_only),
		cmocka_unit_test(test_a_token_for_an_unknown_class_is_404),
		cmocka_unit_test(test_a_deleted_token_is_404_the_second_time),
		cmocka_unit_test(test_running_tasks_are_counted_per_class),
		cmocka_unit_test(test_the_runner_api_wants_the_circle_token),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * ciform-sandbox --api circleci answers as CircleCI's API v2 does, rule by
 * rule, each test naming the rule's evidence (docs/circleci.md lists them):
 * raw libcurl with the Circle-Token header, nothing of ciform's client.
 */
#include "tests/conformance/test_conformance_circleci.h"

static char *new_context(const cx_env *e, const char *name)
{
	char body[256];
	snprintf(body, sizeof(body), "{\"name\": \"%s\", \"owner\": {\"id\": \"" ORG "\", \"type\": \"organization\"}}", name);
	ans a = call(e, "POST", "/context", body);
	assert_int_equal(a.status, 200);
	char *id = strdup(cx_str(a.json, "id"));
	free(a.body);
	cJSON_Delete(a.json);
	return id;
}

/* PUB internal/circleci/testing/fakecircle/auth.go */
static void test_a_missing_token_and_a_wrong_one_are_401_with_their_messages(void **state)
{
	(void)state;
	cx_env e;
	up(&e, SEED(""));
	expect(call_as(&e, "", "GET", "/me/collaborations", NULL), 401, "{\"message\":\"You must log in first.\"}");
	expect(call_as(&e, "nope", "GET", "/me/collaborations", NULL), 401, "{\"message\":\"Invalid token provided.\"}");
	cx_down(&e);
}

/* CircleCI-Public/circleci-cli internal/apiclient/me.go: a bare array */
static void test_collaborations_are_a_bare_array(void **state)
{
	(void)state;
	cx_env e;
	up(&e, SEED(""));
	expect(call(&e, "GET", "/me/collaborations", NULL), 200,
	       "[{\"id\":\"" ORG "\",\"name\":\"acme\",\"slug\":\"gh/acme\"}]");
	cx_down(&e);
}

/* PUB project/project.go Get: by slug; an unknown one is 404 */
static void test_a_project_is_read_by_slug_and_an_unknown_one_is_404(void **state)
{
	(void)state;
	cx_env e;
	up(&e, SEED(""));
	ans a = call(&e, "GET", "/project/gh/acme/web", NULL);
	assert_int_equal(a.status, 200);
	assert_string_equal(cx_str(a.json, "id"), WEB);
	expect(a, 200, NULL);
	expect(call(&e, "GET", "/project/gh/acme/nope", NULL), 404, "{\"message\":\"Project not found\"}");
	cx_down(&e);
}

/* PUB common/models.go PaginatedResponse and context.go List: pages by page-token */
static void test_contexts_are_listed_by_owner_id_in_pages(void **state)
{
	(void)state;
	cx_env e;
	up(&e, SEED(", \"context_page_size\": 1"));
	free(new_context(&e, "one"));
	free(new_context(&e, "two"));
	ans a = call(&e, "GET", "/context?owner-id=" ORG "&owner-type=organization", NULL);
	assert_string_equal(cx_str(a.json, "items.0.name"), "one");
	assert_string_equal(cx_str(a.json, "next_page_token"), "1");
	expect(a, 200, NULL);
	a = call(&e, "GET", "/context?owner-id=" ORG "&owner-type=organization&page-token=1", NULL);
	assert_string_equal(cx_str(a.json, "items.0.name"), "two");
	assert_true(cJSON_IsNull(cx_get(a.json, "next_page_token")));
	expect(a, 200, NULL);
	cx_down(&e);
}

/* LABS ic/context.go: owner type account is 400; names unique per
 * organization (circleci.com/docs/contexts) */
static void test_a_context_owned_by_an_account_or_named_twice_is_400(void **state)
{
	(void)state;
	cx_env e;
	up(&e, SEED(""));
	free(new_context(&e, "deploy"));
	expect(call(&e, "POST", "/context", "{\"name\": \"x\", \"owner\": {\"id\": \"" ORG "\", \"type\": \"account\"}}"),
	       400, NULL);
	expect(call(&e, "POST", "/context", "{\"name\": \"deploy\", \"owner\": {\"id\": \"" ORG "\", \"type\": "
		    "\"organization\"}}"), 400, NULL);
	cx_down(&e);
}

/* LABS ic/context.go, DESIGN.md: a missing context is 403 on every route */
static void test_every_route_of_a_missing_context_is_403(void **state)
{
	(void)state;
	cx_env e;
	up(&e, SEED(""));
	const char *gone = "/context/dddddddd-0000-4000-8000-000000000009";
	expect(call(&e, "GET", gone, NULL), 403, NULL);
	expect(call(&e, "DELETE", gone, NULL), 403, NULL);
	char path[160];
	snprintf(path, sizeof(path), "%s/environment-variable", gone);
	expect(call(&e, "GET", path, NULL), 403, NULL);
	cx_down(&e);
}

/* LABS ic/environment_variable.go: PUT upserts, only "value" is read, the
 * list shows the last min(4, len/2) characters */
static void test_a_variable_put_upserts_and_lists_its_tail(void **state)
{
	(void)state;
	cx_env e;
	up(&e, SEED(""));
	char *id = new_context(&e, "deploy"), path[200];
	snprintf(path, sizeof(path), "/context/%s/environment-variable/TOKEN", id);
	expect(call(&e, "PUT", path, "{\"value\": \"abcdef123456\"}"), 200, NULL);
	expect(call(&e, "PUT", path, "{\"value\": \"xyz\"}"), 200, NULL);
	snprintf(path, sizeof(path), "/context/%s/environment-variable/OTHER", id);
	expect(call(&e, "PUT", path, "{\"val\": \"ignored\"}"), 200, NULL);
	snprintf(path, sizeof(path), "/context/%s/environment-variable", id);
	ans a = call(&e, "GET", path, NULL);
	assert_string_equal(cx_str(a.json, "items.0.variable"), "OTHER");
	assert_string_equal(cx_str(a.json, "items.0.truncated_value"), "");
	assert_string_equal(cx_str(a.json, "items.1.variable"), "TOKEN");
	assert_string_equal(cx_str(a.json, "items.1.truncated_value"), "z");
	assert_int_equal(cJSON_GetArraySize(cx_get(a.json, "items")), 2);
	expect(a, 200, NULL);
	free(id);
	cx_down(&e);
}

/* LABS ic/environment_variable.go: a 101st name is 400; the list stops at 100 */
static void test_a_context_holds_at_most_100_variables(void **state)
{
	(void)state;
	cx_env e;
	up(&e, SEED(""));
	char *id = new_context(&e, "deploy"), path[200];
	for (int i = 0; i < 100; i++) {
		snprintf(path, sizeof(path), "/context/%s/environment-variable/V%03d", id, i);
		expect(call(&e, "PUT", path, "{\"value\": \"v\"}"), 200, NULL);
	}
	snprintf(path, sizeof(path), "/context/%s/environment-variable/V100", id);
	expect(call(&e, "PUT", path, "{\"value\": \"v\"}"), 400, NULL);
	free(id);
	cx_down(&e);
}

/* LABS ic/context_restriction.go, ic/items.go; the GA changelog: project and
 * expression only; the answer has no name; the list has no page token */
static void test_restrictions_are_project_or_expression_and_listed_without_a_token(void **state)
{
	(void)state;
	cx_env e;
	up(&e, SEED(""));
	char *id = new_context(&e, "deploy"), path[200];
	snprintf(path, sizeof(path), "/context/%s/restrictions", id);
	expect(call(&e, "POST", path, "{\"restriction_type\": \"group\", \"restriction_value\": \"g\"}"), 400, NULL);
	ans a = call(&e, "POST", path, "{\"restriction_type\": \"project\", \"restriction_value\": \"" WEB "\"}");
	assert_int_equal(a.status, 201);
	assert_null(cx_get(a.json, "name"));
	char *rid = strdup(cx_str(a.json, "id"));
	expect(a, 201, NULL);
	a = call(&e, "GET", path, NULL);
	assert_null(cx_get(a.json, "next_page_token"));
	assert_string_equal(cx_str(a.json, "items.0.restriction_value"), WEB);
	expect(a, 200, NULL);
	snprintf(path, sizeof(path), "/context/%s/restrictions/%s", id, rid);
	expect(call(&e, "DELETE", path, NULL), 200, NULL);
	expect(call(&e, "DELETE", path, NULL), 404, NULL);
	free(rid);
	free(id);
	cx_down(&e);
}

/* SEED delete_context: deleting a context removes its variables */
static void test_deleting_a_context_removes_it_and_its_variables(void **state)
{
	(void)state;
	cx_env e;
	up(&e, SEED(""));
	char *id = new_context(&e, "deploy"), path[200];
	snprintf(path, sizeof(path), "/context/%s/environment-variable/A", id);
	expect(call(&e, "PUT", path, "{\"value\": \"v\"}"), 200, NULL);
	snprintf(path, sizeof(path), "/context/%s", id);
	expect(call(&e, "DELETE", path, NULL), 200, NULL);
	snprintf(path, sizeof(path), "/context/%s/environment-variable", id);
	expect(call(&e, "GET", path, NULL), 403, NULL);
	free(id);
	cx_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_missing_token_and_a_wrong_one_are_401_with_their_messages),
		cmocka_unit_test(test_collaborations_are_a_bare_array),
		cmocka_unit_test(test_a_project_is_read_by_slug_and_an_unknown_one_is_404),
		cmocka_unit_test(test_contexts_are_listed_by_owner_id_in_pages),
		cmocka_unit_test(test_a_context_owned_by_an_account_or_named_twice_is_400),
		cmocka_unit_test(test_every_route_of_a_missing_context_is_403),
		cmocka_unit_test(test_a_variable_put_upserts_and_lists_its_tail),
		cmocka_unit_test(test_a_context_holds_at_most_100_variables),
		cmocka_unit_test(test_restrictions_are_project_or_expression_and_listed_without_a_token),
		cmocka_unit_test(test_deleting_a_context_removes_it_and_its_variables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

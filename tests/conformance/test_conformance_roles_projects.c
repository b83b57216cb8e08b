/*
 * Projects, roles and the errors every route shares, as the real server answers
 * them: projecthub-rest-api for projects (semaphoreio/semaphore
 * projecthub-rest-api/lib/projecthub/http_api.ex), public-api over RBAC for roles
 * (public-api/v1alpha/lib/pipelines_api/roles/). Neither has router tests for
 * these reads upstream; each test names the file it pins.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include "tests/conformance/api.h"
#include "tests/conformance/seed.h"

#include <stdlib.h>
#include <string.h>

/* http_api.ex get "/api/v1alpha/projects": bare array, x-page, x-has-more */
static void test_projects_list_is_a_bare_array_with_paging_headers(void **state)
{
	(void)state;
	cx_env e;
	cx_up(&e, SEED, "0", NULL);
	cx_answer a = cx_call(&e, "GET", "/projects", NULL);
	assert_int_equal(a.status, 200);
	assert_true(cJSON_IsArray(a.json));
	assert_int_equal(cJSON_GetArraySize(a.json), 2); /* web, api: not hidden */
	assert_string_equal(cx_str(a.json, "0.metadata.name"), "web");
	assert_string_equal(cx_str(a.json, "0.kind"), "Project");
	assert_string_equal(a.has_more, "false");
	assert_string_equal(a.page, "1");
	cx_free(&a);
	cx_down(&e);
}

/* http_api.ex do_list_projects: the page is cut before Auth.filter_projects */
static void test_a_filtered_page_can_be_empty_while_x_has_more_is_true(void **state)
{
	(void)state;
	cx_env e;
	cx_up(&e, "{\"projects_page_size\": 1, \"projects\": [{\"name\": \"secret\", \"member\": false},"
		  " {\"name\": \"open\"}]}", "0", NULL);
	cx_answer a = cx_call(&e, "GET", "/projects?page=1", NULL);
	assert_string_equal(a.body, "[]");
	assert_string_equal(a.has_more, "true");
	cx_free(&a);
	a = cx_call(&e, "GET", "/projects?page=2", NULL);
	assert_string_equal(cx_str(a.json, "0.metadata.name"), "open");
	assert_string_equal(a.has_more, "false");
	cx_free(&a);
	cx_down(&e);
}

/* http_api.ex parse_int(params, "page", 1, 100, 1) */
static void test_page_outside_1_to_100_is_400_with_a_message(void **state)
{
	(void)state;
	cx_env e;
	cx_up(&e, SEED, "0", NULL);
	cx_expect(cx_call(&e, "GET", "/projects?page=0", NULL), 400, "{\"message\":\"page must be at least 1\"}");
	cx_expect(cx_call(&e, "GET", "/projects?page=101", NULL), 400, "{\"message\":\"page must be at most 100\"}");
	cx_expect(cx_call(&e, "GET", "/projects?page=x", NULL), 400, "{\"message\":\"page must be a number\"}");
	cx_down(&e);
}

/* http_api.ex get "/api/v1alpha/projects/:name": 404 unknown, 401 without project.view */
static void test_project_by_name_is_404_unknown_and_401_for_non_members(void **state)
{
	(void)state;
	cx_env e;
	cx_up(&e, SEED, "0", NULL);
	cx_answer a = cx_call(&e, "GET", "/projects/web", NULL);
	assert_string_equal(cx_str(a.json, "metadata.id"), P_WEB);
	cx_free(&a);
	cx_expect(cx_call(&e, "GET", "/projects/nope", NULL), 404, "{\"message\":\"Not found\"}");
	cx_expect(cx_call(&e, "GET", "/projects/hidden", NULL), 401, "{\"message\":\"Unauthorized\"}");
	cx_down(&e);
}

/* roles/list.ex with rbac_client/request_formatter.ex form_list_org_roles_request */
static void test_roles_list_is_a_bare_array_of_organisation_roles_only(void **state)
{
	(void)state;
	cx_env e;
	cx_up(&e, SEED, "0", NULL);
	cx_answer a = cx_call(&e, "GET", "/roles", NULL);
	assert_int_equal(a.status, 200);
	assert_int_equal(cJSON_GetArraySize(a.json), 1);
	assert_string_equal(cx_str(a.json, "0.id"), R_ORG_ADMIN);
	assert_string_equal(cx_str(a.json, "0.scope"), "SCOPE_ORG");
	cx_free(&a);
	cx_down(&e);
}

/* roles/describe.ex with rbac_client/response_formatter.ex serialize_role: any scope */
static void test_role_describe_shows_one_role_of_any_scope(void **state)
{
	(void)state;
	cx_env e;
	cx_up(&e, SEED, "0", NULL);
	cx_expect(cx_call(&e, "GET", "/roles/" R_PRJ_ADMIN, NULL), 200,
	       "{\"id\":\"" R_PRJ_ADMIN "\",\"name\":\"Admin\",\"org_id\":\"" ORG "\",\"scope\":\"project\","
	       "\"description\":\"Full access\",\"permissions\":[\"project.view\"],\"readonly\":false}");
	cx_down(&e);
}

/* ee/rbac/lib/rbac/grpc_servers/rbac_server.ex describe_role and utils/grpc.ex validate_uuid! */
static void test_unknown_role_id_is_404_and_a_non_uuid_is_400(void **state)
{
	(void)state;
	cx_env e;
	cx_up(&e, SEED, "0", NULL);
	cx_expect(cx_call(&e, "GET", "/roles/aaaaaaaa-2222-4222-8222-222222222222", NULL), 404,
	       "\"Role with id aaaaaaaa-2222-4222-8222-222222222222 not found\"");
	cx_expect(cx_call(&e, "GET", "/roles/Admin", NULL), 400,
	       "\"Invalid uuid passed as an argument where uuid v4 was expected.\"");
	cx_down(&e);
}

/* the API gateway refuses a bad token before any service, in plain text */
static void test_a_wrong_token_is_401_plain_unauthorized(void **state)
{
	(void)state;
	cx_env e;
	cx_up(&e, SEED, "0", NULL);
	cx_answer a = cx_call_raw(&e, "GET", "/roles", NULL, NULL, 0, "wrong");
	assert_int_equal(a.status, 401);
	assert_string_equal(a.body, "Unauthorized");
	assert_string_equal(a.content_type, "text/plain; charset=utf-8");
	cx_free(&a);
	cx_down(&e);
}

/* pipelines/common.ex respond_: a JSON string and no Content-Type; router.ex match _ : "oops" */
static void test_public_api_errors_are_json_strings_without_content_type(void **state)
{
	(void)state;
	cx_env e;
	cx_up(&e, SEED, "0", NULL);
	cx_answer a = cx_call(&e, "GET", "/self_hosted_agent_types/s1-nope", NULL);
	assert_string_equal(a.body, "\"agent type not found\"");
	assert_null(a.content_type);
	cx_free(&a);
	cx_expect(cx_call(&e, "GET", "/nothing-here", NULL), 404, "oops");
	cx_down(&e);
}

/* router.ex Plug.Parsers: only a JSON content type is parsed as JSON */
static void test_a_json_body_without_json_content_type_is_not_read(void **state)
{
	(void)state;
	cx_env e;
	cx_up(&e, SEED, "0", NULL);
	const char *body = "{\"metadata\": {\"name\": \"s1-new\"}}";
	cx_expect(cx_call_raw(&e, "POST", "/self_hosted_agent_types", "text/plain", body, strlen(body), NULL), 400,
	       "\"Name must be provided\"");
	cx_down(&e);
}

/* ciform-sandbox's own fault options keep working next to the server's behaviour */
static void test_fail_every_answers_503_and_stats_count_routes(void **state)
{
	(void)state;
	cx_env e;
	cx_up(&e, SEED, "0", (const char *[]){"--fail-every", "2", NULL});
	cx_answer a = cx_call(&e, "GET", "/roles", NULL);
	assert_int_equal(a.status, 200);
	cx_free(&a);
	a = cx_call(&e, "GET", "/roles", NULL);
	assert_int_equal(a.status, 503);
	cx_free(&a);
	assert_int_equal(fx_sandbox_route_count(&e.sb, "GET /roles"), 1);
	cx_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_projects_list_is_a_bare_array_with_paging_headers),
		cmocka_unit_test(test_a_filtered_page_can_be_empty_while_x_has_more_is_true),
		cmocka_unit_test(test_page_outside_1_to_100_is_400_with_a_message),
		cmocka_unit_test(test_project_by_name_is_404_unknown_and_401_for_non_members),
		cmocka_unit_test(test_roles_list_is_a_bare_array_of_organisation_roles_only),
		cmocka_unit_test(test_role_describe_shows_one_role_of_any_scope),
		cmocka_unit_test(test_unknown_role_id_is_404_and_a_non_uuid_is_400),
		cmocka_unit_test(test_a_wrong_token_is_401_plain_unauthorized),
		cmocka_unit_test(test_public_api_errors_are_json_strings_without_content_type),
		cmocka_unit_test(test_a_json_body_without_json_content_type_is_not_read),
		cmocka_unit_test(test_fail_every_answers_503_and_stats_count_routes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

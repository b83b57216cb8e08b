/*
 * Dashboards as public-api-gateway and dashboardhub answer them. Each test
 * names the upstream file it pins (semaphoreio/semaphore
 * dashboardhub/lib/dashboardhub/grpc/public_api_server.ex, repo.ex, utils.ex,
 * store.ex, public_grpc_api/list_dashboards.ex).
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

#define DS "/dashboards"
#define WIDGET "{\"name\": \"Pipelines\", \"type\": \"list_pipelines\", \"filters\": {\"project_id\": \"" P_WEB "\", \"branch\": \"main\"}}"
#define BODY(meta, widgets) "{\"metadata\": " meta ", \"spec\": {\"widgets\": [" widgets "]}}"
#define NAMED(name) BODY("{\"name\": \"" name "\"}", WIDGET)

static void up(cx_env *e)
{
	cx_up(e, SEED, "0", NULL);
}

static void create(cx_env *e, const char *body)
{
	cx_answer a = cx_call(e, "POST", DS, body);
	assert_int_equal(a.status, 200);
	cx_free(&a);
}

/* utils.ex proto_to_record titleize(name, ""): the title comes from the name */
static void test_create_defaults_the_title_from_the_name(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_answer a = cx_call(&e, "POST", DS, NAMED("my-team-board2"));
	assert_int_equal(a.status, 200);
	assert_string_equal(a.content_type, "application/json");
	assert_string_equal(cx_str(a.json, "metadata.title"), "My Team Board2");
	assert_true(cJSON_IsString(cx_get(a.json, "metadata.create_time")));
	char *w = cJSON_PrintUnformatted(cx_get(a.json, "spec.widgets"));
	assert_string_equal(w, "[{\"name\":\"Pipelines\",\"type\":\"list_pipelines\",\"filters\":{\"project_id\":\"" P_WEB
			       "\",\"branch\":\"main\"}}]");
	free(w);
	cx_free(&a);
	a = cx_call(&e, "POST", DS, BODY("{\"name\": \"b\", \"title\": \"Given\"}", ""));
	assert_string_equal(cx_str(a.json, "metadata.title"), "Given");
	cx_free(&a);
	cx_down(&e);
}

/* repo.ex valid_name_format and the unique index: all INVALID_ARGUMENT */
static void test_name_rules(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	const char *format = "{\"code\":3,\"message\":\"name should contain only lowercase letters a-z, numbers 0-9, and "
			     "dashes, no spaces\",\"details\":[]}";
	cx_expect(cx_call(&e, "POST", DS, NAMED("My Board")), 400, format);
	cx_expect(cx_call(&e, "POST", DS, NAMED("-board")), 400, format);
	cx_expect(cx_call(&e, "POST", DS, NAMED("")), 400, format);
	cx_expect(cx_call(&e, "POST", DS, NAMED("x-" P_WEB)), 400,
		  "{\"code\":3,\"message\":\"name should not be in uuid format\",\"details\":[]}");
	create(&e, NAMED("board"));
	cx_expect(cx_call(&e, "POST", DS, NAMED("board")), 400,
		  "{\"code\":3,\"message\":\"name has already been taken\",\"details\":[]}");
	cx_down(&e);
}

/* utils.ex valid_widgets?: known types, then the filters each type allows */
static void test_widget_rules(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_expect(cx_call(&e, "POST", DS, BODY("{\"name\": \"b\"}", "{\"type\": \"pie\"}")), 400,
		  "{\"code\":3,\"message\":\"widget type should be one of list_pipelines, list_workflows, duration_pipelines, "
		  "ratio_pipelines\",\"details\":[]}");
	cx_expect(cx_call(&e, "POST", DS, BODY("{\"name\": \"b\"}", "{\"type\": \"list_workflows\", \"filters\": {\"pipeline_file\": \"x\"}}")),
		  400,
		  "{\"code\":3,\"message\":\"widget list_workflows should have only these filters project_id, branch, "
		  "github_uid\",\"details\":[]}");
	cx_down(&e);
}

/* public_api_server.ex get/update/delete: by id or name, "Dashboard X not found" */
static void test_get_update_delete_by_id_or_name(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_answer a = cx_call(&e, "POST", DS, BODY("{\"name\": \"board\", \"title\": \"Old\"}", WIDGET));
	char path[128];
	snprintf(path, sizeof(path), DS "/%s", cx_str(a.json, "metadata.id"));
	cx_free(&a);
	a = cx_call(&e, "GET", path, NULL);
	assert_string_equal(cx_str(a.json, "metadata.name"), "board");
	cx_free(&a);
	/* PATCH replaces everything: title re-derived, widgets emptied */
	a = cx_call(&e, "PATCH", DS "/board", BODY("{\"name\": \"new-board\"}", ""));
	assert_int_equal(a.status, 200);
	assert_string_equal(cx_str(a.json, "metadata.title"), "New Board");
	assert_int_equal(cJSON_GetArraySize(cx_get(a.json, "spec.widgets")), 0);
	cx_free(&a);
	cx_expect(cx_call(&e, "GET", DS "/board", NULL), 404,
		  "{\"code\":5,\"message\":\"Dashboard board not found\",\"details\":[]}");
	cx_expect(cx_call(&e, "DELETE", path, NULL), 200, "{}");
	cx_answer gone = cx_call(&e, "DELETE", path, NULL);
	assert_int_equal(gone.status, 404);
	assert_int_equal(cx_get(gone.json, "code")->valueint, 5);
	cx_free(&gone);
	cx_down(&e);
}

/* list_dashboards.ex: at most 100 a page, Paginator's next_page_token, total_size unset */
static void test_list_pages(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	create(&e, NAMED("a"));
	create(&e, NAMED("b"));
	create(&e, NAMED("c"));
	cx_expect(cx_call(&e, "GET", DS "?page_size=101", NULL), 400,
		  "{\"code\":3,\"message\":\"Page size can't exceed 100\",\"details\":[]}");
	cx_answer a = cx_call(&e, "GET", DS "?page_size=2", NULL);
	assert_int_equal(cJSON_GetArraySize(cx_get(a.json, "dashboards")), 2);
	assert_int_equal(cx_get(a.json, "total_size")->valueint, 0);
	char path[256];
	snprintf(path, sizeof(path), DS "?page_size=2&page_token=%s", cx_str(a.json, "next_page_token"));
	cx_answer b = cx_call(&e, "GET", path, NULL);
	assert_int_equal(cJSON_GetArraySize(cx_get(b.json, "dashboards")), 1);
	assert_string_equal(cx_str(b.json, "next_page_token"), "");
	const char *seen[3] = {cx_str(a.json, "dashboards.0.metadata.name"), cx_str(a.json, "dashboards.1.metadata.name"),
			       cx_str(b.json, "dashboards.0.metadata.name")};
	int mask = 0;
	for (int i = 0; i < 3; i++)
		mask |= 1 << (seen[i][0] - 'a');
	assert_int_equal(mask, 7);
	cx_free(&b);
	cx_free(&a);
	cx_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_defaults_the_title_from_the_name),
		cmocka_unit_test(test_name_rules),
		cmocka_unit_test(test_widget_rules),
		cmocka_unit_test(test_get_update_delete_by_id_or_name),
		cmocka_unit_test(test_list_pages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

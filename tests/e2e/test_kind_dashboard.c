/*
 * The Dashboard kind end to end, against the sandbox: the name, widget type
 * and filter rules validate checks where they are written, the title the
 * server makes of the name is no drift, the exact bodies apply sends, prune
 * and export.
 */
#include "tests/e2e/scene.h"
#include "reconciler/diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEED(dashboards)                                                                              \
	"{\"projects\": [{\"name\": \"web\", \"id\": \"" P_WEB "\"}], \"dashboards\": [" dashboards "]}"

#define LIVE_TEAM "{\"name\": \"team-board\", \"widgets\": [{\"name\": \"W\", \"type\": \"list_workflows\"," \
		  " \"filters\": {\"branch\": \"main\"}}]}"

#define DOC(name) "apiVersion: v1alpha\nkind: Dashboard\nmetadata:\n  name: " name "\n"

static void assert_problem(const char *yaml, const char *want)
{
	fx_enter_tmpdir();
	fx_write("d.yaml", yaml);
	fx_result r = fx_ciform(ARGS("validate", "d.yaml"), NULL, NULL);
	if (!fx_contains(r.err, want))
		fail_msg("wanted %s in: %s", want, r.err);
	assert_int_equal(r.rc, 1);
	fx_result_free(&r);
	fx_leave_tmpdir();
}

static void test_a_name_starting_with_a_dash_or_with_capitals_is_refused(void **state)
{
	(void)state;
	assert_problem(DOC("-web") "spec: {widgets: []}\n", "d.yaml:4:9: metadata.name: must be lowercase letters");
	assert_problem(DOC("Web") "spec: {widgets: []}\n", "d.yaml:4:9: metadata.name: must be lowercase letters");
}

static void test_a_name_holding_a_uuid_is_refused(void **state)
{
	(void)state;
	assert_problem(DOC("x-0a000000-0000-4000-8000-000000000001") "spec: {widgets: []}\n",
		       "d.yaml:4:9: metadata.name: must not hold a UUID");
}

static void test_an_unknown_widget_type_is_refused_at_its_position(void **state)
{
	(void)state;
	assert_problem(DOC("web") "spec:\n  widgets:\n    - {name: A, type: list_jobs}\n",
		       "d.yaml:7:23: spec.widgets[0].type: must be list_pipelines, list_workflows, duration_pipelines "
		       "or ratio_pipelines, not 'list_jobs'");
}

static void test_a_filter_key_its_widget_type_lacks_is_refused(void **state)
{
	(void)state;
	assert_problem(DOC("web") "spec:\n  widgets:\n    - name: A\n      type: list_workflows\n"
		       "      filters: {branch: main, pipeline_file: x.yml}\n",
		       "d.yaml:9:46: spec.widgets[0].filters.pipeline_file: a list_workflows widget filters only by "
		       "project_id, branch and github_uid");
	assert_problem(DOC("web") "spec:\n  widgets:\n    - {type: ratio_pipelines, filters: {owner: me}}\n",
		       "unknown key 'owner' in spec.widgets[0].filters");
}

/* The only request with this method whose path starts with prefix. */
static char *body_of(const char *method, const char *prefix)
{
	FILE *f = fopen("requests.jsonl", "r");
	assert_non_null(f);
	char line[1 << 16];
	char *found = NULL;
	int hits = 0;
	while (fgets(line, sizeof(line), f)) {
		cJSON *r = cJSON_Parse(line);
		const char *m = cJSON_GetStringValue(cJSON_GetObjectItem(r, "method"));
		const char *p = cJSON_GetStringValue(cJSON_GetObjectItem(r, "path"));
		if (m && p && !strcmp(m, method) && !strncmp(p, prefix, strlen(prefix))) {
			free(found);
			found = cJSON_PrintUnformatted(cJSON_GetObjectItem(r, "body"));
			hits++;
		}
		cJSON_Delete(r);
	}
	fclose(f);
	assert_int_equal(hits, 1);
	return found;
}

static void test_a_create_sends_name_empty_title_and_widgets_and_then_converges(void **state)
{
	(void)state;
	e2e e;
	e2e_up(&e, SEED(""), ARGS("--record", "requests.jsonl"), NULL);
	fx_write("d.yaml", DOC("web-team") "spec:\n  widgets:\n    - {name: Main, type: list_pipelines, filters: "
		 "{project_id: " P_WEB ", branch: main}}\n");
	fx_result r = cf(&e, ARGS("plan"));
	assert_true(fx_contains(r.out, "  + Dashboard/web-team (create)\n      metadata.title: \"Web Team\"\n"));
	fx_result_free(&r);
	r = cf(&e, ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	char *body = body_of("POST", "/dashboards");
	assert_string_equal(body, "{\"metadata\":{\"name\":\"web-team\",\"title\":\"\"},\"spec\":{\"widgets\":[{\"name\":"
		"\"Main\",\"type\":\"list_pipelines\",\"filters\":{\"project_id\":\"" P_WEB "\",\"branch\":\"main\"}}]}}");
	free(body);
	cJSON *live = e2e_get(&e, "/dashboards/web-team");
	assert_string_equal(cJSON_GetStringValue(cf_json_path(live, "metadata.title")), "Web Team");
	cJSON_Delete(live);
	r = cf(&e, ARGS("drift"));
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "No changes. Live state matches the specs.\n"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_an_update_patches_title_and_widgets_whole(void **state)
{
	(void)state;
	e2e e;
	e2e_up(&e, SEED(LIVE_TEAM), ARGS("--record", "requests.jsonl"), NULL);
	fx_write("d.yaml", DOC("team-board") "  title: Our Board\nspec:\n  widgets:\n    - {name: W, type: list_workflows, "
		 "filters: {branch: main}}\n    - {name: R, type: ratio_pipelines}\n");
	fx_result r = cf(&e, ARGS("drift"));
	assert_int_equal(r.rc, 2);
	assert_true(fx_contains(r.out, "      metadata.title: \"Team Board\" -> \"Our Board\"\n"));
	fx_result_free(&r);
	r = cf(&e, ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	char *body = body_of("PATCH", "/dashboards/");
	assert_string_equal(body, "{\"metadata\":{\"name\":\"team-board\",\"title\":\"Our Board\"},\"spec\":{\"widgets\":["
		"{\"name\":\"W\",\"type\":\"list_workflows\",\"filters\":{\"branch\":\"main\"}},"
		"{\"name\":\"R\",\"type\":\"ratio_pipelines\",\"filters\":{}}]}}");
	free(body);
	e2e_down(&e);
}

static void test_an_unmanaged_dashboard_is_deleted_with_prune(void **state)
{
	(void)state;
	e2e e;
	e2e_up(&e, SEED(LIVE_TEAM), ARGS("--record", "requests.jsonl"), NULL);
	fx_write("d.yaml", DOC("mine") "spec: {widgets: []}\n");
	fx_result r = cf(&e, ARGS("plan"));
	assert_true(fx_contains(r.out, "  ? Dashboard/team-board\n"));
	fx_result_free(&r);
	r = cf(&e, ARGS("apply", "--yes", "--prune"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	cJSON *gone = e2e_get(&e, "/dashboards/team-board");
	assert_null(gone);
	char *body = body_of("DELETE", "/dashboards/");
	assert_string_equal(body, "null");
	free(body);
	e2e_down(&e);
}

static void test_an_exported_dashboard_leaves_the_default_title_out_and_plans_unchanged(void **state)
{
	(void)state;
	e2e e;
	up(&e, SEED(LIVE_TEAM ", {\"name\": \"ops\", \"title\": \"Operations\", \"widgets\": []}"), NULL);
	fx_result r = cf(&e, ARGS("export", "--dashboards", "--dir", "org"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	r = cf(&e, ARGS("export", "--dashboards"));
	assert_true(fx_contains(r.out, "metadata:\n  name: team-board\nspec:\n"));
	assert_true(fx_contains(r.out, "metadata:\n  name: ops\n  title: Operations\n"));
	fx_result_free(&r);
	r = cf(&e, ARGS("plan", "org"));
	assert_string_equal(r.out, "Unchanged: 2 resources.\nNo changes. Live state matches the specs.\n");
	fx_result_free(&r);
	e2e_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_name_starting_with_a_dash_or_with_capitals_is_refused),
		cmocka_unit_test(test_a_name_holding_a_uuid_is_refused),
		cmocka_unit_test(test_an_unknown_widget_type_is_refused_at_its_position),
		cmocka_unit_test(test_a_filter_key_its_widget_type_lacks_is_refused),
		cmocka_unit_test(test_a_create_sends_name_empty_title_and_widgets_and_then_converges),
		cmocka_unit_test(test_an_update_patches_title_and_widgets_whole),
		cmocka_unit_test(test_an_unmanaged_dashboard_is_deleted_with_prune),
		cmocka_unit_test(test_an_exported_dashboard_leaves_the_default_title_out_and_plans_unchanged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

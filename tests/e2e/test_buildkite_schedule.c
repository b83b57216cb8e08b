/*
 * The Buildkite PipelineSchedule kind end to end: the real ciform binary
 * against `ciform-sandbox --api buildkite`: validate's env checks at
 * FILE:LINE:COLUMN (the cronline's: test_buildkite_cronline.c), the exact
 * create and update requests, env from valueFrom shown only as
 * (sensitive), convergence, drift, the prune
 * scope, plan errors only the live state shows, export round trips, and
 * failing requests without duplicates.
 */
#define BK_EXTRA_ENV "SMOKE_SRC=smoke-s3cret"
#include "tests/e2e/test_buildkite.h"
#include "reconciler/diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>




#define PIPE(slug) "{\"slug\": \"" slug "\", \"name\": \"" slug "\", \"repository\": \"r\", \"cluster_id\": \"" CL1 \
	"\", \"configuration\": \"steps: [wait]\"}"
#define PIPES ", \"pipelines\": [" PIPE("web") ", " PIPE("api") "]"
#define SCH(id, slug, label, rest) "{\"id\": \"" id "\", \"pipeline_slug\": \"" slug "\", \"label\": \"" label "\", " \
	"\"cronline\": \"@daily\", \"branch\": \"main\", \"enabled\": true" rest "}"
#define SCHEDULES(...) ", \"schedules\": [" __VA_ARGS__ "]"
#define SCHEDULE(meta, spec) "apiVersion: buildkite/v1\nkind: PipelineSchedule\nmetadata: " meta "\nspec: " spec "\n"
#define WPATH "/v2/organizations/acme/pipelines/web/schedules"
#define LINUX "{\"id\": \"" CL1 "\", \"name\": \"linux\"}"

static void test_a_plan_reads_the_schedules_of_its_pipelines_at_once_and_each_once(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, PIPES), ARGS("--latency-ms", "40"));
	fx_write("s.yaml", SCHEDULE("{pipeline: web, label: Nightly}", "{cronline: \"@daily\", branch: main}")
		 "---\n" SCHEDULE("{pipeline: api, label: Nightly}", "{cronline: \"@daily\", branch: main}"));
	expect(&b, ARGS("plan", "s.yaml"), 0, "Plan: 2 to create", NULL);
	cJSON *st = fx_sandbox_stats(&b.sb);
	assert_true(cJSON_GetObjectItem(st, "max_in_flight")->valueint >= 2); /* one batch, not one by one */
	/* the access token, then each pipeline's schedules, once */
	assert_int_equal(cJSON_GetObjectItem(st, "requests")->valueint, 3);
	cJSON_Delete(st);
	bk_down(&b);
}

/* The cronline's checks: test_buildkite_cronline.c. */
static void test_an_env_entry_with_both_value_and_valuefrom_is_refused(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("s.yaml", SCHEDULE("{pipeline: web, label: Nightly}", "{cronline: \"0 2 * * * Europe/Berlin\", "
				    "env: [{name: A, value: x, valueFrom: {env: HOME}}]}"));
	fx_result r = fx_ciform(ARGS("validate", "s.yaml"), NULL, NULL);
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "s.yaml:4:51: spec.env[0]: give exactly one of value and valueFrom\n"
			    "ciform: error: 1 problem in the specs\n");
	fx_result_free(&r);
	fx_leave_tmpdir();
}

static void test_a_create_posts_env_as_an_object_and_shows_valuefrom_entries_as_sensitive(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, PIPES), NULL);
	fx_write("s.yaml", SCHEDULE("{pipeline: web, label: Nightly}", "{cronline: \"0 2 * * * Europe/Berlin\", branch: main, "
				    "env: [{name: TARGET, value: staging}, {name: SMOKE_KEY, valueFrom: {env: SMOKE_SRC}}]}"));
	fx_result r = run(&b, ARGS("plan", "s.yaml"));
	assert_int_equal(r.rc, 0);
	if (!fx_contains(r.out, "PipelineSchedule/web/Nightly (create)") || fx_contains(r.out, "smoke-s3cret") ||
	    !fx_contains(r.out, "(sensitive)") || !fx_contains(r.out, "staging"))
		fail_msg("%s", r.out);
	fx_result_free(&r);
	expect(&b, ARGS("apply", "--yes", "s.yaml"), 0, NULL, NULL);
	expect_body("POST", WPATH, "{\"label\":\"Nightly\",\"cronline\":\"0 2 * * * Europe/Berlin\",\"branch\":\"main\","
		    "\"env\":{\"TARGET\":\"staging\",\"SMOKE_KEY\":\"smoke-s3cret\"}}");
	expect(&b, ARGS("drift", "s.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_an_update_patches_the_changed_fields_and_a_live_edit_is_drift(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, PIPES SCHEDULES(SCH("s1", "web", "Nightly", ", \"env\": {\"A\": \"1\"}"))), NULL);
	fx_write("s.yaml", SCHEDULE("{pipeline: web, label: Nightly}", "{cronline: \"@daily\", enabled: true}"));
	expect(&b, ARGS("drift", "s.yaml"), 0, "No changes.", NULL);
	fx_write("s.yaml", SCHEDULE("{pipeline: web, label: Nightly}", "{cronline: \"@hourly\", enabled: false, "
				    "env: [{name: A, value: \"1\"}, {name: B, value: \"2\"}]}"));
	expect(&b, ARGS("drift", "s.yaml"), 2, "spec.cronline: \"@daily\" -> \"@hourly\"", NULL);
	expect(&b, ARGS("apply", "--yes", "s.yaml"), 0, NULL, NULL);
	expect_body("PATCH", WPATH "/s1", "{\"cronline\":\"@hourly\",\"enabled\":false,\"env\":{\"A\":\"1\",\"B\":\"2\"}}");
	expect(&b, ARGS("drift", "s.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_prune_deletes_the_other_schedules_of_a_pipeline_with_a_schedule_manifest_only(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, PIPES SCHEDULES(SCH("s1", "web", "Stray", "") ", " SCH("s2", "api", "Other", ""))), NULL);
	fx_write("s.yaml", SCHEDULE("{pipeline: web, label: Nightly}", "{cronline: \"@daily\"}"));
	fx_result r = run(&b, ARGS("plan", "--prune", "s.yaml"));
	assert_int_equal(r.rc, 0);
	if (!fx_contains(r.out, "PipelineSchedule/web/Stray (delete)"))
		fail_msg("%s", r.out);
	assert_false(fx_contains(r.out, "Other"));
	fx_result_free(&r);
	expect(&b, ARGS("apply", "--yes", "--prune", "s.yaml"), 0, NULL, NULL);
	expect_body("DELETE", WPATH "/s1", "null");
	expect(&b, ARGS("plan", "--prune", "s.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_an_unknown_pipeline_and_a_new_schedule_without_cronline_are_plan_errors(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, PIPES), NULL);
	fx_write("s.yaml", SCHEDULE("{pipeline: nope, label: Nightly}", "{cronline: \"@daily\"}"));
	expect(&b, ARGS("plan", "s.yaml"), 1, NULL, "s.yaml:3:22: metadata.pipeline: the organization has no pipeline 'nope'");
	fx_write("s.yaml", SCHEDULE("{pipeline: web, label: Nightly}", "{branch: main}"));
	expect(&b, ARGS("plan", "s.yaml"), 1, NULL, "spec: a new schedule needs a cronline; add spec.cronline\n");
	bk_down(&b);
}

static void test_exported_schedules_leave_env_out_and_plan_as_unchanged(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, PIPES SCHEDULES(SCH("s1", "web", "Nightly", ", \"env\": {\"KEY\": \"s3cret\"}"))), NULL);
	fx_result r = run(&b, ARGS("export", "--pipeline", "web", "--dir", "out"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	char *text = slurp("out/pipelines/schedule-web-1.yaml");
	assert_true(fx_contains(text, "label: Nightly"));
	assert_false(fx_contains(text, "s3cret") || fx_contains(text, "env"));
	free(text);
	expect(&b, ARGS("drift", "out"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_schedule_creates_under_failing_requests_converge_without_duplicates(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, PIPES), ARGS("--fail-every", "3", "--state", "state.json"));
	fx_write("s.yaml", SCHEDULE("{pipeline: web, label: A}", "{cronline: \"@daily\"}") "---\n"
			   SCHEDULE("{pipeline: web, label: B}", "{cronline: \"@weekly\"}"));
	expect(&b, ARGS("apply", "--yes", "s.yaml"), 0, NULL, NULL);
	expect(&b, ARGS("drift", "s.yaml"), 0, "No changes.", NULL);
	fx_sandbox_stop(&b.sb);
	char *text = slurp("state.json");
	cJSON *st = cJSON_Parse(text);
	assert_int_equal(cJSON_GetArraySize(cf_json_path(st, "buildkite.schedules")), 2);
	cJSON_Delete(st);
	free(text);
	bk_down(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_plan_reads_the_schedules_of_its_pipelines_at_once_and_each_once),
		cmocka_unit_test(test_an_env_entry_with_both_value_and_valuefrom_is_refused),
		cmocka_unit_test(test_a_create_posts_env_as_an_object_and_shows_valuefrom_entries_as_sensitive),
		cmocka_unit_test(test_an_update_patches_the_changed_fields_and_a_live_edit_is_drift),
		cmocka_unit_test(test_prune_deletes_the_other_schedules_of_a_pipeline_with_a_schedule_manifest_only),
		cmocka_unit_test(test_an_unknown_pipeline_and_a_new_schedule_without_cronline_are_plan_errors),
		cmocka_unit_test(test_exported_schedules_leave_env_out_and_plan_as_unchanged),
		cmocka_unit_test(test_schedule_creates_under_failing_requests_converge_without_duplicates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * The CircleCI ScheduleTrigger kind end to end, against ciform-sandbox
 * --api circleci: validate's positions (cron, actor, parameters, refs,
 * names), the exact POST and PATCH bodies, a replacement when every
 * parameter goes or the definition changes, converge, drift, prune scope,
 * a host without the trigger API, a trigger left by a killed run adopted,
 * two live triggers of one name refused, the fault modes, and export.
 */
#include "tests/e2e/test_circleci.h"

#define DEF "dddddddd-0000-4000-8000-000000000001"
#define DEF2 "dddddddd-0000-4000-8000-000000000002"
#define SEED(triggers, more)                                                                                   \
	"{\"circleci\": {\"collaborations\": [{\"id\": \"" ORG_ID "\", \"name\": \"acme\", \"slug\": \"gh/acme\"}]," \
	" \"projects\": [{\"id\": \"" WEB_ID "\", \"slug\": \"gh/acme/web\", \"name\": \"web\", "                   \
	"\"pipeline_definitions\": [{\"id\": \"" DEF "\", \"name\": \"main\"}, {\"id\": \"" DEF2 "\", \"name\": "   \
	"\"deploy\"}], \"triggers\": [" triggers "]}]" more "}}"
#define LIVE(id, name, cron, extra)                                                                            \
	"{\"id\": \"" id "\", \"definition_id\": \"" DEF "\", \"event_name\": \"" name "\", \"event_source\": "     \
	"{\"provider\": \"schedule\", \"schedule\": {\"cron_expression\": \"" cron "\", \"attribution_actor\": "    \
	"{\"id\": \"x\"}}}, \"checkout_ref\": \"main\", \"config_ref\": \"main\"" extra "}"
#define DOC(name, spec)                                                                                         \
	"apiVersion: circleci/v1\nkind: ScheduleTrigger\nmetadata: {project: gh/acme/web, name: " name "}\n"       \
	"spec:\n  pipelineDefinition: main\n  checkoutRef: main\n  configRef: main\n" spec
#define TRIGGERS "/api/v2/projects/" WEB_ID "/pipeline-definitions/" DEF "/triggers"
#define ONE "/api/v2/projects/" WEB_ID "/triggers/"

static void test_a_cron_field_out_of_range_is_refused_at_its_position(void **state)
{
	(void)state;
	assert_problem(DOC("nightly", "  cron: \"0 24 * * *\"\n"),
		       "c.yaml:8:9: spec.cron: '24' in the hour field is out of range 0-23");
}

static void test_a_cron_with_four_fields_is_refused(void **state)
{
	(void)state;
	assert_problem(DOC("nightly", "  cron: \"0 2 * *\"\n"),
		       "c.yaml:8:9: spec.cron: a cron expression has 5 fields (minute hour day-of-month month "
		       "day-of-week), this one 4");
}

static void test_an_unknown_attribution_actor_is_refused(void **state)
{
	(void)state;
	assert_problem(DOC("nightly", "  cron: \"0 2 * * *\"\n  attributionActor: me\n"),
		       "c.yaml:9:21: spec.attributionActor: must be system or current, not 'me'");
}

static void test_a_nested_parameter_is_refused_at_its_position(void **state)
{
	(void)state;
	assert_problem(DOC("nightly", "  cron: \"0 2 * * *\"\n  parameters: {ok: 1, deep: {a: 1}}\n"),
		       "c.yaml:9:29: spec.parameters.deep: must be a string, number or boolean (scalars only)");
}

static void test_a_missing_checkout_ref_is_refused(void **state)
{
	(void)state;
	assert_problem("apiVersion: circleci/v1\nkind: ScheduleTrigger\nmetadata: {project: gh/acme/web, name: n}\n"
		       "spec: {pipelineDefinition: main, cron: \"0 2 * * *\", configRef: main}\n",
		       "c.yaml:4:7: spec: missing required key 'checkoutRef'");
}

/* The project compared without regard to case: two addresses, one project. */
static void test_two_triggers_of_one_name_in_one_project_are_refused(void **state)
{
	(void)state;
	assert_problem(DOC("nightly", "  cron: \"0 2 * * *\"\n") "---\n"
		       "apiVersion: circleci/v1\nkind: ScheduleTrigger\nmetadata: {project: gh/Acme/web, name: "
		       "nightly}\nspec: {pipelineDefinition: main, cron: \"0 3 * * *\", checkoutRef: main, configRef: "
		       "main}\n",
		       "c.yaml:12:40: metadata.name: the project already has a schedule trigger named nightly (c.yaml:1)");
}

/* github/acme/web is gh/acme/web: the same address, refused by the loader. */
static void test_a_trigger_written_with_the_github_alias_is_a_duplicate_at_its_position(void **state)
{
	(void)state;
	assert_problem(DOC("nightly", "  cron: \"0 2 * * *\"\n") "---\n"
		       "apiVersion: circleci/v1\nkind: ScheduleTrigger\nmetadata: {project: github/acme/web, name: "
		       "nightly}\nspec: {pipelineDefinition: main, cron: \"0 3 * * *\", checkoutRef: main, configRef: "
		       "main}\n",
		       "c.yaml:10:1: duplicate address ScheduleTrigger/gh/acme/web/nightly: also defined at c.yaml:1:1\n");
}

static void test_a_new_trigger_posts_typed_parameters_and_converges(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED("", ""), NULL);
	fx_write("t.yaml", DOC("nightly", "  cron: \"0 2 * * 1-5\"\n  attributionActor: current\n"
				       "  parameters: {deploy: false, retries: 3, branch: \"7\"}\n"));
	fx_result r = run(ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "+ ScheduleTrigger/gh/acme/web/nightly (create)");
	fx_result_free(&r);
	char *posts = requests("POST", "/api/v2/projects/");
	assert_string_equal(posts, "POST " TRIGGERS " {\"event_source\":{\"provider\":\"schedule\",\"schedule\":"
			    "{\"cron_expression\":\"0 2 * * 1-5\",\"attribution_actor\":\"current\"}},\"event_name\":"
			    "\"nightly\",\"checkout_ref\":\"main\",\"config_ref\":\"main\",\"parameters\":{\"deploy\":false,"
			    "\"retries\":3,\"branch\":\"7\"},\"disabled\":false}\n");
	free(posts);
	r = run(ARGS("plan"));
	assert_string_equal(r.out, "Unchanged: 1 resource.\nNo changes. Live state matches the specs.\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_changed_cron_is_patched_without_the_actor(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED(LIVE("t1", "nightly", "0 2 * * *", ""), ""), NULL);
	fx_write("t.yaml", DOC("nightly", "  cron: \"30 3 * * *\"\n  attributionActor: system\n"));
	fx_result r = run(ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "spec.cron: \"0 2 * * *\" -> \"30 3 * * *\"");
	fx_result_free(&r);
	char *patches = requests("PATCH", ONE);
	assert_string_equal(patches, "PATCH " ONE "t1 {\"event_source\":{\"provider\":\"schedule\",\"schedule\":"
			    "{\"cron_expression\":\"30 3 * * *\"}},\"event_name\":\"nightly\",\"checkout_ref\":\"main\","
			    "\"config_ref\":\"main\",\"disabled\":false}\n");
	free(patches);
	r = run(ARGS("plan"));
	expect_in(r.out, "No changes.");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_removing_every_parameter_is_a_delete_then_a_post(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED(LIVE("t1", "nightly", "0 2 * * *", ", \"parameters\": {\"deploy\": true}"), ""), NULL);
	fx_write("t.yaml", DOC("nightly", "  cron: \"0 2 * * *\"\n"));
	fx_result r = run(ARGS("plan"));
	expect_in(r.out, "# replaced: every parameter is removed");
	fx_result_free(&r);
	r = run(ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	char *deletes = requests("DELETE", ONE), *posts = requests("POST", TRIGGERS), *patches = requests("PATCH", ONE);
	assert_string_equal(deletes, "DELETE " ONE "t1 null\n");
	expect_in(posts, "\"attribution_actor\":\"system\"");
	assert_string_equal(patches, "");
	free(deletes);
	free(posts);
	free(patches);
	r = run(ARGS("plan"));
	expect_in(r.out, "No changes.");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_changed_definition_by_uuid_is_a_delete_then_a_post_to_it(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED(LIVE("t1", "nightly", "0 2 * * *", ""), ""), NULL);
	fx_write("t.yaml", "apiVersion: circleci/v1\nkind: ScheduleTrigger\nmetadata: {project: gh/acme/web, name: "
		 "nightly}\nspec: {pipelineDefinition: " DEF2 ", cron: \"0 2 * * *\", checkoutRef: main, configRef: main}\n");
	fx_result r = run(ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "spec.pipelineDefinition: \"main\" -> \"" DEF2 "\"");
	expect_in(r.out, "# replaced: the pipeline definition changes");
	fx_result_free(&r);
	char *posts = requests("POST", "/api/v2/projects/" WEB_ID "/pipeline-definitions/" DEF2 "/triggers");
	expect_in(posts, "\"event_name\":\"nightly\"");
	free(posts);
	r = run(ARGS("plan"));
	expect_in(r.out, "No changes.");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_an_unknown_pipeline_definition_is_a_plan_error(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED("", ""), NULL);
	fx_write("t.yaml", "apiVersion: circleci/v1\nkind: ScheduleTrigger\nmetadata: {project: gh/acme/web, name: "
		 "n}\nspec: {pipelineDefinition: nope, cron: \"0 2 * * *\", checkoutRef: main, configRef: main}\n");
	fx_result r = run(ARGS("plan"));
	assert_int_equal(r.rc, 1);
	expect_in(r.err, "t.yaml:4:28: spec.pipelineDefinition: the project has no pipeline definition nope (GET "
			 "/projects/" WEB_ID "/pipeline-definitions lists: main, deploy)");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_host_without_the_trigger_api_is_a_plan_error_naming_it(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED("", ", \"server\": true"), NULL);
	fx_write("t.yaml", DOC("nightly", "  cron: \"0 2 * * *\"\n"));
	fx_result r = run(ARGS("plan"));
	assert_int_equal(r.rc, 1);
	char *want = cf_xasprintf("t.yaml:3:21: metadata.project: %s has no pipeline-definitions API (GET /projects/"
				  WEB_ID "/pipeline-definitions answered 404)", e.sb.url);
	expect_in(r.err, want);
	free(want);
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_cron_changed_live_is_drift(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED(LIVE("t1", "nightly", "0 5 * * *", ""), ""), NULL);
	fx_write("t.yaml", DOC("nightly", "  cron: \"0 2 * * *\"\n  attributionActor: current\n"));
	fx_result r = run(ARGS("drift"));
	assert_int_equal(r.rc, 2);
	expect_in(r.out, "spec.cron: \"0 5 * * *\" -> \"0 2 * * *\"");
	assert_false(fx_contains(r.out, "attribution"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_an_unlisted_schedule_trigger_is_deleted_only_with_prune(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED(LIVE("t1", "nightly", "0 2 * * *", "") "," LIVE("t2", "old", "0 1 * * *", "") ","
			"{\"id\": \"t3\", \"definition_id\": \"" DEF "\", \"event_name\": \"push\", \"event_source\": "
			"{\"provider\": \"github_app\"}}", ""), NULL);
	fx_write("t.yaml", DOC("nightly", "  cron: \"0 2 * * *\"\n"));
	fx_result r = run(ARGS("plan"));
	expect_in(r.out, "ScheduleTrigger/gh/acme/web/old");
	assert_false(fx_contains(r.out, "push"));
	fx_result_free(&r);
	r = run(ARGS("apply", "--yes", "--prune"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	char *deletes = requests("DELETE", ONE);
	assert_string_equal(deletes, "DELETE " ONE "t2 null\n");
	free(deletes);
	e2e_down(&e);
}

static void test_a_post_whose_answer_is_lost_is_adopted_not_posted_again(void **state)
{
	(void)state;
	e2e e;
	/* every write is carried out, then answered 503: the answer is lost */
	cci_up(&e, SEED("", ""), ARGS("--lose-every", "1"));
	fx_write("t.yaml", DOC("nightly", "  cron: \"0 2 * * *\"\n"));
	fx_result r = run(ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "found it already created (an earlier request's answer was lost): adopted");
	fx_result_free(&r);
	char *posts = requests("POST", TRIGGERS);
	assert_int_equal(fx_count(posts, "\n"), 1);
	free(posts);
	r = run(ARGS("plan"));
	assert_string_equal(r.out, "Unchanged: 1 resource.\nNo changes. Live state matches the specs.\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_two_live_triggers_of_the_spec_s_name_are_a_plan_error_naming_the_ids(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED(LIVE("t1", "nightly", "0 2 * * *", "") "," LIVE("t2", "nightly", "0 3 * * *", ""), ""), NULL);
	fx_write("t.yaml", DOC("nightly", "  cron: \"0 2 * * *\"\n"));
	fx_result r = run(ARGS("plan"));
	assert_int_equal(r.rc, 1);
	expect_in(r.err, "metadata.name: 2 live schedule triggers of gh/acme/web are named nightly (ids t1, t2)");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_under_failing_requests_apply_converges_without_duplicates(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED("", ""), ARGS("--fail-every", "3"));
	fx_write("t.yaml", DOC("a", "  cron: \"0 1 * * *\"\n") "---\n" DOC("b", "  cron: \"0 2 * * *\"\n")
		 "---\n" DOC("c", "  cron: \"0 3 * * *\"\n"));
	fx_result r = {0};
	for (int i = 0; i < 8; i++) {
		fx_result_free(&r);
		r = run(ARGS("apply", "--yes"));
		if (r.rc == 0 && fx_contains(r.out, "No changes"))
			break;
	}
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	/* a duplicate would make the next plan a "two live triggers" error */
	r = run(ARGS("plan"));
	assert_string_equal(r.out, "Unchanged: 3 resources.\nNo changes. Live state matches the specs.\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_exported_triggers_plan_unchanged(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED(LIVE("t1", "nightly", "0 2 * * *", ", \"parameters\": {\"deploy\": true, \"n\": 2}, "
			     "\"disabled\": true"), ""), NULL);
	fx_result r = run(ARGS("export", "--project", "gh/acme/web"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "kind: ScheduleTrigger\nmetadata:\n  project: gh/acme/web\n  name: nightly\nspec:\n"
			 "  pipelineDefinition: main\n  cron: 0 2 * * *\n  checkoutRef: main\n  configRef: main\n"
			 "  parameters:\n    deploy: true\n    n: 2\n  disabled: true\n");
	fx_write("out.yaml", r.out);
	fx_result_free(&r);
	r = run(ARGS("plan", "out.yaml"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "No changes. Live state matches the specs.\n");
	fx_result_free(&r);
	e2e_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_cron_field_out_of_range_is_refused_at_its_position),
		cmocka_unit_test(test_a_cron_with_four_fields_is_refused),
		cmocka_unit_test(test_an_unknown_attribution_actor_is_refused),
		cmocka_unit_test(test_a_nested_parameter_is_refused_at_its_position),
		cmocka_unit_test(test_a_missing_checkout_ref_is_refused),
		cmocka_unit_test(test_two_triggers_of_one_name_in_one_project_are_refused),
		cmocka_unit_test(test_a_trigger_written_with_the_github_alias_is_a_duplicate_at_its_position),
		cmocka_unit_test(test_a_new_trigger_posts_typed_parameters_and_converges),
		cmocka_unit_test(test_a_changed_cron_is_patched_without_the_actor),
		cmocka_unit_test(test_removing_every_parameter_is_a_delete_then_a_post),
		cmocka_unit_test(test_a_changed_definition_by_uuid_is_a_delete_then_a_post_to_it),
		cmocka_unit_test(test_an_unknown_pipeline_definition_is_a_plan_error),
		cmocka_unit_test(test_a_host_without_the_trigger_api_is_a_plan_error_naming_it),
		cmocka_unit_test(test_a_cron_changed_live_is_drift),
		cmocka_unit_test(test_an_unlisted_schedule_trigger_is_deleted_only_with_prune),
		cmocka_unit_test(test_a_post_whose_answer_is_lost_is_adopted_not_posted_again),
		cmocka_unit_test(test_two_live_triggers_of_the_spec_s_name_are_a_plan_error_naming_the_ids),
		cmocka_unit_test(test_under_failing_requests_apply_converges_without_duplicates),
		cmocka_unit_test(test_exported_triggers_plan_unchanged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * ciform-sandbox --api circleci answers the pipeline-definition and
 * trigger routes as CircleCI's API v2 does, rule by rule, each test naming
 * its evidence (docs/circleci.md lists them): raw libcurl, nothing of
 * ciform's client.
 */
#include "tests/conformance/test_conformance_circleci.h"

#define DEF "dddddddd-0000-4000-8000-000000000001"
#define TSEED(triggers, more)                                                                                \
	"{\"circleci\": {\"collaborations\": [{\"id\": \"" ORG "\", \"name\": \"acme\", \"slug\": \"gh/acme\"}],"    \
	" \"projects\": [{\"id\": \"" WEB "\", \"slug\": \"gh/acme/web\", \"name\": \"web\","                      \
	" \"pipeline_definitions\": [{\"id\": \"" DEF "\", \"name\": \"main\"}], \"triggers\": [" triggers "]}]"  \
	more "}}"
#define TRIGGERS "/projects/" WEB "/pipeline-definitions/" DEF "/triggers"
#define BODY(actor, extra)                                                                                   \
	"{\"event_source\": {\"provider\": \"schedule\", \"schedule\": {\"cron_expression\": \"0 2 * * *\","        \
	" \"attribution_actor\": \"" actor "\"}}, \"event_name\": \"nightly\", \"checkout_ref\": \"main\","        \
	" \"config_ref\": \"main\"" extra "}"

/* PUB internal/circleci/pipeline/pipeline.go List: {items} */
static void test_pipeline_definitions_are_listed_as_items(void **state)
{
	(void)state;
	cx_env e;
	up(&e, TSEED("", ""));
	expect(call(&e, "GET", "/projects/" WEB "/pipeline-definitions", NULL), 200,
	       "{\"items\":[{\"id\":\"" DEF "\",\"name\":\"main\"}]}");
	expect(call(&e, "GET", "/projects/cccccccc-0000-4000-8000-000000000009/pipeline-definitions", NULL), 404, NULL);
	cx_down(&e);
}

/* LABS ic/trigger.go: definitions and triggers are Cloud-only, "CircleCI
 * Server does not route them": the seed's "server" switch answers 404 */
static void test_a_server_host_has_no_pipeline_definitions_route(void **state)
{
	(void)state;
	cx_env e;
	up(&e, TSEED("", ", \"server\": true"));
	expect(call(&e, "GET", "/projects/" WEB "/pipeline-definitions", NULL), 404, NULL);
	expect(call(&e, "POST", TRIGGERS, BODY("system", "")), 404, NULL);
	cx_down(&e);
}

/* LABS ic/trigger.go: attribution_actor is written as a word and read as
 * {id}; disabled is omitted when false; parameters keep their JSON types
 * (PUB CHANGELOG #122) */
static void test_a_created_trigger_reads_its_actor_as_an_id_and_omits_disabled_false(void **state)
{
	(void)state;
	cx_env e;
	up(&e, TSEED("", ""));
	ans a = call(&e, "POST", TRIGGERS, BODY("system", ", \"disabled\": false, \"parameters\": {\"deploy\": false,"
						  " \"retries\": 3}"));
	assert_true(cJSON_IsObject(cx_get(a.json, "event_source.schedule.attribution_actor")));
	assert_string_equal(cx_str(a.json, "event_source.schedule.attribution_actor.id"),
			    "5e5e5e5e-0000-4000-8000-000000000001");
	assert_null(cJSON_GetObjectItem(a.json, "disabled"));
	assert_true(cJSON_IsFalse(cx_get(a.json, "parameters.deploy")));
	assert_int_equal(cx_get(a.json, "parameters.retries")->valueint, 3);
	expect(a, 201, NULL);
	cx_down(&e);
}

/* LABS ListTriggers: "The response carries no next_page_token: this
 * endpoint returns the whole set in one body" */
static void test_triggers_are_listed_whole_without_a_page_token(void **state)
{
	(void)state;
	cx_env e;
	up(&e, TSEED("{\"id\": \"t1\", \"definition_id\": \"" DEF "\", \"event_name\": \"a\"},"
		     "{\"id\": \"t2\", \"definition_id\": \"" DEF "\", \"event_name\": \"b\", \"disabled\": true}", ""));
	expect(call(&e, "GET", TRIGGERS, NULL), 200,
	       "{\"items\":[{\"id\":\"t1\",\"event_name\":\"a\"},{\"id\":\"t2\",\"event_name\":\"b\",\"disabled\":true}]}");
	cx_down(&e);
}

/* PUB trigger_resource.go: attribution actor OneOf(system, current);
 * checkout_ref, config_ref and event_name "Always required when
 * event_source_provider is ... schedule"; parameters are scalars */
static void test_a_create_without_refs_or_with_a_bad_actor_or_nested_parameters_is_400(void **state)
{
	(void)state;
	cx_env e;
	up(&e, TSEED("", ""));
	expect(call(&e, "POST", TRIGGERS, BODY("someone", "")), 400,
	       "{\"message\":\"event_source.schedule.attribution_actor must be system or current\"}");
	expect(call(&e, "POST", TRIGGERS, "{\"event_source\": {\"provider\": \"schedule\", \"schedule\": "
	       "{\"cron_expression\": \"0 2 * * *\", \"attribution_actor\": \"current\"}}, \"event_name\": \"n\"}"),
	       400, "{\"message\":\"event_name, checkout_ref and config_ref are required\"}");
	expect(call(&e, "POST", TRIGGERS, BODY("current", ", \"parameters\": {\"a\": {\"b\": 1}}")), 400,
	       "{\"message\":\"parameters must map names to strings, numbers or booleans\"}");
	expect(call(&e, "GET", TRIGGERS, NULL), 200, "{\"items\":[]}");
	cx_down(&e);
}

/* PUB trigger_resource.go triggerParametersRequiresReplaceIfCleared and
 * LABS UpdateTriggerInput (parameters omitempty): a PATCH cannot clear the
 * parameters; present values replace them */
static void test_a_patch_replaces_parameters_but_cannot_clear_them(void **state)
{
	(void)state;
	cx_env e;
	up(&e, TSEED("{\"id\": \"t1\", \"definition_id\": \"" DEF "\", \"event_name\": \"a\", \"parameters\": "
		     "{\"x\": 1, \"y\": \"z\"}}", ""));
	expect(call(&e, "PATCH", "/projects/" WEB "/triggers/t1", "{\"parameters\": {}}"), 200,
	       "{\"id\":\"t1\",\"event_name\":\"a\",\"parameters\":{\"x\":1,\"y\":\"z\"}}");
	expect(call(&e, "PATCH", "/projects/" WEB "/triggers/t1", "{\"parameters\": {\"x\": 2}, \"disabled\": true}"),
	       200, "{\"id\":\"t1\",\"event_name\":\"a\",\"parameters\":{\"x\":2},\"disabled\":true}");
	cx_down(&e);
}

/* LABS GetTrigger: a missing trigger is IsNotFound (404) */
static void test_a_missing_trigger_is_404_on_get_patch_and_delete(void **state)
{
	(void)state;
	cx_env e;
	up(&e, TSEED("", ""));
	expect(call(&e, "GET", "/projects/" WEB "/triggers/nope", NULL), 404, NULL);
	expect(call(&e, "PATCH", "/projects/" WEB "/triggers/nope", "{}"), 404, NULL);
	expect(call(&e, "DELETE", "/projects/" WEB "/triggers/nope", NULL), 404, NULL);
	cx_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pipeline_definitions_are_listed_as_items),
		cmocka_unit_test(test_a_server_host_has_no_pipeline_definitions_route),
		cmocka_unit_test(test_a_created_trigger_reads_its_actor_as_an_id_and_omits_disabled_false),
		cmocka_unit_test(test_triggers_are_listed_whole_without_a_page_token),
		cmocka_unit_test(test_a_create_without_refs_or_with_a_bad_actor_or_nested_parameters_is_400),
		cmocka_unit_test(test_a_patch_replaces_parameters_but_cannot_clear_them),
		cmocka_unit_test(test_a_missing_trigger_is_404_on_get_patch_and_delete),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* How a CircleCI plan reads: the projects its manifests name, then each
 * manifest's first list, then the definitions' triggers, each batch sent at
 * once (reconciler/providers/circleci/provider.c read_ahead), so a plan waits
 * for a few round trips rather than a few per project; and no read is made
 * twice for it. */
#include "tests/e2e/test_circleci.h"

#define PROJECT(n)                                                                                          \
	"{\"id\": \"bbbbbbbb-0000-4000-8000-00000000000" n "\", \"slug\": \"gh/acme/p" n "\", \"name\": \"p" n \
	"\", \"organization_id\": \"" ORG_ID "\", \"env\": [{\"name\": \"A\", \"value\": \"x1\"}], "           \
	"\"pipeline_definitions\": [{\"id\": \"dddddddd-0000-4000-8000-00000000000" n "\", \"name\": \"main\"}]}"
#define SEED_6                                                                                              \
	"{\"circleci\": {\"collaborations\": [{\"id\": \"" ORG_ID "\", \"name\": \"acme\", \"slug\": \"gh/acme\", " \
	"\"vcs_type\": \"github\"}], \"projects\": [" PROJECT("1") "," PROJECT("2") "," PROJECT("3") ","      \
	PROJECT("4") "," PROJECT("5") "," PROJECT("6") "]}}"
#define ENV_DOC(n)                                                                                          \
	"apiVersion: circleci/v1\nkind: ProjectEnvironment\nmetadata: {project: gh/acme/p" n "}\n"            \
	"spec:\n  envVars: [{name: A, value: x1}]\n---\n"                                                      \
	"apiVersion: circleci/v1\nkind: ScheduleTrigger\nmetadata: {project: gh/acme/p" n ", name: nightly}\n" \
	"spec: {pipelineDefinition: main, cron: '0 2 * * *', checkoutRef: main, configRef: main}\n---\n"

static void test_a_plan_reads_the_projects_of_its_manifests_in_parallel_and_each_once(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED_6, ARGS("--latency-ms", "40"));
	fx_write("p.yaml", ENV_DOC("1") ENV_DOC("2") ENV_DOC("3") ENV_DOC("4") ENV_DOC("5") ENV_DOC("6"));
	fx_result r = run(ARGS("plan", "--parallelism", "8"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "Plan: 6 to create, 0 to update");
	fx_result_free(&r);
	cJSON *st = fx_sandbox_stats(&e.sb);
	assert_true(cJSON_GetObjectItem(st, "max_in_flight")->valueint >= 6); /* a batch, not one at a time */
	/* 6 projects, 6 variable lists, 6 definition lists, 6 trigger lists: each read once */
	assert_int_equal(cJSON_GetObjectItem(st, "requests")->valueint, 24);
	cJSON_Delete(st);
	e2e_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_plan_reads_the_projects_of_its_manifests_in_parallel_and_each_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

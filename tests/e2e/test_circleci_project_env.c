/*
 * The CircleCI ProjectEnvironment kind end to end, against ciform-sandbox
 * --api circleci: validate's positions, plan with secrets masked, the exact
 * requests apply sends (POST per variable; a changed value DELETE then
 * POST), convergence, drift by "xxxx"+tail values, unverified equal tails,
 * unmanaged variables pruned only with --prune, ensure: absent, an unknown
 * project, the fault modes, and export round-tripping.
 */
#include "tests/e2e/test_circleci.h"
#include "reconciler/export.h"
#include "reconciler/provider.h"

#define SEED(env)                                                                                             \
	"{\"circleci\": {\"collaborations\": [{\"id\": \"" ORG_ID "\", \"name\": \"acme\", \"slug\": \"gh/acme\"," \
	" \"vcs_type\": \"github\"}], \"projects\": [{\"id\": \"" WEB_ID "\", \"slug\": \"gh/acme/web\", \"name\":" \
	" \"web\", \"organization_id\": \"" ORG_ID "\", \"env\": [" env "]}]}}"

#define DOC "apiVersion: circleci/v1\nkind: ProjectEnvironment\nmetadata: {project: gh/acme/web}\n"
#define ENV_PATH "/api/v2/project/gh/acme/web/envvar"

static void test_a_project_that_is_no_slug_is_refused_at_its_position(void **state)
{
	(void)state;
	assert_problem("apiVersion: circleci/v1\nkind: ProjectEnvironment\nmetadata: {project: acme/web}\n",
		       "c.yaml:3:21: metadata.project: 'acme/web' is not a project slug");
}

/* github/acme/web is gh/acme/web: one project, so one address. */
static void test_a_second_environment_written_with_the_github_alias_is_a_duplicate_at_its_position(void **state)
{
	(void)state;
	assert_problem(DOC "spec: {envVars: [{name: A, value: x}]}\n---\napiVersion: circleci/v1\n"
			   "kind: ProjectEnvironment\nmetadata: {project: github/acme/web}\nspec: {envVars: [{name: B, value: y}]}\n",
		       "c.yaml:6:1: duplicate address ProjectEnvironment/gh/acme/web: also defined at c.yaml:1:1\n");
}

static void test_a_variable_with_two_sources_is_refused_at_its_position(void **state)
{
	(void)state;
	assert_problem(DOC "spec:\n  envVars:\n    - {name: A, value: x, valueFrom: {env: X}}\n",
		       "c.yaml:6:7: spec.envVars[0]: give exactly one of value, valueFrom and keepLive: true");
}

static void test_a_new_environment_posts_each_variable_masks_secrets_and_converges(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED(""), NULL);
	fx_write("p.yaml", DOC "spec:\n  envVars:\n    - {name: REGION, value: eu-west-1}\n"
		 "    - {name: SECRET, valueFrom: {env: PROD_SECRET}}\n");
	fx_result r = run(ARGS("plan"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "  + ProjectEnvironment/gh/acme/web (create)\n"
			 "      spec.envVars.REGION: (sensitive) added -> \"eu-west-1\"\n" /* written plainly: in git */
			 "      spec.envVars.SECRET: (sensitive) added\n\nUnchanged: 0 resources.\n");
	assert_false(fx_contains(r.out, "#replaced")); /* a note-only field is never a field of the plan */
	assert_false(fx_contains(r.out, "s3cr3t"));
	fx_result_free(&r);
	r = run(ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	assert_false(fx_contains(r.out, "s3cr3t"));
	assert_false(fx_contains(r.err, "s3cr3t"));
	fx_result_free(&r);
	char *posts = requests("POST", ENV_PATH);
	assert_string_equal(posts, "POST " ENV_PATH " {\"name\":\"REGION\",\"value\":\"eu-west-1\"}\n"
			    "POST " ENV_PATH " {\"name\":\"SECRET\",\"value\":\"s3cr3t-value\"}\n");
	free(posts);
	r = run(ARGS("drift"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "  ~ ProjectEnvironment/gh/acme/web: 2 write-only values could not be compared (the API "
			 "shows only the last characters): REGION, SECRET\n");
	expect_in(r.out, "No changes. Live state matches the specs.\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_value_whose_tail_differs_is_drift_and_is_replaced_by_delete_then_post(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED("{\"name\": \"SECRET\", \"value\": \"old-value-9999\"}"), NULL);
	fx_write("p.yaml", DOC "spec:\n  envVars:\n    - {name: SECRET, valueFrom: {env: PROD_SECRET}}\n");
	fx_result r = run(ARGS("drift"));
	assert_int_equal(r.rc, 2);
	expect_in(r.out, "  ~ ProjectEnvironment/gh/acme/web (update)\n      spec.envVars.SECRET: (sensitive) changed\n"
			 "      # spec.envVars.SECRET: replaced: CircleCI has no update route for a project variable, "
			 "so it is deleted, then created (absent in between)\n");
	fx_result_free(&r);
	r = run(ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	char *dels = requests("DELETE", ENV_PATH), *posts = requests("POST", ENV_PATH);
	assert_string_equal(dels, "DELETE " ENV_PATH "/SECRET null\n");
	assert_string_equal(posts, "POST " ENV_PATH " {\"name\":\"SECRET\",\"value\":\"s3cr3t-value\"}\n");
	free(dels);
	free(posts);
	e2e_down(&e);
}

static void test_a_value_with_the_same_tail_is_not_drift_but_listed_unverified(void **state)
{
	(void)state;
	e2e e;
	/* "other-value" and "s3cr3t-value" both read back as "xxxxalue" */
	cci_up(&e, SEED("{\"name\": \"SECRET\", \"value\": \"other-value\"}"), NULL);
	fx_write("p.yaml", DOC "spec:\n  envVars:\n    - {name: SECRET, valueFrom: {env: PROD_SECRET}}\n");
	fx_result r = run(ARGS("drift"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "  ~ ProjectEnvironment/gh/acme/web: 1 write-only value could not be compared (the API shows "
			 "only the last characters): SECRET\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_rewrite_write_only_replaces_a_value_whose_tail_matches(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED("{\"name\": \"SECRET\", \"value\": \"other-value\"}"), NULL);
	fx_write("p.yaml", DOC "spec:\n  envVars:\n    - {name: SECRET, valueFrom: {env: PROD_SECRET}}\n");
	fx_result r = run(ARGS("apply", "--yes", "--rewrite-write-only"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "spec.envVars.SECRET: (sensitive) changed\n");
	fx_result_free(&r);
	char *dels = requests("DELETE", ENV_PATH), *posts = requests("POST", ENV_PATH);
	assert_string_equal(dels, "DELETE " ENV_PATH "/SECRET null\n");
	assert_string_equal(posts, "POST " ENV_PATH " {\"name\":\"SECRET\",\"value\":\"s3cr3t-value\"}\n");
	free(dels);
	free(posts);
	e2e_down(&e);
}

static void test_unlisted_variables_are_unmanaged_and_deleted_only_with_prune(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED("{\"name\": \"OLD\", \"value\": \"x1\"}, {\"name\": \"KEEP\", \"value\": \"k1\"}"), NULL);
	fx_write("p.yaml", DOC "spec:\n  envVars: [{name: KEEP, keepLive: true}]\n");
	fx_result r = run(ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "  ? ProjectEnvironment/gh/acme/web#OLD\n");
	fx_result_free(&r);
	char *dels = requests("DELETE", ENV_PATH);
	assert_string_equal(dels, "");
	free(dels);
	r = run(ARGS("apply", "--yes", "--prune"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	dels = requests("DELETE", ENV_PATH);
	assert_string_equal(dels, "DELETE " ENV_PATH "/OLD null\n");
	free(dels);
	r = run(ARGS("plan"));
	assert_string_equal(r.out, "Unchanged: 1 resource.\nNo changes. Live state matches the specs.\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_ensure_absent_deletes_every_variable_of_the_project(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED("{\"name\": \"A\", \"value\": \"a1\"}, {\"name\": \"B\", \"value\": \"b1\"}"), NULL);
	fx_write("p.yaml", "apiVersion: circleci/v1\nkind: ProjectEnvironment\nmetadata: {project: gh/acme/web, "
		 "ensure: absent}\n");
	fx_result r = run(ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "  - ProjectEnvironment/gh/acme/web (delete)\n");
	fx_result_free(&r);
	char *dels = requests("DELETE", ENV_PATH);
	assert_string_equal(dels, "DELETE " ENV_PATH "/A null\nDELETE " ENV_PATH "/B null\n");
	free(dels);
	r = run(ARGS("plan"));
	expect_in(r.out, "No changes.");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_an_unknown_project_is_a_plan_error_at_metadata_project(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED(""), NULL);
	fx_write("p.yaml", "apiVersion: circleci/v1\nkind: ProjectEnvironment\nmetadata: {project: gh/acme/nope}\n"
		 "spec: {envVars: [{name: A, value: a1}]}\n");
	fx_result r = run(ARGS("plan"));
	assert_int_equal(r.rc, 1);
	expect_in(r.err, "p.yaml:3:21: metadata.project: no project gh/acme/nope (GET /project/gh/acme/nope answered 404)");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_under_failing_requests_apply_converges_without_duplicates(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED("{\"name\": \"C\", \"value\": \"old-c-value\"}"), ARGS("--fail-every", "3"));
	fx_write("p.yaml", DOC "spec:\n  envVars: [{name: A, value: aaaa1}, {name: B, value: bbbb2}, "
		 "{name: C, value: cccc3}]\n");
	fx_result r = {0};
	for (int i = 0; i < 8; i++) {
		fx_result_free(&r);
		r = run(ARGS("apply", "--yes"));
		if (r.rc == 0 && fx_contains(r.out, "No changes"))
			break;
	}
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	/* a 503 POST was checked by GET, never resent blindly: the sandbox
	 * refuses a second POST of a name, and the last plan is clean */
	r = run(ARGS("plan"));
	expect_in(r.out, "could not be compared (the API shows only the last characters): A, B, C\n\n"
			 "Unchanged: 1 resource.\nNo changes. Live state matches the specs.\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_an_exported_environment_plans_unchanged(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED("{\"name\": \"NPM_TOKEN\", \"value\": \"abc12345\"}"), NULL);
	setenv("CIRCLECI_HOST", e.sb.url, 1);
	setenv("CIRCLECI_TOKEN", TEST_TOKEN, 1);
	const cf_provider *p = cf_provider_named("circleci");
	cf_conn *conn = NULL;
	cf_error err = {0};
	cf_conn_settings s = {0};
	assert_int_equal(p->connect(&conn, &s, NULL, &err), CF_OK);
	const char *const refs[] = {"gh/acme/web"};
	cf_export_scope scope = {.projects = refs, .nprojects = 1};
	cf_export ex = {0};
	assert_int_equal(p->export(&ex, conn, &scope, &err), CF_OK);
	char *stream = NULL;
	assert_int_equal(cf_export_write(&stream, &ex, "out", false, &err), CF_OK);
	assert_int_equal(cf_export_write(&stream, &ex, NULL, false, &err), CF_OK);
	expect_in(stream, "kind: ProjectEnvironment\nmetadata:\n  project: gh/acme/web\nspec:\n  envVars:\n"
			  "  - name: NPM_TOKEN\n    keepLive: true\n");
	free(stream);
	cf_export_clear(&ex);
	cf_conn_close(conn);
	unsetenv("CIRCLECI_HOST");
	unsetenv("CIRCLECI_TOKEN");
	fx_result r = run(ARGS("plan", "out"));
	assert_int_equal(r.rc, 0);
	/* the environment and the project's settings, exported with it */
	assert_string_equal(r.out, "Unchanged: 2 resources.\nNo changes. Live state matches the specs.\n");
	fx_result_free(&r);
	e2e_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_project_that_is_no_slug_is_refused_at_its_position),
		cmocka_unit_test(test_a_second_environment_written_with_the_github_alias_is_a_duplicate_at_its_position),
		cmocka_unit_test(test_a_variable_with_two_sources_is_refused_at_its_position),
		cmocka_unit_test(test_a_new_environment_posts_each_variable_masks_secrets_and_converges),
		cmocka_unit_test(test_a_value_whose_tail_differs_is_drift_and_is_replaced_by_delete_then_post),
		cmocka_unit_test(test_a_value_with_the_same_tail_is_not_drift_but_listed_unverified),
		cmocka_unit_test(test_rewrite_write_only_replaces_a_value_whose_tail_matches),
		cmocka_unit_test(test_unlisted_variables_are_unmanaged_and_deleted_only_with_prune),
		cmocka_unit_test(test_ensure_absent_deletes_every_variable_of_the_project),
		cmocka_unit_test(test_an_unknown_project_is_a_plan_error_at_metadata_project),
		cmocka_unit_test(test_under_failing_requests_apply_converges_without_duplicates),
		cmocka_unit_test(test_an_exported_environment_plans_unchanged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

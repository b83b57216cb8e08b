/*
 * The operator's rails: mistakes that used to pass silently are errors
 * that say how to fix them, and the small things a person meets at a
 * terminal or in CI (help per verb, plurals, one error per bad option,
 * TERM=dumb, sem contexts, "did you mean", --debug, every spec problem in
 * one run).
 */
#include "tests/e2e/scene.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void test_a_mistyped_target_is_an_error_naming_the_closest_address(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("{\"project\": \"web\", \"name\": \"production\"}", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "production"));
	const char *verbs[] = {"plan", "drift", "apply"};
	for (size_t i = 0; i < 3; i++) {
		fx_result r = cf(&e, ARGS(verbs[i], "--target", "DeploymentTarget/web/prodution", "--yes"));
		assert_int_equal(r.rc, 1);
		assert_string_equal(r.err, "ciform: error: --target DeploymentTarget/web/prodution matches no spec "
					   "and no live resource (did you mean DeploymentTarget/web/production?)\n");
		assert_string_equal(r.out, "");
		fx_result_free(&r);
	}
	e2e_down(&e);
}

static void test_a_target_far_from_every_address_names_the_closest_ones(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("{\"project\": \"web\", \"name\": \"old\"}", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "production"));
	fx_result r = cf(&e, ARGS("plan", "--target", "Nothing/like/it"));
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "ciform: error: --target Nothing/like/it matches no spec and no live resource "
				   "(the closest addresses: DeploymentTarget/web/old, DeploymentTarget/web/production)\n");
	fx_result_free(&r);
	/* an unmanaged live resource is a target too */
	r = cf(&e, ARGS("plan", "--target", "DeploymentTarget/web/old"));
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "  ? DeploymentTarget/web/old\n"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_path_with_no_manifest_is_an_error_unless_allow_empty(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	fx_write("specs/t.yaml", TARGET_DOC("web", "prod"));
	fx_write("typo/pipeline.yml", "version: v1.0\nblocks: []\n"); /* YAML, but no manifest */
	const char *verbs[] = {"plan", "drift", "apply"};
	for (size_t i = 0; i < 3; i++) {
		fx_result r = cf(&e, ARGS(verbs[i], "typo", "--yes"));
		assert_int_equal(r.rc, 1);
		assert_string_equal(r.err, "ciform: error: no manifest under typo (a YAML file with apiVersion and "
					   "kind; --allow-empty accepts it)\n");
		fx_result_free(&r);
	}
	fx_result r = cf(&e, ARGS("plan", "specs", "typo"));
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "no manifest under typo "));
	fx_result_free(&r);
	r = cf(&e, ARGS("drift", "typo", "--allow-empty"));
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "No changes. Live state matches the specs.\n"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_help_verb_prints_that_verbs_help(void **state)
{
	(void)state;
	const char *verbs[] = {"validate", "plan", "apply", "drift", "export", "reconcile", "show"};
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		fx_result a = fx_ciform(ARGS("help", verbs[i]), NULL, NULL);
		fx_result b = fx_ciform(ARGS(verbs[i], "--help"), NULL, NULL);
		assert_int_equal(a.rc, 0);
		char *usage = cf_xasprintf("usage: ciform %s", verbs[i]);
		assert_true(fx_contains(a.out, usage));
		assert_string_equal(a.out, b.out);
		free(usage);
		fx_result_free(&a);
		fx_result_free(&b);
	}
	fx_result r = fx_ciform(ARGS("help", "nope"), NULL, NULL);
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "ciform: error: unknown command 'nope' (see 'ciform --help')\n");
	fx_result_free(&r);
}

static void test_an_unknown_option_is_one_error_naming_it(void **state)
{
	(void)state;
	fx_result r = fx_ciform(ARGS("plan", "--colour"), NULL, NULL);
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "ciform: error: unknown option '--colour' (see 'ciform plan --help')\n");
	fx_result_free(&r);
	r = fx_ciform(ARGS("validate", "-q"), NULL, NULL);
	assert_string_equal(r.err, "ciform: error: unknown option '-q' (see 'ciform validate --help')\n");
	fx_result_free(&r);
	r = fx_ciform(ARGS("apply", "--format"), NULL, NULL);
	assert_string_equal(r.err, "ciform: error: option '--format' needs a value (see 'ciform apply --help')\n");
	fx_result_free(&r);
	r = fx_ciform(ARGS("show", "--bogus=1"), NULL, NULL);
	assert_string_equal(r.err, "ciform: error: unknown option '--bogus' (see 'ciform show --help')\n");
	fx_result_free(&r);
}

static void test_one_of_a_thing_is_singular(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("{\"project\": \"web\", \"name\": \"a\"}", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "a"));
	fx_result r = fx_ciform(ARGS("validate"), NULL, NULL);
	assert_string_equal(r.out, "Valid: 1 resource in 1 file (1 DeploymentTarget).\n");
	fx_result_free(&r);
	r = cf(&e, ARGS("plan"));
	assert_true(fx_contains(r.out, "Unchanged: 1 resource.\n"));
	fx_result_free(&r);
	/* on a terminal the answers are counted: the first is "1 answer" */
	char *cmd = cf_xasprintf("script -qec '%s plan --no-color' /dev/null", CIFORM_BIN);
	r.rc = fx_run(ARGS("/bin/sh", "-c", cmd), e.env, NULL, &r.out, &r.err);
	assert_true(fx_contains(r.out, "reading the live state: 1 answer\r"));
	assert_false(fx_contains(r.out, "1 answers"));
	free(cmd);
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_term_dumb_gets_no_colour(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), ARGS("TERM=xterm"));
	fx_write("t.yaml", TARGET_DOC("web", "prod"));
	char *cmd = cf_xasprintf("script -qec '%s plan' /dev/null", CIFORM_BIN);
	fx_result r;
	r.rc = fx_run(ARGS("/bin/sh", "-c", cmd), e.env, NULL, &r.out, &r.err);
	assert_true(fx_contains(r.out, "\033[32m+ DeploymentTarget/web/prod"));
	fx_result_free(&r);
	e.env[3] = "TERM=dumb";
	r.rc = fx_run(ARGS("/bin/sh", "-c", cmd), e.env, NULL, &r.out, &r.err);
	assert_true(fx_contains(r.out, "  + DeploymentTarget/web/prod (create)"));
	assert_false(fx_contains(r.out, "\033["));
	fx_result_free(&r);
	free(cmd);
	e2e_down(&e);
}

/* ~/.sem.yaml as `sem connect` writes it, in a HOME of the scene's own. */
static void write_sem_yaml(const e2e *e, const char *context)
{
	char *yaml = cf_xasprintf("active-context: %s\ncontexts:\n  %s:\n    auth:\n      token: " TEST_TOKEN "\n"
				  "    host: %s\n", context, context, e->sb.url);
	fx_write("home/.sem.yaml", yaml);
	free(yaml);
}

static void test_sem_yaml_context_names_match_ignoring_case(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	fx_write("specs/t.yaml", TARGET_DOC("web", "prod"));
	write_sem_yaml(&e, "Acme-Prod");
	char home[300], cwd[256];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(home, sizeof(home), "HOME=%s/home", cwd);
	const char *env[] = {"SEMAPHORE_ORG_URL", "SEMAPHORE_API_TOKEN", e.state_env, home, NULL};
	fx_result r = fx_ciform(ARGS("plan", "specs", "--context", "acme-prod"), env, NULL);
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "  + DeploymentTarget/web/prod (create)\n"));
	fx_result_free(&r);
	r = fx_ciform(ARGS("plan", "specs", "--context", "ACME-PROD"), env, NULL);
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	r = fx_ciform(ARGS("plan", "specs", "--context", "acme"), env, NULL);
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "no host and auth.token for context 'acme'"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_the_apply_prompt_names_the_organisation_the_context_and_the_counts(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("{\"project\": \"web\", \"name\": \"a\", \"description\": \"old\"}", "", ""), NULL);
	fx_write("specs/t.yaml", TARGET_DOC("web", "a") "  description: new\n---\n" TARGET_DOC("web", "b"));
	char cwd[256];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	write_sem_yaml(&e, "acme");
	char *cmd = cf_xasprintf("printf 'no\\n' | HOME=%s/home script -qec '%s apply specs --no-color' /dev/null",
				 cwd, CIFORM_BIN);
	const char *env[] = {"SEMAPHORE_ORG_URL", "SEMAPHORE_API_TOKEN", e.state_env, NULL};
	fx_result r;
	r.rc = fx_run(ARGS("/bin/sh", "-c", cmd), env, NULL, &r.out, &r.err);
	char *want = cf_xasprintf("Apply 2 changes (1 create, 1 update) to %s (sem context acme)? "
				  "Only 'yes' goes ahead: ", e.sb.url);
	assert_true(fx_contains(r.out, want));
	assert_true(fx_contains(r.out, "ciform: error: apply cancelled: nothing was changed"));
	free(want);
	free(cmd);
	fx_result_free(&r);
	/* from the environment there is no context: the URL alone */
	cmd = cf_xasprintf("printf 'no\\n' | script -qec '%s apply specs --no-color' /dev/null", CIFORM_BIN);
	r.rc = fx_run(ARGS("/bin/sh", "-c", cmd), e.env, NULL, &r.out, &r.err);
	want = cf_xasprintf("Apply 2 changes (1 create, 1 update) to %s? Only 'yes' goes ahead: ", e.sb.url);
	assert_true(fx_contains(r.out, want));
	free(want);
	free(cmd);
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_unknown_keys_and_kinds_suggest_the_closest_known_name(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("t.yaml", "apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata:\n  name: prod\n  project: web\n"
			   "  descripton: typo\nspec:\n  env_var: []\n  zzzzzz: 1\n---\n"
			   "apiVersion: v1alpha\nkind: deploymenttarget\nmetadata: {name: a, project: web}\n---\n"
			   "apiVersion: v1alpha\nkind: SelfHostedAgentTyp\nmetadata: {name: s1-a}\n---\n"
			   "apiVersion: v1alpha\nkind: Pipeline\nmetadata: {name: x}\n");
	fx_result r = fx_ciform(ARGS("validate"), NULL, NULL);
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err,
			    "t.yaml:6:3: unknown key 'descripton' in metadata (did you mean 'description'?)\n"
			    "t.yaml:8:3: unknown key 'env_var' in spec (did you mean 'env_vars'?)\n"
			    "t.yaml:9:3: unknown key 'zzzzzz' in spec\n"
			    "t.yaml:12:7: kind: unknown 'deploymenttarget' (did you mean DeploymentTarget?)\n"
			    "t.yaml:16:7: kind: unknown 'SelfHostedAgentTyp' (did you mean SelfHostedAgentType?)\n"
			    "t.yaml:20:7: kind: unknown 'Pipeline' (one of SelfHostedAgentType, DeploymentTarget, "
			    "ArtifactRetentionPolicy, Secret, ProjectSecret, Project, Task, Notification or Dashboard)\n"
			    "ciform: error: 6 problems in the specs\n");
	fx_result_free(&r);
	fx_leave_tmpdir();
}

static void test_debug_traces_each_request_but_no_header_or_body(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("{\"project\": \"web\", \"name\": \"a\"}", "", ""), ARGS("SECRET_FOR_TEST=s3cr3t-value-9"));
	fx_write("t.yaml", TARGET_DOC("web", "a") "spec:\n  env_vars: [{name: K, valueFrom: {env: SECRET_FOR_TEST}}]\n");
	fx_result r = cf(&e, ARGS("apply", "--yes", "--debug"));
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.err, "ciform: debug: GET /projects?page=1 -> 200 in "));
	assert_true(fx_contains(r.err, "ciform: debug: GET /deployment_targets?project_id=" P_WEB " -> 200 in "));
	assert_true(fx_contains(r.err, "ciform: debug: PATCH /deployment_targets/"));
	assert_false(fx_contains(r.err, TEST_TOKEN));
	assert_false(fx_contains(r.err, "s3cr3t-value-9"));
	assert_false(fx_contains(r.err, "Authorization"));
	assert_false(fx_contains(r.err, "unique_token"));
	assert_false(fx_contains(r.out, "debug:"));
	fx_result_free(&r);
	r = cf(&e, ARGS("plan"));
	assert_false(fx_contains(r.err, "debug:"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_debug_traces_the_requests_of_apply_workers_too(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	/* three creates in one phase: applied by workers on connections of their own */
	fx_write("t.yaml", TARGET_DOC("web", "a") "---\n" TARGET_DOC("web", "b") "---\n" TARGET_DOC("web", "c"));
	fx_result r = cf(&e, ARGS("apply", "--yes", "--debug", "--parallelism", "3"));
	assert_int_equal(r.rc, 0);
	assert_int_equal(fx_count(r.err, "ciform: debug: POST /deployment_targets?project_id=" P_WEB " -> 200 in "), 3);
	assert_false(fx_contains(r.err, TEST_TOKEN));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_retried_request_is_traced_once_per_attempt(void **state)
{
	(void)state;
	e2e e;
	e2e_up(&e, ORG("", "", ""), ARGS("--throttle-every", "2"), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "a"));
	fx_result r = cf(&e, ARGS("drift", "--debug"));
	assert_int_equal(r.rc, 2);
	assert_true(fx_contains(r.err, " -> 429 in "));
	assert_true(fx_contains(r.err, ", will retry\n"));
	assert_true(fx_contains(r.err, " -> 200 in "));
	assert_true(fx_contains(r.err, "(attempt 2)\n"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_every_plan_time_spec_problem_is_reported_in_one_run(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	fx_write("a.yaml", TARGET_DOC("nope", "prod"));
	fx_write("b.yaml", TARGET_DOC("web", "prod") "spec:\n  subject_rules: [{type: ROLE, subject_id: "
		 "0b000000-0000-4000-8000-0000000000ff}]\n");
	fx_result r = cf(&e, ARGS("plan"));
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "a.yaml:5:12: metadata.project: project 'nope' does not exist in the organisation\n"
				   "b.yaml:7:44: spec.subject_rules[0].subject_id: no role has the id "
				   "'0b000000-0000-4000-8000-0000000000ff'\n"
				   "ciform: error: 2 problems in the specs\n");
	fx_result_free(&r);
	e2e_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_mistyped_target_is_an_error_naming_the_closest_address),
		cmocka_unit_test(test_a_target_far_from_every_address_names_the_closest_ones),
		cmocka_unit_test(test_a_path_with_no_manifest_is_an_error_unless_allow_empty),
		cmocka_unit_test(test_help_verb_prints_that_verbs_help),
		cmocka_unit_test(test_an_unknown_option_is_one_error_naming_it),
		cmocka_unit_test(test_one_of_a_thing_is_singular),
		cmocka_unit_test(test_term_dumb_gets_no_colour),
		cmocka_unit_test(test_sem_yaml_context_names_match_ignoring_case),
		cmocka_unit_test(test_the_apply_prompt_names_the_organisation_the_context_and_the_counts),
		cmocka_unit_test(test_unknown_keys_and_kinds_suggest_the_closest_known_name),
		cmocka_unit_test(test_debug_traces_each_request_but_no_header_or_body),
		cmocka_unit_test(test_debug_traces_the_requests_of_apply_workers_too),
		cmocka_unit_test(test_a_retried_request_is_traced_once_per_attempt),
		cmocka_unit_test(test_every_plan_time_spec_problem_is_reported_in_one_run),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

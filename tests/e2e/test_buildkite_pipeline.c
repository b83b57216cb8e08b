/*
 * The Buildkite Pipeline kind end to end: the real ciform binary against
 * `ciform-sandbox --api buildkite`, connected through the BUILDKITE_*
 * environment variables: validate's checks at FILE:LINE:COLUMN, the exact
 * create and update bodies, convergence, drift, archive as desired state,
 * the scope preflight, a token that never shows, and a mixed repository.
 */
#include "tests/e2e/scene.h"
#include "reconciler/diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLUSTER "01900000-0000-4000-8000-000000000001"
#define BK_SEED(extra)                                                                                   \
	"{\"buildkite\": {\"organization\": \"acme\", \"clusters\": [{\"id\": \"" CLUSTER "\", \"name\": "   \
	"\"linux-ci\"}], \"pipelines\": [" extra "]}}"
#define LIVE_WEB "{\"slug\": \"web-app\", \"name\": \"Web App\", \"repository\": \"git@github.com:acme/web.git\"," \
		 " \"cluster_id\": \"" CLUSTER "\", \"configuration\": \"steps:\\n  - command: make\\n\"}"
#define DOC(rest) "apiVersion: buildkite/v1\nkind: Pipeline\nmetadata: {slug: web-app}\nspec:\n" rest
#define WEB DOC("  name: Web App\n  repository: git@github.com:acme/web.git\n  cluster: linux-ci\n" \
		"  configuration: |\n    steps:\n      - command: make\n")

typedef struct bk {
	fx_sandbox sb;
	char url_env[200];
	const char *env[8];
} bk;

static void bk_up(bk *b, const char *seed, const char *const *args)
{
	memset(b, 0, sizeof(*b));
	fx_enter_tmpdir();
	fx_write("seed.json", seed);
	const char *a[16] = {"--api", "buildkite", "--seed", "seed.json"};
	size_t n = 4;
	for (size_t i = 0; args && args[i] && n < 15; i++)
		a[n++] = args[i];
	fx_sandbox_start(&b->sb, a);
	snprintf(b->url_env, sizeof(b->url_env), "BUILDKITE_API_URL=%s", b->sb.url);
	b->env[0] = b->url_env;
	b->env[1] = "BUILDKITE_ORGANIZATION_SLUG=acme";
	b->env[2] = "BUILDKITE_API_TOKEN=" TEST_TOKEN;
	b->env[3] = "SEMAPHORE_API_TOKEN";
	b->env[4] = "SEMAPHORE_ORG_URL";
}

static void bk_down(bk *b)
{
	fx_sandbox_stop(&b->sb);
	fx_leave_tmpdir();
}

static fx_result bk_cf(bk *b, const char *const *args)
{
	return fx_ciform(args, b->env, NULL);
}

/* The bodies of every recorded request with this method and path, joined by newlines. */
static char *bodies(const char *method, const char *path)
{
	FILE *f = fopen("requests.jsonl", "r");
	assert_non_null(f);
	char line[1 << 16];
	char *out = cf_xstrdup("");
	while (fgets(line, sizeof(line), f)) {
		cJSON *r = cJSON_Parse(line);
		const char *m = cJSON_GetStringValue(cJSON_GetObjectItem(r, "method"));
		const char *p = cJSON_GetStringValue(cJSON_GetObjectItem(r, "path"));
		if (m && p && !strcmp(m, method) && !strcmp(p, path)) {
			char *b = cJSON_PrintUnformatted(cJSON_GetObjectItem(r, "body"));
			char *joined = cf_xasprintf("%s%s%s", out, *out ? "\n" : "", b);
			free(out);
			free(b);
			out = joined;
		}
		cJSON_Delete(r);
	}
	fclose(f);
	return out;
}

static void assert_invalid(const char *yaml, const char *want)
{
	fx_enter_tmpdir();
	fx_write("p.yaml", yaml);
	fx_result r = fx_ciform(ARGS("validate", "p.yaml"), NULL, NULL);
	if (!fx_contains(r.err, want))
		fail_msg("wanted %s in: %s", want, r.err);
	assert_int_equal(r.rc, 1);
	fx_result_free(&r);
	fx_leave_tmpdir();
}

static void test_validate_accepts_a_pipeline_without_any_connection(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("p.yaml", WEB);
	fx_result r = fx_ciform(ARGS("validate", "p.yaml"), ARGS("BUILDKITE_API_TOKEN", "BUILDKITE_ORGANIZATION_SLUG"),
				NULL);
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "1 Pipeline"));
	fx_result_free(&r);
	fx_leave_tmpdir();
}

static void test_steps_yaml_without_steps_is_refused_at_its_position(void **state)
{
	(void)state;
	assert_invalid(DOC("  name: W\n  repository: r\n  cluster: c\n  configuration: \"env: {A: b}\"\n"),
		       "p.yaml:8:18: spec.configuration: must be a mapping with a non-empty steps list");
	assert_invalid(DOC("  name: W\n  repository: r\n  cluster: c\n  configuration: \"steps: [pause]\"\n"),
		       "p.yaml:8:18: spec.configuration: steps[0] must be a mapping or one of wait, waiter, block, input");
}

static void test_a_branch_filter_with_conditional_syntax_is_refused(void **state)
{
	(void)state;
	assert_invalid(DOC("  name: W\n  repository: r\n  cluster: c\n  configuration: \"steps: [wait]\"\n"
			   "  branch_configuration: build.branch == \"main\"\n"),
		       "p.yaml:9:25: spec.branch_configuration: branch filters are glob patterns");
}

static void test_a_filter_condition_regex_must_be_slashed(void **state)
{
	(void)state;
	assert_invalid(DOC("  name: W\n  repository: r\n  cluster: c\n  configuration: \"steps: [wait]\"\n"
			   "  provider_settings: {trigger_mode: code, filter_condition: build.branch =~ main}\n"),
		       "spec.provider_settings.filter_condition: the operand of =~ or !~ must be a regex written /.../");
}

static void test_emoji_an_unknown_provider_setting_and_a_missing_cluster_are_refused(void **state)
{
	(void)state;
	assert_invalid(DOC("  name: W\n  repository: r\n  cluster: c\n  configuration: \"steps: [wait]\"\n"
			   "  emoji: \":rocket:\"\n"), "p.yaml:9:10: spec.emoji: not supported on Pipeline: the REST API never returns it, "
		       "so a plan could not compare it; remove it\n");
	assert_invalid(DOC("  name: W\n  repository: r\n  cluster: c\n  configuration: \"steps: [wait]\"\n"
			   "  provider_settings: {build_everything: true}\n"),
		       "spec.provider_settings.build_everything: not a documented provider setting");
	assert_invalid(DOC("  name: W\n  repository: r\n  configuration: \"steps: [wait]\"\n"),
		       "spec: give cluster (a cluster's name) or cluster_id: every pipeline belongs to a cluster\n");
}

static void test_a_create_sends_the_explicit_slug_and_the_cluster_uuid_then_converges(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, BK_SEED(""), ARGS("--record", "requests.jsonl"));
	fx_write("p.yaml", DOC("  name: Web App\n  repository: git@github.com:acme/web.git\n  cluster: linux-ci\n"
			       "  tags: [b, a]\n  configuration: |\n    steps:\n      - command: make\n"));
	fx_result r = bk_cf(&b, ARGS("plan", "p.yaml"));
	/* what the spec leaves out is not sent: the server's default, never shown as null */
	assert_true(fx_contains(r.out, "  + Pipeline/web-app (create)\n      metadata.slug: \"web-app\"\n"
				       "      spec.name: \"Web App\"\n"));
	assert_false(fx_contains(r.out, ": null"));
	fx_result_free(&r);
	r = bk_cf(&b, ARGS("apply", "--yes", "p.yaml"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	char *body = bodies("POST", "/v2/organizations/acme/pipelines");
	assert_string_equal(body, "{\"name\":\"Web App\",\"repository\":\"git@github.com:acme/web.git\",\"cluster_id\":\""
			    CLUSTER "\",\"configuration\":\"steps:\\n  - command: make\\n\",\"tags\":[\"b\",\"a\"],"
			    "\"slug\":\"web-app\"}");
	free(body);
	r = bk_cf(&b, ARGS("drift", "p.yaml"));
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "No changes. Live state matches the specs.\n"));
	fx_result_free(&r);
	bk_down(&b);
}

static void test_an_update_patches_only_the_changed_fields_and_a_rename_keeps_the_slug(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, BK_SEED(LIVE_WEB), ARGS("--record", "requests.jsonl"));
	fx_write("p.yaml", DOC("  name: Web Application\n  repository: git@github.com:acme/web.git\n"
			       "  cluster: linux-ci\n  configuration: |\n    steps:\n      - command: make\n"));
	fx_result r = bk_cf(&b, ARGS("plan", "p.yaml"));
	assert_true(fx_contains(r.out, "  ~ Pipeline/web-app (update)\n      spec.name: \"Web App\" -> \"Web Application\"\n"));
	fx_result_free(&r);
	r = bk_cf(&b, ARGS("apply", "--yes", "p.yaml"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	char *body = bodies("PATCH", "/v2/organizations/acme/pipelines/web-app");
	assert_string_equal(body, "{\"name\":\"Web Application\",\"slug\":\"web-app\"}");
	free(body);
	r = bk_cf(&b, ARGS("plan", "p.yaml"));
	assert_true(fx_contains(r.out, "No changes."));
	fx_result_free(&r);
	bk_down(&b);
}

static void test_a_reformatted_configuration_is_no_drift_but_a_changed_step_is(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, BK_SEED(LIVE_WEB), NULL);
	fx_write("p.yaml", DOC("  name: Web App\n  repository: git@github.com:acme/web.git\n  cluster: linux-ci\n"
			       "  configuration: \"\\\"steps\\\": [{\\\"command\\\": \\\"make\\\"}]\"\n"));
	fx_result r = bk_cf(&b, ARGS("drift", "p.yaml"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	fx_write("p.yaml", DOC("  name: Web App\n  repository: git@github.com:acme/web.git\n  cluster: linux-ci\n"
			       "  configuration: \"steps: [{command: make test}]\"\n"));
	r = bk_cf(&b, ARGS("drift", "p.yaml"));
	assert_int_equal(r.rc, 2);
	assert_true(fx_contains(r.out, "spec.configuration:"));
	fx_result_free(&r);
	bk_down(&b);
}

static void test_archived_true_archives_after_the_update_and_false_unarchives_first(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, BK_SEED(LIVE_WEB), ARGS("--record", "requests.jsonl"));
	fx_write("p.yaml", WEB "  archived: true\n");
	fx_result r = bk_cf(&b, ARGS("plan", "--format", "json", "p.yaml"));
	assert_true(fx_contains(r.out, "\"action\":\"deactivate\",\"kind\":\"Pipeline\""));
	assert_true(fx_contains(r.out, "\"operation\":\"archive\""));
	fx_result_free(&r);
	r = bk_cf(&b, ARGS("apply", "--yes", "p.yaml"));
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "Pipeline/web-app: deactivate"));
	fx_result_free(&r);
	char *posts = bodies("POST", "/v2/organizations/acme/pipelines/web-app/archive");
	assert_string_equal(posts, "null");
	free(posts);
	fx_write("p.yaml", DOC("  name: Web 2\n  repository: git@github.com:acme/web.git\n  cluster: linux-ci\n"
			       "  configuration: \"steps: [{command: make}]\"\n"));
	r = bk_cf(&b, ARGS("apply", "--yes", "p.yaml"));
	assert_int_equal(r.rc, 0); /* the PATCH after the unarchive, not refused as archived */
	fx_result_free(&r);
	r = bk_cf(&b, ARGS("drift", "p.yaml"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	bk_down(&b);
}

static void test_an_archived_pipeline_meant_to_stay_archived_is_frozen_with_a_note(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, BK_SEED(LIVE_WEB), ARGS("--record", "requests.jsonl"));
	fx_write("p.yaml", WEB "  archived: true\n");
	fx_result r = bk_cf(&b, ARGS("apply", "--yes", "p.yaml"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	/* archived live and in the spec: a changed name is noted, not applied */
	fx_write("p.yaml", DOC("  name: Web 2\n  repository: git@github.com:acme/web.git\n  cluster: linux-ci\n"
			       "  configuration: \"steps: [{command: make}]\"\n  archived: true\n"));
	r = bk_cf(&b, ARGS("drift", "p.yaml"));
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "Notes:\n  # Pipeline/web-app is archived; 1 field(s) differ (not applied while "
				       "it stays archived)\n"));
	assert_true(fx_contains(r.out, "No changes."));
	fx_result_free(&r);
	r = bk_cf(&b, ARGS("plan", "--format", "json", "p.yaml"));
	assert_true(fx_contains(r.out, "\"notes\":[\"Pipeline/web-app is archived; 1 field(s) differ"));
	fx_result_free(&r);
	r = bk_cf(&b, ARGS("apply", "--yes", "p.yaml"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	char *patches = bodies("PATCH", "/v2/organizations/acme/pipelines/web-app");
	assert_string_equal(patches, ""); /* nothing sent to the archived pipeline */
	free(patches);
	bk_down(&b);
}

static void test_ensure_absent_deletes_and_a_second_run_finds_nothing_to_do(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, BK_SEED(LIVE_WEB), NULL);
	fx_write("p.yaml", "apiVersion: buildkite/v1\nkind: Pipeline\nmetadata: {slug: web-app, ensure: absent}\n");
	fx_result r = bk_cf(&b, ARGS("apply", "--yes", "p.yaml"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	r = bk_cf(&b, ARGS("drift", "p.yaml"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	bk_down(&b);
}

static void test_an_unknown_cluster_name_is_a_plan_error_at_its_position(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, BK_SEED(""), NULL);
	fx_write("p.yaml", DOC("  name: W\n  repository: r\n  cluster: macos\n  configuration: \"steps: [wait]\"\n"));
	fx_result r = bk_cf(&b, ARGS("plan", "p.yaml"));
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "p.yaml:7:12: spec.cluster: the organization has no cluster 'macos'"));
	fx_result_free(&r);
	bk_down(&b);
}

static void test_a_token_without_write_pipelines_is_refused_before_any_change_naming_the_scope(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, "{\"buildkite\": {\"scopes\": [\"read_pipelines\", \"read_clusters\"], \"clusters\": [{\"id\": \""
		  CLUSTER "\", \"name\": \"linux-ci\"}]}}", ARGS("--record", "requests.jsonl"));
	fx_write("p.yaml", WEB);
	fx_result r = bk_cf(&b, ARGS("apply", "--yes", "p.yaml"));
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "lacks the scope(s) write_pipelines"));
	assert_false(fx_contains(r.err, TEST_TOKEN));
	fx_result_free(&r);
	char *posts = bodies("POST", "/v2/organizations/acme/pipelines");
	assert_string_equal(posts, "");
	free(posts);
	bk_down(&b);
}

static void test_a_wrong_token_fails_without_printing_it(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, BK_SEED(""), NULL);
	b.env[2] = "BUILDKITE_API_TOKEN=wrong-secret-123";
	fx_write("p.yaml", WEB);
	fx_result r = bk_cf(&b, ARGS("plan", "p.yaml"));
	assert_int_not_equal(r.rc, 0);
	assert_false(fx_contains(r.err, "wrong-secret-123"));
	assert_false(fx_contains(r.out, "wrong-secret-123"));
	fx_result_free(&r);
	bk_down(&b);
}

static void test_creates_under_failing_requests_converge_without_duplicates(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, BK_SEED(""), ARGS("--fail-every", "3", "--state", "state.json"));
	fx_write("p.yaml", WEB);
	fx_result r = bk_cf(&b, ARGS("apply", "--yes", "p.yaml"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	r = bk_cf(&b, ARGS("drift", "p.yaml"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	fx_sandbox_stop(&b.sb);
	char *text = NULL, *errs = NULL;
	const char *argv[] = {"/bin/cat", "state.json", NULL};
	assert_int_equal(fx_run(argv, NULL, NULL, &text, &errs), 0);
	free(errs);
	cJSON *st = cJSON_Parse(text);
	assert_non_null(st);
	assert_int_equal(cJSON_GetArraySize(cf_json_path(st, "buildkite.pipelines")), 1);
	cJSON_Delete(st);
	free(text);
	bk_down(&b);
}

static void test_a_mixed_repository_plans_without_semaphore_credentials_only_when_buildkite_alone(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, BK_SEED(LIVE_WEB), NULL);
	fx_write("p.yaml", WEB);
	fx_write("d.yaml", "apiVersion: v1alpha\nkind: Dashboard\nmetadata: {name: board}\nspec: {widgets: []}\n");
	fx_result r = bk_cf(&b, ARGS("plan", "p.yaml")); /* no SEMAPHORE_* at all */
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	r = bk_cf(&b, ARGS("plan", "."));
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "SEMAPHORE"));
	fx_result_free(&r);
	bk_down(&b);
}

static void test_an_exported_pipeline_plans_as_unchanged_and_an_unknown_slug_is_an_error(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, BK_SEED(LIVE_WEB), NULL);
	fx_result r = bk_cf(&b, ARGS("export", "--pipeline", "web-app", "--dir", "out"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	r = bk_cf(&b, ARGS("drift", "out"));
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "No changes."));
	fx_result_free(&r);
	r = bk_cf(&b, ARGS("export", "--pipeline", "nope"));
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "the organization has no pipeline 'nope'"));
	fx_result_free(&r);
	bk_down(&b);
}

static void test_the_org_flag_names_the_organization_when_no_variable_does(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, BK_SEED(LIVE_WEB), NULL);
	b.env[1] = "BUILDKITE_ORGANIZATION_SLUG";
	fx_write("p.yaml", WEB);
	fx_result r = bk_cf(&b, ARGS("plan", "p.yaml"));
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "no Buildkite organization"));
	fx_result_free(&r);
	r = bk_cf(&b, ARGS("plan", "--org", "acme", "p.yaml"));
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "No changes."));
	fx_result_free(&r);
	bk_down(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate_accepts_a_pipeline_without_any_connection),
		cmocka_unit_test(test_steps_yaml_without_steps_is_refused_at_its_position),
		cmocka_unit_test(test_a_branch_filter_with_conditional_syntax_is_refused),
		cmocka_unit_test(test_a_filter_condition_regex_must_be_slashed),
		cmocka_unit_test(test_emoji_an_unknown_provider_setting_and_a_missing_cluster_are_refused),
		cmocka_unit_test(test_a_create_sends_the_explicit_slug_and_the_cluster_uuid_then_converges),
		cmocka_unit_test(test_an_update_patches_only_the_changed_fields_and_a_rename_keeps_the_slug),
		cmocka_unit_test(test_a_reformatted_configuration_is_no_drift_but_a_changed_step_is),
		cmocka_unit_test(test_archived_true_archives_after_the_update_and_false_unarchives_first),
		cmocka_unit_test(test_an_archived_pipeline_meant_to_stay_archived_is_frozen_with_a_note),
		cmocka_unit_test(test_ensure_absent_deletes_and_a_second_run_finds_nothing_to_do),
		cmocka_unit_test(test_an_unknown_cluster_name_is_a_plan_error_at_its_position),
		cmocka_unit_test(test_a_token_without_write_pipelines_is_refused_before_any_change_naming_the_scope),
		cmocka_unit_test(test_a_wrong_token_fails_without_printing_it),
		cmocka_unit_test(test_creates_under_failing_requests_converge_without_duplicates),
		cmocka_unit_test(test_a_mixed_repository_plans_without_semaphore_credentials_only_when_buildkite_alone),
		cmocka_unit_test(test_an_exported_pipeline_plans_as_unchanged_and_an_unknown_slug_is_an_error),
		cmocka_unit_test(test_the_org_flag_names_the_organization_when_no_variable_does),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * The Buildkite API rules docs/buildkite.md lists that ciform itself must
 * keep, each against `ciform-sandbox --api buildkite`: where the
 * organisation and the token come from (BUILDKITE_ORGANIZATION, the bk
 * CLI's bk.yaml and file store), a 403 for a user who is no administrator,
 * the 5-attempt cap, the filter warning, the 8 KB secret value limit, a
 * DELETE or an archive whose lost answer's retry meets 404 or 422, and
 * statuses decided on, never words (a 503 saying "Not Found").
 */
#include "tests/e2e/test_buildkite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define LINUX "{\"id\": \"" CL1 "\", \"name\": \"linux\"}"
#define CLUSTER_DOC "apiVersion: buildkite/v1\nkind: Cluster\nmetadata: {name: linux}\nspec: {}\n"
#define S1 "01930000-0000-4000-8000-000000000001"
#define NPM "{\"id\": \"" S1 "\", \"cluster_id\": \"" CL1 "\", \"key\": \"NPM\", \"value\": \"old\", " \
	"\"updated_at\": \"2026-01-01T00:00:00Z\"}"
#define GONE "apiVersion: buildkite/v1\nkind: ClusterSecret\nmetadata: {cluster: linux, key: NPM, ensure: absent}\n"
#define S1PATH "/v2/organizations/acme/clusters/" CL1 "/secrets/" S1
#define PIPELINE(rest) "apiVersion: buildkite/v1\nkind: Pipeline\nmetadata: {slug: web}\nspec:\n  name: W\n" \
	"  repository: r\n  cluster: c\n  configuration: \"steps: [wait]\"\n" rest
#define NO_CHANGES "No changes. Live state matches the specs."

/* How many requests with this method and path the sandbox recorded. */
static int count(const char *method, const char *path)
{
	char *all = bodies(method, path);
	int n = *all ? 1 : 0;
	for (const char *p = all; *p; p++)
		n += *p == '\n';
	free(all);
	return n;
}

/* ciform run with b's sandbox URL and neither a Semaphore setting nor a
 * BUILDKITE_* organisation or token, but the bk CLI's config under ./cfg
 * and its file store at store (a path). */
static fx_result run_as_cli_user(bk *b, const char *const *args, const char *store)
{
	char cwd[512], xdg[600], st[700];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(xdg, sizeof(xdg), "XDG_CONFIG_HOME=%s/cfg", cwd);
	snprintf(st, sizeof(st), "BUILDKITE_CREDENTIAL_STORE_PATH=%s", store);
	const char *env[] = {b->url_env, "SEMAPHORE_API_TOKEN", "SEMAPHORE_ORG_URL", "BUILDKITE_ORGANIZATION_SLUG",
			     "BUILDKITE_ORGANIZATION", "BUILDKITE_API_TOKEN", xdg, st, NULL};
	return fx_ciform(args, env, NULL);
}

/* tf util.go getenv: BUILDKITE_ORGANIZATION_SLUG, else BUILDKITE_ORGANIZATION */
static void test_the_organization_falls_back_to_buildkite_organization(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, ""), NULL);
	fx_write("c.yaml", CLUSTER_DOC);
	b.env[1] = "BUILDKITE_ORGANIZATION_SLUG";
	b.env[5] = "BUILDKITE_ORGANIZATION=acme";
	expect(&b, ARGS("plan", "c.yaml"), 0, NO_CHANGES, NULL);
	assert_int_equal(count("GET", "/v2/organizations/acme/clusters"), 1);
	bk_down(&b);
}

static void test_buildkite_organization_slug_wins_over_buildkite_organization(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, ""), NULL);
	fx_write("c.yaml", CLUSTER_DOC);
	b.env[5] = "BUILDKITE_ORGANIZATION=elsewhere";
	expect(&b, ARGS("plan", "c.yaml"), 0, NO_CHANGES, NULL);
	assert_int_equal(count("GET", "/v2/organizations/elsewhere/clusters"), 0);
	bk_down(&b);
}

/* cli internal/config/config.go: $XDG_CONFIG_HOME/bk.yaml, selected_org,
 * organizations.ORG.api_token */
static void test_the_bk_cli_config_names_the_organization_and_its_token(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, ""), NULL);
	fx_write("c.yaml", CLUSTER_DOC);
	assert_int_equal(mkdir("cfg", 0700), 0);
	fx_write("cfg/bk.yaml", "selected_org: acme\norganizations:\n  acme:\n    api_token: " TEST_TOKEN "\n");
	fx_result r = run_as_cli_user(&b, ARGS("plan", "c.yaml"), "/nonexistent/credentials.json");
	if (r.rc != 0 || !fx_contains(r.out, NO_CHANGES) || fx_contains(r.out, TEST_TOKEN) || fx_contains(r.err, TEST_TOKEN))
		fail_msg("exit %d: %s%s", r.rc, r.out, r.err);
	fx_result_free(&r);
	bk_down(&b);
}

/* cli pkg/keyring/keyring.go shmCredentialPath: BUILDKITE_CREDENTIAL_STORE_PATH's
 * credentials.json, services["buildkite-cli"][ORG] */
static void test_the_bk_cli_file_store_gives_the_selected_organizations_token(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, ""), NULL);
	fx_write("c.yaml", CLUSTER_DOC);
	assert_int_equal(mkdir("cfg", 0700), 0);
	fx_write("cfg/bk.yaml", "selected_org: acme\n");
	fx_write("credentials.json", "{\"services\": {\"buildkite-cli\": {\"other\": \"wrong\", \"acme\": \"" TEST_TOKEN "\"}}}");
	char cwd[512], store[600];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(store, sizeof(store), "%s/credentials.json", cwd);
	fx_result r = run_as_cli_user(&b, ARGS("plan", "c.yaml"), store);
	if (r.rc != 0 || !fx_contains(r.out, NO_CHANGES))
		fail_msg("exit %d: %s%s", r.rc, r.out, r.err);
	fx_result_free(&r);
	bk_down(&b);
}

/* docs organizations/pipeline_settings.md: 403 for a user who is no
 * organisation administrator, reads included */
static void test_settings_of_a_user_who_is_no_admin_fail_with_the_admin_hint(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, "{\"buildkite\": {\"admin\": false}}", NULL);
	fx_write("o.yaml", "apiVersion: buildkite/v1\nkind: OrganizationPipelineSettings\nmetadata: {}\n"
			   "spec: {default_branch: main}\n");
	expect(&b, ARGS("apply", "--yes", "o.yaml"), 1, NULL, "whether its user is an organization admin");
	assert_int_equal(count("PATCH", "/v2/organizations/acme/pipeline-settings"), 0);
	bk_down(&b);
}

/* tf client.go sharedCheckRetry: at most 5 attempts */
static void test_a_request_failing_every_time_is_given_up_after_5_attempts(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, ""), ARGS("--fail-every", "1"));
	fx_write("c.yaml", CLUSTER_DOC);
	expect(&b, ARGS("plan", "c.yaml"), 1, NULL, "(after 5 attempts)");
	FILE *f = fopen("requests.jsonl", "r");
	assert_non_null(f);
	int lines = 0;
	for (int ch; (ch = fgetc(f)) != EOF;)
		lines += ch == '\n';
	fclose(f);
	assert_int_equal(lines, 5); /* the first GET, five times, and nothing after it */
	bk_down(&b);
}

/* tf resource_pipeline.go validateFilterConditionWithTriggerMode */
static void test_a_filter_condition_without_trigger_mode_code_warns_and_validates(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("p.yaml", PIPELINE("  provider_settings: {trigger_mode: none, filter_condition: build.branch == \"main\"}\n"));
	fx_result r = fx_ciform(ARGS("validate", "p.yaml"), NULL, NULL);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.err, "p.yaml:9:22: warning: spec.provider_settings: filter_* apply only with trigger_mode: code\n");
	fx_result_free(&r);
	fx_leave_tmpdir();
}

/* tf: only a non-empty filter_condition or filter_enabled: true is warned of */
static void test_filter_enabled_false_without_trigger_mode_is_no_warning(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("p.yaml", PIPELINE("  provider_settings: {filter_enabled: false}\n"));
	fx_result r = fx_ciform(ARGS("validate", "p.yaml"), NULL, NULL);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.err, "");
	fx_result_free(&r);
	fx_leave_tmpdir();
}

/* A ClusterSecret manifest whose value is n bytes of 'v'. */
static char *secret_of(size_t n)
{
	char *v = cf_xcalloc(1, n + 1);
	memset(v, 'v', n);
	char *doc = cf_xasprintf("apiVersion: buildkite/v1\nkind: ClusterSecret\nmetadata: {cluster: linux, key: NPM}\n"
				 "spec:\n  value: %s\n", v);
	free(v);
	return doc;
}

/* docs clusters/secrets.md: "Must be less than 8 kilobytes." */
static void test_a_secret_value_of_8_kb_is_refused_at_its_position(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	char *doc = secret_of(8192);
	fx_write("s.yaml", doc);
	free(doc);
	fx_result r = fx_ciform(ARGS("validate", "s.yaml"), NULL, NULL);
	assert_int_equal(r.rc, 1);
	if (!fx_contains(r.err, "s.yaml:5:10: spec.value: the value must be text, not blank, and under 8 KB"))
		fail_msg("%.300s", r.err);
	assert_false(fx_contains(r.err, "vvvv"));
	fx_result_free(&r);
	doc = secret_of(8191);
	fx_write("s.yaml", doc);
	free(doc);
	r = fx_ciform(ARGS("validate", "s.yaml"), NULL, NULL);
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	fx_leave_tmpdir();
}

/* docs clusters/secrets.md: "Cannot be blank." */
static void test_a_blank_secret_value_is_refused_at_its_position(void **state)
{
	(void)state;
	assert_invalid("apiVersion: buildkite/v1\nkind: ClusterSecret\nmetadata: {cluster: linux, key: NPM}\n"
		       "spec: {value: \"  \"}\n",
		       "p.yaml:4:15: spec.value: the value must be text, not blank, and under 8 KB");
}

/* A saved plan is refused once the secret is deleted behind it (stale), so
 * the 404 comes from the sandbox's --lose-every 1: the DELETE is carried
 * out, its answer lost; the retry's 404 is done. */
static void test_a_delete_whose_retry_meets_404_counts_as_done(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, ", \"secrets\": [" NPM "]"), ARGS("--lose-every", "1"));
	fx_write("s.yaml", GONE);
	expect(&b, ARGS("apply", "--yes", "s.yaml"), 0, NULL, NULL);
	assert_int_equal(count("DELETE", S1PATH), 2);
	expect(&b, ARGS("drift", "s.yaml"), 0, NO_CHANGES, NULL);
	bk_down(&b);
}

/* tf client.go apiError: the status decides; a 503 in a 404's words is a failure */
static void test_a_503_saying_not_found_is_no_404_and_the_delete_fails(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, ", \"secrets\": [" NPM "]"), ARGS("--fault", "not-found-503"));
	fx_write("s.yaml", GONE);
	expect(&b, ARGS("apply", "--yes", "s.yaml"), 1, NULL, "(after 5 attempts)");
	assert_int_equal(count("DELETE", S1PATH), 5);
	expect(&b, ARGS("plan", "s.yaml"), 0, "ClusterSecret/linux/NPM (delete)", NULL);
	bk_down(&b);
}

/* docs pipelines.md "Archive a pipeline": 422 "Pipeline could not be
 * archived." for one already archived, as a retry after a lost answer finds
 * it: a re-read showing it archived makes it done */
static void test_an_archive_whose_retry_meets_422_is_done_when_it_is_archived(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, ", \"pipelines\": [{\"slug\": \"web\", \"name\": \"W\", \"repository\": \"r\", "
			     "\"cluster_id\": \"" CL1 "\", \"configuration\": \"steps: [wait]\"}]"),
	      ARGS("--lose-every", "1"));
	fx_write("p.yaml", "apiVersion: buildkite/v1\nkind: Pipeline\nmetadata: {slug: web}\nspec:\n  name: W\n"
			   "  repository: r\n  cluster: linux\n  configuration: \"steps: [wait]\"\n  archived: true\n");
	expect(&b, ARGS("apply", "--yes", "p.yaml"), 0, NULL, NULL);
	assert_int_equal(count("POST", "/v2/organizations/acme/pipelines/web/archive"), 2);
	expect(&b, ARGS("drift", "p.yaml"), 0, NO_CHANGES, NULL);
	bk_down(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_organization_falls_back_to_buildkite_organization),
		cmocka_unit_test(test_buildkite_organization_slug_wins_over_buildkite_organization),
		cmocka_unit_test(test_the_bk_cli_config_names_the_organization_and_its_token),
		cmocka_unit_test(test_the_bk_cli_file_store_gives_the_selected_organizations_token),
		cmocka_unit_test(test_settings_of_a_user_who_is_no_admin_fail_with_the_admin_hint),
		cmocka_unit_test(test_a_request_failing_every_time_is_given_up_after_5_attempts),
		cmocka_unit_test(test_a_filter_condition_without_trigger_mode_code_warns_and_validates),
		cmocka_unit_test(test_filter_enabled_false_without_trigger_mode_is_no_warning),
		cmocka_unit_test(test_a_secret_value_of_8_kb_is_refused_at_its_position),
		cmocka_unit_test(test_a_blank_secret_value_is_refused_at_its_position),
		cmocka_unit_test(test_a_delete_whose_retry_meets_404_counts_as_done),
		cmocka_unit_test(test_a_503_saying_not_found_is_no_404_and_the_delete_fails),
		cmocka_unit_test(test_an_archive_whose_retry_meets_422_is_done_when_it_is_archived),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * The Buildkite OrganizationPipelineSettings kind end to end: the real
 * ciform binary against `ciform-sandbox --api buildkite`: validate's checks,
 * the exact PATCH (changed fields only, the default cluster by UUID, null
 * clearing it), convergence, plan errors, export round trips and the scope.
 */
#include "tests/e2e/scene.h"
#include "reconciler/diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CL1 "01900000-0000-4000-8000-000000000001"
#define CL2 "01900000-0000-4000-8000-000000000002"
#define Q1 "01910000-0000-4000-8000-000000000001"
#define Q2 "01910000-0000-4000-8000-000000000002"
#define SEED(clusters, rest) "{\"buildkite\": {\"organization\": \"acme\", \"clusters\": [" clusters "]" rest "}}"

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
	const char *a[16] = {"--api", "buildkite", "--seed", "seed.json", "--record", "requests.jsonl"};
	size_t n = 6;
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

static fx_result run(bk *b, const char *const *args)
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
			char *t = cJSON_PrintUnformatted(cJSON_GetObjectItem(r, "body"));
			char *joined = cf_xasprintf("%s%s%s", out, *out ? "\n" : "", t);
			free(out);
			free(t);
			out = joined;
		}
		cJSON_Delete(r);
	}
	fclose(f);
	return out;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *buf = cf_xcalloc(1, 1 << 20);
	size_t n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void expect_body(const char *method, const char *path, const char *want)
{
	char *got = bodies(method, path);
	assert_string_equal(got, want);
	free(got);
}

static void expect(bk *b, const char *const *args, int rc, const char *out_has, const char *err_has)
{
	fx_result r = run(b, args);
	if (out_has && !fx_contains(r.out, out_has))
		fail_msg("wanted %s in: %s", out_has, r.out);
	if (err_has && !fx_contains(r.err, err_has))
		fail_msg("wanted %s in: %s", err_has, r.err);
	if (r.rc != rc)
		fail_msg("exit %d, wanted %d: %s%s", r.rc, rc, r.out, r.err);
	fx_result_free(&r);
}


#define LINUX "{\"id\": \"" CL1 "\", \"name\": \"linux\"}"
#define SETTINGS_SEED ", \"pipeline_settings\": {\"default_branch\": \"main\", \"default_timeout_in_minutes\": 60, " \
	"\"maximum_timeout_in_minutes\": 120}"
#define SETTINGS(spec) "apiVersion: buildkite/v1\nkind: OrganizationPipelineSettings\nmetadata: {}\nspec: " spec "\n"
#define PSPATH "/v2/organizations/acme/pipeline-settings"

static void test_a_default_above_the_maximum_and_ensure_absent_are_refused(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("o.yaml", SETTINGS("{default_timeout_in_minutes: 200, maximum_timeout_in_minutes: 100}"));
	fx_result r = fx_ciform(ARGS("validate", "o.yaml"), NULL, NULL);
	assert_int_equal(r.rc, 1);
	if (!fx_contains(r.err, "o.yaml:4:36: spec.default_timeout_in_minutes: must not exceed maximum_timeout_in_minutes"))
		fail_msg("%s", r.err);
	fx_result_free(&r);
	fx_write("o.yaml", "apiVersion: buildkite/v1\nkind: OrganizationPipelineSettings\nmetadata: {ensure: absent}\n");
	r = fx_ciform(ARGS("validate", "o.yaml"), NULL, NULL);
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "the organization's pipeline settings cannot be deleted"));
	fx_result_free(&r);
	fx_leave_tmpdir();
}

static void test_an_update_patches_the_changed_fields_and_the_default_cluster_by_uuid(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, SETTINGS_SEED), NULL);
	fx_write("o.yaml", SETTINGS("{default_branch: main, default_cluster: linux, default_timeout_in_minutes: 30}"));
	expect(&b, ARGS("plan", "o.yaml"), 0, "spec.default_cluster: null -> \"linux\"", NULL);
	expect(&b, ARGS("apply", "--yes", "o.yaml"), 0, NULL, NULL);
	expect_body("PATCH", PSPATH, "{\"default_cluster_id\":\"" CL1 "\",\"default_timeout_in_minutes\":30}");
	expect(&b, ARGS("drift", "o.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_an_explicit_null_clears_the_default_cluster(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, "{\"buildkite\": {\"clusters\": [" LINUX "], \"pipeline_settings\": {\"default_cluster_id\": \"" CL1 "\"}}}", NULL);
	fx_write("o.yaml", SETTINGS("{default_cluster: linux}"));
	expect(&b, ARGS("drift", "o.yaml"), 0, "No changes.", NULL);
	fx_write("o.yaml", SETTINGS("{default_cluster: null}"));
	expect(&b, ARGS("apply", "--yes", "o.yaml"), 0, NULL, NULL);
	expect_body("PATCH", PSPATH, "{\"default_cluster_id\":null}");
	expect(&b, ARGS("drift", "o.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_an_unknown_default_cluster_is_a_plan_error(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, SETTINGS_SEED), NULL);
	fx_write("o.yaml", SETTINGS("{default_cluster: windows}"));
	expect(&b, ARGS("plan", "o.yaml"), 1, NULL, "o.yaml:4:25: spec.default_cluster: the organization has no cluster 'windows'");
	bk_down(&b);
}

static void test_exported_settings_plan_as_unchanged(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, "{\"buildkite\": {\"clusters\": [" LINUX "], \"pipeline_settings\": {\"default_branch\": \"trunk\", "
		  "\"default_cluster_id\": \"" CL1 "\", \"maximum_timeout_in_minutes\": 90}}}", NULL);
	fx_result r = run(&b, ARGS("export", "--org-settings", "--dir", "out"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	char *text = slurp("out/organization/pipeline-settings.yaml");
	assert_true(fx_contains(text, "default_cluster: linux"));
	assert_true(fx_contains(text, "maximum_timeout_in_minutes: 90"));
	free(text);
	expect(&b, ARGS("drift", "out"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_a_token_without_read_organization_settings_is_refused(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, "{\"buildkite\": {\"scopes\": [\"read_clusters\"]}}", NULL);
	fx_write("o.yaml", SETTINGS("{default_branch: main}"));
	expect(&b, ARGS("plan", "o.yaml"), 1, NULL, "lacks the scope(s) read_organization_settings");
	bk_down(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_default_above_the_maximum_and_ensure_absent_are_refused),
		cmocka_unit_test(test_an_update_patches_the_changed_fields_and_the_default_cluster_by_uuid),
		cmocka_unit_test(test_an_explicit_null_clears_the_default_cluster),
		cmocka_unit_test(test_an_unknown_default_cluster_is_a_plan_error),
		cmocka_unit_test(test_exported_settings_plan_as_unchanged),
		cmocka_unit_test(test_a_token_without_read_organization_settings_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

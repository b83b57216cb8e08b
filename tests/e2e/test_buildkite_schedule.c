/*
 * The Buildkite PipelineSchedule kind end to end: the real ciform binary
 * against `ciform-sandbox --api buildkite`: validate's cronline and env
 * checks at FILE:LINE:COLUMN, the exact create and update requests, env
 * from valueFrom shown only as (sensitive), convergence, drift, the prune
 * scope, plan errors only the live state shows, export round trips, and
 * failing requests without duplicates.
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
	b->env[5] = "SMOKE_SRC=smoke-s3cret";
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


#define PIPE(slug) "{\"slug\": \"" slug "\", \"name\": \"" slug "\", \"repository\": \"r\", \"cluster_id\": \"" CL1 \
	"\", \"configuration\": \"steps: [wait]\"}"
#define PIPES ", \"pipelines\": [" PIPE("web") ", " PIPE("api") "]"
#define SCH(id, slug, label, rest) "{\"id\": \"" id "\", \"pipeline_slug\": \"" slug "\", \"label\": \"" label "\", " \
	"\"cronline\": \"@daily\", \"branch\": \"main\", \"enabled\": true" rest "}"
#define SCHEDULES(...) ", \"schedules\": [" __VA_ARGS__ "]"
#define SCHEDULE(meta, spec) "apiVersion: buildkite/v1\nkind: PipelineSchedule\nmetadata: " meta "\nspec: " spec "\n"
#define WPATH "/v2/organizations/acme/pipelines/web/schedules"
#define LINUX "{\"id\": \"" CL1 "\", \"name\": \"linux\"}"

static void test_a_bad_cronline_a_random_field_and_an_env_with_two_values_are_refused(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("s.yaml", SCHEDULE("{pipeline: web, label: Nightly}", "{cronline: \"0 2 * *\"}"));
	fx_result r = fx_ciform(ARGS("validate", "s.yaml"), NULL, NULL);
	assert_int_equal(r.rc, 1);
	if (!fx_contains(r.err, "s.yaml:4:18: spec.cronline: five cron fields"))
		fail_msg("%s", r.err);
	fx_result_free(&r);
	fx_write("s.yaml", SCHEDULE("{pipeline: web, label: Nightly}", "{cronline: \"H~ 2 * * *\"}"));
	r = fx_ciform(ARGS("validate", "s.yaml"), NULL, NULL);
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "'~' (a random value) is not supported"));
	fx_result_free(&r);
	fx_write("s.yaml", SCHEDULE("{pipeline: web, label: Nightly}", "{cronline: \"0 2 * * * Europe/Berlin\", "
				    "env: [{name: A, value: x, valueFrom: {env: HOME}}]}"));
	r = fx_ciform(ARGS("validate", "s.yaml"), NULL, NULL);
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "spec.env[0]: give value or valueFrom"));
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
	expect(&b, ARGS("plan", "s.yaml"), 1, NULL, "spec: a new schedule needs a cronline");
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
		cmocka_unit_test(test_a_bad_cronline_a_random_field_and_an_env_with_two_values_are_refused),
		cmocka_unit_test(test_a_create_posts_env_as_an_object_and_shows_valuefrom_entries_as_sensitive),
		cmocka_unit_test(test_an_update_patches_the_changed_fields_and_a_live_edit_is_drift),
		cmocka_unit_test(test_prune_deletes_the_other_schedules_of_a_pipeline_with_a_schedule_manifest_only),
		cmocka_unit_test(test_an_unknown_pipeline_and_a_new_schedule_without_cronline_are_plan_errors),
		cmocka_unit_test(test_exported_schedules_leave_env_out_and_plan_as_unchanged),
		cmocka_unit_test(test_schedule_creates_under_failing_requests_converge_without_duplicates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

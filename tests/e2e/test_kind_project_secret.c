/*
 * The ProjectSecret kind end to end against the sandbox: the project's UUID
 * in every path and PATCH body (a name there is 400, another UUID moves the
 * secret: secrethub project_secrets/public_api_mapper.ex), the prune scope
 * (only projects a manifest names), export, and the feature switch.
 */
#include "tests/e2e/scene.h"
#include "reconciler/diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PK_ID "0f000000-0000-4000-8000-000000000001"
#define PROJECTS "\"projects\": [{\"name\": \"web\", \"id\": \"" P_WEB "\"}, {\"name\": \"api\", \"id\": \"" P_API "\"}]"
#define PSECRETS                                                                                          \
	"\"project_secrets\": [{\"id\": \"" PK_ID "\", \"project\": \"web\", \"name\": \"pk\", \"env_vars\": " \
	"[{\"name\": \"P\", \"value\": \"p1\"}], \"files\": []},"                                          \
	" {\"id\": \"0f000000-0000-4000-8000-000000000002\", \"project\": \"web\", \"name\": \"stray\", "      \
	"\"env_vars\": [{\"name\": \"S\", \"value\": \"s\"}]},"                                               \
	" {\"id\": \"0f000000-0000-4000-8000-000000000003\", \"project\": \"api\", \"name\": \"elsewhere\", "  \
	"\"env_vars\": [{\"name\": \"E\", \"value\": \"e\"}]}]"
#define READABLE(extra) "{" PROJECTS ", \"secrets_exposed_content\": true, " PSECRETS extra "}"

#define PSECRET(name, project) \
	"apiVersion: v1\nkind: ProjectSecret\nmetadata:\n  name: " name "\n  project_id_or_name: " project "\n"

static void up_recorded(e2e *e, const char *seed)
{
	e2e_up(e, seed, ARGS("--record", "requests.jsonl"), NULL);
}

/* "METHOD PATH BODY" of each non-GET request under prefix, one a line. */
static char *writes(const char *prefix)
{
	FILE *f = fopen("requests.jsonl", "r");
	assert_non_null(f);
	char line[1 << 16];
	size_t cap = 1 << 16, len = 0;
	char *out = calloc(1, cap);
	while (fgets(line, sizeof(line), f)) {
		cJSON *r = cJSON_Parse(line);
		const char *m = cJSON_GetStringValue(cJSON_GetObjectItem(r, "method"));
		const char *p = cJSON_GetStringValue(cJSON_GetObjectItem(r, "path"));
		if (m && p && strcmp(m, "GET") != 0 && !strncmp(p, prefix, strlen(prefix))) {
			char *b = cJSON_PrintUnformatted(cJSON_GetObjectItem(r, "body"));
			len += (size_t)snprintf(out + len, cap - len, "%s %s %s\n", m, p, b);
			free(b);
		}
		cJSON_Delete(r);
	}
	fclose(f);
	return out;
}

static fx_result run_ok(e2e *e, const char *const *args)
{
	fx_result r = cf(e, args);
	if (r.rc != 0)
		fprintf(stderr, "%s%s", r.out, r.err);
	assert_int_equal(r.rc, 0);
	return r;
}

static void test_validate_refuses_a_blank_name(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("t.yaml", PSECRET("\"  \"", "web") "data: {env_vars: [{name: A, value: a}]}\n");
	fx_result r = fx_ciform(ARGS("validate", "."), NULL, NULL);
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "t.yaml:4:9: metadata.name: must not be empty or blank\n"));
	fx_result_free(&r);
	fx_leave_tmpdir();
}

static void test_a_create_posts_to_the_projects_uuid_with_it_in_the_body(void **state)
{
	(void)state;
	e2e e;
	up_recorded(&e, READABLE(""));
	fx_write("s.yaml", PSECRET("deploy", "web") "data: {env_vars: [{name: T, value: t}], files: []}\n");
	fx_result r = run_ok(&e, ARGS("apply", "--yes"));
	assert_true(fx_contains(r.out, "  + ProjectSecret/web/deploy (create)\n"));
	fx_result_free(&r);
	char *got = writes("/api/v1/");
	assert_string_equal(got, "POST /api/v1/projects/" P_WEB "/secrets {\"metadata\":{\"name\":\"deploy\","
				 "\"project_id_or_name\":\"" P_WEB "\"},\"data\":{\"env_vars\":[{\"name\":\"T\","
				 "\"value\":\"t\"}],\"files\":[]}}\n");
	free(got);
	r = run_ok(&e, ARGS("plan"));
	assert_true(fx_contains(r.out, "\nUnchanged: 1 resource.\nNo changes."));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_an_update_of_a_project_written_by_name_sends_the_live_project_uuid(void **state)
{
	(void)state;
	e2e e;
	up_recorded(&e, READABLE(""));
	fx_write("s.yaml", PSECRET("pk", "web") "data: {env_vars: [{name: P, valueFrom: {live: true}}, "
						"{name: Q, value: q}]}\n");
	fx_result r = run_ok(&e, ARGS("apply", "--yes"));
	assert_true(fx_contains(r.out, "  ~ ProjectSecret/web/pk (update)\n      data.env_vars.Q: (sensitive) added"));
	fx_result_free(&r);
	char *got = writes("/api/v1/");
	assert_string_equal(got, "PATCH /api/v1/projects/" P_WEB "/secrets/" PK_ID " {\"metadata\":{\"name\":\"pk\","
				 "\"project_id_or_name\":\"" P_WEB "\"},\"data\":{\"env_vars\":[{\"name\":\"P\","
				 "\"value\":\"p1\"},{\"name\":\"Q\",\"value\":\"q\"}],\"files\":[]}}\n");
	free(got);
	cJSON *live = e2e_get(&e, "/api/v1/projects/" P_WEB "/secrets/pk");
	assert_string_equal(cJSON_GetStringValue(cf_json_path(live, "metadata.project_id_or_name")), P_WEB);
	cJSON_Delete(live);
	e2e_down(&e);
}

static void test_prune_deletes_unmanaged_secrets_of_named_projects_only(void **state)
{
	(void)state;
	e2e e;
	up_recorded(&e, READABLE(""));
	fx_write("s.yaml", PSECRET("pk", P_WEB) "data: {env_vars: [{name: P, value: p1}]}\n");
	fx_result r = run_ok(&e, ARGS("plan"));
	assert_true(fx_contains(r.out, "  ? ProjectSecret/" P_WEB "/stray\n"));
	assert_false(fx_contains(r.out, "elsewhere"));
	fx_result_free(&r);
	r = run_ok(&e, ARGS("apply", "--yes", "--prune"));
	fx_result_free(&r);
	char *got = writes("/api/v1/");
	assert_string_equal(got, "DELETE /api/v1/projects/" P_WEB "/secrets/0f000000-0000-4000-8000-000000000002 null\n");
	free(got);
	cJSON *kept = e2e_get(&e, "/api/v1/projects/" P_API "/secrets/elsewhere");
	assert_non_null(kept);
	cJSON_Delete(kept);
	e2e_down(&e);
}

static void test_an_exported_project_secret_validates_and_plans_unchanged(void **state)
{
	(void)state;
	e2e e;
	up(&e, READABLE(""), NULL);
	fx_result r = run_ok(&e, ARGS("export", "--project", "web", "--dir", "adopted"));
	fx_result_free(&r);
	r = run_ok(&e, ARGS("validate", "adopted"));
	fx_result_free(&r);
	r = run_ok(&e, ARGS("plan", "adopted"));
	assert_true(fx_contains(r.out, "No changes. Live state matches the specs.\n"));
	fx_result_free(&r);
	FILE *f = fopen("adopted/web/project-secret-pk.yaml", "r");
	assert_non_null(f);
	char text[512] = "";
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	assert_true(fx_contains(text, "  project_id_or_name: web\n"));
	assert_true(fx_contains(text, "- name: P\n    value: ec6ef230f1828039ee794566b9c58adc [md5]\n"));
	e2e_down(&e);
}

static void test_project_secrets_turned_off_are_a_clear_error(void **state)
{
	(void)state;
	e2e e;
	up(&e, READABLE(", \"project_level_secrets\": false"), NULL);
	fx_write("s.yaml", PSECRET("pk", "web") "data: {env_vars: [{name: P, value: p1}]}\n");
	fx_result r = cf(&e, ARGS("plan"));
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "project secrets are turned off in this organisation (feature "
				       "project_level_secrets): remove the ProjectSecret manifests, or turn the "
				       "feature on"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_drift_exits_2_when_a_project_secret_was_removed(void **state)
{
	(void)state;
	e2e e;
	up(&e, READABLE(""), ARGS("PV=p1"));
	fx_write("s.yaml", PSECRET("pk", "web") "data: {env_vars: [{name: P, valueFrom: {env: PV}}]}\n");
	fx_result r = run_ok(&e, ARGS("drift"));
	fx_result_free(&r);
	cf_error err = {0};
	assert_int_equal(cf_http_delete(e.api, "/api/v1/projects/" P_WEB "/secrets/pk", &err), 0);
	r = cf(&e, ARGS("drift"));
	assert_int_equal(r.rc, 2);
	assert_true(fx_contains(r.out, "  + ProjectSecret/web/pk (create)\n"));
	assert_false(fx_contains(r.out, "p1"));
	fx_result_free(&r);
	e2e_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate_refuses_a_blank_name),
		cmocka_unit_test(test_a_create_posts_to_the_projects_uuid_with_it_in_the_body),
		cmocka_unit_test(test_an_update_of_a_project_written_by_name_sends_the_live_project_uuid),
		cmocka_unit_test(test_prune_deletes_unmanaged_secrets_of_named_projects_only),
		cmocka_unit_test(test_an_exported_project_secret_validates_and_plans_unchanged),
		cmocka_unit_test(test_project_secrets_turned_off_are_a_clear_error),
		cmocka_unit_test(test_drift_exits_2_when_a_project_secret_was_removed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

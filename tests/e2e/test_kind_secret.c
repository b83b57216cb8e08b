/*
 * The organisation Secret kind end to end: ciform run against the sandbox,
 * asserting what a user sees (the plan text, exit codes), the exact request
 * bodies (--record) and the sandbox's state afterwards. Server behaviour is
 * semaphoreio/semaphore secrethub's (docs/kinds/secret.md).
 */
#include "tests/e2e/scene.h"
#include "reconciler/codec.h"
#include "reconciler/diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEPT_MD5 "c5762266fcbf4607a39b5c9693c29dd0" /* md5("kept-secret-value") */
#define OLD_ID "0e000000-0000-4000-8000-000000000001"

#define PROJECTS "\"projects\": [{\"name\": \"web\", \"id\": \"" P_WEB "\"}, {\"name\": \"api\", \"id\": \"" P_API "\"}]"
#define OLD "{\"id\": \"" OLD_ID "\", \"name\": \"old\", \"env_vars\": [{\"name\": \"A\", \"value\": " \
	    "\"kept-secret-value\"}, {\"name\": \"GONE\", \"value\": \"g\"}], \"files\": []}"
#define STRAY "{\"id\": \"0e000000-0000-4000-8000-000000000002\", \"name\": \"stray\", \"env_vars\": " \
	      "[{\"name\": \"B\", \"value\": \"b\"}], \"files\": []}"
/* values readable (secrets_exposed_content on), and hidden (the default) */
#define READABLE(extra) "{" PROJECTS ", \"secrets_exposed_content\": true, \"secrets\": [" OLD ", " STRAY "]" extra "}"
#define HIDDEN(extra) "{" PROJECTS ", \"secrets\": [" OLD ", " STRAY "]" extra "}"

#define SECRET(name) "apiVersion: v1beta\nkind: Secret\nmetadata:\n  name: " name "\n"
static void up_recorded(e2e *e, const char *seed)
{
	e2e_up(e, seed, ARGS("--record", "requests.jsonl"), ARGS("TOKEN_VALUE=from-the-environment"));
}

/* "METHOD PATH BODY" of each request whose path starts with prefix, one a line. */
static char *requests(const char *prefix)
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
		if (m && p && !strncmp(p, prefix, strlen(prefix))) {
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

static void apply_ok(e2e *e)
{
	fx_result r = run_ok(e, ARGS("apply", "--yes"));
	fx_result_free(&r);
}

/* ---- validate ---- */

static void expect_invalid(const char *yaml, const char *problem)
{
	fx_enter_tmpdir();
	fx_write("t.yaml", yaml);
	fx_result r = fx_ciform(ARGS("validate", "."), NULL, NULL);
	if (!fx_contains(r.err, problem))
		fprintf(stderr, "%s", r.err);
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, problem));
	fx_result_free(&r);
	fx_leave_tmpdir();
}

static void test_validate_reports_a_name_outside_the_servers_pattern(void **state)
{
	(void)state;
	expect_invalid(SECRET("\"a/b\""), "t.yaml:4:9: metadata.name: must be letters, digits and @ : _ and the "
					  "characters from space to . (the server's ^[@: -._a-zA-Z0-9]+$), not 'a/b'\n");
}

static void test_validate_accepts_a_name_with_the_servers_space_to_dot_range(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("t.yaml", SECRET("\"my key: v1.2 (old) #3\"") "data: {env_vars: [{name: A, value: a}]}\n");
	fx_result r = fx_ciform(ARGS("validate", "."), NULL, NULL);
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	fx_leave_tmpdir();
}

static void test_validate_refuses_a_uuid_inside_the_name(void **state)
{
	(void)state;
	expect_invalid(SECRET("key-0d1e2f3a-7c4b-4f7e-9a53-2b8c1d0e6f11"),
		       "t.yaml:4:9: metadata.name: must not hold a UUID (the server refuses it: \"name should not "
		       "be in uuid format\")\n");
}

static void test_validate_refuses_a_bad_env_var_name(void **state)
{
	(void)state;
	expect_invalid(SECRET("s") "data:\n  env_vars:\n    - {name: 9LIVES, value: x}\n",
		       "t.yaml:7:14: data.env_vars[0].name: must be a letter or _ followed by letters, digits or _, "
		       "not '9LIVES'\n");
}

static void test_validate_refuses_a_duplicate_env_var_name_and_file_path(void **state)
{
	(void)state;
	expect_invalid(SECRET("s") "data:\n  env_vars:\n    - {name: A, value: x}\n    - {name: A, value: y}\n"
				   "  files:\n    - {path: /p, content: eA==}\n    - {path: /p, content: eQ==}\n",
		       "t.yaml:8:14: data.env_vars[1].name: A is already used by data.env_vars[0]\n"
		       "t.yaml:11:14: data.files[1].path: /p is already used by data.files[0]\n");
}

static void test_validate_refuses_an_empty_or_blank_value(void **state)
{
	(void)state;
	expect_invalid(SECRET("s") "data:\n  env_vars:\n    - {name: A, value: \"\"}\n    - {name: B, value: \"  \"}\n",
		       "t.yaml:7:24: data.env_vars[0].value: must not be empty or blank (the server refuses it: "
		       "\"can't be blank\")\nt.yaml:8:24: data.env_vars[1].value: must not be empty or blank");
}

static void test_validate_accepts_what_sem_get_secret_prints(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("t.yaml", "apiVersion: v1beta\nkind: Secret\nmetadata:\n  name: aws\n  id: " OLD_ID "\n"
			   "  create_time: \"1700000000\"\n  update_time: \"1700000001\"\n  checkout_at: \"0\"\n"
			   "  content_included: true\ndata:\n  env_vars:\n  - name: A\n    value: a\n  files:\n"
			   "  - path: /f\n    content: eA==\norg_config:\n  projects_access: ALL\n  project_ids: []\n"
			   "  debug_access: JOB_DEBUG_YES\n  attach_access: JOB_ATTACH_YES\n");
	fx_result r = fx_ciform(ARGS("validate", "."), NULL, NULL);
	assert_string_equal(r.err, "");
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	fx_leave_tmpdir();
}

/* ---- readable values ---- */

static void test_a_plan_shows_value_changes_as_sensitive_and_never_the_values(void **state)
{
	(void)state;
	e2e e;
	up_recorded(&e, READABLE(""));
	fx_write("s.yaml", SECRET("old") "data:\n  env_vars:\n    - {name: A, valueFrom: {env: TOKEN_VALUE}}\n");
	fx_result r = cf(&e, ARGS("plan", "--detailed-exitcode"));
	assert_int_equal(r.rc, 2);
	assert_true(fx_contains(r.out, "  ~ Secret/old (update)\n      data.env_vars.A: (sensitive) changed\n"
				       "      data.env_vars.GONE: (sensitive) removed\n"));
	assert_false(fx_contains(r.out, "from-the-environment"));
	assert_false(fx_contains(r.out, "kept-secret-value"));
	fx_result_free(&r);
	r = cf(&e, ARGS("plan", "--json"));
	assert_false(fx_contains(r.out, "from-the-environment"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_an_update_patches_the_whole_data_with_kept_entries_resolved_to_live_values(void **state)
{
	(void)state;
	e2e e;
	up_recorded(&e, READABLE(""));
	fx_write("s.yaml", SECRET("old") "data:\n  env_vars:\n    - {name: A, value: \"" KEPT_MD5 " [md5]\"}\n"
				       "    - {name: GONE, valueFrom: {live: true}}\n    - {name: NEW, value: n}\n");
	apply_ok(&e);
	char *got = requests("/api/v1beta/secrets/");
	assert_string_equal(got, "GET /api/v1beta/secrets/" OLD_ID " null\n"
				 "PATCH /api/v1beta/secrets/" OLD_ID " {\"metadata\":{\"name\":\"old\"},\"data\":"
				 "{\"env_vars\":[{\"name\":\"A\",\"value\":\"kept-secret-value\"},{\"name\":\"GONE\","
				 "\"value\":\"g\"},{\"name\":\"NEW\",\"value\":\"n\"}],\"files\":[]}}\n");
	free(got);
	e2e_down(&e);
}

static void test_a_create_posts_name_and_data_and_no_org_config_when_none_is_written(void **state)
{
	(void)state;
	e2e e;
	up_recorded(&e, READABLE(""));
	fx_write("s.yaml", SECRET("fresh") "data:\n  env_vars: [{name: T, valueFrom: {env: TOKEN_VALUE}}]\n"
					   "  files: [{path: /f, content: eA==}]\n");
	apply_ok(&e);
	char *got = requests("/api/v1beta/secrets");
	assert_string_equal(got, "GET /api/v1beta/secrets null\n"
				 "POST /api/v1beta/secrets {\"metadata\":{\"name\":\"fresh\"},\"data\":{\"env_vars\":"
				 "[{\"name\":\"T\",\"value\":\"from-the-environment\"}],\"files\":[{\"path\":\"/f\","
				 "\"content\":\"eA==\"}]}}\n");
	free(got);
	e2e_down(&e);
}

static void test_a_second_plan_after_apply_finds_no_changes(void **state)
{
	(void)state;
	e2e e;
	up(&e, READABLE(""), ARGS("TOKEN_VALUE=v"));
	fx_write("s.yaml", SECRET("old") "data:\n  env_vars:\n    - {name: A, valueFrom: {env: TOKEN_VALUE}}\n"
					 "  files: [{path: /f, content: eA==}]\n");
	apply_ok(&e);
	fx_result r = run_ok(&e, ARGS("plan"));
	assert_true(fx_contains(r.out, "\nUnchanged: 1 resource.\nNo changes. Live state matches the specs.\n"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_drift_exits_2_when_a_live_value_changed(void **state)
{
	(void)state;
	e2e e;
	up(&e, READABLE(""), NULL);
	fx_write("s.yaml", SECRET("old") "data:\n  env_vars:\n    - {name: A, value: kept-secret-value}\n"
					 "    - {name: GONE, value: g}\n");
	fx_result r = run_ok(&e, ARGS("drift"));
	fx_result_free(&r);
	cJSON *out = NULL;
	cf_error err = {0};
	assert_int_equal(cf_http_request(&out, e.api, "PATCH", 0, "{\"metadata\": {\"name\": \"old\"}, \"data\": "
					"{\"env_vars\": [{\"name\": \"A\", \"value\": \"rotated\"}, {\"name\": \"GONE\", "
					"\"value\": \"g\"}]}}", "/api/v1beta/secrets/old", &err), 0);
	cJSON_Delete(out);
	r = cf(&e, ARGS("drift"));
	assert_int_equal(r.rc, 2);
	assert_true(fx_contains(r.out, "data.env_vars.A: (sensitive) changed"));
	assert_false(fx_contains(r.out, "rotated"));
	fx_result_free(&r);
	e2e_down(&e);
}

/* ---- hidden values ---- */

static void test_a_hidden_secret_with_the_same_names_is_unchanged_and_listed_unverifiable(void **state)
{
	(void)state;
	e2e e;
	up(&e, HIDDEN(""), NULL);
	fx_write("s.yaml", SECRET("old") "data:\n  env_vars:\n    - {name: A, value: anything}\n"
					 "    - {name: GONE, value: g}\n");
	fx_result r = run_ok(&e, ARGS("plan", "--detailed-exitcode"));
	assert_true(fx_contains(r.out, "  ~ Secret/old: the server answers its values empty (content_included: "
				       "false: the organisation feature secrets_exposed_content is off)"));
	assert_true(fx_contains(r.out, "No changes."));
	fx_result_free(&r);
	e2e_down(&e);
}

#define RENAMED SECRET("old") "data:\n  env_vars:\n    - {name: A, value: a2}\n    - {name: RENAMED, value: g}\n"

static void test_a_renamed_env_var_of_a_hidden_secret_is_refused_without_replace_secrets(void **state)
{
	(void)state;
	e2e e;
	up_recorded(&e, HIDDEN(""));
	fx_write("s.yaml", RENAMED);
	fx_result r = cf(&e, ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "--replace-secrets"));
	fx_result_free(&r);
	char *got = requests("/api/v1beta/secrets/");
	assert_string_equal(got, "");
	free(got);
	cJSON *live = e2e_get(&e, "/api/v1beta/secrets/old");
	assert_string_equal(cJSON_GetStringValue(cf_json_path(live, "metadata.id")), OLD_ID);
	cJSON_Delete(live);
	e2e_down(&e);
}

static void test_a_renamed_env_var_of_a_hidden_secret_is_replaced_with_replace_secrets(void **state)
{
	(void)state;
	e2e e;
	up_recorded(&e, HIDDEN(""));
	fx_write("s.yaml", RENAMED);
	fx_result r = run_ok(&e, ARGS("apply", "--yes", "--replace-secrets"));
	fx_result_free(&r);
	char *got = requests("/api/v1beta/secrets");
	assert_string_equal(got, "GET /api/v1beta/secrets null\n"
				 "DELETE /api/v1beta/secrets/" OLD_ID " null\n"
				 "POST /api/v1beta/secrets {\"metadata\":{\"name\":\"old\"},\"data\":{\"env_vars\":"
				 "[{\"name\":\"A\",\"value\":\"a2\"},{\"name\":\"RENAMED\",\"value\":\"g\"}],\"files\":[]}}\n");
	free(got);
	cJSON *live = e2e_get(&e, "/api/v1beta/secrets/old");
	const char *id = cJSON_GetStringValue(cf_json_path(live, "metadata.id"));
	assert_true(cf_is_uuid(id) && strcmp(id, OLD_ID) != 0);
	cJSON_Delete(live);
	e2e_down(&e);
}

static void test_a_kept_value_in_a_needed_replacement_is_a_plan_error(void **state)
{
	(void)state;
	e2e e;
	up(&e, HIDDEN(""), NULL);
	fx_write("s.yaml", SECRET("old") "data:\n  env_vars:\n    - {name: A, valueFrom: {live: true}}\n"
					 "    - {name: NEW, value: n}\n");
	fx_result r = cf(&e, ARGS("plan"));
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "s.yaml:7:7: data.env_vars.A: Secret/old must be replaced"));
	assert_true(fx_contains(r.err, "(valueFrom: {live: true}): write its value"));
	fx_result_free(&r);
	e2e_down(&e);
}

/* ---- org_config ---- */

#define POLICY ", \"secrets_access_policy\": true"

static void test_allowed_without_project_ids_is_the_same_as_live_none(void **state)
{
	(void)state;
	e2e e;
	up(&e, READABLE(POLICY), NULL);
	fx_write("s.yaml", SECRET("old") "data:\n  env_vars:\n    - {name: A, value: kept-secret-value}\n"
					 "    - {name: GONE, value: g}\norg_config: {projects_access: NONE}\n");
	apply_ok(&e);
	fx_write("s.yaml", SECRET("old") "data:\n  env_vars:\n    - {name: A, value: kept-secret-value}\n"
					 "    - {name: GONE, value: g}\norg_config: {projects_access: ALLOWED, project_ids: []}\n");
	fx_result r = run_ok(&e, ARGS("plan", "--detailed-exitcode"));
	assert_true(fx_contains(r.out, "\nUnchanged: 1 resource.\nNo changes. Live state matches the specs.\n"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_an_org_config_the_server_drops_fails_the_apply(void **state)
{
	(void)state;
	e2e e;
	up(&e, READABLE(POLICY ", \"secrets_policy_manage\": false"), NULL);
	fx_write("s.yaml", SECRET("fresh") "data: {env_vars: [{name: A, value: a}]}\n"
					   "org_config: {projects_access: NONE, debug_access: JOB_DEBUG_NO}\n");
	fx_result r = cf(&e, ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "Secret/fresh: written, but the server ignored org_config: the feature "
				       "secrets_access_policy is off, or the token lacks "
				       "organization.secrets_policy_settings.manage"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_an_org_config_against_a_live_null_org_config_is_a_plan_error(void **state)
{
	(void)state;
	e2e e;
	up(&e, READABLE(""), NULL);
	fx_write("s.yaml", SECRET("old") "data:\n  env_vars:\n    - {name: A, value: kept-secret-value}\n"
					 "    - {name: GONE, value: g}\norg_config: {projects_access: NONE}\n");
	fx_result r = cf(&e, ARGS("plan"));
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "s.yaml:9:13: org_config: the live secret has none (org_config: null)"));
	fx_result_free(&r);
	e2e_down(&e);
}

/* ---- scope, export, paging ---- */

static void test_an_unmanaged_secret_is_listed_and_deleted_only_with_prune(void **state)
{
	(void)state;
	e2e e;
	up_recorded(&e, READABLE(""));
	fx_write("s.yaml", SECRET("old") "data:\n  env_vars:\n    - {name: A, value: kept-secret-value}\n"
					 "    - {name: GONE, value: g}\n");
	fx_result r = run_ok(&e, ARGS("plan"));
	assert_true(fx_contains(r.out, "  ? Secret/stray\n"));
	fx_result_free(&r);
	r = run_ok(&e, ARGS("apply", "--yes", "--prune"));
	fx_result_free(&r);
	char *got = requests("/api/v1beta/secrets/");
	assert_string_equal(got, "DELETE /api/v1beta/secrets/0e000000-0000-4000-8000-000000000002 null\n");
	free(got);
	e2e_down(&e);
}

static void test_exported_readable_secrets_plan_unchanged(void **state)
{
	(void)state;
	e2e e;
	up(&e, READABLE(POLICY), NULL);
	fx_result r = run_ok(&e, ARGS("export", "--secrets", "--dir", "org"));
	fx_result_free(&r);
	r = run_ok(&e, ARGS("validate", "org"));
	fx_result_free(&r);
	r = run_ok(&e, ARGS("plan", "org"));
	assert_string_equal(r.out, "Unchanged: 2 resources.\nNo changes. Live state matches the specs.\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_exported_hidden_secrets_keep_live_values_and_plan_unchanged(void **state)
{
	(void)state;
	e2e e;
	up(&e, HIDDEN(""), NULL);
	fx_result r = run_ok(&e, ARGS("export", "--secrets"));
	assert_true(fx_contains(r.out, "- name: A\n    valueFrom:\n      live: true\n"));
	fx_write("org.yaml", r.out);
	fx_result_free(&r);
	r = run_ok(&e, ARGS("plan", "--detailed-exitcode", "org.yaml"));
	assert_true(fx_contains(r.out, "  ~ Secret/stray: the server answers its values empty"));
	assert_true(fx_contains(r.out, "No changes."));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_every_page_of_the_secret_list_is_read(void **state)
{
	(void)state;
	char *seed = calloc(1, 1 << 16);
	size_t n = (size_t)sprintf(seed, "{" PROJECTS ", \"secrets_exposed_content\": true, \"secrets\": [");
	for (int i = 0; i < 150; i++)
		n += (size_t)sprintf(seed + n, "%s{\"name\": \"s%03d\", \"env_vars\": [{\"name\": \"V\", \"value\": "
				     "\"v\"}]}", i ? ", " : "", i);
	sprintf(seed + n, "]}");
	e2e e;
	up(&e, seed, NULL);
	free(seed);
	fx_write("s.yaml", SECRET("s149") "data: {env_vars: [{name: V, value: v}]}\n");
	fx_result r = run_ok(&e, ARGS("plan"));
	assert_true(fx_contains(r.out, "Unchanged: 1 resource.\n"));
	assert_true(fx_contains(r.out, "  ? Secret/s000\n"));
	fx_result_free(&r);
	e2e_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate_reports_a_name_outside_the_servers_pattern),
		cmocka_unit_test(test_validate_accepts_a_name_with_the_servers_space_to_dot_range),
		cmocka_unit_test(test_validate_refuses_a_uuid_inside_the_name),
		cmocka_unit_test(test_validate_refuses_a_bad_env_var_name),
		cmocka_unit_test(test_validate_refuses_a_duplicate_env_var_name_and_file_path),
		cmocka_unit_test(test_validate_refuses_an_empty_or_blank_value),
		cmocka_unit_test(test_validate_accepts_what_sem_get_secret_prints),
		cmocka_unit_test(test_a_plan_shows_value_changes_as_sensitive_and_never_the_values),
		cmocka_unit_test(test_an_update_patches_the_whole_data_with_kept_entries_resolved_to_live_values),
		cmocka_unit_test(test_a_create_posts_name_and_data_and_no_org_config_when_none_is_written),
		cmocka_unit_test(test_a_second_plan_after_apply_finds_no_changes),
		cmocka_unit_test(test_drift_exits_2_when_a_live_value_changed),
		cmocka_unit_test(test_a_hidden_secret_with_the_same_names_is_unchanged_and_listed_unverifiable),
		cmocka_unit_test(test_a_renamed_env_var_of_a_hidden_secret_is_refused_without_replace_secrets),
		cmocka_unit_test(test_a_renamed_env_var_of_a_hidden_secret_is_replaced_with_replace_secrets),
		cmocka_unit_test(test_a_kept_value_in_a_needed_replacement_is_a_plan_error),
		cmocka_unit_test(test_allowed_without_project_ids_is_the_same_as_live_none),
		cmocka_unit_test(test_an_org_config_the_server_drops_fails_the_apply),
		cmocka_unit_test(test_an_org_config_against_a_live_null_org_config_is_a_plan_error),
		cmocka_unit_test(test_an_unmanaged_secret_is_listed_and_deleted_only_with_prune),
		cmocka_unit_test(test_exported_readable_secrets_plan_unchanged),
		cmocka_unit_test(test_exported_hidden_secrets_keep_live_values_and_plan_unchanged),
		cmocka_unit_test(test_every_page_of_the_secret_list_is_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * ciform-sandbox --api circleci answers a project's settings routes as
 * CircleCI's API v2 does, rule by rule, each test naming its evidence
 * (docs/circleci.md lists them): raw libcurl, nothing of ciform's client.
 */
#include "tests/conformance/test_conformance_circleci.h"

#define SETTINGS_SEED(adv)                                                                                   \
	"{\"circleci\": {\"collaborations\": [{\"id\": \"" ORG "\", \"name\": \"acme\", \"slug\": \"gh/acme\"}],"    \
	" \"projects\": [{\"id\": \"" WEB "\", \"slug\": \"gh/acme/web\", \"name\": \"web\", \"settings\": "       \
	"{\"advanced\": " adv "}}]}}"
#define PATH "/project/gh/acme/web/settings"
#define ALL(first, overrides)                                                                                \
	"{\"advanced\":{" first "\"build_fork_prs\":false,\"build_prs_only\":true,\"disable_ssh\":false,"           \
	"\"forks_receive_secret_env_vars\":false,\"oss\":false,\"set_github_status\":true,\"setup_workflows\":false," \
	"\"write_settings_requires_admin\":false,\"pr_only_branch_overrides\":" overrides "}}"

/* LABS project_settings_test.go projectSettingsResponse: the whole record,
 * every toggle and the overrides list, under one "advanced" key */
static void test_settings_are_read_whole_under_advanced(void **state)
{
	(void)state;
	cx_env e;
	up(&e, SETTINGS_SEED("{\"autocancel_builds\": true, \"build_prs_only\": true, "
			     "\"pr_only_branch_overrides\": [\"main\"]}"));
	expect(call(&e, "GET", PATH, NULL), 200, ALL("\"autocancel_builds\":true,", "[\"main\"]"));
	cx_down(&e);
}

/* LABS project_settings.go UpdateProjectSettings: the PATCH is partial (only
 * the keys it carries are written), the overrides list it carries replaces
 * the old one, and it answers the whole record */
static void test_a_patch_writes_only_its_keys_and_replaces_the_overrides(void **state)
{
	(void)state;
	cx_env e;
	up(&e, SETTINGS_SEED("{\"autocancel_builds\": true, \"build_prs_only\": true, "
			     "\"pr_only_branch_overrides\": [\"main\", \"dev\"]}"));
	expect(call(&e, "PATCH", PATH, "{\"advanced\": {\"autocancel_builds\": false, "
				       "\"pr_only_branch_overrides\": [\"release\"]}}"),
	       200, ALL("\"autocancel_builds\":false,", "[\"release\"]"));
	expect(call(&e, "PATCH", PATH, "{\"advanced\": {\"pr_only_branch_overrides\": []}}"), 200,
	       ALL("\"autocancel_builds\":false,", "[]"));
	expect(call(&e, "GET", PATH, NULL), 200, ALL("\"autocancel_builds\":false,", "[]"));
	cx_down(&e);
}

/* LABS project_settings.go (measured against the live API): oss is read
 * but a PATCH holding it is 400 "Unexpected field 'advanced.oss'.", and the
 * whole request is refused */
static void test_a_patch_holding_oss_is_400_and_writes_nothing(void **state)
{
	(void)state;
	cx_env e;
	up(&e, SETTINGS_SEED("{\"autocancel_builds\": true, \"build_prs_only\": true}"));
	expect(call(&e, "PATCH", PATH, "{\"advanced\": {\"oss\": true, \"autocancel_builds\": false}}"), 400,
	       "{\"message\":\"Unexpected field 'advanced.oss'.\"}");
	expect(call(&e, "GET", PATH, NULL), 200, ALL("\"autocancel_builds\":true,", "[]"));
	cx_down(&e);
}

/* LABS project_settings.go: an empty body is 400 "No JSON fields found."
 * (IsEmpty), and the schema rejects unknown keys ("Unknown advanced
 * setting") */
static void test_an_empty_patch_and_an_unknown_key_are_400(void **state)
{
	(void)state;
	cx_env e;
	up(&e, SETTINGS_SEED("{}"));
	expect(call(&e, "PATCH", PATH, "{\"advanced\": {}}"), 400, "{\"message\":\"No JSON fields found.\"}");
	expect(call(&e, "PATCH", PATH, "{\"advanced\": {\"build_everything\": true}}"), 400,
	       "{\"message\":\"Unknown advanced setting 'build_everything'.\"}");
	cx_down(&e);
}

/* LABS GetProjectSettings: an unknown project is not found (404) */
static void test_the_settings_of_an_unknown_project_are_404(void **state)
{
	(void)state;
	cx_env e;
	up(&e, SETTINGS_SEED("{}"));
	expect(call(&e, "GET", "/project/gh/acme/nope/settings", NULL), 404, "{\"message\":\"Project not found\"}");
	expect(call(&e, "PATCH", "/project/gh/acme/nope/settings", "{\"advanced\": {\"disable_ssh\": true}}"), 404,
	       NULL);
	cx_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_settings_are_read_whole_under_advanced),
		cmocka_unit_test(test_a_patch_writes_only_its_keys_and_replaces_the_overrides),
		cmocka_unit_test(test_a_patch_holding_oss_is_400_and_writes_nothing),
		cmocka_unit_test(test_an_empty_patch_and_an_unknown_key_are_400),
		cmocka_unit_test(test_the_settings_of_an_unknown_project_are_404),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The DeploymentTarget manifest's rules, one test each. */
#include "tests/unit/test_helpers.h"
#include "reconciler/codec.h"

#include <string.h>
#include <unistd.h>

#define ENV_VARS "  env_vars:\n"
#define FILES "  files:\n"

static const char *first_env_value(cf_resource_set *set)
{
	cJSON *vars = cJSON_GetObjectItem(cJSON_GetObjectItem(set->items[0].doc, "spec"), "env_vars");
	return cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(vars, 0), "value"));
}

static void test_target_with_only_a_name_and_project_is_valid(void **state)
{
	(void)state;
	EXPECT_VALID("apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata: {name: prod, project: web}\n");
}

static void test_target_name_with_a_space_is_rejected(void **state)
{
	(void)state;
	EXPECT_PROBLEMS("apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata:\n  name: my prod\n  project: web\n",
			"t.yaml:4:9: metadata.name: must be 1 to 255 letters, digits, _, . or -, not 'my prod'\n");
}

static void test_target_name_of_256_characters_is_rejected(void **state)
{
	(void)state;
	char name[257];
	memset(name, 'n', 256);
	name[256] = '\0';
	char *yaml = cf_xasprintf("apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata:\n  name: %s\n  project: web\n", name);
	char *p = fx_problems(yaml);
	assert_true(fx_contains(p, "t.yaml:4:9: metadata.name: must be 1 to 255 letters, digits, _, . or -, not"));
	free(p);
	name[255] = '\0';
	free(yaml);
	yaml = cf_xasprintf("apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata:\n  name: %s\n  project: web\n", name);
	EXPECT_VALID(yaml);
	free(yaml);
}

static void test_target_needs_project_or_project_id(void **state)
{
	(void)state;
	EXPECT_PROBLEMS("apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata:\n  name: prod\n",
			"t.yaml:4:3: metadata: missing project (a project name) or project_id (its UUID)\n");
}

static void test_a_null_project_is_a_missing_project(void **state)
{
	(void)state;
	EXPECT_PROBLEMS("apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata: {name: prod, project: null}\n",
			"t.yaml:3:11: metadata: missing project (a project name) or project_id (its UUID)\n");
}

static void test_target_with_both_project_and_project_id_is_rejected(void **state)
{
	(void)state;
	EXPECT_PROBLEMS("apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata:\n  name: prod\n  project: web\n"
			"  project_id: 3796efe0-81a0-4157-8774-7ad72d41ac28\n",
			"t.yaml:6:15: metadata: give project or project_id, not both\n");
}

static void test_project_id_must_be_a_uuid(void **state)
{
	(void)state;
	EXPECT_PROBLEMS("apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata:\n  name: prod\n  project_id: web\n",
			"t.yaml:5:15: metadata.project_id: must be a UUID, not 'web'\n");
}

static void test_active_must_be_a_boolean(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(TARGET_HEAD "  active: yes\n", "t.yaml:7:11: spec.active: must be true or false\n");
}

static void test_subject_rule_type_must_be_known(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(TARGET_HEAD "  subject_rules:\n    - type: TEAM\n",
			"t.yaml:8:13: spec.subject_rules[0].type: must be ANY, USER, ROLE, GROUP or AUTO, not 'TEAM'\n");
}

static void test_role_rule_needs_subject_id(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(TARGET_HEAD "  subject_rules:\n    - type: ROLE\n",
			"t.yaml:8:7: spec.subject_rules[0]: a ROLE rule needs subject_id (the role name or UUID)\n");
}

static void test_user_rule_needs_git_login_or_subject_id(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(TARGET_HEAD "  subject_rules:\n    - type: USER\n",
			"t.yaml:8:7: spec.subject_rules[0]: a USER rule needs git_login or subject_id\n");
	EXPECT_VALID(TARGET_HEAD "  subject_rules:\n    - {type: USER, git_login: octocat}\n");
}

static void test_any_rule_takes_no_subject(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(TARGET_HEAD "  subject_rules:\n    - {type: ANY, git_login: octocat}\n",
			"t.yaml:8:7: spec.subject_rules[0]: an ANY rule takes no subject_id or git_login\n");
}

static void test_object_rule_type_must_be_known(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(TARGET_HEAD "  object_rules:\n    - type: COMMIT\n",
			"t.yaml:8:13: spec.object_rules[0].type: must be BRANCH, TAG or PR, not 'COMMIT'\n");
}

static void test_match_mode_must_be_known(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(TARGET_HEAD "  object_rules:\n    - {type: BRANCH, match_mode: GLOB, pattern: a}\n",
			"t.yaml:8:34: spec.object_rules[0].match_mode: must be ALL, EXACT or REGEX, not 'GLOB'\n");
}

static void test_exact_rule_needs_a_pattern(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(TARGET_HEAD "  object_rules:\n    - {type: BRANCH, match_mode: EXACT}\n",
			"t.yaml:8:7: spec.object_rules[0]: match_mode EXACT needs a pattern\n");
}

static void test_regex_pattern_must_compile(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(TARGET_HEAD "  object_rules:\n    - {type: TAG, match_mode: REGEX, pattern: 'v(['}\n",
			"t.yaml:8:47: spec.object_rules[0].pattern: not a valid regular expression: missing "
			"terminating ] for character class at offset 3\n");
}

static void test_pr_rule_with_any_match_mode_is_accepted(void **state)
{
	(void)state;
	EXPECT_VALID(TARGET_HEAD "  object_rules:\n    - {type: PR, match_mode: EXACT, pattern: x}\n"
		     "    - {type: PR, match_mode: REGEX, pattern: '^feat/'}\n"
		     "    - {type: PR, match_mode: ALL, pattern: ignored}\n");
}

static void test_pr_rule_pattern_is_checked_as_for_branches(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(TARGET_HEAD "  object_rules:\n    - {type: PR, match_mode: EXACT}\n"
			"    - {type: PR, match_mode: REGEX, pattern: 'v(['}\n",
			"t.yaml:8:7: spec.object_rules[0]: match_mode EXACT needs a pattern\n"
			"t.yaml:9:46: spec.object_rules[1].pattern: not a valid regular expression: missing "
			"terminating ] for character class at offset 3\n");
}

static void test_empty_subject_rules_is_a_warning_for_validate(void **state)
{
	(void)state;
	EXPECT_OFFLINE_PROBLEMS(TARGET_HEAD "  subject_rules: []\n",
				"t.yaml:7:18: warning: spec.subject_rules: empty, so nobody can deploy to "
				"this target (no subject is allowed)\n");
}

static void test_empty_object_rules_is_a_warning_for_validate(void **state)
{
	(void)state;
	EXPECT_OFFLINE_PROBLEMS(TARGET_HEAD "  object_rules: []\n",
				"t.yaml:7:17: warning: spec.object_rules: empty, so nobody can deploy to "
				"this target (no branch, tag or pull request is allowed)\n");
}

static void test_empty_rule_lists_are_no_problem_for_a_plan_load(void **state)
{
	(void)state;
	EXPECT_VALID(TARGET_HEAD "  subject_rules: []\n  object_rules: []\n");
}

static void test_omitted_or_null_rule_lists_are_no_warning(void **state)
{
	(void)state;
	EXPECT_OFFLINE_PROBLEMS(TARGET_HEAD "  subject_rules:\n  object_rules: null\n", "");
}

static void test_absent_target_with_empty_rules_is_no_warning(void **state)
{
	(void)state;
	EXPECT_OFFLINE_PROBLEMS("apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata: {name: p, project: w, "
				"ensure: absent}\nspec:\n  subject_rules: []\n", "");
}

static void test_env_var_name_must_be_an_identifier(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(TARGET_HEAD ENV_VARS "    - name: 1X\n      value: v\n",
			"t.yaml:8:13: spec.env_vars[0].name: must be a letter or _ followed by letters, digits or _, not '1X'\n");
}

static void test_env_var_names_must_be_unique(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(TARGET_HEAD ENV_VARS "    - {name: A, value: a}\n    - {name: A, value: b}\n",
			"t.yaml:9:7: spec.env_vars[1].name: A is already used by spec.env_vars[0]\n");
}

static void test_env_var_needs_exactly_one_of_value_and_valueFrom(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(TARGET_HEAD ENV_VARS "    - {name: A}\n",
			"t.yaml:8:7: spec.env_vars[0]: give exactly one of value and valueFrom\n");
	EXPECT_PROBLEMS(TARGET_HEAD ENV_VARS "    - {name: A, value: a, valueFrom: {env: HOME}}\n",
			"t.yaml:8:7: spec.env_vars[0]: give exactly one of value and valueFrom\n");
}

static void test_valueFrom_needs_exactly_one_of_env_and_file(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(TARGET_HEAD ENV_VARS "    - {name: A, valueFrom: {env: HOME, file: x}}\n",
			"t.yaml:8:28: spec.env_vars[0].valueFrom: give exactly one of env and file\n");
}

static void test_missing_valueFrom_env_is_an_error_naming_the_manifest(void **state)
{
	(void)state;
	unsetenv("CIFORM_TEST_UNSET");
	EXPECT_PROBLEMS(TARGET_HEAD ENV_VARS "    - name: TOKEN\n      valueFrom:\n        env: CIFORM_TEST_UNSET\n",
			"t.yaml:10:14: spec.env_vars[0].valueFrom.env: environment variable CIFORM_TEST_UNSET "
			"is not set\n");
}

static void test_unset_valueFrom_env_is_a_warning_for_validate(void **state)
{
	(void)state;
	unsetenv("CIFORM_TEST_UNSET");
	EXPECT_OFFLINE_PROBLEMS(TARGET_HEAD ENV_VARS "    - {name: T, valueFrom: {env: CIFORM_TEST_UNSET}}\n",
				"t.yaml:8:34: warning: spec.env_vars[0].valueFrom.env: environment variable "
				"CIFORM_TEST_UNSET is not set\n");
}

static void test_offline_load_with_an_unset_variable_is_valid(void **state)
{
	(void)state;
	unsetenv("CIFORM_TEST_UNSET");
	fx_enter_tmpdir();
	fx_write("t.yaml", TARGET_HEAD ENV_VARS "    - {name: T, valueFrom: {env: CIFORM_TEST_UNSET}}\n");
	cf_source *src = NULL;
	cf_error err = {0};
	cf_diags d = {0};
	cf_resource_set *set = NULL;
	assert_int_equal(cf_source_open_fs(&src, NULL, 0, &err), CF_OK);
	assert_int_equal(cf_manifest_load_opts(&set, src, VALIDATE_OPTS, &d, &err), CF_OK);
	assert_non_null(set);
	assert_int_equal(set->count, 1);
	assert_int_equal(cf_diags_count(&d, CF_SEV_WARNING), 1);
	assert_int_equal(cf_diags_count(&d, CF_SEV_ERROR), 0);
	cf_resource_set_free(set);
	cf_diags_free(&d);
	cf_source_free(src);
	fx_leave_tmpdir();
}

static void test_empty_valueFrom_env_is_an_error_even_for_validate(void **state)
{
	(void)state;
	setenv("CIFORM_TEST_EMPTY", "", 1);
	EXPECT_OFFLINE_PROBLEMS(TARGET_HEAD ENV_VARS "    - {name: T, valueFrom: {env: CIFORM_TEST_EMPTY}}\n",
				"t.yaml:8:34: spec.env_vars[0].valueFrom.env: environment variable "
				"CIFORM_TEST_EMPTY is empty (the API would take it and leave the target unusable)\n");
	unsetenv("CIFORM_TEST_EMPTY");
}

static void test_empty_env_var_value_is_rejected(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(TARGET_HEAD ENV_VARS "    - {name: A, value: \"\"}\n",
			"t.yaml:8:24: spec.env_vars[0].value: must not be empty (the API would take it and "
			"leave the target unusable)\n");
}

static void test_empty_valueFrom_file_is_rejected(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("empty.key", "");
	fx_write("t.yaml", TARGET_HEAD ENV_VARS "    - {name: K, valueFrom: {file: empty.key}}\n");
	char *p = fx_load(NULL);
	assert_string_equal(p, "t.yaml:8:35: spec.env_vars[0].valueFrom.file: 'empty.key' is empty (the API "
			       "would take it and leave the target unusable)\n");
	free(p);
	fx_leave_tmpdir();
}

static void test_bare_32_hex_digits_are_an_ordinary_value(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("t.yaml", TARGET_HEAD ENV_VARS "    - {name: H, value: 9dd4e461268c8034f5c8564e155c67a6}\n"
		 FILES "    - {path: /h, content: 5d41402abc4b2a76b9719d911017c592}\n");
	cf_resource_set *set = NULL;
	char *p = fx_load(&set);
	assert_string_equal(p, "");
	assert_string_equal(first_env_value(set), "9dd4e461268c8034f5c8564e155c67a6");
	assert_false(cf_is_md5_placeholder(first_env_value(set)));
	free(p);
	cf_resource_set_free(set);
	fx_leave_tmpdir();
}

static void test_valueFrom_env_is_read_from_the_environment(void **state)
{
	(void)state;
	setenv("CIFORM_TEST_TOKEN", "tok-123", 1);
	fx_enter_tmpdir();
	fx_write("t.yaml", TARGET_HEAD ENV_VARS "    - {name: T, valueFrom: {env: CIFORM_TEST_TOKEN}}\n");
	cf_resource_set *set = NULL;
	char *p = fx_load(&set);
	assert_string_equal(p, "");
	assert_string_equal(first_env_value(set), "tok-123");
	free(p);
	cf_resource_set_free(set);
	fx_leave_tmpdir();
}

static void test_valueFrom_file_is_read_relative_to_the_manifest(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("web/secrets/key", "key-bytes\n");
	fx_write("web/t.yaml", TARGET_HEAD ENV_VARS "    - {name: K, valueFrom: {file: secrets/key}}\n");
	cf_resource_set *set = NULL;
	char *p = fx_load(&set);
	assert_string_equal(p, "");
	assert_string_equal(first_env_value(set), "key-bytes\n");
	free(p);
	cf_resource_set_free(set);
	fx_leave_tmpdir();
}

static void test_valueFrom_file_escaping_the_root_is_rejected(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("web/t.yaml", TARGET_HEAD ENV_VARS "    - {name: K, valueFrom: {file: ../../etc/passwd}}\n");
	char *p = fx_load(NULL);
	assert_string_equal(p, "web/t.yaml:8:35: spec.env_vars[0].valueFrom.file: '../../etc/passwd' must "
			       "stay inside the current directory\n");
	free(p);
	fx_leave_tmpdir();
}

static void test_source_escaping_through_a_symlink_is_rejected(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	assert_int_equal(symlink("/etc", "outside"), 0);
	fx_write("t.yaml", TARGET_HEAD FILES "    - {path: /p, source: outside/hostname}\n");
	char *p = fx_load(NULL);
	assert_string_equal(p, "t.yaml:8:26: spec.files[0].source: 'outside/hostname' must stay inside . "
			       "(a symbolic link leads outside it)\n");
	free(p);
	fx_leave_tmpdir();
}

static void test_absolute_source_is_rejected(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(TARGET_HEAD FILES "    - {path: /p, source: /etc/hostname}\n",
			"t.yaml:8:26: spec.files[0].source: '/etc/hostname' must be a path relative to the "
			"manifest, not an absolute path\n");
}

static void test_missing_source_file_is_reported(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(TARGET_HEAD FILES "    - {path: /p, source: nope.pem}\n",
			"t.yaml:8:26: spec.files[0].source: cannot read nope.pem: No such file or directory\n");
}

static void test_file_paths_must_be_unique(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(TARGET_HEAD FILES "    - {path: /p, content: YQ==}\n    - {path: /p, content: Yg==}\n",
			"t.yaml:9:7: spec.files[1].path: /p is already used by spec.files[0]\n");
}

static void test_file_content_must_be_base64(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(TARGET_HEAD FILES "    - {path: /p, content: \"aGVsbG8=x\"}\n",
			"t.yaml:8:27: spec.files[0].content: not valid base64 (one line, A-Z a-z 0-9 + /, = "
			"padding at the end)\n");
}

static void test_file_content_md5_placeholder_is_accepted(void **state)
{
	(void)state;
	EXPECT_VALID(TARGET_HEAD FILES "    - {path: /p, content: \"5d41402abc4b2a76b9719d911017c592 [md5]\"}\n"
		     ENV_VARS "    - {name: L, value: \"9dd4e461268c8034f5c8564e155c67a6 [md5]\"}\n");
}

static void test_file_source_is_read_and_base64_encoded(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("k.conf", "hello\n");
	fx_write("t.yaml", TARGET_HEAD FILES "    - {path: /etc/k.conf, source: k.conf}\n");
	cf_resource_set *set = NULL;
	char *p = fx_load(&set);
	assert_string_equal(p, "");
	cJSON *files = cJSON_GetObjectItem(cJSON_GetObjectItem(set->items[0].doc, "spec"), "files");
	cJSON *f = cJSON_GetArrayItem(files, 0);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(f, "content")), "aGVsbG8K");
	assert_null(cJSON_GetObjectItem(f, "source"));
	free(p);
	cf_resource_set_free(set);
	fx_leave_tmpdir();
}

static void test_file_needs_exactly_one_of_content_and_source(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(TARGET_HEAD FILES "    - {path: /p}\n",
			"t.yaml:8:7: spec.files[0]: give exactly one of content and source\n");
	EXPECT_PROBLEMS(TARGET_HEAD FILES "    - {path: /p, content: YQ==, source: a.pem}\n",
			"t.yaml:8:7: spec.files[0]: give exactly one of content and source\n");
}

static void test_empty_source_beside_content_means_no_source(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("t.yaml", TARGET_HEAD FILES "    - {path: /p, content: YQ==, source: \"\"}\n");
	cf_resource_set *set = NULL;
	char *p = fx_load(&set);
	assert_string_equal(p, "");
	cJSON *f = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(set->items[0].doc, "spec"), "files"), 0);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(f, "content")), "YQ==");
	assert_null(cJSON_GetObjectItem(f, "source"));
	free(p);
	cf_resource_set_free(set);
	fx_leave_tmpdir();
}

static void test_empty_file_content_is_rejected(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(TARGET_HEAD FILES "    - {path: /p, content: \"\", source: \"\"}\n",
			"t.yaml:8:27: spec.files[0].content: must not be empty (the API would take it and "
			"leave the target unusable)\n");
}

static void test_empty_source_file_is_rejected(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("empty.pem", "");
	fx_write("t.yaml", TARGET_HEAD FILES "    - {path: /p, source: empty.pem}\n");
	char *p = fx_load(NULL);
	assert_string_equal(p, "t.yaml:8:26: spec.files[0].source: 'empty.pem' is empty (the API would take "
			       "it and leave the target unusable)\n");
	free(p);
	fx_leave_tmpdir();
}

static void test_target_as_sem_prints_it_is_valid(void **state)
{
	(void)state;
	/* `sem get dt prod -o yaml`, secrets as "<md5> [md5]", files with source: "" */
	EXPECT_VALID("apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata:\n"
		     "  id: e79d3d1c-61cc-4e07-ba32-f86694f5e80d\n  name: prod\n"
		     "  project_id: a426b4db-1919-483d-926d-06ba1320b209\n"
		     "  organization_id: 7304b7f9-7482-46d4-9b95-3cd5a6ef2e6f\n"
		     "  created_by: 02984c87-efe8-4ea1-bcac-9511a34a3df3\n  updated_by: 02984c87-efe8-4ea1-bcac-9511a34a3df3\n"
		     "  created_at: 2023-06-01T10:07:36Z\n  updated_at: 2023-06-07T09:24:04Z\n"
		     "  description: Production\n  url: https://app.example.com\n"
		     "spec:\n  state: USABLE\n  state_message: \"\"\n"
		     "  subject_rules:\n  - type: ROLE\n    subject_id: 8f3ec2f2-8c8e-4d5e-b1a4-6a4bd1f0e6a1\n"
		     "  - type: USER\n    subject_id: 02984c87-efe8-4ea1-bcac-9511a34a3df3\n    git_login: octocat\n"
		     "  - type: AUTO\n"
		     "  object_rules:\n  - type: BRANCH\n    match_mode: EXACT\n    pattern: main\n"
		     "  - type: TAG\n    match_mode: ALL\n    pattern: \"\"\n"
		     "  - type: PR\n    match_mode: ALL\n    pattern: \"\"\n"
		     "  last_deployment:\n    id: 5b1d5e4c-3f39-4c1e-8a3a-0f2f4a4d2b11\n"
		     "    target_id: e79d3d1c-61cc-4e07-ba32-f86694f5e80d\n    prev_pipeline_id: \"\"\n"
		     "    pipeline_id: 1c0a4b3e-4d1b-4b8e-9a0e-3f6d2c9d8e71\n    triggered_by: octocat\n"
		     "    triggered_at: 2023-06-07T09:30:00Z\n    state: STARTED\n    state_message: \"\"\n"
		     "    switch_id: 9d2b9f9c-6d4e-4b7f-8d0a-2b3c4d5e6f70\n    target_name: prod\n"
		     "    env_vars:\n    - name: VERSION\n      value: v1.2.3\n"
		     "  active: true\n  bookmark_parameter1: env\n  bookmark_parameter2: \"\"\n  bookmark_parameter3: \"\"\n"
		     "  env_vars:\n  - name: TOKEN\n    value: 9dd4e461268c8034f5c8564e155c67a6 [md5]\n"
		     "  files:\n  - path: /home/semaphore/.kube/config\n"
		     "    content: 5d41402abc4b2a76b9719d911017c592 [md5]\n    source: \"\"\n");
}

static void test_secrets_over_6_MB_per_target_are_rejected(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	size_t n = 3u * 1024 * 1024;
	char *big = cf_xmalloc(n);
	memset(big, 'x', n);
	fx_write_bytes("a.bin", big, n);
	fx_write_bytes("b.bin", big, n);
	free(big);
	fx_write("t.yaml", TARGET_HEAD FILES "    - {path: /a, source: a.bin}\n    - {path: /b, source: b.bin}\n");
	char *p = fx_load(NULL);
	assert_string_equal(p, "t.yaml:7:3: spec: env var values and file contents (as base64) add up to "
			       "8388608 bytes; a target holds at most 6291456\n");
	free(p);
	fx_leave_tmpdir();
}

static void test_secret_size_counts_a_file_as_its_base64_text(void **state)
{
	(void)state;
	/* 5 MiB of file is 6.7 MiB of base64, and the server stores the base64 */
	fx_enter_tmpdir();
	size_t n = 5u * 1024 * 1024;
	char *big = cf_xmalloc(n);
	memset(big, 'x', n);
	fx_write_bytes("a.bin", big, n);
	free(big);
	fx_write("t.yaml", TARGET_HEAD FILES "    - {path: /a, source: a.bin}\n");
	char *p = fx_load(NULL);
	assert_string_equal(p, "t.yaml:7:3: spec: env var values and file contents (as base64) add up to "
			       "6990508 bytes; a target holds at most 6291456\n");
	free(p);
	fx_leave_tmpdir();
}

static void test_secret_values_never_appear_in_errors(void **state)
{
	(void)state;
	char *p = fx_problems(TARGET_HEAD "  active: maybe\n" ENV_VARS
			      "    - {name: 9BAD, value: hunter2-secret}\n"
			      "    - {name: 9BAD, value: hunter2-secret, valueFrom: {env: X}}\n" FILES
			      "    - {path: /p, content: \"c2VjcmV0LWZpbGU=!\"}\n");
	assert_true(fx_contains(p, "spec.env_vars[0].name"));
	assert_true(fx_contains(p, "spec.files[0].content: not valid base64"));
	assert_false(fx_contains(p, "hunter2"));
	assert_false(fx_contains(p, "c2VjcmV0LWZpbGU"));
	free(p);
}

static void test_md5s_of_secrets_never_appear_in_errors(void **state)
{
	(void)state;
	char *p = load_problems_opts(TARGET_HEAD "  colour: red\n" ENV_VARS
				     "    - {name: 9BAD, value: \"9dd4e461268c8034f5c8564e155c67a6 [md5]\"}\n"
				     "    - {name: 9BAD, value: \"9dd4e461268c8034f5c8564e155c67a6\"}\n" FILES
				     "    - {path: /p, content: \"5d41402abc4b2a76b9719d911017c592 [md5]\", source: x}\n"
				     "    - {path: /p, content: \"5d41402abc4b2a76b9719d911017c592 [md5]\"}\n",
				     VALIDATE_OPTS);
	assert_true(fx_contains(p, "spec.env_vars[0].name"));
	assert_true(fx_contains(p, "spec.files[1].path"));
	assert_false(fx_contains(p, "9dd4e461"));
	assert_false(fx_contains(p, "5d41402a"));
	free(p);
}

static void test_ensure_must_be_present_or_absent(void **state)
{
	(void)state;
	EXPECT_PROBLEMS("apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata:\n  name: prod\n  project: web\n"
			"  ensure: deleted\n",
			"t.yaml:6:11: metadata.ensure: must be present or absent, not 'deleted'\n");
}

static void test_absent_target_needs_no_secrets(void **state)
{
	(void)state;
	unsetenv("CIFORM_TEST_UNSET");
	EXPECT_VALID("apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata:\n  name: prod\n  project: web\n"
		     "  ensure: absent\nspec:\n" ENV_VARS "    - {name: T, valueFrom: {env: CIFORM_TEST_UNSET}}\n");
}

static void test_target_address_is_kind_project_and_name(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("t.yaml", TARGET_HEAD);
	cf_resource_set *set = NULL;
	char *p = fx_load(&set);
	assert_string_equal(p, "");
	assert_string_equal(set->items[0].address, "DeploymentTarget/web/prod");
	free(p);
	cf_resource_set_free(set);
	fx_leave_tmpdir();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_target_with_only_a_name_and_project_is_valid),
		cmocka_unit_test(test_target_name_with_a_space_is_rejected),
		cmocka_unit_test(test_target_name_of_256_characters_is_rejected),
		cmocka_unit_test(test_target_needs_project_or_project_id),
		cmocka_unit_test(test_a_null_project_is_a_missing_project),
		cmocka_unit_test(test_target_with_both_project_and_project_id_is_rejected),
		cmocka_unit_test(test_project_id_must_be_a_uuid),
		cmocka_unit_test(test_active_must_be_a_boolean),
		cmocka_unit_test(test_subject_rule_type_must_be_known),
		cmocka_unit_test(test_role_rule_needs_subject_id),
		cmocka_unit_test(test_user_rule_needs_git_login_or_subject_id),
		cmocka_unit_test(test_any_rule_takes_no_subject),
		cmocka_unit_test(test_object_rule_type_must_be_known),
		cmocka_unit_test(test_match_mode_must_be_known),
		cmocka_unit_test(test_exact_rule_needs_a_pattern),
		cmocka_unit_test(test_regex_pattern_must_compile),
		cmocka_unit_test(test_pr_rule_with_any_match_mode_is_accepted),
		cmocka_unit_test(test_pr_rule_pattern_is_checked_as_for_branches),
		cmocka_unit_test(test_empty_subject_rules_is_a_warning_for_validate),
		cmocka_unit_test(test_empty_object_rules_is_a_warning_for_validate),
		cmocka_unit_test(test_empty_rule_lists_are_no_problem_for_a_plan_load),
		cmocka_unit_test(test_omitted_or_null_rule_lists_are_no_warning),
		cmocka_unit_test(test_absent_target_with_empty_rules_is_no_warning),
		cmocka_unit_test(test_env_var_name_must_be_an_identifier),
		cmocka_unit_test(test_env_var_names_must_be_unique),
		cmocka_unit_test(test_env_var_needs_exactly_one_of_value_and_valueFrom),
		cmocka_unit_test(test_valueFrom_needs_exactly_one_of_env_and_file),
		cmocka_unit_test(test_missing_valueFrom_env_is_an_error_naming_the_manifest),
		cmocka_unit_test(test_unset_valueFrom_env_is_a_warning_for_validate),
		cmocka_unit_test(test_offline_load_with_an_unset_variable_is_valid),
		cmocka_unit_test(test_empty_valueFrom_env_is_an_error_even_for_validate),
		cmocka_unit_test(test_empty_env_var_value_is_rejected),
		cmocka_unit_test(test_empty_valueFrom_file_is_rejected),
		cmocka_unit_test(test_bare_32_hex_digits_are_an_ordinary_value),
		cmocka_unit_test(test_valueFrom_env_is_read_from_the_environment),
		cmocka_unit_test(test_valueFrom_file_is_read_relative_to_the_manifest),
		cmocka_unit_test(test_valueFrom_file_escaping_the_root_is_rejected),
		cmocka_unit_test(test_source_escaping_through_a_symlink_is_rejected),
		cmocka_unit_test(test_absolute_source_is_rejected),
		cmocka_unit_test(test_missing_source_file_is_reported),
		cmocka_unit_test(test_file_paths_must_be_unique),
		cmocka_unit_test(test_file_content_must_be_base64),
		cmocka_unit_test(test_file_content_md5_placeholder_is_accepted),
		cmocka_unit_test(test_file_source_is_read_and_base64_encoded),
		cmocka_unit_test(test_file_needs_exactly_one_of_content_and_source),
		cmocka_unit_test(test_empty_source_beside_content_means_no_source),
		cmocka_unit_test(test_empty_file_content_is_rejected),
		cmocka_unit_test(test_empty_source_file_is_rejected),
		cmocka_unit_test(test_target_as_sem_prints_it_is_valid),
		cmocka_unit_test(test_secrets_over_6_MB_per_target_are_rejected),
		cmocka_unit_test(test_secret_size_counts_a_file_as_its_base64_text),
		cmocka_unit_test(test_secret_values_never_appear_in_errors),
		cmocka_unit_test(test_md5s_of_secrets_never_appear_in_errors),
		cmocka_unit_test(test_ensure_must_be_present_or_absent),
		cmocka_unit_test(test_absent_target_needs_no_secrets),
		cmocka_unit_test(test_target_address_is_kind_project_and_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* What every manifest shares: documents, kinds, shapes, files, duplicates,
 * and malformed YAML. One test each. */
#include "tests/unit/test_helpers.h"

#include <string.h>

static void test_unknown_key_is_rejected_at_its_position(void **state)
{
	(void)state;
	EXPECT_PROBLEMS("apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata:\n  name: s1-x\n  colour: red\n",
			"t.yaml:5:3: unknown key 'colour' in metadata\n");
}

static void test_unknown_top_level_key_is_rejected(void **state)
{
	(void)state;
	EXPECT_PROBLEMS("apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata: {name: s1-x}\nspecs: {}\n",
			"t.yaml:4:1: unknown key 'specs' at the top level (did you mean 'spec'?)\n");
}

static void test_duplicate_key_is_rejected(void **state)
{
	(void)state;
	EXPECT_PROBLEMS("apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata:\n  name: s1-x\n  name: s1-y\n",
			"t.yaml:5:3: duplicate key 'name' in metadata\n");
}

static void test_missing_metadata_name_is_rejected(void **state)
{
	(void)state;
	EXPECT_PROBLEMS("apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata:\n  ensure: present\n",
			"t.yaml:4:3: metadata: missing required key 'name'\n");
}

static void test_metadata_must_be_a_mapping(void **state)
{
	(void)state;
	EXPECT_PROBLEMS("apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata: [s1-x]\n",
			"t.yaml:3:11: metadata: must be a mapping\n");
}

static void test_sem_cli_output_only_fields_are_accepted(void **state)
{
	(void)state;
	EXPECT_VALID("apiVersion: v1alpha\nkind: SelfHostedAgentType\n"
		     "metadata:\n  name: s1-x\n  create_time: \"1632129338\"\n  update_time: \"1644963451\"\n"
		     "spec:\n  agent_name_settings: {assignment_origin: assignment_origin_agent, release_after: 0}\n"
		     "status:\n  total_agent_count: 3\n  registration_token: ''\n"
		     "---\n"
		     "apiVersion: v1alpha\nkind: DeploymentTarget\n"
		     "metadata:\n  id: e79d3d1c-61cc-4e07-ba32-f86694f5e80d\n  name: prod\n"
		     "  project_id: a426b4db-1919-483d-926d-06ba1320b209\n"
		     "  organization_id: 7304b7f9-7482-46d4-9b95-3cd5a6ef2e6f\n"
		     "  created_by: 02984c87-efe8-4ea1-bcac-9511a34a3df3\n  created_at: \"2023-06-01T10:07:36Z\"\n"
		     "  updated_by: 02984c87-efe8-4ea1-bcac-9511a34a3df3\n  updated_at: \"2023-06-07T09:24:04Z\"\n"
		     "  description: DT\n  url: project_1234.zyx\n"
		     "spec:\n  state: USABLE\n  state_message: \"\"\n  active: true\n"
		     "  subject_rules: [{type: ANY, subject_id: \"\"}]\n"
		     "  object_rules: [{type: BRANCH, pattern: \"\", match_mode: ALL}]\n"
		     "  bookmark_parameter1: \"\"\n  bookmark_parameter2: null\n");
}

static void test_document_without_apiversion_and_kind_is_skipped(void **state)
{
	(void)state;
	EXPECT_VALID("version: v1.0\nname: pipeline\nblocks: []\n---\n- a list\n");
}

static void test_document_with_kind_but_no_apiversion_is_rejected(void **state)
{
	(void)state;
	EXPECT_PROBLEMS("kind: DeploymentTarget\nmetadata: {name: a, project: b}\n",
			"t.yaml:1:1: missing apiVersion (a manifest needs both apiVersion and kind)\n");
}

static void test_unknown_kind_is_rejected(void **state)
{
	(void)state;
	EXPECT_PROBLEMS("apiVersion: v1alpha\nkind: Pipeline\nmetadata: {name: a}\n",
			"t.yaml:2:7: kind: unknown 'Pipeline' (one of SelfHostedAgentType, DeploymentTarget, "
			"ArtifactRetentionPolicy, Secret, ProjectSecret, Project, Task, Notification or Dashboard)\n");
}

static void test_unknown_api_version_is_rejected(void **state)
{
	(void)state;
	EXPECT_PROBLEMS("apiVersion: v2\nkind: SelfHostedAgentType\nmetadata: {name: s1-x}\n",
			"t.yaml:1:13: apiVersion: unsupported 'v2' (ciform knows v1alpha, v1beta, v1, buildkite/v1 or circleci/v1)\n");
}

static void test_a_kind_written_with_another_api_version_of_its_provider_is_rejected(void **state)
{
	(void)state;
	EXPECT_PROBLEMS("apiVersion: v1beta\nkind: SelfHostedAgentType\nmetadata: {name: s1-x}\n",
			"t.yaml:1:13: apiVersion: kind SelfHostedAgentType is written with apiVersion v1alpha, "
			"not 'v1beta'\n");
}

static void test_duplicate_address_across_files_names_both_places(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("a.yaml", "apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata: {name: prod, project: web}\n");
	fx_write("b/c.yml", "# again\n---\napiVersion: v1alpha\nkind: DeploymentTarget\n"
			    "metadata: {name: prod, project: web}\n");
	char *p = fx_load(NULL);
	assert_string_equal(p, "b/c.yml:3:1: duplicate address DeploymentTarget/web/prod: also defined at a.yaml:1:1\n");
	free(p);
	fx_leave_tmpdir();
}

static void test_errors_of_all_files_are_reported_sorted(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("z.yaml", "apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata: {name: bad}\n");
	fx_write("a.yaml", "apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata: {name: s1-a, x: 1}\n"
			   "spec: {agent_name_settings: {release_after: 5}}\n");
	char *p = fx_load(NULL);
	assert_string_equal(p,
		"a.yaml:3:24: unknown key 'x' in metadata\n"
		"a.yaml:4:45: spec.agent_name_settings.release_after: must be 0 or at least 60 (seconds), not 5\n"
		"z.yaml:3:18: metadata.name: must be s1- followed by letters, digits, _ or -, not 'bad'\n");
	free(p);
	fx_leave_tmpdir();
}

static void test_files_are_loaded_recursively_in_sorted_order(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("b.yml", "apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata: {name: s1-b}\n");
	fx_write("a/z.yaml", "apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata: {name: s1-az}\n");
	fx_write("a.yaml", "apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata: {name: s1-a}\n");
	fx_write("notes.txt", "apiVersion: v1alpha\nkind: Nonsense\n");
	fx_write(".git/x.yaml", "apiVersion: v1alpha\nkind: Nonsense\n");
	cf_resource_set *set = NULL;
	char *p = fx_load(&set);
	assert_string_equal(p, "");
	assert_int_equal(set->count, 3);
	assert_string_equal(set->items[0].name, "s1-a");
	assert_string_equal(set->items[1].name, "s1-az");
	assert_string_equal(set->items[2].name, "s1-b");
	free(p);
	cf_resource_set_free(set);
	fx_leave_tmpdir();
}

static void test_unclosed_quote_is_a_clean_error(void **state)
{
	(void)state;
	EXPECT_PROBLEMS("apiVersion: v1alpha\nkind: \"SelfHostedAgentType\nmetadata: {name: s1-x}\n",
			"t.yaml:4:1: invalid YAML: found unexpected end of stream while scanning a quoted "
			"scalar that starts at line 2, column 7\n");
}

static void test_tab_indentation_is_a_clean_error(void **state)
{
	(void)state;
	EXPECT_PROBLEMS("apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata:\n\tname: s1-x\n",
			"t.yaml:4:1: invalid YAML: a tab character; YAML is indented with spaces only\n");
}

static void test_non_utf8_bytes_are_a_clean_error(void **state)
{
	(void)state;
	EXPECT_PROBLEMS("apiVersion: v1alpha\nkind: \xff\xfe\n",
			"t.yaml:2:7: invalid YAML: invalid leading UTF-8 octet (the file must be UTF-8 text)\n");
}

static void test_empty_file_is_a_clean_error(void **state)
{
	(void)state;
	EXPECT_PROBLEMS("", "t.yaml:1:1: the file holds no YAML document (it is empty)\n");
}

static void test_50_MB_file_is_refused_before_parsing(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	size_t n = 50u * 1024 * 1024;
	char *big = cf_xmalloc(n);
	memset(big, '#', n);
	fx_write_bytes("big.yaml", big, n);
	free(big);
	char *p = fx_load(NULL);
	assert_string_equal(p, "big.yaml:1:1: file is too large (52428800 bytes; the limit is 8388608)\n");
	free(p);
	fx_leave_tmpdir();
}

static void test_alias_bomb_fails_fast_with_clean_errors(void **state)
{
	(void)state;
	/* a million nodes once expanded; the walker follows only the schema's
	 * shape, which has no list of lists, so it never expands them */
	char *p = fx_problems(
		"apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata: {name: a, project: b}\n"
		"x0: &a0 {type: ANY}\n"
		"x1: &a1 [*a0,*a0,*a0,*a0,*a0,*a0,*a0,*a0,*a0,*a0]\n"
		"x2: &a2 [*a1,*a1,*a1,*a1,*a1,*a1,*a1,*a1,*a1,*a1]\n"
		"x3: &a3 [*a2,*a2,*a2,*a2,*a2,*a2,*a2,*a2,*a2,*a2]\n"
		"x4: &a4 [*a3,*a3,*a3,*a3,*a3,*a3,*a3,*a3,*a3,*a3]\n"
		"x5: &a5 [*a4,*a4,*a4,*a4,*a4,*a4,*a4,*a4,*a4,*a4]\n"
		"spec: {subject_rules: *a5}\n");
	assert_true(fx_contains(p, ": spec.subject_rules[0]: must be a mapping\n"));
	assert_false(fx_contains(p, "aliases expand too far"));
	free(p);
}

static void test_alias_cycle_is_a_clean_error(void **state)
{
	(void)state;
	EXPECT_PROBLEMS("apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata: {name: a, project: b}\n"
			"spec: &s {subject_rules: [*s]}\n",
			"t.yaml:4:7: spec.subject_rules[0]: missing required key 'type'\n"
			"t.yaml:4:11: unknown key 'subject_rules' in spec.subject_rules[0]\n");
}

static void test_a_document_of_over_200000_nodes_is_refused(void **state)
{
	(void)state;
	size_t n = 200001;
	char *yaml = cf_xmalloc(n * 4 + 256);
	size_t len = (size_t)sprintf(yaml, "apiVersion: v1alpha\nkind: DeploymentTarget\n"
				     "metadata: {name: a, project: b}\nx: &m {name: A, value: a}\n"
				     "spec:\n  env_vars: [");
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(yaml + len, "*m,");
	strcpy(yaml + len - 1, "]\n");
	char *p = fx_problems(yaml);
	assert_true(fx_contains(p, "document is too large or its aliases expand too far (over 200000 nodes)"));
	free(p);
	free(yaml);
}

static void test_warnings_and_errors_are_listed_together_sorted(void **state)
{
	(void)state;
	unsetenv("CIFORM_TEST_UNSET");
	EXPECT_OFFLINE_PROBLEMS("apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata: {name: p, project: w}\n"
				"spec:\n  object_rules: []\n  env_vars: [{name: A, valueFrom: {env: CIFORM_TEST_UNSET}}]\n"
				"  colour: red\n",
				"t.yaml:5:17: warning: spec.object_rules: empty, so nobody can deploy to this target "
				"(no branch, tag or pull request is allowed)\n"
				"t.yaml:6:41: warning: spec.env_vars[0].valueFrom.env: environment variable "
				"CIFORM_TEST_UNSET is not set\n"
				"t.yaml:7:3: unknown key 'colour' in spec\n");
}

static void test_warnings_alone_leave_the_specs_valid(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("t.yaml", "apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata: {name: p, project: w}\n"
			   "spec: {subject_rules: []}\n");
	cf_source *src = NULL;
	cf_error err = {0};
	cf_diags d = {0};
	cf_resource_set *set = NULL;
	assert_int_equal(cf_source_open_fs(&src, NULL, 0, &err), CF_OK);
	assert_int_equal(cf_manifest_load_opts(&set, src, VALIDATE_OPTS, &d, &err), CF_OK);
	assert_int_equal(set->count, 1);
	assert_int_equal(d.count, 1);
	assert_int_equal(d.items[0].severity, CF_SEV_WARNING);
	cf_resource_set_free(set);
	cf_diags_free(&d);
	cf_source_free(src);
	fx_leave_tmpdir();
}

static void test_a_plan_load_reports_no_warnings(void **state)
{
	(void)state;
	EXPECT_VALID("apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata: {name: p, project: w}\n"
		     "spec: {subject_rules: [], object_rules: []}\n");
}

static cf_diags two_problems(void)
{
	cf_diags d = {0};
	cf_diags_add_sev(&d, CF_SEV_WARNING, "b.yaml", 2, 3, "careful");
	cf_diags_add(&d, "a.yaml", 1, 1, "broken");
	cf_diags_sort(&d);
	return d;
}

static void test_warning_text_says_warning_after_the_position(void **state)
{
	(void)state;
	cf_diags d = two_problems();
	char *text = cf_render_diags_text(&d);
	assert_string_equal(text, "a.yaml:1:1: broken\nb.yaml:2:3: warning: careful\n");
	free(text);
	cf_diags_free(&d);
}

static void test_json_problems_carry_their_severity(void **state)
{
	(void)state;
	cf_diags d = two_problems();
	char *json = cf_render_diags_json(&d);
	assert_string_equal(json,
		"[{\"file\":\"a.yaml\",\"line\":1,\"column\":1,\"severity\":\"error\",\"message\":\"broken\"},"
		"{\"file\":\"b.yaml\",\"line\":2,\"column\":3,\"severity\":\"warning\",\"message\":\"careful\"}]\n");
	free(json);
	cf_diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_key_is_rejected_at_its_position),
		cmocka_unit_test(test_unknown_top_level_key_is_rejected),
		cmocka_unit_test(test_duplicate_key_is_rejected),
		cmocka_unit_test(test_missing_metadata_name_is_rejected),
		cmocka_unit_test(test_metadata_must_be_a_mapping),
		cmocka_unit_test(test_sem_cli_output_only_fields_are_accepted),
		cmocka_unit_test(test_document_without_apiversion_and_kind_is_skipped),
		cmocka_unit_test(test_document_with_kind_but_no_apiversion_is_rejected),
		cmocka_unit_test(test_unknown_kind_is_rejected),
		cmocka_unit_test(test_unknown_api_version_is_rejected),
		cmocka_unit_test(test_a_kind_written_with_another_api_version_of_its_provider_is_rejected),
		cmocka_unit_test(test_duplicate_address_across_files_names_both_places),
		cmocka_unit_test(test_errors_of_all_files_are_reported_sorted),
		cmocka_unit_test(test_files_are_loaded_recursively_in_sorted_order),
		cmocka_unit_test(test_unclosed_quote_is_a_clean_error),
		cmocka_unit_test(test_tab_indentation_is_a_clean_error),
		cmocka_unit_test(test_non_utf8_bytes_are_a_clean_error),
		cmocka_unit_test(test_empty_file_is_a_clean_error),
		cmocka_unit_test(test_50_MB_file_is_refused_before_parsing),
		cmocka_unit_test(test_alias_bomb_fails_fast_with_clean_errors),
		cmocka_unit_test(test_alias_cycle_is_a_clean_error),
		cmocka_unit_test(test_a_document_of_over_200000_nodes_is_refused),
		cmocka_unit_test(test_warnings_and_errors_are_listed_together_sorted),
		cmocka_unit_test(test_warnings_alone_leave_the_specs_valid),
		cmocka_unit_test(test_a_plan_load_reports_no_warnings),
		cmocka_unit_test(test_warning_text_says_warning_after_the_position),
		cmocka_unit_test(test_json_problems_carry_their_severity),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* ciform export against ciform-sandbox: adopting what already exists. */
#include "tests/e2e/scene.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define LIVE ORG("{\"project\": \"web\", \"name\": \"prod\", \"url\": \"https://p\", \"bookmark_parameter1\": \"svc\"," \
		 " \"active\": false, \"subject_rules\": [{\"type\": \"ROLE\", \"subject_id\": \"" R_ADMIN "\"},"     \
		 " {\"type\": \"USER\", \"git_login\": \"octocat\"}],"                                              \
		 " \"object_rules\": [{\"type\": \"TAG\", \"match_mode\": \"REGEX\", \"pattern\": \"^v1\"}],"         \
		 " \"env_vars\": [{\"name\": \"TOKEN\", \"value\": \"live-secret-9\"}],"                             \
		 " \"files\": [{\"path\": \"/etc/x\", \"content\": \"bGl2ZS1maWxl\"}]}",                             \
		 "{\"name\": \"s1-a\", \"release_after\": 120},"                                                    \
		 " {\"name\": \"s1-b\", \"assignment_origin\": \"assignment_origin_aws_sts\","                       \
		 " \"aws\": {\"account_id\": \"000000000000\", \"role_name_patterns\": \"r*\"}}",                    \
		 "{\"project\": \"web\", \"job_level_retention_policies\": [{\"selector\": \"/**/*\", \"age\": \"2 weeks\"}]}")

/* Two projects with a target of the same name and a policy each, and a
 * third with nothing: what an organisation-wide export must keep apart. */
#define TWO_PROJECTS ORG("{\"project\": \"web\", \"name\": \"prod\", \"url\": \"https://web\","                   \
			 " \"subject_rules\": [{\"type\": \"ROLE\", \"subject_id\": \"" R_ADMIN "\"}],"              \
			 " \"env_vars\": [{\"name\": \"TOKEN\", \"value\": \"web-secret\"}]},"                     \
			 " {\"project\": \"web\", \"name\": \"staging\"},"                                          \
			 " {\"project\": \"api\", \"name\": \"prod\", \"url\": \"https://api\"}",                    \
			 "{\"name\": \"s1-a\", \"release_after\": 120}",                                         \
			 "{\"project\": \"web\", \"job_level_retention_policies\": [{\"selector\": \"/**/*\", \"age\": \"2 weeks\"}]}," \
			 " {\"project\": \"api\", \"project_level_retention_policies\": [{\"selector\": \"/a\", \"age\": \"1 year\"}]}")

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *s = calloc(1, 1 << 16);
	size_t n = fread(s, 1, (1 << 16) - 1, f);
	s[n] = '\0';
	fclose(f);
	return s;
}

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* The names in a directory, sorted, one per line: what a user's ls shows (dot files too). */
static char *listing(const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	char *out = calloc(1, 4096);
	for (int i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, ".."))
			snprintf(out + strlen(out), 4096 - strlen(out), "%s\n", names[i]->d_name);
		free(names[i]);
	}
	free(n > 0 ? names : NULL);
	return out;
}

static void assert_plans_unchanged(e2e *e, const char *path, const char *summary)
{
	fx_result r = cf(e, ARGS("validate", "--strict", path));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	r = cf(e, ARGS("plan", path));
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.out, summary);
	fx_result_free(&r);
}

static void test_an_exported_project_plans_as_unchanged(void **state)
{
	(void)state;
	e2e e;
	up(&e, LIVE, NULL);
	fx_result r = cf(&e, ARGS("export", "--project", "web", "--dir", "adopted"));
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.err, "ciform: wrote 3 manifests to adopted\n");
	fx_result_free(&r);
	char *ls = listing("adopted/web");
	assert_string_equal(ls, "project.yaml\nretention-policy.yaml\ntarget-prod.yaml\n");
	free(ls);
	assert_plans_unchanged(&e, "adopted", "Unchanged: 3 resources.\nNo changes. Live state matches the specs.\n");
	e2e_down(&e);
}

static void test_exported_agent_types_plan_as_unchanged(void **state)
{
	(void)state;
	e2e e;
	up(&e, LIVE, NULL);
	fx_result r = cf(&e, ARGS("export", "--agent-types"));
	assert_int_equal(r.rc, 0);
	fx_write("agents.yaml", r.out);
	assert_true(fx_contains(r.out, "  agent_name_settings:\n    assignment_origin: assignment_origin_aws_sts\n"
				       "    release_after: 0\n    aws:\n      account_id: \"000000000000\"\n"));
	fx_result_free(&r);
	r = cf(&e, ARGS("plan", "agents.yaml"));
	assert_string_equal(r.out, "Unchanged: 2 resources.\nNo changes. Live state matches the specs.\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_export_writes_md5_placeholders_and_role_names(void **state)
{
	(void)state;
	e2e e;
	up(&e, LIVE, NULL);
	fx_result r = cf(&e, ARGS("export", "--project", P_WEB));
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "  project_id: " P_WEB "\n"));
	assert_true(fx_contains(r.out, "  - type: ROLE\n    subject_id: Admin\n"));
	assert_true(fx_contains(r.out, "  - name: TOKEN\n    value: c410fc51bbe30d7f8e1ba137c4399337 [md5]\n"));
	assert_false(fx_contains(r.out, "live-secret-9"));
	assert_false(fx_contains(r.out, "bGl2ZS1maWxl"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_export_all_gives_each_project_and_the_agent_types_a_folder(void **state)
{
	(void)state;
	e2e e;
	up(&e, TWO_PROJECTS, NULL);
	fx_result r = cf(&e, ARGS("export", "--all", "--dir", "org"));
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.err, "ciform: wrote 9 manifests to org\n");
	fx_result_free(&r);
	char *ls = listing("org");
	assert_string_equal(ls, "agent-types\napi\nother\nweb\n"); /* "other" has only its settings */
	free(ls);
	ls = listing("org/web");
	assert_string_equal(ls, "project.yaml\nretention-policy.yaml\ntarget-prod.yaml\ntarget-staging.yaml\n");
	free(ls);
	ls = listing("org/other");
	assert_string_equal(ls, "project.yaml\n");
	free(ls);
	ls = listing("org/api");
	assert_string_equal(ls, "project.yaml\nretention-policy.yaml\ntarget-prod.yaml\n");
	free(ls);
	ls = listing("org/agent-types");
	assert_string_equal(ls, "agent-type-s1-a.yaml\n");
	free(ls);
	char *api_prod = slurp("org/api/target-prod.yaml");
	assert_true(fx_contains(api_prod, "  project: api\n  url: https://api\n"));
	free(api_prod);
	assert_plans_unchanged(&e, "org", "Unchanged: 9 resources.\nNo changes. Live state matches the specs.\n");
	e2e_down(&e);
}

static void test_several_projects_export_in_one_run(void **state)
{
	(void)state;
	e2e e;
	up(&e, TWO_PROJECTS, NULL);
	fx_result r = cf(&e, ARGS("export", "--project", "api", "--project", P_WEB));
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "  name: prod\n  project: api\n"));
	assert_true(fx_contains(r.out, "  name: prod\n  project_id: " P_WEB "\n"));
	assert_true(fx_contains(r.out, "  name: staging\n  project_id: " P_WEB "\n"));
	fx_write("both.yaml", r.out);
	fx_result_free(&r);
	assert_plans_unchanged(&e, "both.yaml", "Unchanged: 7 resources.\nNo changes. Live state matches the specs.\n");
	e2e_down(&e);
}

static void test_export_reads_every_project_in_a_few_parallel_batches(void **state)
{
	(void)state;
	e2e e;
	e2e_up(&e, TWO_PROJECTS, ARGS("--latency-ms", "100"), NULL);
	fx_result r = cf(&e, ARGS("export", "--all"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	cJSON *st = fx_sandbox_stats(&e.sb);
	/* 1 listing (which holds the projects' settings), then 3 target lists +
	 * 3 policies + the agent types at once, then the 3 targets' secrets at
	 * once, then 1 role; then the organisation secrets, the 3 projects'
	 * secrets at once, their tasks at once, the notifications and the
	 * dashboards */
	assert_int_equal(cJSON_GetObjectItem(st, "requests")->valueint, 21);
	assert_int_equal(cJSON_GetObjectItem(st, "max_in_flight")->valueint, 7);
	cJSON_Delete(st);
	assert_int_equal(fx_sandbox_route_count(&e.sb, "GET /deployment_targets/:id"), 3);
	assert_int_equal(fx_sandbox_route_count(&e.sb, "GET /projects/:name"), 0);
	e2e_down(&e);
}

static void test_export_never_overwrites_a_file_and_names_it(void **state)
{
	(void)state;
	e2e e;
	up(&e, TWO_PROJECTS, NULL);
	fx_write("org/web/target-prod.yaml", "# mine\n");
	fx_write("org/api/retention-policy.yaml", "# mine too\n");
	fx_result r = cf(&e, ARGS("export", "--all", "--dir", "org"));
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "ciform: error: org/web/target-prod.yaml already exists (and 1 more files): "
				   "export never overwrites a file (--force does)\n");
	fx_result_free(&r);
	char *mine = slurp("org/web/target-prod.yaml");
	assert_string_equal(mine, "# mine\n");
	free(mine);
	assert_false(exists("org/web/target-staging.yaml")); /* refused before anything was written */
	assert_false(exists("org/agent-types"));
	e2e_down(&e);
}

static void test_export_force_replaces_files_and_leaves_no_temporary_behind(void **state)
{
	(void)state;
	e2e e;
	up(&e, TWO_PROJECTS, NULL);
	fx_write("org/web/target-prod.yaml", "# stale\n");
	fx_result r = cf(&e, ARGS("export", "--all", "--dir", "org", "--force"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	char *ls = listing("org/web");
	assert_string_equal(ls, "project.yaml\nretention-policy.yaml\ntarget-prod.yaml\ntarget-staging.yaml\n");
	free(ls);
	char *prod = slurp("org/web/target-prod.yaml");
	assert_true(fx_contains(prod, "kind: DeploymentTarget\n"));
	free(prod);
	assert_plans_unchanged(&e, "org", "Unchanged: 9 resources.\nNo changes. Live state matches the specs.\n");
	e2e_down(&e);
}

static void test_export_needs_projects_agent_types_or_all(void **state)
{
	(void)state;
	fx_result r = fx_ciform(ARGS("export"), NULL, NULL);
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "ciform: error: give --project NAME|UUID (repeatable), --agent-types, --secrets, "
				   "--notifications, --dashboards or --all (see 'ciform export --help')\n");
	fx_result_free(&r);
}

static void test_export_all_with_a_project_is_refused(void **state)
{
	(void)state;
	fx_result r = fx_ciform(ARGS("export", "--all", "--project", "web"), NULL, NULL);
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "ciform: error: --all already exports every project and every kind "
				   "(see 'ciform export --help')\n");
	fx_result_free(&r);
}

static void test_export_force_without_a_dir_is_refused(void **state)
{
	(void)state;
	fx_result r = fx_ciform(ARGS("export", "--all", "--force"), NULL, NULL);
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "ciform: error: --force only applies with --dir (see 'ciform export --help')\n");
	fx_result_free(&r);
}

static void test_export_of_a_missing_project_is_an_error(void **state)
{
	(void)state;
	e2e e;
	up(&e, LIVE, NULL);
	fx_result r = cf(&e, ARGS("export", "--project", "web", "--project", "nope", "--dir", "d"));
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "ciform: error: project 'nope' does not exist in the organisation\n");
	assert_false(exists("d"));
	fx_result_free(&r);
	e2e_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_an_exported_project_plans_as_unchanged),
		cmocka_unit_test(test_exported_agent_types_plan_as_unchanged),
		cmocka_unit_test(test_export_writes_md5_placeholders_and_role_names),
		cmocka_unit_test(test_export_all_gives_each_project_and_the_agent_types_a_folder),
		cmocka_unit_test(test_several_projects_export_in_one_run),
		cmocka_unit_test(test_export_reads_every_project_in_a_few_parallel_batches),
		cmocka_unit_test(test_export_never_overwrites_a_file_and_names_it),
		cmocka_unit_test(test_export_force_replaces_files_and_leaves_no_temporary_behind),
		cmocka_unit_test(test_export_needs_projects_agent_types_or_all),
		cmocka_unit_test(test_export_all_with_a_project_is_refused),
		cmocka_unit_test(test_export_force_without_a_dir_is_refused),
		cmocka_unit_test(test_export_of_a_missing_project_is_an_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

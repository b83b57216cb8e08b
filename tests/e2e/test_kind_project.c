/*
 * The Project kind against ciform-sandbox: only existing projects, only the
 * keys a manifest writes change, and the PATCH always carries the whole
 * project (the server resets what it is not sent), its tasks with their ids
 * and branches bare (projecthub prefixes refs/heads/ itself).
 */
#include "tests/e2e/scene.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WEB "0a000000-0000-4000-8000-000000000001"
#define NIGHTLY "0d000000-0000-4000-8000-000000000001"
#define OLD "0d000000-0000-4000-8000-000000000002"

#define SEED(tasks)                                                                                   \
	"{\"projects\": [{\"name\": \"web\", \"id\": \"" WEB "\", \"description\": \"Web\","              \
	" \"repository\": {\"url\": \"git@github.com:acme/web.git\", \"run_on\": [\"branches\", \"tags\"],"\
	" \"whitelist\": {\"branches\": [\"main\", \"/release-.*/\"], \"tags\": []}}}],"                  \
	" \"tasks\": [" tasks "]}"

#define LIVE_TASKS                                                                                    \
	"{\"id\": \"" NIGHTLY "\", \"project\": \"web\", \"name\": \"nightly\", \"branch\": \"main\","     \
	" \"at\": \"0 3 * * *\", \"pipeline_file\": \".semaphore/nightly.yml\"},"                         \
	" {\"id\": \"" OLD "\", \"project\": \"web\", \"name\": \"old\", \"reference\": \"refs/tags/v1\","  \
	" \"recurring\": false, \"pipeline_file\": \"o.yml\"}"

#define PROJECT "apiVersion: v1alpha\nkind: Project\nmetadata: {name: web}\nspec:\n"

static void up_recorded(e2e *e, const char *seed)
{
	e2e_up(e, seed, ARGS("--record", "requests.jsonl"), NULL);
}

/* The body of the only PATCH to the project, as JSON text. */
static char *patch_body(void)
{
	FILE *f = fopen("requests.jsonl", "r");
	assert_non_null(f);
	char line[1 << 16];
	char *text = NULL;
	int hits = 0;
	while (fgets(line, sizeof(line), f)) {
		cJSON *r = cJSON_Parse(line);
		const char *m = cJSON_GetStringValue(cJSON_GetObjectItem(r, "method"));
		if (m && !strcmp(m, "PATCH")) {
			free(text);
			text = cJSON_PrintUnformatted(cJSON_GetObjectItem(r, "body"));
			hits++;
		}
		cJSON_Delete(r);
	}
	fclose(f);
	assert_int_equal(hits, 1);
	return text;
}

static fx_result run_ok(e2e *e, const char *const *args)
{
	fx_result r = cf(e, args);
	if (r.rc != 0)
		fprintf(stderr, "%s%s", r.out, r.err);
	assert_int_equal(r.rc, 0);
	return r;
}

static void expect_problem(const char *yaml, const char *problem)
{
	char *p = fx_problems(yaml);
	if (!fx_contains(p, problem))
		fprintf(stderr, "problems: %s\n", p);
	assert_true(fx_contains(p, problem));
	free(p);
}

static void test_an_absent_project_is_refused(void **state)
{
	(void)state;
	expect_problem("apiVersion: v1alpha\nkind: Project\nmetadata: {name: web, ensure: absent}\n",
		       "t.yaml:3:31: metadata.ensure: absent is not possible for a project");
}

static void test_empty_in_attach_permissions_is_an_error(void **state)
{
	(void)state;
	expect_problem(PROJECT "  custom_permissions: true\n  attach_permissions: [tag, empty]\n",
		       "t.yaml:6:29: spec.attach_permissions[1]: must be default_branch, non_default_branch, "
		       "pull_request, forked_pull_request or tag, not 'empty'");
}

static void test_a_bad_task_cron_in_spec_tasks_is_an_error_at_its_place(void **state)
{
	(void)state;
	expect_problem(PROJECT "  tasks:\n    - {name: n, branch: main, pipeline_file: p.yml, at: \"61 * * * *\"}\n",
		       "t.yaml:6:57: spec.tasks[0].at: '61 * * * *' is no cron expression: '61' is no minute (0-59)");
}

static void test_custom_permissions_off_with_lists_is_a_warning(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("p.yaml", PROJECT "  custom_permissions: false\n  debug_permissions: [tag]\n");
	fx_result r = fx_ciform(ARGS("validate", "p.yaml"), NULL, NULL);
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.err, "p.yaml:5:23: warning: spec.custom_permissions: false, so the server clears "
				       "debug_permissions and attach_permissions"));
	fx_result_free(&r);
	fx_leave_tmpdir();
}

static void test_an_unknown_project_is_an_error_at_the_manifest(void **state)
{
	(void)state;
	e2e e;
	up_recorded(&e, SEED(""));
	fx_write("p.yaml", "apiVersion: v1alpha\nkind: Project\nmetadata: {name: nope}\nspec: {visibility: public}\n");
	fx_result r = cf(&e, ARGS("plan"));
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "p.yaml:3:18: metadata.name: project 'nope' does not exist in the organisation"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_plan_shows_only_the_keys_that_change(void **state)
{
	(void)state;
	e2e e;
	up_recorded(&e, SEED(""));
	fx_write("p.yaml", PROJECT "  visibility: public\n  repository:\n    run_on: [tags, branches, pull_requests]\n"
		 "    whitelist: {branches: [main, \"/release-.*/\"]}\n");
	fx_result r = run_ok(&e, ARGS("plan"));
	assert_true(fx_contains(r.out, "  ~ Project/web (update)\n      spec.visibility: \"private\" -> \"public\"\n"
				       "      spec.repository.run_on:\n        + \"pull_requests\"\n"
				       "\nUnchanged: 0 resources.\n"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_the_patch_carries_the_whole_project_live_values_kept_and_tasks_with_ids_and_bare_branches(void **state)
{
	(void)state;
	e2e e;
	up_recorded(&e, SEED(LIVE_TASKS));
	fx_write("p.yaml", "apiVersion: v1alpha\nkind: Project\nmetadata: {name: web, description: Web frontend}\n");
	fx_result r = run_ok(&e, ARGS("apply", "--yes"));
	fx_result_free(&r);
	char *b = patch_body();
	assert_string_equal(b, "{\"apiVersion\":\"v1alpha\",\"kind\":\"Project\",\"metadata\":{\"name\":\"web\","
			       "\"id\":\"" WEB "\",\"description\":\"Web frontend\"},\"spec\":{\"visibility\":\"private\","
			       "\"repository\":{\"url\":\"git@github.com:acme/web.git\",\"run_on\":[\"branches\",\"tags\"],"
			       "\"forked_pull_requests\":{\"allowed_secrets\":[],\"allowed_contributors\":[]},"
			       "\"pipeline_file\":\".semaphore/semaphore.yml\",\"status\":{\"pipeline_files\":"
			       "[{\"path\":\".semaphore/semaphore.yml\",\"level\":\"pipeline\"}]},\"whitelist\":"
			       "{\"branches\":[\"main\",\"/release-.*/\"],\"tags\":[]}},\"custom_permissions\":false,"
			       "\"debug_permissions\":[],\"attach_permissions\":[],\"tasks\":["
			       "{\"id\":\"" NIGHTLY "\",\"name\":\"nightly\",\"description\":\"\",\"scheduled\":true,"
			       "\"branch\":\"main\",\"at\":\"0 3 * * *\",\"pipeline_file\":\".semaphore/nightly.yml\","
			       "\"status\":\"ACTIVE\",\"parameters\":[]},"
			       "{\"id\":\"" OLD "\",\"name\":\"old\",\"description\":\"\",\"scheduled\":false,"
			       "\"branch\":\"refs/tags/v1\",\"at\":\"\",\"pipeline_file\":\"o.yml\",\"status\":\"ACTIVE\","
			       "\"parameters\":[]}]}}");
	free(b);
	cJSON *t = e2e_get(&e, "/tasks?project_id=" WEB);
	assert_int_equal(cJSON_GetArraySize(t), 2);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(t, 0), "reference")),
			    "refs/heads/main");
	cJSON_Delete(t);
	r = run_ok(&e, ARGS("plan"));
	assert_true(fx_contains(r.out, "No changes."));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_an_update_warns_that_it_reattributes_the_tasks_naming_them(void **state)
{
	(void)state;
	e2e e;
	up_recorded(&e, SEED(LIVE_TASKS));
	fx_write("p.yaml", PROJECT "  visibility: public\n");
	fx_result r = run_ok(&e, ARGS("plan"));
	assert_true(fx_contains(r.out, "# warning: the update rewrites every task of the project (nightly, old): "
				       "each is then run as the API token's user (its requester)"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_spec_tasks_fills_ids_by_name_keeps_unlisted_tasks_and_prune_deletes_them(void **state)
{
	(void)state;
	e2e e;
	up_recorded(&e, SEED(LIVE_TASKS));
	fx_write("p.yaml", PROJECT "  tasks:\n    - {name: nightly, branch: refs/heads/main, at: \"0 5 * * *\","
		 " pipeline_file: .semaphore/nightly.yml}\n");
	fx_result r = run_ok(&e, ARGS("plan"));
	assert_true(fx_contains(r.out, "Unmanaged: live, in scope, and in no spec (--prune deletes them):\n  ? Task/web/old\n"));
	fx_result_free(&r);
	r = run_ok(&e, ARGS("apply", "--yes", "--prune"));
	assert_true(fx_contains(r.out, "Task/web/old: delete done"));
	fx_result_free(&r);
	char *b = patch_body();
	assert_true(fx_contains(b, "\"tasks\":[{\"id\":\"" NIGHTLY "\",\"name\":\"nightly\",\"description\":\"\","
				   "\"scheduled\":true,\"branch\":\"main\",\"at\":\"0 5 * * *\","
				   "\"pipeline_file\":\".semaphore/nightly.yml\",\"parameters\":[]},{\"id\":\"" OLD "\""));
	free(b);
	cJSON *t = e2e_get(&e, "/tasks?project_id=" WEB);
	assert_int_equal(cJSON_GetArraySize(t), 1);
	cJSON_Delete(t);
	r = run_ok(&e, ARGS("plan", "--prune"));
	assert_true(fx_contains(r.out, "No changes."));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_live_change_is_drift_with_exit_2(void **state)
{
	(void)state;
	e2e e;
	up_recorded(&e, SEED(""));
	fx_write("p.yaml", "apiVersion: v1alpha\nkind: Project\nmetadata: {name: web, description: Web}\n");
	fx_result r = cf(&e, ARGS("drift"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	fx_write("p.yaml", "apiVersion: v1alpha\nkind: Project\nmetadata: {name: web, description: Web app}\n");
	r = cf(&e, ARGS("drift"));
	assert_int_equal(r.rc, 2);
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_an_exported_project_and_its_tasks_plan_as_unchanged(void **state)
{
	(void)state;
	e2e e;
	up_recorded(&e, SEED(LIVE_TASKS));
	fx_result r = run_ok(&e, ARGS("export", "--project", "web", "--dir", "adopted"));
	fx_result_free(&r);
	r = run_ok(&e, ARGS("validate", "--strict", "adopted"));
	fx_result_free(&r);
	r = run_ok(&e, ARGS("plan", "adopted"));
	assert_true(fx_contains(r.out, "Unchanged: 3 resources.\nNo changes."));
	fx_result_free(&r);
	e2e_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_an_absent_project_is_refused),
		cmocka_unit_test(test_empty_in_attach_permissions_is_an_error),
		cmocka_unit_test(test_a_bad_task_cron_in_spec_tasks_is_an_error_at_its_place),
		cmocka_unit_test(test_custom_permissions_off_with_lists_is_a_warning),
		cmocka_unit_test(test_an_unknown_project_is_an_error_at_the_manifest),
		cmocka_unit_test(test_a_plan_shows_only_the_keys_that_change),
		cmocka_unit_test(test_the_patch_carries_the_whole_project_live_values_kept_and_tasks_with_ids_and_bare_branches),
		cmocka_unit_test(test_an_update_warns_that_it_reattributes_the_tasks_naming_them),
		cmocka_unit_test(test_spec_tasks_fills_ids_by_name_keeps_unlisted_tasks_and_prune_deletes_them),
		cmocka_unit_test(test_a_live_change_is_drift_with_exit_2),
		cmocka_unit_test(test_an_exported_project_and_its_tasks_plan_as_unchanged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

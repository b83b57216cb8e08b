/*
 * The Task kind against ciform-sandbox: what validate refuses, what a plan
 * shows, the exact yml_definition each write sends (--record), and that a
 * second plan, drift, prune and export agree with what apply left.
 */
#include "tests/e2e/scene.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WEB "0a000000-0000-4000-8000-000000000001"
#define NIGHTLY "0d000000-0000-4000-8000-000000000001"
#define OTHER_TASK "0d000000-0000-4000-8000-000000000002"

#define SEED(tasks)                                                                                   \
	"{\"projects\": [{\"name\": \"web\", \"id\": \"" WEB "\"},"                                       \
	" {\"name\": \"api\", \"id\": \"0a000000-0000-4000-8000-000000000002\"}],"                        \
	" \"caller_id\": \"0c000000-0000-4000-8000-0000000000aa\", \"tasks\": [" tasks "]}"

#define LIVE_NIGHTLY                                                                                  \
	"{\"id\": \"" NIGHTLY "\", \"project\": \"web\", \"name\": \"nightly\", \"branch\": \"main\","     \
	" \"at\": \"0 3 * * *\", \"pipeline_file\": \".semaphore/nightly.yml\"}"

#define TASK(name) "apiVersion: v1alpha\nkind: Task\nmetadata: {name: " name ", project: web}\nspec:\n"
#define NIGHTLY_SPEC TASK("nightly") "  branch: main\n  pipeline_file: .semaphore/nightly.yml\n  at: \"0 3 * * *\"\n"

static void up_recorded(e2e *e, const char *seed)
{
	e2e_up(e, seed, ARGS("--record", "requests.jsonl"), NULL);
}

/* The bodies of every request with this method whose path starts with prefix, in order, as JSON text. */
static char *bodies_of(const char *method, const char *prefix)
{
	FILE *f = fopen("requests.jsonl", "r");
	assert_non_null(f);
	char line[1 << 16];
	cJSON *all = cJSON_CreateArray();
	while (fgets(line, sizeof(line), f)) {
		cJSON *r = cJSON_Parse(line);
		const char *m = cJSON_GetStringValue(cJSON_GetObjectItem(r, "method"));
		const char *p = cJSON_GetStringValue(cJSON_GetObjectItem(r, "path"));
		if (m && p && !strcmp(m, method) && !strncmp(p, prefix, strlen(prefix)))
			cJSON_AddItemToArray(all, cJSON_DetachItemFromObject(r, "body"));
		cJSON_Delete(r);
	}
	fclose(f);
	char *text = cJSON_PrintUnformatted(all);
	cJSON_Delete(all);
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

static void test_a_bad_cron_is_an_error_at_its_place(void **state)
{
	(void)state;
	expect_problem(TASK("n") "  branch: main\n  pipeline_file: p.yml\n  at: \"0 25 * * *\"\n",
		       "t.yaml:7:7: spec.at: '0 25 * * *' is no cron expression: '25' is no hour (0-23)");
}

static void test_a_recurring_task_without_at_is_an_error(void **state)
{
	(void)state;
	expect_problem(TASK("n") "  branch: main\n  pipeline_file: p.yml\n",
		       "t.yaml:5:3: spec.at: a recurring task needs a cron expression (UTC)");
}

static void test_a_task_needs_a_branch_or_a_reference(void **state)
{
	(void)state;
	expect_problem(TASK("n") "  pipeline_file: p.yml\n  recurring: false\n",
		       "spec: missing branch (a branch name, or refs/tags/NAME) or reference {type, name}");
}

static void test_a_task_for_a_project_whose_manifest_lists_its_tasks_is_an_error_naming_both(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("p.yaml", "apiVersion: v1alpha\nkind: Project\nmetadata: {name: web}\nspec:\n  tasks: []\n");
	fx_write("t.yaml", TASK("n") "  branch: main\n  pipeline_file: p.yml\n  recurring: false\n");
	char *p = fx_load(NULL);
	assert_true(fx_contains(p, "t.yaml:3:"));
	assert_true(fx_contains(p, "Task/web/n: project 'web' lists its tasks in Project/web (p.yaml:1:1, spec.tasks)"));
	free(p);
	fx_leave_tmpdir();
}

static void test_a_create_sends_a_v1_2_schedule_with_a_branch_reference_and_every_key(void **state)
{
	(void)state;
	e2e e;
	up_recorded(&e, SEED(""));
	fx_write("t.yaml", TASK("weekly") "  description: Weekly\n  branch: main\n  pipeline_file: .semaphore/w.yml\n"
		 "  at: \"0 4 * * 1\"\n  parameters: [{name: ENV, required: true, options: [staging, prod]}]\n");
	fx_result r = run_ok(&e, ARGS("apply", "--yes"));
	fx_result_free(&r);
	char *b = bodies_of("POST", "/tasks");
	assert_string_equal(b, "[{\"yml_definition\":\"---\\napiVersion: v1.2\\nkind: Schedule\\nmetadata:\\n"
			       "  name: weekly\\n  description: Weekly\\nspec:\\n  project: web\\n  reference:\\n"
			       "    type: BRANCH\\n    name: main\\n  at: 0 4 * * 1\\n  pipeline_file: .semaphore/w.yml\\n"
			       "  recurring: true\\n  paused: false\\n  parameters:\\n  - name: ENV\\n    required: true\\n"
			       "    description: \\\"\\\"\\n    default_value: \\\"\\\"\\n    options:\\n    - staging\\n"
			       "    - prod\\n    regex_pattern: \\\"\\\"\\n    validate_input_format: false\\n\"}]");
	free(b);
	r = run_ok(&e, ARGS("plan"));
	assert_true(fx_contains(r.out, "No changes."));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_an_update_sends_the_id_and_a_tag_as_a_tag_reference(void **state)
{
	(void)state;
	e2e e;
	up_recorded(&e, SEED(LIVE_NIGHTLY));
	fx_write("t.yaml", TASK("nightly") "  branch: refs/tags/v1.2\n  pipeline_file: .semaphore/nightly.yml\n"
		 "  at: \"0 3 * * *\"\n  paused: true\n");
	fx_result r = run_ok(&e, ARGS("plan"));
	assert_true(fx_contains(r.out, "~ Task/web/nightly (update)\n      spec.branch: \"refs/heads/main\" -> \"refs/tags/v1.2\"\n"
				       "      spec.paused: false -> true\n"));
	fx_result_free(&r);
	r = run_ok(&e, ARGS("apply", "--yes"));
	fx_result_free(&r);
	char *b = bodies_of("POST", "/tasks");
	assert_string_equal(b, "[{\"yml_definition\":\"---\\napiVersion: v1.2\\nkind: Schedule\\nmetadata:\\n"
			       "  name: nightly\\n  id: " NIGHTLY "\\n  description: \\\"\\\"\\nspec:\\n  project: web\\n"
			       "  reference:\\n    type: TAG\\n    name: v1.2\\n  at: 0 3 * * *\\n"
			       "  pipeline_file: .semaphore/nightly.yml\\n  recurring: true\\n  paused: true\\n"
			       "  parameters: []\\n\"}]");
	free(b);
	r = run_ok(&e, ARGS("plan"));
	assert_true(fx_contains(r.out, "No changes."));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_an_absent_task_is_deleted_by_id(void **state)
{
	(void)state;
	e2e e;
	up_recorded(&e, SEED(LIVE_NIGHTLY));
	fx_write("t.yaml", "apiVersion: v1alpha\nkind: Task\nmetadata: {name: nightly, project: web, ensure: absent}\n");
	fx_result r = run_ok(&e, ARGS("apply", "--yes"));
	assert_true(fx_contains(r.out, "Task/web/nightly: delete done"));
	fx_result_free(&r);
	char *b = bodies_of("DELETE", "/tasks/" NIGHTLY);
	assert_string_equal(b, "[null]");
	free(b);
	cJSON *left = e2e_get(&e, "/tasks?project_id=" WEB);
	assert_int_equal(cJSON_GetArraySize(left), 0);
	cJSON_Delete(left);
	e2e_down(&e);
}

static void test_a_live_change_is_drift_with_exit_2(void **state)
{
	(void)state;
	e2e e;
	up_recorded(&e, SEED(LIVE_NIGHTLY));
	fx_write("t.yaml", NIGHTLY_SPEC);
	fx_result r = cf(&e, ARGS("drift"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	fx_write("t.yaml", TASK("nightly") "  branch: main\n  pipeline_file: .semaphore/nightly.yml\n  at: \"0 4 * * *\"\n");
	r = cf(&e, ARGS("drift"));
	assert_int_equal(r.rc, 2);
	assert_true(fx_contains(r.out, "spec.at: \"0 3 * * *\" -> \"0 4 * * *\""));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_an_unlisted_task_in_scope_is_unmanaged_and_pruned_and_other_projects_are_untouched(void **state)
{
	(void)state;
	e2e e;
	up_recorded(&e, SEED(LIVE_NIGHTLY ", {\"id\": \"" OTHER_TASK "\", \"project\": \"web\", \"name\": \"old\","
			     " \"branch\": \"main\", \"recurring\": false, \"pipeline_file\": \"o.yml\"},"
			     " {\"project\": \"api\", \"name\": \"elsewhere\", \"branch\": \"main\", \"recurring\": false,"
			     " \"pipeline_file\": \"e.yml\"}"));
	fx_write("t.yaml", NIGHTLY_SPEC);
	fx_result r = run_ok(&e, ARGS("plan"));
	assert_true(fx_contains(r.out, "Unmanaged: live, in scope, and in no spec (--prune deletes them):\n  ? Task/web/old\n\n"));
	fx_result_free(&r);
	r = run_ok(&e, ARGS("apply", "--yes", "--prune"));
	assert_true(fx_contains(r.out, "Task/web/old: delete done"));
	fx_result_free(&r);
	char *b = bodies_of("DELETE", "/tasks/");
	assert_string_equal(b, "[null]");
	free(b);
	cJSON *api = e2e_get(&e, "/tasks?project_id=0a000000-0000-4000-8000-000000000002");
	assert_int_equal(cJSON_GetArraySize(api), 1);
	cJSON_Delete(api);
	e2e_down(&e);
}

static void test_exported_tasks_plan_as_unchanged(void **state)
{
	(void)state;
	e2e e;
	up_recorded(&e, SEED(LIVE_NIGHTLY ", {\"project\": \"web\", \"name\": \"release\", \"reference\": \"refs/tags/v1\","
			     " \"recurring\": false, \"paused\": true, \"pipeline_file\": \"r.yml\", \"description\": \"Cut\","
			     " \"parameters\": [{\"name\": \"V\", \"required\": false, \"default_value\": \"1\"}]}"));
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
		cmocka_unit_test(test_a_bad_cron_is_an_error_at_its_place),
		cmocka_unit_test(test_a_recurring_task_without_at_is_an_error),
		cmocka_unit_test(test_a_task_needs_a_branch_or_a_reference),
		cmocka_unit_test(test_a_task_for_a_project_whose_manifest_lists_its_tasks_is_an_error_naming_both),
		cmocka_unit_test(test_a_create_sends_a_v1_2_schedule_with_a_branch_reference_and_every_key),
		cmocka_unit_test(test_an_update_sends_the_id_and_a_tag_as_a_tag_reference),
		cmocka_unit_test(test_an_absent_task_is_deleted_by_id),
		cmocka_unit_test(test_a_live_change_is_drift_with_exit_2),
		cmocka_unit_test(test_an_unlisted_task_in_scope_is_unmanaged_and_pruned_and_other_projects_are_untouched),
		cmocka_unit_test(test_exported_tasks_plan_as_unchanged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

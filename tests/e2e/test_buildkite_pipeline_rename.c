/*
 * A Buildkite Pipeline's slug renames (metadata.renamed_from) and deletes
 * refused while builds run, end to end against `ciform-sandbox --api
 * buildkite`: the plan's `metadata.slug: OLD -> NEW`, the PATCH to the old
 * slug, both slugs live or a taken name as plan errors at their positions,
 * a renamed pipeline never pruned under its old slug, and an `ensure:
 * absent` delete retried while builds run, until --wait-timeout.
 */
#include "tests/e2e/test_buildkite.h"
#include "reconciler/diff.h"

#define PIPE(slug, name) "{\"id\": \"03900000-0000-4000-8000-0000000000" slug "\", \"slug\": \"" slug "\", " \
			 "\"name\": \"" name "\", \"repository\": \"git@github.com:acme/web.git\", \"cluster_id\": \"" \
			 CL1 "\", \"configuration\": \"steps:\\n  - command: make\\n\"}"
#define CLUSTERS "{\"id\": \"" CL1 "\", \"name\": \"linux-ci\"}"
#define PIPES(list) ", \"pipelines\": [" list "]"
#define DOC(meta, name) "apiVersion: buildkite/v1\nkind: Pipeline\nmetadata: " meta "\nspec:\n" \
			"  name: " name "\n  repository: git@github.com:acme/web.git\n  cluster: linux-ci\n" \
			"  configuration: |\n    steps:\n      - command: make\n"
#define ABSENT "apiVersion: buildkite/v1\nkind: Pipeline\nmetadata: {slug: ab, ensure: absent}\n"

static void test_renamed_from_plans_a_slug_change_and_patches_the_old_slug(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(CLUSTERS, PIPES(PIPE("aa", "Web App"))), NULL);
	fx_write("p.yaml", DOC("{slug: web, renamed_from: [aa]}", "Web App"));
	expect(&b, ARGS("plan", "p.yaml"), 0, "  ~ Pipeline/web (update)\n      metadata.slug: \"aa\" -> \"web\"\n", NULL);
	expect(&b, ARGS("apply", "--yes", "p.yaml"), 0, "Apply complete: 1 change applied.", NULL);
	expect_body("PATCH", "/v2/organizations/acme/pipelines/aa", "{\"slug\":\"web\"}");
	expect(&b, ARGS("drift", "p.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_a_rename_with_a_new_name_sends_both_in_one_patch(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(CLUSTERS, PIPES(PIPE("aa", "Web App"))), NULL);
	fx_write("p.yaml", DOC("{slug: web, renamed_from: [aa]}", "Web"));
	expect(&b, ARGS("apply", "--yes", "p.yaml"), 0, NULL, NULL);
	expect_body("PATCH", "/v2/organizations/acme/pipelines/aa", "{\"name\":\"Web\",\"slug\":\"web\"}");
	expect(&b, ARGS("drift", "p.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_a_renamed_and_archived_pipeline_is_archived_under_its_new_slug(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(CLUSTERS, PIPES(PIPE("aa", "Web App"))), NULL);
	fx_write("p.yaml", DOC("{slug: web, renamed_from: [aa]}", "Web App") "  archived: true\n");
	expect(&b, ARGS("apply", "--yes", "p.yaml"), 0, "Apply complete: 2 changes applied.", NULL);
	expect_body("POST", "/v2/organizations/acme/pipelines/web/archive", "null");
	expect(&b, ARGS("drift", "p.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_the_schedules_of_a_pipeline_renamed_in_the_same_run_are_kept_not_duplicated(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(CLUSTERS, PIPES(PIPE("aa", "Web App")) ", \"schedules\": [{\"id\": \"s1\", \"pipeline_slug\": "
		  "\"aa\", \"label\": \"Nightly\", \"cronline\": \"@daily\", \"branch\": \"main\", \"enabled\": true}]"),
	      NULL);
	fx_write("p.yaml", DOC("{slug: web, renamed_from: [aa]}", "Web App") "---\napiVersion: buildkite/v1\n"
		 "kind: PipelineSchedule\nmetadata: {pipeline: web, label: Nightly}\n"
		 "spec: {cronline: \"@daily\", branch: main}\n");
	fx_result r = run(&b, ARGS("plan", "p.yaml"));
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "Plan: 0 to create, 1 to update, 0 to delete"));
	assert_false(fx_contains(r.out, "PipelineSchedule/web/Nightly (create)"));
	fx_result_free(&r);
	expect(&b, ARGS("apply", "--yes", "p.yaml"), 0, NULL, NULL);
	expect_body("POST", "/v2/organizations/acme/pipelines/web/schedules", "");
	expect(&b, ARGS("drift", "p.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_both_slugs_live_is_a_plan_error_at_renamed_from(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(CLUSTERS, PIPES(PIPE("aa", "Web App") ", " PIPE("ab", "Web B"))), NULL);
	fx_write("p.yaml", DOC("\n  slug: ab\n  renamed_from: [aa]", "Web B"));
	expect(&b, ARGS("plan", "p.yaml"), 1, NULL,
	       "p.yaml:5:17: metadata.renamed_from: pipelines 'ab' and 'aa' are both live; delete or rename one first");
	bk_down(&b);
}

static void test_a_name_another_pipeline_holds_is_a_plan_error_at_spec_name(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(CLUSTERS, PIPES(PIPE("aa", "Web App") ", " PIPE("ab", "Web B"))), NULL);
	fx_write("p.yaml", DOC("{slug: ab}", "Web App"));
	expect(&b, ARGS("plan", "p.yaml"), 1, NULL,
	       "p.yaml:5:9: spec.name: pipeline 'aa' is already named 'Web App'; names are unique in an organization");
	fx_write("p.yaml", DOC("{slug: new}", "Web B")); /* a create too */
	expect(&b, ARGS("plan", "p.yaml"), 1, NULL, "spec.name: pipeline 'ab' is already named 'Web B'");
	bk_down(&b);
}

static void test_renamed_from_must_name_another_slug(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("p.yaml", DOC("{slug: web, renamed_from: [web, Old_Slug]}", "W"));
	fx_result r = fx_ciform(ARGS("validate", "p.yaml"), NULL, NULL);
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "metadata.renamed_from: 'web' is not another pipeline slug"));
	assert_true(fx_contains(r.err, "metadata.renamed_from: 'Old_Slug' is not another pipeline slug"));
	fx_result_free(&r);
	fx_leave_tmpdir();
}

static void test_the_old_slug_of_a_renamed_pipeline_is_not_unmanaged(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(CLUSTERS, PIPES(PIPE("aa", "Web App") ", " PIPE("zz", "Other"))), NULL);
	fx_write("c.yaml", "apiVersion: buildkite/v1\nkind: Cluster\nmetadata: {name: linux-ci}\n");
	fx_write("p.yaml", DOC("{slug: web, renamed_from: [aa]}", "Web App"));
	fx_result r = run(&b, ARGS("plan", "."));
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "  ? Pipeline/zz\n"));
	assert_false(fx_contains(r.out, "Pipeline/aa"));
	fx_result_free(&r);
	bk_down(&b);
}

/* How many DELETEs of the path were recorded. */
static int deletes_of(const char *path)
{
	char *all = bodies("DELETE", path);
	int n = *all ? 1 : 0;
	for (const char *p = all; (p = strchr(p, '\n')); p++)
		n++;
	free(all);
	return n;
}

static void test_a_delete_refused_while_builds_run_is_retried_until_it_lands(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(CLUSTERS, ", \"pipelines\": [{\"slug\": \"ab\", \"name\": \"B\", \"repository\": \"r\", "
		       "\"cluster_id\": \"" CL1 "\", \"configuration\": \"steps: [wait]\", \"running_builds_count\": 2}]"),
	      NULL);
	fx_write("p.yaml", ABSENT);
	expect(&b, ARGS("apply", "--yes", "p.yaml"), 0, "Apply complete: 1 change applied.", NULL);
	assert_int_equal(deletes_of("/v2/organizations/acme/pipelines/ab"), 3);
	expect(&b, ARGS("drift", "p.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_builds_still_running_at_the_wait_timeout_fail_with_a_clear_error(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(CLUSTERS, ", \"pipelines\": [{\"slug\": \"ab\", \"name\": \"B\", \"repository\": \"r\", "
		       "\"cluster_id\": \"" CL1 "\", \"configuration\": \"steps: [wait]\", \"running_builds_count\": 100000}]"),
	      NULL);
	fx_write("p.yaml", ABSENT);
	expect(&b, ARGS("apply", "--yes", "--wait-timeout", "1", "p.yaml"), 1, NULL,
	       "Pipeline/ab: not deleted: builds were still running when the wait timeout ran out (DELETE "
	       "/organizations/acme/pipelines/ab: HTTP 422: Cannot delete pipeline with active builds)");
	assert_true(deletes_of("/v2/organizations/acme/pipelines/ab") > 1);
	expect(&b, ARGS("plan", "p.yaml"), 0, "  - Pipeline/ab (delete)", NULL);
	bk_down(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_renamed_from_plans_a_slug_change_and_patches_the_old_slug),
		cmocka_unit_test(test_a_rename_with_a_new_name_sends_both_in_one_patch),
		cmocka_unit_test(test_a_renamed_and_archived_pipeline_is_archived_under_its_new_slug),
		cmocka_unit_test(test_the_schedules_of_a_pipeline_renamed_in_the_same_run_are_kept_not_duplicated),
		cmocka_unit_test(test_both_slugs_live_is_a_plan_error_at_renamed_from),
		cmocka_unit_test(test_a_name_another_pipeline_holds_is_a_plan_error_at_spec_name),
		cmocka_unit_test(test_renamed_from_must_name_another_slug),
		cmocka_unit_test(test_the_old_slug_of_a_renamed_pipeline_is_not_unmanaged),
		cmocka_unit_test(test_a_delete_refused_while_builds_run_is_retried_until_it_lands),
		cmocka_unit_test(test_builds_still_running_at_the_wait_timeout_fail_with_a_clear_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

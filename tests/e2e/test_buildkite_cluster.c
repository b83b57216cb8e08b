/*
 * The Buildkite Cluster kind end to end: the real ciform binary against
 * `ciform-sandbox --api buildkite`: validate's checks at FILE:LINE:COLUMN,
 * the exact create and update bodies, convergence, drift, renames by
 * renamed_from, the default queue by key, deletes, the prune scope it gives
 * pipelines (archived, never deleted), a cluster and its pipeline created in
 * one run, export round trips, and failing requests without duplicates.
 */
#include "tests/e2e/test_buildkite.h"
#include "reconciler/diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINUX "{\"id\": \"" CL1 "\", \"name\": \"linux\", \"description\": \"Linux fleet\", \"color\": \"#BADA55\"}"
#define MACOS "{\"id\": \"" CL2 "\", \"name\": \"macos\"}"
#define QUEUES "\"queues\": [{\"id\": \"" Q1 "\", \"cluster_id\": \"" CL1 "\", \"key\": \"default\"}, " \
	       "{\"id\": \"" Q2 "\", \"cluster_id\": \"" CL1 "\", \"key\": \"big\"}]"
#define CLUSTER(meta, spec) "apiVersion: buildkite/v1\nkind: Cluster\nmetadata: " meta "\nspec: " spec "\n"
#define PIPE(slug, cluster) "{\"slug\": \"" slug "\", \"name\": \"" slug "\", \"repository\": \"r\", \"cluster_id\": \"" \
	cluster "\", \"configuration\": \"steps: [wait]\"}"


static void test_a_colour_that_is_not_hex_and_a_renamed_from_that_is_no_list_are_refused(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("c.yaml", CLUSTER("{name: linux}", "{color: red}"));
	fx_result r = fx_ciform(ARGS("validate", "c.yaml"), NULL, NULL);
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "c.yaml:4:15: spec.color: must be a hex colour such as #BADA55, not 'red'"));
	fx_result_free(&r);
	fx_write("c.yaml", CLUSTER("{name: linux, renamed_from: old}", "{}"));
	r = fx_ciform(ARGS("validate", "c.yaml"), NULL, NULL);
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "c.yaml:3:39: metadata.renamed_from: must be a list of strings"));
	fx_result_free(&r);
	fx_leave_tmpdir();
}

static void test_a_create_sends_name_and_given_fields_only_then_converges(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED("", ""), NULL);
	fx_write("c.yaml", CLUSTER("{name: linux}", "{description: Linux fleet, emoji: \":penguin:\"}"));
	expect(&b, ARGS("apply", "--yes", "c.yaml"), 0, "Cluster/linux: create", NULL);
	expect_body("POST", "/v2/organizations/acme/clusters",
		    "{\"name\":\"linux\",\"description\":\"Linux fleet\",\"emoji\":\":penguin:\"}");
	expect(&b, ARGS("drift", "c.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_an_update_puts_the_changed_fields_and_the_default_queue_by_its_uuid(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, ", " QUEUES), NULL);
	fx_write("c.yaml", CLUSTER("{name: linux}", "{color: \"#000000\", default_queue: big}"));
	expect(&b, ARGS("plan", "c.yaml"), 0, "      spec.default_queue: null -> \"big\"\n", NULL);
	expect(&b, ARGS("apply", "--yes", "c.yaml"), 0, NULL, NULL);
	expect_body("PUT", "/v2/organizations/acme/clusters/" CL1,
		    "{\"color\":\"#000000\",\"default_queue_id\":\"" Q2 "\"}");
	expect(&b, ARGS("drift", "c.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_a_live_edit_is_drift_and_an_omitted_field_keeps_the_live_value(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, ""), NULL);
	fx_write("c.yaml", CLUSTER("{name: linux}", "{}"));
	expect(&b, ARGS("drift", "c.yaml"), 0, "No changes.", NULL);
	fx_write("c.yaml", CLUSTER("{name: linux}", "{description: Linux and ARM}"));
	expect(&b, ARGS("drift", "c.yaml"), 2, "spec.description: \"Linux fleet\" -> \"Linux and ARM\"", NULL);
	bk_down(&b);
}

static void test_a_default_queue_the_cluster_lacks_is_a_plan_error_at_its_position(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, ", " QUEUES), NULL);
	fx_write("c.yaml", CLUSTER("{name: linux}", "{default_queue: gpu}"));
	expect(&b, ARGS("plan", "c.yaml"), 1, NULL, "c.yaml:4:23: spec.default_queue: cluster 'linux' has no queue 'gpu'");
	bk_down(&b);
}

static void test_renamed_from_renames_the_live_cluster_in_place(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, ""), NULL);
	fx_write("c.yaml", CLUSTER("{name: linux-ci, renamed_from: [linux]}", "{}"));
	expect(&b, ARGS("plan", "c.yaml"), 0, "  ~ Cluster/linux-ci (update)\n      metadata.name: \"linux\" -> \"linux-ci\"\n",
	       NULL);
	expect(&b, ARGS("apply", "--yes", "c.yaml"), 0, NULL, NULL);
	expect_body("PUT", "/v2/organizations/acme/clusters/" CL1, "{\"name\":\"linux-ci\"}");
	expect_body("POST", "/v2/organizations/acme/clusters", "");
	expect(&b, ARGS("drift", "c.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_renamed_from_with_both_names_live_is_a_plan_error(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX ", {\"id\": \"" CL2 "\", \"name\": \"linux-ci\"}", ""), NULL);
	fx_write("c.yaml", CLUSTER("{name: linux-ci, renamed_from: [linux]}", "{}"));
	expect(&b, ARGS("plan", "c.yaml"), 1, NULL, "clusters 'linux-ci' and 'linux' are both live");
	bk_down(&b);
}

static void test_two_live_clusters_of_one_name_are_refused_as_ambiguous(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX ", {\"id\": \"" CL2 "\", \"name\": \"linux\"}", ""), NULL);
	fx_write("c.yaml", CLUSTER("{name: linux}", "{}"));
	expect(&b, ARGS("plan", "c.yaml"), 1, NULL, "more than one live cluster is named 'linux'");
	bk_down(&b);
}

static void test_ensure_absent_deletes_with_a_note_that_its_queues_go_too(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, ", " QUEUES), NULL);
	fx_write("c.yaml", CLUSTER("{name: linux, ensure: absent}", "{}"));
	expect(&b, ARGS("plan", "c.yaml"), 0, "deleting a cluster deletes its queues and agent tokens too", NULL);
	expect(&b, ARGS("apply", "--yes", "c.yaml"), 0, NULL, NULL);
	expect_body("DELETE", "/v2/organizations/acme/clusters/" CL1, "null");
	expect(&b, ARGS("drift", "c.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_prune_archives_the_other_pipelines_of_a_managed_cluster_only(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX ", " MACOS, ", \"pipelines\": [" PIPE("stray", CL1) ", " PIPE("mac-app", CL2) "]"),
	      ARGS("--state", "state.json"));
	fx_write("c.yaml", CLUSTER("{name: linux}", "{}"));
	expect(&b, ARGS("plan", "c.yaml"), 0, "Pipeline/stray", NULL);
	fx_result r = run(&b, ARGS("plan", "c.yaml"));
	assert_false(fx_contains(r.out, "mac-app"));
	assert_false(fx_contains(r.out, "Cluster/macos"));
	fx_result_free(&r);
	expect(&b, ARGS("plan", "--prune", "c.yaml"), 0, "# archived, not deleted: a pruned pipeline is archived", NULL);
	expect(&b, ARGS("plan", "--prune", "--format", "json", "c.yaml"), 0,
	       "\"action\":\"delete\",\"kind\":\"Pipeline\",\"address\":\"Pipeline/stray\"", NULL);
	expect(&b, ARGS("plan", "--prune", "--format", "json", "c.yaml"), 0, "\"operation\":\"archive\"", NULL);
	expect(&b, ARGS("apply", "--yes", "--prune", "c.yaml"), 0, NULL, NULL);
	expect_body("POST", "/v2/organizations/acme/pipelines/stray/archive", "null");
	expect_body("DELETE", "/v2/organizations/acme/pipelines/stray", "");
	expect(&b, ARGS("plan", "--prune", "c.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_a_cluster_and_its_pipeline_are_created_in_one_run(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED("", ""), NULL);
	fx_write("c.yaml", CLUSTER("{name: linux}", "{}"));
	fx_write("p.yaml", "apiVersion: buildkite/v1\nkind: Pipeline\nmetadata: {slug: web}\nspec:\n  name: Web\n"
			   "  repository: r\n  cluster: linux\n  configuration: \"steps: [wait]\"\n");
	expect(&b, ARGS("apply", "--yes", "."), 0, NULL, NULL);
	char *posts = bodies("POST", "/v2/organizations/acme/pipelines");
	assert_true(fx_contains(posts, "\"cluster_id\":\""));
	free(posts);
	expect(&b, ARGS("drift", "."), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_an_exported_cluster_plans_as_unchanged(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX ", " MACOS, ", " QUEUES), NULL);
	fx_write("c.yaml", CLUSTER("{name: linux}", "{default_queue: default}"));
	expect(&b, ARGS("apply", "--yes", "c.yaml"), 0, NULL, NULL);
	fx_result r = run(&b, ARGS("export", "--cluster", "linux", "--dir", "out"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	char *text = slurp("out/clusters/cluster-linux.yaml");
	assert_true(fx_contains(text, "default_queue: default"));
	assert_true(fx_contains(text, "color: '#BADA55'") || fx_contains(text, "color: \"#BADA55\""));
	free(text);
	expect(&b, ARGS("drift", "out"), 0, "No changes.", NULL);
	expect(&b, ARGS("export", "--cluster", "windows"), 1, NULL, "the organization has no cluster 'windows'");
	bk_down(&b);
}

static void test_cluster_creates_under_failing_requests_converge_without_duplicates(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED("", ""), ARGS("--fail-every", "3", "--state", "state.json"));
	fx_write("c.yaml", CLUSTER("{name: linux}", "{}") "---\n" CLUSTER("{name: arm}", "{}"));
	expect(&b, ARGS("apply", "--yes", "c.yaml"), 0, NULL, NULL);
	expect(&b, ARGS("drift", "c.yaml"), 0, "No changes.", NULL);
	fx_sandbox_stop(&b.sb);
	char *text = slurp("state.json");
	cJSON *st = cJSON_Parse(text);
	assert_int_equal(cJSON_GetArraySize(cf_json_path(st, "buildkite.clusters")), 2);
	cJSON_Delete(st);
	free(text);
	bk_down(&b);
}

static void test_a_token_without_write_clusters_is_refused_before_any_change(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, "{\"buildkite\": {\"scopes\": [\"read_clusters\", \"read_pipelines\"]}}", NULL);
	fx_write("c.yaml", CLUSTER("{name: linux}", "{}"));
	expect(&b, ARGS("apply", "--yes", "c.yaml"), 1, NULL, "lacks the scope(s) write_clusters");
	expect_body("POST", "/v2/organizations/acme/clusters", "");
	bk_down(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_colour_that_is_not_hex_and_a_renamed_from_that_is_no_list_are_refused),
		cmocka_unit_test(test_a_create_sends_name_and_given_fields_only_then_converges),
		cmocka_unit_test(test_an_update_puts_the_changed_fields_and_the_default_queue_by_its_uuid),
		cmocka_unit_test(test_a_live_edit_is_drift_and_an_omitted_field_keeps_the_live_value),
		cmocka_unit_test(test_a_default_queue_the_cluster_lacks_is_a_plan_error_at_its_position),
		cmocka_unit_test(test_renamed_from_renames_the_live_cluster_in_place),
		cmocka_unit_test(test_renamed_from_with_both_names_live_is_a_plan_error),
		cmocka_unit_test(test_two_live_clusters_of_one_name_are_refused_as_ambiguous),
		cmocka_unit_test(test_ensure_absent_deletes_with_a_note_that_its_queues_go_too),
		cmocka_unit_test(test_prune_archives_the_other_pipelines_of_a_managed_cluster_only),
		cmocka_unit_test(test_a_cluster_and_its_pipeline_are_created_in_one_run),
		cmocka_unit_test(test_an_exported_cluster_plans_as_unchanged),
		cmocka_unit_test(test_cluster_creates_under_failing_requests_converge_without_duplicates),
		cmocka_unit_test(test_a_token_without_write_clusters_is_refused_before_any_change),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

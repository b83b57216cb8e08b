/*
 * The Buildkite ClusterQueue kind end to end: the real ciform binary
 * against `ciform-sandbox --api buildkite`: validate's checks at
 * FILE:LINE:COLUMN, the exact create, update, pause and resume requests,
 * convergence, drift, the prune scope (the cluster's default queue is
 * kept), a new cluster's default queue set after the queue exists, the
 * refusals only the live state shows, export round trips, and failing
 * requests without duplicates.
 */
#include "tests/e2e/test_buildkite.h"
#include "reconciler/diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>



#define LINUX "{\"id\": \"" CL1 "\", \"name\": \"linux\", \"default_queue_id\": \"" Q1 "\"}"
#define MACOS "{\"id\": \"" CL2 "\", \"name\": \"macos\"}"
#define QDEF "{\"id\": \"" Q1 "\", \"cluster_id\": \"" CL1 "\", \"key\": \"default\"}"
#define QBIG "{\"id\": \"" Q2 "\", \"cluster_id\": \"" CL1 "\", \"key\": \"big\", \"description\": \"Big boxes\"}"
#define QMAC "{\"id\": \"01910000-0000-4000-8000-000000000003\", \"cluster_id\": \"" CL2 "\", \"key\": \"mac\"}"
#define QUEUES(...) ", \"queues\": [" __VA_ARGS__ "]"
#define QUEUE(meta, spec) "apiVersion: buildkite/v1\nkind: ClusterQueue\nmetadata: " meta "\nspec: " spec "\n"
#define QPATH "/v2/organizations/acme/clusters/" CL1 "/queues"

static void test_a_bad_key_and_an_unknown_affinity_are_refused_at_their_positions(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("q.yaml", QUEUE("{cluster: linux, key: \"big box\"}", "{}"));
	fx_result r = fx_ciform(ARGS("validate", "q.yaml"), NULL, NULL);
	assert_int_equal(r.rc, 1);
	if (!fx_contains(r.err, "q.yaml:3:33: metadata.key: must be a queue key"))
		fail_msg("%s", r.err);
	fx_result_free(&r);
	fx_write("q.yaml", QUEUE("{cluster: linux, key: big}", "{retry_agent_affinity: nearest}"));
	r = fx_ciform(ARGS("validate", "q.yaml"), NULL, NULL);
	assert_int_equal(r.rc, 1);
	if (!fx_contains(r.err, "q.yaml:4:30: spec.retry_agent_affinity"))
		fail_msg("%s", r.err);
	fx_result_free(&r);
	fx_leave_tmpdir();
}

static void test_a_create_posts_key_and_given_fields_then_converges(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, QUEUES(QDEF)), NULL);
	fx_write("q.yaml", QUEUE("{cluster: linux, key: gpu}", "{description: GPUs, retry_agent_affinity: prefer-different}"));
	expect(&b, ARGS("apply", "--yes", "q.yaml"), 0, "ClusterQueue/linux/gpu: create", NULL);
	expect_body("POST", QPATH, "{\"key\":\"gpu\",\"description\":\"GPUs\",\"retry_agent_affinity\":\"prefer-different\"}");
	expect(&b, ARGS("drift", "q.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_an_update_patches_the_changed_fields_and_a_live_edit_is_drift(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, QUEUES(QDEF ", " QBIG)), NULL);
	fx_write("q.yaml", QUEUE("{cluster: linux, key: big}", "{description: Big boxes}"));
	expect(&b, ARGS("drift", "q.yaml"), 0, "No changes.", NULL);
	fx_write("q.yaml", QUEUE("{cluster: linux, key: big}", "{description: Bigger boxes}"));
	expect(&b, ARGS("drift", "q.yaml"), 2, "spec.description: \"Big boxes\" -> \"Bigger boxes\"", NULL);
	expect(&b, ARGS("apply", "--yes", "q.yaml"), 0, NULL, NULL);
	expect_body("PATCH", QPATH "/" Q2, "{\"description\":\"Bigger boxes\"}");
	expect(&b, ARGS("drift", "q.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_dispatch_paused_pauses_with_its_note_and_false_resumes(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, QUEUES(QDEF ", " QBIG)), NULL);
	fx_write("q.yaml", QUEUE("{cluster: linux, key: big}", "{dispatch_paused: true, dispatch_paused_note: incident 123}"));
	expect(&b, ARGS("plan", "q.yaml"), 0, "ClusterQueue/linux/big (deactivate)", NULL);
	expect(&b, ARGS("apply", "--yes", "q.yaml"), 0, NULL, NULL);
	expect_body("POST", QPATH "/" Q2 "/pause_dispatch", "{\"dispatch_paused_note\":\"incident 123\"}");
	expect(&b, ARGS("drift", "q.yaml"), 0, "No changes.", NULL);
	fx_write("q.yaml", QUEUE("{cluster: linux, key: big}", "{dispatch_paused: false}"));
	expect(&b, ARGS("apply", "--yes", "q.yaml"), 0, "ClusterQueue/linux/big: activate", NULL);
	expect_body("POST", QPATH "/" Q2 "/resume_dispatch", "null");
	expect(&b, ARGS("drift", "q.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_the_json_plan_calls_a_pause_and_a_resume_by_their_api_names(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, QUEUES(QDEF ", " QBIG)), NULL);
	fx_write("q.yaml", QUEUE("{cluster: linux, key: big}", "{dispatch_paused: true}"));
	expect(&b, ARGS("plan", "--format", "json", "q.yaml"), 0, "\"action\":\"deactivate\",\"kind\":\"ClusterQueue\"", NULL);
	expect(&b, ARGS("plan", "--format", "json", "q.yaml"), 0, "\"operation\":\"pause\"", NULL);
	expect(&b, ARGS("apply", "--yes", "q.yaml"), 0, NULL, NULL);
	fx_write("q.yaml", QUEUE("{cluster: linux, key: big}", "{dispatch_paused: false}"));
	expect(&b, ARGS("plan", "--format", "json", "q.yaml"), 0, "\"operation\":\"resume\"", NULL);
	bk_down(&b);
}

static void test_a_paused_queue_is_created_then_paused_in_one_run(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, QUEUES(QDEF)), NULL);
	fx_write("q.yaml", QUEUE("{cluster: linux, key: gpu}", "{dispatch_paused: true}"));
	expect(&b, ARGS("apply", "--yes", "q.yaml"), 0, NULL, NULL);
	char *posts = bodies("POST", QPATH);
	assert_string_equal(posts, "{\"key\":\"gpu\"}");
	free(posts);
	expect(&b, ARGS("drift", "q.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_prune_deletes_other_queues_of_the_cluster_but_never_its_default(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX ", " MACOS, QUEUES(QDEF ", " QBIG ", " QMAC)), NULL);
	fx_write("q.yaml", QUEUE("{cluster: linux, key: gpu}", "{}"));
	fx_result r = run(&b, ARGS("plan", "--prune", "q.yaml"));
	assert_int_equal(r.rc, 0);
	if (!fx_contains(r.out, "ClusterQueue/linux/big (delete)"))
		fail_msg("%s", r.out);
	assert_false(fx_contains(r.out, "ClusterQueue/linux/default"));
	assert_false(fx_contains(r.out, "mac"));
	fx_result_free(&r);
	expect(&b, ARGS("apply", "--yes", "--prune", "q.yaml"), 0, NULL, NULL);
	expect_body("DELETE", QPATH "/" Q2, "null");
	expect(&b, ARGS("plan", "--prune", "q.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_a_new_cluster_gets_its_default_queue_after_the_queue_is_created(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED("", ""), NULL);
	fx_write("c.yaml", "apiVersion: buildkite/v1\nkind: Cluster\nmetadata: {name: arm}\nspec: {default_queue: main}\n");
	fx_write("q.yaml", QUEUE("{cluster: arm, key: main}", "{}"));
	expect(&b, ARGS("apply", "--yes", "."), 0, NULL, NULL);
	expect(&b, ARGS("drift", "."), 0, "No changes.", NULL);
	fx_sandbox_stop(&b.sb);
	/* the cluster's create takes no default queue (docs Create): one PUT after the queue's POST */
	FILE *f = fopen("requests.jsonl", "r");
	char line[4096];
	int n = 0;
	while (f && fgets(line, sizeof(line), f))
		n += fx_contains(line, "\"PUT\"") && fx_contains(line, "default_queue_id");
	if (f)
		fclose(f);
	assert_int_equal(n, 1);
	bk_down(&b);
}

static void test_ensure_absent_on_the_default_queue_is_a_plan_error(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, QUEUES(QDEF ", " QBIG)), NULL);
	fx_write("q.yaml", QUEUE("{cluster: linux, key: default, ensure: absent}", "{}"));
	expect(&b, ARGS("plan", "q.yaml"), 1, NULL, "queue 'default' is the default queue of cluster 'linux'");
	fx_write("c.yaml", "apiVersion: buildkite/v1\nkind: Cluster\nmetadata: {name: linux}\nspec: {default_queue: big}\n");
	expect(&b, ARGS("apply", "--yes", "."), 0, NULL, NULL);
	expect_body("DELETE", QPATH "/" Q1, "null");
	expect(&b, ARGS("drift", "."), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_hosted_agents_on_a_self_hosted_queue_and_an_unknown_cluster_are_plan_errors(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, QUEUES(QDEF ", " QBIG)), NULL);
	fx_write("q.yaml", QUEUE("{cluster: linux, key: big}", "{hosted_agents: {instance_shape: LINUX_AMD64_2X4}}"));
	expect(&b, ARGS("plan", "q.yaml"), 1, NULL, "q.yaml:4:23: spec.hosted_agents: queue 'big' is self-hosted "
	       "and cannot become hosted; create the hosted queue under another key\n");
	fx_write("q.yaml", QUEUE("{cluster: windows, key: big}", "{}"));
	expect(&b, ARGS("plan", "q.yaml"), 1, NULL, "metadata.cluster: the organization has no cluster 'windows'");
	bk_down(&b);
}

static void test_a_hosted_queue_is_created_with_its_shape_and_resized_in_place(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, QUEUES(QDEF)), NULL);
	fx_write("q.yaml", QUEUE("{cluster: linux, key: h}", "{hosted_agents: {instance_shape: LINUX_AMD64_2X4}}"));
	expect(&b, ARGS("apply", "--yes", "q.yaml"), 0, NULL, NULL);
	expect_body("POST", QPATH, "{\"key\":\"h\",\"hostedAgents\":{\"instanceShape\":\"LINUX_AMD64_2X4\"}}");
	expect(&b, ARGS("drift", "q.yaml"), 0, "No changes.", NULL);
	fx_write("q.yaml", QUEUE("{cluster: linux, key: h}", "{hosted_agents: {instance_shape: LINUX_AMD64_4X16}}"));
	expect(&b, ARGS("apply", "--yes", "q.yaml"), 0, "spec.hosted_agents.instance_shape", NULL);
	expect(&b, ARGS("drift", "q.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_exported_queues_plan_as_unchanged(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX ", " MACOS, QUEUES(QDEF ", " QBIG ", " QMAC)), NULL);
	fx_write("q.yaml", QUEUE("{cluster: linux, key: big}", "{dispatch_paused: true, dispatch_paused_note: maintenance}"));
	expect(&b, ARGS("apply", "--yes", "q.yaml"), 0, NULL, NULL);
	fx_result r = run(&b, ARGS("export", "--cluster", "linux", "--dir", "out"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	char *text = slurp("out/clusters/queue-linux-big.yaml");
	assert_true(fx_contains(text, "dispatch_paused: true"));
	assert_true(fx_contains(text, "description: Big boxes"));
	free(text);
	FILE *f = fopen("out/clusters/queue-macos-mac.yaml", "r");
	assert_null(f);
	expect(&b, ARGS("drift", "out"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_queue_creates_under_failing_requests_converge_without_duplicates(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, QUEUES(QDEF)), ARGS("--fail-every", "3", "--state", "state.json"));
	fx_write("q.yaml", QUEUE("{cluster: linux, key: a}", "{}") "---\n" QUEUE("{cluster: linux, key: b}",
										    "{dispatch_paused: true}"));
	expect(&b, ARGS("apply", "--yes", "q.yaml"), 0, NULL, NULL);
	expect(&b, ARGS("drift", "q.yaml"), 0, "No changes.", NULL);
	fx_sandbox_stop(&b.sb);
	char *text = slurp("state.json");
	cJSON *st = cJSON_Parse(text);
	assert_int_equal(cJSON_GetArraySize(cf_json_path(st, "buildkite.queues")), 3);
	cJSON_Delete(st);
	free(text);
	bk_down(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_bad_key_and_an_unknown_affinity_are_refused_at_their_positions),
		cmocka_unit_test(test_a_create_posts_key_and_given_fields_then_converges),
		cmocka_unit_test(test_an_update_patches_the_changed_fields_and_a_live_edit_is_drift),
		cmocka_unit_test(test_dispatch_paused_pauses_with_its_note_and_false_resumes),
		cmocka_unit_test(test_the_json_plan_calls_a_pause_and_a_resume_by_their_api_names),
		cmocka_unit_test(test_a_paused_queue_is_created_then_paused_in_one_run),
		cmocka_unit_test(test_prune_deletes_other_queues_of_the_cluster_but_never_its_default),
		cmocka_unit_test(test_a_new_cluster_gets_its_default_queue_after_the_queue_is_created),
		cmocka_unit_test(test_ensure_absent_on_the_default_queue_is_a_plan_error),
		cmocka_unit_test(test_hosted_agents_on_a_self_hosted_queue_and_an_unknown_cluster_are_plan_errors),
		cmocka_unit_test(test_a_hosted_queue_is_created_with_its_shape_and_resized_in_place),
		cmocka_unit_test(test_exported_queues_plan_as_unchanged),
		cmocka_unit_test(test_queue_creates_under_failing_requests_converge_without_duplicates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

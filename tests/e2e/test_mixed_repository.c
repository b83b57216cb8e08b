/* Runs over manifests of several vendors, and of several kinds of one
 * vendor: every spec problem found against the live state is reported in one
 * run, and a vendor whose connection settings are missing is named with the
 * files that need it. */
#include "tests/e2e/test_buildkite.h"

static void test_a_vendor_whose_settings_are_missing_is_named_with_the_files_that_need_it(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED("", ""), NULL); /* Buildkite is set up, Semaphore is not */
	fx_write("sem/agent.yaml", "apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata: {name: s1-linux}\n");
	fx_write("bk/cluster.yaml", "apiVersion: buildkite/v1\nkind: Cluster\nmetadata: {name: linux}\n");
	fx_result r = run(&b, ARGS("plan", "sem", "bk"));
	assert_int_equal(r.rc, 1);
	if (!fx_contains(r.err, "SEMAPHORE_API_TOKEN") ||
	    !fx_contains(r.err, " (needed by the semaphore manifests of sem/agent.yaml)\n"))
		fail_msg("%s", r.err);
	fx_result_free(&r);
	r = run(&b, ARGS("plan", "bk")); /* without them, Buildkite alone needs nothing of Semaphore */
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	bk_down(&b);
}

static void test_buildkite_spec_problems_of_every_kind_are_reported_in_one_run(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED("", ""), NULL);
	fx_write("q.yaml", "apiVersion: buildkite/v1\nkind: ClusterQueue\nmetadata: {cluster: linux-cx, key: default}\n");
	fx_write("s.yaml", "apiVersion: buildkite/v1\nkind: PipelineSchedule\nmetadata: {pipeline: nowhere, label: N}\n"
			   "spec: {cronline: \"@daily\"}\n");
	fx_result r = run(&b, ARGS("plan", "q.yaml", "s.yaml"));
	assert_int_equal(r.rc, 1);
	if (!fx_contains(r.err, "q.yaml:3:21: metadata.cluster: ") || !fx_contains(r.err, "s.yaml:3:22: metadata.pipeline: ") ||
	    !fx_contains(r.err, "ciform: error: 2 problems in the specs\n"))
		fail_msg("%s", r.err);
	fx_result_free(&r);
	bk_down(&b);
}

static void test_export_org_is_buildkites_organisation_when_the_export_is_buildkites(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED("{\"id\": \"" CL1 "\", \"name\": \"linux\"}", ""), NULL);
	const char *env[] = {b.url_env, "BUILDKITE_API_TOKEN=" TEST_TOKEN, "BUILDKITE_ORGANIZATION_SLUG",
			     "BUILDKITE_ORGANIZATION", "SEMAPHORE_API_TOKEN", "SEMAPHORE_ORG_URL", "CIRCLECI_TOKEN", NULL};
	fx_result r = fx_ciform(ARGS("export", "--cluster", "linux", "--org", "acme", "--dir", "out"), env, NULL);
	if (r.rc != 0)
		fail_msg("%s%s", r.out, r.err);
	fx_result_free(&r);
	assert_int_equal(access("out/clusters/cluster-linux.yaml", F_OK), 0);
	bk_down(&b);
}

static void test_a_two_segment_project_is_refused_naming_the_org_flag(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_result r = fx_ciform(ARGS("export", "--project", "gh/acme"), NULL, NULL);
	assert_int_not_equal(r.rc, 0);
	if (!fx_contains(r.err, "--project gh/acme: a CircleCI project is vcs/org/repo (gh/acme/web); for an "
				"organisation's contexts give --org gh/acme"))
		fail_msg("%s", r.err);
	fx_result_free(&r);
	fx_leave_tmpdir();
}

static void test_each_vendor_of_a_mixed_run_takes_its_own_token(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED("", ""), NULL);
	fx_write("cci-seed.json", "{\"circleci\": {\"collaborations\": [{\"id\": \"aaaaaaaa-0000-4000-8000-000000000001\", "
				  "\"name\": \"acme\", \"slug\": \"gh/acme\", \"vcs_type\": \"github\"}]}}");
	fx_sandbox cci;
	fx_sandbox_start(&cci, ARGS("--api", "circleci", "--seed", "cci-seed.json"));
	char host[200];
	snprintf(host, sizeof(host), "CIRCLECI_HOST=%s", cci.url);
	fx_write("bk.token", TEST_TOKEN "\n");
	fx_write("other.token", "not-the-token\n");
	fx_write("bk/cluster.yaml", "apiVersion: buildkite/v1\nkind: Cluster\nmetadata: {name: linux}\n");
	fx_write("cci/context.yaml", "apiVersion: circleci/v1\nkind: Context\nmetadata: {organization: gh/acme, name: d}\n");
	/* --token-file is the first vendor's (Buildkite before CircleCI); CircleCI takes its environment */
	const char *env[] = {b.url_env, "BUILDKITE_ORGANIZATION_SLUG=acme", "BUILDKITE_API_TOKEN", host,
			     "CIRCLECI_TOKEN=" TEST_TOKEN, "SEMAPHORE_API_TOKEN", NULL};
	fx_result r = fx_ciform(ARGS("plan", "--token-file", "bk.token", "bk", "cci"), env, NULL);
	if (r.rc != 0)
		fail_msg("%s%s", r.out, r.err);
	fx_result_free(&r);
	/* each vendor's own file wins over --token-file and the environment */
	r = fx_ciform(ARGS("plan", "--token-file", "other.token", "--buildkite-token-file", "bk.token",
			   "--circleci-token-file", "bk.token", "bk", "cci"), env, NULL);
	if (r.rc != 0)
		fail_msg("%s%s", r.out, r.err);
	fx_result_free(&r);
	r = fx_ciform(ARGS("plan", "--circleci-token-file", "other.token", "bk", "cci"),
		      (const char *const[]){b.url_env, "BUILDKITE_ORGANIZATION_SLUG=acme", "BUILDKITE_API_TOKEN=" TEST_TOKEN,
					    host, "CIRCLECI_TOKEN=" TEST_TOKEN, "SEMAPHORE_API_TOKEN", NULL}, NULL);
	assert_int_equal(r.rc, 1); /* the file wins over CIRCLECI_TOKEN, and its token is wrong */
	assert_true(fx_contains(r.err, "HTTP 401"));
	assert_false(fx_contains(r.err, "not-the-token"));
	fx_result_free(&r);
	fx_write("empty.token", "\n");
	r = fx_ciform(ARGS("plan", "--buildkite-token-file", "empty.token", "bk"), env, NULL);
	assert_int_equal(r.rc, 1); /* the message names the flag the file came from */
	assert_string_equal(r.err, "ciform: error: --buildkite-token-file empty.token is empty\n");
	fx_result_free(&r);
	fx_sandbox_stop(&cci);
	bk_down(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_vendor_whose_settings_are_missing_is_named_with_the_files_that_need_it),
		cmocka_unit_test(test_buildkite_spec_problems_of_every_kind_are_reported_in_one_run),
		cmocka_unit_test(test_export_org_is_buildkites_organisation_when_the_export_is_buildkites),
		cmocka_unit_test(test_a_two_segment_project_is_refused_naming_the_org_flag),
		cmocka_unit_test(test_each_vendor_of_a_mixed_run_takes_its_own_token),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

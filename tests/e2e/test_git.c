/* Specs from git: --git-ref on plan and validate, and ciform reconcile
 * against a file:// remote and ciform-sandbox. */
#include "tests/e2e/scene.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define GIT "git -c user.email=t@example.com -c user.name=t -c init.defaultBranch=main "
#define AGENT(name) "apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata: {name: " name "}\n"

/* A repository "repo" with specs/ on main (s1-main) and on branch feature
 * (s1-feature), main checked out and its work tree dirty. */
static void make_repo(void)
{
	fx_write("repo/specs/a.yaml", AGENT("s1-main"));
	fx_write("repo/specs/secret.txt", "committed-secret");
	fx_write("repo/specs/t.yaml", TARGET_DOC("web", "prod") "spec:\n  env_vars: [{name: K, valueFrom: {file: secret.txt}}]\n");
	fx_sh("cd repo && " GIT "init -q && " GIT "add -A && " GIT "commit -qm one && " GIT "checkout -qb feature");
	fx_write("repo/specs/a.yaml", AGENT("s1-feature"));
	fx_sh("cd repo && " GIT "commit -qam two && " GIT "checkout -q main");
	fx_write("repo/specs/a.yaml", "garbage: [\n");        /* dirty work tree */
	fx_write("repo/specs/secret.txt", "work-tree-secret"); /* and a changed secret */
}

static void test_a_plan_at_a_ref_reads_the_commit_not_the_dirty_work_tree(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("{\"project\": \"web\", \"name\": \"prod\", \"env_vars\": [{\"name\": \"K\", \"value\": \"committed-secret\"}]}",
		   "", ""), NULL);
	make_repo();
	fx_result r = fx_ciform(ARGS("plan", "specs", "--git-ref", "main"), e.env, "repo");
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "  + SelfHostedAgentType/s1-main (create)\n"));
	assert_false(fx_contains(r.out, "DeploymentTarget")); /* the committed secret matches the live one */
	fx_result_free(&r);
	r = fx_ciform(ARGS("plan", "specs"), e.env, "repo"); /* the work tree, for contrast */
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "specs/a.yaml:2:1: invalid YAML"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_branch_that_is_not_checked_out_can_be_planned(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	make_repo();
	fx_result r = fx_ciform(ARGS("plan", "--repo", "repo", "--git-ref", "feature", "specs/a.yaml"), e.env, NULL);
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "  + SelfHostedAgentType/s1-feature (create)\n"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_the_json_plan_records_the_commit(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	make_repo();
	fx_sh("cd repo && " GIT "rev-parse feature > ../sha");
	FILE *f = fopen("sha", "r");
	char sha[64] = "";
	assert_non_null(fgets(sha, sizeof(sha), f));
	fclose(f);
	sha[strcspn(sha, "\n")] = '\0';
	fx_result r = fx_ciform(ARGS("plan", "specs/a.yaml", "--git-ref", "feature", "--format", "json"), e.env, "repo");
	char *want = cf_xasprintf("\"source\":{\"paths\":[\"specs/a.yaml\"],\"git_commit\":\"%s\"}", sha);
	assert_true(fx_contains(r.out, want));
	free(want);
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_errors_at_a_ref_name_files_relative_to_the_repository(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	make_repo();
	fx_write("repo/specs/a.yaml", AGENT("bad-name"));
	fx_sh("cd repo && " GIT "commit -qam bad");
	fx_result r = fx_ciform(ARGS("validate", ".", "--git-ref", "HEAD"), NULL, "repo/specs");
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "specs/a.yaml:3:18: metadata.name: must be s1- followed by letters, digits, _ or -, "
				   "not 'bad-name'\nciform: error: 1 problem in the specs\n");
	fx_result_free(&r);
	r = fx_ciform(ARGS("validate", "specs", "--git-ref", "HEAD~1"), NULL, "repo");
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	r = fx_ciform(ARGS("validate", "specs", "--git-ref", "no-such-branch"), NULL, "repo");
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "ciform: error: --git-ref no-such-branch: no such commit, branch or tag\n");
	fx_result_free(&r);
	fx_leave_tmpdir();
}

/* ---- reconcile ---- */

#define RECONCILE(...) ARGS("reconcile", "--git-url", url, "--path", "specs", "--cache-dir", "cache", \
			    "--status-file", "status.json", __VA_ARGS__)

static void make_remote(void)
{
	fx_write("remote/specs/a.yaml", AGENT("s1-one"));
	fx_sh("cd remote && " GIT "init -q && " GIT "add -A && " GIT "commit -qm one");
}

static char *remote_url(void)
{
	char cwd[4096];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	return cf_xasprintf("file://%s/remote", cwd);
}

static cJSON *status(void)
{
	FILE *f = fopen("status.json", "r");
	if (!f)
		return NULL;
	char buf[8192];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return cJSON_Parse(buf);
}

static const char *result_of(cJSON *st)
{
	return cJSON_GetStringValue(cJSON_GetObjectItem(st, "result"));
}

static void test_reconcile_once_applies_from_a_file_remote_and_then_finds_nothing(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	make_remote();
	char *url = remote_url();
	fx_result r = fx_ciform(RECONCILE("--once"), e.env, NULL);
	assert_int_equal(r.rc, 2); /* drift, reported only */
	fx_result_free(&r);
	r = fx_ciform(RECONCILE("--once", "--apply", "--registration-token-dir", "tok"), e.env, NULL);
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "SelfHostedAgentType/s1-one: create done\n"));
	fx_result_free(&r);
	r = fx_ciform(RECONCILE("--once", "--apply"), e.env, NULL);
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "No changes. Live state matches the specs.\n"));
	fx_result_free(&r);
	cJSON *st = status();
	assert_string_equal(result_of(st), "unchanged");
	assert_int_equal(strlen(cJSON_GetStringValue(cJSON_GetObjectItem(st, "commit"))), 40);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(st, "error")));
	assert_non_null(cJSON_GetObjectItem(st, "time"));
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(st, "summary"), "unchanged")->valueint, 1);
	cJSON_Delete(st);
	free(url);
	e2e_down(&e);
}

static void test_reconcile_follows_a_new_commit(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	make_remote();
	char *url = remote_url();
	fx_result r = fx_ciform(RECONCILE("--once", "--apply", "--registration-token-dir", "tok"), e.env, NULL);
	fx_result_free(&r);
	fx_write("remote/specs/b.yaml", AGENT("s1-two"));
	fx_sh("cd remote && " GIT "add -A && " GIT "commit -qm two");
	r = fx_ciform(RECONCILE("--once", "--apply", "--registration-token-dir", "tok"), e.env, NULL);
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "  + SelfHostedAgentType/s1-two (create)\n"));
	assert_false(fx_contains(r.out, "s1-one (create)"));
	fx_result_free(&r);
	free(url);
	e2e_down(&e);
}

/* Polls status.json until its result is want (10 s at most). */
static bool wait_for_result(const char *want, const char *commit_not)
{
	for (int i = 0; i < 200; i++) {
		cJSON *st = status();
		const char *res = result_of(st), *commit = cJSON_GetStringValue(cJSON_GetObjectItem(st, "commit"));
		bool ok = res && !strcmp(res, want) && (!commit_not || (commit && strcmp(commit, commit_not)));
		cJSON_Delete(st);
		if (ok)
			return true;
		nanosleep(&(struct timespec){0, 50000000L}, NULL);
	}
	return false;
}

static void test_the_loop_reports_invalid_specs_applies_nothing_goes_on_and_stops_on_sigterm(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	make_remote();
	char *url = remote_url();
	const char *const argv[] = {CIFORM_BIN, "reconcile", "--git-url", url, "--path", "specs", "--cache-dir", "cache",
				    "--status-file", "status.json", "--interval", "1", "--apply",
				    "--registration-token-dir", "tok", NULL};
	int pid = fx_spawn(argv, e.env, "loop.log");
	assert_true(wait_for_result("applied", NULL));
	/* a bad commit pushed after a good one */
	fx_write("remote/specs/a.yaml", AGENT("s1-one") "---\n" AGENT("not-s1"));
	fx_write("remote/specs/c.yaml", AGENT("s1-three"));
	fx_sh("cd remote && " GIT "add -A && " GIT "commit -qm bad");
	assert_true(wait_for_result("error", NULL));
	cJSON *st = status();
	assert_true(fx_contains(cJSON_GetStringValue(cJSON_GetObjectItem(st, "error")),
				"invalid specs, nothing applied:\nspecs/a.yaml:7:18: metadata.name"));
	char *bad = cf_xstrdup(cJSON_GetStringValue(cJSON_GetObjectItem(st, "commit")));
	cJSON_Delete(st);
	cJSON *at = e2e_get(&e, "/self_hosted_agent_types/s1-three");
	assert_null(at); /* nothing of the bad commit was applied */
	/* the loop goes on: a fix is applied */
	fx_write("remote/specs/a.yaml", AGENT("s1-one"));
	fx_sh("cd remote && " GIT "commit -qam fix");
	assert_true(wait_for_result("applied", bad));
	at = e2e_get(&e, "/self_hosted_agent_types/s1-three");
	assert_non_null(at);
	cJSON_Delete(at);
	kill(pid, SIGTERM);
	int wstatus = 0;
	waitpid(pid, &wstatus, 0);
	assert_true(WIFEXITED(wstatus));
	assert_int_equal(WEXITSTATUS(wstatus), 0);
	free(bad);
	free(url);
	e2e_down(&e);
}

static void test_an_unreachable_remote_is_a_failed_cycle_with_exit_1(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	const char *url = "file:///nonexistent/remote";
	fx_result r = fx_ciform(RECONCILE("--once"), e.env, NULL);
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "Z cycle 1: failed: fetch failed: "));
	fx_result_free(&r);
	cJSON *st = status();
	assert_string_equal(result_of(st), "error");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(st, "commit")));
	cJSON_Delete(st);
	e2e_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_plan_at_a_ref_reads_the_commit_not_the_dirty_work_tree),
		cmocka_unit_test(test_a_branch_that_is_not_checked_out_can_be_planned),
		cmocka_unit_test(test_the_json_plan_records_the_commit),
		cmocka_unit_test(test_errors_at_a_ref_name_files_relative_to_the_repository),
		cmocka_unit_test(test_reconcile_once_applies_from_a_file_remote_and_then_finds_nothing),
		cmocka_unit_test(test_reconcile_follows_a_new_commit),
		cmocka_unit_test(test_the_loop_reports_invalid_specs_applies_nothing_goes_on_and_stops_on_sigterm),
		cmocka_unit_test(test_an_unreachable_remote_is_a_failed_cycle_with_exit_1),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Apply as a script and an operator meet it: a JSON result on stdout, a
 * saved plan shown again, interrupts that finish the change in flight and
 * say what was not done, and long waits that say they are still waiting.
 */
#include "tests/e2e/scene.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TWO_TARGETS TARGET_DOC("web", "a") "---\n" TARGET_DOC("web", "b")
#define SYNCING_TARGET(name) TARGET_DOC("web", name) "spec:\n  env_vars: [{name: K, value: v}]\n"

static const char *str(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static void test_apply_format_json_prints_only_the_result_on_stdout(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	fx_write("t.yaml", TWO_TARGETS);
	fx_result r = cf(&e, ARGS("apply", "--yes", "--format", "json"));
	assert_int_equal(r.rc, 0);
	cJSON *res = cJSON_Parse(r.out);
	assert_non_null(res);
	assert_string_equal(str(res, "format_version"), "1");
	assert_string_equal(str(res, "result"), "applied");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(res, "error")));
	const cJSON *changes = cJSON_GetObjectItem(res, "changes");
	assert_int_equal(cJSON_GetArraySize(changes), 2);
	const cJSON *a = cJSON_GetArrayItem(changes, 0);
	assert_string_equal(str(a, "address"), "DeploymentTarget/web/a");
	assert_string_equal(str(a, "action"), "create");
	assert_string_equal(str(a, "outcome"), "applied");
	char *id = e2e_target_id(&e, P_WEB, "a");
	assert_string_equal(str(a, "id"), id);
	free(id);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(a, "error")));
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(res, "summary"), "applied")->valueint, 2);
	cJSON_Delete(res);
	/* people's lines go to stderr */
	assert_true(fx_contains(r.err, "  + DeploymentTarget/web/a (create)\n"));
	assert_true(fx_contains(r.err, "DeploymentTarget/web/b: create done\n"));
	assert_true(fx_contains(r.err, "Apply complete: 2 changes applied.\n"));
	fx_result_free(&r);
	r = cf(&e, ARGS("apply", "--yes", "--format", "json"));
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.out, "{\"format_version\":\"1\",\"result\":\"nothing\",\"error\":null,\"changes\":[],"
				   "\"summary\":{\"applied\":0,\"failed\":0,\"not_applied\":0}}\n");
	fx_result_free(&r);
	r = cf(&e, ARGS("apply", "--yes", "--format", "markdown"));
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "ciform: error: --format must be text or json, not 'markdown' "
				   "(see 'ciform apply --help')\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_apply_format_json_says_which_change_failed_and_which_did_not_run(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	fx_write("t.yaml", TWO_TARGETS);
	/* two reads, the create of a, then its first state poll is not sent */
	fx_result r = cf(&e, ARGS("apply", "--yes", "--format", "json", "--max-requests", "4", "--parallelism", "1"));
	assert_int_equal(r.rc, 1);
	cJSON *res = cJSON_Parse(r.out);
	assert_non_null(res);
	assert_string_equal(str(res, "result"), "failed");
	const cJSON *a = cJSON_GetArrayItem(cJSON_GetObjectItem(res, "changes"), 0);
	const cJSON *b = cJSON_GetArrayItem(cJSON_GetObjectItem(res, "changes"), 1);
	assert_string_equal(str(a, "outcome"), "failed");
	assert_true(fx_contains(str(a, "error"), "not sent: this run already made 4 requests"));
	assert_string_equal(str(b, "outcome"), "not_applied");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(b, "id")));
	const cJSON *sum = cJSON_GetObjectItem(res, "summary");
	assert_int_equal(cJSON_GetObjectItem(sum, "failed")->valueint, 1);
	assert_int_equal(cJSON_GetObjectItem(sum, "not_applied")->valueint, 1);
	cJSON_Delete(res);
	assert_true(fx_contains(r.err, "Not applied (1):\n  DeploymentTarget/web/b (create)\n"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_show_prints_a_saved_plan_as_plan_printed_it(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("{\"project\": \"web\", \"name\": \"a\", \"url\": \"https://old\", "
		   "\"subject_rules\": [{\"type\": \"ANY\"}]}, {\"project\": \"web\", \"name\": \"gone\"}", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "a") "  url: https://new\nspec:\n  subject_rules: [{type: AUTO}]\n"
		 "  env_vars: [{name: K, value: v}]\n---\n" TARGET_DOC("web", "b"));
	const char *formats[] = {"text", "json", "markdown"};
	for (size_t i = 0; i < 3; i++) {
		fx_result p = cf(&e, ARGS("plan", "--format", formats[i], "--out", "saved.json"));
		assert_int_equal(p.rc, 0);
		fx_result s = fx_ciform(ARGS("show", "saved.json", "--format", formats[i]), NULL, NULL);
		assert_int_equal(s.rc, 0);
		assert_string_equal(s.out, p.out);
		fx_result_free(&p);
		fx_result_free(&s);
	}
	fx_result s = fx_ciform(ARGS("show", "saved.json"), NULL, NULL);
	assert_true(fx_contains(s.out, "  ~ DeploymentTarget/web/a (update)\n"));
	assert_true(fx_contains(s.out, "  ? DeploymentTarget/web/gone\n"));
	fx_result_free(&s);
	fx_write("not-a-plan.json", "{\"plan\": {}}\n");
	s = fx_ciform(ARGS("show", "not-a-plan.json"), NULL, NULL);
	assert_int_equal(s.rc, 1);
	assert_string_equal(s.err, "ciform: error: not-a-plan.json: not a plan saved by ciform plan --out\n");
	fx_result_free(&s);
	e2e_down(&e);
}

/* Runs apply in the background, its output in log. */
static pid_t spawn_apply(e2e *e, const char *log)
{
	return fx_spawn(ARGS(CIFORM_BIN, "apply", "--yes", "--parallelism", "1"), e->env, log); /* one at a time */
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return cf_xstrdup("");
	char *buf = cf_xcalloc(1 << 16, 1);
	size_t n = fread(buf, 1, (1 << 16) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Waits until log says what (the test fails by its own timeout otherwise). */
static void wait_for(const char *log, const char *what)
{
	for (;;) {
		char *text = slurp(log);
		bool seen = fx_contains(text, what);
		free(text);
		if (seen)
			return;
		nanosleep(&(struct timespec){0, 20000000L}, NULL);
	}
}

static int exit_status(pid_t pid)
{
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return st;
}

static void three_syncing_targets(e2e *e)
{
	e2e_up(e, ORG("", "", ""), ARGS("--sync-ms", "1500"), NULL);
	fx_write("t.yaml", SYNCING_TARGET("a") "---\n" SYNCING_TARGET("b") "---\n" SYNCING_TARGET("c"));
}

static void assert_created(e2e *e, const char *name, bool created)
{
	char *id = e2e_target_id(e, P_WEB, name);
	assert_int_equal(strlen(id), created ? 36 : 0);
	free(id);
}

static void test_a_first_sigint_finishes_the_change_in_flight_and_lists_the_rest(void **state)
{
	(void)state;
	e2e e;
	three_syncing_targets(&e);
	pid_t pid = spawn_apply(&e, "apply.log");
	wait_for("apply.log", "DeploymentTarget/web/a: create...\n");
	kill(pid, SIGINT);
	int st = exit_status(pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 130);
	char *log = slurp("apply.log");
	assert_true(fx_contains(log, "DeploymentTarget/web/a: create done\n"));
	assert_true(fx_contains(log, "ciform: error: interrupted by SIGINT: 2 of 3 changes not started\n"
				     "Applied (1):\n  DeploymentTarget/web/a (create)\n"
				     "Not applied (2):\n  DeploymentTarget/web/b (create)\n  DeploymentTarget/web/c (create)\n"));
	assert_false(fx_contains(log, "DeploymentTarget/web/b: create..."));
	free(log);
	assert_created(&e, "a", true);
	assert_created(&e, "b", false);
	/* applied again, it converges */
	fx_result r = cf(&e, ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "Plan: 2 to create,"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_sigterm_during_apply_exits_143_after_the_change_in_flight(void **state)
{
	(void)state;
	e2e e;
	three_syncing_targets(&e);
	pid_t pid = spawn_apply(&e, "apply.log");
	wait_for("apply.log", "DeploymentTarget/web/a: create...\n");
	kill(pid, SIGTERM);
	int st = exit_status(pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 143);
	char *log = slurp("apply.log");
	assert_true(fx_contains(log, "ciform: error: interrupted by SIGTERM: 2 of 3 changes not started\n"));
	free(log);
	assert_created(&e, "a", true);
	assert_created(&e, "c", false);
	e2e_down(&e);
}

static void test_a_second_sigint_stops_at_once(void **state)
{
	(void)state;
	e2e e;
	three_syncing_targets(&e);
	pid_t pid = spawn_apply(&e, "apply.log");
	wait_for("apply.log", "DeploymentTarget/web/a: create...\n");
	kill(pid, SIGINT);
	wait_for("apply.log", "interrupt again to stop at once");
	kill(pid, SIGINT);
	int st = exit_status(pid);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGINT);
	char *log = slurp("apply.log");
	assert_false(fx_contains(log, "DeploymentTarget/web/a: create done"));
	free(log);
	assert_created(&e, "b", false);
	e2e_down(&e);
}

static void test_a_long_sync_says_every_30_seconds_that_it_still_waits(void **state)
{
	(void)state;
	e2e e;
	e2e_up(&e, ORG("", "", ""), ARGS("--sync-ms", "31500"), NULL);
	fx_write("t.yaml", SYNCING_TARGET("a"));
	fx_result r = cf(&e, ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "DeploymentTarget/web/a: create...\nDeploymentTarget/web/a: still "));
	assert_true(fx_contains(r.out, " after 30 s\nDeploymentTarget/web/a: create done\n"));
	fx_result_free(&r);
	e2e_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply_format_json_prints_only_the_result_on_stdout),
		cmocka_unit_test(test_apply_format_json_says_which_change_failed_and_which_did_not_run),
		cmocka_unit_test(test_show_prints_a_saved_plan_as_plan_printed_it),
		cmocka_unit_test(test_a_first_sigint_finishes_the_change_in_flight_and_lists_the_rest),
		cmocka_unit_test(test_sigterm_during_apply_exits_143_after_the_change_in_flight),
		cmocka_unit_test(test_a_second_sigint_stops_at_once),
		cmocka_unit_test(test_a_long_sync_says_every_30_seconds_that_it_still_waits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

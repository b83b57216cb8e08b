/*
 * CircleCI under faults, with the whole example set (specs-examples/circleci
 * and its sandbox-seed.json): an apply killed after its 1st, 2nd, ... last
 * write (the sandbox's --freeze-after-writes kill point), then run again,
 * converges with no duplicates; and an apply whose every 2nd or 3rd write
 * answer is lost after the server carried it out (--lose-every) adopts what
 * it created instead of posting it again. The number of writes is measured
 * from a clean run, so the test follows the example set as kinds join it.
 */
#include "tests/e2e/test_circleci.h"
#include "tests/e2e/faults.h"

#define EXAMPLES CIFORM_SOURCE_DIR "/specs-examples/circleci"
#define APPLY "apply", EXAMPLES, "--yes", "--registration-token-dir", "tokens"
#define NO_CHANGES "No changes. Live state matches the specs.\n"

/* The example organisation, kept in state.json; more: further sandbox args. */
static void start(e2e *e, const char *const *more)
{
	const char *args[16] = {"--api", "circleci", "--record", "requests.jsonl", "--state", "state.json"};
	size_t n = 6;
	for (size_t i = 0; more && more[i] && n < 15; i++)
		args[n++] = more[i];
	char *seed = fl_read(EXAMPLES "/sandbox-seed.json");
	e2e_up(e, seed, args, NULL);
	free(seed);
	snprintf(host_env, sizeof(host_env), "CIRCLECI_HOST=%s", e->sb.url);
}

/* The same organisation (state.json) served again; every: --lose-every N, or NULL. */
static void serve_again(e2e *e, const char *every)
{
	fx_sandbox_stop(&e->sb);
	const char *args[10] = {"--api", "circleci", "--record", "requests.jsonl", "--state", "state.json",
				every ? "--lose-every" : NULL, every};
	fx_sandbox_start(&e->sb, args);
	snprintf(host_env, sizeof(host_env), "CIRCLECI_HOST=%s", e->sb.url);
}

static void restart(e2e *e)
{
	serve_again(e, NULL);
}

static void refault(void *scene, const char *every)
{
	serve_again(scene, every);
}

static void expect_run(const char *const *args, int rc, const char *out_has, const char *when)
{
	fx_result r = run(args);
	if (r.rc != rc || (out_has && !fx_contains(r.out, out_has)))
		fail_msg("%s: %s exited %d (wanted %d%s%s):\n%s\n%s", when, args[0], r.rc, rc, out_has ? " and " : "",
			 out_has ? out_has : "", r.err, fl_tail(r.out));
	fx_result_free(&r);
}

/* How many writes a full apply of the examples makes, from a clean start. */
static int writes_of_a_full_apply(void)
{
	e2e e;
	start(&e, NULL);
	expect_run(ARGS(APPLY), 0, NULL, "a clean apply");
	int w = fl_stat(&e.sb, "writes");
	e2e_down(&e);
	return w;
}

static void test_an_apply_killed_after_any_write_converges_on_rerun_without_duplicates(void **state)
{
	(void)state;
	int writes = writes_of_a_full_apply();
	assert_true(writes >= 5); /* a context, its restrictions and variables, project variables, settings */
	for (int k = 1; k <= writes; k++) {
		char when[64], kstr[16];
		snprintf(when, sizeof(when), "killed after write %d of %d", k, writes);
		snprintf(kstr, sizeof(kstr), "%d", k);
		e2e e;
		start(&e, ARGS("--freeze-after-writes", kstr));
		int pid = fx_spawn((const char *const[]){CIFORM_BIN, APPLY, NULL}, cci_env, "apply.log");
		bool killed = fl_kill_at(&e.sb, pid, k);
		assert_true(killed || k == writes); /* only the last write may end the apply first */
		restart(&e);
		expect_run(ARGS(APPLY), 0, NULL, when);
		expect_run(ARGS("plan", EXAMPLES), 0, NO_CHANGES, when);
		char *dupes = fl_state_dupes("state.json", "circleci");
		if (*dupes)
			fail_msg("%s: duplicates in the sandbox:\n%s", when, dupes);
		free(dupes);
		e2e_down(&e);
	}
}

static fx_result run_in(void *scene, const char *const *args)
{
	(void)scene; /* the connection is in cci_env */
	return run(args);
}

/* An apply whose every nth write answer is lost converges (faults.h fl_converge). */
static void lost_answers_converge(const char *every)
{
	e2e e;
	start(&e, ARGS("--lose-every", every));
	fl_converge(run_in, refault, &e, &e.sb, atoi(every), ARGS(APPLY), ARGS("plan", EXAMPLES));
	fl_expect_none(fl_state_dupes("state.json", "circleci"), "duplicates in the sandbox");
	fl_expect_none(fl_repeated_posts("requests.jsonl"), "POSTs sent again after a lost answer");
	e2e_down(&e);
}

static void test_every_second_write_answer_lost_converges_without_a_second_post(void **state)
{
	(void)state;
	lost_answers_converge("2");
}

static void test_every_third_write_answer_lost_converges_without_a_second_post(void **state)
{
	(void)state;
	lost_answers_converge("3");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_an_apply_killed_after_any_write_converges_on_rerun_without_duplicates),
		cmocka_unit_test(test_every_second_write_answer_lost_converges_without_a_second_post),
		cmocka_unit_test(test_every_third_write_answer_lost_converges_without_a_second_post),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

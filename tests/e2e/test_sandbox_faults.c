/*
 * Semaphore's example set (specs-examples/semaphore) under the sandbox's
 * fault modes that act after the server: an apply whose every 2nd or 3rd
 * write answer is lost after the server carried it out (--lose-every)
 * converges, with no duplicates and no creation posted twice blindly (one
 * run may fail, only over an agent type whose one-time registration token
 * was in the lost answer: the next run replaces it);
 * and an apply killed at a deterministic point (--freeze-after-writes)
 * converges when run again. (test_faults.c covers the faults that act
 * before the server: --fail-every, --fault.)
 */
#include "tests/e2e/faults.h"

#define EXAMPLES CIFORM_SOURCE_DIR "/specs-examples/semaphore"
#define SECRETS "WEB_APP_DEPLOY_TOKEN=fault-web-token", "PAYMENTS_API_KEY=fault-pay-key"
#define APPLY "apply", EXAMPLES, "--yes", "--registration-token-dir", "tokens"
#define NO_CHANGES "No changes. Live state matches the specs.\n"
#define SANDBOX_ARGS "--record", "requests.jsonl", "--state", "state.json"

static void start(e2e *e, const char *flag, const char *n)
{
	char *seed = fl_read(EXAMPLES "/sandbox-seed.json");
	e2e_up(e, seed, ARGS(SANDBOX_ARGS, flag, n), ARGS(SECRETS));
	free(seed);
}

/* The same organisation (state.json) served again; every: --lose-every N, or NULL. */
static void serve_again(e2e *e, const char *every)
{
	fx_sandbox_stop(&e->sb);
	const char *args[10] = {"--sync-ms", "50", SANDBOX_ARGS, every ? "--lose-every" : NULL, every};
	fx_sandbox_start(&e->sb, args);
	snprintf(e->url_env, sizeof(e->url_env), "SEMAPHORE_ORG_URL=%s", e->sb.url);
}

static void restart(e2e *e)
{
	serve_again(e, NULL);
}

static void refault(void *scene, const char *every)
{
	serve_again(scene, every);
}

static void expect_run(e2e *e, const char *const *args, int rc, const char *out_has, const char *when)
{
	fx_result r = cf(e, args);
	if (r.rc != rc || (out_has && !fx_contains(r.out, out_has)))
		fail_msg("%s: %s exited %d (wanted %d%s%s):\n%s\n%s", when, args[0], r.rc, rc, out_has ? " and " : "",
			 out_has ? out_has : "", r.err, fl_tail(r.out));
	fx_result_free(&r);
}

static fx_result run_in(void *scene, const char *const *args)
{
	return cf(scene, args);
}

/* Applied under the fault until converged (faults.h fl_converge): a run
 * may fail only over an agent type whose one-time registration token was
 * in a lost answer, which the next run replaces. */
static void lost_answers_converge(const char *every)
{
	e2e e;
	start(&e, "--lose-every", every);
	fl_converge(run_in, refault, &e, &e.sb, atoi(every), ARGS(APPLY), ARGS("plan", EXAMPLES));
	fl_expect_none(fl_state_dupes("state.json", NULL), "duplicates in the sandbox");
	fl_expect_none(fl_repeated_posts("requests.jsonl"), "POSTs sent again after a lost answer");
	e2e_down(&e);
}

static void test_semaphore_examples_with_every_second_write_answer_lost_converge(void **state)
{
	(void)state;
	lost_answers_converge("2");
}

static void test_semaphore_examples_with_every_third_write_answer_lost_converge(void **state)
{
	(void)state;
	lost_answers_converge("3");
}

/* Killed after a few writes, mid-apply (the parallel workers at work). */
static void test_semaphore_examples_killed_after_write_5_converge_on_rerun(void **state)
{
	(void)state;
	e2e e;
	start(&e, "--freeze-after-writes", "5");
	int pid = fx_spawn((const char *const[]){CIFORM_BIN, APPLY, NULL}, e.env, "apply.log");
	assert_true(fl_kill_at(&e.sb, pid, 5));
	restart(&e);
	expect_run(&e, ARGS(APPLY), 0, NULL, "the rerun");
	expect_run(&e, ARGS("plan", EXAMPLES), 0, NO_CHANGES, "the plan after it");
	fl_expect_none(fl_state_dupes("state.json", NULL), "duplicates in the sandbox");
	e2e_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_semaphore_examples_with_every_second_write_answer_lost_converge),
		cmocka_unit_test(test_semaphore_examples_with_every_third_write_answer_lost_converge),
		cmocka_unit_test(test_semaphore_examples_killed_after_write_5_converge_on_rerun),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Buildkite under faults, with the whole example set (specs-examples/
 * buildkite and its sandbox-seed.json): an apply killed after its 1st,
 * 2nd, ... last write (the sandbox's --freeze-after-writes kill point), then
 * run again, converges with no duplicates; and an apply whose every 2nd or
 * 3rd write answer is lost after the server carried it out (--lose-every)
 * adopts what it created instead of posting it again. The number of writes
 * is measured from a clean run, so the test follows the example set as
 * kinds join it.
 */
#include "tests/e2e/test_buildkite.h"
#include "tests/e2e/faults.h"

#define EXAMPLES CIFORM_SOURCE_DIR "/specs-examples/buildkite"
#define APPLY "apply", EXAMPLES, "--yes", "--registration-token-dir", "tokens"
#define NO_CHANGES "No changes. Live state matches the specs.\n"
#define PIPELINES "/v2/organizations/acme/pipelines"

/* The example organisation, kept in state.json; more: further sandbox args. */
static void start(bk *b, const char *const *more)
{
	const char *args[12] = {"--state", "state.json"};
	size_t n = 2;
	for (size_t i = 0; more && more[i] && n < 11; i++)
		args[n++] = more[i];
	char *seed = slurp(EXAMPLES "/sandbox-seed.json");
	bk_up(b, seed, args);
	free(seed);
}

/* The same organisation (state.json) served again; every: --lose-every N, or NULL. */
static void serve_again(bk *b, const char *every)
{
	fx_sandbox_stop(&b->sb);
	const char *args[10] = {"--api", "buildkite", "--record", "requests.jsonl", "--state", "state.json",
				every ? "--lose-every" : NULL, every};
	fx_sandbox_start(&b->sb, args);
	snprintf(b->url_env, sizeof(b->url_env), "BUILDKITE_API_URL=%s", b->sb.url);
}

static void restart(bk *b)
{
	serve_again(b, NULL);
}

static void refault(void *scene, const char *every)
{
	serve_again(scene, every);
}

static void expect_run(bk *b, const char *const *args, int rc, const char *out_has, const char *when)
{
	fx_result r = run(b, args);
	if (r.rc != rc || (out_has && !fx_contains(r.out, out_has)))
		fail_msg("%s: %s exited %d (wanted %d%s%s):\n%s\n%s", when, args[0], r.rc, rc, out_has ? " and " : "",
			 out_has ? out_has : "", r.err, fl_tail(r.out));
	fx_result_free(&r);
}

/* How many writes a full apply of the examples makes, from a clean start. */
static int writes_of_a_full_apply(void)
{
	bk b;
	start(&b, NULL);
	expect_run(&b, ARGS(APPLY), 0, NULL, "a clean apply");
	int w = fl_stat(&b.sb, "writes");
	bk_down(&b);
	return w;
}

static void test_an_apply_killed_after_any_write_converges_on_rerun_without_duplicates(void **state)
{
	(void)state;
	int writes = writes_of_a_full_apply();
	assert_true(writes >= 4); /* the cluster, a queue, the pipeline, its schedule, the settings */
	for (int k = 1; k <= writes; k++) {
		char when[64], kstr[16];
		snprintf(when, sizeof(when), "killed after write %d of %d", k, writes);
		snprintf(kstr, sizeof(kstr), "%d", k);
		bk b;
		start(&b, ARGS("--freeze-after-writes", kstr));
		int pid = fx_spawn((const char *const[]){CIFORM_BIN, APPLY, NULL}, b.env, "apply.log");
		bool killed = fl_kill_at(&b.sb, pid, k);
		assert_true(killed || k == writes); /* only the last write may end the apply first */
		restart(&b);
		expect_run(&b, ARGS(APPLY), 0, NULL, when);
		expect_run(&b, ARGS("plan", EXAMPLES), 0, NO_CHANGES, when);
		char *dupes = fl_state_dupes("state.json", "buildkite");
		if (*dupes)
			fail_msg("%s: duplicates in the sandbox:\n%s", when, dupes);
		free(dupes);
		bk_down(&b);
	}
}

static fx_result run_in(void *scene, const char *const *args)
{
	return run(scene, args);
}

/* An apply whose every nth write answer is lost converges (faults.h fl_converge). */
static void lost_answers_converge(const char *every)
{
	bk b;
	start(&b, ARGS("--lose-every", every));
	fl_converge(run_in, refault, &b, &b.sb, atoi(every), ARGS(APPLY), ARGS("plan", EXAMPLES));
	fl_expect_none(fl_state_dupes("state.json", "buildkite"), "duplicates in the sandbox");
	fl_expect_none(fl_repeated_posts("requests.jsonl"), "POSTs sent again after a lost answer");
	char *posts = bodies("POST", PIPELINES);
	assert_true(*posts && !strchr(posts, '\n')); /* the example pipeline, posted once */
	free(posts);
	bk_down(&b);
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

/*
 * The CircleCI RunnerResourceClass and RunnerToken kinds end to end: the
 * real ciform binary against `ciform-sandbox --api circleci` (its runner
 * routes): validate's positions, the exact requests apply sends, token
 * values kept in 0600 files and never printed, the pending-marker cases,
 * the description note, prune scopes, the class delete's 409, forceDelete
 * and the wait for running tasks, export round trips, the runner host
 * setting, and failing requests converging without duplicates.
 */
#include "tests/e2e/test_circleci.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define C1 "c1000000-0000-4000-8000-000000000001"
#define T1 "71000000-0000-4000-8000-000000000001"
#define T2 "71000000-0000-4000-8000-000000000002"
#define SEED(classes, tokens, more)                                                                              \
	"{\"circleci\": {\"collaborations\": [{\"id\": \"" ORG_ID "\", \"name\": \"acme\", \"slug\": \"gh/acme\"}],"   \
	" \"runner_namespaces\": [{\"name\": \"acme\", \"org_id\": \"" ORG_ID "\"}, {\"name\": \"other\", "            \
	"\"org_id\": \"" ORG_ID "\"}], \"runner_classes\": [" classes "], \"runner_tokens\": [" tokens "]" more "}}"
#define CLASS(id, name, desc) "{\"id\": \"" id "\", \"resource_class\": \"" name "\", \"description\": \"" desc "\"}"
#define TOKEN(id, cls, nick)                                                                                       \
	"{\"id\": \"" id "\", \"resource_class\": \"" cls "\", \"nickname\": \"" nick "\", \"token\": "                \
	"\"live-secret-value\", \"created_at\": \"2026-01-01T00:00:00Z\"}"
#define CLASS_DOC(meta, spec) "apiVersion: circleci/v1\nkind: RunnerResourceClass\nmetadata: " meta "\nspec: " spec "\n"
#define TOKEN_DOC(meta) "apiVersion: circleci/v1\nkind: RunnerToken\nmetadata: " meta "\n"
#define DIR "state/ciform/registration-tokens/circleci/acme/linux"

static char state_env[320];
static const char *renv[] = {host_env, "CIRCLECI_TOKEN=" TEST_TOKEN, state_env, NULL};

static void rup(e2e *e, const char *seed, const char *const *more)
{
	cci_up(e, seed, more);
	snprintf(state_env, sizeof(state_env), "%s", e->state_env);
}

static fx_result rrun(const char *const *args)
{
	return fx_ciform(args, renv, NULL);
}

static void expect_run(const char *const *args, int rc, const char *out_has, const char *err_has)
{
	fx_result r = rrun(args);
	if (r.rc != rc || (out_has && !fx_contains(r.out, out_has)) || (err_has && !fx_contains(r.err, err_has)))
		fail_msg("wanted rc %d, '%s' / '%s'; got rc %d\n%s\n%s", rc, out_has ? out_has : "",
			 err_has ? err_has : "", r.rc, r.out, r.err);
	fx_result_free(&r);
}

static void expect_requests(const char *method, const char *prefix, const char *want)
{
	char *got = requests(method, prefix);
	assert_string_equal(got, want);
	free(got);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char buf[4096];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return cf_xstrdup(buf);
}

static cJSON *stopped_state(e2e *e, const char *key)
{
	fx_sandbox_stop(&e->sb);
	char *text = slurp("state.json");
	cJSON *st = cJSON_Parse(text), *out = cJSON_DetachItemFromObject(cJSON_GetObjectItem(st, "circleci"), key);
	cJSON_Delete(st);
	free(text);
	return out;
}

static void test_a_class_name_without_a_namespace_is_refused_at_its_position(void **state)
{
	(void)state;
	assert_problem(CLASS_DOC("{name: linux}", "{}"), "c.yaml:3:18: metadata.name: 'linux' is not a resource class");
}

static void test_force_delete_must_be_a_boolean(void **state)
{
	(void)state;
	assert_problem(CLASS_DOC("{name: acme/linux}", "{forceDelete: sometimes}"), "c.yaml:4:21: spec.forceDelete: must be true or false");
}

static void test_a_token_needs_a_class_and_a_nickname_at_their_positions(void **state)
{
	(void)state;
	assert_problem(TOKEN_DOC("{resourceClass: linux, nickname: host-1}"),
		       "c.yaml:3:27: metadata.resourceClass: 'linux' is not a resource class");
	assert_problem(TOKEN_DOC("{resourceClass: acme/linux}"), "c.yaml:3:11: metadata: missing required key 'nickname'");
}

static void test_a_token_value_in_a_manifest_is_refused(void **state)
{
	(void)state;
	assert_problem(TOKEN_DOC("{resourceClass: acme/linux, nickname: h}") "spec: {token: abc}\n", "c.yaml:4:8: unknown key 'token' in spec");
}

static void test_a_class_and_its_token_are_created_with_exact_bodies_and_the_value_kept_private(void **state)
{
	(void)state;
	e2e e;
	rup(&e, SEED("", "", ""), NULL);
	fx_write("r.yaml", CLASS_DOC("{name: acme/linux}", "{description: Linux hosts}") "---\n"
		 TOKEN_DOC("{resourceClass: acme/linux, nickname: host-1}"));
	expect_run(ARGS("plan", "r.yaml"), 0, "  + RunnerResourceClass/acme/linux (create)\n      spec.description: \"Linux "
		   "hosts\"\n      # spec.description is written at creation only", NULL);
	fx_result r = rrun(ARGS("apply", "--yes", "r.yaml"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "runner token written to ");
	expect_requests("POST", "/api/v3/runner/",
			"POST /api/v3/runner/resource {\"resource_class\":\"acme/linux\",\"description\":\"Linux hosts\"}\n"
			"POST /api/v3/runner/token {\"resource_class\":\"acme/linux\",\"nickname\":\"host-1\"}\n");
	char *value = slurp(DIR "/host-1.token");
	value[strcspn(value, "\n")] = '\0';
	assert_true(strlen(value) >= 20);
	assert_false(fx_contains(r.out, value) || fx_contains(r.err, value));
	fx_result_free(&r);
	struct stat st;
	assert_int_equal(stat(DIR "/host-1.token", &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(DIR, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_not_equal(stat(DIR "/host-1.token.pending", &st), 0);
	r = rrun(ARGS("plan", "r.yaml", "--out", "p.plan", "--format", "json"));
	assert_int_equal(r.rc, 0);
	char *saved = slurp("p.plan");
	assert_false(fx_contains(r.out, value) || fx_contains(r.err, value) || fx_contains(saved, value));
	free(saved);
	fx_result_free(&r);
	free(value);
	expect_run(ARGS("drift", "r.yaml"), 0, "No changes.", NULL);
	e2e_down(&e);
}

/* The token list of a class that is gone answers 404 (the class does not
 * exist or is not the caller's): manifests that ask for it to be gone have
 * nothing to do, without a problem and without a request. */
static void test_a_class_and_token_deleted_with_ensure_absent_plan_no_changes_afterwards(void **state)
{
	(void)state;
	e2e e;
	rup(&e, SEED("", "", ""), NULL);
	fx_write("rt/r.yaml", CLASS_DOC("{name: acme/tmp-class}", "{}") "---\n"
		 TOKEN_DOC("{resourceClass: acme/tmp-class, nickname: h1}"));
	expect_run(ARGS("apply", "rt", "--yes"), 0, "Apply complete: 2 changes applied.", NULL);
	fx_write("rt/r.yaml", CLASS_DOC("{name: acme/tmp-class, ensure: absent}", "{}") "---\n"
		 TOKEN_DOC("{resourceClass: acme/tmp-class, nickname: h1, ensure: absent}"));
	expect_run(ARGS("apply", "rt", "--yes"), 0, "Apply complete: 2 changes applied.", NULL);
	fx_result r = rrun(ARGS("plan", "rt"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "No changes. Live state matches the specs.\n");
	assert_string_equal(r.err, "");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_an_absent_token_of_a_missing_class_plans_nothing_to_do(void **state)
{
	(void)state;
	e2e e;
	rup(&e, SEED("", "", ""), NULL);
	fx_write("r.yaml", TOKEN_DOC("{resourceClass: acme/gone, nickname: h1, ensure: absent}"));
	fx_result r = rrun(ARGS("apply", "r.yaml", "--yes"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "No changes. Live state matches the specs.\n");
	assert_string_equal(r.err, "");
	fx_result_free(&r);
	expect_requests("GET", "/api/v3/runner/token", "GET /api/v3/runner/token null\n");
	expect_requests("DELETE", "/api/v3/", "");
	e2e_down(&e);
}

static void test_a_present_token_of_a_missing_class_is_a_plan_error_at_its_class(void **state)
{
	(void)state;
	e2e e;
	rup(&e, SEED("", "", ""), NULL);
	fx_write("r.yaml", TOKEN_DOC("{resourceClass: acme/gone, nickname: h1}"));
	fx_result r = rrun(ARGS("plan", "r.yaml"));
	assert_int_equal(r.rc, 1);
	expect_in(r.err, "r.yaml:3:27: metadata.resourceClass: no runner resource class acme/gone the token can see, "
			 "and no RunnerResourceClass manifest creates it\n");
	expect_in(r.err, "1 problem in the specs");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_differing_description_is_a_note_not_drift(void **state)
{
	(void)state;
	e2e e;
	rup(&e, SEED(CLASS(C1, "acme/linux", "old words"), "", ""), NULL);
	fx_write("r.yaml", CLASS_DOC("{name: acme/linux}", "{description: new words}"));
	expect_run(ARGS("drift", "r.yaml"), 0, "RunnerResourceClass/acme/linux: its description is \"old words\", not "
		   "the spec's \"new words\"", NULL);
	expect_requests("POST", "/api/v3/", "");
	e2e_down(&e);
}

static void test_prune_covers_classes_of_a_namespace_and_tokens_of_a_class_with_a_manifest(void **state)
{
	(void)state;
	e2e e;
	rup(&e, SEED(CLASS(C1, "acme/linux", "") ", " CLASS("c2", "acme/stray", "") ", " CLASS("c3", "other/mac", ""),
		    TOKEN(T1, "acme/linux", "old-host") ", " TOKEN(T2, "acme/stray", "s1"), ""), NULL);
	fx_write("r.yaml", CLASS_DOC("{name: acme/linux}", "{}") "---\n" TOKEN_DOC("{resourceClass: acme/linux, nickname: host-1}"));
	fx_result r = rrun(ARGS("plan", "r.yaml"));
	expect_in(r.out, "  ? RunnerResourceClass/acme/stray\n  ? RunnerToken/acme/linux/old-host\n");
	assert_false(fx_contains(r.out, "other/mac") || fx_contains(r.out, "s1"));
	fx_result_free(&r);
	/* the stray class keeps its token (no token manifest of it): 409, named */
	expect_run(ARGS("apply", "--yes", "--prune", "r.yaml"), 1, NULL,
		   "RunnerResourceClass/acme/stray: CircleCI refuses to delete the class while tokens remain (409): s1.");
	expect_requests("DELETE", "/api/v3/runner/", "DELETE /api/v3/runner/token/" T1 " null\n"
			"DELETE /api/v3/runner/resource/c2 null\n");
	e2e_down(&e);
}

static void test_a_new_nickname_creates_a_token_and_prune_deletes_the_old_one(void **state)
{
	(void)state;
	e2e e;
	rup(&e, SEED(CLASS(C1, "acme/linux", ""), TOKEN(T1, "acme/linux", "host-1"), ""), NULL);
	assert_int_equal(system("mkdir -p " DIR " && printf 'v\\n' > " DIR "/host-1.token"), 0);
	fx_write("r.yaml", TOKEN_DOC("{resourceClass: acme/linux, nickname: host-2}"));
	expect_run(ARGS("apply", "--yes", "r.yaml"), 0, "  ? RunnerToken/acme/linux/host-1\n", NULL);
	expect_requests("DELETE", "/api/v3/", "");
	expect_run(ARGS("apply", "--yes", "--prune", "r.yaml"), 0, "  - RunnerToken/acme/linux/host-1 (delete)", NULL);
	expect_requests("DELETE", "/api/v3/", "DELETE /api/v3/runner/token/" T1 " null\n");
	assert_int_not_equal(access(DIR "/host-1.token", F_OK), 0); /* a revoked value's file goes too */
	assert_int_equal(access(DIR "/host-2.token", F_OK), 0);
	e2e_down(&e);
}

static void test_a_marker_with_a_live_token_and_no_file_deletes_and_recreates_it(void **state)
{
	(void)state;
	e2e e;
	rup(&e, SEED(CLASS(C1, "acme/linux", ""), TOKEN(T1, "acme/linux", "host-1"), ""), NULL);
	assert_int_equal(system("mkdir -p " DIR " && : > " DIR "/host-1.token.pending"), 0);
	fx_write("r.yaml", TOKEN_DOC("{resourceClass: acme/linux, nickname: host-1}"));
	expect_run(ARGS("drift", "r.yaml"), 2, "lost: an earlier apply created it, but its value never reached", NULL);
	expect_run(ARGS("apply", "--yes", "r.yaml"), 0, NULL, NULL);
	expect_requests("DELETE", "/api/v3/", "DELETE /api/v3/runner/token/" T1 " null\n");
	expect_requests("POST", "/api/v3/", "POST /api/v3/runner/token {\"resource_class\":\"acme/linux\",\"nickname\":\"host-1\"}\n");
	assert_int_equal(access(DIR "/host-1.token", F_OK), 0);
	assert_int_not_equal(access(DIR "/host-1.token.pending", F_OK), 0);
	expect_run(ARGS("drift", "r.yaml"), 0, "No changes.", NULL);
	e2e_down(&e);
}

static void test_a_live_token_without_file_or_marker_is_left_alone_with_a_note(void **state)
{
	(void)state;
	e2e e;
	rup(&e, SEED(CLASS(C1, "acme/linux", ""), TOKEN(T1, "acme/linux", "host-1"), ""), NULL);
	fx_write("r.yaml", TOKEN_DOC("{resourceClass: acme/linux, nickname: host-1}"));
	expect_run(ARGS("drift", "r.yaml"), 0, "RunnerToken/acme/linux/host-1: value not available here", NULL);
	expect_run(ARGS("apply", "--yes", "r.yaml"), 0, "No changes.", NULL);
	expect_requests("POST", "/api/v3/", "");
	expect_requests("DELETE", "/api/v3/", "");
	e2e_down(&e);
}

static void test_a_token_whose_file_is_in_the_given_directory_has_its_value_here(void **state)
{
	(void)state;
	e2e e;
	rup(&e, SEED(CLASS(C1, "acme/linux", ""), TOKEN(T1, "acme/linux", "host-1"), ""), NULL);
	assert_int_equal(system("mkdir -p mine/circleci/acme/linux && echo v > mine/circleci/acme/linux/host-1.token"), 0);
	fx_write("r.yaml", TOKEN_DOC("{resourceClass: acme/linux, nickname: host-1}"));
	fx_result r = rrun(ARGS("drift", "--registration-token-dir", "mine", "r.yaml"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "No changes.");
	assert_false(fx_contains(r.out, "value not available here"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_marker_without_a_live_token_is_a_plain_create(void **state)
{
	(void)state;
	e2e e;
	rup(&e, SEED(CLASS(C1, "acme/linux", ""), "", ""), NULL);
	assert_int_equal(system("mkdir -p " DIR " && : > " DIR "/host-1.token.pending"), 0);
	fx_write("r.yaml", TOKEN_DOC("{resourceClass: acme/linux, nickname: host-1}"));
	expect_run(ARGS("plan", "r.yaml"), 0, "  + RunnerToken/acme/linux/host-1 (create)\n", NULL);
	expect_run(ARGS("apply", "--yes", "r.yaml"), 0, "runner token written to", NULL);
	assert_int_not_equal(access(DIR "/host-1.token.pending", F_OK), 0);
	e2e_down(&e);
}

static void test_a_token_whose_value_cannot_be_written_is_deleted_at_once(void **state)
{
	(void)state;
	e2e e;
	rup(&e, SEED(CLASS(C1, "acme/linux", ""), "", ""), ARGS("--state", "state.json"));
	/* a directory where the value's file goes: the rename onto it fails */
	assert_int_equal(system("mkdir -p " DIR "/host-1.token"), 0);
	fx_write("r.yaml", TOKEN_DOC("{resourceClass: acme/linux, nickname: host-1}"));
	expect_run(ARGS("apply", "--yes", "r.yaml"), 1, NULL, "the token could not be written");
	char *posts = requests("POST", "/api/v3/runner/token"), *dels = requests("DELETE", "/api/v3/runner/token/");
	assert_true(fx_contains(posts, "POST /api/v3/runner/token "));
	assert_true(fx_contains(dels, "DELETE /api/v3/runner/token/"));
	free(posts);
	free(dels);
	cJSON *tokens = stopped_state(&e, "runner_tokens");
	assert_int_equal(cJSON_GetArraySize(tokens), 0);
	cJSON_Delete(tokens);
	e2e_down(&e);
}

static void test_force_delete_deletes_the_class_with_its_tokens(void **state)
{
	(void)state;
	e2e e;
	rup(&e, SEED(CLASS(C1, "acme/linux", ""), TOKEN(T1, "acme/linux", "h"), ""), NULL);
	fx_write("r.yaml", CLASS_DOC("{name: acme/linux, ensure: absent}", "{forceDelete: true}"));
	expect_run(ARGS("apply", "--yes", "r.yaml"), 0, "  - RunnerResourceClass/acme/linux (delete)", NULL);
	expect_requests("DELETE", "/api/v3/", "DELETE /api/v3/runner/resource/" C1 "/force null\n");
	e2e_down(&e);
}

static void test_a_class_delete_waits_while_tasks_run(void **state)
{
	(void)state;
	e2e e;
	rup(&e, SEED(CLASS(C1, "acme/linux", ""), "", ", \"runner_running\": {\"acme/linux\": 2}"), NULL);
	fx_write("r.yaml", CLASS_DOC("{name: acme/linux, ensure: absent}", "{}"));
	expect_run(ARGS("apply", "--yes", "r.yaml"), 0, NULL, NULL);
	/* the sandbox's count answers 2, 1, then 0; the DELETE only then */
	char *gets = requests("GET", "/api/v3/runner/tasks/running");
	assert_string_equal(gets, "GET /api/v3/runner/tasks/running null\nGET /api/v3/runner/tasks/running null\n"
			    "GET /api/v3/runner/tasks/running null\n");
	free(gets);
	FILE *f = fopen("requests.jsonl", "r");
	char line[4096], last[4096] = "";
	while (fgets(line, sizeof(line), f))
		snprintf(last, sizeof(last), "%s", line);
	fclose(f);
	assert_true(fx_contains(last, "\"DELETE\"") && fx_contains(last, "/api/v3/runner/resource/" C1));
	e2e_down(&e);
}

static void test_a_class_delete_gives_up_after_the_wait_timeout(void **state)
{
	(void)state;
	e2e e;
	rup(&e, SEED(CLASS(C1, "acme/linux", ""), "", ", \"runner_running\": {\"acme/linux\": 1000}"), NULL);
	fx_write("r.yaml", CLASS_DOC("{name: acme/linux, ensure: absent}", "{}"));
	expect_run(ARGS("apply", "--yes", "--wait-timeout", "1", "r.yaml"), 1, NULL,
		   "RunnerResourceClass/acme/linux: tasks still run on it after the wait timeout");
	expect_requests("DELETE", "/api/v3/", "");
	e2e_down(&e);
}

static void test_exported_classes_and_tokens_plan_unchanged(void **state)
{
	(void)state;
	e2e e;
	rup(&e, SEED(CLASS(C1, "acme/linux", "Linux hosts") ", " CLASS("c3", "other/mac", ""),
		    TOKEN(T1, "acme/linux", "host-1"), ""), NULL);
	expect_run(ARGS("export", "--runner-namespace", "acme", "--dir", "out"), 0, NULL, NULL);
	char *cls = slurp("out/runner-acme/class-linux.yaml"), *tok = slurp("out/runner-acme/token-linux-host-1.yaml");
	expect_in(cls, "name: acme/linux\nspec:\n  description: Linux hosts\n");
	expect_in(tok, "resourceClass: acme/linux\n  nickname: host-1\n");
	assert_false(fx_contains(tok, "live-secret-value"));
	free(cls);
	free(tok);
	expect_run(ARGS("drift", "--prune", "out"), 0, "No changes.", NULL);
	e2e_down(&e);
}

static void test_runner_requests_go_to_the_runner_host(void **state)
{
	(void)state;
	e2e e;
	rup(&e, SEED(CLASS(C1, "acme/linux", ""), "", ""), NULL);
	char runner[240];
	snprintf(runner, sizeof(runner), "CIRCLECI_RUNNER_HOST=%s", e.sb.url);
	const char *env[] = {"CIRCLECI_HOST=http://127.0.0.1:9", "CIRCLECI_TOKEN=" TEST_TOKEN, state_env, runner, NULL};
	fx_write("r.yaml", CLASS_DOC("{name: acme/linux}", "{}"));
	fx_result r = fx_ciform(ARGS("drift", "r.yaml"), env, NULL);
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "No changes.");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_the_runner_host_flag_wins_and_debug_traces_runner_requests(void **state)
{
	(void)state;
	e2e e;
	rup(&e, SEED(CLASS(C1, "acme/linux", ""), "", ""), NULL);
	const char *env[] = {"CIRCLECI_HOST=http://127.0.0.1:9", "CIRCLECI_TOKEN=" TEST_TOKEN, state_env,
			     "CIRCLECI_RUNNER_HOST=http://127.0.0.1:9", NULL};
	fx_write("r.yaml", CLASS_DOC("{name: acme/linux}", "{}"));
	fx_result r = fx_ciform(ARGS("drift", "--debug", "--circleci-runner-host", e.sb.url, "r.yaml"), env, NULL);
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "No changes.");
	expect_in(r.err, "ciform: debug: GET /api/v3/runner/resource?namespace=acme -> 200 in ");
	assert_false(fx_contains(r.err, TEST_TOKEN));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_creates_under_failing_requests_converge_without_duplicates(void **state)
{
	(void)state;
	e2e e;
	rup(&e, SEED("", "", ""), ARGS("--fail-every", "3", "--state=state.json"));
	fx_write("r.yaml", CLASS_DOC("{name: acme/linux}", "{}") "---\n" TOKEN_DOC("{resourceClass: acme/linux, nickname: a}")
		 "---\n" TOKEN_DOC("{resourceClass: acme/linux, nickname: b}"));
	expect_run(ARGS("apply", "--yes", "r.yaml"), 0, NULL, NULL);
	expect_run(ARGS("plan", "r.yaml"), 0, "No changes.", NULL);
	assert_int_equal(access(DIR "/a.token", F_OK) | access(DIR "/b.token", F_OK), 0);
	cJSON *tokens = stopped_state(&e, "runner_tokens");
	assert_int_equal(cJSON_GetArraySize(tokens), 2);
	cJSON_Delete(tokens);
	e2e_down(&e);
}

static void test_creates_whose_answers_are_lost_converge_without_duplicates(void **state)
{
	(void)state;
	e2e e;
	/* every 3rd write is carried out, then answered 503: a token POST among
	 * them made a token whose value nobody received; that apply fails naming
	 * it, and the next plan deletes it and creates it again */
	rup(&e, SEED("", "", ""), ARGS("--lose-every", "3", "--state=state.json"));
	fx_write("r.yaml", CLASS_DOC("{name: acme/linux}", "{}") "---\n" TOKEN_DOC("{resourceClass: acme/linux, nickname: a}")
		 "---\n" TOKEN_DOC("{resourceClass: acme/linux, nickname: b}"));
	bool done = false;
	for (int round = 1; round <= 3 && !done; round++) {
		fx_result a = rrun(ARGS("apply", "--yes", "r.yaml"));
		if (a.rc != 0 && !fx_contains(a.err, "but the answer with its value was lost"))
			fail_msg("apply %d: %s", round, a.err);
		fx_result p = rrun(ARGS("plan", "r.yaml"));
		done = p.rc == 0 && fx_contains(p.out, "No changes.");
		fx_result_free(&a);
		fx_result_free(&p);
	}
	assert_true(done);
	cJSON *tokens = stopped_state(&e, "runner_tokens");
	assert_int_equal(cJSON_GetArraySize(tokens), 2);
	cJSON *t;
	cJSON_ArrayForEach(t, tokens) { /* each live token's value is the one in its file */
		char *path = cf_xasprintf(DIR "/%s.token", cJSON_GetStringValue(cJSON_GetObjectItem(t, "nickname")));
		char *v = slurp(path);
		v[strcspn(v, "\n")] = '\0';
		assert_string_equal(v, cJSON_GetStringValue(cJSON_GetObjectItem(t, "token")));
		free(v);
		free(path);
	}
	cJSON_Delete(tokens);
	e2e_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_class_name_without_a_namespace_is_refused_at_its_position),
		cmocka_unit_test(test_force_delete_must_be_a_boolean),
		cmocka_unit_test(test_a_token_needs_a_class_and_a_nickname_at_their_positions),
		cmocka_unit_test(test_a_token_value_in_a_manifest_is_refused),
		cmocka_unit_test(test_a_class_and_its_token_are_created_with_exact_bodies_and_the_value_kept_private),
		cmocka_unit_test(test_a_class_and_token_deleted_with_ensure_absent_plan_no_changes_afterwards),
		cmocka_unit_test(test_an_absent_token_of_a_missing_class_plans_nothing_to_do),
		cmocka_unit_test(test_a_present_token_of_a_missing_class_is_a_plan_error_at_its_class),
		cmocka_unit_test(test_a_differing_description_is_a_note_not_drift),
		cmocka_unit_test(test_prune_covers_classes_of_a_namespace_and_tokens_of_a_class_with_a_manifest),
		cmocka_unit_test(test_a_new_nickname_creates_a_token_and_prune_deletes_the_old_one),
		cmocka_unit_test(test_a_marker_with_a_live_token_and_no_file_deletes_and_recreates_it),
		cmocka_unit_test(test_a_live_token_without_file_or_marker_is_left_alone_with_a_note),
		cmocka_unit_test(test_a_token_whose_file_is_in_the_given_directory_has_its_value_here),
		cmocka_unit_test(test_a_marker_without_a_live_token_is_a_plain_create),
		cmocka_unit_test(test_a_token_whose_value_cannot_be_written_is_deleted_at_once),
		cmocka_unit_test(test_force_delete_deletes_the_class_with_its_tokens),
		cmocka_unit_test(test_a_class_delete_waits_while_tasks_run),
		cmocka_unit_test(test_a_class_delete_gives_up_after_the_wait_timeout),
		cmocka_unit_test(test_exported_classes_and_tokens_plan_unchanged),
		cmocka_unit_test(test_runner_requests_go_to_the_runner_host),
		cmocka_unit_test(test_the_runner_host_flag_wins_and_debug_traces_runner_requests),
		cmocka_unit_test(test_creates_under_failing_requests_converge_without_duplicates),
		cmocka_unit_test(test_creates_whose_answers_are_lost_converge_without_duplicates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* ciform comment against ciform-sandbox, which also speaks GitHub's issue
 * comments and GitLab's merge request notes: one comment per request and
 * specs path, created once and then edited in place. */
#include "tests/e2e/scene.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHA "0123456789abcdef0123456789abcdef01234567"
#define SPEC TARGET_DOC("web", "prod") "  url: https://prod.example.com\n"

typedef struct host_scene {
	e2e e;
	char github_env[200], gitlab_env[200];
} host_scene;

/* The scene, with the comments already on the requests (a JSON list, or
 * ""), the sandbox keeping its state in sbx.json, and the code hosts'
 * variables pointing at it. */
static void up_hosts(host_scene *h, const char *comments, const char *const *extra)
{
	const char *org = ORG("", "", "");
	char *seed = cf_xasprintf("%.*s, \"comments\": [%s]}", (int)(strlen(org) - 1), org, comments);
	const char *env[12] = {h->github_env, h->gitlab_env, "GITHUB_TOKEN=" TEST_TOKEN, "GITLAB_TOKEN=" TEST_TOKEN,
			       "GITHUB_SHA", "CI_COMMIT_SHA"};
	size_t n = 6;
	for (size_t i = 0; extra && extra[i] && n < 11; i++)
		env[n++] = extra[i];
	e2e_up(&h->e, seed, ARGS("--state", "sbx.json"), env);
	free(seed);
	/* e2e_up copied the pointers; the values are filled in now that the URL is known */
	snprintf(h->github_env, sizeof(h->github_env), "GITHUB_API_URL=%s", h->e.sb.url);
	snprintf(h->gitlab_env, sizeof(h->gitlab_env), "CI_API_V4_URL=%s/api/v4", h->e.sb.url);
}

/* The comments the sandbox holds, as its state file has them. */
static cJSON *stored(void)
{
	FILE *f = fopen("sbx.json", "r");
	assert_non_null(f);
	static char buf[1 << 20];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	cJSON *state = cJSON_Parse(buf);
	cJSON *list = cJSON_DetachItemFromObject(state, "comments");
	cJSON_Delete(state);
	assert_non_null(list);
	return list;
}

static const char *body_of(const cJSON *list, int id)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, list)
		if (cJSON_GetObjectItem(c, "id")->valueint == id)
			return cJSON_GetStringValue(cJSON_GetObjectItem(c, "body"));
	return NULL;
}

/* n comments by people on the request, and ciform's own (marker) at id mine;
 * others on another request too. */
static char *chatter(const char *host, const char *repo, int n, int mine, const char *marker)
{
	size_t cap = (size_t)n * 200 + 400, len = 0;
	char *s = calloc(cap, 1);
	for (int i = 1; i <= n; i++)
		len += (size_t)snprintf(s + len, cap - len,
					"%s{\"host\": \"%s\", \"repo\": \"%s\", \"number\": 7, \"id\": %d, \"user\": \"dev\","
					" \"body\": \"%s\"}",
					i > 1 ? ", " : "", host, repo, i, i == mine ? marker : "Looks good to me");
	snprintf(s + len, cap - len, ", {\"host\": \"%s\", \"repo\": \"%s\", \"number\": 8, \"id\": %d, \"body\": \"%s\"}",
		 host, repo, n + 1, marker);
	return s;
}

static void test_a_first_run_creates_one_comment_naming_the_commit(void **state)
{
	(void)state;
	host_scene h;
	up_hosts(&h, "", ARGS("GITHUB_SHA=" SHA));
	fx_write("specs/t.yaml", SPEC);
	fx_result r = cf(&h.e, ARGS("comment", "specs", "--github", "octo/app", "--pr", "7"));
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.out, "Created comment 1 on GitHub octo/app#7: https://github.com/octo/app/pull/7#issuecomment-1\n");
	cJSON *list = stored();
	assert_int_equal(cJSON_GetArraySize(list), 1);
	const char *body = body_of(list, 1);
	assert_non_null(body);
	assert_true(!strncmp(body, "<!-- ciform:plan path=specs -->\n", 32));
	assert_true(fx_contains(body, "Specs `specs` at commit " SHA "."));
	assert_true(fx_contains(body, "<code>+ create DeploymentTarget/web/prod</code>"));
	assert_true(fx_contains(body, "**Plan: 1 to create, 0 to update, 0 to delete, 0 to activate, 0 to deactivate.**"));
	cJSON_Delete(list);
	fx_result_free(&r);
	e2e_down(&h.e);
}

static void test_a_second_run_edits_the_same_comment_in_place(void **state)
{
	(void)state;
	host_scene h;
	up_hosts(&h, "", NULL);
	fx_write("specs/t.yaml", SPEC);
	fx_result r = cf(&h.e, ARGS("comment", "specs", "--github", "octo/app", "--pr", "7"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	fx_write("specs/t.yaml", TARGET_DOC("web", "staging") "  url: https://staging.example.com\n");
	r = cf(&h.e, ARGS("comment", "specs", "--github", "octo/app", "--pr", "7"));
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.out, "Updated comment 1 on GitHub octo/app#7: https://github.com/octo/app/pull/7#issuecomment-1\n");
	cJSON *list = stored();
	assert_int_equal(cJSON_GetArraySize(list), 1);
	assert_true(fx_contains(body_of(list, 1), "DeploymentTarget/web/staging"));
	assert_false(fx_contains(body_of(list, 1), "DeploymentTarget/web/prod"));
	cJSON_Delete(list);
	fx_result_free(&r);
	e2e_down(&h.e);
}

static void test_another_specs_path_gets_a_comment_of_its_own(void **state)
{
	(void)state;
	host_scene h;
	up_hosts(&h, "", NULL);
	fx_write("team-a/t.yaml", SPEC);
	fx_write("team-b/t.yaml", TARGET_DOC("api", "prod") "  url: https://api.example.com\n");
	const char *const runs[][2] = {{"team-a", "Created comment 1"}, {"team-b/", "Created comment 2"},
				       {"./team-a", "Updated comment 1"}};
	for (size_t i = 0; i < 3; i++) {
		fx_result r = cf(&h.e, ARGS("comment", runs[i][0], "--github", "octo/app", "--pr", "7"));
		assert_int_equal(r.rc, 0);
		assert_true(!strncmp(r.out, runs[i][1], strlen(runs[i][1])));
		fx_result_free(&r);
	}
	cJSON *list = stored();
	assert_int_equal(cJSON_GetArraySize(list), 2);
	assert_true(!strncmp(body_of(list, 1), "<!-- ciform:plan path=team-a -->\n", 33));
	assert_true(!strncmp(body_of(list, 2), "<!-- ciform:plan path=team-b -->\n", 33));
	assert_true(fx_contains(body_of(list, 2), "DeploymentTarget/api/prod"));
	cJSON_Delete(list);
	e2e_down(&h.e);
}

static void test_its_comment_is_found_among_150_others_on_page_two(void **state)
{
	(void)state;
	host_scene h;
	char *seed = chatter("github", "octo/app", 150, 120, "<!-- ciform:plan path=specs -->\\nan old plan");
	up_hosts(&h, seed, NULL);
	free(seed);
	fx_write("specs/t.yaml", SPEC);
	fx_result r = cf(&h.e, ARGS("comment", "specs", "--github", "octo/app", "--pr", "7"));
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.out, "Updated comment 120 on GitHub octo/app#7: https://github.com/octo/app/pull/7#issuecomment-120\n");
	cJSON *list = stored();
	assert_int_equal(cJSON_GetArraySize(list), 151);
	assert_true(fx_contains(body_of(list, 120), "DeploymentTarget/web/prod"));
	assert_string_equal(body_of(list, 151), "<!-- ciform:plan path=specs -->\nan old plan"); /* another request's */
	cJSON_Delete(list);
	fx_result_free(&r);
	e2e_down(&h.e);
}

static void test_gitlab_note_is_created_for_a_project_path_then_edited(void **state)
{
	(void)state;
	host_scene h;
	up_hosts(&h, "", ARGS("CI_COMMIT_SHA=" SHA));
	fx_write("specs/t.yaml", SPEC);
	fx_result r = cf(&h.e, ARGS("comment", "specs", "--gitlab", "group/sub/app", "--mr", "7"));
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.out, "Created comment 1 on GitLab group/sub/app!7\n");
	fx_result_free(&r);
	r = cf(&h.e, ARGS("comment", "specs", "--gitlab", "group/sub/app", "--mr", "7"));
	assert_string_equal(r.out, "Updated comment 1 on GitLab group/sub/app!7\n");
	cJSON *list = stored();
	assert_int_equal(cJSON_GetArraySize(list), 1);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "repo")), "group/sub/app");
	assert_true(fx_contains(body_of(list, 1), "Specs `specs` at commit " SHA "."));
	cJSON_Delete(list);
	fx_result_free(&r);
	e2e_down(&h.e);
}

static void test_gitlab_note_is_found_among_150_others_on_page_two(void **state)
{
	(void)state;
	host_scene h;
	/* GitLab lists the newest first: the 20th of 150 is the 131st shown */
	char *seed = chatter("gitlab", "42", 150, 20, "<!-- ciform:plan path=specs -->\\nan old plan");
	up_hosts(&h, seed, NULL);
	free(seed);
	fx_write("specs/t.yaml", SPEC);
	fx_result r = cf(&h.e, ARGS("comment", "specs", "--gitlab", "42", "--mr", "7"));
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.out, "Updated comment 20 on GitLab 42!7\n");
	cJSON *list = stored();
	assert_int_equal(cJSON_GetArraySize(list), 151);
	assert_true(fx_contains(body_of(list, 20), "DeploymentTarget/web/prod"));
	cJSON_Delete(list);
	fx_result_free(&r);
	e2e_down(&h.e);
}

static void test_a_spec_error_is_posted_and_exits_1(void **state)
{
	(void)state;
	host_scene h;
	up_hosts(&h, "", NULL);
	fx_write("specs/t.yaml", SPEC "  colour: blue\n");
	fx_result r = cf(&h.e, ARGS("comment", "specs", "--github", "octo/app", "--pr", "7"));
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "ciform: error: 1 problem in the specs\n"));
	assert_string_equal(r.out, "Created comment 1 on GitHub octo/app#7: https://github.com/octo/app/pull/7#issuecomment-1\n");
	cJSON *list = stored();
	const char *body = body_of(list, 1);
	assert_true(!strncmp(body, "<!-- ciform:plan path=specs -->\n### ciform plan failed\n", 55));
	assert_true(fx_contains(body, "```text\nspecs/t.yaml:7:3: "));
	assert_true(fx_contains(body, "colour"));
	assert_true(fx_contains(body, "1 problem in the specs\n```\n"));
	cJSON_Delete(list);
	fx_result_free(&r);
	e2e_down(&h.e);
}

static void test_the_comment_names_the_commit_git_ref_resolves(void **state)
{
	(void)state;
	host_scene h;
	up_hosts(&h, "", ARGS("GITHUB_SHA=" SHA)); /* --git-ref wins over the variable */
	fx_write("specs/t.yaml", SPEC);
	fx_sh("git init -q . && git add specs && git -c user.name=t -c user.email=t@example.com commit -qm specs");
	char *head = NULL, *err = NULL;
	assert_int_equal(fx_run(ARGS("/usr/bin/git", "rev-parse", "HEAD"), NULL, NULL, &head, &err), 0);
	head[strcspn(head, "\n")] = '\0';
	fx_write("specs/t.yaml", TARGET_DOC("web", "uncommitted") "\n");
	fx_result r = cf(&h.e, ARGS("comment", "specs", "--git-ref", "HEAD", "--github", "octo/app", "--pr", "7"));
	assert_int_equal(r.rc, 0);
	cJSON *list = stored();
	char want[128];
	snprintf(want, sizeof(want), "Specs `specs` at commit %s.", head);
	assert_true(fx_contains(body_of(list, 1), want));
	assert_true(fx_contains(body_of(list, 1), "DeploymentTarget/web/prod"));
	assert_false(fx_contains(body_of(list, 1), "uncommitted"));
	cJSON_Delete(list);
	free(head);
	free(err);
	fx_result_free(&r);
	e2e_down(&h.e);
}

static void test_no_token_appears_in_any_output(void **state)
{
	(void)state;
	host_scene h;
	up_hosts(&h, "", NULL);
	fx_write("specs/t.yaml", SPEC);
	fx_result r = cf(&h.e, ARGS("comment", "specs", "--github", "octo/app", "--pr", "7"));
	assert_int_equal(r.rc, 0);
	assert_false(fx_contains(r.out, TEST_TOKEN) || fx_contains(r.err, TEST_TOKEN));
	cJSON *list = stored();
	assert_false(fx_contains(body_of(list, 1), TEST_TOKEN));
	cJSON_Delete(list);
	fx_result_free(&r);
	/* a token the host refuses: named by its variable, never shown */
	const char *wrong = "ghp_wrongTOKENvalue123";
	char bad_env[64];
	snprintf(bad_env, sizeof(bad_env), "GITHUB_TOKEN=%s", wrong);
	const char *env[] = {h.e.env[0], h.e.env[1], h.e.env[2], h.github_env, bad_env, "GITHUB_SHA", NULL};
	fx_result w = fx_ciform(ARGS("comment", "specs", "--github", "octo/app", "--pr", "7"), env, NULL);
	assert_int_equal(w.rc, 1);
	assert_true(fx_contains(w.err, "401 Bad credentials (check GITHUB_TOKEN)"));
	assert_false(fx_contains(w.out, wrong) || fx_contains(w.err, wrong));
	assert_false(fx_contains(w.out, TEST_TOKEN) || fx_contains(w.err, TEST_TOKEN));
	fx_result_free(&w);
	e2e_down(&h.e);
}

static void test_plain_http_to_a_host_that_is_not_loopback_is_refused(void **state)
{
	(void)state;
	host_scene h;
	up_hosts(&h, "", ARGS("GITHUB_API_URL=http://127.example.com", "CI_API_V4_URL=http://gitlab.example.com/api/v4"));
	fx_write("specs/t.yaml", SPEC);
	const char *const *argvs[] = {ARGS("comment", "specs", "--github", "octo/app", "--pr", "7"),
				      ARGS("comment", "specs", "--gitlab", "group/app", "--mr", "7")};
	const char *want[] = {"ciform: error: GITHUB_API_URL 'http://127.example.com' must use https",
			      "ciform: error: CI_API_V4_URL 'http://gitlab.example.com/api/v4' must use https"};
	for (size_t i = 0; i < 2; i++) {
		fx_result r = cf(&h.e, argvs[i]);
		assert_int_equal(r.rc, 1);
		assert_true(fx_contains(r.err, want[i]));
		assert_string_equal(r.out, "");
		fx_result_free(&r);
	}
	e2e_down(&h.e);
}

static void test_a_missing_token_is_an_error_naming_its_variable(void **state)
{
	(void)state;
	host_scene h;
	up_hosts(&h, "", ARGS("GITLAB_TOKEN"));
	fx_write("specs/t.yaml", SPEC);
	fx_result r = cf(&h.e, ARGS("comment", "specs", "--gitlab", "group/app", "--mr", "7"));
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "ciform: error: GITLAB_TOKEN is not set: ciform comment needs a token to post on GitLab\n");
	fx_result_free(&r);
	e2e_down(&h.e);
}

static void test_the_request_must_be_named_once(void **state)
{
	(void)state;
	host_scene h;
	up_hosts(&h, "", NULL);
	const char *const *argvs[] = {ARGS("comment", "--github", "octo/app"),
				      ARGS("comment", "--github", "octo/app", "--mr", "7"),
				      ARGS("comment", "--github", "octo/app", "--pr", "7", "--gitlab", "g/a", "--mr", "7"),
				      ARGS("comment", "--github", "octo", "--pr", "7")};
	const char *want[] = {"--github goes with --pr N", "--github goes with --pr N",
			      "give one of --github OWNER/REPO and --gitlab PROJECT",
			      "'octo' is not a GitHub repository (OWNER/REPO)"};
	for (size_t i = 0; i < 4; i++) {
		fx_result r = cf(&h.e, argvs[i]);
		assert_int_equal(r.rc, 1);
		assert_true(fx_contains(r.err, want[i]));
		fx_result_free(&r);
	}
	e2e_down(&h.e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_first_run_creates_one_comment_naming_the_commit),
		cmocka_unit_test(test_a_second_run_edits_the_same_comment_in_place),
		cmocka_unit_test(test_another_specs_path_gets_a_comment_of_its_own),
		cmocka_unit_test(test_its_comment_is_found_among_150_others_on_page_two),
		cmocka_unit_test(test_gitlab_note_is_created_for_a_project_path_then_edited),
		cmocka_unit_test(test_gitlab_note_is_found_among_150_others_on_page_two),
		cmocka_unit_test(test_a_spec_error_is_posted_and_exits_1),
		cmocka_unit_test(test_the_comment_names_the_commit_git_ref_resolves),
		cmocka_unit_test(test_no_token_appears_in_any_output),
		cmocka_unit_test(test_plain_http_to_a_host_that_is_not_loopback_is_refused),
		cmocka_unit_test(test_a_missing_token_is_an_error_naming_its_variable),
		cmocka_unit_test(test_the_request_must_be_named_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * CircleCI API rules ciform relies on, one test each, against
 * ciform-sandbox --api circleci (docs/circleci.md "API rules, with their
 * evidence and tests"): slugs escaped segment by segment, a repeated page
 * token, a POST sent again after a 429, no context rename route, a
 * truncated variable list, live group restrictions, the org admin webhooks
 * need, the webhook read-back, checkout keys not managed, and the v2 error
 * shapes shown as the server's words.
 */
#include "tests/e2e/test_circleci.h"
#include "reconciler/diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CTX_ID "cccccccc-0000-4000-8000-000000000001"
#define SEED(more)                                                                                             \
	"{\"circleci\": {\"collaborations\": [{\"id\": \"" ORG_ID "\", \"name\": \"acme\", \"slug\": \"gh/acme\"}]," \
	" \"projects\": [{\"id\": \"" WEB_ID "\", \"slug\": \"gh/acme/web app\", \"name\": \"web app\"}]" more "}}"
#define CONTEXTS(list) ", \"contexts\": [" list "]"
#define LIVE_CTX(name, env, restrictions)                                                               \
	"{\"id\": \"" CTX_ID "\", \"name\": \"" name "\", \"owner_id\": \"" ORG_ID "\", \"env\": [" env "], " \
	"\"restrictions\": [" restrictions "]}"
#define CTX_DOC(name) "apiVersion: circleci/v1\nkind: Context\nmetadata: {organization: gh/acme, name: " name "}\n"
#define HOOK_DOC                                                                                              \
	"apiVersion: circleci/v1\nkind: Webhook\nmetadata: {project: gh/acme/web app, name: relay}\n"            \
	"spec:\n  url: https://hooks.example.com/ci\n  events: [job-completed]\n"                              \
	"  signingSecretFrom: {env: PROD_SECRET}\n"

/* How many recorded requests have this method and exact path. */
static int count(const char *method, const char *path)
{
	char *all = requests(method, path);
	char *want = cf_xasprintf("%s %s ", method, path);
	int n = 0;
	for (const char *p = all; (p = strstr(p, want)) != NULL; p += strlen(want))
		n++;
	free(want);
	free(all);
	return n;
}

/* The sandbox's saved organisation (--state FILE). */
static cJSON *read_json(const char *path)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	cJSON *j = cJSON_Parse(buf);
	assert_non_null(j);
	return j;
}

/* LABS internal/circleci/checkout_key.go checkoutKeyProjectPath: each slug
 * segment escaped on its own, never %2F (the sandbox sees three segments) */
static void test_a_slug_with_a_space_is_sent_escaped_segment_by_segment(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED(""), NULL);
	fx_write("p.yaml", "apiVersion: circleci/v1\nkind: ProjectEnvironment\nmetadata: {project: gh/acme/web app}\n"
			   "spec:\n  envVars: [{name: REGION, value: eu-west-1}]\n");
	fx_result r = run(ARGS("apply", "--yes", "--debug"));
	assert_int_equal(r.rc, 0);
	expect_in(r.err, "ciform: debug: GET /project/gh/acme/web%20app/envvar -> 200");
	expect_in(r.err, "ciform: debug: POST /project/gh/acme/web%20app/envvar -> 201");
	assert_false(fx_contains(r.err, "%2F"));
	fx_result_free(&r);
	char *posts = requests("POST", "/api/v2/project/");
	assert_string_equal(posts, "POST /api/v2/project/gh/acme/web app/envvar {\"name\":\"REGION\",\"value\":\"eu-west-1\"}\n");
	free(posts);
	e2e_down(&e);
}

/* PUB internal/circleci/common/models.go; LABS ic/v3.go DrainV2: a token
 * that comes back again would loop for ever */
static void test_a_repeated_page_token_is_a_plan_error_naming_the_route(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED(CONTEXTS(LIVE_CTX("deploy", "", "")) ", \"context_page_token_repeats\": true"), NULL);
	fx_write("c.yaml", CTX_DOC("deploy"));
	fx_result r = run(ARGS("plan"));
	assert_int_equal(r.rc, 1);
	expect_in(r.err, "GET /context?owner-id=" ORG_ID "&owner-type=organization: the server repeated its page token");
	fx_result_free(&r);
	assert_int_equal(count("GET", "/api/v2/context"), 2); /* the first page, the repeat: no more */
	e2e_down(&e);
}

/* PUB testing/fakecircle (429 with Retry-After: 1); a 429 did nothing, so a
 * POST is sent again (client.c cf_cci_post) and creates one context */
static void test_a_context_post_refused_with_429_is_sent_again_and_creates_once(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED(""), ARGS("--throttle-every=2", "--state=state.json"));
	fx_write("c.yaml", CTX_DOC("deploy"));
	fx_result r = run(ARGS("apply", "--yes", "--debug"));
	assert_int_equal(r.rc, 0);
	expect_in(r.err, "ciform: debug: POST /context -> 429");
	expect_in(r.err, "ciform: debug: POST /context -> 200");
	fx_result_free(&r);
	assert_int_equal(count("POST", "/api/v2/context"), 2);
	cJSON *st = read_json("state.json");
	assert_int_equal(cJSON_GetArraySize(cf_json_path(st, "circleci.contexts")), 1);
	cJSON_Delete(st);
	e2e_down(&e);
}

/* PUB context_resource.go: name RequiresReplace, no update or rename route:
 * another name is another context; the old one is unmanaged, deleted only
 * with --prune */
static void test_a_renamed_context_is_a_create_and_the_old_name_unmanaged(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED(CONTEXTS(LIVE_CTX("deploy", "", ""))), NULL);
	fx_write("c.yaml", CTX_DOC("deploy-prod"));
	fx_result r = run(ARGS("plan"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "  + Context/gh/acme/deploy-prod (create)\n");
	expect_in(r.out, "Unmanaged: live, in scope, and in no spec (--prune deletes them):\n  ? Context/gh/acme/deploy\n");
	fx_result_free(&r);
	r = run(ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	assert_int_equal(count("DELETE", "/api/v2/context/" CTX_ID), 0);
	r = run(ARGS("plan", "--prune"));
	expect_in(r.out, "  - Context/gh/acme/deploy (delete)\n");
	fx_result_free(&r);
	r = run(ARGS("apply", "--yes", "--prune"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	assert_int_equal(count("DELETE", "/api/v2/context/" CTX_ID), 1);
	e2e_down(&e);
}

/* The seed of a context holding n variables V000..; past 100 the list shows
 * 100 and a token nothing follows (LABS internal/circleci/environment_variable.go
 * ContextEnvVarsTruncatedError); caller frees. */
static char *seed_with_vars(int n, const char *restrictions)
{
	char *env = cf_xstrdup("");
	for (int i = 0; i < n; i++) {
		char *next = cf_xasprintf("%s%s{\"variable\": \"V%03d\", \"value\": \"value-%03d\"}", env, i ? ", " : "", i, i);
		free(env);
		env = next;
	}
	char *seed = cf_xasprintf(SEED(CONTEXTS(LIVE_CTX("big", "%s", "%s"))), env, restrictions);
	free(env);
	return seed;
}

static void test_a_truncated_variable_list_prunes_nothing_and_writes_the_unseen(void **state)
{
	(void)state;
	e2e e;
	char *seed = seed_with_vars(101, "");
	cci_up(&e, seed, NULL);
	free(seed);
	/* V100 is live past the first 100; V000 is seen */
	fx_write("c.yaml", CTX_DOC("big") "spec:\n  envVars: [{name: V000, value: value-000}, {name: V100, value: new-100}]\n");
	fx_result r = run(ARGS("plan", "--prune"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "      spec.envVars.V100: (sensitive) added -> \"new-100\"\n");
	expect_in(r.out, "the variable list is truncated (CircleCI shows only the first 100 and nothing reads the "
			 "rest): --prune deletes none of this context's variables; not shown, so written (a PUT "
			 "creates or replaces): V100\n");
	assert_false(fx_contains(r.out, "(delete)"));
	fx_result_free(&r);
	r = run(ARGS("apply", "--yes", "--prune"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	char *writes = requests("PUT", "/api/v2/context/");
	assert_string_equal(writes, "PUT /api/v2/context/" CTX_ID "/environment-variable/V100 {\"value\":\"new-100\"}\n");
	free(writes);
	assert_int_equal(count("DELETE", "/api/v2/context/" CTX_ID "/environment-variable/V001"), 0);
	e2e_down(&e);
}

/* LABS ic/context_restriction.go lists the group type; the API cannot write
 * it (circleci.com/changelog/context-restriction-apis-marked-ga): a live one
 * is shown in the plan and never deleted */
static void test_a_live_group_restriction_is_shown_and_never_deleted(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED(CONTEXTS(LIVE_CTX("deploy", "", "{\"id\": \"dddddddd-0000-4000-8000-000000000001\", "
				      "\"restriction_type\": \"group\", \"restriction_value\": \"ops-team\"}"))),
	       NULL);
	fx_write("c.yaml", CTX_DOC("deploy") "spec:\n  restrictions: [{expression: 'pipeline.git.branch == \"main\"'}]\n");
	fx_result r = run(ARGS("plan"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "      # spec.restrictions: the live group restriction ops-team is left as it is (the API "
			 "cannot write group restrictions)\n");
	fx_result_free(&r);
	r = run(ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	char *dels = requests("DELETE", "/api/v2/context/");
	assert_string_equal(dels, "");
	free(dels);
	r = run(ARGS("drift"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "No changes. Live state matches the specs.\n");
	fx_result_free(&r);
	e2e_down(&e);
}

/* circleci.com/docs/guides/integration/outbound-webhooks: webhooks need an
 * organisation admin; a 403 shows the connection's forbidden hint */
static void test_a_webhook_create_by_a_non_admin_fails_with_the_forbidden_hint(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED(", \"webhook_admin\": false"), NULL);
	fx_write("w.yaml", HOOK_DOC);
	fx_result r = run(ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 1);
	expect_in(r.err, "HTTP 403: Permission denied");
	expect_in(r.err, "the token's user lacks a role here");
	assert_false(fx_contains(r.err, "s3cr3t"));
	assert_false(fx_contains(r.out, "s3cr3t"));
	fx_result_free(&r);
	e2e_down(&e);
}

/* LABS DESIGN.md ("Seventh bug": PUB's hyphenated keys left webhooks without
 * a secret): each write is read back, and a missing secret fails the change */
static void test_a_webhook_whose_secret_the_server_did_not_take_fails_naming_it(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED(", \"webhook_ignores_secret\": true"), NULL);
	fx_write("w.yaml", HOOK_DOC);
	fx_result r = run(ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 1);
	expect_in(r.err, "Webhook/gh/acme/web app/relay: written, but GET /webhook/");
	expect_in(r.err, "shows no signing secret");
	assert_false(fx_contains(r.err, "s3cr3t"));
	fx_result_free(&r);
	e2e_down(&e);
}

/* LABS ic/checkout_key.go: a server-made fingerprint is the identity, so
 * checkout keys are not a kind; validate lists the kinds there are */
static void test_a_checkout_key_is_refused_at_validate_with_the_kinds_list(void **state)
{
	(void)state;
	assert_problem("apiVersion: circleci/v1\nkind: CheckoutKey\nmetadata: {project: gh/acme/web}\n"
		       "spec: {type: deploy-key}\n",
		       "c.yaml:2:7: kind: unknown 'CheckoutKey' (one of Context, ProjectSettings, ProjectEnvironment, "
		       "RunnerResourceClass, RunnerToken, Webhook or ScheduleTrigger)");
}

/* LABS internal/circleci/error.go serverMessage: v1/v2 bodies carry their
 * words under "message" or "error"; either is shown as the server's words
 * (here the cap on context variables, LABS environment_variable.go) */
static void v2_words_shown(const char *extra)
{
	e2e e;
	char *seed = seed_with_vars(100, "");
	char *more = cf_xasprintf("%.*s%s}}", (int)strlen(seed) - 2, seed, extra);
	cci_up(&e, more, NULL);
	free(seed);
	free(more);
	fx_write("c.yaml", CTX_DOC("big") "spec:\n  envVars: [{name: NEW, value: v}]\n");
	fx_result r = run(ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 1);
	expect_in(r.err, "PUT /context/" CTX_ID "/environment-variable/NEW: HTTP 400: Cannot create more than 100 "
			 "environment variables per context");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_v2_message_body_is_shown_as_the_servers_words(void **state)
{
	(void)state;
	v2_words_shown("");
}

static void test_a_v2_error_body_is_shown_as_the_servers_words(void **state)
{
	(void)state;
	v2_words_shown(", \"error_key\": \"error\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_slug_with_a_space_is_sent_escaped_segment_by_segment),
		cmocka_unit_test(test_a_repeated_page_token_is_a_plan_error_naming_the_route),
		cmocka_unit_test(test_a_context_post_refused_with_429_is_sent_again_and_creates_once),
		cmocka_unit_test(test_a_renamed_context_is_a_create_and_the_old_name_unmanaged),
		cmocka_unit_test(test_a_truncated_variable_list_prunes_nothing_and_writes_the_unseen),
		cmocka_unit_test(test_a_live_group_restriction_is_shown_and_never_deleted),
		cmocka_unit_test(test_a_webhook_create_by_a_non_admin_fails_with_the_forbidden_hint),
		cmocka_unit_test(test_a_webhook_whose_secret_the_server_did_not_take_fails_naming_it),
		cmocka_unit_test(test_a_checkout_key_is_refused_at_validate_with_the_kinds_list),
		cmocka_unit_test(test_a_v2_message_body_is_shown_as_the_servers_words),
		cmocka_unit_test(test_a_v2_error_body_is_shown_as_the_servers_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

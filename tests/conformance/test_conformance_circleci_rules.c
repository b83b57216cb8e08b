/*
 * ciform-sandbox --api circleci: the rules docs/circleci.md lists that the
 * other conformance files do not prove (a variable's updated_at, the cap's
 * words, a variable past the cap rotated) and the seed switches the e2e
 * rule tests (tests/e2e/test_circleci_rules.c) rely on: a repeated page
 * token, a caller who is no organisation admin, a signing secret the
 * service did not take, and v2 errors under "error". Raw libcurl only.
 */
#include "tests/conformance/test_conformance_circleci.h"

#define CTX "cccccccc-0000-4000-8000-000000000001"
#define VARS "/context/" CTX "/environment-variable"
#define A_CONTEXT(env) ", \"contexts\": [{\"id\": \"" CTX "\", \"name\": \"big\", \"owner_id\": \"" ORG "\", \"env\": [" env "]}]"
#define HOOK(extra)                                                                                         \
	"{\"name\": \"relay\", \"url\": \"https://hooks.example.com/ci\", \"events\": [\"job-completed\"],"      \
	" \"scope\": {\"id\": \"" WEB "\", \"type\": \"project\"}" extra "}"

/* The variable's updated_at in the context's list; caller frees. */
static char *updated_at(const cx_env *e, const char *name)
{
	ans a = call(e, "GET", VARS, NULL);
	char *out = NULL;
	const cJSON *v;
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(a.json, "items"))
		if (!strcmp(cx_str(v, "variable"), name))
			out = strdup(cx_str(v, "updated_at"));
	expect(a, 200, NULL);
	assert_non_null(out);
	return out;
}

/* LABS internal/circleci/environment_variable.go ContextEnvironmentVariable:
 * updated_at "bumps on every write, including one that stores a
 * byte-identical value" */
static void test_a_variables_updated_at_moves_on_every_write_of_the_same_value(void **state)
{
	(void)state;
	cx_env e;
	up(&e, SEED(A_CONTEXT("")));
	expect(call(&e, "PUT", VARS "/A", "{\"value\": \"same-value\"}"), 200, NULL);
	char *first = updated_at(&e, "A");
	expect(call(&e, "PUT", VARS "/A", "{\"value\": \"same-value\"}"), 200, NULL);
	char *second = updated_at(&e, "A");
	assert_true(strcmp(first, second) < 0); /* ISO 8601 with microseconds: later sorts after */
	free(first);
	free(second);
	cx_down(&e);
}

/* A seed whose context holds n variables V000.. (the cap is per request, not
 * atomic: a context may hold more than 100, LABS environment_variable.go). */
static char *seed_with_vars(int n)
{
	char *env = strdup("");
	for (int i = 0; i < n; i++) {
		char *next = NULL;
		if (asprintf(&next, "%s%s{\"variable\": \"V%03d\", \"value\": \"value-%03d\"}", env, i ? ", " : "", i,
			     i) < 0)
			abort();
		free(env);
		env = next;
	}
	char *seed = NULL;
	if (asprintf(&seed, SEED(A_CONTEXT("%s")), env) < 0)
		abort();
	free(env);
	return seed;
}

/* LABS internal/circleci/environment_variable.go (measured): past 100 the
 * list shows 100 and a token; a new name is 400 with these words; a name
 * that exists is still written. */
static void test_past_the_cap_a_new_name_is_400_and_an_existing_one_is_rotated(void **state)
{
	(void)state;
	cx_env e;
	char *seed = seed_with_vars(101);
	up(&e, seed);
	ans a = call(&e, "GET", VARS, NULL);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(a.json, "items")), 100);
	assert_string_equal(cx_str(a.json, "next_page_token"), "more");
	expect(a, 200, NULL);
	expect(call(&e, "PUT", VARS "/NEW", "{\"value\": \"v\"}"), 400,
	       "{\"message\":\"Cannot create more than 100 environment variables per context\"}");
	expect(call(&e, "PUT", VARS "/V100", "{\"value\": \"rotated\"}"), 200, NULL);
	free(seed);
	cx_down(&e);
}

/* Switch "context_page_token_repeats": every page says "again", the repeat
 * LABS ic/v3.go DrainV2 stops on. */
static void test_the_repeat_switch_answers_the_same_page_token_every_time(void **state)
{
	(void)state;
	cx_env e;
	up(&e, SEED(A_CONTEXT("") ", \"context_page_token_repeats\": true"));
	ans a = call(&e, "GET", "/context?owner-id=" ORG, NULL);
	assert_string_equal(cx_str(a.json, "next_page_token"), "again");
	expect(a, 200, NULL);
	a = call(&e, "GET", "/context?owner-id=" ORG "&page-token=again", NULL);
	assert_string_equal(cx_str(a.json, "next_page_token"), "again");
	expect(a, 200, NULL);
	cx_down(&e);
}

/* Switch "webhook_admin": false: only organisation admins set up webhooks
 * (circleci.com/docs/guides/integration/outbound-webhooks); reads still answer. */
static void test_a_caller_who_is_no_org_admin_gets_403_on_webhook_writes(void **state)
{
	(void)state;
	cx_env e;
	up(&e, SEED(", \"webhook_admin\": false"));
	expect(call(&e, "POST", "/webhook", HOOK(", \"signing_secret\": \"x\"")), 403, "{\"message\":\"Permission denied\"}");
	expect(call(&e, "GET", "/webhook?scope-id=" WEB "&scope-type=project", NULL), 200,
	       "{\"items\":[],\"next_page_token\":null}");
	cx_down(&e);
}

/* Switch "webhook_ignores_secret": the write succeeds, the secret reads back
 * "" (PUB's hyphenated key did this: LABS DESIGN.md, "Seventh bug"). */
static void test_the_ignore_switch_leaves_a_written_webhook_without_a_secret(void **state)
{
	(void)state;
	cx_env e;
	up(&e, SEED(", \"webhook_ignores_secret\": true"));
	ans a = call(&e, "POST", "/webhook", HOOK(", \"verify_tls\": true, \"signing_secret\": \"s3cr3t\""));
	assert_string_equal(cx_str(a.json, "signing_secret"), "");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a.json, "verify_tls")));
	expect(a, 201, NULL);
	cx_down(&e);
}

/* Switch "error_key": "error": v1/v2 bodies carry the words under "error" or
 * "message" (LABS internal/circleci/error.go serverMessage). */
static void test_the_error_key_switch_puts_the_words_under_error(void **state)
{
	(void)state;
	cx_env e;
	up(&e, SEED(", \"error_key\": \"error\""));
	expect(call(&e, "GET", "/project/gh/acme/nope", NULL), 404, "{\"error\":\"Project not found\"}");
	expect(call(&e, "GET", "/project/gh/acme/web", NULL), 200, NULL);
	cx_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_variables_updated_at_moves_on_every_write_of_the_same_value),
		cmocka_unit_test(test_past_the_cap_a_new_name_is_400_and_an_existing_one_is_rotated),
		cmocka_unit_test(test_the_repeat_switch_answers_the_same_page_token_every_time),
		cmocka_unit_test(test_a_caller_who_is_no_org_admin_gets_403_on_webhook_writes),
		cmocka_unit_test(test_the_ignore_switch_leaves_a_written_webhook_without_a_secret),
		cmocka_unit_test(test_the_error_key_switch_puts_the_words_under_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

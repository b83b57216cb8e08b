/*
 * ciform-sandbox --api circleci answers the outbound webhook routes as
 * CircleCI's API v2 does, rule by rule, each test naming its evidence
 * (docs/circleci.md lists them): raw libcurl, nothing of ciform's client.
 */
#include "tests/conformance/test_conformance_circleci.h"

#define HOOK(name, extra)                                                                                    \
	"{\"name\": \"" name "\", \"url\": \"https://hooks.example.com/ci\", \"events\": [\"job-completed\"],"     \
	" \"scope\": {\"id\": \"" WEB "\", \"type\": \"project\"}" extra "}"
#define LIST "/webhook?scope-id=" WEB "&scope-type=project"

/* LABS ic/webhook.go ListWebhooks: scope-id and scope-type=project (the API
 * rejects another scope-type with 400); {items, next_page_token: null} */
static void test_webhooks_are_listed_by_project_scope_only(void **state)
{
	(void)state;
	cx_env e;
	up(&e, SEED(""));
	expect(call(&e, "GET", LIST, NULL), 200, "{\"items\":[],\"next_page_token\":null}");
	expect(call(&e, "GET", "/webhook?scope-id=" WEB "&scope-type=organization", NULL), 400, NULL);
	cx_down(&e);
}

/* LABS DESIGN.md ("Seventh bug") and ic/webhook.go: the service reads
 * verify_tls and signing_secret, ignores unknown keys (PUB's verify-tls,
 * signing-secret), and shows a secret as "****" or "" */
static void test_snake_case_keys_set_the_secret_and_hyphenated_ones_are_ignored(void **state)
{
	(void)state;
	cx_env e;
	up(&e, SEED(""));
	ans a = call(&e, "POST", "/webhook", HOOK("snake", ", \"verify_tls\": true, \"signing_secret\": \"s3cr3t\""));
	assert_string_equal(cx_str(a.json, "signing_secret"), "****");
	assert_true(cJSON_IsTrue(cx_get(a.json, "verify_tls")));
	expect(a, 201, NULL);
	a = call(&e, "POST", "/webhook", HOOK("hyphen", ", \"verify-tls\": true, \"signing-secret\": \"s3cr3t\""));
	assert_string_equal(cx_str(a.json, "signing_secret"), "");
	assert_true(cJSON_IsFalse(cx_get(a.json, "verify_tls")));
	expect(a, 201, NULL);
	cx_down(&e);
}

/* circleci.com/docs/guides/integration/outbound-webhooks: 5 per project */
static void test_a_sixth_webhook_of_a_project_is_400(void **state)
{
	(void)state;
	cx_env e;
	up(&e, SEED(""));
	for (int i = 0; i < 5; i++)
		expect(call(&e, "POST", "/webhook", HOOK("h", ", \"signing_secret\": \"x\"")), 201, NULL);
	expect(call(&e, "POST", "/webhook", HOOK("h6", ", \"signing_secret\": \"x\"")), 400,
	       "{\"message\":\"A project can have at most 5 webhooks\"}");
	cx_down(&e);
}

/* LABS UpdateWebhook: PUT replaces the mutable fields; the scope is not
 * updatable and a different one is silently ignored */
static void test_a_put_updates_the_fields_and_ignores_the_scope(void **state)
{
	(void)state;
	cx_env e;
	up(&e, SEED(""));
	ans a = call(&e, "POST", "/webhook", HOOK("relay", ", \"verify_tls\": true, \"signing_secret\": \"x\""));
	char path[128];
	snprintf(path, sizeof(path), "/webhook/%s", cx_str(a.json, "id"));
	expect(a, 201, NULL);
	a = call(&e, "PUT", path, "{\"name\": \"relay2\", \"url\": \"https://other.example.com/\", \"events\": "
				  "[\"workflow-completed\"], \"verify_tls\": false, \"signing_secret\": \"y\", "
				  "\"scope\": {\"id\": \"elsewhere\", \"type\": \"project\"}}");
	assert_string_equal(cx_str(a.json, "name"), "relay2");
	assert_string_equal(cx_str(a.json, "url"), "https://other.example.com/");
	assert_string_equal(cx_str(a.json, "scope.id"), WEB);
	assert_true(cJSON_IsFalse(cx_get(a.json, "verify_tls")));
	assert_string_equal(cx_str(a.json, "signing_secret"), "****");
	expect(a, 200, NULL);
	cx_down(&e);
}

/* LABS GetWebhook: a missing webhook is IsNotFound (404) */
static void test_a_missing_webhook_is_404_on_get_put_and_delete(void **state)
{
	(void)state;
	cx_env e;
	up(&e, SEED(""));
	expect(call(&e, "GET", "/webhook/nope", NULL), 404, NULL);
	expect(call(&e, "PUT", "/webhook/nope", "{}"), 404, NULL);
	expect(call(&e, "DELETE", "/webhook/nope", NULL), 404, NULL);
	cx_down(&e);
}

/* LABS ic/webhook.go WebhookEvents: workflow-completed and job-completed
 * only; PUB webhook_resource.go: https URLs only */
static void test_an_unknown_event_or_a_plain_http_url_is_400(void **state)
{
	(void)state;
	cx_env e;
	up(&e, SEED(""));
	expect(call(&e, "POST", "/webhook", "{\"name\": \"a\", \"url\": \"https://x.example.com/\", \"events\": "
	       "[\"build-started\"], \"scope\": {\"id\": \"" WEB "\", \"type\": \"project\"}}"), 400,
	       "{\"message\":\"events must be workflow-completed and/or job-completed\"}");
	expect(call(&e, "POST", "/webhook", "{\"name\": \"a\", \"url\": \"http://x.example.com/\", \"events\": "
	       "[\"job-completed\"], \"scope\": {\"id\": \"" WEB "\", \"type\": \"project\"}}"), 400,
	       "{\"message\":\"url must be an https URL\"}");
	expect(call(&e, "GET", LIST, NULL), 200, "{\"items\":[],\"next_page_token\":null}");
	cx_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_webhooks_are_listed_by_project_scope_only),
		cmocka_unit_test(test_snake_case_keys_set_the_secret_and_hyphenated_ones_are_ignored),
		cmocka_unit_test(test_a_sixth_webhook_of_a_project_is_400),
		cmocka_unit_test(test_a_put_updates_the_fields_and_ignores_the_scope),
		cmocka_unit_test(test_a_missing_webhook_is_404_on_get_put_and_delete),
		cmocka_unit_test(test_an_unknown_event_or_a_plain_http_url_is_400),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

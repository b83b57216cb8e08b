/*
 * The CircleCI Webhook kind end to end, against ciform-sandbox --api
 * circleci: validate's positions (https, no loopback/private/.local/
 * .internal host, events, one secret source, <= 5 and unique names per
 * project), the exact snake_case POST and PUT bodies with the secret never
 * printed, presence-only comparison, a kept-live secret that cannot be
 * kept, drift, prune scope, a lost POST answer adopted, the fault modes,
 * and export round-tripping.
 */
#include "tests/e2e/test_circleci.h"

#define OTHER_ID "bbbbbbbb-0000-4000-8000-000000000002"
#define SEED(hooks)                                                                                            \
	"{\"circleci\": {\"collaborations\": [{\"id\": \"" ORG_ID "\", \"name\": \"acme\", \"slug\": \"gh/acme\"}]," \
	" \"projects\": [{\"id\": \"" WEB_ID "\", \"slug\": \"gh/acme/web\", \"name\": \"web\"}, {\"id\": \""      \
	OTHER_ID "\", \"slug\": \"gh/acme/api\", \"name\": \"api\"}], \"webhooks\": [" hooks "]}}"
#define LIVE(id, name, project, secret, tls)                                                                   \
	"{\"id\": \"" id "\", \"name\": \"" name "\", \"url\": \"https://hooks.example.com/ci\", \"events\": "       \
	"[\"job-completed\"], \"verify_tls\": " tls ", \"signing_secret\": \"" secret "\", \"scope\": {\"id\": \""  \
	project "\", \"type\": \"project\"}}"
#define HEAD(name) "apiVersion: circleci/v1\nkind: Webhook\nmetadata: {project: gh/acme/web, name: " name "}\n"
#define DOC(name, secret) HEAD(name) "spec:\n  url: https://hooks.example.com/ci\n  events: [job-completed]\n" secret

/* A manifest writing github/acme/web: its webhook and the project's other
 * live webhooks are addressed by the normalised slug, as gh/acme/web's. */
static void test_webhooks_of_a_project_written_with_the_github_alias_use_the_normalised_address(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED(LIVE("w1", "stray", WEB_ID, "", "true")), NULL);
	fx_write("w.yaml", "apiVersion: circleci/v1\nkind: Webhook\nmetadata: {project: github/acme/web, name: relay}\n"
		 "spec:\n  url: https://hooks.example.com/ci\n  events: [job-completed]\n  signingSecret: s\n");
	fx_result r = run(ARGS("plan"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "  + Webhook/gh/acme/web/relay (create)\n");
	expect_in(r.out, "  ? Webhook/gh/acme/web/stray\n");
	assert_false(fx_contains(r.out, "github/"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_plain_http_url_is_refused_at_its_position(void **state)
{
	(void)state;
	assert_problem(HEAD("relay") "spec: {url: \"http://hooks.example.com/\", events: [job-completed], "
				     "signingSecret: s}\n",
		       "c.yaml:4:13: spec.url: must be an https:// URL");
}

static void test_a_private_address_or_an_internal_name_is_refused(void **state)
{
	(void)state;
	assert_problem(HEAD("relay") "spec: {url: \"https://10.1.2.3/x\", events: [job-completed], signingSecret: s}\n",
		       "c.yaml:4:13: spec.url: 10.1.2.3 is a loopback, private, link-local or reserved address");
	assert_problem(HEAD("relay") "spec: {url: \"https://ci.corp.internal/x\", events: [job-completed], "
				     "signingSecret: s}\n",
		       "spec.url: ci.corp.internal is a .local or .internal name, not reachable from CircleCI");
	assert_problem(HEAD("relay") "spec: {url: \"https://[::1]:8443/\", events: [job-completed], signingSecret: s}\n",
		       "spec.url: ::1 is a loopback, private, link-local or reserved address");
}

static void test_an_unknown_event_is_refused_at_its_position(void **state)
{
	(void)state;
	assert_problem(HEAD("relay") "spec:\n  url: https://h.example.com/\n  events: [job-completed, build-started]\n"
				     "  signingSecret: s\n",
		       "c.yaml:6:27: spec.events[1]: must be workflow-completed or job-completed, not 'build-started'");
}

static void test_two_secret_sources_are_refused(void **state)
{
	(void)state;
	assert_problem(DOC("relay", "  signingSecret: s\n  signingSecretKeepLive: true\n"),
		       "c.yaml:5:3: spec: give exactly one of signingSecret, signingSecretFrom and "
		       "signingSecretKeepLive: true");
}

static void test_a_sixth_webhook_of_a_project_is_refused(void **state)
{
	(void)state;
	assert_problem(DOC("a", "  signingSecret: s\n") "---\n" DOC("b", "  signingSecret: s\n") "---\n"
		       DOC("c", "  signingSecret: s\n") "---\n" DOC("d", "  signingSecret: s\n") "---\n"
		       DOC("e", "  signingSecret: s\n") "---\n" DOC("f", "  signingSecret: s\n"),
		       "metadata.name: a 6th webhook for gh/acme/web: CircleCI allows 5 per project");
}

static void test_a_new_webhook_posts_snake_case_keys_and_masks_the_secret(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED(""), NULL);
	fx_write("w.yaml", DOC("relay", "  verifyTls: false\n  signingSecretFrom: {env: PROD_SECRET}\n"));
	fx_result r = run(ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "spec.signingSecret: (sensitive) added");
	assert_false(fx_contains(r.out, "s3cr3t-value"));
	fx_result_free(&r);
	char *posts = requests("POST", "/api/v2/webhook");
	assert_string_equal(posts, "POST /api/v2/webhook {\"name\":\"relay\",\"url\":\"https://hooks.example.com/ci\","
			    "\"events\":[\"job-completed\"],\"verify_tls\":false,\"signing_secret\":\"s3cr3t-value\","
			    "\"scope\":{\"id\":\"" WEB_ID "\",\"type\":\"project\"}}\n");
	free(posts);
	/* the post-write check read it back */
	posts = requests("GET", "/api/v2/webhook/");
	assert_int_equal(fx_count(posts, "\n"), 1);
	free(posts);
	r = run(ARGS("plan"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "Webhook/gh/acme/web/relay: 1 write-only value could not be compared (the API shows only "
			 "whether a signing secret is set): signingSecret\n\nUnchanged: 1 resource.\nNo changes.");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_change_is_a_put_carrying_the_secret(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED(LIVE("w1", "relay", WEB_ID, "x", "true")), NULL);
	fx_write("w.yaml", HEAD("relay") "spec:\n  url: https://hooks.example.com/v2\n  events: [job-completed, "
				 "workflow-completed]\n  signingSecret: new-secret\n");
	fx_result r = run(ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	char *puts_ = requests("PUT", "/api/v2/webhook/");
	assert_string_equal(puts_, "PUT /api/v2/webhook/w1 {\"name\":\"relay\",\"url\":\"https://hooks.example.com/v2\","
			    "\"events\":[\"job-completed\",\"workflow-completed\"],\"verify_tls\":true,"
			    "\"signing_secret\":\"new-secret\"}\n");
	free(puts_);
	r = run(ARGS("plan"));
	expect_in(r.out, "No changes.");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_live_webhook_without_a_secret_is_drift(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED(LIVE("w1", "relay", WEB_ID, "", "true")), NULL);
	fx_write("w.yaml", DOC("relay", "  signingSecret: s3\n"));
	fx_result r = run(ARGS("drift"));
	assert_int_equal(r.rc, 2);
	expect_in(r.out, "spec.signingSecret: (sensitive) added");
	fx_result_free(&r);
	r = run(ARGS("plan", "--format", "json"));
	expect_in(r.out, "{\"path\":\"spec.signingSecret\",\"change\":\"added\",\"comparison\":\"presence\","
			 "\"sensitive\":true}");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_kept_secret_that_is_not_there_or_must_be_rewritten_is_a_plan_error(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED(LIVE("w1", "relay", WEB_ID, "", "true")), NULL);
	fx_write("w.yaml", DOC("relay", "  signingSecretKeepLive: true\n"));
	fx_result r = run(ARGS("plan"));
	assert_int_equal(r.rc, 1);
	expect_in(r.err, "w.yaml:7:26: spec.signingSecretKeepLive: the live webhook has no signing secret to keep");
	fx_result_free(&r);
	e2e_down(&e);
	cci_up(&e, SEED(LIVE("w1", "relay", WEB_ID, "x", "true")), NULL);
	fx_write("w.yaml", DOC("relay", "  verifyTls: false\n  signingSecretKeepLive: true\n"));
	r = run(ARGS("plan"));
	assert_int_equal(r.rc, 1);
	expect_in(r.err, "spec.signingSecretKeepLive: Webhook/gh/acme/web/relay changes, and the update (PUT "
			 "/webhook/w1) must carry the signing secret");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_unlisted_webhooks_of_the_project_are_deleted_only_with_prune(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED(LIVE("w1", "relay", WEB_ID, "x", "true") "," LIVE("w2", "old", WEB_ID, "x", "true") ","
			LIVE("w3", "elsewhere", OTHER_ID, "x", "true")), NULL);
	fx_write("w.yaml", DOC("relay", "  signingSecretKeepLive: true\n"));
	fx_result r = run(ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	char *deletes = requests("DELETE", "/api/v2/webhook/");
	assert_string_equal(deletes, "");
	free(deletes);
	r = run(ARGS("apply", "--yes", "--prune"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "Webhook/gh/acme/web/old");
	assert_false(fx_contains(r.out, "elsewhere"));
	fx_result_free(&r);
	deletes = requests("DELETE", "/api/v2/webhook/");
	assert_string_equal(deletes, "DELETE /api/v2/webhook/w2 null\n");
	free(deletes);
	e2e_down(&e);
}

static void test_a_post_whose_answer_is_lost_is_adopted_not_posted_again(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED(""), ARGS("--lose-every", "1"));
	fx_write("w.yaml", DOC("relay", "  signingSecret: s3\n"));
	fx_result r = run(ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "found it already created (an earlier request's answer was lost): adopted");
	fx_result_free(&r);
	char *posts = requests("POST", "/api/v2/webhook");
	assert_int_equal(fx_count(posts, "\n"), 1);
	free(posts);
	e2e_down(&e);
}

static void test_under_failing_requests_apply_converges_without_duplicates(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED(""), ARGS("--fail-every", "3"));
	fx_write("w.yaml", DOC("a", "  signingSecret: s1\n") "---\n" DOC("b", "  signingSecret: s2\n") "---\n"
		 DOC("c", "  signingSecret: s3\n"));
	fx_result r = {0};
	for (int i = 0; i < 8; i++) {
		fx_result_free(&r);
		r = run(ARGS("apply", "--yes"));
		if (r.rc == 0 && fx_contains(r.out, "No changes"))
			break;
	}
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	r = run(ARGS("plan"));
	expect_in(r.out, "Unchanged: 3 resources.\nNo changes. Live state matches the specs.\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_exported_webhooks_keep_the_secret_live_and_plan_unchanged(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED(LIVE("w1", "relay", WEB_ID, "x", "false")), NULL);
	fx_result r = run(ARGS("export", "--project", "gh/acme/web"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "kind: Webhook\nmetadata:\n  project: gh/acme/web\n  name: relay\nspec:\n"
			 "  url: https://hooks.example.com/ci\n  events:\n  - job-completed\n  verifyTls: false\n"
			 "  signingSecretKeepLive: true\n");
	fx_write("out.yaml", r.out);
	fx_result_free(&r);
	r = run(ARGS("plan", "out.yaml"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "No changes. Live state matches the specs.\n");
	fx_result_free(&r);
	e2e_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_webhooks_of_a_project_written_with_the_github_alias_use_the_normalised_address),
		cmocka_unit_test(test_a_plain_http_url_is_refused_at_its_position),
		cmocka_unit_test(test_a_private_address_or_an_internal_name_is_refused),
		cmocka_unit_test(test_an_unknown_event_is_refused_at_its_position),
		cmocka_unit_test(test_two_secret_sources_are_refused),
		cmocka_unit_test(test_a_sixth_webhook_of_a_project_is_refused),
		cmocka_unit_test(test_a_new_webhook_posts_snake_case_keys_and_masks_the_secret),
		cmocka_unit_test(test_a_change_is_a_put_carrying_the_secret),
		cmocka_unit_test(test_a_live_webhook_without_a_secret_is_drift),
		cmocka_unit_test(test_a_kept_secret_that_is_not_there_or_must_be_rewritten_is_a_plan_error),
		cmocka_unit_test(test_unlisted_webhooks_of_the_project_are_deleted_only_with_prune),
		cmocka_unit_test(test_a_post_whose_answer_is_lost_is_adopted_not_posted_again),
		cmocka_unit_test(test_under_failing_requests_apply_converges_without_duplicates),
		cmocka_unit_test(test_exported_webhooks_keep_the_secret_live_and_plan_unchanged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

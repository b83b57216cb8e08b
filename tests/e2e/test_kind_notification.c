/*
 * The Notification kind end to end, against the sandbox: what validate
 * refuses and where, what a plan shows (never an endpoint: they carry
 * credentials), the exact bodies apply sends, convergence, drift, prune,
 * export, and a target disabled in Semaphore staying disabled.
 */
#include "tests/e2e/scene.h"
#include "reconciler/diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOOK_OLD "https://hooks.slack.com/services/T0/B0/old-secret-1"
#define HOOK_NEW "https://hooks.slack.com/services/T0/B0/new-secret-2"

/* One live notification, "old": a slack target, disabled in the UI. */
#define LIVE_OLD(status)                                                                                   \
	"{\"name\": \"old\", \"spec\": {\"rules\": [{\"name\": \"r\", \"filter\": {\"projects\": [\"web\"]},"  \
	" \"notify\": {\"slack\": {\"endpoint\": \"" HOOK_OLD "\", \"channels\": [\"#a\"], \"status\": \"" status "\"}}}]}}"

#define SEED(notifications)                                                                          \
	"{\"caller_id\": \"0d000000-0000-4000-8000-000000000001\","                                  \
	" \"projects\": [{\"name\": \"web\", \"id\": \"" P_WEB "\"}], \"notifications\": [" notifications "]}"

#define DOC(name) "apiVersion: v1alpha\nkind: Notification\nmetadata:\n  name: " name "\nspec:\n  rules:\n"

#define OLD_SPEC(projects, endpoint)                                                       \
	DOC("old") "    - name: r\n      filter: {projects: " projects "}\n"                 \
		   "      notify:\n        slack: {endpoint: \"" endpoint "\", channels: [\"#a\"]}\n"

static char *problems(const char *yaml, const char *const *env)
{
	fx_enter_tmpdir();
	fx_write("n.yaml", yaml);
	fx_result r = fx_ciform(ARGS("validate", "n.yaml"), env, NULL);
	char *out = cf_xasprintf("%d %s", r.rc, r.err);
	fx_result_free(&r);
	fx_leave_tmpdir();
	return out;
}

static void assert_problem(const char *yaml, const char *want)
{
	char *got = problems(yaml, NULL);
	if (!fx_contains(got, want))
		fail_msg("wanted %s in: %s", want, got);
	assert_true(got[0] == '1');
	free(got);
}

static void test_a_bad_regex_is_refused_at_its_position(void **state)
{
	(void)state;
	assert_problem(DOC("n") "    - notify: {email: {cc: [a@x.io]}}\n      filter:\n"
		       "        projects: [web, \"/svc-(/\"]\n",
		       "n.yaml:9:25: spec.rules[0].filter.projects[1]: /svc-(/ is not a valid regular expression");
}

static void test_a_result_that_is_not_a_pipeline_result_is_refused(void **state)
{
	(void)state;
	assert_problem(DOC("n") "    - notify: {email: {cc: [a@x.io]}}\n      filter: {projects: [web], results: [failed, broken]}\n",
		       "n.yaml:8:51: spec.rules[0].filter.results[1]: must be passed, failed, stopped, canceled or a "
		       "/regex/, not 'broken'");
}

static void test_a_rule_without_a_target_is_refused_email_counting_only_with_cc(void **state)
{
	(void)state;
	assert_problem(DOC("n") "    - filter: {projects: [web]}\n      notify: {email: {subject: hi}}\n",
		       "n.yaml:8:15: spec.rules[0]: needs at least one target");
}

static void test_a_uuid_name_is_refused(void **state)
{
	(void)state;
	assert_problem(DOC("0a000000-0000-4000-8000-0000000000ff") "    - notify: {email: {cc: [a@x.io]}}\n",
		       "n.yaml:4:9: metadata.name: must not be a UUID");
}

static void test_an_empty_projects_list_is_a_warning_that_the_rule_never_fires(void **state)
{
	(void)state;
	char *got = problems(DOC("n") "    - notify: {email: {cc: [a@x.io]}}\n      filter: {projects: []}\n", NULL);
	assert_true(fx_contains(got, "0 n.yaml:8:26: warning: spec.rules[0].filter.projects: no projects, so this "
				     "rule never fires"));
	free(got);
}

static void test_what_sem_get_prints_validates(void **state)
{
	(void)state;
	char *got = problems("apiVersion: v1alpha\nkind: Notification\nmetadata:\n  name: builds\n  id: "
			     "0a000000-0000-4000-8000-0000000000ff\n  create_time: \"1700000000\"\n"
			     "  update_time: \"1700000000\"\nspec:\n  rules:\n  - name: r\n    filter:\n"
			     "      projects:\n      - web\n      states:\n      - FINISHED\n    notify:\n"
			     "      slack:\n        endpoint: " HOOK_OLD "\nstatus: {}\n", NULL);
	assert_string_equal(got, "0 ");
	free(got);
}

static void test_the_plan_shows_an_endpoint_change_as_sensitive_and_never_the_url(void **state)
{
	(void)state;
	e2e e;
	up(&e, SEED(LIVE_OLD("ACTIVE")), NULL);
	fx_write("n.yaml", OLD_SPEC("[web]", HOOK_NEW));
	fx_result r = cf(&e, ARGS("plan"));
	assert_true(fx_contains(r.out, "  ~ Notification/old (update)\n      endpoints.rules[0].slack: (sensitive) changed\n"));
	assert_false(fx_contains(r.out, "secret-"));
	assert_false(fx_contains(r.err, "secret-"));
	fx_result_free(&r);
	r = cf(&e, ARGS("plan", "--format", "json"));
	assert_true(fx_contains(r.out, "endpoints.rules[0].slack"));
	assert_false(fx_contains(r.out, "secret-"));
	fx_result_free(&r);
	e2e_down(&e);
}

/* The body of the only request with this method and path prefix. */
static char *body_of(const char *method, const char *prefix)
{
	FILE *f = fopen("requests.jsonl", "r");
	assert_non_null(f);
	char line[1 << 16];
	char *found = NULL;
	int hits = 0;
	while (fgets(line, sizeof(line), f)) {
		cJSON *r = cJSON_Parse(line);
		const char *m = cJSON_GetStringValue(cJSON_GetObjectItem(r, "method"));
		const char *p = cJSON_GetStringValue(cJSON_GetObjectItem(r, "path"));
		if (m && p && !strcmp(m, method) && !strncmp(p, prefix, strlen(prefix))) {
			free(found);
			found = cJSON_PrintUnformatted(cJSON_GetObjectItem(r, "body"));
			hits++;
		}
		cJSON_Delete(r);
	}
	fclose(f);
	assert_int_equal(hits, 1);
	return found;
}

static void apply_ok(e2e *e)
{
	fx_result r = cf(e, ARGS("apply", "--yes"));
	if (r.rc != 0)
		fail_msg("apply: %s%s", r.out, r.err);
	fx_result_free(&r);
}

static void test_a_create_sends_every_filter_list_and_the_endpoint_from_the_environment(void **state)
{
	(void)state;
	e2e e;
	e2e_up(&e, SEED(""), ARGS("--record", "requests.jsonl"), ARGS("SLACK_HOOK=" HOOK_NEW));
	fx_write("n.yaml", DOC("builds") "    - name: main failures\n      filter: {projects: [web, \"/^svc-.*/\"], "
		 "branches: [main], results: [failed]}\n      notify:\n        slack: {endpointFrom: {env: SLACK_HOOK}, "
		 "channels: [\"#ci\"]}\n        webhook: {endpoint: \"https://h.example/x\", secret: hook, timeout: 500, "
		 "retries: 3, action: post}\n");
	apply_ok(&e);
	char *body = body_of("POST", "/notifications");
	assert_string_equal(body, "{\"metadata\":{\"name\":\"builds\"},\"spec\":{\"rules\":[{\"name\":\"main failures\","
		"\"filter\":{\"projects\":[\"web\",\"/^svc-.*/\"],\"branches\":[\"main\"],\"pipelines\":[],\"blocks\":[],"
		"\"states\":[],\"results\":[\"failed\"],\"tags\":[]},\"notify\":{\"slack\":{\"endpoint\":\"" HOOK_NEW "\","
		"\"channels\":[\"#ci\"],\"message\":\"\",\"status\":\"ACTIVE\"},\"webhook\":{\"endpoint\":\"https://h.example/x\","
		"\"timeout\":500,\"action\":\"post\",\"retries\":3,\"secret\":\"hook\",\"status\":\"ACTIVE\"}}}]}}");
	free(body);
	fx_result r = cf(&e, ARGS("plan"));
	assert_true(fx_contains(r.out, "No changes. Live state matches the specs.\n"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_an_update_patches_name_and_spec_keeping_a_disabled_target_inactive(void **state)
{
	(void)state;
	e2e e;
	e2e_up(&e, SEED(LIVE_OLD("INACTIVE")), ARGS("--record", "requests.jsonl"), NULL);
	fx_write("n.yaml", OLD_SPEC("[web, api]", HOOK_OLD));
	fx_result r = cf(&e, ARGS("plan"));
	assert_true(fx_contains(r.out, "# spec.rules[0].notify.slack is INACTIVE (disabled in Semaphore): the update keeps "
				       "it INACTIVE\n"));
	fx_result_free(&r);
	apply_ok(&e);
	char *body = body_of("PATCH", "/notifications/");
	assert_string_equal(body, "{\"metadata\":{\"name\":\"old\"},\"spec\":{\"rules\":[{\"name\":\"r\",\"filter\":"
		"{\"projects\":[\"web\",\"api\"],\"branches\":[],\"pipelines\":[],\"blocks\":[],\"states\":[],\"results\":[],"
		"\"tags\":[]},\"notify\":{\"slack\":{\"endpoint\":\"" HOOK_OLD "\",\"channels\":[\"#a\"],\"message\":\"\","
		"\"status\":\"INACTIVE\"}}}]}}");
	free(body);
	cJSON *live = e2e_get(&e, "/notifications/old");
	assert_string_equal(cJSON_GetStringValue(cf_json_path(cJSON_GetArrayItem(cf_json_path(live, "spec.rules"), 0),
							       "notify.slack.status")), "INACTIVE");
	cJSON_Delete(live);
	e2e_down(&e);
}

static void test_drift_exits_2_when_the_live_notification_changed(void **state)
{
	(void)state;
	e2e e;
	up(&e, SEED(LIVE_OLD("ACTIVE")), NULL);
	fx_write("n.yaml", OLD_SPEC("[web]", HOOK_OLD));
	fx_result r = cf(&e, ARGS("drift"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	fx_write("n.yaml", OLD_SPEC("[web, api]", HOOK_OLD));
	r = cf(&e, ARGS("drift"));
	assert_int_equal(r.rc, 2);
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_an_unmanaged_notification_is_listed_and_deleted_only_with_prune(void **state)
{
	(void)state;
	e2e e;
	e2e_up(&e, SEED(LIVE_OLD("ACTIVE")), ARGS("--record", "requests.jsonl"), NULL);
	fx_write("n.yaml", DOC("mine") "    - notify: {email: {cc: [a@x.io]}}\n      filter: {projects: [web]}\n");
	fx_result r = cf(&e, ARGS("plan"));
	assert_true(fx_contains(r.out, "  ? Notification/old\n"));
	fx_result_free(&r);
	r = cf(&e, ARGS("apply", "--yes", "--prune"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	cJSON *list = e2e_get(&e, "/notifications");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(list, "notifications")), 1);
	assert_string_equal(cJSON_GetStringValue(cf_json_path(cJSON_GetArrayItem(cJSON_GetObjectItem(list, "notifications"), 0),
							      "metadata.name")), "mine");
	cJSON_Delete(list);
	char *body = body_of("DELETE", "/notifications/");
	assert_string_equal(body, "null");
	free(body);
	e2e_down(&e);
}

static void test_without_a_notification_manifest_none_is_in_scope(void **state)
{
	(void)state;
	e2e e;
	up(&e, SEED(LIVE_OLD("ACTIVE")), NULL);
	fx_write("d.yaml", "apiVersion: v1alpha\nkind: Dashboard\nmetadata: {name: d}\nspec: {widgets: []}\n");
	fx_result r = cf(&e, ARGS("apply", "--yes", "--prune"));
	assert_int_equal(r.rc, 0);
	assert_false(fx_contains(r.out, "Notification/old"));
	fx_result_free(&r);
	cJSON *n = e2e_get(&e, "/notifications/old");
	assert_non_null(n);
	cJSON_Delete(n);
	e2e_down(&e);
}

static void test_an_export_writes_endpoints_as_md5_and_plans_unchanged(void **state)
{
	(void)state;
	e2e e;
	up(&e, SEED(LIVE_OLD("INACTIVE")), NULL);
	fx_result r = cf(&e, ARGS("export", "--notifications", "--dir", "org"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	r = cf(&e, ARGS("export", "--notifications"));
	assert_false(fx_contains(r.out, "secret-"));
	assert_true(fx_contains(r.out, "        endpoint: "));
	assert_true(fx_contains(r.out, " [md5]\n"));
	fx_result_free(&r);
	r = cf(&e, ARGS("plan", "org/notifications/notification-old.yaml"));
	assert_string_equal(r.out, "Unchanged: 1 resource.\nNo changes. Live state matches the specs.\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_an_md5_placeholder_sends_the_live_endpoint_on_update(void **state)
{
	(void)state;
	e2e e;
	e2e_up(&e, SEED(LIVE_OLD("ACTIVE")), ARGS("--record", "requests.jsonl"), NULL);
	fx_result r = cf(&e, ARGS("export", "--notifications"));
	char *yaml = cf_xstrdup(r.out);
	fx_result_free(&r);
	char *at = strstr(yaml, "'#a'");
	assert_non_null(at);
	memcpy(at, "'#b'", 4);
	fx_write("n.yaml", yaml);
	free(yaml);
	apply_ok(&e);
	char *body = body_of("PATCH", "/notifications/");
	assert_true(fx_contains(body, "\"slack\":{\"endpoint\":\"" HOOK_OLD "\",\"channels\":[\"#b\"]"));
	free(body);
	e2e_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_bad_regex_is_refused_at_its_position),
		cmocka_unit_test(test_a_result_that_is_not_a_pipeline_result_is_refused),
		cmocka_unit_test(test_a_rule_without_a_target_is_refused_email_counting_only_with_cc),
		cmocka_unit_test(test_a_uuid_name_is_refused),
		cmocka_unit_test(test_an_empty_projects_list_is_a_warning_that_the_rule_never_fires),
		cmocka_unit_test(test_what_sem_get_prints_validates),
		cmocka_unit_test(test_the_plan_shows_an_endpoint_change_as_sensitive_and_never_the_url),
		cmocka_unit_test(test_a_create_sends_every_filter_list_and_the_endpoint_from_the_environment),
		cmocka_unit_test(test_an_update_patches_name_and_spec_keeping_a_disabled_target_inactive),
		cmocka_unit_test(test_drift_exits_2_when_the_live_notification_changed),
		cmocka_unit_test(test_an_unmanaged_notification_is_listed_and_deleted_only_with_prune),
		cmocka_unit_test(test_without_a_notification_manifest_none_is_in_scope),
		cmocka_unit_test(test_an_export_writes_endpoints_as_md5_and_plans_unchanged),
		cmocka_unit_test(test_an_md5_placeholder_sends_the_live_endpoint_on_update),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

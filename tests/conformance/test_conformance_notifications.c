/*
 * Notifications as public-api-gateway and the notifications service answer
 * them. Each test names the upstream test or file it re-expresses
 * (semaphoreio/semaphore notifications/test/notifications/api/public_api/{create,get,list,update}_test.exs,
 * notifications/lib/notifications/util/validator.ex, models/notification.ex).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include "tests/conformance/api.h"
#include "tests/conformance/seed.h"

#include <stdlib.h>
#include <string.h>

#define NS "/notifications"
#define SLACK "{\"slack\": {\"endpoint\": \"https://hooks.slack.com/x\", \"channels\": [\"#general\"]}}"
#define RULE(filter, notify) "{\"name\": \"r\", \"filter\": " filter ", \"notify\": " notify "}"
#define BODY(name, rules) "{\"metadata\": {\"name\": \"" name "\"}, \"spec\": {\"rules\": [" rules "]}}"
#define OK_BODY(name) BODY(name, RULE("{\"projects\": [\"web\"]}", SLACK))

static void up(cx_env *e)
{
	cx_up(e, SEED_BODY("\"caller_id\": \"" U_OCTO "\","), "0", NULL);
}

static void create(cx_env *e, const char *body)
{
	cx_answer a = cx_call(e, "POST", NS, body);
	assert_int_equal(a.status, 200);
	cx_free(&a);
}

/* create_test.exs "it returns serialized notification": every field emitted,
 * int64 as strings, an absent email read back empty, each target ACTIVE */
static void test_create_answers_the_whole_notification(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_answer a = cx_call(&e, "POST", NS, OK_BODY("first-notification"));
	assert_int_equal(a.status, 200);
	assert_string_equal(a.content_type, "application/json");
	assert_string_equal(cx_str(a.json, "metadata.name"), "first-notification");
	assert_string_equal(cx_str(a.json, "metadata.creator_id"), U_OCTO);
	assert_true(cJSON_IsString(cx_get(a.json, "metadata.create_time")));
	char *rule = cJSON_PrintUnformatted(cx_get(a.json, "spec.rules.0"));
	assert_string_equal(rule,
			    "{\"name\":\"r\",\"filter\":{\"projects\":[\"web\"],\"branches\":[],\"pipelines\":[],\"blocks\":[],"
			    "\"states\":[],\"results\":[],\"tags\":[]},\"notify\":{\"slack\":{\"endpoint\":\"https://hooks.slack.com/x\","
			    "\"channels\":[\"#general\"],\"message\":\"\",\"status\":\"ACTIVE\"},\"email\":{\"subject\":\"\",\"cc\":[],"
			    "\"bcc\":[],\"content\":\"\",\"status\":\"ACTIVE\"},\"webhook\":null}}");
	free(rule);
	char *st = cJSON_PrintUnformatted(cx_get(a.json, "status"));
	assert_string_equal(st, "{\"failures\":[]}");
	free(st);
	cx_free(&a);
	cx_down(&e);
}

/* get_test.exs "it gets the resource" / "when not found => returns error": by name or id */
static void test_get_by_name_or_id_and_404(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_answer a = cx_call(&e, "POST", NS, OK_BODY("first"));
	char path[128];
	snprintf(path, sizeof(path), NS "/%s", cx_str(a.json, "metadata.id"));
	cx_answer b = cx_call(&e, "GET", path, NULL);
	assert_int_equal(b.status, 200);
	assert_string_equal(cx_str(b.json, "metadata.name"), "first");
	cx_free(&b);
	b = cx_call(&e, "GET", NS "/first", NULL);
	assert_string_equal(cx_str(b.json, "metadata.id"), cx_str(a.json, "metadata.id"));
	cx_free(&b);
	cx_free(&a);
	cx_expect(cx_call(&e, "GET", NS "/non-existing", NULL), 404,
		  "{\"code\":5,\"message\":\"Notification non-existing not found\",\"details\":[]}");
	cx_down(&e);
}

/* list_test.exs "it gets the resources": by name, page_size 3, then the rest and "" */
static void test_list_pages_by_name(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	create(&e, OK_BODY("first-3"));
	create(&e, OK_BODY("first-1"));
	create(&e, OK_BODY("first-5"));
	create(&e, OK_BODY("first-2"));
	create(&e, OK_BODY("first-4"));
	cx_answer a = cx_call(&e, "GET", NS "?page_size=3", NULL);
	assert_int_equal(cJSON_GetArraySize(cx_get(a.json, "notifications")), 3);
	assert_string_equal(cx_str(a.json, "notifications.0.metadata.name"), "first-1");
	assert_string_equal(cx_str(a.json, "notifications.2.metadata.name"), "first-3");
	const char *token = cx_str(a.json, "next_page_token");
	assert_true(token && *token);
	char path[256];
	snprintf(path, sizeof(path), NS "?page_size=3&page_token=%s", token);
	cx_answer b = cx_call(&e, "GET", path, NULL);
	assert_int_equal(cJSON_GetArraySize(cx_get(b.json, "notifications")), 2);
	assert_string_equal(cx_str(b.json, "notifications.0.metadata.name"), "first-4");
	assert_string_equal(cx_str(b.json, "next_page_token"), "");
	cx_free(&b);
	cx_free(&a);
	cx_down(&e);
}

/* public_api/list.ex extract_page_size: @page_size_limit 300 */
static void test_list_page_size_over_300_is_400(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_expect(cx_call(&e, "GET", NS "?page_size=301", NULL), 400,
		  "{\"code\":3,\"message\":\"Page size can't exceed 300\",\"details\":[]}");
	cx_answer a = cx_call(&e, "GET", NS "?page_size=300", NULL);
	assert_int_equal(a.status, 200);
	cx_free(&a);
	cx_down(&e);
}

/* create_test.exs "when validation fails => returns error with message" */
static void test_regex_that_does_not_compile_is_400(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_expect(cx_call(&e, "POST", NS, BODY("A", RULE("{\"projects\": [\"/*/\"]}", SLACK))), 400,
		  "{\"code\":3,\"message\":\"Pattern /*/ is not a valid regex statement\",\"details\":[]}");
	cx_expect(cx_call(&e, "POST", NS, BODY("A", RULE("{\"projects\": [\"/*/\"], \"branches\": [\"/(/\"]}", SLACK))), 400,
		  "{\"code\":3,\"message\":\"Patterns [/*/, /(/] are not valid regex statements\",\"details\":[]}");
	cx_down(&e);
}

/* validator.ex validate_result_patterns / report_results([invalid_result]): one bad
 * entry is its own error, 400; regex entries are not results to check */
static void test_one_bad_result_entry_is_400(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_expect(cx_call(&e, "POST", NS, BODY("A", RULE("{\"results\": [\"passed\", \"green\"]}", SLACK))), 400,
		  "{\"code\":3,\"message\":\"Value green is not a valid result entry. Valid values are: passed, failed, "
		  "canceled, stopped.\",\"details\":[]}");
	cx_answer a = cx_call(&e, "POST", NS, BODY("A", RULE("{\"results\": [\"/pass.*/\", \"failed\"]}", SLACK)));
	assert_int_equal(a.status, 200);
	cx_free(&a);
	cx_down(&e);
}

/* validator.ex report_results(invalid_results): two or more bad entries, in one rule
 * or across rules, reach Enum.join of {:error, ...} tuples, which raises, so the
 * service fails: 500, gRPC UNKNOWN (code 2) */
static void test_two_bad_result_entries_are_500(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_answer a = cx_call(&e, "POST", NS, BODY("A", RULE("{\"results\": [\"green\", \"red\"]}", SLACK)));
	assert_int_equal(a.status, 500);
	assert_int_equal(cx_get(a.json, "code")->valueint, 2);
	cx_free(&a);
	a = cx_call(&e, "POST", NS,
		    BODY("A", RULE("{\"results\": [\"green\"]}", SLACK) "," RULE("{\"results\": [\"red\"]}", SLACK)));
	assert_int_equal(a.status, 500);
	assert_int_equal(cx_get(a.json, "code")->valueint, 2);
	cx_free(&a);
	a = cx_call(&e, "GET", NS, NULL);
	assert_int_equal(cJSON_GetArraySize(cx_get(a.json, "notifications")), 0);
	cx_free(&a);
	cx_down(&e);
}

/* validator.ex validate_regex_patterns: Regex.compile is PCRE (Erlang :re), so
 * lookahead, inline flags and \d compile */
static void test_regex_with_pcre_only_syntax_is_accepted(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_answer a = cx_call(&e, "POST", NS,
			      BODY("A", RULE("{\"branches\": [\"/^(?!wip-).*$/\", \"/(?i)^release-\\\\d+$/\"]}", SLACK)));
	assert_int_equal(a.status, 200);
	assert_string_equal(cx_str(a.json, "spec.rules.0.filter.branches.0"), "/^(?!wip-).*$/");
	assert_string_equal(cx_str(a.json, "spec.rules.0.filter.branches.1"), "/(?i)^release-\\d+$/");
	cx_free(&a);
	cx_down(&e);
}

/* validator.ex validate_regex_patterns: what PCRE refuses is refused with upstream's
 * message, POSIX-valid or not: an unmatched ")", a repeated quantifier, a lookbehind
 * that is not of fixed length */
static void test_regex_that_pcre_refuses_is_400(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_expect(cx_call(&e, "POST", NS, BODY("A", RULE("{\"branches\": [\"/a)/\"]}", SLACK))), 400,
		  "{\"code\":3,\"message\":\"Pattern /a)/ is not a valid regex statement\",\"details\":[]}");
	cx_expect(cx_call(&e, "POST", NS, BODY("A", RULE("{\"pipelines\": [\"/a**/\", \"/(?<=a+)b/\"]}", SLACK))), 400,
		  "{\"code\":3,\"message\":\"Patterns [/a**/, /(?<=a+)b/] are not valid regex statements\",\"details\":[]}");
	cx_down(&e);
}

/* validator.ex validate_rule_notification_targets: email counts only with cc */
static void test_rule_without_target_is_400(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	const char *none = "{\"code\":3,\"message\":\"A notification rule must have at least one notification target "
			   "configured.\",\"details\":[]}";
	cx_expect(cx_call(&e, "POST", NS, BODY("A", RULE("{}", "{\"email\": {\"bcc\": [\"a@b.c\"]}}"))), 400, none);
	cx_expect(cx_call(&e, "POST", NS, BODY("A", RULE("{}", "{\"slack\": {\"endpoint\": \"\"}}"))), 400, none);
	cx_expect(cx_call(&e, "POST", NS, BODY("A", "{\"name\": \"r\", \"filter\": {}}")), 400,
		  "{\"code\":3,\"message\":\"A notification rule must have a notify field.\",\"details\":[]}");
	cx_answer a = cx_call(&e, "POST", NS, BODY("A", RULE("{}", "{\"email\": {\"cc\": [\"a@b.c\"]}}")));
	assert_int_equal(a.status, 200);
	cx_free(&a);
	cx_down(&e);
}

/* create_test.exs "raises error if the name is not unique": FAILED_PRECONDITION, 400 */
static void test_taken_name_is_400(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	create(&e, OK_BODY("first-notification"));
	const char *taken = "{\"code\":9,\"message\":\"name 'first-notification' has already been taken\",\"details\":[]}";
	cx_expect(cx_call(&e, "POST", NS, OK_BODY("first-notification")), 400, taken);
	/* update_test.exs "raises error if the name is not unique" */
	create(&e, OK_BODY("second-notification"));
	cx_expect(cx_call(&e, "PATCH", NS "/second-notification", OK_BODY("first-notification")), 400, taken);
	cx_down(&e);
}

/* models/notification.ex valid_name_format: its error has no clause in create.ex
 * parse_error_msg, so the service raises: 500 */
static void test_uuid_name_is_500(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_answer a = cx_call(&e, "POST", NS, OK_BODY(U_OCTO));
	assert_int_equal(a.status, 500);
	assert_int_equal(cx_get(a.json, "code")->valueint, 2);
	cx_free(&a);
	cx_down(&e);
}

/* update.ex update_notification: name and spec replaced, rules recreated; a
 * target left without status comes back ACTIVE */
static void test_patch_replaces_name_and_spec(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	create(&e, BODY("first", RULE("{\"branches\": [\"main\"]}",
				       "{\"slack\": {\"endpoint\": \"https://s\", \"status\": \"INACTIVE\"}}") ","
				 RULE("{}", "{\"webhook\": {\"endpoint\": \"https://w\", \"timeout\": 500}}")));
	cx_answer a = cx_call(&e, "GET", NS "/first", NULL);
	assert_string_equal(cx_str(a.json, "spec.rules.0.notify.slack.status"), "INACTIVE");
	assert_int_equal(cx_get(a.json, "spec.rules.1.notify.webhook.timeout")->valueint, 500);
	cx_free(&a);
	a = cx_call(&e, "PATCH", NS "/first", BODY("renamed", RULE("{}", "{\"slack\": {\"endpoint\": \"https://s\"}}")));
	assert_int_equal(a.status, 200);
	assert_string_equal(cx_str(a.json, "metadata.name"), "renamed");
	assert_int_equal(cJSON_GetArraySize(cx_get(a.json, "spec.rules")), 1);
	assert_string_equal(cx_str(a.json, "spec.rules.0.notify.slack.status"), "ACTIVE");
	assert_int_equal(cJSON_GetArraySize(cx_get(a.json, "spec.rules.0.filter.branches")), 0);
	cx_free(&a);
	cx_expect(cx_call(&e, "GET", NS "/first", NULL), 404,
		  "{\"code\":5,\"message\":\"Notification first not found\",\"details\":[]}");
	/* update_test.exs "when not found => returns error" */
	cx_expect(cx_call(&e, "PATCH", NS "/non-exist", OK_BODY("first")), 404,
		  "{\"code\":5,\"message\":\"Notification non-exist not found\",\"details\":[]}");
	/* update_test.exs "when new notification is invalid": validation before lookup */
	cx_expect(cx_call(&e, "PATCH", NS "/renamed", BODY("A", RULE("{\"projects\": [\"/*/\"]}", SLACK))), 400,
		  "{\"code\":3,\"message\":\"Pattern /*/ is not a valid regex statement\",\"details\":[]}");
	cx_down(&e);
}

/* delete.ex: Empty, then not found */
static void test_delete_answers_empty_then_404(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	create(&e, OK_BODY("gone"));
	cx_expect(cx_call(&e, "DELETE", NS "/gone", NULL), 200, "{}");
	cx_expect(cx_call(&e, "DELETE", NS "/gone", NULL), 404,
		  "{\"code\":5,\"message\":\"Notification gone not found\",\"details\":[]}");
	cx_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_answers_the_whole_notification),
		cmocka_unit_test(test_get_by_name_or_id_and_404),
		cmocka_unit_test(test_list_pages_by_name),
		cmocka_unit_test(test_list_page_size_over_300_is_400),
		cmocka_unit_test(test_regex_that_does_not_compile_is_400),
		cmocka_unit_test(test_regex_with_pcre_only_syntax_is_accepted),
		cmocka_unit_test(test_regex_that_pcre_refuses_is_400),
		cmocka_unit_test(test_one_bad_result_entry_is_400),
		cmocka_unit_test(test_two_bad_result_entries_are_500),
		cmocka_unit_test(test_rule_without_target_is_400),
		cmocka_unit_test(test_taken_name_is_400),
		cmocka_unit_test(test_uuid_name_is_500),
		cmocka_unit_test(test_patch_replaces_name_and_spec),
		cmocka_unit_test(test_delete_answers_empty_then_404),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

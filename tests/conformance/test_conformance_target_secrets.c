/*
 * Deployment targets' secrets and states, request by request, as the real
 * server answers them: SYNCING after every create and secret change, what a
 * PATCH keeps, what the worker ends with, how a delete goes. Each
 * test names the upstream router test it re-expresses (semaphoreio/semaphore
 * public-api/v1alpha/test/router/deployments/...) or, where the router tests
 * stub the part that matters, the server file whose behaviour it pins.
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

#define CREATE "/deployment_targets?project_id=" P_WEB
#define PROD "/deployment_targets/" T_PROD

static void up(cx_env *e)
{
	cx_up(e, SEED, "0", NULL);
}

/* gofer server.ex create: every create sends a secret record, so SYNCING first */
static void test_every_create_goes_syncing_first_then_usable(void **state)
{
	(void)state;
	cx_env e;
	cx_up(&e, SEED, "300", NULL);
	cx_answer a = cx_call(&e, "POST", CREATE, "{\"name\": \"new\", " UT(1) "}");
	assert_string_equal(cx_str(a.json, "state"), "SYNCING");
	char *path = NULL;
	assert_true(asprintf(&path, "/deployment_targets/%s", cx_str(a.json, "id")) > 0);
	char *deact = NULL;
	assert_true(asprintf(&deact, "%s/deactivate", path) > 0);
	cx_expect(cx_call(&e, "PATCH", deact, NULL), 400, "\"Invalid state: SYNCING\"");
	char *st = cx_wait_settled(&e, path);
	assert_string_equal(st, "USABLE");
	free(st);
	free(deact);
	free(path);
	cx_free(&a);
	cx_down(&e);
}

/* cordon_test.exs "when target is in invalid state then returns error" (deployment_queries.ex
 * update/3, delete/2, cordon/2 on SYNCING) */
static void test_update_delete_activate_deactivate_during_syncing_are_400_invalid_state(void **state)
{
	(void)state;
	cx_env e;
	cx_up(&e, SEED, "400", NULL);
	cx_answer a = cx_call(&e, "PATCH", PROD, "{" UT(1) ", \"env_vars\": []}");
	assert_string_equal(cx_str(a.json, "state"), "SYNCING");
	cx_free(&a);
	cx_expect(cx_call(&e, "PATCH", PROD, "{" UT(2) ", \"url\": \"u\"}"), 400, "\"Invalid state: SYNCING\"");
	cx_expect(cx_call(&e, "DELETE", PROD "?unique_token=" TOKEN(3), NULL), 400, "\"Invalid state: SYNCING\"");
	cx_expect(cx_call(&e, "PATCH", PROD "/activate", NULL), 400, "\"Invalid state: SYNCING\"");
	cx_expect(cx_call(&e, "PATCH", PROD "/deactivate", NULL), 400, "\"Invalid state: SYNCING\"");
	char *st = cx_wait_settled(&e, PROD);
	assert_string_equal(st, "USABLE");
	free(st);
	cx_down(&e);
}

/* update_test.exs "when params are valid then updates the target" */
static void test_update_changes_the_name_and_replaces_the_secrets(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_answer a = cx_call(&e, "PATCH", PROD, "{" UT(1) ", \"name\": \"Changed-Name\","
						 " \"env_vars\": [{\"name\": \"VAR\", \"value\": \"x\"}], \"files\": []}");
	assert_int_equal(a.status, 200);
	assert_string_equal(cx_str(a.json, "name"), "Changed-Name");
	assert_string_equal(cx_str(a.json, "url"), "https://prod.example.com");
	cx_free(&a);
	char *v = cx_secret_md5(&e, PROD, "env_vars", "VAR"), *old = cx_secret_md5(&e, PROD, "env_vars", "TOKEN");
	assert_string_equal(v, "9dd4e461268c8034f5c8564e155c67a6"); /* md5("x") */
	assert_null(old);
	free(v);
	cx_down(&e);
}

/* request_formatter.ex update_secret: either list present replaces both */
static void test_patch_with_env_vars_only_empties_the_files(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_answer a = cx_call(&e, "PATCH", PROD, "{" UT(1) ", \"env_vars\": [{\"name\": \"TOKEN\", \"value\": \"x\"}]}");
	cx_free(&a);
	assert_null(cx_secret_md5(&e, PROD, "files", "/etc/a.conf"));
	cx_down(&e);
}

/* request_formatter.ex check_env_var/check_file: the bare MD5, compared after lowercasing */
static void test_the_bare_md5_of_the_old_value_in_any_case_keeps_it(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_answer a = cx_call(&e, "PATCH", PROD, "{" UT(1) ", \"env_vars\": [{\"name\": \"TOKEN\", \"value\": \"E1DC47353439FCF66C9F05C52D2970F6\"}],"
						 " \"files\": [{\"path\": \"/etc/a.conf\", \"content\": \"" MD5_FILE "\"}]}");
	cx_free(&a);
	char *v = cx_secret_md5(&e, PROD, "env_vars", "TOKEN"), *f = cx_secret_md5(&e, PROD, "files", "/etc/a.conf");
	assert_string_equal(v, MD5_PROD_SECRET);
	assert_string_equal(f, MD5_FILE);
	free(v);
	free(f);
	cx_down(&e);
}

/* same functions: "<md5> [md5]" is not the MD5, so it is stored as the new value */
static void test_md5_with_the_manifest_suffix_is_stored_literally(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_answer a = cx_call(&e, "PATCH", PROD, "{" UT(1) ", \"env_vars\": [{\"name\": \"TOKEN\", \"value\": \"" MD5_PROD_SECRET " [md5]\"}]}");
	cx_free(&a);
	char *v = cx_secret_md5(&e, PROD, "env_vars", "TOKEN");
	assert_string_not_equal(v, MD5_PROD_SECRET);
	assert_string_equal(v, "fe8e27ed2822af72f830695fb08f2597"); /* md5 of the literal text */
	free(v);
	cx_down(&e);
}

/* secrethub model/content.ex requires every value; the API accepts, the sync fails
 * (gofer engine/worker.ex check_deadline), the old secret stays */
static void test_empty_secret_value_is_accepted_then_unusable_keeping_the_old_secret(void **state)
{
	(void)state;
	cx_env e;
	cx_up(&e, SEED, "100", NULL);
	cx_answer a = cx_call(&e, "PATCH", PROD, "{" UT(1) ", \"env_vars\": [{\"name\": \"TOKEN\", \"value\": \"\"}]}");
	assert_int_equal(a.status, 200);
	assert_string_equal(cx_str(a.json, "state"), "SYNCING");
	cx_free(&a);
	char *st = cx_wait_settled(&e, PROD);
	assert_string_equal(st, "UNUSABLE");
	free(st);
	a = cx_call(&e, "GET", PROD, NULL);
	assert_string_not_equal(cx_str(a.json, "state_message"), "");
	cx_free(&a);
	char *v = cx_secret_md5(&e, PROD, "env_vars", "TOKEN");
	assert_string_equal(v, MD5_PROD_SECRET);
	free(v);
	cx_down(&e);
}

/* content.ex @max_size: 6 MiB of stored file content (base64 text) plus values */
static void test_secrets_over_6_mib_end_unusable(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	size_t n = 6 * 1024 * 1024 + 4;
	char *body = malloc(n + 200);
	int at = sprintf(body, "{" UT(1) ", \"files\": [{\"path\": \"/big\", \"content\": \"");
	memset(body + at, 'A', n);
	strcpy(body + at + n, "\"}]}");
	cx_answer a = cx_call(&e, "PATCH", PROD, body);
	assert_int_equal(a.status, 200);
	cx_free(&a);
	char *st = cx_wait_settled(&e, PROD);
	assert_string_equal(st, "UNUSABLE");
	free(st);
	free(body);
	cx_down(&e);
}

/* router.ex Plug.Parsers: a JSON body over 8,000,000 bytes never reaches a handler */
static void test_a_body_over_8000000_bytes_is_refused(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	size_t n = 8000001;
	char *body = malloc(n + 1);
	memset(body, ' ', n);
	body[0] = '{';
	body[n - 1] = '}';
	body[n] = '\0';
	cx_answer a = cx_call(&e, "PATCH", PROD, body);
	assert_int_equal(a.status, 413);
	cx_free(&a);
	free(body);
	cx_down(&e);
}

/* delete_test.exs "when params are valid then deletes the target" with gofer deployment_queries.ex
 * delete/2: a target with a secret is SYNCING, still listed, then gone */
static void test_delete_of_a_target_with_secrets_goes_syncing_then_404(void **state)
{
	(void)state;
	cx_env e;
	cx_up(&e, SEED, "200", NULL);
	cx_expect(cx_call(&e, "DELETE", PROD "?unique_token=" TOKEN(1), NULL), 200, "{\"target_id\":\"" T_PROD "\"}");
	cx_answer a = cx_call(&e, "GET", "/deployment_targets?project_id=" P_WEB, NULL);
	assert_string_equal(cx_str(a.json, "0.state"), "SYNCING");
	cx_free(&a);
	char *st = cx_wait_settled(&e, PROD);
	assert_string_equal(st, "GONE");
	free(st);
	cx_expect(cx_call(&e, "GET", PROD, NULL), 404, "\"Not found\"");
	cx_down(&e);
}

/* list_test.exs "request list of deployment targets and get :ok response" and describe_test.exs
 * "...describes a target and returns secrets" (secrets.ex hash_env_vars) */
static void test_list_is_a_bare_array_and_only_include_secrets_shows_md5s(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_answer l = cx_call(&e, "GET", "/deployment_targets?project_id=" P_WEB, NULL);
	assert_true(cJSON_IsArray(l.json));
	assert_null(cx_get(l.json, "0.env_vars"));
	cx_answer d = cx_call(&e, "GET", PROD, NULL);
	assert_null(cx_get(d.json, "files"));
	cx_answer s = cx_call(&e, "GET", PROD "?include_secrets=true", NULL);
	assert_string_equal(cx_str(s.json, "env_vars.0.value"), MD5_PROD_SECRET);
	assert_string_equal(cx_str(s.json, "files.0.content"), MD5_FILE);
	cx_free(&l);
	cx_free(&d);
	cx_free(&s);
	cx_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_create_goes_syncing_first_then_usable),
		cmocka_unit_test(test_update_delete_activate_deactivate_during_syncing_are_400_invalid_state),
		cmocka_unit_test(test_update_changes_the_name_and_replaces_the_secrets),
		cmocka_unit_test(test_patch_with_env_vars_only_empties_the_files),
		cmocka_unit_test(test_the_bare_md5_of_the_old_value_in_any_case_keeps_it),
		cmocka_unit_test(test_md5_with_the_manifest_suffix_is_stored_literally),
		cmocka_unit_test(test_empty_secret_value_is_accepted_then_unusable_keeping_the_old_secret),
		cmocka_unit_test(test_secrets_over_6_mib_end_unusable),
		cmocka_unit_test(test_a_body_over_8000000_bytes_is_refused),
		cmocka_unit_test(test_delete_of_a_target_with_secrets_goes_syncing_then_404),
		cmocka_unit_test(test_list_is_a_bare_array_and_only_include_secrets_shows_md5s),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Organisation secrets (/api/v1beta/secrets) and project secrets
 * (/api/v1/projects/{project}/secrets) as public-api-gateway and secrethub
 * answer them. Each test names the upstream test or file it pins
 * (semaphoreio/semaphore secrethub/test/secrethub/public_grpc_api_test.exs,
 * secrethub/test/secrethub/project_secrets_public_api_test.exs,
 * secrethub/lib/secrethub/{public_grpc_api,secret,utils}.ex,
 * secrethub/lib/secrethub/project_secrets_public_api.ex and project_secrets/).
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

#define SS "/secrets"
#define PS(p) "/projects/" p "/secrets"
#define ENV(n, v) "{\"name\": \"" n "\", \"value\": \"" v "\"}"
#define SECRET(name, envs) "{\"metadata\": {\"name\": \"" name "\"}, \"data\": {\"env_vars\": [" envs "]}}"
#define WITH_POLICY(name, oc) "{\"metadata\": {\"name\": \"" name "\"}, \"data\": {}, \"org_config\": " oc "}"
#define GW(code, msg) "{\"code\":" #code ",\"message\":\"" msg "\",\"details\":[]}"

static void up(cx_env *e, const char *extra)
{
	char *seed = NULL;
	if (asprintf(&seed, "{\"org_id\": \"" ORG "\", %s"
			    " \"projects\": [{\"name\": \"web\", \"id\": \"" P_WEB "\"},"
			    "                {\"name\": \"api\", \"id\": \"" P_API "\"},"
			    "                {\"name\": \"hidden\", \"id\": \"" P_HIDDEN "\", \"member\": false}]}",
		     extra ? extra : "") < 0)
		abort();
	cx_up(e, seed, "0", NULL);
	free(seed);
}

/* cx_call under another API version: "v1beta" or "v1" instead of v1alpha */
static cx_answer call(const cx_env *e, const char *version, const char *method, const char *path, const char *body)
{
	cx_env v = *e;
	char *at = strstr(v.sb.api_url, "/api/v1alpha");
	assert_non_null(at);
	snprintf(at, sizeof(v.sb.api_url) - (size_t)(at - v.sb.api_url), "/api/%s", version);
	return cx_call(&v, method, path, body);
}

static cx_answer org(const cx_env *e, const char *method, const char *path, const char *body)
{
	return call(e, "v1beta", method, path, body);
}

static cx_answer prj(const cx_env *e, const char *method, const char *path, const char *body)
{
	return call(e, "v1", method, path, body);
}

static char *created(const cx_env *e, const char *body)
{
	cx_answer a = org(e, "POST", SS, body);
	assert_int_equal(a.status, 200);
	char *id = strdup(cx_str(a.json, "metadata.id"));
	cx_free(&a);
	return id;
}

static char *json_at(const cJSON *j, const char *path)
{
	return cJSON_PrintUnformatted(cx_get(j, path));
}

static void expect_json(const cJSON *j, const char *path, const char *want)
{
	char *got = json_at(j, path);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

/* public_grpc_api_test.exs "returns secret without contents" and list's "feature
 * disables contents viewing": names and paths come, values are "" */
static void test_values_hidden_by_default(void **state)
{
	(void)state;
	cx_env e;
	up(&e, NULL);
	cx_answer a = org(&e, "POST", SS,
			  "{\"metadata\": {\"name\": \"aws\"}, \"data\": {\"env_vars\": [" ENV("KEY", "v") "],"
			  " \"files\": [{\"path\": \"/a\", \"content\": \"Yg==\"}]}}");
	assert_int_equal(a.status, 200);
	assert_string_equal(a.content_type, "application/json");
	assert_false(cJSON_IsTrue(cx_get(a.json, "metadata.content_included")));
	expect_json(a.json, "data", "{\"env_vars\":[{\"name\":\"KEY\",\"value\":\"\"}],\"files\":[{\"path\":\"/a\",\"content\":\"\"}]}");
	assert_true(cJSON_IsString(cx_get(a.json, "metadata.create_time")));
	assert_string_equal(cx_str(a.json, "metadata.checkout_at"), "0");
	cx_free(&a);
	a = org(&e, "GET", SS, NULL);
	assert_int_equal(a.status, 200);
	expect_json(a.json, "secrets.0.data.env_vars", "[{\"name\":\"KEY\",\"value\":\"\"}]");
	assert_string_equal(cx_str(a.json, "next_page_token"), "");
	cx_free(&a);
	cx_down(&e);
}

/* public_grpc_api_test.exs "saves the secret to the store": with
 * secrets_exposed_content the values come back, content_included true */
static void test_values_shown_with_exposed_content(void **state)
{
	(void)state;
	cx_env e;
	up(&e, "\"secrets_exposed_content\": true,");
	cx_answer a = org(&e, "POST", SS, SECRET("aws", ENV("KEY", "v")));
	assert_true(cJSON_IsTrue(cx_get(a.json, "metadata.content_included")));
	expect_json(a.json, "data.env_vars", "[{\"name\":\"KEY\",\"value\":\"v\"}]");
	cx_free(&a);
	cx_down(&e);
}

/* public_grpc_api_test.exs "secrets contents are hidden => updates are rejected" */
static void test_patch_refused_while_hidden(void **state)
{
	(void)state;
	cx_env e;
	up(&e, NULL);
	free(created(&e, SECRET("aws", ENV("KEY", "v"))));
	cx_expect(org(&e, "PATCH", SS "/aws", SECRET("aws", ENV("KEY", "w"))), 400,
		  GW(9, "Secret can not be updated with API"));
	cx_down(&e);
}

/* public_grpc_api_test.exs "when the secret is found => updates the secret":
 * name and data replaced whole, a missing list emptied */
static void test_patch_replaces_name_and_data(void **state)
{
	(void)state;
	cx_env e;
	up(&e, "\"secrets_exposed_content\": true,");
	char *id = created(&e, "{\"metadata\": {\"name\": \"aws\"}, \"data\": {\"env_vars\": [" ENV("A", "1") "],"
			       " \"files\": [{\"path\": \"/a\", \"content\": \"x\"}]}}");
	cx_answer a = org(&e, "PATCH", SS "/aws", SECRET("aws2", ENV("B", "2")));
	assert_int_equal(a.status, 200);
	assert_string_equal(cx_str(a.json, "metadata.id"), id);
	assert_string_equal(cx_str(a.json, "metadata.name"), "aws2");
	expect_json(a.json, "data", "{\"env_vars\":[{\"name\":\"B\",\"value\":\"2\"}],\"files\":[]}");
	cx_free(&a);
	free(id);
	cx_down(&e);
}

/* public_grpc_api_test.exs .get_secret "fetching by name" / "by id", "when the
 * secret doesn't exists", .delete_secret "deletes existing secrets and returns
 * empty response" */
static void test_get_and_delete_by_id_or_name(void **state)
{
	(void)state;
	cx_env e;
	up(&e, NULL);
	char *id = created(&e, SECRET("my secret", ENV("A", "1")));
	char path[128];
	snprintf(path, sizeof(path), SS "/%s", id);
	cx_answer a = org(&e, "GET", path, NULL);
	assert_string_equal(cx_str(a.json, "metadata.name"), "my secret");
	cx_free(&a);
	a = org(&e, "GET", SS "/my%20secret", NULL); /* names percent-encoded in paths */
	assert_string_equal(cx_str(a.json, "metadata.id"), id);
	cx_free(&a);
	cx_expect(org(&e, "DELETE", SS "/my%20secret", NULL), 200, "{}");
	char want[160];
	snprintf(want, sizeof(want), GW(5, "Secret %s not found"), id);
	cx_expect(org(&e, "GET", path, NULL), 404, want);
	free(id);
	cx_down(&e);
}

/* list_secrets.ex: page_size at most 100, {secrets, next_page_token} by name,
 * "" on the last page (public_grpc_api_test.exs "when page_size is reasonable
 * => limits the response", "... not reasonable => raises error", "order by name") */
static void test_list_pages_by_name(void **state)
{
	(void)state;
	cx_env e;
	up(&e, NULL);
	free(created(&e, SECRET("c", ENV("A", "1"))));
	free(created(&e, SECRET("a", ENV("A", "1"))));
	free(created(&e, SECRET("b", ENV("A", "1"))));
	cx_expect(org(&e, "GET", SS "?page_size=101", NULL), 400, GW(3, "Page size can't exceed 100"));
	cx_answer a = org(&e, "GET", SS "?page_size=2", NULL);
	assert_int_equal(a.status, 200);
	assert_int_equal(cJSON_GetArraySize(cx_get(a.json, "secrets")), 2);
	assert_string_equal(cx_str(a.json, "secrets.0.metadata.name"), "a");
	assert_string_equal(cx_str(a.json, "secrets.1.metadata.name"), "b");
	char *token = strdup(cx_str(a.json, "next_page_token"));
	assert_true(*token);
	cx_free(&a);
	char path[256];
	snprintf(path, sizeof(path), SS "?page_size=2&page_token=%s", token);
	a = org(&e, "GET", path, NULL);
	assert_int_equal(cJSON_GetArraySize(cx_get(a.json, "secrets")), 1);
	assert_string_equal(cx_str(a.json, "secrets.0.metadata.name"), "c");
	assert_string_equal(cx_str(a.json, "next_page_token"), "");
	cx_free(&a);
	free(token);
	cx_down(&e);
}

/* public_grpc_api_test.exs "order by create time" */
static void test_list_by_create_time(void **state)
{
	(void)state;
	cx_env e;
	up(&e, "\"secrets\": [{\"name\": \"a\", \"create_time\": 300}, {\"name\": \"b\", \"create_time\": 100}],");
	cx_answer a = org(&e, "GET", SS "?order=BY_CREATE_TIME_ASC", NULL);
	assert_string_equal(cx_str(a.json, "secrets.0.metadata.name"), "b");
	assert_string_equal(cx_str(a.json, "secrets.1.metadata.name"), "a");
	cx_free(&a);
	cx_down(&e);
}

/* utils.ex permissions_from_org_config then to_org_config_params: ALLOWED without
 * ids reads back NONE, NONE drops its ids, ALL keeps them (public_grpc_api_test.exs
 * "when secrets_access_policy features are enabled & user has permissions => save user input") */
static void test_org_config_normalised(void **state)
{
	(void)state;
	cx_env e;
	up(&e, "\"secrets_access_policy\": true,");
	cx_answer a = org(&e, "POST", SS,
			  WITH_POLICY("allowed", "{\"projects_access\": \"ALLOWED\", \"project_ids\": [\"" P_WEB "\"],"
						 " \"debug_access\": \"JOB_DEBUG_NO\", \"attach_access\": \"JOB_ATTACH_NO\"}"));
	expect_json(a.json, "org_config", "{\"projects_access\":\"ALLOWED\",\"project_ids\":[\"" P_WEB
					  "\"],\"debug_access\":\"JOB_DEBUG_NO\",\"attach_access\":\"JOB_ATTACH_NO\"}");
	cx_free(&a);
	a = org(&e, "POST", SS, WITH_POLICY("empty", "{\"projects_access\": \"ALLOWED\"}"));
	expect_json(a.json, "org_config.projects_access", "\"NONE\"");
	cx_free(&a);
	a = org(&e, "POST", SS, WITH_POLICY("none", "{\"projects_access\": \"NONE\", \"project_ids\": [\"" P_WEB "\"]}"));
	expect_json(a.json, "org_config", "{\"projects_access\":\"NONE\",\"project_ids\":[],\"debug_access\":\"JOB_DEBUG_YES\","
					  "\"attach_access\":\"JOB_ATTACH_YES\"}");
	cx_free(&a);
	a = org(&e, "POST", SS, WITH_POLICY("all", "{\"project_ids\": [\"" P_WEB "\"]}"));
	expect_json(a.json, "org_config.projects_access", "\"ALL\"");
	expect_json(a.json, "org_config.project_ids", "[\"" P_WEB "\"]");
	cx_free(&a);
	a = org(&e, "POST", SS, SECRET("nothing", ENV("A", "1"))); /* none stored: the defaults */
	expect_json(a.json, "org_config", "{\"projects_access\":\"ALL\",\"project_ids\":[],\"debug_access\":\"JOB_DEBUG_YES\","
					  "\"attach_access\":\"JOB_ATTACH_YES\"}");
	cx_free(&a);
	cx_down(&e);
}

/* public_grpc_api.ex filter_on_feature_flag / maybe_serialize_org_config:
 * without secrets_access_policy the policy is dropped and answered null;
 * public_grpc_api_test.exs "when features are enabled & user does not have
 * permissions => save default org_config" */
static void test_org_config_dropped(void **state)
{
	(void)state;
	cx_env e;
	const char *body = WITH_POLICY("s", "{\"projects_access\": \"NONE\"}");
	up(&e, NULL);
	cx_answer a = org(&e, "POST", SS, body);
	assert_int_equal(a.status, 200);
	assert_true(cJSON_IsNull(cx_get(a.json, "org_config")));
	cx_free(&a);
	cx_down(&e);
	up(&e, "\"secrets_access_policy\": true, \"secrets_policy_manage\": false,");
	a = org(&e, "POST", SS, body);
	expect_json(a.json, "org_config.projects_access", "\"ALL\"");
	cx_free(&a);
	cx_down(&e);
}

/* utils.ex consolidate_org_configs: a PATCH without org_config keeps the live
 * one (public_grpc_api_test.exs "features enabled & user can not edit
 * permissions => updates the secret but not permissions") */
static void test_patch_without_org_config_keeps_it(void **state)
{
	(void)state;
	cx_env e;
	up(&e, "\"secrets_access_policy\": true, \"secrets_exposed_content\": true,");
	free(created(&e, WITH_POLICY("s", "{\"projects_access\": \"NONE\", \"debug_access\": \"JOB_DEBUG_NO\"}")));
	cx_answer a = org(&e, "PATCH", SS "/s", SECRET("s", ENV("A", "1")));
	assert_int_equal(a.status, 200);
	expect_json(a.json, "org_config", "{\"projects_access\":\"NONE\",\"project_ids\":[],\"debug_access\":\"JOB_DEBUG_NO\","
					  "\"attach_access\":\"JOB_ATTACH_YES\"}");
	cx_free(&a);
	a = org(&e, "PATCH", SS "/s", WITH_POLICY("s", "{\"projects_access\": \"ALL\"}")); /* given: all four replaced */
	expect_json(a.json, "org_config.debug_access", "\"JOB_DEBUG_YES\"");
	cx_free(&a);
	cx_down(&e);
}

/* secret.ex @valid_name_regex ~r/^[@: -._a-zA-Z0-9]+$/: " -." is a range, so
 * space and !"#$%&'()*+, pass; "/" does not (public_grpc_api_test.exs
 * "raises error if the name is not alphanumeric") */
static void test_name_regex_range(void **state)
{
	(void)state;
	cx_env e;
	up(&e, NULL);
	free(created(&e, SECRET("a b!#$%&'()*+,-.@:_Z9", ENV("A", "1"))));
	const char *msg = GW(3, "name can only include alpha-numeric characters, dashes, underscores and dots");
	cx_expect(org(&e, "POST", SS, SECRET("a/b", ENV("A", "1"))), 400, msg);
	cx_expect(org(&e, "POST", SS, SECRET("a~b", ENV("A", "1"))), 400, msg);
	cx_expect(org(&e, "POST", SS, SECRET("", ENV("A", "1"))), 500, GW(2, "Unknown error"));
	cx_down(&e);
}

/* secret.ex uuid?: unanchored, lowercase (public_grpc_api_test.exs "raises
 * error if the name is in uuid format") */
static void test_name_with_uuid_refused(void **state)
{
	(void)state;
	cx_env e;
	up(&e, NULL);
	cx_expect(org(&e, "POST", SS, SECRET("x-" P_WEB, ENV("A", "1"))), 400, GW(3, "name should not be in uuid format"));
	cx_down(&e);
}

/* public_grpc_api_test.exs "raises error if the name is not unique"; no
 * idempotency: a retried POST gets the same */
static void test_duplicate_name(void **state)
{
	(void)state;
	cx_env e;
	up(&e, NULL);
	free(created(&e, SECRET("aws", ENV("A", "1"))));
	cx_expect(org(&e, "POST", SS, SECRET("aws", ENV("A", "1"))), 400, GW(3, "name has already been taken"));
	cx_down(&e);
}

/* public_grpc_api_test.exs "when there are empty values => raises error";
 * model/content.ex consolidate_changeset_errors, model/env_var.ex */
static void test_empty_value(void **state)
{
	(void)state;
	cx_env e;
	up(&e, NULL);
	cx_expect(org(&e, "POST", SS, SECRET("aws", ENV("A", ""))), 400, GW(3, "env_vars value can't be blank"));
	cx_expect(org(&e, "POST", SS, SECRET("aws", ENV("A", "1") "," ENV("9", "1"))), 400,
		  GW(3, "env_vars , env_vars name of enviorment variable is invalid"));
	cx_expect(org(&e, "POST", SS, "{\"metadata\": {\"name\": \"f\"}, \"data\": {\"files\": [{\"path\": \"/a\"}]}}"), 400,
		  GW(3, "files content can't be blank"));
	cx_down(&e);
}

/* public_grpc_api_test.exs "doesn't raise error if the old name is non alphanumric" */
static void test_old_invalid_name_not_rechecked(void **state)
{
	(void)state;
	cx_env e;
	up(&e, "\"secrets_exposed_content\": true, \"secrets\": [{\"name\": \"old~name\"}, {\"name\": \"ok\"}],");
	cx_answer a = org(&e, "PATCH", SS "/old~name", SECRET("new~name", ENV("A", "1")));
	assert_int_equal(a.status, 200);
	assert_string_equal(cx_str(a.json, "metadata.name"), "new~name");
	cx_free(&a);
	cx_expect(org(&e, "PATCH", SS "/ok", SECRET("ok~", ENV("A", "1"))), 400,
		  GW(3, "name can only include alpha-numeric characters, dashes, underscores and dots"));
	cx_down(&e);
}

/* public_grpc_api_test.exs "unathorized" (create 403), list "when the users is
 * not authorized" (403), get/delete without access: 404 */
static void test_without_permission(void **state)
{
	(void)state;
	cx_env e;
	up(&e, "\"secrets_manage\": false, \"secrets\": [{\"name\": \"aws\"}],");
	cx_expect(org(&e, "POST", SS, SECRET("x", ENV("A", "1"))), 403, GW(7, "You are not authorized to create secrets"));
	cx_expect(org(&e, "GET", SS, NULL), 403, GW(7, "Can't list secrets in organization"));
	cx_expect(org(&e, "GET", SS "/aws", NULL), 404, GW(5, "Secret aws not found"));
	cx_expect(org(&e, "DELETE", SS "/aws", NULL), 404, GW(5, "Secret aws not found"));
	cx_down(&e);
}

/* project_secrets_public_api_test.exs "feature enabled, user authorized, provide
 * project name, without content => creates the secret without content": the
 * project's UUID in metadata.project_id_or_name, values hidden */
static void test_project_secret_answers_the_uuid(void **state)
{
	(void)state;
	cx_env e;
	up(&e, NULL);
	cx_answer a = prj(&e, "POST", PS("web"), SECRET("db", ENV("PASS", "x")));
	assert_int_equal(a.status, 200);
	assert_string_equal(cx_str(a.json, "metadata.project_id_or_name"), P_WEB);
	assert_false(cJSON_IsTrue(cx_get(a.json, "metadata.content_included")));
	expect_json(a.json, "data.env_vars", "[{\"name\":\"PASS\",\"value\":\"\"}]");
	assert_null(cx_get(a.json, "org_config"));
	cx_free(&a);
	a = prj(&e, "GET", PS(P_WEB) "/db", NULL);
	assert_string_equal(cx_str(a.json, "metadata.name"), "db");
	cx_free(&a);
	a = prj(&e, "GET", PS(P_WEB), NULL);
	assert_int_equal(cJSON_GetArraySize(cx_get(a.json, "secrets")), 1);
	assert_string_equal(cx_str(a.json, "next_page_token"), "");
	cx_free(&a);
	cx_expect(prj(&e, "DELETE", PS(P_WEB) "/db", NULL), 200, "{}");
	cx_expect(prj(&e, "GET", PS(P_WEB) "/db", NULL), 404, GW(5, "secret not found"));
	cx_down(&e);
}

/* project_secrets_public_api_test.exs "when feature is not enabled => it returns an error" */
static void test_project_secrets_feature_off(void **state)
{
	(void)state;
	cx_env e;
	up(&e, "\"project_level_secrets\": false,");
	cx_expect(prj(&e, "GET", PS(P_WEB), NULL), 400,
		  GW(9, "Project level secrets are not enabled for this organization"));
	cx_down(&e);
}

/* project_secrets_public_api_test.exs "feature enabled, user unauthorized =>
 * it returns an error"; ensure_project_id: an unknown name is unhandled (500) */
static void test_project_secrets_authorisation(void **state)
{
	(void)state;
	cx_env e;
	up(&e, NULL);
	const char *denied = GW(7, "User is not authorized to perform this operation");
	cx_expect(prj(&e, "GET", PS(P_HIDDEN), NULL), 403, denied);
	cx_expect(prj(&e, "POST", PS("hidden"), SECRET("x", ENV("A", "1"))), 403, denied);
	cx_expect(prj(&e, "GET", PS("nope"), NULL), 500, GW(2, "Internal Server Error"));
	cx_down(&e);
}

/* project_secrets/secret.ex unique_constraint :unique_names_in_project: per
 * project only; no name format check */
static void test_project_secret_unique_per_project(void **state)
{
	(void)state;
	cx_env e;
	up(&e, NULL);
	cx_answer a = prj(&e, "POST", PS("web"), SECRET("a/b c", ENV("A", "1")));
	assert_int_equal(a.status, 200);
	cx_free(&a);
	cx_expect(prj(&e, "POST", PS("web"), SECRET("a/b c", ENV("A", "1"))), 400,
		  GW(3, "name: name must be unique in project"));
	a = prj(&e, "POST", PS("api"), SECRET("a/b c", ENV("A", "1")));
	assert_int_equal(a.status, 200);
	cx_free(&a);
	cx_expect(prj(&e, "POST", PS("web"), "{\"metadata\": {\"name\": \"x\"}}"), 400, GW(3, "content: can't be blank"));
	cx_expect(prj(&e, "POST", PS("web"), SECRET("y", ENV("A", ""))), 400,
		  GW(3, "content: env_vars value can't be blank"));
	cx_down(&e);
}

/* project_secrets_public_api_test.exs "feature enabled, user authorized, secret
 * exists, contents hidden => rejects update" */
static void test_project_patch_refused_while_hidden(void **state)
{
	(void)state;
	cx_env e;
	up(&e, "\"project_secrets\": [{\"project\": \"web\", \"name\": \"db\"}],");
	cx_expect(prj(&e, "PATCH", PS(P_WEB) "/db", SECRET("db", ENV("A", "1"))), 400,
		  GW(9, "Secret can not be updated with API"));
	cx_down(&e);
}

/* project_secrets/public_api_mapper.ex decode: the body's
 * metadata.project_id_or_name is cast into project_id: a name is invalid,
 * another project's UUID moves the secret; a blank name keeps the old one */
static void test_project_patch_casts_project_id(void **state)
{
	(void)state;
	cx_env e;
	up(&e, "\"secrets_exposed_content\": true, \"project_secrets\": [{\"project\": \"web\", \"name\": \"db\"}],");
	cx_expect(prj(&e, "PATCH", PS(P_WEB) "/db",
		      "{\"metadata\": {\"project_id_or_name\": \"web\"}, \"data\": {}}"),
		  400, GW(3, "project_id: is invalid"));
	cx_answer a = prj(&e, "PATCH", PS(P_WEB) "/db",
			  "{\"metadata\": {\"project_id_or_name\": \"" P_API "\"}, \"data\": {\"env_vars\": [" ENV("A", "1") "]}}");
	assert_int_equal(a.status, 200);
	assert_string_equal(cx_str(a.json, "metadata.name"), "db");
	assert_string_equal(cx_str(a.json, "metadata.project_id_or_name"), P_API);
	cx_free(&a);
	cx_expect(prj(&e, "GET", PS(P_WEB) "/db", NULL), 404, GW(5, "secret not found"));
	a = prj(&e, "GET", PS(P_API) "/db", NULL);
	assert_int_equal(a.status, 200);
	cx_free(&a);
	cx_down(&e);
}

/* helm-chart/templates/emissary-ingress/mappings.yaml: only
 * projects/[a-zA-Z0-9_-]+/secrets reaches the gateway */
static void test_project_name_with_a_dot_is_not_routed(void **state)
{
	(void)state;
	cx_env e;
	up(&e, NULL);
	cx_answer a = prj(&e, "GET", PS("my.app"), NULL);
	assert_int_equal(a.status, 404);
	assert_null(a.json);
	cx_free(&a);
	cx_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_hidden_by_default),
		cmocka_unit_test(test_values_shown_with_exposed_content),
		cmocka_unit_test(test_patch_refused_while_hidden),
		cmocka_unit_test(test_patch_replaces_name_and_data),
		cmocka_unit_test(test_get_and_delete_by_id_or_name),
		cmocka_unit_test(test_list_pages_by_name),
		cmocka_unit_test(test_list_by_create_time),
		cmocka_unit_test(test_org_config_normalised),
		cmocka_unit_test(test_org_config_dropped),
		cmocka_unit_test(test_patch_without_org_config_keeps_it),
		cmocka_unit_test(test_name_regex_range),
		cmocka_unit_test(test_name_with_uuid_refused),
		cmocka_unit_test(test_duplicate_name),
		cmocka_unit_test(test_empty_value),
		cmocka_unit_test(test_old_invalid_name_not_rechecked),
		cmocka_unit_test(test_without_permission),
		cmocka_unit_test(test_project_secret_answers_the_uuid),
		cmocka_unit_test(test_project_secrets_feature_off),
		cmocka_unit_test(test_project_secrets_authorisation),
		cmocka_unit_test(test_project_secret_unique_per_project),
		cmocka_unit_test(test_project_patch_refused_while_hidden),
		cmocka_unit_test(test_project_patch_casts_project_id),
		cmocka_unit_test(test_project_name_with_a_dot_is_not_routed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

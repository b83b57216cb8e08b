/*
 * Tasks (schedules) and the project PATCH that carries them, as the real
 * server answers. Each test names the upstream file whose behaviour it pins
 * (semaphoreio/semaphore public-api/v1alpha/lib/pipelines_api/schedules/ and
 * periodic_scheduler_client/, periodic_scheduler/scheduler/lib/scheduler/...,
 * projecthub-rest-api/lib/projecthub/http_api.ex, projecthub/lib/projecthub/...).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include <curl/curl.h>
#include "tests/conformance/api.h"
#include "tests/conformance/seed.h"

#include <stdlib.h>
#include <string.h>

#define TASK_ID "55555555-5555-4555-8555-000000000001"
#define TASK_OTHER "55555555-5555-4555-8555-000000000002"

static void up(cx_env *e)
{
	cx_up(e, SEED_BODY(" \"tasks\": [{\"id\": \"" TASK_OTHER "\", \"project\": \"api\", \"name\": \"other\","
			   " \"branch\": \"main\", \"at\": \"0 1 * * *\", \"pipeline_file\": \"o.yml\"}],"),
	      "0", NULL);
}

/* POST /tasks with the YAML as yml_definition */
static cx_answer apply(const cx_env *e, const char *yaml)
{
	cJSON *b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "yml_definition", yaml);
	char *body = cJSON_PrintUnformatted(b);
	cx_answer a = cx_call(e, "POST", "/tasks", body);
	free(body);
	cJSON_Delete(b);
	return a;
}

#define HEAD(name, extra_meta)                                                                     \
	"apiVersion: v1.2\nkind: Schedule\nmetadata:\n  name: " name "\n" extra_meta "spec:\n"
#define NIGHTLY_SPEC                                                                               \
	"  project: web\n  recurring: true\n  at: \"0 3 * * *\"\n  pipeline_file: .semaphore/nightly.yml\n" \
	"  reference:\n    type: BRANCH\n    name: main\n"
#define NIGHTLY HEAD("nightly", "  description: every night\n") NIGHTLY_SPEC                    \
	"  paused: true\n  parameters:\n    - name: TARGET\n      required: true\n      default_value: prod\n"

static char *created_id(cx_answer a)
{
	assert_int_equal(a.status, 200);
	assert_true(cJSON_IsString(a.json));
	char *id = strdup(a.json->valuestring);
	cx_free(&a);
	return id;
}

static char *path_of(const char *id)
{
	char *p = NULL;
	if (asprintf(&p, "/tasks/%s", id) < 0)
		abort();
	return p;
}

/* apply_impl.ex apply -> the id as a JSON string (response_formatter.ex process_apply_response);
 * describe.ex -> {"schedule", "triggers"}, reference kept whole and branch added for refs/heads/
 * (response_formatter.ex rename_reference_to_branch) */
static void test_apply_creates_and_describe_shows_schedule_and_triggers(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	char *id = created_id(apply(&e, NIGHTLY));
	char *path = path_of(id);
	cx_answer a = cx_call(&e, "GET", path, NULL);
	assert_int_equal(a.status, 200);
	assert_string_equal(cx_str(a.json, "schedule.id"), id);
	assert_string_equal(cx_str(a.json, "schedule.name"), "nightly");
	assert_string_equal(cx_str(a.json, "schedule.description"), "every night");
	assert_string_equal(cx_str(a.json, "schedule.project_id"), P_WEB);
	assert_string_equal(cx_str(a.json, "schedule.reference"), "refs/heads/main");
	assert_string_equal(cx_str(a.json, "schedule.branch"), "main");
	assert_string_equal(cx_str(a.json, "schedule.at"), "0 3 * * *");
	assert_true(cJSON_IsTrue(cx_get(a.json, "schedule.paused")));
	assert_true(cJSON_IsTrue(cx_get(a.json, "schedule.recurring")));
	assert_true(strlen(cx_str(a.json, "schedule.requester_id")) == 36);
	assert_string_equal(cx_str(a.json, "schedule.pause_toggled_by"), cx_str(a.json, "schedule.requester_id"));
	assert_string_equal(cx_str(a.json, "schedule.parameters.0.default_value"), "prod");
	assert_true(cJSON_IsArray(cx_get(a.json, "triggers")));
	assert_int_equal(cJSON_GetArraySize(cx_get(a.json, "triggers")), 0);
	cx_free(&a);
	free(path);
	free(id);
	cx_down(&e);
}

/* periodic_scheduler/spec/priv/v1.2.yml: additionalProperties false refuses "branch" although
 * anyOf names it; a tag reference is refs/tags/ (utils/git_reference.ex build_full_reference) */
static void test_v12_refuses_branch_and_takes_tag_reference(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_answer a = apply(&e, HEAD("b", "") "  project: web\n  recurring: false\n  branch: main\n  pipeline_file: a.yml\n");
	assert_int_equal(a.status, 400);
	assert_non_null(strstr(a.json->valuestring, "Schema does not allow additional properties."));
	assert_non_null(strstr(a.json->valuestring, "#/branch"));
	cx_free(&a);
	char *id = created_id(apply(&e, HEAD("t", "") "  project: web\n  recurring: false\n  pipeline_file: a.yml\n"
							   "  reference:\n    type: TAG\n    name: v1.0\n"));
	char *path = path_of(id);
	a = cx_call(&e, "GET", path, NULL);
	assert_string_equal(cx_str(a.json, "schedule.reference"), "refs/tags/v1.0");
	assert_null(cx_get(a.json, "schedule.branch"));
	cx_free(&a);
	free(path);
	free(id);
	cx_down(&e);
}

/* actions/apply_impl.ex validate_cron_expression: a recurring v1.2 task is cron-checked
 * first, "at" defaulting to ""; a non-recurring one is not (grpc_server_test.exs
 * "Invalid cron expression in 'at' field:") */
static void test_recurring_needs_a_valid_cron_at(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_answer a = apply(&e, HEAD("c", "") "  project: web\n  recurring: true\n  pipeline_file: a.yml\n"
						  "  reference:\n    type: BRANCH\n    name: main\n");
	assert_int_equal(a.status, 400);
	assert_true(strncmp(a.json->valuestring, "Invalid cron expression in 'at' field: ", 39) == 0);
	cx_free(&a);
	a = apply(&e, HEAD("c", "") "  project: web\n  recurring: true\n  at: \"61 * * * *\"\n  pipeline_file: a.yml\n"
				    "  reference:\n    type: BRANCH\n    name: main\n");
	assert_int_equal(a.status, 400);
	assert_true(strncmp(a.json->valuestring, "Invalid cron expression in 'at' field: ", 39) == 0);
	cx_free(&a);
	free(created_id(apply(&e, HEAD("c", "") "  project: web\n  recurring: false\n  pipeline_file: a.yml\n"
						      "  reference:\n    type: BRANCH\n    name: main\n")));
	cx_down(&e);
}

/* spec/priv/v1.2.yml required [project, recurring]; periodics_queries.ex process_response
 * "The 'pipeline_file' parameter can not be empty string." */
static void test_recurring_is_required_and_pipeline_file_cannot_be_blank(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_answer a = apply(&e, HEAD("r", "") "  project: web\n  at: \"0 0 * * *\"\n  pipeline_file: a.yml\n"
						  "  reference:\n    type: BRANCH\n    name: main\n");
	assert_int_equal(a.status, 400);
	assert_non_null(strstr(a.json->valuestring, "Required property recurring was not present."));
	cx_free(&a);
	cx_expect(apply(&e, HEAD("r", "") "  project: web\n  recurring: false\n"
					  "  reference:\n    type: BRANCH\n    name: main\n"),
		  400, "\"The 'pipeline_file' parameter can not be empty string.\"");
	cx_down(&e);
}

/* apply_impl.ex find_periodic / create_or_update: upsert by metadata.id only;
 * periodics.ex changeset_update casts the given keys only, so omitted description,
 * paused and parameters keep; an unknown id inserts with a new id */
static void test_upsert_by_id_merges_omitted_keys_and_unknown_id_inserts(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	char *id = created_id(apply(&e, NIGHTLY));
	char yaml[1024];
	snprintf(yaml, sizeof(yaml),
		 HEAD("renamed", "  id: %s\n") "  project: web\n  recurring: true\n  at: \"0 4 * * *\"\n"
		 "  reference:\n    type: BRANCH\n    name: dev\n", id);
	char *again = created_id(apply(&e, yaml));
	assert_string_equal(again, id);
	char *path = path_of(id);
	cx_answer a = cx_call(&e, "GET", path, NULL);
	assert_string_equal(cx_str(a.json, "schedule.name"), "renamed");
	assert_string_equal(cx_str(a.json, "schedule.description"), "every night");
	assert_string_equal(cx_str(a.json, "schedule.pipeline_file"), ".semaphore/nightly.yml");
	assert_string_equal(cx_str(a.json, "schedule.at"), "0 4 * * *");
	assert_string_equal(cx_str(a.json, "schedule.branch"), "dev");
	assert_true(cJSON_IsTrue(cx_get(a.json, "schedule.paused")));
	assert_string_equal(cx_str(a.json, "schedule.parameters.0.name"), "TARGET");
	cx_free(&a);
	snprintf(yaml, sizeof(yaml), HEAD("fresh", "  id: 55555555-5555-4555-8555-0000000000ff\n") NIGHTLY_SPEC);
	char *fresh = created_id(apply(&e, yaml));
	assert_string_not_equal(fresh, "55555555-5555-4555-8555-0000000000ff");
	free(fresh);
	free(again);
	free(path);
	free(id);
	cx_down(&e);
}

/* periodics_queries.ex process_response unique_project_id_and_name */
static void test_a_taken_name_in_the_project_is_400(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	free(created_id(apply(&e, NIGHTLY)));
	cx_expect(apply(&e, NIGHTLY), 400, "\"Periodic with name 'nightly' already exists for project 'web'.\"");
	cx_down(&e);
}

/* front_db_queries.ex get_project_id (through schedules/common.ex get_project_id) and
 * schedules/authorize.ex authorization_failed(:user): 404 plain "Not Found" */
static void test_unknown_project_is_400_and_a_foreign_one_404(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_expect(apply(&e, HEAD("x", "") "  project: nope\n  recurring: false\n"), 400,
		  "\"Project with name 'nope' not found.\"");
	cx_expect(apply(&e, HEAD("x", "") "  project: hidden\n  recurring: false\n"), 404, "Not Found");
	cx_expect(cx_call(&e, "GET", "/tasks?project_id=" P_HIDDEN, NULL), 404, "Not Found");
	cx_expect(cx_call(&e, "GET", "/tasks", NULL), 404, "Not Found");
	cx_down(&e);
}

static size_t keep_link(char *b, size_t size, size_t n, void *ud)
{
	size_t len = size * n;
	if (len > 5 && strncasecmp(b, "link:", 5) == 0)
		*(char **)ud = strndup(b + 5, len - 5);
	return len;
}

static size_t drop(char *b, size_t size, size_t n, void *ud)
{
	(void)b;
	(void)ud;
	return size * n;
}

/* the link header of GET path, or NULL */
static char *link_of(const cx_env *e, const char *path)
{
	char *url = NULL, *link = NULL;
	if (asprintf(&url, "%s%s", e->sb.api_url, path) < 0)
		abort();
	struct curl_slist *hs = curl_slist_append(NULL, "Authorization: Token " TEST_TOKEN);
	CURL *c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hs);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, keep_link);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &link);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, drop);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_cleanup(c);
	curl_slist_free_all(hs);
	free(url);
	return link;
}

/* request_fromatter.ex form_list_request (page 1, page_size 30), periodics_queries.ex list
 * by name, pipelines/common.ex respond_paginated (Scrivener.Headers: rel="next" while a
 * page follows) */
static void test_list_is_paged_by_name_with_a_next_link(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	const char *names[] = {"c", "a", "b"};
	for (int i = 0; i < 3; i++) {
		char yaml[512];
		snprintf(yaml, sizeof(yaml), HEAD("%s", "") NIGHTLY_SPEC, names[i]);
		free(created_id(apply(&e, yaml)));
	}
	cx_answer a = cx_call(&e, "GET", "/tasks?project_id=" P_WEB "&page_size=2", NULL);
	assert_int_equal(a.status, 200);
	assert_int_equal(cJSON_GetArraySize(a.json), 2);
	assert_string_equal(cx_str(a.json, "0.name"), "a");
	assert_string_equal(cx_str(a.json, "1.name"), "b");
	cx_free(&a);
	char *link = link_of(&e, "/tasks?project_id=" P_WEB "&page_size=2");
	assert_non_null(link);
	assert_non_null(strstr(link, "page=2&page_size=2&project_id=" P_WEB ">; rel=\"next\""));
	free(link);
	a = cx_call(&e, "GET", "/tasks?project_id=" P_WEB "&page_size=2&page=2", NULL);
	assert_int_equal(cJSON_GetArraySize(a.json), 1);
	assert_string_equal(cx_str(a.json, "0.name"), "c");
	cx_free(&a);
	link = link_of(&e, "/tasks?project_id=" P_WEB "&page_size=2&page=2");
	assert_null(strstr(link, "rel=\"next\""));
	free(link);
	cx_expect(cx_call(&e, "GET", "/tasks?project_id=" P_WEB "&page=x", NULL), 400,
		  "\"Invalid value of 'page' param: \\\"x\\\" - needs to be integer.\"");
	cx_down(&e);
}

/* describe.ex / delete.ex identify_path_param; response_formatter.ex process_delete_response;
 * get_project_id_impl.ex: an unknown id is 400 "Periodic with id: ... not found." */
static void test_get_and_delete_by_id(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_expect(cx_call(&e, "GET", "/tasks/nightly", NULL), 400, "\"schedule identifier should be a UUID\"");
	cx_expect(cx_call(&e, "DELETE", "/tasks/nightly", NULL), 400, "\"schedule identifier should be a UUID\"");
	cx_expect(cx_call(&e, "DELETE", "/tasks/" TASK_OTHER, NULL), 200, "\"Schedule successfully deleted.\"");
	cx_expect(cx_call(&e, "DELETE", "/tasks/" TASK_OTHER, NULL), 400,
		  "\"Periodic with id: '" TASK_OTHER "' not found.\"");
	cx_expect(cx_call(&e, "GET", "/tasks/" TASK_OTHER, NULL), 400,
		  "\"Periodic with id: '" TASK_OTHER "' not found.\"");
	cx_down(&e);
}

/* projecthub-rest-api http_api.ex get "/projects/:name" encode_project: the whole spec,
 * tasks (feature just_run) with scheduled for recurring and a bare branch */
static void test_project_get_shows_the_full_spec_and_tasks(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	free(created_id(apply(&e, NIGHTLY)));
	cx_answer a = cx_call(&e, "GET", "/projects/web", NULL);
	assert_int_equal(a.status, 200);
	assert_string_equal(cx_str(a.json, "kind"), "Project");
	assert_string_equal(cx_str(a.json, "spec.visibility"), "private");
	assert_non_null(cx_get(a.json, "spec.repository.run_on"));
	assert_non_null(cx_get(a.json, "spec.repository.whitelist.branches"));
	assert_string_equal(cx_str(a.json, "spec.tasks.0.name"), "nightly");
	assert_string_equal(cx_str(a.json, "spec.tasks.0.branch"), "main");
	assert_string_equal(cx_str(a.json, "spec.tasks.0.status"), "INACTIVE");
	assert_true(cJSON_IsTrue(cx_get(a.json, "spec.tasks.0.scheduled")));
	cx_free(&a);
	cx_down(&e);
}

#define PATCH_WEB "/projects/" P_WEB

/* http_api.ex patch "/projects/:id" and projecthub grpc_server.ex attempt_update: the body
 * replaces everything; only url and pipeline_file keep when omitted (reject_empty_strings);
 * unknown run_on and permission words are dropped, "empty" from attach too */
static void test_patch_replaces_everything_but_url_and_pipeline_file(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_answer a = cx_call(&e, "PATCH", PATCH_WEB,
			      "{\"metadata\": {\"name\": \"web\", \"description\": \"d\"}, \"spec\": {\"visibility\": \"public\","
			      " \"custom_permissions\": true, \"debug_permissions\": [\"empty\", \"TAG\", \"nope\"],"
			      " \"attach_permissions\": [\"empty\", \"tag\"], \"repository\": {\"url\": \"git@github.com:o/w.git\","
			      " \"pipeline_file\": \"p.yml\", \"run_on\": [\"tags\", \"nope\"],"
			      " \"whitelist\": {\"branches\": [\"main\"]}}}}");
	assert_int_equal(a.status, 200);
	assert_string_equal(cx_str(a.json, "spec.debug_permissions.0"), "empty");
	assert_string_equal(cx_str(a.json, "spec.debug_permissions.1"), "tag");
	assert_int_equal(cJSON_GetArraySize(cx_get(a.json, "spec.attach_permissions")), 1);
	assert_int_equal(cJSON_GetArraySize(cx_get(a.json, "spec.repository.run_on")), 1);
	cx_free(&a);
	a = cx_call(&e, "PATCH", PATCH_WEB, "{\"metadata\": {\"name\": \"web\"}, \"spec\": {\"repository\": {\"url\": \"\"}}}");
	assert_int_equal(a.status, 200);
	assert_string_equal(cx_str(a.json, "metadata.description"), "");
	assert_string_equal(cx_str(a.json, "spec.visibility"), "private");
	assert_false(cJSON_IsTrue(cx_get(a.json, "spec.custom_permissions")));
	assert_int_equal(cJSON_GetArraySize(cx_get(a.json, "spec.debug_permissions")), 0);
	assert_int_equal(cJSON_GetArraySize(cx_get(a.json, "spec.repository.run_on")), 0);
	assert_int_equal(cJSON_GetArraySize(cx_get(a.json, "spec.repository.whitelist.branches")), 0);
	assert_string_equal(cx_str(a.json, "spec.repository.url"), "git@github.com:o/w.git");
	assert_string_equal(cx_str(a.json, "spec.repository.pipeline_file"), "p.yml");
	assert_string_equal(cx_str(a.json, "spec.repository.status.pipeline_files.0.path"), "p.yml");
	cx_free(&a);
	cx_down(&e);
}

/* projecthub models/project.ex changeset validate_required(:name) -> 422 {"message"};
 * http_api.ex patch: without project.general_settings.manage 401 */
static void test_patch_needs_a_name_and_permission(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_expect(cx_call(&e, "PATCH", PATCH_WEB, "{\"spec\": {}}"), 422, "{\"message\":\"can't be blank\"}");
	cx_expect(cx_call(&e, "PATCH", "/projects/" P_HIDDEN, "{\"metadata\": {\"name\": \"hidden\"}}"), 401,
		  "{\"message\":\"Unauthorized\"}");
	cx_down(&e);
}

/* periodic_scheduler actions/bulk_upsert_and_prune_impl.ex: listed ids updated, entries
 * without id created, every other task of the project deleted; projecthub
 * periodic_task/definition.ex: a blank branch is refs/heads/master, status INACTIVE pauses */
static void test_patch_tasks_bulk_upsert_and_prune(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	char *keep = created_id(apply(&e, NIGHTLY));
	char *gone = created_id(apply(&e, HEAD("gone", "") NIGHTLY_SPEC));
	char body[1024];
	snprintf(body, sizeof(body),
		 "{\"metadata\": {\"name\": \"web\"}, \"spec\": {\"tasks\": ["
		 "{\"id\": \"%s\", \"name\": \"nightly\", \"branch\": \"main\", \"at\": \"0 5 * * *\", \"pipeline_file\": \"n.yml\"},"
		 "{\"name\": \"new\", \"scheduled\": false, \"pipeline_file\": \"x.yml\", \"status\": \"INACTIVE\"}]}}",
		 keep);
	cx_answer a = cx_call(&e, "PATCH", PATCH_WEB, body);
	assert_int_equal(a.status, 200);
	cx_free(&a);
	a = cx_call(&e, "GET", "/tasks?project_id=" P_WEB, NULL);
	assert_int_equal(cJSON_GetArraySize(a.json), 2);
	assert_string_equal(cx_str(a.json, "0.name"), "new");
	assert_string_equal(cx_str(a.json, "0.reference"), "refs/heads/master");
	assert_true(cJSON_IsTrue(cx_get(a.json, "0.paused")));
	assert_string_equal(cx_str(a.json, "1.id"), keep);
	assert_string_equal(cx_str(a.json, "1.description"), ""); /* build_update_params: rewritten whole */
	assert_string_equal(cx_str(a.json, "1.at"), "0 5 * * *");
	assert_int_equal(cJSON_GetArraySize(cx_get(a.json, "1.parameters")), 0);
	cx_free(&a);
	char *path = path_of(gone);
	a = cx_call(&e, "GET", path, NULL);
	assert_int_equal(a.status, 400);
	cx_free(&a);
	/* the other project's task is untouched */
	a = cx_call(&e, "GET", "/tasks?project_id=" P_API, NULL);
	assert_int_equal(cJSON_GetArraySize(a.json), 1);
	cx_free(&a);
	free(path);
	free(keep);
	free(gone);
	cx_down(&e);
}

/* projecthub-rest-api http_api.ex construct_schedulers_and_tasks: no tasks takes the
 * schedulers path, which prunes too: a PATCH without tasks deletes them all */
static void test_patch_without_tasks_deletes_them_all(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	free(created_id(apply(&e, NIGHTLY)));
	cx_answer a = cx_call(&e, "PATCH", PATCH_WEB, "{\"metadata\": {\"name\": \"web\"}}");
	assert_int_equal(a.status, 200);
	assert_int_equal(cJSON_GetArraySize(cx_get(a.json, "spec.tasks")), 0);
	cx_free(&a);
	a = cx_call(&e, "GET", "/tasks?project_id=" P_WEB, NULL);
	assert_int_equal(cJSON_GetArraySize(a.json), 0);
	cx_free(&a);
	cx_down(&e);
}

/* bulk_upsert_and_prune_impl.ex validate_definition and foreign ids (one transaction:
 * nothing of the tasks changes); projecthub models/project.ex update_with_tasks writes
 * the record first, so the 422 leaves the new description in place */
static void test_patch_task_errors_are_422_after_the_record_changed(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	free(created_id(apply(&e, NIGHTLY)));
	cx_expect(cx_call(&e, "PATCH", PATCH_WEB,
			  "{\"metadata\": {\"name\": \"web\"}, \"spec\": {\"tasks\": [{\"name\": \"\", \"pipeline_file\": \"a\"}]}}"),
		  422, "{\"message\":\"Periodic at index 0: 'name' must be a non-empty string.\"}");
	cx_expect(cx_call(&e, "PATCH", PATCH_WEB,
			  "{\"metadata\": {\"name\": \"web\", \"description\": \"changed\"}, \"spec\": {\"tasks\": ["
			  "{\"id\": \"" TASK_OTHER "\", \"name\": \"x\", \"at\": \"0 0 * * *\", \"pipeline_file\": \"a\"}]}}"),
		  422, "{\"message\":\"Periodic task with ID '" TASK_OTHER "' not found in project\"}");
	cx_answer a = cx_call(&e, "GET", "/projects/web", NULL);
	assert_string_equal(cx_str(a.json, "metadata.description"), "changed");
	assert_string_equal(cx_str(a.json, "spec.tasks.0.name"), "nightly");
	cx_free(&a);
	cx_down(&e);
}

/* An organisation with the features just_run and scheduler_hook as given
 * ("true"/"false"); web has had workflows on main only. */
static void up_features(cx_env *e, const char *just_run, const char *scheduler_hook)
{
	char seed[1024];
	snprintf(seed, sizeof(seed),
		 "{\"org_id\": \"" ORG "\", \"just_run\": %s, \"scheduler_hook\": %s,"
		 " \"projects\": [{\"name\": \"web\", \"id\": \"" P_WEB "\", \"workflow_branches\": [\"main\"]}],"
		 " \"tasks\": [{\"id\": \"" TASK_OTHER "\", \"project\": \"web\", \"name\": \"other\","
		 " \"branch\": \"main\", \"at\": \"0 1 * * *\", \"pipeline_file\": \"o.yml\", \"paused\": true}]}",
		 just_run, scheduler_hook);
	cx_up(e, seed, "0", NULL);
}

#define ON_DEV(name, recurring)                                                                    \
	HEAD(name, "") "  project: web\n  recurring: " recurring "\n  at: \"0 3 * * *\"\n"           \
	"  pipeline_file: p.yml\n  reference:\n    type: BRANCH\n    name: dev\n"

/* periodic_scheduler/scheduler/test/grpc_server_test.exs "gRPC apply() returns
 * FAILED_PRECONDITION when there are no hooks for given branch" (features "disabled":
 * scheduler_hook and just_run both off); apply_impl.ex hook_exists? and
 * front_db_queries.ex hook_exists?; public-api response_formatter.ex
 * process_apply_response: FAILED_PRECONDITION is a user error, 400 */
static void test_recurring_task_without_a_workflow_on_its_branch_is_400_when_both_features_are_off(void **state)
{
	(void)state;
	cx_env e;
	up_features(&e, "false", "false");
	cx_expect(apply(&e, ON_DEV("nightly", "true")), 400,
		  "\"At least one regular workflow run on targeted branch is needed before periodic can be created.\"");
	/* a branch with a workflow passes, and so does a task that does not recur */
	free(created_id(apply(&e, HEAD("on-main", "") NIGHTLY_SPEC)));
	free(created_id(apply(&e, ON_DEV("once", "false"))));
	cx_down(&e);
}

/* apply_impl.ex hook_exists?: `scheduler_hook_enabled? or just_run_enabled?` skips the
 * check (grpc_server_test.exs runs with the mock features "scheduler_hook" and "just_run") */
static void test_hook_check_is_skipped_while_either_feature_is_on(void **state)
{
	(void)state;
	cx_env e;
	up_features(&e, "false", "true");
	free(created_id(apply(&e, ON_DEV("nightly", "true"))));
	cx_down(&e);
	up_features(&e, "true", "false");
	free(created_id(apply(&e, ON_DEV("nightly", "true"))));
	cx_down(&e);
}

/* projecthub/lib/projecthub/api/grpc_server.ex serialize: without just_run the project
 * is serialized with schedulers (serialize_detailed_with_schedulers), so
 * projecthub-rest-api http_api.ex encode_tasks gets none */
static void test_project_get_without_just_run_answers_schedulers_not_tasks(void **state)
{
	(void)state;
	cx_env e;
	up_features(&e, "false", "true");
	cx_answer a = cx_call(&e, "GET", "/projects/web", NULL);
	assert_int_equal(a.status, 200);
	assert_true(cJSON_IsArray(cx_get(a.json, "spec.tasks")));
	assert_int_equal(cJSON_GetArraySize(cx_get(a.json, "spec.tasks")), 0);
	assert_true(cJSON_IsArray(cx_get(a.json, "spec.schedulers")));
	assert_int_equal(cJSON_GetArraySize(cx_get(a.json, "spec.schedulers")), 1);
	assert_string_equal(cx_str(a.json, "spec.schedulers.0.id"), TASK_OTHER);
	assert_string_equal(cx_str(a.json, "spec.schedulers.0.name"), "other");
	assert_string_equal(cx_str(a.json, "spec.schedulers.0.branch"), "main");
	assert_string_equal(cx_str(a.json, "spec.schedulers.0.at"), "0 1 * * *");
	assert_string_equal(cx_str(a.json, "spec.schedulers.0.pipeline_file"), "o.yml");
	assert_string_equal(cx_str(a.json, "spec.schedulers.0.status"), "INACTIVE");
	assert_null(cx_get(a.json, "spec.schedulers.0.reference"));
	cx_free(&a);
	cx_down(&e);
}

/* periodics_queries.ex get_by_id: Repo.get's CastError (an id Ecto.UUID cannot dump,
 * 16 bytes included) is rescued as {:error, %CastError{}}, for which apply_impl.ex
 * create_or_update has no clause: the service raises and public-api answers
 * 500 "Internal error" (grpc_client.ex apply, util/log.ex internal_error,
 * pipelines/common.ex respond); nothing is created */
static void test_apply_with_an_id_that_is_not_a_uuid_is_500(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_expect(apply(&e, HEAD("nightly", "  id: not-a-uuid\n") NIGHTLY_SPEC), 500, "\"Internal error\"");
	cx_expect(apply(&e, HEAD("nightly", "  id: abcdefghijklmnop\n") NIGHTLY_SPEC), 500, "\"Internal error\"");
	cx_answer a = cx_call(&e, "GET", "/tasks?project_id=" P_WEB, NULL);
	assert_int_equal(a.status, 200);
	assert_int_equal(cJSON_GetArraySize(a.json), 0);
	cx_free(&a);
	cx_down(&e);
}

/* apply_impl.ex find_project_id looks spec.project up by name even when public-api
 * found the project through metadata.id (schedules/common.ex get_project_id):
 * front_db_queries.ex get_project_id "Project with name '' not found." */
static void test_apply_with_an_empty_project_name_is_400(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_expect(apply(&e, HEAD("other", "  id: " TASK_OTHER "\n") "  project: \"\"\n  recurring: false\n"
				 "  reference:\n    type: BRANCH\n    name: main\n"),
		  400, "\"Project with name '' not found.\"");
	cx_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply_creates_and_describe_shows_schedule_and_triggers),
		cmocka_unit_test(test_v12_refuses_branch_and_takes_tag_reference),
		cmocka_unit_test(test_recurring_needs_a_valid_cron_at),
		cmocka_unit_test(test_recurring_is_required_and_pipeline_file_cannot_be_blank),
		cmocka_unit_test(test_upsert_by_id_merges_omitted_keys_and_unknown_id_inserts),
		cmocka_unit_test(test_a_taken_name_in_the_project_is_400),
		cmocka_unit_test(test_unknown_project_is_400_and_a_foreign_one_404),
		cmocka_unit_test(test_list_is_paged_by_name_with_a_next_link),
		cmocka_unit_test(test_get_and_delete_by_id),
		cmocka_unit_test(test_project_get_shows_the_full_spec_and_tasks),
		cmocka_unit_test(test_patch_replaces_everything_but_url_and_pipeline_file),
		cmocka_unit_test(test_patch_needs_a_name_and_permission),
		cmocka_unit_test(test_patch_tasks_bulk_upsert_and_prune),
		cmocka_unit_test(test_patch_without_tasks_deletes_them_all),
		cmocka_unit_test(test_patch_task_errors_are_422_after_the_record_changed),
		cmocka_unit_test(test_recurring_task_without_a_workflow_on_its_branch_is_400_when_both_features_are_off),
		cmocka_unit_test(test_hook_check_is_skipped_while_either_feature_is_on),
		cmocka_unit_test(test_project_get_without_just_run_answers_schedulers_not_tasks),
		cmocka_unit_test(test_apply_with_an_id_that_is_not_a_uuid_is_500),
		cmocka_unit_test(test_apply_with_an_empty_project_name_is_400),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The Semaphore client against ciform-sandbox over real HTTP: endpoints,
 * caching, paging, retries and errors. */
#include "tests/unit/test_helpers.h"
#include "tests/support/sandbox.h"
#include "reconciler/providers/semaphore/api.h"

#include <string.h>
#include <time.h>

typedef struct env {
	fx_sandbox sb;
	cf_http_client *c;
	cf_error err;
} env;

static void up_with(env *e, const char *const *extra, int attempts)
{
	memset(e, 0, sizeof(*e));
	fx_enter_tmpdir();
	fx_write_seed("seed.json");
	const char *args[16] = {"--seed", "seed.json", "--sync-ms", "0"};
	size_t n = 4;
	for (size_t i = 0; extra && extra[i]; i++)
		args[n++] = extra[i];
	fx_sandbox_start(&e->sb, args);
	e->c = fx_client(&e->sb, attempts);
}

static void up(env *e)
{
	up_with(e, NULL, 5);
}

static void down(env *e)
{
	cf_http_client_free(e->c);
	fx_sandbox_stop(&e->sb);
	cf_error_clear(&e->err);
	fx_leave_tmpdir();
}

static const char *str(const cJSON *o, const char *path)
{
	char *copy = cf_xstrdup(path);
	const cJSON *n = o;
	for (char *save = NULL, *k = strtok_r(copy, ".", &save); k && n; k = strtok_r(NULL, ".", &save))
		n = cJSON_GetObjectItemCaseSensitive(n, k);
	free(copy);
	return cJSON_GetStringValue(n);
}

static void test_project_is_found_by_name_and_cached(void **state)
{
	(void)state;
	env e;
	up(&e);
	cJSON *p = NULL;
	assert_int_equal(cf_sem_project_get(&p, e.c, "web-app", &e.err), 0);
	assert_string_equal(str(p, "metadata.id"), SEED_PROJECT_WEB);
	cJSON_Delete(p);
	assert_int_equal(cf_sem_project_get(&p, e.c, "web-app", &e.err), 0);
	cJSON_Delete(p);
	assert_int_equal(fx_sandbox_route_count(&e.sb, "GET /projects/:name"), 1);
	down(&e);
}

static void test_unknown_project_is_not_found(void **state)
{
	(void)state;
	env e;
	up(&e);
	cJSON *p = NULL;
	assert_int_equal(cf_sem_project_get(&p, e.c, "nope", &e.err), CF_ENOTFOUND);
	assert_string_equal(e.err.message, "GET /projects/nope: HTTP 404: Not found");
	down(&e);
}

static void test_project_list_follows_every_page(void **state)
{
	(void)state;
	env e;
	memset(&e, 0, sizeof(e));
	fx_enter_tmpdir();
	char *seed = cf_xstrdup("{\"projects_page_size\": 30, \"projects\": [");
	for (int i = 0; i < 70; i++) {
		char *next = cf_xasprintf("%s%s{\"name\": \"p%02d\"}", seed, i ? "," : "", i);
		free(seed);
		seed = next;
	}
	fx_write("seed.json", "");
	char *full = cf_xasprintf("%s]}", seed);
	fx_write("seed.json", full);
	free(full);
	free(seed);
	fx_sandbox_start(&e.sb, (const char *[]){"--seed", "seed.json", NULL});
	e.c = fx_client(&e.sb, 5);
	cJSON *all = NULL;
	assert_int_equal(cf_sem_project_list(&all, e.c, &e.err), 0);
	assert_int_equal(cJSON_GetArraySize(all), 70);
	assert_string_equal(str(cJSON_GetArrayItem(all, 69), "metadata.name"), "p69");
	/* page 1, then pages 2 to 5 read at once (4 and 5 past the end) */
	assert_int_equal(fx_sandbox_route_count(&e.sb, "GET /projects"), 5);
	cJSON_Delete(all);
	down(&e);
}

/* Pages are filtered by the caller's permissions: a page can be empty and
 * still say x-has-more (projecthub-rest-api lib/projecthub/http_api.ex). */
static void test_an_empty_page_that_says_more_is_followed(void **state)
{
	(void)state;
	env e;
	memset(&e, 0, sizeof(e));
	fx_enter_tmpdir();
	fx_write("seed.json", "{\"projects_page_size\": 2, \"projects\": [{\"name\": \"hidden-1\", \"member\": false},"
		 " {\"name\": \"hidden-2\", \"member\": false}, {\"name\": \"seen\"}]}");
	fx_sandbox_start(&e.sb, (const char *[]){"--seed", "seed.json", NULL});
	e.c = fx_client(&e.sb, 5);
	cJSON *all = NULL;
	assert_int_equal(cf_sem_project_list(&all, e.c, &e.err), 0);
	assert_int_equal(cJSON_GetArraySize(all), 1);
	assert_string_equal(str(cJSON_GetArrayItem(all, 0), "metadata.name"), "seen");
	assert_int_equal(fx_sandbox_route_count(&e.sb, "GET /projects"), 5); /* 1, then 2 to 5 at once */
	cJSON_Delete(all);
	down(&e);
}

static void test_connections_are_kept_from_one_batch_to_the_next(void **state)
{
	(void)state;
	env e;
	up_with(&e, (const char *[]){"--latency-ms", "20", NULL}, 5);
	char *paths[16];
	for (size_t i = 0; i < 16; i++)
		paths[i] = cf_xstrdup("/self_hosted_agent_types");
	cJSON *outs[16];
	for (int batch = 0; batch < 3; batch++) {
		assert_int_equal(cf_http_get_many(outs, e.c, paths, 16, &e.err), 0);
		for (size_t i = 0; i < 16; i++)
			cJSON_Delete(outs[i]);
	}
	for (size_t i = 0; i < 16; i++)
		free(paths[i]);
	cJSON *st = fx_sandbox_stats(&e.sb);
	/* 48 requests at 8 in flight: 8 connections, kept across the batches
	 * (and one for this stats read) */
	assert_true(cJSON_GetObjectItem(st, "connections")->valueint <= 9);
	assert_int_equal(cJSON_GetObjectItem(st, "requests")->valueint, 48);
	cJSON_Delete(st);
	down(&e);
}

static void test_role_ids_are_named_through_get_roles_id_once_each(void **state)
{
	(void)state;
	env e;
	up(&e);
	const char *ids[] = {SEED_ROLE_ADMIN, "99999999-9999-4999-8999-999999999999", SEED_ROLE_ADMIN};
	cJSON *names = NULL;
	assert_int_equal(cf_sem_role_names(&names, e.c, ids, 3, &e.err), 0);
	assert_int_equal(cJSON_GetArraySize(names), 1); /* the unknown id is left out */
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(names, SEED_ROLE_ADMIN)), "Admin");
	cJSON_Delete(names);
	assert_int_equal(cf_sem_role_names(&names, e.c, ids, 3, &e.err), 0); /* cached: no request */
	cJSON_Delete(names);
	assert_int_equal(fx_sandbox_route_count(&e.sb, "GET /roles/:id"), 2);
	assert_int_equal(fx_sandbox_route_count(&e.sb, "GET /roles"), 0);
	down(&e);
}

static void test_agent_type_lifecycle(void **state)
{
	(void)state;
	env e;
	up(&e);
	cJSON *body = cJSON_Parse("{\"metadata\":{\"name\":\"s1-new\"},\"spec\":{\"agent_name_settings\":"
				  "{\"assignment_origin\":\"assignment_origin_agent\",\"release_after\":60}}}");
	cJSON *at = NULL;
	char *token = NULL;
	assert_int_equal(cf_sem_agent_type_create(&at, &token, e.c, body, &e.err), 0);
	assert_non_null(token);
	assert_int_equal(strlen(token), 128);
	assert_null(str(at, "status.registration_token")); /* taken out of the answer */
	free(token);
	cJSON_Delete(at);
	cJSON_Delete(body);

	body = cJSON_Parse("{\"metadata\":{\"name\":\"s1-new\"},\"spec\":{\"agent_name_settings\":"
			   "{\"release_after\":120}}}");
	assert_int_equal(cf_sem_agent_type_update(&at, e.c, body, &e.err), 0);
	cJSON_Delete(at);
	cJSON_Delete(body);
	assert_int_equal(cf_sem_agent_type_get(&at, e.c, "s1-new", &e.err), 0);
	cJSON *rel = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(at, "spec"), "agent_name_settings"),
					 "release_after");
	assert_int_equal(rel->valueint, 120);
	cJSON_Delete(at);

	cJSON *list = NULL;
	assert_int_equal(cf_sem_agent_type_list(&list, e.c, &e.err), 0);
	assert_int_equal(cJSON_GetArraySize(list), 2);
	cJSON_Delete(list);
	assert_int_equal(cf_sem_agent_type_delete(e.c, "s1-new", &e.err), 0);
	assert_int_equal(cf_sem_agent_type_get(&at, e.c, "s1-new", &e.err), CF_ENOTFOUND);
	down(&e);
}

static void test_agent_type_with_busy_agents_is_deleted_after_disable_all(void **state)
{
	(void)state;
	env e;
	up(&e);
	assert_int_equal(cf_sem_agent_type_delete(e.c, "s1-busy", &e.err), CF_EAPI);
	assert_string_equal(e.err.message, "DELETE /self_hosted_agent_types/s1-busy: HTTP 400: "
					   "can't delete agent type with existing agents");
	assert_int_equal(cf_sem_agent_type_disable_all(e.c, "s1-busy", true, &e.err), 0);
	assert_int_equal(cf_sem_agent_type_delete(e.c, "s1-busy", &e.err), CF_EAPI); /* a1 is busy */
	assert_int_equal(cf_sem_agent_type_disable_all(e.c, "s1-busy", false, &e.err), 0);
	assert_int_equal(cf_sem_agent_type_delete(e.c, "s1-busy", &e.err), 0);
	down(&e);
}

static void test_target_lifecycle(void **state)
{
	(void)state;
	env e;
	up(&e);
	cJSON *body = cJSON_Parse("{\"name\":\"staging\",\"unique_token\":\"aaaaaaaa-0000-4000-8000-000000000001\","
				  "\"env_vars\":[{\"name\":\"K\",\"value\":\"v\"}],\"files\":[]}");
	cJSON *t = NULL;
	assert_int_equal(cf_sem_target_create(&t, e.c, SEED_PROJECT_API, body, &e.err), 0);
	char *id = cf_xstrdup(str(t, "id"));
	cJSON_Delete(t);
	cJSON_Delete(body);

	cJSON *list = NULL;
	assert_int_equal(cf_sem_target_list(&list, e.c, SEED_PROJECT_API, &e.err), 0);
	assert_int_equal(cJSON_GetArraySize(list), 1);
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "env_vars"));
	cJSON_Delete(list);

	assert_int_equal(cf_sem_target_describe(&t, e.c, id, true, &e.err), 0);
	assert_string_equal(str(cJSON_GetArrayItem(cJSON_GetObjectItem(t, "env_vars"), 0), "value"),
			    "9e3669d19b675bd57058fd4664205d2a"); /* md5("v") */
	cJSON_Delete(t);

	body = cJSON_Parse("{\"description\":\"d\",\"unique_token\":\"aaaaaaaa-0000-4000-8000-000000000002\"}");
	assert_int_equal(cf_sem_target_update(&t, e.c, id, body, &e.err), 0);
	assert_string_equal(str(t, "description"), "d");
	cJSON_Delete(t);
	cJSON_Delete(body);

	assert_int_equal(cf_sem_target_deactivate(e.c, id, &e.err), 0);
	assert_int_equal(cf_sem_target_describe(&t, e.c, id, false, &e.err), 0);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(t, "active")));
	cJSON_Delete(t);
	assert_int_equal(cf_sem_target_activate(e.c, id, &e.err), 0);
	assert_int_equal(cf_sem_target_delete(e.c, id, "aaaaaaaa-0000-4000-8000-000000000003", &e.err), 0);
	assert_int_equal(cf_sem_target_describe(&t, e.c, id, false, &e.err), CF_ENOTFOUND);
	free(id);
	down(&e);
}

static void test_a_delete_that_finds_the_target_gone_counts_as_deleted(void **state)
{
	(void)state;
	env e;
	up(&e);
	assert_int_equal(cf_sem_target_delete(e.c, "aaaaaaaa-0000-4000-8000-0000000000ff",
					      "aaaaaaaa-0000-4000-8000-000000000004", &e.err), 0);
	assert_null(e.err.message);
	assert_int_equal(cf_http_client_requests(e.c), 1);
	down(&e);
}

static void test_retention_policy_is_read_and_replaced(void **state)
{
	(void)state;
	env e;
	up(&e);
	cJSON *p = NULL;
	assert_int_equal(cf_sem_retention_get(&p, e.c, SEED_PROJECT_WEB, &e.err), 0);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(p, "job_level_retention_policies")), 0);
	cJSON_Delete(p);
	cJSON *body = cJSON_Parse("{\"project_id\":\"" SEED_PROJECT_WEB "\",\"job_level_retention_policies\":"
				  "[{\"selector\":\"/**/*\",\"age\":\"7 days\"}]}");
	assert_int_equal(cf_sem_retention_set(&p, e.c, body, &e.err), 0);
	assert_string_equal(str(cJSON_GetArrayItem(cJSON_GetObjectItem(p, "job_level_retention_policies"), 0), "age"),
			    "1 week");
	cJSON_Delete(p);
	cJSON_Delete(body);
	down(&e);
}

static void test_503_is_retried_until_it_succeeds(void **state)
{
	(void)state;
	env e;
	up_with(&e, (const char *[]){"--fail-every", "2", NULL}, 5);
	for (int i = 0; i < 4; i++) {
		cJSON *p = NULL;
		assert_int_equal(cf_sem_agent_type_list(&p, e.c, &e.err), 0);
		cJSON_Delete(p);
	}
	assert_int_equal(cf_http_client_requests(e.c), 7); /* 4 answered, 3 retried */
	down(&e);
}

static void test_503_fails_after_five_attempts(void **state)
{
	(void)state;
	env e;
	up_with(&e, (const char *[]){"--fail-every", "1", NULL}, 5);
	cJSON *p = NULL;
	assert_int_equal(cf_sem_agent_type_list(&p, e.c, &e.err), CF_EAPI);
	assert_string_equal(e.err.message, "GET /self_hosted_agent_types: HTTP 503: Service Unavailable (after 5 attempts)");
	assert_int_equal(cf_http_client_requests(e.c), 5);
	down(&e);
}

static void test_429_waits_for_retry_after(void **state)
{
	(void)state;
	env e;
	up_with(&e, (const char *[]){"--throttle-every", "1", NULL}, 2);
	cJSON *p = NULL;
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(cf_sem_agent_type_list(&p, e.c, &e.err), CF_EAPI);
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_string_equal(e.err.message, "GET /self_hosted_agent_types: HTTP 429: Too Many Requests (after 2 attempts)");
	/* the client's own backoff is 10 ms here; only Retry-After: 1 explains a second */
	long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	assert_true(ms >= 1000);
	down(&e);
}

static void test_failed_agent_type_create_is_looked_up_before_it_is_sent_again(void **state)
{
	(void)state;
	env e;
	up_with(&e, (const char *[]){"--fail-every", "3", NULL}, 5);
	cJSON *x = NULL;
	for (int i = 0; i < 2; i++) { /* requests 1 and 2 */
		assert_int_equal(cf_sem_agent_type_list(&x, e.c, &e.err), 0);
		cJSON_Delete(x);
		x = NULL;
	}
	cJSON *body = cJSON_Parse("{\"metadata\":{\"name\":\"s1-retry\"}}");
	char *token = NULL;
	/* 3: POST answers 503; 4: GET finds nothing; 5: POST again */
	assert_int_equal(cf_sem_agent_type_create(&x, &token, e.c, body, &e.err), 0);
	assert_non_null(token);
	assert_int_equal(fx_sandbox_route_count(&e.sb, "POST /self_hosted_agent_types"), 1);
	assert_int_equal(fx_sandbox_route_count(&e.sb, "GET /self_hosted_agent_types/:name"), 1);
	assert_int_equal(cf_http_client_requests(e.c), 5);
	free(token);
	cJSON_Delete(x);
	cJSON_Delete(body);
	down(&e);
}

static void test_refused_token_says_so_and_never_shows_it(void **state)
{
	(void)state;
	env e;
	up(&e);
	cf_sem_config cfg = {.base_url = e.sb.api_url, .token = "wrong-token-4242", .connect_timeout_ms = 2000,
			     .timeout_ms = 5000, .parallelism = 2, .max_attempts = 5, .retry_base_ms = 10,
			     .retry_max_ms = 100};
	cf_sem_config_api(&cfg);
	cf_http_client *bad = NULL;
	assert_int_equal(cf_http_client_new(&bad, &cfg, &e.err), 0);
	cJSON *p = NULL;
	assert_int_equal(cf_sem_project_get(&p, bad, "web-app", &e.err), CF_EAUTH);
	assert_string_equal(e.err.message, "GET /projects/web-app: HTTP 401: Unauthorized: the API token was "
					   "refused, or it lacks permission for this (check SEMAPHORE_API_TOKEN, "
					   "--token-file or ~/.sem.yaml, and the token owner's role)");
	assert_false(fx_contains(e.err.message, "wrong-token-4242"));
	assert_int_equal(cf_http_client_requests(bad), 1); /* 401 is not retried */
	cf_http_client_free(bad);
	down(&e);
}

static void test_unreachable_host_is_a_network_error(void **state)
{
	(void)state;
	env e;
	up(&e);
	char url[160];
	snprintf(url, sizeof(url), "%s", e.sb.api_url);
	fx_sandbox_stop(&e.sb); /* nothing listens on that port any more */
	cf_sem_config cfg = {.base_url = url, .token = TEST_TOKEN, .connect_timeout_ms = 1000,
			     .timeout_ms = 2000, .parallelism = 2, .max_attempts = 3, .retry_base_ms = 10,
			     .retry_max_ms = 20};
	cf_sem_config_api(&cfg);
	cf_http_client *c = NULL;
	assert_int_equal(cf_http_client_new(&c, &cfg, &e.err), 0);
	cJSON *p = NULL;
	assert_int_equal(cf_sem_agent_type_list(&p, c, &e.err), CF_ENET);
	assert_true(fx_contains(e.err.message, "GET /self_hosted_agent_types: "));
	assert_true(fx_contains(e.err.message, "(after 3 attempts)"));
	assert_false(fx_contains(e.err.message, TEST_TOKEN));
	cf_http_client_free(c);
	cf_http_client_free(e.c);
	e.c = NULL;
	fx_leave_tmpdir();
	cf_error_clear(&e.err);
}

static void test_parallel_reads_keep_submission_order_and_the_parallelism_limit(void **state)
{
	(void)state;
	env e;
	up_with(&e, (const char *[]){"--latency-ms", "100", NULL}, 5);
	char *paths[20];
	for (int i = 0; i < 20; i++)
		paths[i] = i % 2 ? cf_xstrdup("/projects/api") : cf_xstrdup("/projects/web-app");
	cJSON *outs[20];
	assert_int_equal(cf_http_get_many(outs, e.c, paths, 20, &e.err), 0);
	for (int i = 0; i < 20; i++) {
		assert_string_equal(str(outs[i], "metadata.name"), i % 2 ? "api" : "web-app");
		cJSON_Delete(outs[i]);
		free(paths[i]);
	}
	cJSON *st = fx_sandbox_stats(&e.sb);
	assert_int_equal(cJSON_GetObjectItem(st, "max_in_flight")->valueint, 8);
	cJSON_Delete(st);
	down(&e);
}

static void test_every_request_says_it_is_the_semaphore_client(void **state)
{
	(void)state;
	env e;
	up(&e);
	cJSON *x = NULL;
	assert_int_equal(cf_sem_agent_type_list(&x, e.c, &e.err), 0);
	cJSON_Delete(x);
	cJSON *body = cJSON_Parse("{\"project_id\":\"" SEED_PROJECT_WEB "\",\"job_level_retention_policies\":"
				  "[{\"selector\":\"/a\",\"age\":\"1 week\"}]}");
	assert_int_equal(cf_sem_retention_set(&x, e.c, body, &e.err), 0);
	cJSON_Delete(x);
	cJSON_Delete(body);
	cJSON *st = fx_sandbox_stats(&e.sb);
	char *agents = cJSON_PrintUnformatted(cJSON_GetObjectItem(st, "user_agents"));
	assert_string_equal(agents, "{\"SemaphoreCI v2.0 Client\":2}");
	free(agents);
	cJSON_Delete(st);
	down(&e);
}

static void test_a_200_that_is_not_json_is_an_error(void **state)
{
	(void)state;
	env e;
	up(&e);
	cJSON *x = NULL;
	/* the stats route lives outside /api/v1alpha; reach it through a base URL without it */
	cf_sem_config cfg = {.base_url = e.sb.url, .token = TEST_TOKEN, .connect_timeout_ms = 1000,
			     .timeout_ms = 2000, .parallelism = 2, .max_attempts = 1};
	cf_http_client *c = NULL;
	assert_int_equal(cf_http_client_new(&c, &cfg, &e.err), 0);
	assert_int_equal(cf_http_get_list(&x, c, "/_sandbox/stats", "agent_types", &e.err), CF_EAPI);
	assert_string_equal(e.err.message, "GET /_sandbox/stats: the answer has an unexpected shape "
					   "(no \"agent_types\" list)");
	cf_http_client_free(c);
	down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_project_is_found_by_name_and_cached),
		cmocka_unit_test(test_unknown_project_is_not_found),
		cmocka_unit_test(test_project_list_follows_every_page),
		cmocka_unit_test(test_connections_are_kept_from_one_batch_to_the_next),
		cmocka_unit_test(test_an_empty_page_that_says_more_is_followed),
		cmocka_unit_test(test_role_ids_are_named_through_get_roles_id_once_each),
		cmocka_unit_test(test_agent_type_lifecycle),
		cmocka_unit_test(test_agent_type_with_busy_agents_is_deleted_after_disable_all),
		cmocka_unit_test(test_target_lifecycle),
		cmocka_unit_test(test_a_delete_that_finds_the_target_gone_counts_as_deleted),
		cmocka_unit_test(test_retention_policy_is_read_and_replaced),
		cmocka_unit_test(test_503_is_retried_until_it_succeeds),
		cmocka_unit_test(test_503_fails_after_five_attempts),
		cmocka_unit_test(test_429_waits_for_retry_after),
		cmocka_unit_test(test_failed_agent_type_create_is_looked_up_before_it_is_sent_again),
		cmocka_unit_test(test_refused_token_says_so_and_never_shows_it),
		cmocka_unit_test(test_unreachable_host_is_a_network_error),
		cmocka_unit_test(test_parallel_reads_keep_submission_order_and_the_parallelism_limit),
		cmocka_unit_test(test_a_200_that_is_not_json_is_an_error),
		cmocka_unit_test(test_every_request_says_it_is_the_semaphore_client),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

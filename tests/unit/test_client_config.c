/* Where the client's URL and token come from; no server involved. */
#include "tests/unit/test_helpers.h"
#include "reconciler/providers/semaphore/client.h"

#include <string.h>

static char *normalized(const char *in)
{
	char *out = NULL;
	cf_error err = {0};
	if (cf_sem_url_normalize(&out, in, &err) != CF_OK)
		out = cf_xasprintf("error: %s", err.message);
	cf_error_clear(&err);
	return out;
}

#define EXPECT_URL(in, want)                    \
	do {                                        \
		char *u_ = normalized(in);              \
		assert_string_equal(u_, want);          \
		free(u_);                               \
	} while (0)

static void test_org_name_without_scheme_becomes_https_api_url(void **state)
{
	(void)state;
	EXPECT_URL("acme.semaphoreci.com", "https://acme.semaphoreci.com/api/v1alpha");
}

static void test_api_path_is_appended_once(void **state)
{
	(void)state;
	EXPECT_URL("https://acme.semaphoreci.com/", "https://acme.semaphoreci.com/api/v1alpha");
	EXPECT_URL("https://acme.semaphoreci.com/api/v1alpha/", "https://acme.semaphoreci.com/api/v1alpha");
}

static void test_plain_http_to_a_remote_host_is_refused(void **state)
{
	(void)state;
	EXPECT_URL("http://acme.semaphoreci.com",
		   "error: 'http://acme.semaphoreci.com': the organisation URL must use https (plain http "
		   "only for 127.0.0.1, ::1 or localhost)");
}

static void test_plain_http_to_loopback_is_accepted(void **state)
{
	(void)state;
	EXPECT_URL("http://127.0.0.1:8080", "http://127.0.0.1:8080/api/v1alpha");
	EXPECT_URL("http://localhost:9", "http://localhost:9/api/v1alpha");
	EXPECT_URL("http://[::1]:9", "http://[::1]:9/api/v1alpha");
}

static void test_other_schemes_are_refused(void **state)
{
	(void)state;
	EXPECT_URL("ftp://acme.semaphoreci.com",
		   "error: 'ftp://acme.semaphoreci.com': the organisation URL must use https (plain http "
		   "only for 127.0.0.1, ::1 or localhost)");
}

static char *resolved(const cf_conn_settings *in, cf_sem_config *cfg)
{
	cf_error err = {0};
	char *out = NULL;
	if (cf_sem_config_resolve(cfg, in, &err) != CF_OK)
		out = cf_xasprintf("error: %s", err.message);
	cf_error_clear(&err);
	return out;
}

static void test_url_and_token_come_from_the_environment(void **state)
{
	(void)state;
	setenv("SEMAPHORE_ORG_URL", "acme.semaphoreci.com", 1);
	setenv("SEMAPHORE_API_TOKEN", "env-token", 1);
	cf_sem_config cfg;
	cf_conn_settings in = {0};
	assert_null(resolved(&in, &cfg));
	assert_string_equal(cfg.base_url, "https://acme.semaphoreci.com/api/v1alpha");
	assert_string_equal(cfg.token, "env-token");
	assert_int_equal(cfg.parallelism, 8);
	assert_int_equal(cfg.max_attempts, 5);
	cf_sem_config_clear(&cfg);
	unsetenv("SEMAPHORE_ORG_URL");
	unsetenv("SEMAPHORE_API_TOKEN");
}

static void test_token_file_wins_and_is_trimmed(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("token", "file-token\n");
	setenv("SEMAPHORE_API_TOKEN", "env-token", 1);
	cf_sem_config cfg;
	cf_conn_settings in = {.org_url = "acme.semaphoreci.com", .token_file = "token"};
	assert_null(resolved(&in, &cfg));
	assert_string_equal(cfg.token, "file-token");
	cf_sem_config_clear(&cfg);
	unsetenv("SEMAPHORE_API_TOKEN");
	fx_leave_tmpdir();
}

static void test_sem_cli_context_is_used_when_nothing_is_given(void **state)
{
	(void)state;
	const char *home = fx_enter_tmpdir();
	fx_write(".sem.yaml", "active-context: acme_semaphoreci_com\n"
			      "contexts:\n"
			      "  acme_semaphoreci_com:\n    auth: {token: acme-token}\n    host: acme.semaphoreci.com\n"
			      "  other_semaphoreci_com:\n    auth: {token: other-token}\n    host: other.semaphoreci.com\n");
	cf_sem_config cfg;
	cf_conn_settings in = {.home = home};
	assert_null(resolved(&in, &cfg));
	assert_string_equal(cfg.base_url, "https://acme.semaphoreci.com/api/v1alpha");
	assert_string_equal(cfg.token, "acme-token");
	cf_sem_config_clear(&cfg);
	in.context = "other_semaphoreci_com";
	assert_null(resolved(&in, &cfg));
	assert_string_equal(cfg.token, "other-token");
	cf_sem_config_clear(&cfg);
	fx_leave_tmpdir();
}

static void test_missing_token_is_an_error(void **state)
{
	(void)state;
	unsetenv("SEMAPHORE_API_TOKEN");
	cf_sem_config cfg;
	cf_conn_settings in = {.org_url = "acme.semaphoreci.com"};
	char *e = resolved(&in, &cfg);
	assert_string_equal(e, "error: no API token: set SEMAPHORE_API_TOKEN or use --token-file");
	free(e);
}

static void test_nothing_configured_says_how_to_configure(void **state)
{
	(void)state;
	unsetenv("SEMAPHORE_API_TOKEN");
	unsetenv("SEMAPHORE_ORG_URL");
	const char *home = fx_enter_tmpdir();
	cf_sem_config cfg;
	cf_conn_settings in = {.home = home};
	char *e = resolved(&in, &cfg);
	assert_string_equal(e, "error: no connection settings: set SEMAPHORE_ORG_URL and SEMAPHORE_API_TOKEN "
			       "(or --org-url and --token-file), or log in with `sem connect`");
	free(e);
	fx_leave_tmpdir();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_org_name_without_scheme_becomes_https_api_url),
		cmocka_unit_test(test_api_path_is_appended_once),
		cmocka_unit_test(test_plain_http_to_a_remote_host_is_refused),
		cmocka_unit_test(test_plain_http_to_loopback_is_accepted),
		cmocka_unit_test(test_other_schemes_are_refused),
		cmocka_unit_test(test_url_and_token_come_from_the_environment),
		cmocka_unit_test(test_token_file_wins_and_is_trimmed),
		cmocka_unit_test(test_sem_cli_context_is_used_when_nothing_is_given),
		cmocka_unit_test(test_missing_token_is_an_error),
		cmocka_unit_test(test_nothing_configured_says_how_to_configure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

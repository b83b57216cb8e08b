/*
 * sandbox: ciform-sandbox as a child process of a test.
 */
#include "tests/support/sandbox.h"
#include "tests/support/fixture.h"

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

void fx_sandbox_start(fx_sandbox *sb, const char *const *args)
{
	int out[2];
	if (pipe(out) != 0)
		abort();
	const char *argv[32] = {CIFORM_SANDBOX_BIN, "--port", "0", "--token", TEST_TOKEN};
	size_t n = 5;
	for (size_t i = 0; args && args[i] && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the test, even a failed one */
		dup2(out[1], 1);
		close(out[0]);
		close(out[1]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	FILE *f = fdopen(out[0], "r");
	memset(sb, 0, sizeof(*sb));
	sb->pid = pid;
	if (!fgets(sb->url, sizeof(sb->url), f) || strncmp(sb->url, "http://127.0.0.1:", 17) != 0) {
		fprintf(stderr, "ciform-sandbox did not start\n");
		abort();
	}
	fclose(f);
	sb->url[strcspn(sb->url, "\n")] = '\0';
	snprintf(sb->api_url, sizeof(sb->api_url), "%s/api/v1alpha", sb->url);
}

static int stop(fx_sandbox *sb, int sig)
{
	if (sb->pid <= 0)
		return 0;
	kill(sb->pid, sig);
	int status = 0;
	waitpid(sb->pid, &status, 0);
	sb->pid = 0;
	return status;
}

void fx_sandbox_stop(fx_sandbox *sb)
{
	/* a clean stop exits 0; anything else (a sanitizer report) fails the test */
	int status = stop(sb, SIGTERM);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "ciform-sandbox did not stop cleanly (status %d)\n", status);
		abort();
	}
}

void fx_sandbox_kill9(fx_sandbox *sb)
{
	stop(sb, SIGKILL);
}

static size_t collect(char *p, size_t s, size_t n, void *ud)
{
	char **buf = ud;
	size_t old = *buf ? strlen(*buf) : 0;
	*buf = cf_xrealloc(*buf, old + s * n + 1);
	memcpy(*buf + old, p, s * n);
	(*buf)[old + s * n] = '\0';
	return s * n;
}

cJSON *fx_sandbox_stats(const fx_sandbox *sb)
{
	CURL *e = curl_easy_init();
	char url[256];
	snprintf(url, sizeof(url), "%s/_sandbox/stats", sb->url);
	char *buf = NULL;
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &buf);
	curl_easy_perform(e);
	curl_easy_cleanup(e);
	cJSON *j = buf ? cJSON_Parse(buf) : NULL;
	free(buf);
	return j;
}

int fx_sandbox_route_count(const fx_sandbox *sb, const char *route)
{
	cJSON *st = fx_sandbox_stats(sb);
	cJSON *n = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(st, "routes"), route);
	int count = cJSON_IsNumber(n) ? n->valueint : 0;
	cJSON_Delete(st);
	return count;
}

cf_http_client *fx_client(const fx_sandbox *sb, int max_attempts)
{
	cf_sem_config cfg = {
		.base_url = (char *)sb->api_url, .token = TEST_TOKEN, .connect_timeout_ms = 2000,
		.timeout_ms = 10000, .parallelism = 8, .max_attempts = max_attempts,
		.retry_base_ms = 10, .retry_max_ms = 100,
	};
	cf_sem_config_api(&cfg);
	cf_http_client *c = NULL;
	cf_error err = {0};
	if (cf_http_client_new(&c, &cfg, &err) != CF_OK)
		abort();
	return c;
}

void fx_write_seed(const char *path)
{
	fx_write(path,
		 "{\"projects\": [{\"name\": \"web-app\", \"id\": \"" SEED_PROJECT_WEB "\"},\n"
		 "              {\"name\": \"api\", \"id\": \"" SEED_PROJECT_API "\"}],\n"
		 " \"roles\": [{\"name\": \"Admin\", \"id\": \"" SEED_ROLE_ADMIN "\", \"scope\": \"org_scope\"}],\n"
		 " \"agent_types\": [{\"name\": \"s1-busy\", \"agents\": [{\"name\": \"a1\", \"busy\": true},\n"
		 "                                                      {\"name\": \"a2\", \"busy\": false}]}],\n"
		 " \"deployment_targets\": [{\"id\": \"" SEED_TARGET_PROD "\", \"project\": \"web-app\",\n"
		 "   \"name\": \"prod\", \"url\": \"https://prod.example.com\",\n"
		 "   \"env_vars\": [{\"name\": \"TOKEN\", \"value\": \"prod-secret\"}],\n"
		 "   \"files\": [{\"path\": \"/etc/a.conf\", \"content\": \"aGVsbG8K\"}]}]}\n");
}

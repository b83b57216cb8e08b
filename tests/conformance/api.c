/*
 * api: see api.h.
 */
#define _GNU_SOURCE
#include "tests/conformance/api.h"
#include "tests/support/fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

typedef struct buf {
	char *data;
	size_t len;
} buf;

static size_t collect(char *p, size_t s, size_t n, void *ud)
{
	buf *b = ud;
	b->data = realloc(b->data, b->len + s * n + 1);
	memcpy(b->data + b->len, p, s * n);
	b->len += s * n;
	b->data[b->len] = '\0';
	return s * n;
}

static char *header_value(const char *line, size_t len, const char *name)
{
	size_t n = strlen(name);
	if (len <= n + 1 || strncasecmp(line, name, n) != 0 || line[n] != ':')
		return NULL;
	const char *v = line + n + 1;
	const char *end = line + len;
	while (v < end && *v == ' ')
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	return strndup(v, (size_t)(end - v));
}

static size_t on_header(char *p, size_t s, size_t n, void *ud)
{
	cx_answer *a = ud;
	static const char *const names[] = {"Content-Type", "x-has-more", "x-page"};
	char **slots[] = {&a->content_type, &a->has_more, &a->page};
	for (size_t i = 0; i < 3; i++) {
		char *v = header_value(p, s * n, names[i]);
		if (v) {
			free(*slots[i]);
			*slots[i] = v;
		}
	}
	return s * n;
}

void cx_up(cx_env *e, const char *seed, const char *sync_ms, const char *const *args)
{
	memset(e, 0, sizeof(*e));
	fx_enter_tmpdir();
	fx_write("seed.json", seed);
	const char *argv[24] = {"--seed", "seed.json", "--sync-ms", sync_ms};
	size_t n = 4;
	for (size_t i = 0; args && args[i] && n < 23; i++)
		argv[n++] = args[i];
	fx_sandbox_start(&e->sb, argv);
}

void cx_down(cx_env *e)
{
	fx_sandbox_stop(&e->sb);
	fx_leave_tmpdir();
}

cx_answer cx_call_raw(const cx_env *e, const char *method, const char *path, const char *content_type,
		      const char *body, size_t len, const char *token)
{
	cx_answer a = {0};
	buf b = {0};
	char *url = NULL, *auth = NULL, *ct = NULL;
	if (asprintf(&url, "%s%s", e->sb.api_url, path) < 0 ||
	    asprintf(&auth, "Authorization: Token %s", token ? token : TEST_TOKEN) < 0)
		abort();
	struct curl_slist *hs = curl_slist_append(NULL, auth);
	if (content_type) {
		if (asprintf(&ct, "Content-Type: %s", content_type) < 0)
			abort();
		hs = curl_slist_append(hs, ct);
	} else {
		hs = curl_slist_append(hs, "Content-Type:"); /* curl would add a form type */
	}
	hs = curl_slist_append(hs, "Expect:");
	CURL *c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &a);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a.status);
	curl_easy_cleanup(c);
	curl_slist_free_all(hs);
	free(url);
	free(auth);
	free(ct);
	a.body = b.data ? b.data : strdup("");
	a.json = cJSON_Parse(a.body);
	return a;
}

cx_answer cx_call(const cx_env *e, const char *method, const char *path, const char *body)
{
	return cx_call_raw(e, method, path, body ? "application/json" : NULL, body, body ? strlen(body) : 0, NULL);
}

void cx_free(cx_answer *a)
{
	free(a->body);
	free(a->content_type);
	free(a->has_more);
	free(a->page);
	cJSON_Delete(a->json);
	memset(a, 0, sizeof(*a));
}

const cJSON *cx_get(const cJSON *json, const char *path)
{
	char *copy = strdup(path), *save = NULL;
	const cJSON *at = json;
	for (char *part = strtok_r(copy, ".", &save); part && at; part = strtok_r(NULL, ".", &save)) {
		char *end = NULL;
		long i = strtol(part, &end, 10);
		at = cJSON_IsArray(at) && !*end ? cJSON_GetArrayItem(at, (int)i)
						: cJSON_GetObjectItemCaseSensitive(at, part);
	}
	free(copy);
	return at;
}

const char *cx_str(const cJSON *json, const char *path)
{
	return cJSON_GetStringValue(cx_get(json, path));
}

char *cx_wait_settled(const cx_env *e, const char *path)
{
	char *state = NULL;
	for (int i = 0; i < 100; i++) {
		cx_answer a = cx_call(e, "GET", path, NULL);
		free(state);
		state = strdup(a.status == 200 ? cx_str(a.json, "state") : "GONE");
		cx_free(&a);
		if (strcmp(state, "SYNCING") != 0)
			break;
		nanosleep(&(struct timespec){0, 50 * 1000000L}, NULL);
	}
	return state;
}

void cx_expect(cx_answer a, long status, const char *body)
{
	assert_int_equal(a.status, status);
	assert_string_equal(a.body, body);
	cx_free(&a);
}

char *cx_secret_md5(const cx_env *e, const char *target_path, const char *list, const char *key)
{
	char *path = NULL;
	if (asprintf(&path, "%s?include_secrets=true", target_path) < 0)
		abort();
	cx_answer a = cx_call(e, "GET", path, NULL);
	bool files = !strcmp(list, "files");
	char *out = NULL;
	const cJSON *it;
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(a.json, list))
		if (!strcmp(cx_str(it, files ? "path" : "name"), key))
			out = strdup(cx_str(it, files ? "content" : "value"));
	cx_free(&a);
	free(path);
	return out;
}

/*
 * api: raw HTTP against a ciform-sandbox for the conformance tests, with
 * libcurl and nothing of ciform's own client, so that what a test asserts is
 * exactly what the server sent: status, body bytes, Content-Type, headers.
 */
#ifndef CF_TEST_CONFORMANCE_API_H
#define CF_TEST_CONFORMANCE_API_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "tests/support/sandbox.h"

typedef struct cx_env {
	fx_sandbox sb;
} cx_env;

typedef struct cx_answer {
	long status;
	char *body;         /* "" when empty */
	char *content_type; /* NULL when the answer has none */
	char *has_more;     /* x-has-more, or NULL */
	char *page;         /* x-page, or NULL */
	cJSON *json;        /* body parsed, or NULL */
} cx_answer;

/* Enters a fresh directory, writes seed to seed.json and starts the sandbox
 * with --seed seed.json --sync-ms sync_ms plus args (NULL-ended, may be NULL). */
void cx_up(cx_env *e, const char *seed, const char *sync_ms, const char *const *args);
void cx_down(cx_env *e);

/* path is after /api/v1alpha; a body is sent as application/json. */
cx_answer cx_call(const cx_env *e, const char *method, const char *path, const char *body);
/* Any content type (NULL: none), any token (NULL: the sandbox's). */
cx_answer cx_call_raw(const cx_env *e, const char *method, const char *path, const char *content_type,
		      const char *body, size_t len, const char *token);
void cx_free(cx_answer *a);

/* The string at a dotted path of a JSON answer ("metadata.name", "0.id"), or NULL. */
const char *cx_str(const cJSON *json, const char *path);
const cJSON *cx_get(const cJSON *json, const char *path);

/* Asserts the status and the exact body, then frees the answer. */
void cx_expect(cx_answer a, long status, const char *body);

/* The MD5 an include_secrets describe of target_path shows for key in list
 * ("env_vars" by name, "files" by path), or NULL; caller frees. */
char *cx_secret_md5(const cx_env *e, const char *target_path, const char *list, const char *key);

/* Polls GET path until its "state" is no longer SYNCING (5 s at most); returns the last state. */
char *cx_wait_settled(const cx_env *e, const char *path);

#endif

/*
 * sandbox: start ciform-sandbox on a free loopback port for one test, and
 * stop it afterwards. The token is always TEST_TOKEN.
 */
#ifndef CF_TEST_SANDBOX_H
#define CF_TEST_SANDBOX_H

#include <sys/types.h>
#include <cjson/cJSON.h>
#include "reconciler/providers/semaphore/client.h"

#define TEST_TOKEN "test-token-5f3a9c"

typedef struct fx_sandbox {
	pid_t pid;
	char url[128];      /* http://127.0.0.1:PORT */
	char api_url[160];  /* url + /api/v1alpha */
} fx_sandbox;

/* Starts the sandbox with --port 0 --token TEST_TOKEN and args (NULL-ended). */
void fx_sandbox_start(fx_sandbox *sb, const char *const *args);
void fx_sandbox_stop(fx_sandbox *sb); /* SIGTERM, and waits */
void fx_sandbox_kill9(fx_sandbox *sb);
/* GET /_sandbox/stats */
cJSON *fx_sandbox_stats(const fx_sandbox *sb);
/* How many requests a route got: "GET /projects/:name" */
int fx_sandbox_route_count(const fx_sandbox *sb, const char *route);

/* A client for the sandbox: retries fast (10 ms base) so tests stay quick. */
cf_http_client *fx_client(const fx_sandbox *sb, int max_attempts);
/* Writes the standard test seed (see sandbox.c) to path. */
void fx_write_seed(const char *path);

#define SEED_PROJECT_WEB "11111111-1111-4111-8111-111111111111"
#define SEED_PROJECT_API "11111111-1111-4111-8111-222222222222"
#define SEED_ROLE_ADMIN "22222222-2222-4222-8222-222222222222"
#define SEED_TARGET_PROD "33333333-3333-4333-8333-333333333333"

#endif

/*
 * e2e: one end-to-end scene: a temporary directory holding specs, a
 * ciform-sandbox seeded for the test, and ciform run against it with the
 * connection in its environment, as a user would.
 */
#ifndef CF_TEST_E2E_H
#define CF_TEST_E2E_H

#include "tests/support/fixture.h"
#include "tests/support/sandbox.h"

typedef struct e2e {
	fx_sandbox sb;
	char url_env[200];
	char state_env[300]; /* XDG_STATE_HOME inside the scene: tokens never land in $HOME */
	const char *env[16]; /* SEMAPHORE_ORG_URL, SEMAPHORE_API_TOKEN, then extras */
	cf_http_client *api;  /* for arranging and checking live state directly */
} e2e;

/* Enters a fresh directory, writes seed (JSON) and starts the sandbox with
 * --sync-ms 50 plus args. Extra env entries ("K=V") follow the connection. */
void e2e_up(e2e *e, const char *seed, const char *const *args, const char *const *env);
void e2e_down(e2e *e);
fx_result e2e_ciform(e2e *e, const char *const *args);

/* The live object at path (GET), or NULL. */
cJSON *e2e_get(e2e *e, const char *path);
/* The id of a project's target by name ("" when missing). */
char *e2e_target_id(e2e *e, const char *project_id, const char *name);

#endif

/* The organisation the plan and apply tests start from, and spec snippets. */
#ifndef CF_TEST_SCENE_H
#define CF_TEST_SCENE_H

#include "tests/unit/test_helpers.h"
#include "tests/support/e2e.h"

#define P_WEB "0a000000-0000-4000-8000-000000000001"
#define P_API "0a000000-0000-4000-8000-000000000002"
#define P_OTHER "0a000000-0000-4000-8000-000000000003"
#define R_ADMIN "0b000000-0000-4000-8000-000000000001"

#define ORG(targets, agents, retention)                                                          \
	"{\"projects\": [{\"name\": \"web\", \"id\": \"" P_WEB "\"}, {\"name\": \"api\", \"id\": \"" P_API "\"}," \
	" {\"name\": \"other\", \"id\": \"" P_OTHER "\"}],"                                            \
	" \"roles\": [{\"name\": \"Admin\", \"id\": \"" R_ADMIN "\", \"scope\": \"project_scope\"}],"     \
	" \"users\": [{\"id\": \"0c000000-0000-4000-8000-0000000000aa\", \"git_login\": \"octocat\","          \
	"  \"projects\": [\"" P_WEB "\", \"" P_API "\"]}],"                                                     \
	" \"deployment_targets\": [" targets "], \"agent_types\": [" agents "],"                      \
	" \"retention_policies\": [" retention "]}"

#define TARGET_DOC(project, name) \
	"apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata:\n  name: " name "\n  project: " project "\n"

/* Fills the caller's scene: env points into it, so it must not be copied. */
static inline void up(e2e *e, const char *seed, const char *const *env)
{
	e2e_up(e, seed, NULL, env);
}

/* Runs ciform with the args and returns stdout+stderr for assertions. */
static inline fx_result cf(e2e *e, const char *const *args)
{
	return e2e_ciform(e, args);
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

#endif

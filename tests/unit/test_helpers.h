/* Shared by the loader tests: the heads of documents and the assertion on
 * the exact problems text a user sees. */
#ifndef CF_TEST_HELPERS_H
#define CF_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include "tests/support/fixture.h"

#define AGENT_HEAD "apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata:\n  name: s1-x\nspec:\n"
#define TARGET_HEAD "apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata:\n  name: prod\n  project: web\nspec:\n"
#define RETENTION_HEAD "apiVersion: v1alpha\nkind: ArtifactRetentionPolicy\nmetadata:\n  project: web\nspec:\n"

#define EXPECT_PROBLEMS(yaml, expected)            \
	do {                                           \
		char *p_ = fx_problems(yaml);              \
		assert_string_equal(p_, expected);         \
		free(p_);                                  \
	} while (0)

#define EXPECT_VALID(yaml) EXPECT_PROBLEMS(yaml, "")

#endif

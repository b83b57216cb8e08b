/* Shared by the loader tests: the heads of documents and the assertion on
 * the exact problems text a user sees, for a plan's load (EXPECT_PROBLEMS)
 * and for validate's offline one (EXPECT_OFFLINE_PROBLEMS). */
#ifndef CF_TEST_HELPERS_H
#define CF_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include "reconciler/render_diags.h"
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

/* As fx_problems, with the loader's options: writes yaml to t.yaml in a
 * fresh directory and returns the problems text (warnings included). */
static inline char *load_problems_opts(const char *yaml, const cf_load_opts *opts)
{
	fx_enter_tmpdir();
	fx_write("t.yaml", yaml);
	cf_error err = {0};
	cf_source *src = NULL;
	cf_diags d = {0};
	cf_resource_set *set = NULL;
	if (cf_source_open_fs(&src, NULL, 0, &err) == CF_OK)
		cf_manifest_load_opts(&set, src, opts, &d, &err);
	char *text = err.message && !d.count ? cf_xstrdup(err.message) : cf_render_diags_text(&d);
	cf_resource_set_free(set);
	cf_diags_free(&d);
	cf_source_free(src);
	cf_error_clear(&err);
	fx_leave_tmpdir();
	return text;
}

#define VALIDATE_OPTS (&(cf_load_opts){.offline = true, .warnings = true})
#define EXPECT_OFFLINE_PROBLEMS(yaml, expected)              \
	do {                                                     \
		char *p_ = load_problems_opts(yaml, VALIDATE_OPTS);  \
		assert_string_equal(p_, expected);                   \
		free(p_);                                            \
	} while (0)

#endif

/*
 * What an unlucky operator or a tampered file cannot make apply do: widen a
 * saved plan, apply it to another organisation, lose a registration token.
 */
#include "tests/e2e/scene.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *buf = cf_xcalloc(1 << 20, 1);
	size_t n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Replaces the first occurrence of from by to in the file. */
static void edit(const char *path, const char *from, const char *to)
{
	char *text = slurp(path);
	char *at = strstr(text, from);
	assert_non_null(at);
	*at = '\0';
	char *out = cf_xasprintf("%s%s%s", text, to, at + strlen(from));
	fx_write(path, out);
	free(out);
	free(text);
}

static void test_a_saved_plan_whose_prune_was_switched_on_is_refused(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("{\"project\": \"web\", \"name\": \"stray\"}", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod"));
	fx_result r = cf(&e, ARGS("plan", "--out", "plan.json"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	edit("plan.json", "\"prune\":\tfalse", "\"prune\":\ttrue");
	r = cf(&e, ARGS("apply", "--plan", "plan.json", "--yes"));
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "ciform: error: the saved plan was edited: its options or changes no longer "
				   "match its fingerprint (run ciform plan --out again)\n");
	fx_result_free(&r);
	char *id = e2e_target_id(&e, P_WEB, "stray");
	assert_string_not_equal(id, ""); /* not deleted */
	free(id);
	e2e_down(&e);
}

static void test_a_saved_plan_whose_target_list_was_dropped_is_refused(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "a") "---\n" TARGET_DOC("web", "b"));
	fx_result r = cf(&e, ARGS("plan", "--out", "plan.json", "--target", "DeploymentTarget/web/a"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	edit("plan.json", "\"DeploymentTarget/web/a\"]", "]");
	r = cf(&e, ARGS("apply", "--plan", "plan.json", "--yes"));
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "the saved plan was edited"));
	fx_result_free(&r);
	char *id = e2e_target_id(&e, P_WEB, "b");
	assert_string_equal(id, "");
	free(id);
	e2e_down(&e);
}

static void test_a_saved_plan_is_refused_against_another_organisation(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod"));
	fx_result r = cf(&e, ARGS("plan", "--out", "plan.json"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	char *plan = slurp("plan.json");
	char *first = cf_xstrdup(e.sb.api_url);
	e2e_down(&e);
	up(&e, ORG("", "", ""), NULL); /* the same organisation's twin, at another address */
	fx_write("t.yaml", TARGET_DOC("web", "prod"));
	fx_write("plan.json", plan);
	r = cf(&e, ARGS("apply", "--plan", "plan.json", "--yes"));
	assert_int_equal(r.rc, 1);
	char *want = cf_xasprintf("ciform: error: the saved plan was made for %s, not %s\n", first, e.sb.api_url);
	assert_string_equal(r.err, want);
	fx_result_free(&r);
	char *id = e2e_target_id(&e, P_WEB, "prod");
	assert_string_equal(id, "");
	free(id);
	free(want);
	free(first);
	free(plan);
	e2e_down(&e);
}

#define AGENT_DOC(name) "apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata: {name: " name "}\n"

static void test_a_token_directory_that_cannot_be_written_refuses_the_apply_before_any_change(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	fx_write("afile", "not a directory");
	fx_write("a.yaml", AGENT_DOC("s1-new"));
	fx_write("t.yaml", TARGET_DOC("web", "prod"));
	fx_result r = cf(&e, ARGS("apply", "--yes", "--registration-token-dir", "afile/tokens"));
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "registration tokens cannot be written ("));
	assert_true(fx_contains(r.err, "): nothing was changed"));
	fx_result_free(&r);
	assert_int_equal(fx_sandbox_route_count(&e.sb, "POST /self_hosted_agent_types"), 0);
	assert_int_equal(fx_sandbox_route_count(&e.sb, "POST /deployment_targets"), 0);
	e2e_down(&e);
}

static void test_a_token_lost_by_an_interrupted_apply_is_planned_and_replaced(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "{\"name\": \"s1-a\"}", ""), NULL);
	/* what a kill between the create and the token's file leaves */
	fx_write("tokens/s1-a.token.pending", "a create was sent; its token was not saved yet\n");
	fx_write("a.yaml", AGENT_DOC("s1-a"));
	fx_result r = cf(&e, ARGS("plan", "--registration-token-dir", "tokens"));
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "  ~ SelfHostedAgentType/s1-a (update)\n"
				       "      registration_token: \"lost: an earlier apply created it, but its token never "
				       "reached tokens/s1-a.token\" -> \"a new one (the agent type is deleted and created "
				       "again)\"\n"));
	fx_result_free(&r);
	r = cf(&e, ARGS("apply", "--yes", "--registration-token-dir", "tokens"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	struct stat st;
	assert_int_equal(stat("tokens/s1-a.token", &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_not_equal(stat("tokens/s1-a.token.pending", &st), 0);
	r = cf(&e, ARGS("plan", "--registration-token-dir", "tokens"));
	assert_true(fx_contains(r.out, "No changes."));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_tokens_go_under_xdg_state_home_by_default(void **state)
{
	(void)state;
	e2e e;
	char *xdg = cf_xasprintf("XDG_STATE_HOME=%s/state", fx_enter_tmpdir());
	fx_leave_tmpdir();
	up(&e, ORG("", "", ""), ARGS(xdg));
	fx_write("a.yaml", AGENT_DOC("s1-new"));
	fx_result r = cf(&e, ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "/state/ciform/registration-tokens/s1-new.token\n"));
	fx_result_free(&r);
	char *path = cf_xasprintf("%s/ciform/registration-tokens/s1-new.token", xdg + strlen("XDG_STATE_HOME="));
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	free(path);
	free(xdg);
	e2e_down(&e);
}

static void test_a_token_directory_git_would_commit_is_refused_and_an_ignored_one_is_not(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	fx_sh("git init -q specs-repo");
	fx_write("specs-repo/a.yaml", AGENT_DOC("s1-new"));
	fx_result r = cf(&e, ARGS("apply", "specs-repo", "--yes", "--registration-token-dir", "specs-repo/.tokens"));
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "specs-repo/.tokens is inside the git work tree "));
	assert_true(fx_contains(r.err, "and git does not ignore it"));
	fx_result_free(&r);
	assert_int_equal(fx_sandbox_route_count(&e.sb, "POST /self_hosted_agent_types"), 0);
	fx_write("specs-repo/.gitignore", ".tokens/\n");
	r = cf(&e, ARGS("apply", "specs-repo", "--yes", "--registration-token-dir", "specs-repo/.tokens"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	struct stat st;
	assert_int_equal(stat("specs-repo/.tokens/s1-new.token", &st), 0);
	e2e_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_saved_plan_whose_prune_was_switched_on_is_refused),
		cmocka_unit_test(test_a_saved_plan_whose_target_list_was_dropped_is_refused),
		cmocka_unit_test(test_a_saved_plan_is_refused_against_another_organisation),
		cmocka_unit_test(test_a_token_directory_that_cannot_be_written_refuses_the_apply_before_any_change),
		cmocka_unit_test(test_a_token_lost_by_an_interrupted_apply_is_planned_and_replaced),
		cmocka_unit_test(test_tokens_go_under_xdg_state_home_by_default),
		cmocka_unit_test(test_a_token_directory_git_would_commit_is_refused_and_an_ignored_one_is_not),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * ciform-sandbox --api circleci answers a project's variable routes as
 * CircleCI's API v2 does, rule by rule, each test naming its evidence
 * (docs/circleci.md lists them): raw libcurl, nothing of ciform's client.
 */
#include "tests/conformance/test_conformance_circleci.h"

#define PROJECT_SEED(env, more)                                                                              \
	"{\"circleci\": {\"collaborations\": [{\"id\": \"" ORG "\", \"name\": \"acme\", \"slug\": \"gh/acme\"}],"    \
	" \"projects\": [{\"id\": \"" WEB "\", \"slug\": \"gh/acme/web\", \"name\": \"web\", \"env\": [" env "]}]" \
	more "}}"

/* LABS ic/environment_variable.go ProjectEnvironmentVariable (measured):
 * "xxxx" and the last min(4, floor(len/2)) characters */
static void test_project_variables_are_listed_as_xxxx_and_a_tail(void **state)
{
	(void)state;
	cx_env e;
	up(&e, PROJECT_SEED("{\"name\": \"A\", \"value\": \"x\", \"created_at\": \"t\"},"
			    "{\"name\": \"B\", \"value\": \"abcde\", \"created_at\": \"t\"},"
			    "{\"name\": \"C\", \"value\": \"ABCDEFGHIJKL\", \"created_at\": \"t\"}", ""));
	expect(call(&e, "GET", "/project/gh/acme/web/envvar", NULL), 200,
	       "{\"items\":[{\"name\":\"A\",\"value\":\"xxxx\",\"created_at\":\"t\"},"
	       "{\"name\":\"B\",\"value\":\"xxxxde\",\"created_at\":\"t\"},"
	       "{\"name\":\"C\",\"value\":\"xxxxIJKL\",\"created_at\":\"t\"}],\"next_page_token\":null}");
	cx_down(&e);
}

/* PUB envproject/env.go List and LABS ListProjectEnvironmentVariables
 * follow next_page_token at ?page-token= */
static void test_project_variables_are_listed_in_pages(void **state)
{
	(void)state;
	cx_env e;
	up(&e, PROJECT_SEED("{\"name\": \"A\", \"value\": \"aa\", \"created_at\": \"t\"},"
			    "{\"name\": \"B\", \"value\": \"bb\", \"created_at\": \"t\"}", ", \"envvar_page_size\": 1"));
	expect(call(&e, "GET", "/project/gh/acme/web/envvar", NULL), 200,
	       "{\"items\":[{\"name\":\"A\",\"value\":\"xxxxa\",\"created_at\":\"t\"}],\"next_page_token\":\"1\"}");
	expect(call(&e, "GET", "/project/gh/acme/web/envvar?page-token=1", NULL), 200,
	       "{\"items\":[{\"name\":\"B\",\"value\":\"xxxxb\",\"created_at\":\"t\"}],\"next_page_token\":null}");
	cx_down(&e);
}

/* LABS CreateProjectEnvironmentVariable: the create answer is masked too;
 * PUB fakecircle/project.go addEnv: a name that exists is 400 (no update
 * route: PUB project_environment_variable_resource.go RequiresReplace) */
static void test_a_post_answers_masked_and_a_second_post_of_the_name_is_400(void **state)
{
	(void)state;
	cx_env e;
	up(&e, PROJECT_SEED("", ""));
	ans a = call(&e, "POST", "/project/gh/acme/web/envvar", "{\"name\": \"TOKEN\", \"value\": \"secret-1234\"}");
	assert_string_equal(cx_str(a.json, "value"), "xxxx1234");
	expect(a, 201, NULL);
	expect(call(&e, "POST", "/project/gh/acme/web/envvar", "{\"name\": \"TOKEN\", \"value\": \"other\"}"), 400,
	       "{\"message\":\"env var already exists\"}");
	a = call(&e, "GET", "/project/gh/acme/web/envvar/TOKEN", NULL);
	assert_string_equal(cx_str(a.json, "value"), "xxxx1234");
	expect(a, 200, NULL);
	cx_down(&e);
}

/* LABS GetProjectEnvironmentVariable: a missing variable is not found (404);
 * DELETE then removes it and a second DELETE is 404 */
static void test_a_missing_variable_is_404_on_get_and_delete(void **state)
{
	(void)state;
	cx_env e;
	up(&e, PROJECT_SEED("{\"name\": \"A\", \"value\": \"aa\"}", ""));
	expect(call(&e, "GET", "/project/gh/acme/web/envvar/NOPE", NULL), 404,
	       "{\"message\":\"Environment variable not found.\"}");
	expect(call(&e, "DELETE", "/project/gh/acme/web/envvar/A", NULL), 200, NULL);
	expect(call(&e, "DELETE", "/project/gh/acme/web/envvar/A", NULL), 404, NULL);
	expect(call(&e, "GET", "/project/gh/acme/web/envvar", NULL), 200, "{\"items\":[],\"next_page_token\":null}");
	cx_down(&e);
}

/* PUB fakecircle/project.go getProjectEnv: an unknown project is 404 */
static void test_the_variables_of_an_unknown_project_are_404(void **state)
{
	(void)state;
	cx_env e;
	up(&e, PROJECT_SEED("", ""));
	expect(call(&e, "GET", "/project/gh/acme/nope/envvar", NULL), 404, "{\"message\":\"Project not found\"}");
	expect(call(&e, "POST", "/project/gh/acme/nope/envvar", "{\"name\": \"A\", \"value\": \"b\"}"), 404, NULL);
	cx_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_project_variables_are_listed_as_xxxx_and_a_tail),
		cmocka_unit_test(test_project_variables_are_listed_in_pages),
		cmocka_unit_test(test_a_post_answers_masked_and_a_second_post_of_the_name_is_400),
		cmocka_unit_test(test_a_missing_variable_is_404_on_get_and_delete),
		cmocka_unit_test(test_the_variables_of_an_unknown_project_are_404),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

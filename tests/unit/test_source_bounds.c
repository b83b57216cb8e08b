/* The work tree's limits: only regular files are read (a FIFO is refused,
 * never waited on), manifests behind symbolic links that leave the PATH are
 * refused, and cf_mkdirs creates private directories without touching one
 * that exists. */
#include "tests/unit/test_helpers.h"
#include "reconciler/render_diags.h"

#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define AGENT_DOC(name) "apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata: {name: " name "}\n"

static int setup(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	alarm(20); /* a read that blocks fails the test instead of hanging it */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	alarm(0);
	fx_leave_tmpdir();
	return 0;
}

static void test_reading_a_fifo_is_refused_at_once(void **state)
{
	(void)state;
	assert_int_equal(mkfifo("pipe.yaml", 0600), 0);
	cf_source *src = NULL;
	cf_error err = {0};
	assert_int_equal(cf_source_open_fs(&src, (const char *[]){"pipe.yaml"}, 1, &err), CF_OK);
	char *buf = NULL;
	size_t len = 0;
	assert_int_not_equal(cf_source_read(src, "pipe.yaml", 1024, &buf, &len, &err), CF_OK);
	assert_string_equal(err.message, "pipe.yaml: not a regular file");
	assert_null(buf);
	cf_error_clear(&err);
	cf_source_free(src);
}

static void test_a_fifo_as_a_file_source_is_a_problem_at_the_source_key(void **state)
{
	(void)state;
	assert_int_equal(mkfifo("key.pem", 0600), 0);
	fx_write("t.yaml", TARGET_HEAD "  files: [{path: /a, source: key.pem}]\n");
	char *p = fx_load(NULL);
	assert_string_equal(p, "t.yaml:7:30: spec.files[0].source: cannot read key.pem: not a regular file\n");
	free(p);
}

static void test_a_manifest_linked_from_outside_the_path_is_refused(void **state)
{
	(void)state;
	fx_write("outside/o.yaml", AGENT_DOC("s1-outside"));
	fx_write("specs/a.yaml", AGENT_DOC("s1-inside"));
	assert_int_equal(symlink("../outside/o.yaml", "specs/o.yaml"), 0);
	cf_source *src = NULL;
	cf_error err = {0};
	assert_int_equal(cf_source_open_fs(&src, (const char *[]){"specs"}, 1, &err), CF_OK);
	cf_diags d = {0};
	cf_resource_set *set = NULL;
	assert_int_equal(cf_manifest_load(&set, src, &d, &err), CF_EINVALID);
	char *text = cf_render_diags_text(&d);
	assert_string_equal(text, "specs/o.yaml:1:1: must stay inside specs (a symbolic link leads outside it)\n");
	free(text);
	cf_diags_free(&d);
	cf_source_free(src);
}

static void test_a_manifest_linked_from_inside_the_path_is_read(void **state)
{
	(void)state;
	fx_write("specs/real/a.yaml", AGENT_DOC("s1-a"));
	assert_int_equal(symlink("real/a.yaml", "specs/b.yaml"), 0);
	cf_source *src = NULL;
	cf_error err = {0};
	assert_int_equal(cf_source_open_fs(&src, (const char *[]){"specs"}, 1, &err), CF_OK);
	cf_diags d = {0};
	cf_resource_set *set = NULL;
	assert_int_equal(cf_manifest_load(&set, src, &d, &err), CF_EINVALID); /* the same address twice */
	char *text = cf_render_diags_text(&d);
	assert_true(fx_contains(text, "duplicate address SelfHostedAgentType/s1-a"));
	assert_false(fx_contains(text, "symbolic link"));
	free(text);
	cf_diags_free(&d);
	cf_source_free(src);
}

static void test_mkdirs_leaves_an_existing_directory_as_it_is(void **state)
{
	(void)state;
	assert_int_equal(mkdir("shared", 0755), 0);
	assert_int_equal(chmod("shared", 01777), 0);
	cf_error err = {0};
	assert_int_equal(cf_mkdirs("shared", 0700, &err), CF_OK);
	struct stat st;
	assert_int_equal(stat("shared", &st), 0);
	assert_int_equal(st.st_mode & 07777, 01777);
}

static void test_mkdirs_creates_every_missing_directory_private(void **state)
{
	(void)state;
	cf_error err = {0};
	assert_int_equal(cf_mkdirs("a/b/c", 0700, &err), CF_OK);
	const char *dirs[] = {"a", "a/b", "a/b/c"};
	for (size_t i = 0; i < 3; i++) {
		struct stat st;
		assert_int_equal(stat(dirs[i], &st), 0);
		assert_int_equal(st.st_mode & 07777, 0700);
	}
}

static void test_mkdirs_refuses_a_file_in_the_way(void **state)
{
	(void)state;
	fx_write("cache", "not a directory");
	cf_error err = {0};
	assert_int_not_equal(cf_mkdirs("cache", 0700, &err), CF_OK);
	assert_string_equal(err.message, "cache: not a directory");
	cf_error_clear(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reading_a_fifo_is_refused_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_fifo_as_a_file_source_is_a_problem_at_the_source_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_manifest_linked_from_outside_the_path_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_manifest_linked_from_inside_the_path_is_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mkdirs_leaves_an_existing_directory_as_it_is, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mkdirs_creates_every_missing_directory_private, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mkdirs_refuses_a_file_in_the_way, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

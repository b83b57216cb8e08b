/* Hostile or careless input, through the real binary: deep nesting, a FIFO
 * where a secret file should be, a manifest linked from outside the specs,
 * plain http to a host that only looks local, a process whose memory must
 * not reach a core file, and reconcile's cache directory and --interval 0. */
#include "tests/e2e/scene.h"
#include "reconciler/providers/semaphore/client.h"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define AGENT(name) "apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata: {name: " name "}\n"

static void test_validate_reports_nesting_too_deep_at_its_position_at_once(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	size_t levels = 100000;
	char *y = cf_xmalloc(levels * 2 + 128);
	size_t n = (size_t)sprintf(y, AGENT("s1-x") "status: ");
	memset(y + n, '[', levels);
	memset(y + n + levels, ']', levels);
	strcpy(y + n + 2 * levels, "\n");
	fx_write("t.yaml", y);
	free(y);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fx_result r = fx_ciform(ARGS("validate", "t.yaml"), NULL, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "t.yaml:4:72: nesting deeper than 64 levels\nciform: error: 1 problem in the specs\n");
	assert_true(t1.tv_sec - t0.tv_sec < 2); /* it took 25 s before the bound */
	fx_result_free(&r);
	fx_leave_tmpdir();
}

static void test_validate_does_not_wait_on_a_fifo_named_as_a_file_source(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	assert_int_equal(mkfifo("kubeconfig", 0600), 0);
	fx_write("t.yaml", TARGET_DOC("web", "prod") "spec:\n  files: [{path: /a, source: kubeconfig}]\n");
	alarm(20); /* a blocked read fails the test instead of hanging it */
	fx_result r = fx_ciform(ARGS("validate", "."), NULL, NULL);
	alarm(0);
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "t.yaml:7:30: spec.files[0].source: cannot read kubeconfig: not a regular file\n"
				   "ciform: error: 1 problem in the specs\n");
	fx_result_free(&r);
	fx_leave_tmpdir();
}

static void test_validate_refuses_a_manifest_linked_from_outside_the_path(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("elsewhere/x.yaml", AGENT("s1-elsewhere"));
	fx_write("specs/a.yaml", AGENT("s1-a"));
	assert_int_equal(symlink("../elsewhere/x.yaml", "specs/x.yaml"), 0);
	fx_result r = fx_ciform(ARGS("validate", "specs"), NULL, NULL);
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "specs/x.yaml:1:1: must stay inside specs (a symbolic link leads outside it)\n"
				   "ciform: error: 1 problem in the specs\n");
	fx_result_free(&r);
	fx_leave_tmpdir();
}

static void test_plain_http_to_a_name_that_starts_with_127_is_refused(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("a.yaml", AGENT("s1-a"));
	fx_result r = fx_ciform(ARGS("plan", ".", "--org-url", "http://127.attacker.example"),
				(const char *const[]){"SEMAPHORE_API_TOKEN=t", NULL}, NULL);
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "ciform: error: 'http://127.attacker.example': the organisation URL must use "
				   "https (plain http only for 127.0.0.1, ::1 or localhost)\n");
	fx_result_free(&r);
	fx_leave_tmpdir();
}

static void test_plain_http_to_localhost_reaches_the_server(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	fx_write("a.yaml", AGENT("s1-a"));
	const char *port = strrchr(e.sb.url, ':');
	char *url = cf_xasprintf("http://localhost%s", port);
	fx_result r = cf(&e, ARGS("plan", ".", "--org-url", url));
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "  + SelfHostedAgentType/s1-a (create)\n"));
	fx_result_free(&r);
	free(url);
	e2e_down(&e);
}

static void test_plain_http_is_for_literal_loopback_addresses_and_localhost_only(void **state)
{
	(void)state;
	static const struct {
		const char *url;
		bool allowed;
	} cases[] = {
		{"http://127.0.0.1:8080", true},      {"http://127.9.8.7", true},
		{"http://[::1]:8080", true},          {"http://localhost:8080", true},
		{"http://127.attacker.example", false}, {"http://127.0.0.1.nip.io", false},
		{"http://localhost.attacker.example", false}, {"http://128.0.0.1", false},
		{"http://[::2]", false},              {"http://attacker.example", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = NULL;
		cf_error err = {0};
		int rc = cf_sem_url_normalize(&out, cases[i].url, &err);
		if (cases[i].allowed != (rc == CF_OK))
			fail_msg("%s: %s", cases[i].url, cases[i].allowed ? "refused" : "allowed");
		free(out);
		cf_error_clear(&err);
	}
}

/* ---- reconcile ---- */

static bool wait_for_lines(const char *log, const char *needle, int count, int seconds)
{
	for (int tries = 0; tries < seconds * 20; tries++) {
		FILE *f = fopen(log, "r");
		int seen = 0;
		char line[4096];
		while (f && fgets(line, sizeof(line), f))
			seen += fx_contains(line, needle);
		if (f)
			fclose(f);
		if (seen >= count)
			return true;
		nanosleep(&(struct timespec){0, 50000000L}, NULL);
	}
	return false;
}

static int stop(int pid)
{
	kill(pid, SIGTERM);
	int wstatus = 0;
	waitpid(pid, &wstatus, 0);
	return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
}

/* The value of the line of /proc/PID/FILE that starts with key. */
static char *proc_line(int pid, const char *file, const char *key)
{
	char path[64], line[512];
	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	FILE *f = fopen(path, "r");
	char *found = NULL;
	while (f && !found && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			found = cf_xstrdup(line + strlen(key));
	if (f)
		fclose(f);
	return found;
}

/* The kernel gives a process that is not dumpable the files under /proc/PID owned by
 * root; for root's own processes that is no change, so ciform runs here as
 * nobody when the test runs as root. Its core limit is raised before the exec
 * (as root may), so only ciform itself can bring it to 0. */
static void test_a_running_ciform_can_neither_dump_core_nor_be_read_by_its_user(void **state)
{
	(void)state;
	const char *tmp = fx_enter_tmpdir();
	assert_int_equal(chmod(tmp, 0755), 0);
	assert_int_equal(mkdir("run", 0777), 0);
	assert_int_equal(chmod("run", 0777), 0);
	char *log = cf_xasprintf("%s/run/loop.log", tmp), *cache = cf_xasprintf("%s/run/cache", tmp);
	char *home = cf_xasprintf("%s/run", tmp);
	uid_t as = geteuid() == 0 ? 65534 : geteuid();
	int pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0666);
		dup2(fd, 1);
		dup2(fd, 2);
		struct rlimit core;
		getrlimit(RLIMIT_CORE, &core);
		if (geteuid() == 0)
			core.rlim_max = RLIM_INFINITY;
		core.rlim_cur = core.rlim_max;
		setrlimit(RLIMIT_CORE, &core);
		if (geteuid() == 0 && (setgroups(0, NULL) != 0 || setgid(as) != 0 || setuid(as) != 0))
			_exit(126);
		setenv("HOME", home, 1);
		execl(CIFORM_BIN, CIFORM_BIN, "reconcile", "--git-url", "file:///nonexistent/remote", "--cache-dir", cache,
		      "--interval", "60", (char *)NULL);
		_exit(127);
	}
	assert_true(wait_for_lines(log, "Z cycle 1: failed: ", 1, 20));
	char *limit = proc_line(pid, "limits", "Max core file size");
	char *uid = proc_line(pid, "status", "Uid:");
	assert_non_null(limit);
	assert_non_null(uid);
	assert_true(fx_contains(limit, " 0 ") && !fx_contains(limit, "unlimited"));
	assert_int_equal(atoi(uid), (int)as);
	char proc[48];
	snprintf(proc, sizeof(proc), "/proc/%d/status", pid);
	struct stat st;
	assert_int_equal(stat(proc, &st), 0);
	assert_int_equal((int)st.st_uid, 0); /* not dumpable: its /proc files belong to root */
	assert_int_equal(stop(pid), 0);
	free(limit);
	free(uid);
	free(log);
	free(cache);
	free(home);
	fx_leave_tmpdir();
}

static void test_reconcile_leaves_an_existing_cache_directory_mode_alone(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	assert_int_equal(mkdir("shared", 0755), 0);
	assert_int_equal(chmod("shared", 01777), 0);
	fx_result r = fx_ciform(ARGS("reconcile", "--git-url", "file:///nonexistent/remote", "--cache-dir", "shared",
				     "--once"), NULL, NULL);
	assert_int_equal(r.rc, 1);
	fx_result_free(&r);
	struct stat st;
	assert_int_equal(stat("shared", &st), 0);
	assert_int_equal(st.st_mode & 07777, 01777);
	fx_leave_tmpdir();
}

static void test_reconcile_creates_its_cache_directories_private(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_result r = fx_ciform(ARGS("reconcile", "--git-url", "file:///nonexistent/remote", "--cache-dir", "xdg/ciform",
				     "--once"), NULL, NULL);
	assert_int_equal(r.rc, 1);
	fx_result_free(&r);
	struct stat st;
	assert_int_equal(stat("xdg", &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(stat("xdg/ciform", &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	fx_leave_tmpdir();
}

static void test_reconcile_interval_0_runs_the_next_cycle_at_once(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	const char *const argv[] = {CIFORM_BIN, "reconcile", "--git-url", "file:///nonexistent/remote", "--cache-dir",
				    "cache", "--interval", "0", NULL};
	int pid = fx_spawn(argv, NULL, "loop.log");
	/* with the old minimum of 1 s, five cycles would take over 4 s */
	assert_true(wait_for_lines("loop.log", "fetch failed", 5, 3));
	assert_int_equal(stop(pid), 0);
	fx_leave_tmpdir();
}

static void test_reconcile_refuses_a_negative_interval(void **state)
{
	(void)state;
	fx_result r = fx_ciform(ARGS("reconcile", "--git-url", "file:///x", "--interval", "-1"), NULL, NULL);
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "--interval takes seconds from 0 to 31536000, not '-1'"));
	fx_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate_reports_nesting_too_deep_at_its_position_at_once),
		cmocka_unit_test(test_validate_does_not_wait_on_a_fifo_named_as_a_file_source),
		cmocka_unit_test(test_validate_refuses_a_manifest_linked_from_outside_the_path),
		cmocka_unit_test(test_plain_http_to_a_name_that_starts_with_127_is_refused),
		cmocka_unit_test(test_plain_http_to_localhost_reaches_the_server),
		cmocka_unit_test(test_plain_http_is_for_literal_loopback_addresses_and_localhost_only),
		cmocka_unit_test(test_a_running_ciform_can_neither_dump_core_nor_be_read_by_its_user),
		cmocka_unit_test(test_reconcile_leaves_an_existing_cache_directory_mode_alone),
		cmocka_unit_test(test_reconcile_creates_its_cache_directories_private),
		cmocka_unit_test(test_reconcile_interval_0_runs_the_next_cycle_at_once),
		cmocka_unit_test(test_reconcile_refuses_a_negative_interval),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

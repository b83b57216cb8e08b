/* ciform reconcile run as a service: a log whose every line starts with the
 * UTC time, one summary line per cycle, the plan only when it changed (or
 * with --verbose); a private repository's credentials from the environment,
 * given to a git HTTP server that demands them (git http-backend behind a
 * small Python server enforcing Basic auth on 127.0.0.1) and never written
 * to disk; cache directories 0700. */
#include "tests/e2e/scene.h"

#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define GIT "git -c user.email=t@example.com -c user.name=t -c init.defaultBranch=main "
#define AGENT(name) "apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata: {name: " name "}\n"
#define TOKEN "s3cret-git-token-7f3a"
#define NO_GIT_CREDENTIALS "CIFORM_GIT_TOKEN", "CIFORM_GIT_USER", "CIFORM_GIT_ASKPASS", "GIT_ASKPASS"

/* A git server over HTTP that answers 401 to any request without the Basic
 * credentials USER:PASSWORD, logs each request as "METHOD PATH none|good|bad"
 * (never the header), and serves the repositories under ROOT through
 * git http-backend. It listens on a free port of 127.0.0.1, written to ./port. */
static const char git_server_py[] =
	"import base64, os, subprocess, sys\n"
	"from http.server import BaseHTTPRequestHandler, HTTPServer\n"
	"root, user, password, log = sys.argv[1:5]\n"
	"want = 'Basic ' + base64.b64encode((user + ':' + password).encode()).decode()\n"
	"class H(BaseHTTPRequestHandler):\n"
	"    def log_message(self, *a): pass\n"
	"    def body(self):\n"
	"        if self.headers.get('Transfer-Encoding', '').lower() == 'chunked':\n"
	"            out = b''\n"
	"            while True:\n"
	"                n = int(self.rfile.readline().split(b';')[0], 16)\n"
	"                chunk = self.rfile.read(n)\n"
	"                self.rfile.readline()\n"
	"                if n == 0:\n"
	"                    return out\n"
	"                out += chunk\n"
	"        return self.rfile.read(int(self.headers.get('Content-Length') or 0))\n"
	"    def serve(self):\n"
	"        data = self.body()\n"
	"        auth = self.headers.get('Authorization')\n"
	"        path, _, query = self.path.partition('?')\n"
	"        with open(log, 'a') as f:\n"
	"            f.write('%s %s %s\\n' % (self.command, path,\n"
	"                    'none' if auth is None else 'good' if auth == want else 'bad'))\n"
	"        if auth != want:\n"
	"            self.send_response(401)\n"
	"            self.send_header('WWW-Authenticate', 'Basic realm=\"git\"')\n"
	"            self.send_header('Content-Length', '0')\n"
	"            self.end_headers()\n"
	"            return\n"
	"        env = dict(os.environ, GIT_PROJECT_ROOT=root, GIT_HTTP_EXPORT_ALL='1',\n"
	"                   REQUEST_METHOD=self.command, PATH_INFO=path, QUERY_STRING=query,\n"
	"                   CONTENT_TYPE=self.headers.get('Content-Type', ''), CONTENT_LENGTH=str(len(data)),\n"
	"                   REMOTE_USER=user, REMOTE_ADDR='127.0.0.1', GATEWAY_INTERFACE='CGI/1.1',\n"
	"                   SERVER_PROTOCOL='HTTP/1.1')\n"
	"        out = subprocess.run(['git', 'http-backend'], input=data, env=env, capture_output=True).stdout\n"
	"        sep = b'\\r\\n\\r\\n' if b'\\r\\n\\r\\n' in out else b'\\n\\n'\n"
	"        head, _, rest = out.partition(sep)\n"
	"        status, headers = 200, []\n"
	"        for line in head.decode().splitlines():\n"
	"            k, _, v = line.partition(':')\n"
	"            if k.lower() == 'status':\n"
	"                status = int(v.split()[0])\n"
	"            else:\n"
	"                headers.append((k, v.strip()))\n"
	"        self.send_response(status)\n"
	"        for k, v in headers:\n"
	"            self.send_header(k, v)\n"
	"        self.send_header('Content-Length', str(len(rest)))\n"
	"        self.end_headers()\n"
	"        self.wfile.write(rest)\n"
	"    do_GET = do_POST = serve\n"
	"server = HTTPServer(('127.0.0.1', 0), H)\n"
	"with open('port.tmp', 'w') as f:\n"
	"    f.write(str(server.server_address[1]))\n"
	"os.rename('port.tmp', 'port')\n"
	"server.serve_forever()\n";

/* What a test started in the background, stopped by its teardown even when
 * an assertion ended the test early: a loop at --interval 0 must not outlive
 * a failed test. */
static int loop_pid, server_pid;

static void stop_child(int *pid)
{
	if (*pid > 0) {
		kill(*pid, SIGTERM);
		waitpid(*pid, NULL, 0);
	}
	*pid = 0;
}

static int stop_children(void **state)
{
	(void)state;
	stop_child(&loop_pid);
	stop_child(&server_pid);
	return 0;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return cf_xstrdup("");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	char chunk[4096];
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (len + n + 1 > cap)
			buf = cf_xrealloc(buf, cap = 2 * (len + n + 1));
		memcpy(buf + len, chunk, n);
		len += n;
	}
	fclose(f);
	if (!buf)
		return cf_xstrdup("");
	buf[len] = '\0';
	return buf;
}

/* Waits (20 s at most, so a broken loop fails rather than hangs) until the
 * file holds needle. */
static bool wait_for_text(const char *path, const char *needle)
{
	for (int i = 0; i < 400; i++) {
		char *text = slurp(path);
		bool found = fx_contains(text, needle);
		free(text);
		if (found)
			return true;
		nanosleep(&(struct timespec){0, 50000000L}, NULL);
	}
	return false;
}

/* True when every line of text starts with "YYYY-MM-DDTHH:MM:SSZ" followed
 * by a space or the line's end. */
static bool every_line_timestamped(const char *text)
{
	regex_t re;
	assert_int_equal(regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z( |$)",
				 REG_EXTENDED | REG_NOSUB), 0);
	bool ok = true;
	char *copy = cf_xstrdup(text);
	for (char *save = NULL, *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (regexec(&re, line, 0, NULL, 0) != 0) {
			fprintf(stderr, "not timestamped: '%s'\n", line);
			ok = false;
		}
	free(copy);
	regfree(&re);
	return ok;
}

static void make_remote(void)
{
	fx_write("remote/specs/a.yaml", AGENT("s1-one"));
	fx_sh("cd remote && " GIT "init -q && " GIT "add -A && " GIT "commit -qm one");
}

static char *remote_url(void)
{
	char cwd[4096];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	return cf_xasprintf("file://%s/remote", cwd);
}

/* The remote's HEAD commit, 40 hex digits. */
static char *head_commit(void)
{
	fx_sh("cd remote && git rev-parse HEAD > ../head");
	char *sha = slurp("head");
	sha[strcspn(sha, "\n")] = '\0';
	return sha;
}

static cJSON *status(void)
{
	char *text = slurp("status.json");
	cJSON *st = cJSON_Parse(text);
	free(text);
	return st;
}

/* Polls status.json until its result is want at a commit other than
 * commit_not (20 s at most). */
static bool wait_for_result(const char *want, const char *commit_not)
{
	for (int i = 0; i < 400; i++) {
		cJSON *st = status();
		const char *res = cJSON_GetStringValue(cJSON_GetObjectItem(st, "result"));
		const char *commit = cJSON_GetStringValue(cJSON_GetObjectItem(st, "commit"));
		bool ok = res && !strcmp(res, want) && (!commit_not || (commit && strcmp(commit, commit_not)));
		cJSON_Delete(st);
		if (ok)
			return true;
		nanosleep(&(struct timespec){0, 50000000L}, NULL);
	}
	return false;
}

/* Starts `ciform reconcile` of url's specs/ as a loop, logging to loop.log. */
static int start_loop(e2e *e, const char *url, const char *extra1, const char *extra2)
{
	const char *argv[20] = {CIFORM_BIN, "reconcile", "--git-url", url, "--path", "specs", "--cache-dir", "cache",
				"--status-file", "status.json", "--interval", "0",
				"--registration-token-dir", "tok"};
	size_t n = 14;
	if (extra1)
		argv[n++] = extra1;
	if (extra2)
		argv[n++] = extra2;
	return loop_pid = fx_spawn(argv, e->env, "loop.log");
}

/* SIGTERM, and the loop exits 0. */
static void stop_loop(int pid)
{
	kill(pid, SIGTERM);
	int wstatus = 0;
	waitpid(pid, &wstatus, 0);
	loop_pid = 0;
	assert_true(WIFEXITED(wstatus));
	assert_int_equal(WEXITSTATUS(wstatus), 0);
}

/* ---- the log ---- */

static void test_each_cycle_is_one_timestamped_summary_line_and_an_unchanged_plan_is_printed_once(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	make_remote();
	char *url = remote_url(), *sha = head_commit();
	int pid = start_loop(&e, url, NULL, NULL);
	assert_true(wait_for_text("loop.log", "Z cycle 3 commit "));
	stop_loop(pid);
	char *log = slurp("loop.log");
	assert_true(every_line_timestamped(log));
	char *first = cf_xasprintf("Z cycle 1 commit %.7s: 1 to create (drift, not applied)\n", sha);
	assert_true(fx_contains(log, first));
	assert_true(fx_contains(log, "Z cycle 3 commit "));
	assert_int_equal(fx_count(log, "Z   + SelfHostedAgentType/s1-one (create)\n"), 1);
	assert_int_equal(fx_count(log, "Z Plan: 1 to create"), 1);
	assert_true(fx_contains(log, "Z stopping on a signal\n"));
	cJSON *st = status(); /* the status file is still written every cycle */
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(st, "result")), "drift");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(st, "commit")), sha);
	cJSON_Delete(st);
	free(first);
	free(log);
	free(sha);
	free(url);
	e2e_down(&e);
}

static void test_a_plan_that_changed_is_printed_again(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	make_remote();
	char *url = remote_url(), *one = head_commit();
	int pid = start_loop(&e, url, "--apply", NULL);
	assert_true(wait_for_text("loop.log", ": no changes\n"));
	fx_write("remote/specs/b.yaml", AGENT("s1-two"));
	fx_sh("cd remote && " GIT "add -A && " GIT "commit -qm two");
	assert_true(wait_for_result("unchanged", one));
	stop_loop(pid);
	char *log = slurp("loop.log");
	assert_true(every_line_timestamped(log));
	assert_int_equal(fx_count(log, "Z   + SelfHostedAgentType/s1-one (create)\n"), 1);
	assert_int_equal(fx_count(log, "Z   + SelfHostedAgentType/s1-two (create)\n"), 1);
	assert_int_equal(fx_count(log, ": 1 to create (applied)\n"), 2);
	assert_true(fx_contains(log, "Z SelfHostedAgentType/s1-two: create done\n"));
	/* "no changes" after each apply: printed the first time only */
	assert_int_equal(fx_count(log, "Z No changes. Live state matches the specs.\n"), 2);
	free(log);
	free(one);
	free(url);
	e2e_down(&e);
}

static void test_verbose_prints_the_plan_every_cycle(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	make_remote();
	char *url = remote_url();
	int pid = start_loop(&e, url, "--verbose", NULL);
	assert_true(wait_for_text("loop.log", "Z cycle 3 commit "));
	stop_loop(pid);
	char *log = slurp("loop.log");
	assert_true(fx_count(log, "Z   + SelfHostedAgentType/s1-one (create)\n") >= 3);
	free(log);
	free(url);
	e2e_down(&e);
}

static void test_a_failed_cycle_goes_to_stderr_with_every_line_of_its_error_timestamped(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	fx_write("remote/specs/a.yaml", AGENT("not-s1") "---\n" AGENT("also-not"));
	fx_sh("cd remote && " GIT "init -q && " GIT "add -A && " GIT "commit -qm bad");
	char *url = remote_url(), *sha = head_commit();
	fx_result r = fx_ciform(ARGS("reconcile", "--git-url", url, "--path", "specs", "--cache-dir", "cache", "--once"),
				e.env, NULL);
	assert_int_equal(r.rc, 1);
	char *want = cf_xasprintf("Z cycle 1 commit %.7s: failed: invalid specs, nothing applied:\n", sha);
	assert_true(fx_contains(r.err, want));
	assert_true(fx_contains(r.err, "Z specs/a.yaml:3:18: metadata.name: "));
	assert_true(fx_contains(r.err, "Z specs/a.yaml:7:18: metadata.name: "));
	assert_true(every_line_timestamped(r.err));
	assert_string_equal(r.out, "");
	free(want);
	fx_result_free(&r);
	free(sha);
	free(url);
	e2e_down(&e);
}

/* ---- credentials ---- */

typedef struct git_server {
	char url[128];
} git_server;

/* Serves a bare clone of ./remote as URL/repo.git, demanding user:password. */
static void git_server_up(git_server *g, const char *user, const char *password)
{
	fx_write("gitserver.py", git_server_py);
	fx_sh("git clone -q --bare remote srv/repo.git");
	char cwd[4096];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	char *cmd = cf_xasprintf("exec python3 gitserver.py '%s/srv' '%s' '%s' '%s/requests.log'", cwd, user,
				 password, cwd);
	const char *const argv[] = {"/bin/sh", "-c", cmd, NULL};
	server_pid = fx_spawn(argv, NULL, "gitserver.log");
	free(cmd);
	bool up = false;
	for (int i = 0; i < 400 && !up; i++) {
		up = access("port", F_OK) == 0;
		if (!up)
			nanosleep(&(struct timespec){0, 50000000L}, NULL);
	}
	assert_true(up);
	char *port = slurp("port");
	snprintf(g->url, sizeof(g->url), "http://127.0.0.1:%s/repo.git", port);
	free(port);
}

static void git_server_down(git_server *g)
{
	(void)g;
	stop_child(&server_pid);
}

static fx_result reconcile_once(e2e *e, const char *url)
{
	return fx_ciform(ARGS("reconcile", "--git-url", url, "--path", "specs", "--cache-dir", "cache", "--once"),
			 e->env, NULL);
}

/* True when some file under dir holds needle. */
static bool tree_contains(const char *dir, const char *needle)
{
	char *cmd = cf_xasprintf("grep -rqF '%s' '%s'", needle, dir);
	const char *const argv[] = {"/bin/sh", "-c", cmd, NULL};
	char *out, *err;
	int rc = fx_run(argv, NULL, NULL, &out, &err);
	free(out);
	free(err);
	free(cmd);
	return rc == 0;
}

static void test_a_private_repository_is_fetched_with_CIFORM_GIT_TOKEN_never_written_to_disk(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), ARGS(NO_GIT_CREDENTIALS, "CIFORM_GIT_TOKEN=" TOKEN));
	make_remote();
	git_server g;
	git_server_up(&g, "x-access-token", TOKEN);
	fx_result r = reconcile_once(&e, g.url);
	assert_int_equal(r.rc, 2);
	assert_true(fx_contains(r.out, "Z   + SelfHostedAgentType/s1-one (create)\n"));
	assert_false(fx_contains(r.out, TOKEN) || fx_contains(r.err, TOKEN));
	fx_result_free(&r);
	char *requests = slurp("requests.log");
	assert_true(fx_contains(requests, "GET /repo.git/info/refs none\nGET /repo.git/info/refs good\n"));
	assert_true(fx_contains(requests, "POST /repo.git/git-upload-pack good\n"));
	free(requests);
	char *sha = head_commit();
	assert_true(tree_contains("cache", sha)); /* the search does find what is there */
	assert_false(tree_contains("cache", TOKEN));
	free(sha);
	git_server_down(&g);
	e2e_down(&e);
}

static void test_CIFORM_GIT_USER_names_the_user(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), ARGS(NO_GIT_CREDENTIALS, "CIFORM_GIT_TOKEN=" TOKEN, "CIFORM_GIT_USER=deploy-bot"));
	make_remote();
	git_server g;
	git_server_up(&g, "deploy-bot", TOKEN);
	fx_result r = reconcile_once(&e, g.url);
	assert_int_equal(r.rc, 2);
	fx_result_free(&r);
	git_server_down(&g);
	e2e_down(&e);
}

static void test_a_refused_token_fails_the_cycle_naming_the_variable_not_the_value(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), ARGS(NO_GIT_CREDENTIALS, "CIFORM_GIT_TOKEN=wrong-" TOKEN));
	make_remote();
	git_server g;
	git_server_up(&g, "x-access-token", TOKEN);
	fx_result r = reconcile_once(&e, g.url);
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "Z cycle 1: failed: fetch failed: the server refused the credentials from "
				       "CIFORM_GIT_TOKEN (user x-access-token)\n"));
	assert_false(fx_contains(r.out, TOKEN) || fx_contains(r.err, TOKEN));
	fx_result_free(&r);
	char *requests = slurp("requests.log");
	assert_int_equal(fx_count(requests, " bad\n"), 1); /* asked once, not again and again */
	free(requests);
	git_server_down(&g);
	e2e_down(&e);
}

static void test_without_credentials_the_failure_says_where_to_give_them(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), ARGS(NO_GIT_CREDENTIALS));
	make_remote();
	git_server g;
	git_server_up(&g, "x-access-token", TOKEN);
	fx_result r = reconcile_once(&e, g.url);
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "Z cycle 1: failed: fetch failed: the repository asks for credentials: "
				       "set CIFORM_GIT_TOKEN"));
	fx_result_free(&r);
	git_server_down(&g);
	e2e_down(&e);
}

/* An askpass program that records its prompts and answers them. */
static void write_askpass(void)
{
	fx_write("askpass.sh", "#!/bin/sh\n"
			       "printf '%s\\n' \"$1\" >> prompts\n"
			       "case \"$1\" in Username*) echo x-access-token;; Password*) echo " TOKEN ";; esac\n");
	fx_sh("chmod +x askpass.sh");
}

/* The askpass program named by variable (a path relative to the working
 * directory, as git allows) answers; it is asked as git asks. */
static void askpass_test(const char *variable)
{
	e2e e;
	char *setting = cf_xasprintf("%s=./askpass.sh", variable);
	up(&e, ORG("", "", ""), ARGS(NO_GIT_CREDENTIALS, setting));
	write_askpass();
	make_remote();
	git_server g;
	git_server_up(&g, "x-access-token", TOKEN);
	fx_result r = reconcile_once(&e, g.url);
	assert_int_equal(r.rc, 2);
	assert_false(fx_contains(r.out, TOKEN) || fx_contains(r.err, TOKEN));
	fx_result_free(&r);
	const char *port = strrchr(g.url, ':') + 1;
	int len = (int)strcspn(port, "/");
	char *prompts = slurp("prompts");
	char *want = cf_xasprintf("Username for 'http://127.0.0.1:%.*s': \nPassword for "
				  "'http://x-access-token@127.0.0.1:%.*s': \n", len, port, len, port);
	assert_string_equal(prompts, want);
	free(want);
	free(prompts);
	assert_false(tree_contains("cache", TOKEN));
	git_server_down(&g);
	free(setting);
	e2e_down(&e);
}

static void test_an_askpass_program_in_CIFORM_GIT_ASKPASS_is_asked_for_the_user_and_the_password(void **state)
{
	(void)state;
	askpass_test("CIFORM_GIT_ASKPASS");
}

static void test_GIT_ASKPASS_is_used_when_CIFORM_GIT_ASKPASS_is_not_set(void **state)
{
	(void)state;
	askpass_test("GIT_ASKPASS");
}

/* ---- the URL and the cache ---- */

static void test_a_url_carrying_credentials_is_refused_without_repeating_them(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	static const char *const urls[] = {"https://deploy-bot:" TOKEN "@git.example.com/org/specs.git",
					   "https://" TOKEN "@git.example.com/org/specs.git"};
	for (size_t i = 0; i < 2; i++) {
		fx_result r = fx_ciform(ARGS("reconcile", "--git-url", urls[i], "--cache-dir", "cache", "--once"),
					NULL, NULL);
		assert_int_equal(r.rc, 1);
		assert_true(fx_contains(r.err, "ciform: error: --git-url must not carry a user name or password"));
		assert_true(fx_contains(r.err, "CIFORM_GIT_TOKEN"));
		assert_false(fx_contains(r.err, TOKEN));
		fx_result_free(&r);
	}
	assert_int_not_equal(access("cache", F_OK), 0); /* refused before anything was made */
	fx_leave_tmpdir();
}

static void test_plain_http_is_refused_except_to_a_loopback_host(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_result r = fx_ciform(ARGS("reconcile", "--git-url", "http://127.example.com/specs.git", "--once"), NULL, NULL);
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "ciform: error: --git-url: plain http:// only for 127.0.0.1, [::1] or localhost "
				   "(credentials would cross the network in clear): use https://\n");
	fx_result_free(&r);
	fx_leave_tmpdir();
}

static mode_t mode_of(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

static void test_cache_directories_are_made_0700_and_an_existing_one_is_left_alone(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	make_remote();
	char *url = remote_url();
	assert_int_equal(mkdir("shared", 0755), 0);
	chmod("shared", 0755); /* whatever the umask */
	fx_result r = fx_ciform(ARGS("reconcile", "--git-url", url, "--path", "specs", "--cache-dir",
				     "shared/ciform/cache", "--once"), e.env, NULL);
	assert_int_equal(r.rc, 2);
	fx_result_free(&r);
	assert_int_equal(mode_of("shared"), 0755);
	assert_int_equal(mode_of("shared/ciform"), 0700);
	assert_int_equal(mode_of("shared/ciform/cache"), 0700);
	free(url);
	e2e_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_each_cycle_is_one_timestamped_summary_line_and_an_unchanged_plan_is_printed_once, stop_children),
		cmocka_unit_test_teardown(test_a_plan_that_changed_is_printed_again, stop_children),
		cmocka_unit_test_teardown(test_verbose_prints_the_plan_every_cycle, stop_children),
		cmocka_unit_test_teardown(test_a_failed_cycle_goes_to_stderr_with_every_line_of_its_error_timestamped, stop_children),
		cmocka_unit_test_teardown(test_a_private_repository_is_fetched_with_CIFORM_GIT_TOKEN_never_written_to_disk, stop_children),
		cmocka_unit_test_teardown(test_CIFORM_GIT_USER_names_the_user, stop_children),
		cmocka_unit_test_teardown(test_a_refused_token_fails_the_cycle_naming_the_variable_not_the_value, stop_children),
		cmocka_unit_test_teardown(test_without_credentials_the_failure_says_where_to_give_them, stop_children),
		cmocka_unit_test_teardown(test_an_askpass_program_in_CIFORM_GIT_ASKPASS_is_asked_for_the_user_and_the_password, stop_children),
		cmocka_unit_test_teardown(test_GIT_ASKPASS_is_used_when_CIFORM_GIT_ASKPASS_is_not_set, stop_children),
		cmocka_unit_test_teardown(test_a_url_carrying_credentials_is_refused_without_repeating_them, stop_children),
		cmocka_unit_test_teardown(test_plain_http_is_refused_except_to_a_loopback_host, stop_children),
		cmocka_unit_test_teardown(test_cache_directories_are_made_0700_and_an_existing_one_is_left_alone, stop_children),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

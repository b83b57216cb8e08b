/*
 * fixture: temporary spec trees and process runs for the tests.
 */
#include "tests/support/fixture.h"
#include "reconciler/render_diags.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir[PATH_MAX];
static char olddir[PATH_MAX];

const char *fx_enter_tmpdir(void)
{
	if (!getcwd(olddir, sizeof(olddir)))
		abort();
	snprintf(tmpdir, sizeof(tmpdir), "%s/ciform-test-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmpdir) || chdir(tmpdir) != 0)
		abort();
	return tmpdir;
}

void fx_leave_tmpdir(void)
{
	if (chdir(olddir) != 0)
		abort();
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		abort();
}

static void make_parents(const char *rel)
{
	char *p = cf_xstrdup(rel);
	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	free(p);
}

void fx_write_bytes(const char *rel, const void *data, size_t len)
{
	make_parents(rel);
	FILE *f = fopen(rel, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
		abort();
}

void fx_write(const char *rel, const char *content)
{
	fx_write_bytes(rel, content, strlen(content));
}

char *fx_load(cf_resource_set **out)
{
	cf_error err = {0};
	cf_source *src = NULL;
	if (cf_source_open_fs(&src, NULL, 0, &err) != CF_OK) {
		char *msg = cf_xasprintf("open: %s", err.message);
		cf_error_clear(&err);
		return msg;
	}
	cf_diags d = {0};
	cf_resource_set *set = NULL;
	cf_manifest_load(&set, src, &d, &err);
	char *text = cf_render_diags_text(&d);
	cf_diags_free(&d);
	cf_source_free(src);
	cf_error_clear(&err);
	if (out)
		*out = set;
	else
		cf_resource_set_free(set);
	return text;
}

char *fx_problems(const char *yaml)
{
	fx_enter_tmpdir();
	fx_write("t.yaml", yaml);
	char *text = fx_load(NULL);
	fx_leave_tmpdir();
	return text;
}

int fx_contains(const char *haystack, const char *needle)
{
	return haystack && strstr(haystack, needle) != NULL;
}

size_t fx_count(const char *haystack, const char *needle)
{
	size_t n = 0;
	for (const char *p = haystack ? strstr(haystack, needle) : NULL; p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void append(char **buf, size_t *len, const char *data, size_t n)
{
	*buf = cf_xrealloc(*buf, *len + n + 1);
	memcpy(*buf + *len, data, n);
	*len += n;
	(*buf)[*len] = '\0';
}

static void child_env(const char *const *env)
{
	for (size_t i = 0; env && env[i]; i++) {
		const char *eq = strchr(env[i], '=');
		if (!eq) {
			unsetenv(env[i]);
		} else {
			char *k = cf_xstrndup(env[i], (size_t)(eq - env[i]));
			setenv(k, eq + 1, 1);
			free(k);
		}
	}
}

int fx_spawn(const char *const *argv, const char *const *env, const char *log)
{
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int devnull = open("/dev/null", O_RDONLY);
		dup2(devnull, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		child_env(env);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid;
}

void fx_sh(const char *script)
{
	char *out, *err;
	const char *argv[] = {"/bin/sh", "-c", script, NULL};
	int rc = fx_run(argv, NULL, NULL, &out, &err);
	if (rc != 0)
		fprintf(stderr, "script failed (%d): %s\n%s%s", rc, script, out, err);
	free(out);
	free(err);
	if (rc != 0)
		abort();
}

int fx_run(const char *const *argv, const char *const *env, const char *dir,
	   char **out, char **err)
{
	int po[2], pe[2];
	if (pipe(po) != 0 || pipe(pe) != 0)
		abort();
	pid_t pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		dup2(devnull, 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(po[0]);
		close(pe[0]);
		child_env(env);
		if (dir && chdir(dir) != 0)
			_exit(127);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	size_t olen = 0, elen = 0;
	*out = cf_xstrdup("");
	*err = cf_xstrdup("");
	struct pollfd fds[2] = {{.fd = po[0], .events = POLLIN}, {.fd = pe[0], .events = POLLIN}};
	int open_fds = 2;
	while (open_fds > 0) {
		if (poll(fds, 2, -1) < 0 && errno != EINTR)
			abort();
		for (int i = 0; i < 2; i++) {
			if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			char buf[65536];
			ssize_t n = read(fds[i].fd, buf, sizeof(buf));
			if (n > 0) {
				append(i ? err : out, i ? &elen : &olen, buf, (size_t)n);
			} else if (n == 0 || errno != EINTR) {
				close(fds[i].fd);
				fds[i].fd = -1;
				open_fds--;
			}
		}
	}
	int status;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

fx_result fx_ciform(const char *const *args, const char *const *env, const char *dir)
{
	const char *argv[64] = {CIFORM_BIN};
	size_t n = 1;
	for (; args[n - 1] && n < 63; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	fx_result r;
	r.rc = fx_run(argv, env, dir, &r.out, &r.err);
	return r;
}

void fx_result_free(fx_result *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

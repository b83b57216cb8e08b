/*
 * token_file: pending markers and atomic 0600 token files (see the header).
 */
#include "reconciler/token_file.h"
#include "reconciler/fileio.h"
#include "reconciler/source.h"

#include <errno.h>
#include <git2.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *cf_token_dir(const char *dir)
{
	if (dir)
		return cf_xstrdup(dir);
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	if (state && *state == '/')
		return cf_xasprintf("%s/ciform/registration-tokens", state);
	return cf_xasprintf("%s/.local/state/ciform/registration-tokens", home && *home ? home : ".");
}

static int write_atomic(const char *path, const char *data, cf_error *err)
{
	return cf_file_write_atomic(path, data, strlen(data), CF_WRITE_PRIVATE, err);
}

/* dir with its deepest existing ancestor resolved (symlinks and all);
 * *existing gets that ancestor. */
static char *existing_ancestor(const char *dir, char **existing)
{
	char *p = cf_xstrdup(dir);
	for (;;) {
		char real[PATH_MAX];
		if (realpath(p, real)) {
			char *out = cf_xasprintf("%s%s", real, dir + strlen(p));
			*existing = cf_xstrdup(real);
			free(p);
			return out;
		}
		char *slash = strrchr(p, '/');
		if (!slash || slash == p) {
			free(p);
			return NULL;
		}
		*slash = '\0';
	}
}

/* A token directory inside a git work tree where git would not ignore the
 * tokens is one `git add -A` away from a commit: refused, with the reason. */
static int check_outside_git(const char *dir, cf_error *err)
{
	char *abs = dir[0] == '/' ? cf_xstrdup(dir) : NULL;
	if (!abs) {
		char cwd[PATH_MAX];
		abs = getcwd(cwd, sizeof(cwd)) ? cf_xasprintf("%s/%s", cwd, dir) : cf_xstrdup(dir);
	}
	char *existing = NULL;
	char *real = existing_ancestor(abs, &existing);
	free(abs);
	if (!real)
		return CF_OK;
	git_libgit2_init();
	git_repository *repo = NULL;
	int rc = CF_OK;
	if (git_repository_open_ext(&repo, existing, 0, NULL) == 0 && !git_repository_is_bare(repo)) {
		const char *work = git_repository_workdir(repo);
		size_t wl = work ? strlen(work) : 0;
		char *probe = cf_xasprintf("%s/x.token", real);
		int ignored = 0;
		if (work && !strncmp(probe, work, wl) &&
		    git_ignore_path_is_ignored(&ignored, repo, probe + wl) == 0 && !ignored)
			rc = cf_error_set(err, CF_EUSAGE, "%s is inside the git work tree %s, and git does not "
					  "ignore it: a registration token there is one 'git add' away from a "
					  "commit (use a directory outside the work tree, or add it to .gitignore)",
					  dir, work);
		free(probe);
	}
	git_repository_free(repo);
	git_libgit2_shutdown();
	free(existing);
	free(real);
	return rc;
}

int cf_token_dir_check(const char *dir, cf_error *err)
{
	int grc = check_outside_git(dir, err);
	if (grc != CF_OK)
		return grc;
	struct stat st;
	int rc = CF_OK;
	if (stat(dir, &st) != 0)
		rc = cf_mkdirs(dir, 0700, err);
	else if (!S_ISDIR(st.st_mode))
		rc = cf_error_set(err, CF_EIO, "%s: not a directory", dir);
	if (rc == CF_OK) {
		char *probe = cf_xasprintf("%s/.ciform-write-check", dir);
		rc = write_atomic(probe, "", err);
		unlink(probe);
		free(probe);
	}
	if (rc != CF_OK) {
		char *why = cf_xstrdup(err->message ? err->message : "");
		rc = cf_error_set(err, rc, "registration tokens cannot be written (%s): nothing was changed", why);
		free(why);
	}
	return rc;
}

static char *marker(const char *dir, const char *name)
{
	return cf_xasprintf("%s/%s.token.pending", dir, name);
}

int cf_token_mark_pending(const char *dir, const char *name, cf_error *err)
{
	char *m = marker(dir, name);
	int rc = write_atomic(m, "a create was sent; its token was not saved yet\n", err);
	free(m);
	return rc;
}

int cf_token_write(char **path, const char *dir, const char *name, const char *token, cf_error *err)
{
	*path = cf_xasprintf("%s/%s.token", dir, name);
	char *line = cf_xasprintf("%s\n", token);
	int rc = write_atomic(*path, line, err);
	memset(line, 0, strlen(line));
	free(line);
	if (rc == CF_OK)
		cf_token_forget(dir, name);
	return rc;
}

bool cf_token_lost(const char *dir, const char *name)
{
	char *m = marker(dir, name), *t = cf_xasprintf("%s/%s.token", dir, name);
	bool lost = access(m, F_OK) == 0 && access(t, F_OK) != 0;
	free(m);
	free(t);
	return lost;
}

void cf_token_forget(const char *dir, const char *name)
{
	char *m = marker(dir, name);
	unlink(m);
	free(m);
}

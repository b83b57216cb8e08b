/*
 * gitauth: --git-url's check, and credentials from the environment for
 * libgit2's callback. Secrets live in memory only as long as libgit2 needs
 * them to build its credential, and are wiped after.
 */
#include "reconciler/gitauth.h"
#include "reconciler/urlpolicy.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define DEFAULT_USER "x-access-token"


static const char no_userinfo[] =
	"--git-url must not carry a user name or password (git would keep them in the cache, and they "
	"show in process lists): give the token in CIFORM_GIT_TOKEN (the user, if not x-access-token, "
	"in CIFORM_GIT_USER), or an askpass program in CIFORM_GIT_ASKPASS";

static int check_remote(const char *url, cf_error *err)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *user = NULL, *password = NULL;
	int rc = CF_OK;
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME | CURLU_PATH_AS_IS) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
		rc = cf_error_set(err, CF_EUSAGE, "--git-url is not a valid URL");
	} else if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
		   curl_url_get(u, CURLUPART_PASSWORD, &password, 0) == CURLUE_OK) {
		rc = cf_error_set(err, CF_EUSAGE, "%s", no_userinfo);
	} else if (!strcmp(scheme, "file") || !strcmp(scheme, "https")) {
		rc = CF_OK;
	} else if (!strcmp(scheme, "http")) {
		if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !cf_host_is_loopback(host))
			rc = cf_error_set(err, CF_EUSAGE, "--git-url: plain http:// only for 127.0.0.1, [::1] or "
					  "localhost (credentials would cross the network in clear): use https://");
	} else {
		rc = cf_error_set(err, CF_EUSAGE, "--git-url: %s:// is not supported: use https:// (with "
				  "CIFORM_GIT_TOKEN for a private repository), file:// or a local path", scheme);
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(password);
	curl_url_cleanup(u);
	return rc;
}

int cf_gitauth_check_url(const char *url, cf_error *err)
{
	if (!url || !*url)
		return cf_error_set(err, CF_EUSAGE, "--git-url is empty");
	if (strstr(url, "://"))
		return check_remote(url, err);
	/* HOST:PATH or USER@HOST:PATH is git's ssh shorthand; ssh has no
	 * credentials ciform could give it */
	const char *colon = strchr(url, ':'), *slash = strchr(url, '/');
	if (colon && (!slash || colon < slash))
		return cf_error_set(err, CF_EUSAGE, "--git-url: HOST:PATH (ssh) is not supported: use https:// "
				    "(with CIFORM_GIT_TOKEN for a private repository), file:// or a local path");
	return CF_OK;
}

static const char *env_value(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

void cf_gitauth_from_env(cf_gitauth *a)
{
	memset(a, 0, sizeof(*a));
	a->token = env_value("CIFORM_GIT_TOKEN");
	a->user = env_value("CIFORM_GIT_USER");
	static const char *const askpass_vars[] = {"CIFORM_GIT_ASKPASS", "GIT_ASKPASS"};
	for (size_t i = 0; i < 2 && !a->askpass; i++) {
		a->askpass = env_value(askpass_vars[i]);
		a->askpass_var = askpass_vars[i];
	}
}

void cf_gitauth_clear(cf_gitauth *a)
{
	free(a->why);
	memset(a, 0, sizeof(*a));
}

static int give_up(cf_gitauth *a, char *why)
{
	free(a->why);
	a->why = why;
	git_error_set_str(GIT_ERROR_NET, why);
	return GIT_EAUTH;
}

/* Runs the askpass program as git does (through the shell, so the variable
 * may hold arguments) with the prompt as its argument; *line gets the first
 * line of its output. Returns 0, or GIT_EAUTH with a->why set. */
static int ask(cf_gitauth *a, const char *prompt, char line[1024])
{
	int fd[2];
	if (pipe(fd) != 0)
		return give_up(a, cf_xasprintf("%s: cannot run it: %s", a->askpass_var, strerror(errno)));
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
	posix_spawn_file_actions_addclose(&fa, fd[0]);
	posix_spawn_file_actions_addclose(&fa, fd[1]);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	char *script = cf_xasprintf("%s \"$@\"", a->askpass);
	char *const argv[] = {"sh", "-c", script, (char *)a->askpass, (char *)prompt, NULL};
	pid_t pid;
	int rc = posix_spawn(&pid, "/bin/sh", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	free(script);
	close(fd[1]);
	size_t n = 0;
	if (rc == 0) {
		ssize_t got;
		while (n < 1023 && (got = read(fd[0], line + n, 1023 - n)) != 0) {
			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0)
				break;
			n += (size_t)got;
			if (memchr(line, '\n', n))
				break;
		}
	}
	close(fd[0]);
	line[n] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	int status = 0;
	if (rc != 0)
		return give_up(a, cf_xasprintf("%s: cannot run it: %s", a->askpass_var, strerror(rc)));
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		explicit_bzero(line, 1024);
		return give_up(a, cf_xasprintf("%s: the program failed (exit status %d)", a->askpass_var,
					       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)));
	}
	return 0;
}

/* "scheme://host[:port]" of url, as git names a server in its prompts. */
static char *server_of(const char *url, const char *user)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL;
	char *out = NULL;
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		curl_url_get(u, CURLUPART_PORT, &port, 0);
		out = cf_xasprintf("%s://%s%s%s%s%s", scheme, user ? user : "", user ? "@" : "", host,
				   port ? ":" : "", port ? port : "");
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return out ? out : cf_xstrdup(url);
}

static int from_askpass(git_credential **out, cf_gitauth *a, const char *url)
{
	char user[1024], pass[1024];
	int rc = 0;
	if (a->user) {
		snprintf(user, sizeof(user), "%s", a->user);
	} else {
		char *server = server_of(url, NULL), *prompt = cf_xasprintf("Username for '%s': ", server);
		rc = ask(a, prompt, user);
		free(prompt);
		free(server);
	}
	if (rc == 0) {
		char *server = server_of(url, user), *prompt = cf_xasprintf("Password for '%s': ", server);
		rc = ask(a, prompt, pass);
		free(prompt);
		free(server);
	}
	if (rc == 0 && git_credential_userpass_plaintext_new(out, user, pass) != 0)
		rc = give_up(a, cf_xstrdup("cannot make the git credential"));
	explicit_bzero(pass, sizeof(pass));
	explicit_bzero(user, sizeof(user));
	return rc;
}

int cf_gitauth_credential(git_credential **out, const char *url, const char *username_from_url,
			  unsigned int allowed_types, void *payload)
{
	(void)username_from_url; /* always NULL: a URL with a user is refused before */
	cf_gitauth *a = payload;
	if (!(allowed_types & GIT_CREDENTIAL_USERPASS_PLAINTEXT))
		return give_up(a, cf_xstrdup("the server asks for a kind of credential ciform cannot give "
					     "(only an HTTP user and password)"));
	if (a->given > 0)
		return give_up(a, a->token ? cf_xasprintf("the server refused the credentials from CIFORM_GIT_TOKEN "
							  "(user %s)", a->user ? a->user : DEFAULT_USER)
					   : cf_xasprintf("the server refused the credentials from %s", a->askpass_var));
	if (a->token) {
		a->given++;
		if (git_credential_userpass_plaintext_new(out, a->user ? a->user : DEFAULT_USER, a->token) != 0)
			return give_up(a, cf_xstrdup("cannot make the git credential"));
		return 0;
	}
	if (a->askpass) {
		a->given++;
		return from_askpass(out, a, url);
	}
	return give_up(a, cf_xstrdup("the repository asks for credentials: set CIFORM_GIT_TOKEN (and "
				     "CIFORM_GIT_USER if the user is not x-access-token), or CIFORM_GIT_ASKPASS"));
}

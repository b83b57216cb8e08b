/*
 * gitauth: which remotes reconcile fetches, and the credentials it gives them.
 *
 * A private repository's credentials come from the environment only, never
 * from the URL: a URL is kept by git in the cache (FETCH_HEAD, config), shows
 * in process lists and in logs. So a --git-url carrying a user or password is
 * refused, and the credentials are handed to libgit2 in memory, when the
 * server asks (HTTP 401), through its credential callback:
 *
 *   CIFORM_GIT_TOKEN                 HTTP Basic, the token as password, user
 *                                    CIFORM_GIT_USER (default x-access-token);
 *   CIFORM_GIT_ASKPASS, GIT_ASKPASS  a program run as git runs it, with the
 *                                    prompt "Username for 'URL': " or
 *                                    "Password for 'URL': ", answering one line.
 *
 * Nothing of either is written anywhere, nor ever put in a message.
 */
#ifndef CF_GITAUTH_H
#define CF_GITAUTH_H

#include <stdbool.h>
#include "reconciler/error.h"

/* file://, https://, http:// to a literal loopback host (127.0.0.0/8,
 * [::1], localhost), or a local path; no user or password in it. The
 * message never repeats the URL, which may hold a secret. */
int cf_gitauth_check_url(const char *url, cf_error *err);

typedef struct cf_gitauth {
	const char *token;       /* CIFORM_GIT_TOKEN; NULL: none */
	const char *user;        /* CIFORM_GIT_USER; NULL: x-access-token (or asked) */
	const char *askpass;     /* the askpass program; NULL: none */
	const char *askpass_var; /* the variable that named it */
	int given;               /* credentials handed out during this fetch */
	char *why;               /* why the last request for credentials failed */
} cf_gitauth;

/* Reads the variables above (empty ones count as unset). */
void cf_gitauth_from_env(cf_gitauth *a);
void cf_gitauth_clear(cf_gitauth *a);

/* libgit2's git_credential_acquire_cb, payload a cf_gitauth. Called again
 * after a refusal, it gives up (the same credentials would be refused again)
 * and leaves the reason in why. */
struct git_credential;
int cf_gitauth_credential(struct git_credential **out, const char *url, const char *username_from_url,
			  unsigned int allowed_types, void *payload);

#endif

/*
 * comment: one ciform comment per pull or merge request and specs path, kept
 * up to date on the code host (GitHub or GitLab) instead of a new comment on
 * every push.
 *
 * The comment's first line is a hidden marker naming the specs path. To post
 * a body, ciform pages through the request's comments, edits the one that
 * carries the same marker, and creates one when none does; a second specs
 * path therefore gets a comment of its own. The hosts differ only in URLs,
 * headers and how a page says more follow: a table in comment.c holds those
 * differences, and nothing above this header knows which host it talks to.
 *
 * Hosts and tokens come from the environment CI systems set: GITHUB_API_URL
 * (default https://api.github.com) with GITHUB_TOKEN, CI_API_V4_URL (default
 * https://gitlab.com/api/v4) with GITLAB_TOKEN. https is required, plain http
 * only for a literal loopback host. Redirects are not followed (the token
 * would go with them), and no message this module makes contains the token.
 */
#ifndef CF_COMMENT_H
#define CF_COMMENT_H

#include <stdbool.h>
#include <stddef.h>
#include "reconciler/error.h"

typedef enum cf_host_kind {
	CF_HOST_GITHUB = 0,
	CF_HOST_GITLAB,
} cf_host_kind;

typedef struct cf_comment_target {
	cf_host_kind kind;
	const char *repo; /* GitHub: OWNER/REPO; GitLab: a project id or path (group/name) */
	long number;      /* the pull request's number, or the merge request's iid */
} cf_comment_target;

typedef struct cf_code_host cf_code_host;

/* Checks the target and the host URL, and reads the token from the
 * environment (a missing one is an error naming the variable). */
int cf_code_host_open(cf_code_host **out, const cf_comment_target *t, cf_error *err);
void cf_code_host_free(cf_code_host *h);
/* "GitHub octo/app#7" or "GitLab group/app!7", for messages. */
const char *cf_code_host_describe(const cf_code_host *h);

typedef struct cf_comment_result {
	bool created;    /* false: an existing comment was edited */
	char *id;        /* the comment's id */
	char *url;       /* its web address when the host gave one, else NULL */
	unsigned pages;  /* pages of comments read to look for the marker */
} cf_comment_result;
void cf_comment_result_clear(cf_comment_result *r);

/* Edits the comment whose body starts with marker, or creates one. */
int cf_comment_upsert(cf_comment_result *out, cf_code_host *h, const char *marker, const char *body,
		      cf_error *err);

/* "<!-- ciform:plan path=specs -->": the PATHs as given ("." when none),
 * without "./" or a trailing "/", joined by ","; characters that could end
 * the HTML comment early ("--", ">") are percent-escaped. Caller frees. */
char *cf_comment_marker(const char *const *paths, size_t npaths);

/* The commit a comment names: git_ref resolved in the repository (repo_dir,
 * else the one holding path, else the current directory); without git_ref,
 * env_sha when it is a hexadecimal SHA (GITHUB_SHA, CI_COMMIT_SHA); else that
 * repository's HEAD. *out is NULL when none is known (not an error). */
void cf_comment_commit(char **out, const char *git_ref, const char *repo_dir, const char *path,
		       const char *env_sha);

/* A comment's whole body: the marker, then the markdown plan, then a line
 * naming the specs and the commit. Caller frees. */
char *cf_comment_plan_body(const char *marker, const char *plan_markdown, const char *paths_text,
			   const char *commit);
/* The same for a plan that could not be made: the error text in a code
 * block (cut at 20,000 characters). */
char *cf_comment_error_body(const char *marker, const char *error_text, const char *paths_text,
			    const char *commit);

#endif

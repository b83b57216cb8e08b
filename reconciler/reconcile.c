/*
 * reconcile: fetch, read at the ref, plan, report or apply, record.
 */
#include "reconciler/reconcile.h"
#include "reconciler/fileio.h"
#include "reconciler/gitauth.h"
#include "reconciler/gitsrc.h"
#include "reconciler/render.h"
#include "reconciler/render_diags.h"

#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *const cf_cycle_result_names[] = {"unchanged", "drift", "applied", "error"};

static void fail(cf_cycle *c, const char *fmt, const char *detail)
{
	c->result = CF_CYCLE_ERROR;
	free(c->error);
	c->error = cf_xasprintf(fmt, detail ? detail : "");
}

static const char *git_message(void)
{
	const git_error *e = git_error_last();
	return e && e->message ? e->message : "git error";
}

/* The cache of url: cache_dir/<sha256(url), 16 hex>.git */
static char *cache_path(const char *cache_dir, const char *url)
{
	unsigned char md[32];
	unsigned int len = 0;
	EVP_Digest(url, strlen(url), md, &len, EVP_sha256(), NULL);
	char hex[17];
	for (int i = 0; i < 8; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return cf_xasprintf("%s/%s.git", cache_dir, hex);
}

/* Opens (creating on first use) the bare cache and fetches; *default_ref
 * gets the remote's default branch as a remote-tracking ref.
 *
 * The remote is anonymous and made without insteadOf rewriting: libgit2 1.5
 * leaks the regex match data of every url.*.insteadOf lookup (fixed in
 * libgit2 1.6, pull request #6382), which git_remote_lookup and a named
 * git_remote_create make, some 240 kB a cycle in a loop meant to run for
 * months. The URL given is the URL fetched; the refspec is passed here.
 * Being anonymous, the remote is never written to the cache's config. */
static int fetch(git_repository **repo, char **default_ref, const cf_reconcile_opts *o, cf_cycle *c)
{
	cf_error err = {0};
	if (cf_gitauth_check_url(o->git_url, &err) != CF_OK || cf_mkdirs(o->cache_dir, 0700, &err) != CF_OK) {
		fail(c, "%s", err.message);
		cf_error_clear(&err);
		return -1;
	}
	char *path = cache_path(o->cache_dir, o->git_url);
	git_remote *remote = NULL;
	int rc = git_repository_open_bare(repo, path);
	if (rc != 0 && git_repository_init(repo, path, 1) != 0) {
		fail(c, "cannot create the cache repository: %s", git_message());
		free(path);
		return -1;
	}
	free(path);
	git_remote_create_options ro;
	git_remote_create_options_init(&ro, GIT_REMOTE_CREATE_OPTIONS_VERSION);
	ro.repository = *repo;
	ro.fetchspec = "+refs/heads/*:refs/remotes/origin/*";
	ro.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF;
	if (git_remote_create_with_opts(&remote, o->git_url, &ro) != 0) {
		fail(c, "--git-url: %s", git_message());
		return -1;
	}
	cf_gitauth auth;
	cf_gitauth_from_env(&auth);
	git_fetch_options fo;
	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	fo.prune = GIT_FETCH_PRUNE;
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL;
	fo.callbacks.credentials = cf_gitauth_credential;
	fo.callbacks.payload = &auth;
	rc = git_remote_fetch(remote, NULL, &fo, "ciform reconcile");
	git_buf head = {0};
	if (rc != 0)
		fail(c, "fetch failed: %s", auth.why ? auth.why : git_message());
	else if (git_remote_default_branch(&head, remote) == 0 && !strncmp(head.ptr, "refs/heads/", 11))
		*default_ref = cf_xasprintf("refs/remotes/origin/%s", head.ptr + 11);
	git_buf_dispose(&head);
	git_remote_free(remote);
	cf_gitauth_clear(&auth);
	return rc == 0 ? 0 : -1;
}

/* REF as a branch of origin, a tag, or anything rev-parse knows. */
static bool resolve(char out[41], git_repository *repo, const char *ref)
{
	char *candidates[] = {cf_xasprintf("refs/remotes/origin/%s", ref), cf_xasprintf("refs/tags/%s", ref),
			      cf_xstrdup(ref)};
	bool found = false;
	for (size_t i = 0; i < 3 && !found; i++) {
		git_object *obj = NULL, *commit = NULL;
		if (git_revparse_single(&obj, repo, candidates[i]) == 0 &&
		    git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) == 0) {
			git_oid_tostr(out, 41, git_object_id(commit));
			found = true;
		}
		git_object_free(commit);
		git_object_free(obj);
	}
	for (size_t i = 0; i < 3; i++)
		free(candidates[i]);
	return found;
}

static void report(const cf_reconcile_opts *o, const char *text)
{
	if (o->report)
		o->report(o->ud, text);
}

static void plan_and_act(cf_cycle *c, git_repository *repo, const cf_reconcile_opts *o)
{
	const char *paths[] = {o->path};
	cf_source *src = NULL;
	cf_error err = {0};
	cf_diags diags = {0};
	cf_session *s = NULL;
	int rc = cf_source_open_git_commit(&src, repo, c->commit, paths, o->path ? 1 : 0, &err);
	cf_session_opts so = {.src = src, .conn = o->conn, .limits = {.parallelism = o->parallelism},
			      .plan = {.prune = o->prune, .token_dir = o->apply_opts.token_dir}};
	if (rc == CF_OK)
		rc = cf_session_plan(&s, &so, &diags, &err);
	if (rc == CF_EINVALID) {
		char *text = cf_render_diags_text(&diags);
		fail(c, "invalid specs, nothing applied:\n%s", text);
		free(text);
	} else if (rc != CF_OK) {
		fail(c, "%s", err.message);
	} else {
		for (int a = 0; a < CF_NACTIONS; a++)
			c->counts[a] = s->plan->counts[a];
		c->unchanged = s->plan->unchanged;
		char *text = cf_render_text(s->plan, &(cf_render_opts){0});
		cf_sha256_hex(c->plan_digest, (const char *const[]){text}, 1);
		if (o->report_every_plan || !o->previous_plan || strcmp(o->previous_plan, c->plan_digest))
			report(o, text);
		free(text);
		c->result = cf_plan_has_changes(s->plan) ? CF_CYCLE_DRIFT : CF_CYCLE_UNCHANGED;
		if (c->result == CF_CYCLE_DRIFT && o->apply && !(o->stop && *o->stop)) {
			cf_apply_opts ao = o->apply_opts;
			ao.parallelism = s->parallelism;
			cf_apply_ctx ctx = {.conns = s->conns, .live = s->live, .opts = &ao};
			cf_apply_result res;
			if (cf_apply_run(&res, s->plan, &ctx, &err) == CF_OK)
				c->result = CF_CYCLE_APPLIED;
			else
				fail(c, "apply failed: %s", err.message);
			cf_apply_result_clear(&res);
		}
	}
	cf_session_free(s);
	cf_diags_free(&diags);
	cf_error_clear(&err);
}

static void write_status(const cf_cycle *c, const char *path)
{
	cJSON *st = cJSON_CreateObject();
	if (*c->commit)
		cJSON_AddStringToObject(st, "commit", c->commit);
	else
		cJSON_AddNullToObject(st, "commit");
	char now[32];
	time_t t = time(NULL);
	struct tm tm;
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	cJSON_AddStringToObject(st, "time", now);
	cJSON *sum = cJSON_AddObjectToObject(st, "summary");
	for (int a = 0; a < CF_NACTIONS; a++)
		cJSON_AddNumberToObject(sum, cf_action_names[a], (double)c->counts[a]);
	cJSON_AddNumberToObject(sum, "unchanged", (double)c->unchanged);
	cJSON_AddStringToObject(st, "result", cf_cycle_result_names[c->result]);
	if (c->error)
		cJSON_AddStringToObject(st, "error", c->error);
	else
		cJSON_AddNullToObject(st, "error");
	char *text = cJSON_Print(st);
	cJSON_Delete(st);
	char *line = cf_xasprintf("%s\n", text);
	cf_error werr = {0};
	/* readers see the old status or the new one, never half; a status that
	 * cannot be written does not fail the cycle it reports */
	cf_file_write_atomic(path, line, strlen(line), 0, &werr);
	cf_error_clear(&werr);
	free(line);
	free(text);
}

void cf_reconcile_cycle(cf_cycle *c, const cf_reconcile_opts *o)
{
	memset(c, 0, sizeof(*c));
	git_libgit2_init();
	git_repository *repo = NULL;
	char *default_ref = NULL;
	if (fetch(&repo, &default_ref, o, c) == 0) {
		const char *ref = o->git_ref ? o->git_ref : default_ref;
		if (!ref || !resolve(c->commit, repo, ref))
			fail(c, "--git-ref %s: no such branch, tag or commit in the repository",
			     ref ? ref : "(the remote's default branch)");
		else
			plan_and_act(c, repo, o);
	}
	free(default_ref);
	git_repository_free(repo);
	git_libgit2_shutdown();
	if (o->status_file)
		write_status(c, o->status_file);
}

void cf_cycle_clear(cf_cycle *c)
{
	free(c->error);
	memset(c, 0, sizeof(*c));
}

/*
 * kind RunnerToken: a token a self-hosted runner presents for a class.
 *
 *   apiVersion: circleci/v1
 *   kind: RunnerToken
 *   metadata: {resourceClass: acme/linux-large, nickname: host-1}
 *
 * Addressed RunnerToken/NS/NAME/NICK. A token has nothing to change: it is
 * created and deleted (PUB internal/provider/runner_token_resource.go: every
 * attribute RequiresReplace, Update a no-op), so a new nickname is a new
 * token, and the old one goes with --prune. Its value is shown once, by the
 * create (LABS internal/circleci/runner.go Token: "the only response that
 * ever carries the secret"), and kept in a 0600 file (token_file.h):
 * - a live token, its pending marker, and no file: the value was lost (a
 *   run killed after the create): the plan deletes and creates it again;
 * - a live token with neither: left alone, listed as "value not available
 *   here".
 * Every token of a class with a RunnerToken manifest is in scope. Writing:
 * runner_token_apply.c.
 */
#include "reconciler/providers/circleci/kinds/runner_token.h"
#include "reconciler/providers/circleci/kinds/runner_class.h"
#include "reconciler/providers/circleci/runner.h"
#include "reconciler/diff.h"
#include "reconciler/live.h"
#include "reconciler/manifest.h"
#include "reconciler/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const cf_field spec_fields[] = {CF_FIELDS_END};

static const cf_field metadata_fields[] = {
	{.key = "resourceClass", .type = CF_T_STR, .flags = CF_F_REQUIRED},
	{.key = "nickname", .type = CF_T_STR, .flags = CF_F_REQUIRED},
	CF_ENSURE_FIELD,
	CF_METADATA_OUTPUT_ONLY,
	CF_FIELDS_END,
};

static const cf_field document_fields[] = {CF_DOCUMENT_FIELDS(metadata_fields, spec_fields)};

static const char *str(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static bool nickname_ok(const char *n)
{
	for (const char *p = n; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			return false;
	return *n != '\0';
}

static void check(cf_kctx *kc, cJSON *doc, bool absent)
{
	(void)absent;
	const char *cls = cJSON_GetStringValue(cf_json_path(doc, "metadata.resourceClass"));
	const char *nick = cJSON_GetStringValue(cf_json_path(doc, "metadata.nickname"));
	if (cls && !cf_cci_runner_class_shaped(cls))
		cf_kerr(kc, "metadata.resourceClass", "metadata.resourceClass: '%s' is not a resource class: write "
			"namespace/name (like acme/linux-large), without spaces", cls);
	if (nick && !nickname_ok(nick))
		cf_kerr(kc, "metadata.nickname", "metadata.nickname: give a nickname without control characters");
}

static char *address(const cJSON *doc)
{
	const char *cls = cJSON_GetStringValue(cf_json_path(doc, "metadata.resourceClass"));
	const char *nick = cJSON_GetStringValue(cf_json_path(doc, "metadata.nickname"));
	if (!cls || !nick || !cf_cci_runner_class_shaped(cls) || !nickname_ok(nick))
		return NULL; /* check reported it */
	return cf_xasprintf("%s/%s", cls, nick);
}

char *cf_cci_runner_token_name(const char *cls, const char *nickname)
{
	char *ns = cf_cci_runner_namespace(cls);
	char *a = cf_cci_runner_file_safe(ns), *b = cf_cci_runner_file_safe(strchr(cls, '/') ? strchr(cls, '/') + 1 : "");
	char *c = cf_cci_runner_file_safe(nickname);
	char *out = cf_xasprintf("circleci/%s/%s/%s", a, b, c);
	free(ns);
	free(a);
	free(b);
	free(c);
	return out;
}

static const char *class_of(const cf_resource *r)
{
	return cJSON_GetStringValue(cf_json_path(r->doc, "metadata.resourceClass"));
}

/* Manifests whose token files would be one file; a token of a class whose
 * manifest says ensure: absent. */
static void check_set(const cf_resource_set *set, cf_diags *diags)
{
	for (size_t i = 0; i < set->count; i++) {
		const cf_resource *a = &set->items[i];
		if (a->kind != &cf_cci_runner_token_kind)
			continue;
		const cf_resource *cls = cf_cci_runner_class_manifest(set, class_of(a));
		if (!a->absent && cls && cls->absent)
			cf_resource_diag(diags, a, "metadata.resourceClass", "metadata.resourceClass: %s is to be deleted "
					 "(ensure: absent), so no token of it can be kept", cls->address);
		char *na = cf_cci_runner_token_name(class_of(a), a->name);
		for (size_t j = i + 1; j < set->count; j++) {
			const cf_resource *b = &set->items[j];
			char *nb = b->kind == a->kind ? cf_cci_runner_token_name(class_of(b), b->name) : NULL;
			if (nb && !strcmp(na, nb))
				cf_resource_diag(diags, b, "metadata.nickname", "metadata.nickname: its token file %s.token "
						 "is also %s's (characters outside [A-Za-z0-9._-] become '_')", nb, a->address);
			free(nb);
		}
		free(na);
	}
}

/* ---- reading ---- */

static int count_nick(const cJSON *tokens, const char *nick)
{
	int n = 0;
	const cJSON *t;
	cJSON_ArrayForEach(t, tokens)
		n += !strcmp(str(t, "nickname"), nick);
	return n;
}

/* Nicknames are not unique server-side: two live tokens a manifest would
 * name are a plan error naming both ids. */
static bool ambiguous(const cf_resource *r, const cJSON *tokens, cf_diags *diags)
{
	if (count_nick(tokens, r->name) < 2)
		return false;
	char *ids = NULL;
	const cJSON *t;
	cJSON_ArrayForEach(t, tokens)
		if (!strcmp(str(t, "nickname"), r->name)) {
			char *next = cf_xasprintf("%s%s%s", ids ? ids : "", ids ? ", " : "", str(t, "id"));
			free(ids);
			ids = next;
		}
	cf_resource_diag(diags, r, "metadata.nickname", "metadata.nickname: more than one live token of %s is "
			 "nicknamed '%s' (ids %s); delete all but one first", class_of(r), r->name, ids);
	free(ids);
	return true;
}

static const cf_resource *manifest_for(const cf_resource_set *set, const char *cls, const char *nick)
{
	for (size_t i = 0; i < set->count; i++) {
		const cf_resource *r = &set->items[i];
		if (r->kind == &cf_cci_runner_token_kind && !strcmp(class_of(r), cls) && !strcmp(r->name, nick))
			return r;
	}
	return NULL;
}

/* The class's token list answered 404: the class does not exist, or is not
 * the caller's (LABS runner.go: the same 404). So no token of it is live.
 * Absent manifests then have nothing to do (a class and tokens deleted with
 * ensure: absent stay a no-op); present ones are fine while a present
 * RunnerResourceClass manifest creates the class, and a problem of the spec
 * otherwise. CF_EINVALID only with a diagnostic added. */
static int class_missing(const cf_resource_set *set, const cf_kind *kind, const char *cls, cf_diags *diags)
{
	const cf_resource *m = cf_cci_runner_class_manifest(set, cls);
	int rc = CF_OK;
	for (size_t i = 0; !(m && !m->absent) && i < set->count; i++) {
		const cf_resource *r = &set->items[i];
		if (r->kind != kind || r->absent || strcmp(class_of(r), cls) != 0)
			continue;
		cf_resource_diag(diags, r, "metadata.resourceClass", "metadata.resourceClass: no runner resource "
				 "class %s the token can see, and no RunnerResourceClass manifest creates it", cls);
		rc = CF_EINVALID;
	}
	return rc;
}

static int read_class(cf_live *live, const cf_resource_set *set, const cf_resource *first, const char *dir,
		      cf_conn *c, cf_diags *diags, cf_error *err)
{
	const char *cls = class_of(first);
	cJSON *tokens = NULL;
	int rc = cf_cci_runner_tokens(&tokens, c, cls, err), problems = CF_OK;
	if (rc == CF_ENOTFOUND) { /* missing, or not the token's (LABS runner.go: the same 404) */
		cf_error_clear(err);
		return class_missing(set, first->kind, cls, diags);
	}
	const cJSON *t;
	cJSON_ArrayForEach(t, (rc == CF_OK ? tokens : NULL)) {
		const char *nick = str(t, "nickname");
		const cf_resource *r = manifest_for(set, cls, nick);
		if (r && ambiguous(r, tokens, diags)) {
			problems = CF_EINVALID;
			continue;
		}
		char *addr = r || count_nick(tokens, nick) == 1 ? cf_xasprintf("RunnerToken/%s/%s", cls, nick)
								 : cf_xasprintf("RunnerToken/%s/%s@%s", cls, nick, str(t, "id"));
		cJSON *api = cJSON_Duplicate(t, 1);
		if (r) { /* where its value is kept: the plan checks the file */
			char *name = cf_cci_runner_token_name(cls, nick);
			cJSON_AddStringToObject(api, "token_name", name);
			cJSON_AddStringToObject(api, "token_dir", dir);
			free(name);
		}
		cf_live_add(live, set, &cf_cci_runner_token_kind, addr, str(t, "id"), NULL, nick, api);
		free(addr);
	}
	cJSON_Delete(tokens);
	return rc == CF_OK ? problems : rc;
}

/* Scope: every token of a class with a RunnerToken manifest. */
static int read_live(cf_live *live, const cf_resource_set *set, cf_conn *c, cf_diags *diags, cf_error *err)
{
	int rc = CF_OK, problems = CF_OK;
	char *dir = cf_cci_runner_token_dir(c);
	cJSON *seen = cJSON_CreateObject();
	for (size_t i = 0; set && i < set->count && rc == CF_OK; i++) {
		const cf_resource *r = &set->items[i];
		if (r->kind != &cf_cci_runner_token_kind || cJSON_HasObjectItem(seen, class_of(r)))
			continue;
		cJSON_AddTrueToObject(seen, class_of(r));
		rc = read_class(live, set, r, dir, c, diags, err);
		if (rc == CF_EINVALID) {
			problems = rc;
			rc = CF_OK;
		}
	}
	cJSON_Delete(seen);
	free(dir);
	return rc == CF_OK ? problems : rc;
}

/* ---- the value's file ---- */

static bool exists(const char *dir, const char *name, const char *ext)
{
	char *p = cf_xasprintf("%s/%s.%s", dir, name, ext);
	bool there = access(p, F_OK) == 0;
	free(p);
	return there;
}

/* Lost: a pending marker and no token file: an apply created it, and its
 * value never reached the file. */
static char *live_problem(const cJSON *api, const cf_plan_opts *opts, const char **field, const char **after)
{
	const char *name = str(api, "token_name");
	const char *dir = opts && opts->token_dir ? opts->token_dir : str(api, "token_dir");
	*field = "token";
	*after = "a new one (the token is deleted and created again)";
	if (!name || !dir || exists(dir, name, "token") || !exists(dir, name, "token.pending"))
		return NULL;
	return cf_xasprintf("lost: an earlier apply created it, but its value never reached %s/%s.token", dir, name);
}

/* Neither file nor marker: made elsewhere; left alone. The hook has no
 * plan options: the connection's directory is looked in. */
static char *unverified(const cJSON *api)
{
	const char *name = str(api, "token_name"), *dir = str(api, "token_dir");
	if (!name || !dir || exists(dir, name, "token") || exists(dir, name, "token.pending"))
		return NULL;
	return cf_xasprintf("value not available here (no %s/%s.token): CircleCI shows a token only to the request "
			    "that creates it; left alone", dir, name);
}

/* Nothing to compare: a token has no field that can change. */
static const cf_diff_field diff[] = {{.name = NULL}};

/* ---- export ---- */

static cJSON *token_doc(const char *cls, const char *nick)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "apiVersion", CF_CCI_API_VERSION);
	cJSON_AddStringToObject(doc, "kind", "RunnerToken");
	cJSON *m = cJSON_AddObjectToObject(doc, "metadata");
	cJSON_AddStringToObject(m, "resourceClass", cls);
	cJSON_AddStringToObject(m, "nickname", nick);
	return doc;
}

/* A class's tokens, never a value; nicknames shared by two tokens are left
 * out (a manifest could not say which). */
static int export_class(cf_export *out, cf_conn *c, const char *folder, const char *cls, cf_error *err)
{
	cJSON *tokens = NULL;
	int rc = cf_cci_runner_tokens(&tokens, c, cls, err);
	const cJSON *t;
	cJSON_ArrayForEach(t, (rc == CF_OK ? tokens : NULL)) {
		const char *nick = str(t, "nickname");
		if (count_nick(tokens, nick) != 1 || !nickname_ok(nick))
			continue;
		char *a = cf_cci_runner_file_safe(strchr(cls, '/') + 1), *b = cf_cci_runner_file_safe(nick);
		char *file = cf_xasprintf("token-%s-%s.yaml", a, b);
		cf_export_add(out, folder, file, token_doc(cls, nick));
		free(file);
		free(a);
		free(b);
	}
	cJSON_Delete(tokens);
	return rc;
}

static int export_tokens(cf_export *out, const void *vctx, cf_error *err)
{
	const cf_cci_export_ctx *ctx = vctx;
	const char **nss = cf_cci_runner_export_namespaces(ctx->scope);
	int rc = CF_OK;
	for (size_t i = 0; nss[i] && rc == CF_OK; i++) {
		cJSON *classes = NULL;
		rc = cf_cci_runner_classes(&classes, ctx->conn, nss[i], err);
		char *folder = cf_xasprintf("runner-%s", nss[i]), *fsafe = cf_cci_runner_file_safe(folder);
		const cJSON *x;
		cJSON_ArrayForEach(x, (rc == CF_OK ? classes : NULL))
			if (rc == CF_OK && cf_cci_runner_class_shaped(str(x, "resource_class")))
				rc = export_class(out, ctx->conn, fsafe, str(x, "resource_class"), err);
		free(fsafe);
		free(folder);
		cJSON_Delete(classes);
	}
	free(nss);
	return rc;
}

const cf_kind cf_cci_runner_token_kind = {
	.name = "RunnerToken",
	.api_version = CF_CCI_API_VERSION,
	.noun = "runner token",
	.fields = document_fields,
	.has_project = false,
	.has_name = true,
	.name_key = "nickname",
	.address = address,
	.absent_refusal = NULL,
	.check = check,
	.check_set = check_set,
	.schema_rules = NULL,
	.diff = diff,
	.has_active = false,
	.read_live = read_live,
	.apply = cf_cci_runner_token_apply,
	.live_problem = live_problem,
	.preflight = cf_cci_runner_token_preflight,
	.values_hidden = NULL,
	.unverified = unverified,
	.delete_note = "revoked: runners using it can no longer claim tasks",
	.prune_note = NULL,
	.export = export_tokens,
};

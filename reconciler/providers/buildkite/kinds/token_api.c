/*
 * token_api: the ClusterAgentToken kind's writes and export (token.c reads
 * and compares).
 *
 * Evidence (docs = buildkite/docs pages/apis/rest_api/clusters/
 * agent_tokens.md, gob = go-buildkite cluster_tokens.go):
 * - POST /clusters/ID/tokens {description, allowed_ip_addresses (one
 *   space-separated string, gob ClusterTokenCreate), expires_at} answers 201
 *   with "token", the only answer that ever shows it ("Token visibility");
 * - PATCH (gob Update; the docs say PUT) {description,
 *   allowed_ip_addresses}; DELETE revokes (204; 404 is done).
 * The value goes through token_file.h: a pending marker before the POST,
 * the token written 0600 and atomically, then the marker removed; a create
 * whose answer was lost (found by description on a retry) cannot be
 * completed: it fails, and the next plan revokes and creates it again.
 */
#include "reconciler/providers/buildkite/kinds/token.h"
#include "reconciler/providers/buildkite/kinds/queue.h"
#include "reconciler/providers/buildkite/export.h"
#include "reconciler/apply.h"
#include "reconciler/live.h"
#include "reconciler/manifest.h"
#include "reconciler/token_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *str(const cJSON *o, const char *key)
{
	return cf_bk_str(o, key);
}

static const char *cluster_ref(const cf_change *ch)
{
	return ch->res ? cJSON_GetStringValue(cf_json_path(ch->res->doc, "metadata.cluster")) : NULL;
}

/* The cluster UUID: the live token's, else the manifest's reference
 * resolved afresh (a cluster created or renamed earlier in this run). */
static int cluster_of(char **out, cf_apply_ctx *ctx, cf_bk_conn *c, const cf_change *ch, cf_error *err)
{
	cJSON *api = ch->live ? cf_live_api(ch->live) : NULL;
	*out = cf_bk_set(api, "cluster_id") ? cf_xstrdup(str(api, "cluster_id")) : NULL;
	cJSON_Delete(api);
	const cJSON *clusters = NULL;
	int rc = CF_OK;
	if (!*out && cluster_ref(ch)) {
		cf_bk_clusters_forget(c);
		rc = cf_bk_clusters(&clusters, c, err);
		const char *id = rc == CF_OK ? cf_bk_queue_cluster_id(ctx->live->set, clusters, cluster_ref(ch)) : NULL;
		*out = id ? cf_xstrdup(id) : NULL;
	}
	if (rc == CF_OK && !*out)
		rc = cf_error_set(err, CF_ENOTFOUND, "%s: the organization has no cluster '%s'", ch->address,
				  cluster_ref(ch) ? cluster_ref(ch) : "?");
	return rc;
}

static char *joined_ips(const cf_resource *r)
{
	char *out = cf_xstrdup("");
	const cJSON *ip;
	cJSON_ArrayForEach(ip, cf_json_path(r->doc, "spec.allowed_ip_addresses")) {
		char *next = cf_xasprintf("%s%s%s", out, *out ? " " : "", ip->valuestring);
		free(out);
		out = next;
	}
	return out;
}

typedef struct tkey {
	const char *cluster_id, *description;
} tkey;

static int lookup(cJSON **found, cf_bk_conn *c, const void *vkey, cf_error *err)
{
	const tkey *k = vkey;
	cJSON *all = NULL;
	char *e = cf_http_escape(k->cluster_id), *path = cf_bk_path(c, "/clusters/%s/tokens", e);
	int rc = cf_bk_list(&all, c, path, err);
	const cJSON *t, *hit = NULL;
	cJSON_ArrayForEach(t, all)
		if (!hit && !strcmp(str(t, "description"), k->description))
			hit = t;
	*found = hit ? cJSON_Duplicate(hit, 1) : NULL;
	cJSON_Delete(all);
	free(path);
	free(e);
	return rc;
}

static int revoke(cf_bk_conn *c, const char *cid, const char *tid, cf_error *err)
{
	char *ce = cf_http_escape(cid), *te = cf_http_escape(tid);
	char *path = cf_bk_path(c, "/clusters/%s/tokens/%s", ce, te);
	int rc = cf_http_delete(c->base.impl, path, err); /* docs "Revoke a token": 204 */
	free(path);
	free(te);
	free(ce);
	return rc;
}

/* The directory DIR/CLUSTER the token file goes in (0700, like DIR). */
static int token_subdir(const char *dir, const char *name, cf_error *err)
{
	char *sub = cf_xstrdup(name);
	*strchr(sub, '/') = '\0';
	char *path = cf_xasprintf("%s/%s", dir, sub);
	int rc = mkdir(path, 0700) == 0 || errno == EEXIST ? CF_OK
			: cf_error_set(err, CF_EIO, "cannot create %s: %s", path, strerror(errno));
	free(path);
	free(sub);
	return rc;
}

/* The value reached its file, or the token is revoked again so that the
 * next run creates it afresh; never printed. */
static int keep_value(cf_apply_ctx *ctx, cf_bk_conn *c, const cf_change *ch, const char *dir, const char *name,
		      const char *cid, cJSON *answer, cf_error *err)
{
	cJSON *tok = cJSON_GetObjectItemCaseSensitive(answer, "token");
	char *path = NULL;
	int rc = CF_OK;
	if (!cJSON_IsString(tok)) {
		rc = cf_error_set(err, CF_EAPI, "%s: created, but the answer with its value was lost; the next plan "
				  "revokes it and creates it again", ch->address);
	} else if (cf_token_write(&path, dir, name, tok->valuestring, err) != CF_OK) {
		char *why = cf_xstrdup(err->message);
		cf_error_clear(err);
		bool gone = revoke(c, cid, str(answer, "id"), err) == CF_OK;
		cf_error_clear(err);
		if (gone)
			cf_token_forget(dir, name);
		rc = cf_error_set(err, CF_EIO, "%s: the token could not be written (%s); %s", ch->address, why,
				  gone ? "it was revoked again, so the next apply creates it afresh"
				       : "and it could not be revoked: revoke it in Buildkite");
		free(why);
	} else {
		cf_apply_note(ctx, ch, "agent token written to %s", path);
	}
	if (cJSON_IsString(tok))
		memset(tok->valuestring, 0, strlen(tok->valuestring));
	free(path);
	return rc;
}

static int create(cf_apply_ctx *ctx, cf_bk_conn *c, const cf_change *ch, const char *cid, cf_error *err)
{
	char *dir = cf_token_dir(ctx->opts->token_dir), *name = cf_bk_token_name(cluster_ref(ch), ch->res->name);
	cJSON *b = cJSON_CreateObject(), *answer = NULL;
	cJSON_AddStringToObject(b, "description", ch->res->name);
	if (cf_json_path(ch->res->doc, "spec.allowed_ip_addresses")) {
		char *ips = joined_ips(ch->res);
		cJSON_AddStringToObject(b, "allowed_ip_addresses", ips);
		free(ips);
	}
	const char *exp = cJSON_GetStringValue(cf_json_path(ch->res->doc, "spec.expires_at"));
	if (exp)
		cJSON_AddStringToObject(b, "expires_at", exp);
	char *text = cJSON_PrintUnformatted(b), *e = cf_http_escape(cid), *path = cf_bk_path(c, "/clusters/%s/tokens", e);
	tkey k = {.cluster_id = cid, .description = ch->res->name};
	int rc = token_subdir(dir, name, err);
	if (rc == CF_OK)
		rc = cf_token_mark_pending(dir, name, err);
	if (rc == CF_OK)
		rc = cf_bk_create(&answer, c, path, text, lookup, &k, err);
	if (rc == CF_OK) {
		cf_apply_created(ctx, ch->address, str(answer, "id"));
		rc = keep_value(ctx, c, ch, dir, name, cid, answer, err);
	}
	cJSON_Delete(answer);
	cJSON_Delete(b);
	free(text);
	free(path);
	free(e);
	free(name);
	free(dir);
	return rc;
}

/* A renamed token's value file follows its description. */
static void move_file(cf_apply_ctx *ctx, const cf_change *ch)
{
	cJSON *api = cf_live_api(ch->live);
	char *dir = cf_token_dir(ctx->opts->token_dir), *to = cf_bk_token_name(cluster_ref(ch), ch->res->name);
	char *from_path = cf_xasprintf("%s/%s.token", dir, str(api, "token_name"));
	char *to_path = cf_xasprintf("%s/%s.token", dir, to);
	struct stat st;
	if (cf_bk_set(api, "token_name") && strcmp(from_path, to_path) && stat(to_path, &st) != 0 &&
	    rename(from_path, to_path) == 0)
		cf_apply_note(ctx, ch, "agent token moved to %s", to_path);
	free(to_path);
	free(from_path);
	free(to);
	free(dir);
	cJSON_Delete(api);
}

static int update(cf_apply_ctx *ctx, cf_bk_conn *c, const cf_change *ch, const char *cid, cf_error *err)
{
	cJSON *b = cJSON_CreateObject(), *answer = NULL;
	bool renamed = false;
	for (size_t i = 0; i < ch->fields.count; i++) {
		const char *f = ch->fields.items[i].path;
		if (!strcmp(f, "metadata.description")) {
			cJSON_AddStringToObject(b, "description", ch->res->name);
			renamed = true;
		} else if (!strcmp(f, "spec.allowed_ip_addresses")) {
			char *ips = joined_ips(ch->res);
			cJSON_AddStringToObject(b, "allowed_ip_addresses", ips);
			free(ips);
		}
	}
	char *ce = cf_http_escape(cid), *te = cf_http_escape(ch->id);
	char *path = cf_bk_path(c, "/clusters/%s/tokens/%s", ce, te), *text = cJSON_PrintUnformatted(b);
	int rc = b->child ? cf_http_request(&answer, c->base.impl, "PATCH", CF_HTTP_IDEMPOTENT, text, path, err) : CF_OK;
	if (rc == CF_OK && renamed)
		move_file(ctx, ch);
	cJSON_Delete(answer);
	cJSON_Delete(b);
	free(text);
	free(path);
	free(te);
	free(ce);
	return rc;
}

int cf_bk_token_apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	cf_bk_conn *c = cf_bk_of(ctx->conn);
	char *cid = NULL;
	int rc = cluster_of(&cid, ctx, c, ch, err);
	if (rc == CF_OK && ch->action == CF_CREATE) {
		rc = create(ctx, c, ch, cid, err);
	} else if (rc == CF_OK && ch->action == CF_UPDATE && ch->repair) { /* its value was lost */
		rc = revoke(c, cid, ch->id, err);
		if (rc == CF_OK)
			rc = create(ctx, c, ch, cid, err);
	} else if (rc == CF_OK && ch->action == CF_UPDATE) {
		rc = update(ctx, c, ch, cid, err);
	} else if (rc == CF_OK && ch->action == CF_DELETE) {
		rc = revoke(c, cid, ch->id, err);
		if (rc == CF_OK && ch->res) {
			char *dir = cf_token_dir(ctx->opts->token_dir), *name = cf_bk_token_name(cluster_ref(ch), ch->res->name);
			cf_token_forget(dir, name);
			free(name);
			free(dir);
		}
	}
	free(cid);
	return rc;
}

int cf_bk_token_preflight(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	static const char *const need[] = {"write_clusters", NULL};
	int rc = cf_bk_require_scopes(cf_bk_of(ctx->conn), need, "changing agent tokens", err);
	if (rc != CF_OK || (ch->action != CF_CREATE && !ch->repair))
		return rc;
	char *dir = cf_token_dir(ctx->opts->token_dir);
	rc = cf_token_dir_check(dir, err);
	free(dir);
	return rc;
}

/* ---- export ---- */

static cJSON *token_doc(const char *cluster, const cJSON *t)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "apiVersion", "buildkite/v1");
	cJSON_AddStringToObject(doc, "kind", "ClusterAgentToken");
	cJSON *meta = cJSON_AddObjectToObject(doc, "metadata");
	cJSON_AddStringToObject(meta, "cluster", cluster);
	cJSON_AddStringToObject(meta, "description", str(t, "description"));
	cJSON *spec = cJSON_AddObjectToObject(doc, "spec");
	char *all = cf_xstrdup(str(t, "allowed_ip_addresses")), *save = NULL;
	cJSON *ips = cJSON_CreateArray();
	for (char *w = strtok_r(all, " ", &save); w; w = strtok_r(NULL, " ", &save))
		cJSON_AddItemToArray(ips, cJSON_CreateString(w));
	free(all);
	if (cJSON_GetArraySize(ips))
		cJSON_AddItemToObject(spec, "allowed_ip_addresses", ips);
	else
		cJSON_Delete(ips);
	if (cf_bk_set(t, "expires_at"))
		cJSON_AddStringToObject(spec, "expires_at", str(t, "expires_at"));
	return doc;
}

/* A cluster's tokens without their values, beside the cluster's file;
 * tokens sharing a description are left out (they would be ambiguous). */
static int export_cluster(cf_export *out, cf_bk_conn *c, const cJSON *clusters, const cJSON *cl, cf_error *err)
{
	const char *ref = cf_bk_clusters_named(clusters, str(cl, "name")) == 1 ? str(cl, "name") : str(cl, "id");
	cJSON *tokens = NULL;
	char *e = cf_http_escape(str(cl, "id")), *path = cf_bk_path(c, "/clusters/%s/tokens", e);
	int rc = cf_bk_list(&tokens, c, path, err);
	const cJSON *t, *u;
	cJSON_ArrayForEach(t, (rc == CF_OK ? tokens : NULL)) {
		int same = 0;
		cJSON_ArrayForEach(u, tokens)
			same += !strcmp(str(u, "description"), str(t, "description"));
		if (same > 1 || strchr(str(t, "description"), '/') || !*str(t, "description"))
			continue;
		char *file = cf_xasprintf("token-%s.yaml", str(t, "id"));
		cf_export_add(out, "clusters", file, token_doc(ref, t));
		free(file);
	}
	cJSON_Delete(tokens);
	free(path);
	free(e);
	return rc;
}

int cf_bk_token_export(cf_export *out, const void *vctx, cf_error *err)
{
	return cf_bk_export_each_cluster(out, vctx, export_cluster, err);
}

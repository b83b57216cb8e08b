/*
 * secret_api: the ClusterSecret kind's writes and export (secret.c reads
 * and compares).
 *
 * Evidence (docs = buildkite/docs pages/apis/rest_api/clusters/secrets.md):
 * - POST /clusters/ID/secrets {key, value, description, policy}: 201;
 * - PUT .../secrets/ID {description, policy} ("Update a secret's
 *   description and access policy"; key and value are refused there);
 * - PUT .../secrets/ID/value {value} ("Update a secret's value");
 *   both PUTs move updated_at, so the value goes first: a later
 *   description PUT cannot hide a pending rotation from the next plan;
 * - DELETE .../secrets/ID: 204; 404 is done.
 * Values are never printed, logged or exported.
 */
#include "reconciler/providers/buildkite/kinds/secret.h"
#include "reconciler/providers/buildkite/kinds/queue.h"
#include "reconciler/providers/buildkite/export.h"
#include "reconciler/apply.h"
#include "reconciler/live.h"
#include "reconciler/manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *str(const cJSON *o, const char *key)
{
	return cf_bk_str(o, key);
}

/* The cluster UUID: the live secret's, else the manifest's reference
 * resolved afresh (a cluster created or renamed earlier in this run). */
static int cluster_of(char **out, cf_apply_ctx *ctx, cf_bk_conn *c, const cf_change *ch, cf_error *err)
{
	cJSON *api = ch->live ? cf_live_api(ch->live) : NULL;
	*out = cf_bk_set(api, "cluster_id") ? cf_xstrdup(str(api, "cluster_id")) : NULL;
	cJSON_Delete(api);
	const char *ref = ch->res ? cJSON_GetStringValue(cf_json_path(ch->res->doc, "metadata.cluster")) : NULL;
	const cJSON *clusters = NULL;
	int rc = CF_OK;
	if (!*out && ref) {
		cf_bk_clusters_forget(c);
		rc = cf_bk_clusters(&clusters, c, err);
		const char *id = rc == CF_OK ? cf_bk_queue_cluster_id(ctx->live->set, clusters, ref) : NULL;
		*out = id ? cf_xstrdup(id) : NULL;
	}
	if (rc == CF_OK && !*out)
		rc = cf_error_set(err, CF_ENOTFOUND, "%s: the organization has no cluster '%s'", ch->address, ref ? ref : "?");
	return rc;
}

typedef struct skey {
	const char *cluster_id, *key;
} skey;

static int lookup(cJSON **found, cf_bk_conn *c, const void *vkey, cf_error *err)
{
	const skey *k = vkey;
	cJSON *all = NULL;
	char *e = cf_http_escape(k->cluster_id), *path = cf_bk_path(c, "/clusters/%s/secrets", e);
	int rc = cf_bk_list(&all, c, path, err);
	const cJSON *s, *hit = NULL;
	cJSON_ArrayForEach(s, all)
		if (!hit && !strcmp(str(s, "key"), k->key))
			hit = s;
	*found = hit ? cJSON_Duplicate(hit, 1) : NULL;
	cJSON_Delete(all);
	free(path);
	free(e);
	return rc;
}

static void put_spec(cJSON *b, const cf_resource *r, const char *key)
{
	const cJSON *v = cf_json_path(r->doc, key);
	if (cJSON_IsString(v))
		cJSON_AddStringToObject(b, strchr(key, '.') + 1, v->valuestring);
}

/* Sends body (which may hold the value) and wipes its text after. */
static int send(cf_bk_conn *c, const char *method, const char *path, cJSON *b, cJSON **answer, cf_error *err)
{
	char *text = cJSON_PrintUnformatted(b);
	int rc = cf_http_request(answer, c->base.impl, method, CF_HTTP_IDEMPOTENT, text, path, err);
	memset(text, 0, strlen(text));
	free(text);
	return rc;
}

static int create(cf_apply_ctx *ctx, cf_bk_conn *c, const cf_change *ch, const char *cid, cf_error *err)
{
	cJSON *b = cJSON_CreateObject(), *answer = NULL;
	cJSON_AddStringToObject(b, "key", ch->res->name);
	put_spec(b, ch->res, "spec.value");
	put_spec(b, ch->res, "spec.description");
	put_spec(b, ch->res, "spec.policy");
	char *text = cJSON_PrintUnformatted(b), *e = cf_http_escape(cid), *path = cf_bk_path(c, "/clusters/%s/secrets", e);
	skey k = {.cluster_id = cid, .key = ch->res->name};
	int rc = cf_bk_create(&answer, c, path, text, lookup, &k, err);
	if (rc == CF_OK)
		cf_apply_created(ctx, ch->address, str(answer, "id"));
	memset(text, 0, strlen(text));
	cJSON_Delete(answer);
	cJSON_Delete(b);
	free(text);
	free(path);
	free(e);
	return rc;
}

/* The value first (a repair: value_set_after is after updated_at), then
 * the changed description and policy. */
static int update(cf_bk_conn *c, const cf_change *ch, const char *path, cf_error *err)
{
	int rc = CF_OK;
	cJSON *answer = NULL;
	if (ch->repair) {
		cJSON *v = cJSON_CreateObject();
		put_spec(v, ch->res, "spec.value");
		char *vpath = cf_xasprintf("%s/value", path);
		rc = send(c, "PUT", vpath, v, &answer, err);
		cJSON_Delete(answer);
		answer = NULL;
		free(vpath);
		cJSON_Delete(v);
	}
	cJSON *b = cJSON_CreateObject();
	for (size_t i = 0; i < ch->fields.count; i++)
		if (!strcmp(ch->fields.items[i].path, "spec.description") || !strcmp(ch->fields.items[i].path, "spec.policy"))
			put_spec(b, ch->res, ch->fields.items[i].path);
	if (rc == CF_OK && b->child)
		rc = send(c, "PUT", path, b, &answer, err);
	cJSON_Delete(answer);
	cJSON_Delete(b);
	return rc;
}

int cf_bk_secret_apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	cf_bk_conn *c = cf_bk_of(ctx->conn);
	char *cid = NULL;
	int rc = cluster_of(&cid, ctx, c, ch, err);
	if (rc == CF_OK && ch->action == CF_CREATE) {
		rc = create(ctx, c, ch, cid, err);
	} else if (rc == CF_OK) {
		char *ce = cf_http_escape(cid), *se = cf_http_escape(ch->id);
		char *path = cf_bk_path(c, "/clusters/%s/secrets/%s", ce, se);
		rc = ch->action == CF_UPDATE ? update(c, ch, path, err) : cf_http_delete(c->base.impl, path, err);
		free(path);
		free(se);
		free(ce);
	}
	free(cid);
	return rc;
}

int cf_bk_secret_preflight(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	(void)ch;
	static const char *const need[] = {"write_secrets", NULL};
	return cf_bk_require_scopes(cf_bk_of(ctx->conn), need, "changing cluster secrets", err);
}

/* ---- export ---- */

/* A cluster's secrets, without values: they plan as unchanged. */
static int export_cluster(cf_export *out, cf_bk_conn *c, const cJSON *clusters, const cJSON *cl, cf_error *err)
{
	const char *ref = cf_bk_clusters_named(clusters, str(cl, "name")) == 1 ? str(cl, "name") : str(cl, "id");
	bool safe = cf_schema_matches("[A-Za-z0-9._-]{1,100}", ref);
	cJSON *secrets = NULL;
	char *e = cf_http_escape(str(cl, "id")), *path = cf_bk_path(c, "/clusters/%s/secrets", e);
	int rc = cf_bk_list(&secrets, c, path, err);
	const cJSON *s;
	cJSON_ArrayForEach(s, (rc == CF_OK ? secrets : NULL)) {
		cJSON *doc = cJSON_CreateObject();
		cJSON_AddStringToObject(doc, "apiVersion", "buildkite/v1");
		cJSON_AddStringToObject(doc, "kind", "ClusterSecret");
		cJSON *meta = cJSON_AddObjectToObject(doc, "metadata");
		cJSON_AddStringToObject(meta, "cluster", ref);
		cJSON_AddStringToObject(meta, "key", str(s, "key"));
		cJSON *spec = cJSON_AddObjectToObject(doc, "spec");
		static const char *const keys[] = {"description", "policy", NULL};
		for (size_t i = 0; keys[i]; i++)
			if (cf_bk_set(s, keys[i]))
				cJSON_AddStringToObject(spec, keys[i], str(s, keys[i]));
		char *file = cf_xasprintf("secret-%s-%s.yaml", safe ? ref : str(cl, "id"), str(s, "key"));
		cf_export_add(out, "clusters", file, doc);
		free(file);
	}
	cJSON_Delete(secrets);
	free(path);
	free(e);
	return rc;
}

int cf_bk_secret_export(cf_export *out, const void *vctx, cf_error *err)
{
	return cf_bk_export_each_cluster(out, vctx, export_cluster, err);
}

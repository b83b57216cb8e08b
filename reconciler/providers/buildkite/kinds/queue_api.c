/*
 * queue_api: the ClusterQueue kind's writes and export (queue.c reads and
 * compares).
 *
 * Evidence (docs = buildkite/docs pages/apis/rest_api/clusters/queues.md,
 * gob = go-buildkite cluster_queues.go, tf = terraform-provider-buildkite
 * buildkite/resource_cluster_queue.go):
 * - POST /clusters/ID/queues {key, description, retry_agent_affinity,
 *   hostedAgents: {instanceShape}} answers 201; it takes no paused flag, so
 *   a paused queue is created, then paused (the core's deactivate);
 * - updates: PATCH (gob Update, tf updateClusterQueueViaREST; the docs say
 *   PUT) with the changed fields; a hosted shape changes only in size (docs);
 * - POST .../pause_dispatch {"dispatch_paused_note"} (docs example, gob
 *   ClusterQueuePause; the docs table says "note") and .../resume_dispatch;
 *   they answer 422 "already paused" / "is not paused", so the state is
 *   read first and re-read after a refusal (status, never text);
 * - DELETE answers 204; 404 is done;
 * - a cluster's default queue is set by the cluster's PUT default_queue_id
 *   (docs clusters.md Update), after the queue exists: a created queue the
 *   Cluster manifest names as default_queue is made the default here.
 */
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

/* The cluster UUID the change is about: the live queue's, else the
 * manifest's reference (a cluster created or renamed earlier in this run). */
static int cluster_of(char **out, cf_apply_ctx *ctx, cf_bk_conn *c, const cf_change *ch, cf_error *err)
{
	*out = NULL;
	cJSON *api = ch->live ? cf_live_api(ch->live) : NULL;
	if (cf_bk_set(api, "cluster_id"))
		*out = cf_xstrdup(str(api, "cluster_id"));
	cJSON_Delete(api);
	const char *ref = ch->res ? cJSON_GetStringValue(cf_json_path(ch->res->doc, "metadata.cluster")) : NULL;
	const cJSON *clusters = NULL;
	int rc = CF_OK;
	for (int pass = 0; !*out && ref && rc == CF_OK && pass < 2; pass++) {
		if (pass)
			cf_bk_clusters_forget(c); /* the cache may predate this run's cluster changes */
		rc = cf_bk_clusters(&clusters, c, err);
		const char *id = rc == CF_OK ? cf_bk_queue_cluster_id(ctx->live->set, clusters, ref) : NULL;
		*out = id ? cf_xstrdup(id) : NULL;
	}
	if (rc == CF_OK && !*out)
		rc = cf_error_set(err, CF_ENOTFOUND, "%s: the organization has no cluster '%s'", ch->address,
				  ref ? ref : "?");
	return rc;
}

static void put_spec(cJSON *b, const cf_resource *r, const char *key)
{
	const cJSON *v = cf_json_path(r->doc, key);
	if (cJSON_IsString(v))
		cJSON_AddStringToObject(b, strrchr(key, '.') + 1, v->valuestring);
}

static void put_shape(cJSON *b, const cf_resource *r)
{
	const char *shape = cJSON_GetStringValue(cf_json_path(r->doc, "spec.hosted_agents.instance_shape"));
	if (shape) /* docs Create/Update: hostedAgents.instanceShape, camelCase in the request only */
		cJSON_AddStringToObject(cJSON_AddObjectToObject(b, "hostedAgents"), "instanceShape", shape);
}

typedef struct qkey {
	const char *cluster_id, *key;
} qkey;

static int lookup(cJSON **found, cf_bk_conn *c, const void *vkey, cf_error *err)
{
	const qkey *k = vkey;
	cJSON *all = NULL;
	char *e = cf_http_escape(k->cluster_id), *path = cf_bk_path(c, "/clusters/%s/queues", e);
	int rc = cf_bk_list(&all, c, path, err);
	const cJSON *q, *hit = NULL;
	cJSON_ArrayForEach(q, all)
		if (!hit && !strcmp(str(q, "key"), k->key))
			hit = q;
	*found = hit ? cJSON_Duplicate(hit, 1) : NULL;
	cJSON_Delete(all);
	free(path);
	free(e);
	return rc;
}

/* The Cluster manifest of this cluster names the created queue as its
 * default: the cluster's PUT could not, the queue did not exist yet. */
static int make_default(cf_apply_ctx *ctx, cf_bk_conn *c, const char *cid, const char *key, const char *qid,
			cf_error *err)
{
	const cJSON *clusters = NULL;
	int rc = cf_bk_clusters(&clusters, c, err);
	const cf_resource *cl = rc == CF_OK ? cf_bk_queue_cluster_manifest(ctx->live->set, clusters, cid) : NULL;
	const char *want = cl ? cJSON_GetStringValue(cf_json_path(cl->doc, "spec.default_queue")) : NULL;
	if (!want || strcmp(want, key) != 0)
		return rc;
	char *e = cf_http_escape(cid), *path = cf_bk_path(c, "/clusters/%s", e);
	char *body = cf_xasprintf("{\"default_queue_id\":\"%s\"}", qid);
	cJSON *answer = NULL;
	rc = cf_http_request(&answer, c->base.impl, "PUT", CF_HTTP_IDEMPOTENT, body, path, err); /* docs Update */
	cJSON_Delete(answer);
	free(body);
	free(path);
	free(e);
	return rc;
}

static int create(cf_apply_ctx *ctx, cf_bk_conn *c, const cf_change *ch, const char *cid, cf_error *err)
{
	cJSON *b = cJSON_CreateObject(), *answer = NULL;
	cJSON_AddStringToObject(b, "key", ch->res->name);
	put_spec(b, ch->res, "spec.description");
	put_spec(b, ch->res, "spec.retry_agent_affinity");
	put_shape(b, ch->res);
	char *e = cf_http_escape(cid), *path = cf_bk_path(c, "/clusters/%s/queues", e), *text = cJSON_PrintUnformatted(b);
	qkey k = {.cluster_id = cid, .key = ch->res->name};
	int rc = cf_bk_create(&answer, c, path, text, lookup, &k, err);
	if (rc == CF_OK) {
		cf_apply_created(ctx, ch->address, str(answer, "id"));
		rc = make_default(ctx, c, cid, ch->res->name, str(answer, "id"), err);
	}
	cJSON_Delete(answer);
	cJSON_Delete(b);
	free(text);
	free(path);
	free(e);
	return rc;
}

static int update(cf_bk_conn *c, const cf_change *ch, const char *path, cf_error *err)
{
	cJSON *b = cJSON_CreateObject(), *answer = NULL;
	for (size_t i = 0; i < ch->fields.count; i++) {
		const char *f = ch->fields.items[i].path;
		if (!strcmp(f, "spec.hosted_agents.instance_shape"))
			put_shape(b, ch->res);
		else
			put_spec(b, ch->res, f);
	}
	char *text = cJSON_PrintUnformatted(b);
	int rc = cf_http_request(&answer, c->base.impl, "PATCH", CF_HTTP_IDEMPOTENT, text, path, err);
	cJSON_Delete(answer);
	cJSON_Delete(b);
	free(text);
	return rc;
}

static int paused_now(bool *paused, cf_bk_conn *c, const char *path, cf_error *err)
{
	cJSON *q = NULL;
	int rc = cf_http_request(&q, c->base.impl, "GET", CF_HTTP_IDEMPOTENT, NULL, path, err);
	*paused = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(q, "dispatch_paused"));
	cJSON_Delete(q);
	return rc;
}

/* Pause or resume, reading the state first and again after a refusal: a
 * 422 for a queue already in the wanted state is done (docs). */
static int set_paused(cf_bk_conn *c, const cf_change *ch, const char *path, bool pause, cf_error *err)
{
	bool now = false;
	int rc = paused_now(&now, c, path, err);
	if (rc != CF_OK || now == pause)
		return rc;
	cJSON *b = cJSON_CreateObject(), *answer = NULL;
	const char *note = ch->res ? cJSON_GetStringValue(cf_json_path(ch->res->doc, "spec.dispatch_paused_note")) : NULL;
	if (pause && note)
		cJSON_AddStringToObject(b, "dispatch_paused_note", note);
	char *text = pause ? cJSON_PrintUnformatted(b) : NULL;
	char *op = cf_xasprintf("%s/%s", path, pause ? "pause_dispatch" : "resume_dispatch");
	rc = cf_http_request(&answer, c->base.impl, "POST", CF_HTTP_IDEMPOTENT, text, op, err);
	if (rc == CF_EAPI) {
		cf_error again = {0};
		if (paused_now(&now, c, path, &again) == CF_OK && now == pause) {
			cf_error_clear(err);
			rc = CF_OK;
		}
		cf_error_clear(&again);
	}
	cJSON_Delete(answer);
	cJSON_Delete(b);
	free(text);
	free(op);
	return rc;
}

int cf_bk_queue_apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	cf_bk_conn *c = cf_bk_of(ctx->conn);
	char *cid = NULL;
	int rc = cluster_of(&cid, ctx, c, ch, err);
	if (rc == CF_OK && ch->action == CF_CREATE)
		rc = create(ctx, c, ch, cid, err);
	const char *qid = ch->action == CF_CREATE ? NULL : cf_apply_id(ctx, ch);
	char *ce = cid ? cf_http_escape(cid) : NULL, *qe = qid ? cf_http_escape(qid) : NULL;
	char *path = qe && rc == CF_OK ? cf_bk_path(c, "/clusters/%s/queues/%s", ce, qe) : NULL;
	if (path && ch->action == CF_UPDATE)
		rc = update(c, ch, path, err);
	else if (path && (ch->action == CF_ACTIVATE || ch->action == CF_DEACTIVATE))
		rc = set_paused(c, ch, path, ch->action == CF_DEACTIVATE, err);
	else if (path && ch->action == CF_DELETE)
		rc = cf_http_delete(c->base.impl, path, err); /* docs Delete: 204; 404 is done */
	free(path);
	free(qe);
	free(ce);
	free(cid);
	return rc;
}

int cf_bk_queue_preflight(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	(void)ch;
	static const char *const need[] = {"write_clusters", NULL};
	return cf_bk_require_scopes(cf_bk_of(ctx->conn), need, "changing cluster queues", err);
}

/* ---- export ---- */

static cJSON *queue_doc(const char *cluster, const cJSON *q)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "apiVersion", "buildkite/v1");
	cJSON_AddStringToObject(doc, "kind", "ClusterQueue");
	cJSON *meta = cJSON_AddObjectToObject(doc, "metadata");
	cJSON_AddStringToObject(meta, "cluster", cluster);
	cJSON_AddStringToObject(meta, "key", str(q, "key"));
	cJSON *spec = cJSON_AddObjectToObject(doc, "spec");
	static const char *const keys[] = {"description", "retry_agent_affinity", NULL};
	for (size_t i = 0; keys[i]; i++)
		if (cf_bk_set(q, keys[i]))
			cJSON_AddStringToObject(spec, keys[i], str(q, keys[i]));
	const char *shape = cJSON_GetStringValue(cf_json_path(q, "hosted_agents.instance_shape.name"));
	if (shape)
		cJSON_AddStringToObject(cJSON_AddObjectToObject(spec, "hosted_agents"), "instance_shape", shape);
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(q, "dispatch_paused"))) {
		cJSON_AddBoolToObject(spec, "dispatch_paused", true);
		if (cf_bk_set(q, "dispatch_paused_note"))
			cJSON_AddStringToObject(spec, "dispatch_paused_note", str(q, "dispatch_paused_note"));
	}
	return doc;
}

/* A cluster's queues, beside the cluster's own file (cluster.c): by name
 * when it is unique and file-safe, else by UUID. */
static int export_cluster(cf_export *out, cf_bk_conn *c, const cJSON *clusters, const cJSON *cl, cf_error *err)
{
	bool by_name = cf_bk_clusters_named(clusters, str(cl, "name")) == 1;
	const char *ref = by_name ? str(cl, "name") : str(cl, "id");
	bool safe = cf_schema_matches("[A-Za-z0-9._-]{1,100}", ref);
	cJSON *queues = NULL;
	char *e = cf_http_escape(str(cl, "id")), *path = cf_bk_path(c, "/clusters/%s/queues", e);
	int rc = cf_bk_list(&queues, c, path, err);
	const cJSON *q;
	cJSON_ArrayForEach(q, (rc == CF_OK ? queues : NULL)) {
		char *file = cf_xasprintf("queue-%s-%s.yaml", safe ? ref : str(cl, "id"), str(q, "key"));
		cf_export_add(out, "clusters", file, queue_doc(ref, q));
		free(file);
	}
	cJSON_Delete(queues);
	free(path);
	free(e);
	return rc;
}

/* export --cluster NAME|UUID exports its queues too; unknown or ambiguous
 * references were refused by the Cluster kind's export, which runs first. */
int cf_bk_queue_export(cf_export *out, const void *vctx, cf_error *err)
{
	return cf_bk_export_each_cluster(out, vctx, export_cluster, err);
}

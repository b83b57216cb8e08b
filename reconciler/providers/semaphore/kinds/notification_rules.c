/*
 * kind_notification: plan, apply and export of notifications.
 *
 * The server keeps a notification whole and gives it back as stored, nothing
 * masked (notifications/lib/notifications/api/public_api/): so the whole
 * spec compares, rules and filter lists in order, and an update is one PATCH
 * of name and spec (update.ex deletes every rule and creates them again).
 * Endpoints carry credentials: they are taken out of the rules and compared
 * as a secret set by MD5, and the live ones are kept in memory only as MD5s;
 * an apply that must keep a live endpoint ("<md5> [md5]") reads it again.
 * Each target's status (ACTIVE, or INACTIVE when disabled in Semaphore's UI)
 * is in the public API but not in the manifest: an update sends back what
 * live holds, so a disabled target stays disabled.
 */
#include "reconciler/apply.h"
#include "reconciler/codec.h"
#include "reconciler/providers/semaphore/api.h"
#include "reconciler/providers/semaphore/export.h"
#include "reconciler/providers/semaphore/kinds.h"
#include "reconciler/providers/semaphore/kinds/notification.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* notifications/lib/notifications/api/public_api/list.ex: at most 300 a page */
#define PAGE_SIZE 300
/* What the live copy holds instead of an endpoint. */
#define MASKED "(sensitive)"

static const char *str(const cJSON *o, const char *key)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
	return v ? v : "";
}

static cJSON *item(const cJSON *o, const char *key)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNull(v) ? NULL : v;
}

int cf_sem_list_pages(cJSON **out, cf_http_client *c, const char *path, const char *key, int page_size,
		      cf_error *err)
{
	const cf_sem_pager pg = {.by_number = false, .page_size = page_size, .max_pages = 100000, .key = key,
				 .shape = NULL};
	return cf_sem_list_many(out, c, &pg, &path, 1, err);
}

/* ---- comparing ---- */

static cJSON *list_or_empty(const cJSON *o, const char *key)
{
	const cJSON *v = item(o, key);
	return cJSON_IsArray(v) ? cJSON_Duplicate(v, 1) : cJSON_CreateArray();
}

static bool has_endpoint(const cJSON *t)
{
	return *str(t, "endpoint") || cJSON_HasObjectItem(t, "endpointFrom");
}

static int int_of(const cJSON *o, const char *key)
{
	const cJSON *v = item(o, key);
	return cJSON_IsNumber(v) ? v->valueint : cJSON_IsString(v) ? atoi(v->valuestring) : 0;
}

/* A target as compared, without endpoint nor status; null when it holds
 * nothing (the server reads a missing email back as an empty one:
 * util/transforms.ex public_nil_to_email). */
static cJSON *norm_target(const char *kind, const cJSON *t)
{
	if (!cJSON_IsObject(t))
		return cJSON_CreateNull();
	cJSON *n = cJSON_CreateObject();
	bool empty = !has_endpoint(t);
	if (!strcmp(kind, "slack")) {
		cJSON_AddItemToObject(n, "channels", list_or_empty(t, "channels"));
		cJSON_AddStringToObject(n, "message", str(t, "message"));
		empty = empty && !cJSON_GetArraySize(item(t, "channels")) && !*str(t, "message");
	} else if (!strcmp(kind, "email")) {
		static const char *const lists[] = {"cc", "bcc"};
		for (size_t i = 0; i < 2; i++) {
			cJSON_AddItemToObject(n, lists[i], list_or_empty(t, lists[i]));
			empty = empty && !cJSON_GetArraySize(item(t, lists[i]));
		}
		cJSON_AddStringToObject(n, "subject", str(t, "subject"));
		cJSON_AddStringToObject(n, "content", str(t, "content"));
		empty = empty && !*str(t, "subject") && !*str(t, "content");
	} else {
		cJSON_AddStringToObject(n, "action", str(t, "action"));
		cJSON_AddNumberToObject(n, "timeout", int_of(t, "timeout"));
		cJSON_AddNumberToObject(n, "retries", int_of(t, "retries"));
		cJSON_AddStringToObject(n, "secret", str(t, "secret"));
		empty = empty && !*str(t, "action") && !int_of(t, "timeout") && !int_of(t, "retries") &&
			!*str(t, "secret");
	}
	if (empty) {
		cJSON_Delete(n);
		return cJSON_CreateNull();
	}
	return n;
}

/* Rules as compared: lists in order (an empty one as none), targets that
 * hold something; endpoints are compared apart (the "endpoints" set). A live target disabled in Semaphore is noted:
 * the update keeps it disabled. */
static cJSON *norm_rules(const cJSON *rules, bool desired, cf_diff_ctx *ctx)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *r;
	int i = 0;
	cJSON_ArrayForEach(r, rules) {
		cJSON *n = cJSON_CreateObject();
		cJSON_AddStringToObject(n, "name", str(r, "name"));
		cJSON *filter = cJSON_AddObjectToObject(n, "filter");
		for (const char *const *l = cf_sem_notification_lists; *l; l++) /* empty lists left out: */
			if (cJSON_GetArraySize(item(item(r, "filter"), *l)) > 0) /* shorter plans, same result */
				cJSON_AddItemToObject(filter, *l, list_or_empty(item(r, "filter"), *l));
		cJSON *notify = cJSON_AddObjectToObject(n, "notify");
		for (const char *const *t = cf_sem_notification_targets; *t; t++) {
			const cJSON *target = item(item(r, "notify"), *t);
			cJSON *nt = norm_target(*t, target);
			if (cJSON_IsNull(nt))
				cJSON_Delete(nt);
			else
				cJSON_AddItemToObject(notify, *t, nt);
			if (!desired && ctx->notes && !strcmp(str(target, "status"), "INACTIVE")) {
				char *note = cf_xasprintf("spec.rules[%d].notify.%s is INACTIVE (disabled in Semaphore): "
							  "the update keeps it INACTIVE", i, *t);
				cJSON_AddItemToArray(ctx->notes, cJSON_CreateString(note));
				free(note);
			}
		}
		cJSON_AddItemToArray(out, n);
		i++;
	}
	return out;
}

const cf_diff_field cf_sem_notification_diff[] = {
	{
		.name = "spec.rules", .desired = "spec.rules", .live = "spec.rules", .fallback = "[]",
		.type = CF_D_VALUE, .normalize = norm_rules, .list_items = true,
	},
	{
		.name = CF_SEM_NOTIFICATION_ENDPOINTS, .desired = CF_SEM_NOTIFICATION_ENDPOINTS,
		.live = CF_SEM_NOTIFICATION_ENDPOINTS, .fallback = "[]", .type = CF_D_SECRETS,
		.key = "target", .value = "endpoint",
	},
	{.name = NULL},
};

/* ---- reading ---- */

/* The API's notification with every endpoint replaced by MASKED, and the
 * endpoint set as MD5s beside it: no endpoint stays in memory past here.
 * With plain, the endpoints are gathered as they are, for apply. */
static void mask_endpoints(cJSON *api, cJSON *set_md5, cJSON *set_plain)
{
	int i = 0;
	cJSON *r;
	cJSON_ArrayForEach(r, item(item(api, "spec"), "rules")) {
		static const char *const with_endpoint[] = {"slack", "webhook"};
		for (size_t k = 0; k < 2; k++) {
			const char *t = with_endpoint[k];
			cJSON *target = item(item(r, "notify"), t);
			cJSON *ep = cJSON_GetObjectItemCaseSensitive(target, "endpoint");
			if (!cJSON_IsString(ep) || !*ep->valuestring)
				continue;
			char key[64], md5[33];
			snprintf(key, sizeof(key), "rules[%d].%s", i, t);
			cf_md5_hex(ep->valuestring, strlen(ep->valuestring), md5);
			cJSON *e = cJSON_CreateObject();
			cJSON_AddStringToObject(e, "target", key);
			cJSON_AddStringToObject(e, "endpoint", set_plain ? ep->valuestring : md5);
			cJSON_AddItemToArray(set_plain ? set_plain : set_md5, e);
			memset(ep->valuestring, 0, strlen(ep->valuestring));
			cJSON_SetValuestring(ep, MASKED);
		}
		i++;
	}
}

int cf_sem_notification_read_live(cf_live *live, const cf_resource_set *set, cf_conn *conn, cf_diags *diags,
				  cf_error *err)
{
	(void)diags;
	cJSON *all = NULL;
	int rc = cf_sem_list_pages(&all, cf_sem_of(conn), "/notifications", "notifications", PAGE_SIZE, err);
	for (cJSON *n = rc == CF_OK ? all->child : NULL, *next; n; n = next) {
		next = n->next;
		const char *name = str(item(n, "metadata"), "name"), *id = str(item(n, "metadata"), "id");
		if (!*name || !*id) {
			rc = cf_error_set(err, CF_EAPI, "GET /notifications: the answer has an unexpected shape (a "
					  "notification without a name or an id)");
			break;
		}
		cJSON *api = cJSON_DetachItemViaPointer(all, n);
		mask_endpoints(api, cJSON_AddArrayToObject(api, CF_SEM_NOTIFICATION_ENDPOINTS), NULL);
		char *addr = cf_xasprintf("Notification/%s", name);
		char *nm = cf_xstrdup(name), *nid = cf_xstrdup(id);
		cf_live_add(live, set, &cf_sem_notification_kind, addr, nid, NULL, nm, api);
		free(addr);
		free(nm);
		free(nid);
	}
	cJSON_Delete(all);
	return rc;
}

/* ---- writing ---- */

/* The live endpoint a "<md5> [md5]" keeps: the one at the same place, else
 * any with that MD5 (the plan checked there is one). */
static const char *kept_endpoint(const cJSON *plain, const char *key, const char *placeholder)
{
	char want[33], md5[33];
	cf_md5_placeholder_hash(placeholder, want);
	const cJSON *e, *any = NULL;
	cJSON_ArrayForEach(e, plain) {
		const char *ep = str(e, "endpoint");
		cf_md5_hex(ep, strlen(ep), md5);
		if (strcasecmp(md5, want) != 0)
			continue;
		if (!strcmp(str(e, "target"), key))
			return ep;
		any = any ? any : e;
	}
	return any ? str(any, "endpoint") : NULL;
}

/* The live rule each desired rule takes its targets' status from: the
 * first live rule of the same name not taken yet. */
static const cJSON *live_twin(const cJSON *live_rules, const char *name, bool *taken)
{
	int i = 0;
	const cJSON *r;
	cJSON_ArrayForEach(r, live_rules) {
		if (!taken[i] && !strcmp(str(r, "name"), name)) {
			taken[i] = true;
			return r;
		}
		i++;
	}
	return NULL;
}

static cJSON *strings(const cJSON *o, const char *key)
{
	return list_or_empty(o, key);
}

static int target_body(cJSON *notify, const char *kind, const cJSON *t, const char *status, const char *key,
		       const cJSON *plain, cf_error *err)
{
	cJSON *b = cJSON_AddObjectToObject(notify, kind);
	if (strcmp(kind, "email") != 0) {
		const char *ep = str(t, "endpoint");
		if (cf_is_md5_placeholder(ep)) {
			ep = kept_endpoint(plain, key, ep);
			if (!ep)
				return cf_error_set(err, CF_EAPI, "%s: the live endpoint its [md5] placeholder keeps "
						    "is gone", key);
		}
		cJSON_AddStringToObject(b, "endpoint", ep);
	}
	if (!strcmp(kind, "slack")) {
		cJSON_AddItemToObject(b, "channels", strings(t, "channels"));
		cJSON_AddStringToObject(b, "message", str(t, "message"));
	} else if (!strcmp(kind, "email")) {
		cJSON_AddStringToObject(b, "subject", str(t, "subject"));
		cJSON_AddItemToObject(b, "cc", strings(t, "cc"));
		cJSON_AddItemToObject(b, "bcc", strings(t, "bcc"));
		cJSON_AddStringToObject(b, "content", str(t, "content"));
	} else {
		cJSON_AddNumberToObject(b, "timeout", int_of(t, "timeout"));
		cJSON_AddStringToObject(b, "action", str(t, "action"));
		cJSON_AddNumberToObject(b, "retries", int_of(t, "retries"));
		cJSON_AddStringToObject(b, "secret", str(t, "secret"));
	}
	cJSON_AddStringToObject(b, "status", status);
	return CF_OK;
}

/* The whole notification: every rule with every filter list and the targets
 * written, each with the status live holds (ACTIVE for a new one). A rule
 * must carry filter and notify, or the server crashes (validator.ex). */
static int notification_body(cJSON **out, const cf_change *ch, const cJSON *live_api, const cJSON *plain,
			     cf_error *err)
{
	const cf_resource *res = ch->res;
	cJSON *b = cJSON_CreateObject();
	cJSON_AddStringToObject(cJSON_AddObjectToObject(b, "metadata"), "name", res->name);
	cJSON *rules = cJSON_AddArrayToObject(cJSON_AddObjectToObject(b, "spec"), "rules");
	const cJSON *live_rules = item(item(live_api, "spec"), "rules");
	bool *taken = cf_xcalloc((size_t)cJSON_GetArraySize(live_rules) + 1, sizeof(bool));
	int rc = CF_OK, i = 0;
	const cJSON *r;
	cJSON_ArrayForEach(r, cf_json_path(res->doc, "spec.rules")) {
		cJSON *rule = cJSON_CreateObject();
		cJSON_AddItemToArray(rules, rule);
		cJSON_AddStringToObject(rule, "name", str(r, "name"));
		cJSON *filter = cJSON_AddObjectToObject(rule, "filter");
		for (const char *const *l = cf_sem_notification_lists; *l; l++)
			cJSON_AddItemToObject(filter, *l, strings(item(r, "filter"), *l));
		cJSON *notify = cJSON_AddObjectToObject(rule, "notify");
		const cJSON *twin = live_twin(live_rules, str(r, "name"), taken);
		for (const char *const *t = cf_sem_notification_targets; *t && rc == CF_OK; t++) {
			const cJSON *target = item(item(r, "notify"), *t);
			if (!target)
				continue;
			const char *status = str(item(item(twin, "notify"), *t), "status");
			char key[64];
			snprintf(key, sizeof(key), "rules[%d].%s", i, *t);
			rc = target_body(notify, *t, target, !strcmp(status, "INACTIVE") ? "INACTIVE" : "ACTIVE", key,
					 plain, err);
		}
		i++;
	}
	free(taken);
	if (rc != CF_OK) {
		cJSON_Delete(b);
		b = NULL;
	}
	*out = b;
	return rc;
}

static bool keeps_live_endpoint(const cf_resource *res)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, cf_json_path(res->doc, CF_SEM_NOTIFICATION_ENDPOINTS))
		if (cf_is_md5_placeholder(str(e, "endpoint")))
			return true;
	return false;
}

/* The live endpoints in plain text, read again only when a placeholder
 * keeps one (the plan holds MD5s only). */
static int plain_endpoints(cJSON **out, cf_http_client *c, const cf_change *ch, cf_error *err)
{
	*out = cJSON_CreateArray();
	if (ch->action != CF_UPDATE || !keeps_live_endpoint(ch->res))
		return CF_OK;
	char *id = cf_http_escape(ch->id), *path = cf_xasprintf("/notifications/%s", id);
	cJSON *n = NULL;
	int rc = cf_http_request(&n, c, "GET", CF_HTTP_IDEMPOTENT, NULL, path, err);
	if (rc == CF_OK)
		mask_endpoints(n, NULL, *out);
	cJSON_Delete(n);
	free(path);
	free(id);
	return rc;
}

static void wipe(cJSON *j)
{
	for (cJSON *c = j ? j->child : NULL; c; c = c->next)
		wipe(c);
	if (j && cJSON_IsString(j) && j->valuestring)
		memset(j->valuestring, 0, strlen(j->valuestring));
}

int cf_sem_notification_apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	cf_http_client *c = cf_sem_of(ctx->conn);
	if (ch->action == CF_DELETE) {
		char *id = cf_http_escape(ch->id), *path = cf_xasprintf("/notifications/%s", id);
		int rc = cf_http_delete(c, path, err);
		free(path);
		free(id);
		return rc;
	}
	if (ch->action != CF_CREATE && ch->action != CF_UPDATE)
		return CF_OK;
	cJSON *live = ch->live ? cf_live_api(ch->live) : NULL, *plain = NULL, *body = NULL, *answer = NULL;
	int rc = plain_endpoints(&plain, c, ch, err);
	if (rc == CF_OK)
		rc = notification_body(&body, ch, live, plain, err);
	char *text = body ? cJSON_PrintUnformatted(body) : NULL;
	if (rc == CF_OK && ch->action == CF_CREATE) {
		/* no idempotency token: looked up by name before it is sent again */
		char *e = cf_http_escape(ch->name), *lookup = cf_xasprintf("/notifications/%s", e);
		rc = cf_sem_create(&answer, c, "/notifications", text, lookup, err);
		free(lookup);
		free(e);
		if (rc == CF_OK)
			cf_apply_created(ctx, ch->address, str(item(answer, "metadata"), "id"));
	} else if (rc == CF_OK) {
		char *id = cf_http_escape(ch->id), *path = cf_xasprintf("/notifications/%s", id);
		rc = cf_http_request(&answer, c, "PATCH", CF_HTTP_IDEMPOTENT, text, path, err);
		free(path);
		free(id);
	}
	if (text)
		memset(text, 0, strlen(text));
	free(text);
	wipe(body);
	wipe(plain);
	wipe(answer);
	cJSON_Delete(body);
	cJSON_Delete(plain);
	cJSON_Delete(answer);
	cJSON_Delete(live);
	return rc;
}

/* ---- export ---- */

static void add_nonempty_list(cJSON *o, const char *key, const cJSON *v)
{
	if (cJSON_GetArraySize(v) > 0)
		cJSON_AddItemToObject(o, key, cJSON_Duplicate(v, 1));
}

static void add_nonempty_str(cJSON *o, const char *key, const char *v)
{
	if (*v)
		cJSON_AddStringToObject(o, key, v);
}

/* A live target as written in a manifest: defaults left out, the endpoint
 * as "<md5> [md5]" (the plan keeps the live one). NULL when empty. */
static cJSON *target_doc(const char *kind, const cJSON *t)
{
	cJSON *n = norm_target(kind, t);
	bool empty = cJSON_IsNull(n);
	cJSON_Delete(n);
	if (empty)
		return NULL;
	cJSON *o = cJSON_CreateObject();
	const char *ep = str(t, "endpoint");
	if (*ep) {
		char md5[33];
		cf_md5_hex(ep, strlen(ep), md5);
		char *ph = cf_xasprintf("%s [md5]", md5);
		cJSON_AddStringToObject(o, "endpoint", ph);
		free(ph);
	}
	static const char *const lists[] = {"channels", "cc", "bcc", NULL};
	static const char *const strs[] = {"message", "subject", "content", "action", "secret", NULL};
	for (const char *const *k = lists; *k; k++)
		add_nonempty_list(o, *k, item(t, *k));
	for (const char *const *k = strs; *k; k++)
		add_nonempty_str(o, *k, str(t, *k));
	if (!strcmp(kind, "webhook") && int_of(t, "timeout"))
		cJSON_AddNumberToObject(o, "timeout", int_of(t, "timeout"));
	if (!strcmp(kind, "webhook") && int_of(t, "retries"))
		cJSON_AddNumberToObject(o, "retries", int_of(t, "retries"));
	return o;
}

static cJSON *notification_doc(const cJSON *n)
{
	cJSON *d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "apiVersion", "v1alpha");
	cJSON_AddStringToObject(d, "kind", "Notification");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(d, "metadata"), "name", str(item(n, "metadata"), "name"));
	cJSON *rules = cJSON_AddArrayToObject(cJSON_AddObjectToObject(d, "spec"), "rules");
	const cJSON *r;
	cJSON_ArrayForEach(r, item(item(n, "spec"), "rules")) {
		cJSON *rule = cJSON_CreateObject();
		add_nonempty_str(rule, "name", str(r, "name"));
		cJSON *filter = cJSON_CreateObject();
		for (const char *const *l = cf_sem_notification_lists; *l; l++)
			add_nonempty_list(filter, *l, item(item(r, "filter"), *l));
		if (filter->child)
			cJSON_AddItemToObject(rule, "filter", filter);
		else
			cJSON_Delete(filter);
		cJSON *notify = cJSON_AddObjectToObject(rule, "notify");
		for (const char *const *t = cf_sem_notification_targets; *t; t++) {
			cJSON *td = target_doc(*t, item(item(r, "notify"), *t));
			if (td)
				cJSON_AddItemToObject(notify, *t, td);
		}
		cJSON_AddItemToArray(rules, rule);
	}
	return d;
}

int cf_sem_notification_export(cf_export *out, const void *vctx, cf_error *err)
{
	const cf_sem_export_ctx *ctx = vctx;
	if (!cf_export_wants(ctx->scope, "Notification"))
		return CF_OK;
	cJSON *all = NULL;
	int rc = cf_sem_list_pages(&all, ctx->c, "/notifications", "notifications", PAGE_SIZE, err);
	const cJSON *n;
	const cJSON *list = rc == CF_OK ? all : NULL;
	cJSON_ArrayForEach(n, list) {
		const char *name = str(item(n, "metadata"), "name");
		if (!cf_sem_export_segment(name))
			continue; /* a name with '/' cannot be addressed; none is made by ciform */
		char *file = cf_xasprintf("notification-%s.yaml", name);
		cf_export_add(out, "notifications", file, notification_doc(n));
		free(file);
	}
	wipe(all);
	cJSON_Delete(all);
	return rc;
}

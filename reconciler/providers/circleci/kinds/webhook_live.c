/*
 * webhook_live: reading and writing outbound webhooks (webhook.h).
 *
 * Routes (LABS ic/webhook.go; PUB internal/circleci/webhook/webhook.go):
 * GET /webhook?scope-id=PROJECT_UUID&scope-type=project (paged), POST
 * /webhook, GET|PUT|DELETE /webhook/{id}; the scope is immutable. Keys:
 * PUB sends verify-tls/signing-secret, which the service ignores (LABS
 * DESIGN.md: webhooks created so had no secret), so ciform sends snake_case,
 * reads both, and after every write GETs the webhook and fails unless the
 * secret is set and verify_tls is as wanted. Prune scope: the webhooks of a
 * project with a Webhook manifest. No idempotency key exists: a create
 * re-lists by name first, and a lost POST answer is re-read, never resent
 * blindly.
 */
#include "reconciler/providers/circleci/kinds/webhook.h"
#include "reconciler/diff.h"
#include "reconciler/manifest.h"
#include "reconciler/codec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *str(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

int cf_cci_webhook_list(cJSON **out, cf_conn *c, const char *project_id, cf_error *err)
{
	char *e = cf_http_escape(project_id), *path = cf_xasprintf("/webhook?scope-id=%s&scope-type=project", e);
	int rc = cf_cci_list(out, c, path, err);
	free(path);
	free(e);
	return rc;
}

bool cf_cci_webhook_verify_tls(const cJSON *w)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(w, "verify_tls");
	if (!cJSON_IsBool(v))
		v = cJSON_GetObjectItemCaseSensitive(w, "verify-tls");
	return cJSON_IsTrue(v);
}

bool cf_cci_webhook_has_secret(const cJSON *w)
{
	const char *s = str(w, "signing_secret") ? str(w, "signing_secret") : str(w, "signing-secret");
	return s && *s; /* "****" when set, "" when not (LABS WebhookSigningSecretMask) */
}

/* ---- reading ---- */

static char *project_of(const cf_resource *r)
{
	char *n = cf_cci_slug_normalize(cJSON_GetStringValue(cf_json_path(r->doc, "metadata.project")));
	for (char *q = n; *q; q++)
		*q = (char)(*q >= 'A' && *q <= 'Z' ? *q - 'A' + 'a' : *q);
	return n;
}

static const cf_resource *manifest_named(const cf_resource_set *set, const char *norm, const char *name)
{
	const cf_resource *found = NULL;
	for (size_t i = 0; i < set->count && !found; i++) {
		const cf_resource *r = &set->items[i];
		if (r->kind != &cf_cci_webhook_kind || !r->name || strcmp(r->name, name) != 0)
			continue;
		char *p = project_of(r);
		if (!strcmp(p, norm))
			found = r;
		free(p);
	}
	return found;
}

static char *md5_of(const char *s)
{
	char out[33];
	cf_md5_hex(s, strlen(s), out);
	return cf_xstrdup(out);
}

/* Whether anything but the secret would change: such an update is a PUT
 * that must carry the secret, which a signingSecretKeepLive spec lacks. */
static bool other_changes(const cJSON *doc, const cJSON *w)
{
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(doc, "spec");
	const cJSON *want = cJSON_GetObjectItemCaseSensitive(spec, "events"), *have = cJSON_GetObjectItemCaseSensitive(w, "events");
	bool events_differ = cJSON_GetArraySize(want) != cJSON_GetArraySize(have);
	const cJSON *e;
	cJSON_ArrayForEach(e, want) {
		bool found = false;
		const cJSON *h;
		cJSON_ArrayForEach(h, have)
			found = found || (cJSON_IsString(h) && !strcmp(h->valuestring, e->valuestring));
		events_differ = events_differ || !found;
	}
	const cJSON *tls = cJSON_GetObjectItemCaseSensitive(spec, "verifyTls");
	bool want_tls = !cJSON_IsBool(tls) || cJSON_IsTrue(tls);
	return events_differ || want_tls != cf_cci_webhook_verify_tls(w) ||
	       strcmp(str(spec, "url") ? str(spec, "url") : "", str(w, "url") ? str(w, "url") : "") != 0;
}

/* The live side the diff compares: verifyTls under either key, and the
 * secret as a set of one entry whose key says "present" (or, with
 * --rewrite-write-only, something no desired key equals). */
static void annotate(cJSON *api, const cf_resource *r, bool rewrite, cf_diags *diags, int *problems)
{
	cJSON_AddBoolToObject(api, "verifyTls", cf_cci_webhook_verify_tls(api));
	bool has = cf_cci_webhook_has_secret(api);
	cJSON *set = cJSON_AddArrayToObject(api, "signing");
	const cJSON *want = r ? cJSON_GetArrayItem(cf_json_path(r->doc, "spec.signing"), 0) : NULL;
	bool keep = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(want, "live"));
	if (r && keep && !has) {
		cf_resource_diag(diags, r, "spec.signingSecretKeepLive", "spec.signingSecretKeepLive: the live webhook "
				 "has no signing secret to keep: give signingSecret or signingSecretFrom");
		*problems = CF_EINVALID;
	} else if (r && keep && other_changes(r->doc, api)) {
		cf_resource_diag(diags, r, "spec.signingSecretKeepLive", "spec.signingSecretKeepLive: %s changes, and "
				 "the update (PUT /webhook/%s) must carry the signing secret: give signingSecret or "
				 "signingSecretFrom", r->address, str(api, "id"));
		*problems = CF_EINVALID;
	}
	if (has || (r && keep)) {
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "name", "signingSecret");
		char *cmp = md5_of(rewrite && !keep ? "rewrite: never equal to a desired key" : "p:present");
		cJSON_AddStringToObject(e, "cmp", cmp);
		free(cmp);
		cJSON_AddItemToArray(set, e);
	}
	cJSON_AddBoolToObject(api, "unverified", r && has && !keep && !rewrite);
}

static int read_project(cf_live *live, const cf_resource_set *set, const cf_resource *first, const char *norm,
			cf_conn *c, cf_diags *diags, cf_error *err)
{
	const char *slug = cJSON_GetStringValue(cf_json_path(first->doc, "metadata.project"));
	const cJSON *p = NULL;
	cJSON *list = NULL;
	int rc = cf_cci_project(&p, c, slug, err), problems = CF_OK;
	if (rc == CF_ENOTFOUND) {
		for (size_t i = 0; i < set->count; i++) {
			char *pn = set->items[i].kind == &cf_cci_webhook_kind ? project_of(&set->items[i]) : NULL;
			if (pn && !strcmp(pn, norm))
				cf_resource_diag(diags, &set->items[i], "metadata.project", "metadata.project: no project "
						 "%s (GET /project/%s answered 404)", slug, slug);
			free(pn);
		}
		cf_error_clear(err);
		return CF_EINVALID;
	}
	if (rc == CF_OK)
		rc = cf_cci_webhook_list(&list, c, str(p, "id"), err);
	char *slug_norm = cf_cci_slug_normalize(slug);
	for (cJSON *w = rc == CF_OK ? list->child : NULL, *next; w; w = next) {
		next = w->next;
		const char *name = str(w, "name"), *id = str(w, "id");
		if (!name || !id)
			continue;
		const cf_resource *r = manifest_named(set, norm, name);
		int twins = 0;
		char *ids = cf_xstrdup("");
		const cJSON *o;
		cJSON_ArrayForEach(o, list)
			if (str(o, "name") && !strcmp(str(o, "name"), name)) {
				char *more = cf_xasprintf("%s%s%s", ids, twins++ ? ", " : "", str(o, "id"));
				free(ids);
				ids = more;
			}
		if (twins > 1 && r) {
			cf_resource_diag(diags, r, "metadata.name", "metadata.name: %d live webhooks of %s are named %s "
					 "(ids %s): ciform cannot tell which is meant; delete the others", twins, slug, name, ids);
			problems = CF_EINVALID;
		}
		free(ids);
		if (twins > 1 && r)
			continue;
		/* the manifest's address, or one made the same way (the slug normalised) */
		char *addr = r ? cf_xstrdup(r->address)
			       : twins > 1 ? cf_xasprintf("Webhook/%s/%s@%s", slug_norm, name, id)
					   : cf_xasprintf("Webhook/%s/%s", slug_norm, name);
		cJSON *api = cJSON_DetachItemViaPointer(list, w);
		annotate(api, r && !r->absent ? r : NULL, cf_cci_of(c)->rewrite_write_only, diags, &problems);
		char *idc = cf_xstrdup(id), *namec = cf_xstrdup(name);
		cf_live_add(live, set, &cf_cci_webhook_kind, addr, idc, NULL, namec, api);
		free(idc);
		free(namec);
		free(addr);
	}
	cJSON_Delete(list);
	free(slug_norm);
	return rc == CF_OK ? problems : rc;
}

int cf_cci_webhook_read_live(cf_live *live, const cf_resource_set *set, cf_conn *c, cf_diags *diags, cf_error *err)
{
	int rc = CF_OK, problems = CF_OK;
	cJSON *seen = cJSON_CreateObject();
	for (size_t i = 0; set && i < set->count && rc == CF_OK; i++) {
		const cf_resource *r = &set->items[i];
		if (r->kind != &cf_cci_webhook_kind)
			continue;
		char *norm = project_of(r);
		if (!cJSON_HasObjectItem(seen, norm)) {
			cJSON_AddTrueToObject(seen, norm);
			rc = read_project(live, set, r, norm, c, diags, err);
			if (rc == CF_EINVALID) {
				problems = CF_EINVALID;
				rc = CF_OK;
			}
		}
		free(norm);
	}
	cJSON_Delete(seen);
	return rc == CF_OK ? problems : rc;
}

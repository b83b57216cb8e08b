/*
 * context_apply: carrying out a Context change (context.h).
 *
 * create: look the name up first (a run killed after its POST finds it and
 * goes on), POST /context {name, owner: {id, type: organization}} (PUB
 * internal/circleci/context/context.go Create), then restrictions, then
 * variables. update: restriction adds, restriction deletes, then variable
 * PUTs. delete: DELETE /context/{id}, which removes its variables (SEED
 * delete_context); a variable of its own (Context/NAME#VAR) is a DELETE of
 * that variable. PUT /context/{id}/environment-variable/{name} {"value"}
 * upserts (PUB envcontext/env.go Create; LABS ic/environment_variable.go),
 * so it may be retried; POSTs are never sent twice blindly (client.c).
 */
#include "reconciler/providers/circleci/kinds/context.h"
#include "reconciler/diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *str(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* The id of the organisation's context called name, or NULL (caller frees). */
static int find_context(char **id, cf_conn *c, const char *org_id, const char *name, cf_error *err)
{
	cJSON *list = NULL;
	*id = NULL;
	int rc = cf_cci_context_list(&list, c, org_id, err);
	const cJSON *x;
	cJSON_ArrayForEach(x, (rc == CF_OK ? list : (cJSON *)NULL))
		if (str(x, "name") && !strcmp(str(x, "name"), name) && str(x, "id"))
			*id = cf_xstrdup(str(x, "id"));
	cJSON_Delete(list);
	return rc;
}

static int create_context(char **id, cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	cf_conn *c = ctx->conn;
	const char *org = cJSON_GetStringValue(cf_json_path(ch->res->doc, "metadata.organization"));
	const char *org_id = NULL;
	int rc = cf_cci_org_id(&org_id, c, org, err);
	if (rc == CF_OK)
		rc = find_context(id, c, org_id, ch->name, err);
	if (rc != CF_OK || *id) {
		if (*id)
			cf_apply_note(ctx, ch, "found it already created (an earlier run's answer was lost): continuing");
		return rc;
	}
	cJSON *body = cJSON_CreateObject(), *answer = NULL;
	cJSON_AddStringToObject(body, "name", ch->name);
	cJSON *owner = cJSON_AddObjectToObject(body, "owner");
	cJSON_AddStringToObject(owner, "id", org_id);
	cJSON_AddStringToObject(owner, "type", "organization"); /* "account" is 400 (LABS ic/context.go) */
	bool lost = false;
	rc = cf_cci_post(&answer, c, "POST", "/context", body, &lost, err);
	if (rc == CF_OK && str(answer, "id")) {
		*id = cf_xstrdup(str(answer, "id"));
	} else if (rc == CF_OK || lost) {
		char *why = cf_xstrdup(rc == CF_OK ? "the answer has no id" : err->message);
		cf_error_clear(err);
		rc = find_context(id, c, org_id, ch->name, err);
		if (rc == CF_OK && !*id)
			rc = cf_error_set(err, CF_EAPI, "%s: POST /context: %s, and it is not there: the next run "
					  "creates it", ch->address, why);
		free(why);
	}
	cJSON_Delete(body);
	cJSON_Delete(answer);
	return rc;
}

/* The spec's restrictions as {restriction_type, restriction_value}. */
static int desired_restrictions(cJSON **out, cf_conn *c, const cJSON *doc, cf_error *err)
{
	*out = cJSON_CreateArray();
	const cJSON *r;
	int rc = CF_OK;
	cJSON_ArrayForEach(r, cf_json_path(doc, "spec.restrictions")) {
		const char *type = str(r, "expression") ? "expression" : "project";
		const char *value = str(r, "expression") ? str(r, "expression") : str(r, "projectId");
		if (str(r, "project")) {
			const cJSON *p = NULL;
			if ((rc = cf_cci_project(&p, c, str(r, "project"), err)) != CF_OK)
				return rc;
			value = str(p, "id");
		}
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "restriction_type", type);
		cJSON_AddStringToObject(e, "restriction_value", value ? value : "");
		cJSON_AddItemToArray(*out, e);
	}
	return rc;
}

static const cJSON *match(const cJSON *list, const cJSON *want)
{
	const cJSON *x;
	cJSON_ArrayForEach(x, list)
		if (str(x, "restriction_type") && str(x, "restriction_value") &&
		    !strcmp(str(x, "restriction_type"), str(want, "restriction_type")) &&
		    !strcasecmp(str(x, "restriction_value"), str(want, "restriction_value")))
			return x;
	return NULL;
}

static int add_restriction(cf_conn *c, const char *id, const char *path, const cJSON *want, const cf_change *ch,
			   cf_error *err)
{
	bool lost = false;
	int rc = cf_cci_post(NULL, c, "POST", path, want, &lost, err);
	if (rc == CF_OK || !lost)
		return rc;
	char *why = cf_xstrdup(err->message);
	cf_error_clear(err);
	cJSON *now = NULL;
	rc = cf_cci_context_restrictions(&now, c, id, err);
	if (rc == CF_OK && !match(now, want))
		rc = cf_error_set(err, CF_EAPI, "%s: %s, and the restriction is not there: the next run adds it",
				  ch->address, why);
	cJSON_Delete(now);
	free(why);
	return rc;
}

/* Makes the context's project and expression restrictions the spec's:
 * adds first, then deletes; group restrictions are never touched. */
static int sync_restrictions(cf_conn *c, const char *id, const cf_change *ch, cf_error *err)
{
	if (!cf_json_path(ch->res->doc, "spec.restrictions"))
		return CF_OK; /* omitted: left as live */
	cJSON *want = NULL, *have = NULL;
	int rc = desired_restrictions(&want, c, ch->res->doc, err);
	if (rc == CF_OK)
		rc = cf_cci_context_restrictions(&have, c, id, err);
	char *e = cf_http_escape(id), *path = cf_xasprintf("/context/%s/restrictions", e);
	const cJSON *x;
	cJSON_ArrayForEach(x, (rc == CF_OK ? want : (cJSON *)NULL))
		if (!match(have, x) && (rc = add_restriction(c, id, path, x, ch, err)) != CF_OK)
			break;
	cJSON_ArrayForEach(x, (rc == CF_OK ? have : (cJSON *)NULL)) {
		const char *type = str(x, "restriction_type"), *rid = str(x, "id");
		if (!type || !rid || !strcmp(type, "group") || match(want, x))
			continue;
		char *re = cf_http_escape(rid), *one = cf_xasprintf("%s/%s", path, re);
		rc = cf_http_delete(cf_cci_http(c), one, err);
		free(one);
		free(re);
		if (rc != CF_OK)
			break;
	}
	free(path);
	free(e);
	cJSON_Delete(want);
	cJSON_Delete(have);
	return rc;
}

/* PUTs the variables the change names (all of them for a create). */
static int put_vars(cf_conn *c, const char *id, const cf_change *ch, bool all, cf_error *err)
{
	char *e = cf_http_escape(id);
	int rc = CF_OK;
	const cJSON *v;
	cJSON_ArrayForEach(v, cf_json_path(ch->res->doc, "spec.envVars")) {
		const char *name = str(v, "name"), *value = str(v, "value");
		bool wanted = all;
		for (size_t i = 0; i < ch->fields.count && !wanted && name; i++) {
			const char *p = ch->fields.items[i].path;
			wanted = !strncmp(p, "spec.envVars.", 13) && !strcmp(p + 13, name);
		}
		if (!wanted || !name || !value)
			continue; /* keepLive entries have no value: never written */
		cJSON *body = cJSON_CreateObject();
		cJSON_AddStringToObject(body, "value", value); /* only "value" is read (LABS) */
		char *n = cf_http_escape(name), *path = cf_xasprintf("/context/%s/environment-variable/%s", e, n);
		rc = cf_cci_put(NULL, c, path, body, err);
		free(path);
		free(n);
		cJSON_Delete(body);
		if (rc != CF_OK)
			break;
	}
	free(e);
	return rc;
}

/* DELETE /context/{id}; every /context/{id} route answers 403 for a context
 * that is gone (LABS ic/context.go, DESIGN.md), so a 403 or 404 re-lists:
 * gone is done. */
static int delete_context(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	char *e = cf_http_escape(ch->id), *path = cf_xasprintf("/context/%s", e);
	cf_http_call call;
	cf_http_call_init(&call, "DELETE", CF_HTTP_IDEMPOTENT, NULL, "%s", path);
	int rc = cf_http_run(cf_cci_http(ctx->conn), &call, 1, err);
	if (rc != CF_OK && (call.status == 403 || call.status == 404)) {
		cJSON *api = cf_live_api(ch->live);
		const char *org_id = str(api, "organization_id");
		char *still = NULL;
		cf_error keep = *err;
		*err = (cf_error){0};
		rc = org_id ? find_context(&still, ctx->conn, org_id, ch->name, err) : CF_EAPI;
		if (rc == CF_OK && !still) {
			cf_error_clear(&keep);
		} else {
			cf_error_clear(err);
			*err = keep;
			rc = keep.code ? keep.code : CF_EAPI;
		}
		free(still);
		cJSON_Delete(api);
	}
	cf_http_call_clear(&call);
	free(path);
	free(e);
	return rc;
}

int cf_cci_context_apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	cf_conn *c = ctx->conn;
	if (ch->action == CF_DELETE && strchr(ch->address, '#')) {
		char *e = cf_http_escape(ch->id), *n = cf_http_escape(ch->name);
		char *path = cf_xasprintf("/context/%s/environment-variable/%s", e, n);
		int rc = cf_http_delete(cf_cci_http(c), path, err);
		free(path);
		free(n);
		free(e);
		return rc;
	}
	if (ch->action == CF_DELETE)
		return delete_context(ctx, ch, err);
	char *id = NULL;
	int rc = CF_OK;
	if (ch->action == CF_CREATE) {
		rc = create_context(&id, ctx, ch, err);
		if (rc == CF_OK)
			cf_apply_created(ctx, ch->address, id);
	} else {
		const char *have = cf_apply_id(ctx, ch);
		id = have ? cf_xstrdup(have) : NULL;
	}
	if (rc == CF_OK && !id)
		rc = cf_error_set(err, CF_EUSAGE, "%s: no context id", ch->address);
	if (rc == CF_OK)
		rc = sync_restrictions(c, id, ch, err);
	if (rc == CF_OK)
		rc = put_vars(c, id, ch, ch->action == CF_CREATE, err);
	free(id);
	return rc;
}

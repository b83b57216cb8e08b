/*
 * project_env_live: reading and writing a project's variables
 * (project_env.h).
 *
 * GET /project/{slug}/envvar lists them, every page, each value as "xxxx"
 * and a tail (LABS ic/environment_variable.go, measured; PUB envproject/
 * env.go List). A manifest's project that does not exist (404) is the
 * spec's problem. Writes: POST {name, value}; DELETE .../envvar/{name}.
 * No update route exists, so a changed value is DELETE then POST; a run
 * killed in between finds it missing and creates it. No idempotency key
 * exists either, so a POST is preceded by a GET of the name (an earlier
 * run's lost answer is adopted when the tail agrees), and a POST whose
 * answer is lost is checked by GET before it is sent again.
 */
#include "reconciler/providers/circleci/kinds/project_env.h"
#include "reconciler/diff.h"
#include "reconciler/manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *str(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static char *env_path(const char *slug, const char *name)
{
	char *p = cf_cci_slug_path(slug), *n = name ? cf_http_escape(name) : NULL;
	char *out = cf_xasprintf("/project/%s/envvar%s%s", p, n ? "/" : "", n ? n : "");
	free(n);
	free(p);
	return out;
}

int cf_cci_project_env_list(cJSON **out, cf_conn *c, const char *slug, cf_error *err)
{
	char *path = env_path(slug, NULL);
	int rc = cf_cci_list(out, c, path, err);
	free(path);
	return rc;
}

/* "xxxx" + tail -> tail (LABS ProjectEnvironmentVariable.Value). */
static const char *tail_of_masked(const char *v)
{
	return v && !strncmp(v, "xxxx", 4) ? v + 4 : (v ? v : "");
}

static const cJSON *desired_var(const cf_resource *r, const char *name)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, cf_json_path(r->doc, "spec.envVars"))
		if (str(e, "name") && !strcmp(str(e, "name"), name))
			return e;
	return NULL;
}

/* The environment of one manifest's project: listed variables compared by
 * tail, the others unmanaged items of their own. Live only when the
 * project has variables (none: nothing to delete, everything to create). */
static int read_one(cf_live *live, const cf_resource_set *set, const cf_resource *r, cf_conn *c, cf_diags *diags,
		    cf_error *err)
{
	const char *slug = cJSON_GetStringValue(cf_json_path(r->doc, "metadata.project"));
	const cJSON *p = NULL;
	int rc = cf_cci_project(&p, c, slug, err);
	if (rc == CF_ENOTFOUND) {
		cf_resource_diag(diags, r, "metadata.project", "metadata.project: no project %s (GET /project/%s "
				 "answered 404)", slug, slug);
		cf_error_clear(err);
		return CF_EINVALID;
	}
	cJSON *vars = NULL;
	if (rc == CF_OK)
		rc = cf_cci_project_env_list(&vars, c, slug, err);
	if (rc != CF_OK || !cJSON_GetArraySize(vars)) {
		cJSON_Delete(vars);
		return rc;
	}
	cJSON *api = cJSON_CreateObject();
	cJSON_AddStringToObject(api, "project_id", str(p, "id"));
	cJSON *mine = cJSON_AddArrayToObject(api, "envVars"), *all = cJSON_AddArrayToObject(api, "all");
	cJSON *unverified = cJSON_AddArrayToObject(api, "unverified");
	cJSON *replaced = cJSON_AddArrayToObject(api, "replaced");
	const cJSON *v;
	cJSON_ArrayForEach(v, vars) {
		const char *name = str(v, "name");
		const cJSON *want = name ? desired_var(r, name) : NULL;
		if (!name)
			continue;
		cJSON_AddItemToArray(all, cJSON_CreateString(name));
		if (want && !r->absent) {
			bool unv = false;
			char *cmp = cf_cci_live_cmp(want, tail_of_masked(str(v, "value")),
						    cf_cci_of(c)->rewrite_write_only, &unv);
			cJSON *e = cJSON_CreateObject();
			cJSON_AddStringToObject(e, "name", name);
			cJSON_AddStringToObject(e, "cmp", cmp);
			cJSON_AddItemToArray(mine, e);
			if (unv)
				cJSON_AddItemToArray(unverified, cJSON_CreateString(name));
			/* a value that will be written is replaced: keepLive ones never are */
			if (!unv && str(want, "value") && !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(want, "live")))
				cJSON_AddItemToArray(replaced, cJSON_CreateString(name));
			free(cmp);
		} else if (!r->absent) {
			char *addr = cf_xasprintf("%s#%s", r->address, name), *one = cf_xstrdup(name);
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "name", name);
			cf_live_add(live, set, &cf_cci_project_env_kind, addr, slug, NULL, one, o);
			free(one);
			free(addr);
		}
	}
	cJSON_Delete(vars);
	cf_live_add(live, set, &cf_cci_project_env_kind, r->address, slug, NULL, NULL, api);
	return CF_OK;
}

int cf_cci_project_env_read_live(cf_live *live, const cf_resource_set *set, cf_conn *c, cf_diags *diags,
				 cf_error *err)
{
	int rc = CF_OK, problems = CF_OK;
	for (size_t i = 0; set && i < set->count && rc == CF_OK; i++) {
		if (set->items[i].kind != &cf_cci_project_env_kind)
			continue;
		rc = read_one(live, set, &set->items[i], c, diags, err);
		if (rc == CF_EINVALID) {
			problems = CF_EINVALID;
			rc = CF_OK;
		}
	}
	return rc == CF_OK ? problems : rc;
}

/* ---- writing ---- */

/* GET one variable: *found, and its tail when found (caller frees). */
static int get_var(bool *found, char **tail, cf_conn *c, const char *slug, const char *name, cf_error *err)
{
	char *path = env_path(slug, name);
	cf_http_call call;
	cf_http_call_init(&call, "GET", CF_HTTP_IDEMPOTENT, NULL, "%s", path);
	int rc = cf_http_run(cf_cci_http(c), &call, 1, err);
	*found = rc == CF_OK;
	if (tail)
		*tail = *found ? cf_xstrdup(tail_of_masked(str(call.json, "value"))) : NULL;
	if (rc != CF_OK && call.status == 404) { /* missing (LABS GetProjectEnvironmentVariable) */
		cf_error_clear(err);
		rc = CF_OK;
	}
	cf_http_call_clear(&call);
	free(path);
	return rc;
}

static int delete_var(cf_conn *c, const char *slug, const char *name, cf_error *err)
{
	char *path = env_path(slug, name);
	cf_http_call call;
	cf_http_call_init(&call, "DELETE", CF_HTTP_IDEMPOTENT, NULL, "%s", path);
	int rc = cf_http_run(cf_cci_http(c), &call, 1, err);
	if (rc != CF_OK && call.status == 404) { /* gone already: done */
		cf_error_clear(err);
		rc = CF_OK;
	}
	cf_http_call_clear(&call);
	free(path);
	return rc;
}

/* One GET, then maybe a POST of {name, value}: an earlier run's variable
 * with the same tail is adopted (a matching tail is all the API can show),
 * one with another tail is deleted first. *lost: the POST got no answer. */
static int get_then_post(cf_apply_ctx *ctx, const cf_change *ch, const char *slug, const char *name,
			 const char *value, bool *lost, cf_error *err)
{
	cf_conn *c = ctx->conn;
	bool found = false;
	char *tail = NULL, *want = cf_cci_tail(value);
	int rc = get_var(&found, &tail, c, slug, name, err);
	bool same = found && want && tail && !strcmp(tail, want) && !cf_cci_of(c)->rewrite_write_only;
	if (rc == CF_OK && same) {
		char *n = cf_xasprintf("%s: found it already created with the same tail (an earlier request's "
				       "answer was lost): kept", name);
		cf_apply_note(ctx, ch, n);
		free(n);
	} else if (rc == CF_OK && found) {
		rc = delete_var(c, slug, name, err);
	}
	free(tail);
	free(want);
	*lost = false;
	if (rc != CF_OK || same)
		return rc;
	cJSON *body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "name", name);
	cJSON_AddStringToObject(body, "value", value);
	char *path = env_path(slug, NULL);
	rc = cf_cci_post(NULL, c, "POST", path, body, lost, err);
	free(path);
	cJSON_Delete(body);
	return rc;
}

/* A POST whose answer is lost is never resent blindly: the name is read
 * again, adopted when there, posted again when not (3 rounds at most). */
static int create_var(cf_apply_ctx *ctx, const cf_change *ch, const char *slug, const char *name, const char *value,
		      cf_error *err)
{
	bool lost = true;
	int rc = CF_OK;
	for (int round = 0; round < 3 && lost; round++) {
		if (round)
			cf_error_clear(err);
		rc = get_then_post(ctx, ch, slug, name, value, &lost, err);
	}
	return rc;
}

static const char *desired_value(const cf_change *ch, const char *name)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, cf_json_path(ch->res->doc, "spec.envVars"))
		if (str(e, "name") && !strcmp(str(e, "name"), name))
			return str(e, "value");
	return NULL;
}

/* Every variable the project has, as read: the delete of the whole environment. */
static int delete_all(const cf_change *ch, cf_conn *c, cf_error *err)
{
	cJSON *api = cf_live_api(ch->live);
	int rc = CF_OK;
	const cJSON *n;
	cJSON_ArrayForEach(n, cJSON_GetObjectItemCaseSensitive(api, "all"))
		if (cJSON_IsString(n) && (rc = delete_var(c, ch->id, n->valuestring, err)) != CF_OK)
			break;
	cJSON_Delete(api);
	return rc;
}

int cf_cci_project_env_apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	cf_conn *c = ctx->conn;
	if (ch->action == CF_DELETE)
		return strchr(ch->address, '#') ? delete_var(c, ch->id, ch->name, err) : delete_all(ch, c, err);
	const char *slug = cJSON_GetStringValue(cf_json_path(ch->res->doc, "metadata.project"));
	int rc = CF_OK;
	for (size_t i = 0; i < ch->fields.count && rc == CF_OK; i++) {
		const cf_field_change *f = &ch->fields.items[i];
		if (strncmp(f->path, "spec.envVars.", 13) != 0)
			continue;
		const char *name = f->path + 13, *value = desired_value(ch, name);
		if (!strcmp(f->change, "removed")) {
			rc = delete_var(c, slug, name, err);
			continue;
		}
		if (!value)
			continue; /* keepLive: never written */
		if (!strcmp(f->change, "changed"))
			rc = delete_var(c, slug, name, err); /* no update route: DELETE, then POST */
		if (rc == CF_OK)
			rc = create_var(ctx, ch, slug, name, value, err);
	}
	if (rc == CF_OK && ch->action == CF_CREATE)
		cf_apply_created(ctx, ch->address, slug);
	return rc;
}

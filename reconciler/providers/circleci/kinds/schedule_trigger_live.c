/*
 * schedule_trigger_live: reading and writing schedule triggers
 * (schedule_trigger.h).
 *
 * Routes (PUB internal/circleci/trigger/trigger.go; LABS ic/trigger.go):
 * GET|POST /projects/{project_id}/pipeline-definitions/{def}/triggers (all
 * items, no page token), GET|PATCH|DELETE /projects/{project_id}/triggers/{id}.
 * Cloud or Server is told by what the host answers: Server has no
 * pipeline-definitions API (LABS ic/trigger.go "CircleCI Server does not
 * route them"), so a 404 there makes the project's ScheduleTrigger
 * manifests a plan error. Prune scope: the schedule triggers of a project
 * with a ScheduleTrigger manifest; triggers of other providers (GitHub,
 * webhook) are never read as ours. No idempotency key exists, so a create
 * re-reads the project's triggers by event_name first, and a POST whose
 * answer is lost is never sent again blindly.
 */
#include "reconciler/providers/circleci/kinds/schedule_trigger.h"
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

int cf_cci_definitions(cJSON **out, bool *missing, cf_conn *c, const char *project_id, cf_error *err)
{
	/* {items: [{id, name, ...}]} (PUB internal/circleci/pipeline/pipeline.go List) */
	char *e = cf_http_escape(project_id), *path = cf_xasprintf("/projects/%s/pipeline-definitions", e);
	cf_http_call call;
	cf_http_call_init(&call, "GET", CF_HTTP_IDEMPOTENT, NULL, "%s", path);
	call.json = cf_cci_prefetched(c, path); /* read ahead with the plan's other reads */
	int rc = call.json ? CF_OK : cf_http_run(cf_cci_http(c), &call, 1, err);
	*out = NULL;
	*missing = rc != CF_OK && call.status == 404;
	if (*missing) {
		cf_error_clear(err);
		rc = CF_OK;
	} else if (rc == CF_OK) {
		*out = cJSON_DetachItemFromObjectCaseSensitive(call.json, "items");
		if (!cJSON_IsArray(*out))
			rc = cf_error_set(err, CF_EAPI, "GET %s: the answer has an unexpected shape (no items list)", path);
	}
	if (rc != CF_OK) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	cf_http_call_clear(&call);
	free(path);
	free(e);
	return rc;
}

int cf_cci_schedule_triggers(cJSON **out, cf_conn *c, const char *project_id, const cJSON *defs, cf_error *err)
{
	*out = cJSON_CreateArray();
	int rc = CF_OK;
	const cJSON *d;
	char *pe = cf_http_escape(project_id);
	cJSON_ArrayForEach(d, defs) {
		if (!str(d, "id"))
			continue;
		char *de = cf_http_escape(str(d, "id"));
		char *path = cf_xasprintf("/projects/%s/pipeline-definitions/%s/triggers", pe, de);
		cJSON *items = NULL;
		rc = cf_cci_list(&items, c, path, err); /* all items, no token (LABS ListTriggers) */
		free(path);
		free(de);
		if (rc != CF_OK)
			break;
		for (cJSON *t = items->child, *next; t; t = next) {
			next = t->next;
			const char *provider = cJSON_GetStringValue(cf_json_path(t, "event_source.provider"));
			if (!provider || strcmp(provider, "schedule") != 0 || !str(t, "id"))
				continue; /* GitHub and webhook triggers are not this kind's */
			cJSON *mine = cJSON_DetachItemViaPointer(items, t);
			cJSON_AddStringToObject(mine, "definition_id", str(d, "id"));
			cJSON_AddItemToArray(*out, mine);
		}
		cJSON_Delete(items);
	}
	free(pe);
	if (rc != CF_OK) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return rc;
}

/* ---- reading ---- */

static char *project_of(const cf_resource *r)
{
	return cf_cci_slug_normalize(cJSON_GetStringValue(cf_json_path(r->doc, "metadata.project")));
}

static bool same_project(const cf_resource *r, const char *norm)
{
	char *p = project_of(r);
	bool same = !strcasecmp(p, norm);
	free(p);
	return same;
}

/* The definition a manifest names, by UUID or by name: its id, or NULL with
 * the problem reported. */
static const char *resolve_definition(const cf_resource *r, const cJSON *defs, const char *project_id,
				      cf_diags *diags)
{
	const char *want = cJSON_GetStringValue(cf_json_path(r->doc, "spec.pipelineDefinition"));
	const cJSON *d, *found = NULL;
	int by_name = 0;
	char *names = cf_xstrdup("");
	cJSON_ArrayForEach(d, defs) {
		const char *id = str(d, "id"), *name = str(d, "name");
		if (id && want && !strcasecmp(id, want)) {
			free(names);
			return id;
		}
		if (name && want && !strcmp(name, want)) {
			found = d;
			by_name++;
		}
		char *next = cf_xasprintf("%s%s%s", names, *names ? ", " : "", name ? name : id ? id : "?");
		free(names);
		names = next;
	}
	if (by_name == 1) {
		free(names);
		return str(found, "id");
	}
	if (by_name > 1)
		cf_resource_diag(diags, r, "spec.pipelineDefinition", "spec.pipelineDefinition: %d pipeline "
				 "definitions of the project are named %s: give its UUID", by_name, want);
	else
		cf_resource_diag(diags, r, "spec.pipelineDefinition", "spec.pipelineDefinition: the project has no "
				 "pipeline definition %s (GET /projects/%s/pipeline-definitions lists: %s)", want ? want : "",
				 project_id, *names ? names : "none");
	free(names);
	return NULL;
}

static const cf_resource *manifest_named(const cf_resource_set *set, const char *norm, const char *name)
{
	for (size_t i = 0; i < set->count; i++) {
		const cf_resource *r = &set->items[i];
		if (r->kind == &cf_cci_schedule_trigger_kind && r->name && !strcmp(r->name, name) &&
		    same_project(r, norm))
			return r;
	}
	return NULL;
}

static int count_named(const cJSON *triggers, const char *name, char **ids)
{
	int n = 0;
	const cJSON *t;
	*ids = cf_xstrdup("");
	cJSON_ArrayForEach(t, triggers)
		if (str(t, "event_name") && !strcmp(str(t, "event_name"), name)) {
			char *next = cf_xasprintf("%s%s%s", *ids, n++ ? ", " : "", str(t, "id"));
			free(*ids);
			*ids = next;
		}
	return n;
}

/* Adds what read_live compares: the definition as the spec names it (or the
 * live one's name), and why an update must be a replacement. */
static void annotate(cJSON *api, const cf_resource *r, const cJSON *defs, const char *want_def)
{
	const char *have = str(api, "definition_id");
	const char *spec_ref = r ? cJSON_GetStringValue(cf_json_path(r->doc, "spec.pipelineDefinition")) : NULL;
	const char *shown = NULL;
	const cJSON *d;
	cJSON_ArrayForEach(d, defs)
		if (have && str(d, "id") && !strcmp(str(d, "id"), have))
			shown = str(d, "name");
	bool same_def = want_def && have && !strcasecmp(want_def, have);
	cJSON *view = cJSON_AddObjectToObject(api, "pipelineDefinition");
	cJSON_AddStringToObject(view, "shown", same_def && spec_ref ? spec_ref : shown ? shown : have);
	const cJSON *lp = cJSON_GetObjectItemCaseSensitive(api, "parameters");
	const cJSON *dp = r ? cf_json_path(r->doc, "spec.parameters") : NULL;
	const char *why = "";
	if (r && want_def && !same_def)
		why = "the pipeline definition changes (a trigger cannot move: the PATCH route has no definition; "
		      "PUB internal/circleci/trigger/trigger.go)";
	else if (r && cJSON_IsObject(lp) && lp->child && !(dp && dp->child))
		why = "every parameter is removed (a PATCH cannot clear them: PUB trigger_resource.go "
		      "triggerParametersRequiresReplaceIfCleared)";
	cJSON_AddStringToObject(view, "replace", why);
}

/* The live triggers of one project (norm), against its manifests. */
static int read_project(cf_live *live, const cf_resource_set *set, const cf_resource *first, const char *norm,
			cf_conn *c, cf_diags *diags, cf_error *err)
{
	const char *slug = cJSON_GetStringValue(cf_json_path(first->doc, "metadata.project"));
	const cJSON *p = NULL;
	int rc = cf_cci_project(&p, c, slug, err), problems = CF_OK;
	cJSON *defs = NULL, *triggers = NULL;
	bool missing = false;
	if (rc == CF_OK)
		rc = cf_cci_definitions(&defs, &missing, c, str(p, "id"), err);
	for (size_t i = 0; i < set->count && (rc == CF_ENOTFOUND || (rc == CF_OK && missing)); i++) {
		const cf_resource *r = &set->items[i];
		if (r->kind != &cf_cci_schedule_trigger_kind || !same_project(r, norm))
			continue;
		if (rc == CF_ENOTFOUND)
			cf_resource_diag(diags, r, "metadata.project", "metadata.project: no project %s (GET /project/%s "
					 "answered 404)", slug, slug);
		else
			cf_resource_diag(diags, r, "metadata.project", "metadata.project: %s has no pipeline-definitions "
					 "API (GET /projects/%s/pipeline-definitions answered 404), so no trigger API: "
					 "schedule triggers need CircleCI Cloud (CircleCI Server has neither)",
					 cf_cci_of(c)->host, str(p, "id"));
		problems = CF_EINVALID;
	}
	if (rc == CF_ENOTFOUND || (rc == CF_OK && missing)) {
		cf_error_clear(err);
		cJSON_Delete(defs);
		return CF_EINVALID;
	}
	if (rc == CF_OK)
		rc = cf_cci_schedule_triggers(&triggers, c, str(p, "id"), defs, err);
	char *slug_norm = cf_cci_slug_normalize(slug);
	for (cJSON *t = rc == CF_OK ? triggers->child : NULL, *next; t; t = next) {
		next = t->next;
		const char *name = str(t, "event_name"), *id = str(t, "id");
		if (!name)
			continue;
		const cf_resource *r = manifest_named(set, norm, name);
		char *ids = NULL;
		int twins = count_named(triggers, name, &ids);
		if (twins > 1 && r) {
			cf_resource_diag(diags, r, "metadata.name", "metadata.name: %d live schedule triggers of %s are "
					 "named %s (ids %s): ciform cannot tell which is meant; delete the others",
					 twins, slug, name, ids);
			problems = CF_EINVALID;
			free(ids);
			break;
		}
		free(ids);
		const char *want_def = r && !r->absent ? resolve_definition(r, defs, str(p, "id"), diags) : NULL;
		if (r && !r->absent && !want_def)
			problems = CF_EINVALID;
		/* the manifest's address, or one made the same way (the slug normalised) */
		char *addr = r ? cf_xstrdup(r->address)
			       : twins > 1 ? cf_xasprintf("ScheduleTrigger/%s/%s@%s", slug_norm, name, id)
					   : cf_xasprintf("ScheduleTrigger/%s/%s", slug_norm, name);
		cJSON *api = cJSON_DetachItemViaPointer(triggers, t);
		cJSON_AddStringToObject(api, "project_id", str(p, "id"));
		annotate(api, r && !r->absent ? r : NULL, defs, want_def);
		char *idc = cf_xstrdup(id), *namec = cf_xstrdup(name);
		cf_live_add(live, set, &cf_cci_schedule_trigger_kind, addr, idc, NULL, namec, api);
		free(idc);
		free(namec);
		free(addr);
	}
	/* manifests with no live trigger yet: their definition must exist too */
	for (size_t i = 0; rc == CF_OK && i < set->count; i++) {
		const cf_resource *r = &set->items[i];
		if (r->kind == &cf_cci_schedule_trigger_kind && !r->absent && same_project(r, norm) &&
		    !cf_live_find(live, r->address) && !resolve_definition(r, defs, str(p, "id"), diags))
			problems = CF_EINVALID;
	}
	cJSON_Delete(defs);
	cJSON_Delete(triggers);
	free(slug_norm);
	return rc == CF_OK ? problems : rc;
}

int cf_cci_trigger_read_live(cf_live *live, const cf_resource_set *set, cf_conn *c, cf_diags *diags, cf_error *err)
{
	int rc = CF_OK, problems = CF_OK;
	cJSON *seen = cJSON_CreateObject();
	for (size_t i = 0; set && i < set->count && rc == CF_OK; i++) {
		const cf_resource *r = &set->items[i];
		if (r->kind != &cf_cci_schedule_trigger_kind)
			continue;
		char *norm = project_of(r);
		for (char *q = norm; *q; q++)
			*q = (char)(*q >= 'A' && *q <= 'Z' ? *q - 'A' + 'a' : *q);
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

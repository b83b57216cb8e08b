/*
 * schedule_trigger_apply: carrying out a ScheduleTrigger change
 * (schedule_trigger.h).
 *
 * create: re-read the project's schedule triggers by event_name (a run
 * killed after its POST finds it and adopts it), then POST
 * /projects/{id}/pipeline-definitions/{def}/triggers; an answer that is lost
 * (transport failure, 5xx) is re-read, adopted when there, posted again
 * when not (3 rounds). update: PATCH /projects/{id}/triggers/{id} with the
 * whole definition, except when every parameter is removed or the
 * definition changes: then DELETE and create (read_live said so in the
 * plan). delete: DELETE, a 404 being done. The attribution actor is sent
 * on create only: it reads back as an id, so it is never compared (LABS
 * ic/trigger.go TriggerScheduleInput, attribution_actor omitempty).
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

static const char *spec_str(const cf_change *ch, const char *key)
{
	return str(cJSON_GetObjectItemCaseSensitive(ch->res->doc, "spec"), key);
}

/* The body of a POST (create) or a PATCH: event_source {provider: schedule,
 * schedule {cron_expression, attribution_actor (create only)}}, event_name,
 * checkout_ref, config_ref, parameters (when any), disabled (PUB
 * trigger/trigger.go Trigger; LABS CreateTriggerInput, UpdateTriggerInput). */
static cJSON *trigger_body(const cf_change *ch, bool create)
{
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(ch->res->doc, "spec");
	cJSON *b = cJSON_CreateObject();
	cJSON *es = cJSON_AddObjectToObject(b, "event_source");
	cJSON_AddStringToObject(es, "provider", "schedule");
	cJSON *sch = cJSON_AddObjectToObject(es, "schedule");
	cJSON_AddStringToObject(sch, "cron_expression", str(spec, "cron"));
	if (create) /* a word on write, an {id} on read: sent once, never compared */
		cJSON_AddStringToObject(sch, "attribution_actor",
					str(spec, "attributionActor") ? str(spec, "attributionActor") : "system");
	cJSON_AddStringToObject(b, "event_name", ch->name);
	cJSON_AddStringToObject(b, "checkout_ref", str(spec, "checkoutRef"));
	cJSON_AddStringToObject(b, "config_ref", str(spec, "configRef"));
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(spec, "parameters");
	if (cJSON_IsObject(params) && params->child) /* typed values (PUB CHANGELOG #122) */
		cJSON_AddItemToObject(b, "parameters", cJSON_Duplicate(params, 1));
	cJSON_AddBoolToObject(b, "disabled", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(spec, "disabled")));
	return b;
}

/* The project's id and the id of the definition the spec names. */
static int where(char **project_id, char **def_id, cf_conn *c, const cf_change *ch, cf_error *err)
{
	const char *slug = cJSON_GetStringValue(cf_json_path(ch->res->doc, "metadata.project"));
	const char *want = spec_str(ch, "pipelineDefinition");
	const cJSON *p = NULL;
	cJSON *defs = NULL;
	bool missing = false;
	*project_id = *def_id = NULL;
	int rc = cf_cci_project(&p, c, slug, err);
	if (rc == CF_OK)
		rc = cf_cci_definitions(&defs, &missing, c, str(p, "id"), err);
	if (rc == CF_OK && missing)
		rc = cf_error_set(err, CF_EAPI, "%s: GET /projects/%s/pipeline-definitions answered 404: no trigger "
				  "API on this host", ch->address, str(p, "id"));
	const cJSON *d;
	cJSON_ArrayForEach(d, (rc == CF_OK ? defs : (cJSON *)NULL))
		if (str(d, "id") && want && (!strcasecmp(str(d, "id"), want) || (str(d, "name") &&
									  !strcmp(str(d, "name"), want))))
			*def_id = cf_xstrdup(str(d, "id"));
	if (rc == CF_OK && !*def_id)
		rc = cf_error_set(err, CF_EAPI, "%s: no pipeline definition %s", ch->address, want ? want : "");
	if (rc == CF_OK)
		*project_id = cf_xstrdup(str(p, "id"));
	cJSON_Delete(defs);
	return rc;
}

/* The id of the project's schedule trigger named name, or NULL. */
static int find_trigger(char **id, cf_conn *c, const char *project_id, const char *name, cf_error *err)
{
	cJSON *defs = NULL, *all = NULL;
	bool missing = false;
	*id = NULL;
	int rc = cf_cci_definitions(&defs, &missing, c, project_id, err);
	if (rc == CF_OK && !missing)
		rc = cf_cci_schedule_triggers(&all, c, project_id, defs, err);
	const cJSON *t;
	cJSON_ArrayForEach(t, (rc == CF_OK ? all : (cJSON *)NULL))
		if (!*id && str(t, "event_name") && !strcmp(str(t, "event_name"), name))
			*id = cf_xstrdup(str(t, "id"));
	cJSON_Delete(defs);
	cJSON_Delete(all);
	return rc;
}

static int create_trigger(char **id, cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	cf_conn *c = ctx->conn;
	char *project_id = NULL, *def_id = NULL;
	int rc = where(&project_id, &def_id, c, ch, err);
	cJSON *body = rc == CF_OK ? trigger_body(ch, true) : NULL;
	char *pe = project_id ? cf_http_escape(project_id) : NULL, *de = def_id ? cf_http_escape(def_id) : NULL;
	char *path = rc == CF_OK ? cf_xasprintf("/projects/%s/pipeline-definitions/%s/triggers", pe, de) : NULL;
	bool lost = true;
	for (int round = 0; rc == CF_OK && lost && round < 3; round++) {
		rc = find_trigger(id, c, project_id, ch->name, err);
		if (rc != CF_OK || *id) {
			if (*id)
				cf_apply_note(ctx, ch, "found it already created (an earlier request's answer was lost): "
					      "adopted");
			break;
		}
		cJSON *answer = NULL;
		rc = cf_cci_post(&answer, c, "POST", path, body, &lost, err);
		if (rc == CF_OK && str(answer, "id"))
			*id = cf_xstrdup(str(answer, "id"));
		else if (rc == CF_OK)
			lost = true; /* no id in the answer: read it back */
		if (lost && round < 2) {
			cf_error_clear(err);
			rc = CF_OK;
		}
		cJSON_Delete(answer);
	}
	free(path);
	free(pe);
	free(de);
	cJSON_Delete(body);
	free(project_id);
	free(def_id);
	return rc;
}

static char *trigger_path(const cf_change *ch, const char *id)
{
	cJSON *api = cf_live_api(ch->live);
	char *pe = cf_http_escape(str(api, "project_id") ? str(api, "project_id") : "");
	char *te = cf_http_escape(id);
	char *path = cf_xasprintf("/projects/%s/triggers/%s", pe, te);
	free(pe);
	free(te);
	cJSON_Delete(api);
	return path;
}

static int delete_trigger(cf_conn *c, const cf_change *ch, cf_error *err)
{
	char *path = trigger_path(ch, ch->id);
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

static bool must_replace(const cf_change *ch)
{
	cJSON *api = cf_live_api(ch->live);
	const char *why = cJSON_GetStringValue(cf_json_path(api, "pipelineDefinition.replace"));
	bool yes = why && *why;
	cJSON_Delete(api);
	return yes;
}

int cf_cci_trigger_apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	cf_conn *c = ctx->conn;
	if (ch->action == CF_DELETE)
		return delete_trigger(c, ch, err);
	int rc = CF_OK;
	char *id = NULL;
	if (ch->action == CF_UPDATE && !must_replace(ch)) {
		/* a PATCH sends the same values again harmlessly: retried like a read */
		cJSON *body = trigger_body(ch, false);
		char *text = cJSON_PrintUnformatted(body), *path = trigger_path(ch, ch->id);
		cJSON *answer = NULL;
		rc = cf_http_request(&answer, cf_cci_http(c), "PATCH", CF_HTTP_IDEMPOTENT, text, path, err);
		cJSON_Delete(answer);
		free(path);
		free(text);
		cJSON_Delete(body);
		return rc;
	}
	if (ch->action == CF_UPDATE)
		rc = delete_trigger(c, ch, err); /* DELETE, then POST (the plan says replaced) */
	if (rc == CF_OK)
		rc = create_trigger(&id, ctx, ch, err);
	if (rc == CF_OK && ch->action == CF_CREATE)
		cf_apply_created(ctx, ch->address, id);
	free(id);
	return rc;
}

/*
 * project_secret: the ProjectSecret (apiVersion v1,
 * /api/v1/projects/PROJECT/secrets), the document `sem get secret NAME -p
 * PROJECT -o yaml` prints (semaphoreci/cli api/models/project_secret_v1.go),
 * with values as for organisation secrets (secret_data.h).
 *
 * Server behaviour, semaphoreio/semaphore secrethub/lib/secrethub/:
 * - the path takes the project's UUID: a project name may hold "." and then
 *   misses the gateway's route (helm-chart/templates/emissary-ingress/
 *   mappings.yaml, [a-zA-Z0-9_-]+), and an unknown name is a 500
 *   (project_secrets_public_api.ex ensure_project_id);
 * - a PATCH casts metadata.project_id_or_name into the secret's project_id: a
 *   name there is 400 "project_id: is invalid", another project's UUID moves
 *   the secret (project_secrets/public_api_mapper.ex decode, secret.ex
 *   @fields), so the body carries the live project's UUID;
 * - names have no format check but are unique per project (secret.ex);
 * - with the feature project_level_secrets off, every call is 400 "Project
 *   level secrets are not enabled for this organization"
 *   (project_secrets_public_api.ex).
 */
#include "reconciler/providers/semaphore/kinds.h"
#include "reconciler/providers/semaphore/kinds/secret_data.h"
#include "reconciler/providers/semaphore/export.h"
#include "reconciler/manifest.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const cf_field metadata_fields[] = {
	{.key = "name", .type = CF_T_STR, .flags = CF_F_REQUIRED},
	/* as sem prints it (the project's UUID); a name is taken too */
	{.key = "project_id_or_name", .type = CF_T_STR},
	CF_PROJECT_FIELDS,
	CF_ENSURE_FIELD,
	CF_METADATA_OUTPUT_ONLY,
	{.key = "checkout_at", .type = CF_T_IGNORE},
	{.key = "content_included", .type = CF_T_IGNORE},
	CF_FIELDS_END,
};

static const cf_field document_fields[] = {
	{.key = "apiVersion", .type = CF_T_STR, .flags = CF_F_REQUIRED},
	{.key = "kind", .type = CF_T_STR, .flags = CF_F_REQUIRED},
	{.key = "metadata", .type = CF_T_MAP, .flags = CF_F_REQUIRED, .fields = metadata_fields},
	{.key = "data", .type = CF_T_MAP, .fields = cf_sem_secret_data_fields},
	CF_FIELDS_END,
};

static void check(cf_kctx *kc, cJSON *doc, bool absent)
{
	const char *name = cJSON_GetStringValue(cf_json_path(doc, "metadata.name"));
	bool blank = true;
	for (const char *p = name; p && *p && blank; p++)
		blank = isspace((unsigned char)*p);
	if (name && blank) /* a blank name on a PATCH keeps the old one (public_api_mapper.ex) */
		cf_kerr(kc, "metadata.name", "metadata.name: must not be empty or blank");
	cf_sem_secret_check_data(kc, doc, absent);
}

static const cf_diff_field cf_sem_project_secret_diff[] = {
	CF_SEM_SECRET_DATA_DIFF,
	{.name = NULL},
};

#define FEATURE_OFF "Project level secrets are not enabled"

/* The server's refusal when the feature is off, said as what to do. */
static int explain(int rc, cf_error *err)
{
	if (rc == CF_OK || !err->message || !strstr(err->message, FEATURE_OFF))
		return rc;
	char *was = cf_xstrdup(err->message);
	rc = cf_error_set(err, CF_EAPI, "project secrets are turned off in this organisation (feature "
			  "project_level_secrets): remove the ProjectSecret manifests, or turn the feature on (%s)", was);
	free(was);
	return rc;
}

static char *collection(const char *project_id)
{
	char *e = cf_http_escape(project_id);
	char *p = cf_xasprintf("/api/v1/projects/%s/secrets", e);
	free(e);
	return p;
}

/* ---- reading ---- */

/* Every project a ProjectSecret manifest names, once: UUID -> reference as written. */
static cJSON *projects_in_scope(const cf_live *live, const cf_resource_set *set)
{
	cJSON *scope = cJSON_CreateObject();
	for (size_t i = 0; i < set->count; i++) {
		const cf_resource *r = &set->items[i];
		const char *id = r->kind == &cf_sem_project_secret_kind ? cf_live_project_id(live, r->project) : NULL;
		if (id && !cJSON_HasObjectItem(scope, id))
			cJSON_AddStringToObject(scope, id, r->project);
	}
	return scope;
}

/* Each project's secret collection path, and their lists read at once. */
static int read_lists(cJSON **lists, cf_http_client *c, const char *const *pids, size_t n, cf_error *err)
{
	char **paths = cf_xcalloc(n + 1, sizeof(*paths));
	for (size_t i = 0; i < n; i++)
		paths[i] = collection(pids[i]);
	int rc = cf_sem_secret_lists(lists, c, (const char *const *)paths, n, err);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	return rc;
}

static int add_project(cf_live *live, const cf_resource_set *set, cJSON *list, const char *pid,
		       const char *ref, cf_error *err)
{
	char *path = collection(pid);
	int rc = CF_OK;
	for (cJSON *s = list ? list->child : NULL, *next; s && rc == CF_OK; s = next) {
		next = s->next;
		const char *name = cJSON_GetStringValue(cf_json_path(s, "metadata.name"));
		const char *id = cJSON_GetStringValue(cf_json_path(s, "metadata.id"));
		if (!name || !id || !*id) {
			rc = cf_error_set(err, CF_EAPI, "GET %s: the answer has an unexpected shape (a secret without "
					  "a name or an id)", path);
			break;
		}
		const char *spec = cf_live_spec_address(live, set, &cf_sem_project_secret_kind, pid, name);
		char *addr = spec ? cf_xstrdup(spec) : cf_xasprintf("ProjectSecret/%s/%s", ref, name);
		char *n = cf_xstrdup(name), *i = cf_xstrdup(id);
		cf_live_add(live, set, &cf_sem_project_secret_kind, addr, i, pid, n,
			    cJSON_DetachItemViaPointer(list, s));
		free(addr);
		free(n);
		free(i);
	}
	free(path);
	return rc;
}

static int read_live(cf_live *live, const cf_resource_set *set, cf_conn *conn, cf_diags *diags, cf_error *err)
{
	(void)diags;
	cJSON *scope = projects_in_scope(live, set);
	size_t n = (size_t)cJSON_GetArraySize(scope), k = 0;
	const char **pids = cf_xcalloc(n + 1, sizeof(*pids));
	cJSON **lists = cf_xcalloc(n + 1, sizeof(*lists));
	const cJSON *p;
	cJSON_ArrayForEach(p, scope)
		pids[k++] = p->string;
	int rc = explain(read_lists(lists, cf_sem_of(conn), pids, n, err), err);
	k = 0;
	cJSON_ArrayForEach(p, scope) {
		if (rc == CF_OK)
			rc = add_project(live, set, lists[k], p->string, p->valuestring, err);
		cJSON_Delete(lists[k++]);
	}
	free(lists);
	free(pids);
	cJSON_Delete(scope);
	return rc;
}

/* ---- writing ---- */

static int apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	const char *pid = ch->project_id ? ch->project_id : ch->live ? ch->live->project_id : NULL;
	if (!pid)
		return cf_error_set(err, CF_EUSAGE, "%s: the project's UUID is not known", ch->address);
	cJSON *meta = NULL;
	if (ch->res && ch->action != CF_DELETE) {
		meta = cJSON_CreateObject();
		cJSON_AddStringToObject(meta, "name", ch->res->name);
		cJSON_AddStringToObject(meta, "project_id_or_name", pid);
	}
	char *path = collection(pid);
	int rc = explain(cf_sem_secret_apply(ctx, ch, path, meta, NULL, NULL, err), err);
	free(path);
	return rc;
}

/* ---- export ---- */

static cJSON *export_doc(const cJSON *api, const char *ref)
{
	cJSON *d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "apiVersion", "v1");
	cJSON_AddStringToObject(d, "kind", "ProjectSecret");
	cJSON *m = cJSON_AddObjectToObject(d, "metadata");
	cJSON_AddStringToObject(m, "name", cJSON_GetStringValue(cf_json_path(api, "metadata.name")));
	cJSON_AddStringToObject(m, "project_id_or_name", ref);
	cJSON_AddItemToObject(d, "data", cf_sem_secret_export_data(api));
	return d;
}

/* The project secrets of every project asked for; an organisation with the
 * feature off has none to export. */
static int export(cf_export *out, const void *vctx, cf_error *err)
{
	const cf_sem_export_ctx *x = vctx;
	const char **pids = cf_xcalloc(x->nprojects + 1, sizeof(*pids));
	cJSON **lists = cf_xcalloc(x->nprojects + 1, sizeof(*lists));
	for (size_t k = 0; k < x->nprojects; k++)
		pids[k] = x->projects[k].id;
	int rc = read_lists(lists, x->c, pids, x->nprojects, err);
	if (rc == CF_EAPI && err->message && strstr(err->message, FEATURE_OFF)) {
		cf_error_clear(err);
		free(pids);
		free(lists);
		return CF_OK;
	}
	for (size_t k = 0; k < x->nprojects && rc == CF_OK; k++) {
		const cf_sem_export_project *p = &x->projects[k];
		cJSON *list = lists[k];
		const cJSON *s;
		cJSON_ArrayForEach(s, list) {
			const char *name = cJSON_GetStringValue(cf_json_path(s, "metadata.name"));
			const char *id = cJSON_GetStringValue(cf_json_path(s, "metadata.id"));
			const char *seg = name ? cf_sem_export_segment(name) : NULL;
			if (!seg && id)
				seg = cf_sem_export_segment(id);
			if (!name || !seg)
				continue;
			char *file = cf_xasprintf("project-secret-%s.yaml", seg);
			cf_export_add(out, p->folder, file, export_doc(s, p->ref));
			free(file);
		}
	}
	for (size_t k = 0; k < x->nprojects; k++)
		cJSON_Delete(lists[k]);
	free(lists);
	free(pids);
	return rc;
}

const cf_kind cf_sem_project_secret_kind = {
	.name = "ProjectSecret",
	.api_version = "v1",
	.noun = "project secret",
	.fields = document_fields,
	.has_project = true,
	.has_name = true,
	.absent_refusal = NULL,
	.check = check,
	.check_set = NULL,
	.schema_rules = NULL,
	.diff = cf_sem_project_secret_diff,
	.has_active = false,
	.read_live = read_live,
	.apply = apply,
	.live_problem = NULL,
	.preflight = NULL,
	.values_hidden = cf_sem_secret_values_hidden,
	.export = export,
};

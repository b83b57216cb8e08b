/*
 * export: the inverse of the diff's normalisation, for adopting live
 * resources; the reads in three parallel batches, the files never
 * overwritten unless asked and never half written.
 */
#include "reconciler/providers/semaphore/export.h"
#include "reconciler/codec.h"
#include "reconciler/diff.h"
#include "reconciler/providers/semaphore/api.h"
#include "reconciler/providers/semaphore/kinds.h"
#include "reconciler/source.h"
#include "reconciler/strmap.h"
#include "reconciler/yamlout.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *s_of(const cJSON *o, const char *key)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
	return v ? v : "";
}

static const char *s_at(const cJSON *o, const char *path)
{
	const char *v = cJSON_GetStringValue(cf_json_path(o, path));
	return v ? v : "";
}

static cJSON *manifest(const char *kind)
{
	cJSON *d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "apiVersion", "v1alpha");
	cJSON_AddStringToObject(d, "kind", kind);
	cJSON_AddObjectToObject(d, "metadata");
	cJSON_AddObjectToObject(d, "spec");
	return d;
}

static void add_doc(cf_export *e, const char *folder, char *file, cJSON *doc)
{
	cf_export_add(e, folder, file, doc);
	free(file);
}

static const char *segment(const char *name)
{
	return cf_sem_export_segment(name);
}

const char *cf_sem_export_segment(const char *name)
{
	return *name && strcmp(name, ".") && strcmp(name, "..") && !strchr(name, '/') ? name : NULL;
}

static void set_project(cJSON *meta, const char *ref)
{
	cJSON_AddStringToObject(meta, cf_is_uuid(ref) ? "project_id" : "project", ref);
}

static cJSON *subject_rules(const cJSON *live, const cJSON *roles)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *r;
	cJSON_ArrayForEach(r, live) {
		const char *type = s_of(r, "type"), *id = s_of(r, "subject_id"), *login = s_of(r, "git_login");
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "type", type);
		if (!strcmp(type, "ROLE")) {
			const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(roles, id));
			cJSON_AddStringToObject(o, "subject_id", name ? name : id);
		} else if (!strcmp(type, "USER") && *login) {
			cJSON_AddStringToObject(o, "git_login", login);
		} else if (!strcmp(type, "USER") || !strcmp(type, "GROUP")) {
			cJSON_AddStringToObject(o, "subject_id", id);
		}
		cJSON_AddItemToArray(out, o);
	}
	return out;
}

static cJSON *object_rules(const cJSON *live)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *r;
	cJSON_ArrayForEach(r, live) {
		cJSON *o = cJSON_CreateObject();
		const char *mode = *s_of(r, "match_mode") ? s_of(r, "match_mode") : "ALL";
		cJSON_AddStringToObject(o, "type", s_of(r, "type"));
		cJSON_AddStringToObject(o, "match_mode", mode);
		if (strcmp(mode, "ALL"))
			cJSON_AddStringToObject(o, "pattern", s_of(r, "pattern"));
		cJSON_AddItemToArray(out, o);
	}
	return out;
}

/* [{key, md5}] -> [{key, "<md5> [md5]"}]: keep whatever is live. */
static cJSON *placeholders(const cJSON *live, const char *key, const char *value)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *e;
	cJSON_ArrayForEach(e, live) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, key, s_of(e, key));
		char *v = cf_xasprintf("%s [md5]", s_of(e, value));
		cJSON_AddStringToObject(o, value, v);
		free(v);
		cJSON_AddItemToArray(out, o);
	}
	return out;
}

static cJSON *target_doc(const cJSON *t, const char *project, const cJSON *roles)
{
	cJSON *d = manifest("DeploymentTarget");
	cJSON *meta = cJSON_GetObjectItem(d, "metadata"), *spec = cJSON_GetObjectItem(d, "spec");
	cJSON_AddStringToObject(meta, "name", s_of(t, "name"));
	set_project(meta, project);
	static const char *const meta_keys[] = {"description", "url"};
	for (size_t i = 0; i < 2; i++)
		if (*s_of(t, meta_keys[i]))
			cJSON_AddStringToObject(meta, meta_keys[i], s_of(t, meta_keys[i]));
	cJSON_AddBoolToObject(spec, "active", !cJSON_IsFalse(cJSON_GetObjectItem(t, "active")));
	static const char *const bookmarks[] = {"bookmark_parameter1", "bookmark_parameter2", "bookmark_parameter3"};
	for (size_t i = 0; i < 3; i++)
		if (*s_of(t, bookmarks[i]))
			cJSON_AddStringToObject(spec, bookmarks[i], s_of(t, bookmarks[i]));
	cJSON_AddItemToObject(spec, "subject_rules", subject_rules(cJSON_GetObjectItem(t, "subject_rules"), roles));
	cJSON_AddItemToObject(spec, "object_rules", object_rules(cJSON_GetObjectItem(t, "object_rules")));
	cJSON_AddItemToObject(spec, "env_vars", placeholders(cJSON_GetObjectItem(t, "env_vars"), "name", "value"));
	cJSON_AddItemToObject(spec, "files", placeholders(cJSON_GetObjectItem(t, "files"), "path", "content"));
	return d;
}


static const char *const levels[] = {"project_level_retention_policies", "workflow_level_retention_policies",
				     "job_level_retention_policies"};

static cJSON *retention_doc(const cJSON *p, const char *ref)
{
	int rules = 0;
	for (size_t i = 0; i < 3; i++)
		rules += cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(p, levels[i]));
	if (rules == 0)
		return NULL; /* every project reads as a policy of three empty lists */
	cJSON *d = manifest("ArtifactRetentionPolicy");
	set_project(cJSON_GetObjectItem(d, "metadata"), ref);
	for (size_t i = 0; i < 3; i++) {
		const cJSON *l = cJSON_GetObjectItemCaseSensitive(p, levels[i]);
		cJSON_AddItemToObject(cJSON_GetObjectItem(d, "spec"), levels[i],
				      cJSON_IsArray(l) ? cJSON_Duplicate(l, 1) : cJSON_CreateArray());
	}
	return d;
}

static cJSON *agent_type_doc(const cJSON *a)
{
	cJSON *d = manifest("SelfHostedAgentType");
	cJSON_AddStringToObject(cJSON_GetObjectItem(d, "metadata"), "name", s_at(a, "metadata.name"));
	const cJSON *ns = cf_json_path(a, "spec.agent_name_settings");
	cJSON *copy = cJSON_IsObject(ns) ? cJSON_Duplicate(ns, 1) : cJSON_CreateObject();
	/* agent-origin types answer "aws": null (public-api/v1alpha/lib/
	 * pipelines_api/self_hosted_hub_client/response_formatter.ex): absent */
	if (cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(copy, "aws")))
		cJSON_DeleteItemFromObjectCaseSensitive(copy, "aws");
	cJSON_AddItemToObject(cJSON_GetObjectItem(d, "spec"), "agent_name_settings", copy);
	return d;
}

/* A project the export covers, and what the first batch read of it. */
typedef struct picked {
	cf_sem_export_project p;
	cJSON *targets;     /* its target list (first batch) */
	cJSON *policy;      /* its retention policy (first batch) */
} picked;

typedef struct run {
	cf_http_client *c;
	cJSON *listing; /* every project */
	picked *p;
	size_t np;
	cJSON *agents;  /* the agent type list, when asked for */
	cJSON **full;   /* second batch: each target with its secrets' MD5s, project by project */
	size_t nfull;
	cJSON *roles;   /* role id -> name */
} run;

static int pick(run *r, const cJSON *api, const char *id, const char *name, const char *ref, cf_error *err)
{
	const char *folder = segment(name) ? name : segment(id);
	if (!folder)
		return cf_error_set(err, CF_EAPI, "GET /projects: project '%s' has neither a name nor an id that "
				    "can be a folder name", name);
	r->p = cf_xrealloc(r->p, (r->np + 1) * sizeof(*r->p));
	r->p[r->np++] = (picked){.p = {.id = id, .name = name, .ref = ref, .folder = folder, .api = api}};
	return CF_OK;
}

/* One paged listing resolves every project asked for, by name or UUID. */
static int pick_projects(run *r, const cf_export_scope *scope, cf_error *err)
{
	if (!scope->all && scope->nprojects == 0)
		return CF_OK;
	int rc = cf_sem_project_list(&r->listing, r->c, err);
	if (rc != CF_OK)
		return rc;
	cf_strmap *by_name = cf_strmap_new(), *by_id = cf_strmap_new(), *seen = cf_strmap_new();
	const cJSON *p;
	cJSON_ArrayForEach(p, r->listing) {
		const char *name = s_at(p, "metadata.name"), *id = s_at(p, "metadata.id");
		if (!*name || !*id)
			continue;
		cf_strmap_put(by_name, name, (void *)p);
		cf_strmap_put(by_id, id, (void *)p);
		if (scope->all && rc == CF_OK)
			rc = pick(r, p, id, name, name, err);
	}
	for (size_t i = 0; i < scope->nprojects && rc == CF_OK; i++) {
		const char *ref = scope->projects[i];
		p = cf_strmap_get(cf_is_uuid(ref) ? by_id : by_name, ref);
		if (!p)
			rc = cf_error_set(err, CF_ENOTFOUND, "project '%s' does not exist in the organisation", ref);
		else if (!cf_strmap_get(seen, s_at(p, "metadata.id")))
			rc = pick(r, p, s_at(p, "metadata.id"), s_at(p, "metadata.name"), ref, err);
		if (p)
			cf_strmap_put(seen, s_at(p, "metadata.id"), (void *)p);
	}
	cf_strmap_free(by_name);
	cf_strmap_free(by_id);
	cf_strmap_free(seen);
	return rc;
}

static bool is_policy(const cJSON *p)
{
	bool ok = cJSON_IsObject(p);
	for (size_t l = 0; l < 3 && ok; l++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(p, levels[l]);
		ok = !v || cJSON_IsNull(v) || cJSON_IsArray(v);
	}
	return ok;
}

static bool is_target_list(const cJSON *list)
{
	if (!cJSON_IsArray(list))
		return false;
	const cJSON *t;
	cJSON_ArrayForEach(t, list)
		if (!cJSON_IsObject(t) || !*s_of(t, "id") || !*s_of(t, "name"))
			return false;
	return true;
}

/* First batch: every project's target list and retention policy, and the
 * agent types, all at once: none depends on another. */
static int read_lists(run *r, bool agents, cf_error *err)
{
	size_t n = 2 * r->np + (agents ? 1 : 0);
	char **paths = cf_xcalloc(n + 1, sizeof(char *));
	cJSON **outs = cf_xcalloc(n + 1, sizeof(cJSON *));
	for (size_t k = 0; k < r->np; k++) {
		char *e = cf_http_escape(r->p[k].p.id);
		paths[2 * k] = cf_xasprintf("/deployment_targets?project_id=%s", e);
		paths[2 * k + 1] = cf_xasprintf("/artifacts_retention_policies/%s", e);
		free(e);
	}
	if (agents)
		paths[n - 1] = cf_xstrdup("/self_hosted_agent_types");
	int rc = cf_http_get_many(outs, r->c, paths, n, err);
	for (size_t k = 0; k < r->np && rc == CF_OK; k++) {
		if (!is_target_list(outs[2 * k]))
			rc = cf_error_set(err, CF_EAPI, "GET %s: the answer has an unexpected shape (not a list of "
					  "targets)", paths[2 * k]);
		else if (!is_policy(outs[2 * k + 1]))
			rc = cf_error_set(err, CF_EAPI, "GET %s: the answer has an unexpected shape (not a retention "
					  "policy)", paths[2 * k + 1]);
	}
	if (agents && rc == CF_OK && !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(outs[n - 1], "agent_types")))
		rc = cf_error_set(err, CF_EAPI, "GET %s: the answer has an unexpected shape (no agent_types list)",
				  paths[n - 1]);
	for (size_t k = 0; k < r->np; k++) {
		r->p[k].targets = outs[2 * k];
		r->p[k].policy = outs[2 * k + 1];
	}
	if (agents)
		r->agents = outs[n - 1];
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	free(outs);
	return rc;
}

/* Second batch: every target with its secrets' MD5s (include_secrets=true). */
static int read_targets(run *r, cf_error *err)
{
	for (size_t k = 0; k < r->np; k++)
		r->nfull += (size_t)cJSON_GetArraySize(r->p[k].targets);
	char **paths = cf_xcalloc(r->nfull + 1, sizeof(char *));
	r->full = cf_xcalloc(r->nfull + 1, sizeof(cJSON *));
	size_t i = 0;
	for (size_t k = 0; k < r->np; k++) {
		const cJSON *t;
		cJSON_ArrayForEach(t, r->p[k].targets) {
			char *e = cf_http_escape(s_of(t, "id"));
			paths[i++] = cf_xasprintf("/deployment_targets/%s?include_secrets=true", e);
			free(e);
		}
	}
	int rc = cf_http_get_many(r->full, r->c, paths, r->nfull, err);
	for (i = 0; i < r->nfull && rc == CF_OK; i++)
		if (!cJSON_IsObject(r->full[i]) || !*s_of(r->full[i], "name"))
			rc = cf_error_set(err, CF_EAPI, "GET %s: the answer has an unexpected shape (not a target)",
					  paths[i]);
	for (i = 0; i < r->nfull; i++)
		free(paths[i]);
	free(paths);
	return rc;
}

/* Third batch: live ROLE rules hold role ids, written back as names. */
static int read_role_names(run *r, cf_error *err)
{
	const char **ids = NULL;
	size_t n = 0;
	for (size_t i = 0; i < r->nfull; i++) {
		const cJSON *rule;
		cJSON_ArrayForEach(rule, cJSON_GetObjectItemCaseSensitive(r->full[i], "subject_rules"))
			if (!strcmp(s_of(rule, "type"), "ROLE") && *s_of(rule, "subject_id")) {
				ids = cf_xrealloc(ids, (n + 1) * sizeof(*ids));
				ids[n++] = s_of(rule, "subject_id");
			}
	}
	int rc = cf_sem_role_names(&r->roles, r->c, ids, n, err);
	free(ids);
	return rc;
}

static int build_docs(cf_export *out, const run *r, cf_error *err)
{
	size_t i = 0;
	for (size_t k = 0; k < r->np; k++) {
		for (size_t j = 0; j < (size_t)cJSON_GetArraySize(r->p[k].targets); j++, i++) {
			const cJSON *t = r->full[i];
			const char *name = segment(s_of(t, "name")) ? s_of(t, "name") : segment(s_of(t, "id"));
			if (!name)
				return cf_error_set(err, CF_EAPI, "project %s: a target has neither a name nor an id "
						    "that can be a file name", r->p[k].p.name);
			add_doc(out, r->p[k].p.folder, cf_xasprintf("target-%s.yaml", name),
				target_doc(t, r->p[k].p.ref, r->roles));
		}
		cJSON *policy = retention_doc(r->p[k].policy, r->p[k].p.ref);
		if (policy)
			add_doc(out, r->p[k].p.folder, cf_xstrdup("retention-policy.yaml"), policy);
	}
	const cJSON *a;
	cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(r->agents, "agent_types")) {
		const char *name = s_at(a, "metadata.name");
		if (!segment(name))
			continue; /* the API's names are s1-...; anything else cannot be a manifest */
		add_doc(out, "agent-types", cf_xasprintf("agent-type-%s.yaml", name), agent_type_doc(a));
	}
	return CF_OK;
}

/* Each kind with an export hook adds its documents, given the projects. */
static int kinds_export(cf_export *out, const run *r, const cf_export_scope *scope, cf_error *err)
{
	cf_sem_export_project *projects = cf_xcalloc(r->np + 1, sizeof(*projects));
	for (size_t k = 0; k < r->np; k++)
		projects[k] = r->p[k].p;
	cf_sem_export_ctx ctx = {.c = r->c, .scope = scope, .projects = projects, .nprojects = r->np};
	int rc = CF_OK;
	for (const cf_kind *const *k = cf_semaphore_provider.kinds; *k && rc == CF_OK; k++)
		if ((*k)->export)
			rc = (*k)->export(out, &ctx, err);
	free(projects);
	return rc;
}

int cf_sem_export(cf_export *out, cf_conn *conn, const cf_export_scope *scope, cf_error *err)
{
	memset(out, 0, sizeof(*out));
	run r = {.c = cf_sem_of(conn)};
	int rc = pick_projects(&r, scope, err);
	if (rc == CF_OK)
		rc = read_lists(&r, cf_export_wants(scope, "SelfHostedAgentType"), err);
	if (rc == CF_OK)
		rc = read_targets(&r, err);
	if (rc == CF_OK)
		rc = read_role_names(&r, err);
	if (rc == CF_OK)
		rc = build_docs(out, &r, err);
	if (rc == CF_OK)
		rc = kinds_export(out, &r, scope, err);
	if (rc != CF_OK)
		cf_export_clear(out);
	for (size_t k = 0; k < r.np; k++) {
		cJSON_Delete(r.p[k].targets);
		cJSON_Delete(r.p[k].policy);
	}
	for (size_t i = 0; i < r.nfull; i++)
		cJSON_Delete(r.full[i]);
	free(r.full);
	free(r.p);
	cJSON_Delete(r.listing);
	cJSON_Delete(r.agents);
	cJSON_Delete(r.roles);
	return rc;
}

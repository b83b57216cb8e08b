/*
 * export: the inverse of the diff's normalisation, for adopting live resources.
 */
#include "reconciler/semaphore/export.h"
#include "reconciler/codec.h"
#include "reconciler/diff.h"
#include "reconciler/semaphore/api.h"
#include "reconciler/source.h"
#include "reconciler/yamlout.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>

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

static void add_doc(cf_export *e, char *file, cJSON *doc)
{
	e->docs = cf_xrealloc(e->docs, (e->count + 1) * sizeof(*e->docs));
	e->docs[e->count].file = file;
	e->docs[e->count++].doc = doc;
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

static int retention_doc(cf_export *out, cf_sem_client *c, const char *id, const char *ref, cf_error *err)
{
	static const char *const levels[] = {"project_level_retention_policies",
					     "workflow_level_retention_policies", "job_level_retention_policies"};
	cJSON *p = NULL;
	int rc = cf_sem_retention_get(&p, c, id, err);
	int rules = 0;
	for (size_t i = 0; rc == CF_OK && i < 3; i++)
		rules += cJSON_GetArraySize(cJSON_GetObjectItem(p, levels[i]));
	if (rules > 0) {
		cJSON *d = manifest("ArtifactRetentionPolicy");
		set_project(cJSON_GetObjectItem(d, "metadata"), ref);
		for (size_t i = 0; i < 3; i++) {
			cJSON *l = cJSON_GetObjectItem(p, levels[i]);
			cJSON_AddItemToObject(cJSON_GetObjectItem(d, "spec"), levels[i],
					      l ? cJSON_Duplicate(l, 1) : cJSON_CreateArray());
		}
		add_doc(out, cf_xstrdup("retention-policy.yaml"), d);
	}
	cJSON_Delete(p);
	return rc;
}

/* The project's UUID; a UUID reference is checked against the listing. */
static int project_id(char **id, cf_sem_client *c, const char *ref, cf_error *err)
{
	cJSON *p = NULL;
	int rc;
	if (cf_is_uuid(ref)) {
		rc = cf_sem_project_list(&p, c, err);
		const cJSON *it;
		*id = NULL;
		cJSON_ArrayForEach(it, p)
			if (!strcmp(s_at(it, "metadata.id"), ref))
				*id = cf_xstrdup(ref);
		if (rc == CF_OK && !*id)
			rc = cf_error_set(err, CF_ENOTFOUND, "project %s does not exist in the organisation", ref);
	} else {
		rc = cf_sem_project_get(&p, c, ref, err);
		*id = rc == CF_OK ? cf_xstrdup(s_at(p, "metadata.id")) : NULL;
	}
	cJSON_Delete(p);
	return rc;
}

/* Live ROLE rules hold role ids: written back as names (GET /roles/:id). */
static int role_names(cJSON **out, cf_sem_client *c, const cJSON *targets, cf_error *err)
{
	const char **ids = NULL;
	size_t n = 0;
	const cJSON *t, *r;
	cJSON_ArrayForEach(t, targets)
		cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(t, "subject_rules"))
			if (!strcmp(s_of(r, "type"), "ROLE") && *s_of(r, "subject_id")) {
				ids = cf_xrealloc(ids, (n + 1) * sizeof(*ids));
				ids[n++] = s_of(r, "subject_id");
			}
	int rc = cf_sem_role_names(out, c, ids, n, err);
	free(ids);
	return rc;
}

int cf_sem_export_project(cf_export *out, cf_sem_client *c, const char *project, cf_error *err)
{
	memset(out, 0, sizeof(*out));
	char *id = NULL;
	cJSON *roles = NULL, *list = NULL;
	int rc = project_id(&id, c, project, err);
	if (rc == CF_OK)
		rc = cf_sem_target_list(&list, c, id, err);
	if (rc == CF_OK)
		rc = role_names(&roles, c, list, err);
	const cJSON *t;
	cJSON_ArrayForEach(t, (rc == CF_OK ? list : NULL)) {
		cJSON *full = NULL;
		rc = cf_sem_target_describe(&full, c, s_of(t, "id"), true, err);
		if (rc != CF_OK)
			break;
		add_doc(out, cf_xasprintf("target-%s.yaml", s_of(t, "name")), target_doc(full, project, roles));
		cJSON_Delete(full);
	}
	if (rc == CF_OK)
		rc = retention_doc(out, c, id, project, err);
	cJSON_Delete(list);
	cJSON_Delete(roles);
	free(id);
	return rc;
}

int cf_sem_export_agent_types(cf_export *out, cf_sem_client *c, cf_error *err)
{
	memset(out, 0, sizeof(*out));
	cJSON *list = NULL;
	int rc = cf_sem_agent_type_list(&list, c, err);
	const cJSON *a;
	cJSON_ArrayForEach(a, list) {
		const char *name = cJSON_GetStringValue(cf_json_path(a, "metadata.name"));
		if (!name)
			continue;
		cJSON *d = manifest("SelfHostedAgentType");
		cJSON_AddStringToObject(cJSON_GetObjectItem(d, "metadata"), "name", name);
		const cJSON *ns = cf_json_path(a, "spec.agent_name_settings");
		cJSON *copy = ns ? cJSON_Duplicate(ns, 1) : cJSON_CreateObject();
		/* agent-origin types answer "aws": null (public-api/v1alpha/lib/
		 * pipelines_api/self_hosted_hub_client/response_formatter.ex): absent */
		if (cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(copy, "aws")))
			cJSON_DeleteItemFromObjectCaseSensitive(copy, "aws");
		cJSON_AddItemToObject(cJSON_GetObjectItem(d, "spec"), "agent_name_settings", copy);
		add_doc(out, cf_xasprintf("agent-type-%s.yaml", name), d);
	}
	cJSON_Delete(list);
	return rc;
}

void cf_export_clear(cf_export *e)
{
	for (size_t i = 0; i < e->count; i++) {
		free(e->docs[i].file);
		cJSON_Delete(e->docs[i].doc);
	}
	free(e->docs);
	memset(e, 0, sizeof(*e));
}

int cf_export_write(char **stream, const cf_export *e, const char *dir, cf_error *err)
{
	*stream = NULL;
	if (!dir) {
		cJSON *docs = cJSON_CreateArray();
		for (size_t i = 0; i < e->count; i++)
			cJSON_AddItemReferenceToArray(docs, e->docs[i].doc);
		int rc = cf_yaml_emit(stream, docs, err);
		cJSON_Delete(docs);
		return rc;
	}
	int rc = cf_mkdirs(dir, 0755, err);
	for (size_t i = 0; i < e->count && rc == CF_OK; i++) {
		cJSON *one = cJSON_CreateArray();
		cJSON_AddItemReferenceToArray(one, e->docs[i].doc);
		char *text = NULL;
		rc = cf_yaml_emit(&text, one, err);
		cJSON_Delete(one);
		char *path = cf_xasprintf("%s/%s", dir, e->docs[i].file);
		FILE *f = rc == CF_OK ? fopen(path, "w") : NULL;
		if (rc == CF_OK && (!f || fputs(text, f) < 0))
			rc = cf_error_set(err, CF_EIO, "%s: %s", path, strerror(errno));
		if (f && fclose(f) != 0 && rc == CF_OK)
			rc = cf_error_set(err, CF_EIO, "%s: %s", path, strerror(errno));
		free(path);
		free(text);
	}
	return rc;
}

/*
 * h_project_secrets: project secrets (/api/v1/projects/{project}/secrets) as
 * public-api-gateway and secrethub answer them (semaphoreio/semaphore
 * secrethub/lib/secrethub/project_secrets_public_api.ex,
 * project_secrets/{public_api_actions,public_api_mapper,secret,store}.ex); the
 * decoding, checks and answers they share with organisation secrets are in
 * h_secrets.c.
 */
#include "cmd/sandbox/secrets.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- project secrets: project_secrets_public_api.ex, public_api_actions.ex ---- */

/* helm-chart/templates/emissary-ingress/mappings.yaml sends only
 * /api/v1/projects/[a-zA-Z0-9_-]+/secrets to the gateway; any other project
 * segment reaches the web front's catch-all mapping instead (not JSON). */
static bool routed(const char *p, sbx_resp *rs)
{
	for (const char *c = p; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-') {
			sbx_fail_text(rs, 404, "Not Found");
			return false;
		}
	return true;
}

/* filter_on_feature_flag, ensure_project_id (a UUID is taken as is; an
 * unknown name falls through the `with` unhandled: 500), Auth.can_manage?
 * (project.secrets.manage: a project of the org the caller is a member of).
 * The project's id, or NULL after answering. */
static const char *project_of(sbx *s, sbx_resp *rs, const char *id_or_name)
{
	if (!routed(id_or_name, rs))
		return NULL;
	if (!sbx_feature(s, "project_level_secrets")) {
		sbx_fail_gw(rs, FAILED_PRECONDITION, "Project level secrets are not enabled for this organization");
		return NULL;
	}
	cJSON *p = NULL;
	if (sbx_sec_ecto_uuid(id_or_name)) {
		cJSON *it;
		cJSON_ArrayForEach(it, sbx_list(s, "projects"))
			if (!strcasecmp(sbx_str(it, "id"), id_or_name))
				p = it;
	} else {
		p = sbx_find(sbx_list(s, "projects"), "name", id_or_name);
		if (!p) {
			sbx_fail_gw_crash(rs);
			return NULL;
		}
	}
	if (!p || sbx_project_hidden(p)) {
		sbx_fail_gw(rs, PERMISSION_DENIED, "User is not authorized to perform this operation");
		return NULL;
	}
	return sbx_str(p, "id");
}

/* secret_lookup: by id when Ecto.UUID.cast takes it (any 16-byte name too,
 * which then matches no id), else by name; blank: "Missing lookup argument" */
static cJSON *find_project_secret(sbx *s, sbx_resp *rs, const char *project_id, const char *id_or_name)
{
	if (sbx_sec_blank(id_or_name)) {
		sbx_fail_gw(rs, INVALID_ARGUMENT, "Missing lookup argument");
		return NULL;
	}
	bool by_id = sbx_sec_ecto_uuid(id_or_name);
	cJSON *it;
	cJSON_ArrayForEach(it, sbx_list(s, "project_secrets"))
		if (!strcmp(sbx_str(it, "project_id"), project_id) &&
		    (by_id ? !strcasecmp(sbx_str(it, "id"), id_or_name) : !strcmp(sbx_str(it, "name"), id_or_name)))
			return it;
	sbx_fail_gw(rs, NOT_FOUND, "secret not found");
	return NULL;
}

/* project_secrets/secret.ex changeset: the content (absent: "content: can't be
 * blank"), the casts, the required fields, then the unique index per project;
 * public_api_actions.ex print_error: "field: message" */
static bool project_changeset_ok(sbx *s, sbx_resp *rs, const cJSON *data, const char *name, const char *project_id,
				 const cJSON *self)
{
	char m[2048];
	if (!data)
		return sbx_fail_gw(rs, INVALID_ARGUMENT, "content: can't be blank"), false;
	if (!sbx_sec_content_ok(data, m, sizeof(m)))
		return sbx_fail_gw(rs, INVALID_ARGUMENT, "content: %s", m), false;
	if (!sbx_is_uuid(project_id))
		return sbx_fail_gw(rs, INVALID_ARGUMENT, "project_id: is invalid"), false;
	if (sbx_sec_blank(name))
		return sbx_fail_gw(rs, INVALID_ARGUMENT, "name: can't be blank"), false;
	const cJSON *it;
	cJSON_ArrayForEach(it, sbx_list(s, "project_secrets"))
		if (it != self && !strcasecmp(sbx_str(it, "project_id"), project_id) && !strcmp(sbx_str(it, "name"), name))
			return sbx_fail_gw(rs, INVALID_ARGUMENT, "name: name must be unique in project"), false;
	return true;
}

static char *lower(const char *v)
{
	char *out = strdup(v);
	for (char *c = out; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return out;
}

void h_project_secrets_list(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	const char *pid = project_of(s, rs, rq->params[0]);
	if (!pid)
		return;
	int size = sbx_gw_page_size(rq, rs, 100, 100); /* public_api_actions.ex list_secrets */
	if (size >= 0)
		sbx_sec_list_page(s, rs, sbx_list(s, "project_secrets"), pid, size, false, sbx_param_str(rq, "page_token"));
}

void h_project_secret_get(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	const char *pid = project_of(s, rs, rq->params[0]);
	cJSON *x = pid ? find_project_secret(s, rs, pid, rq->params[1]) : NULL;
	if (x)
		sbx_sec_answer(rs, sbx_sec_secret_json(s, x, true));
}

/* create_secret: the project comes from the path (the gateway puts it in
 * metadata.project_id_or_name); public_api_mapper.ex decode drops blank strings */
void h_project_secret_create(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	dec d = {""};
	cJSON *in = sbx_sec_decode_secret(rq->body, &d);
	if (!in)
		return sbx_fail_gw(rs, INVALID_ARGUMENT, "%s", d.err);
	const char *pid = project_of(s, rs, rq->params[0]);
	const cJSON *meta = sbx_sec_msg(in, "metadata");
	const char *name = sbx_str(meta, "name");
	if (!pid || !project_changeset_ok(s, rs, sbx_sec_msg(in, "data"), name, pid, NULL)) {
		cJSON_Delete(in);
		return;
	}
	cJSON *x = cJSON_CreateObject();
	char id[37];
	sbx_uuid(id);
	cJSON_AddStringToObject(x, "id", id);
	cJSON_AddStringToObject(x, "project_id", pid);
	cJSON_AddStringToObject(x, "name", name);
	sbx_sec_set_data(x, sbx_sec_msg(in, "data"));
	sbx_sec_normalize(x);
	cJSON_AddItemToArray(sbx_list(s, "project_secrets"), x);
	cJSON_Delete(in);
	sbx_sec_answer(rs, sbx_sec_secret_json(s, x, true));
}

/* update_secret: no body is 400 "secret must be provided"; a body without
 * metadata raises in the mapper; then secrets_exposed_content, the lookup, the
 * changeset. A blank name keeps the old one; the body's
 * metadata.project_id_or_name, when not blank, is cast into project_id: a name
 * is "project_id: is invalid", another UUID moves the secret there. */
void h_project_secret_update(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	dec d = {""};
	cJSON *in = sbx_sec_decode_secret(rq->body, &d);
	if (!in)
		return sbx_fail_gw(rs, INVALID_ARGUMENT, "%s", d.err);
	const char *pid = project_of(s, rs, rq->params[0]);
	const cJSON *meta = sbx_sec_msg(in, "metadata");
	cJSON *x = NULL;
	if (!pid)
		goto done;
	if (!cJSON_IsObject(rq->body)) {
		sbx_fail_gw(rs, INVALID_ARGUMENT, "secret must be provided");
		goto done;
	}
	if (!meta) {
		sbx_fail_gw_crash(rs);
		goto done;
	}
	if (!sbx_sec_exposed(s)) {
		sbx_fail_gw(rs, FAILED_PRECONDITION, "Secret can not be updated with API");
		goto done;
	}
	if (!(x = find_project_secret(s, rs, pid, rq->params[1])))
		goto done;
	const char *name = sbx_sec_blank(sbx_str(meta, "name")) ? sbx_str(x, "name") : sbx_str(meta, "name");
	const char *to = sbx_sec_blank(sbx_str(meta, "project_id_or_name")) ? sbx_str(x, "project_id")
								    : sbx_str(meta, "project_id_or_name");
	if (!project_changeset_ok(s, rs, sbx_sec_msg(in, "data"), name, to, x))
		goto done;
	char *to_l = lower(to), *name_c = strdup(name);
	sbx_sec_put(x, "project_id", cJSON_CreateString(to_l));
	sbx_sec_put(x, "name", cJSON_CreateString(name_c));
	free(to_l);
	free(name_c);
	sbx_sec_set_data(x, sbx_sec_msg(in, "data"));
	sbx_sec_touch(x);
	sbx_sec_answer(rs, sbx_sec_secret_json(s, x, true));
done:
	cJSON_Delete(in);
}

void h_project_secret_delete(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	const char *pid = project_of(s, rs, rq->params[0]);
	cJSON *x = pid ? find_project_secret(s, rs, pid, rq->params[1]) : NULL;
	if (!x)
		return;
	cJSON_Delete(cJSON_DetachItemViaPointer(sbx_list(s, "project_secrets"), x));
	sbx_sec_answer(rs, cJSON_CreateObject());
}

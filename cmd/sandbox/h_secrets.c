/*
 * h_secrets: organisation secrets (/api/v1beta/secrets), and what project
 * secrets share with them (h_project_secrets.c), as public-api-gateway and secrethub
 * answer them (semaphoreio/semaphore secrethub/lib/secrethub/public_grpc_api.ex,
 * public_grpc_api/list_secrets.ex, secret.ex, utils.ex, model/{content,env_var,file}.ex,
 * project_secrets_public_api.ex, project_secrets/{public_api_actions,public_api_mapper,
 * secret,store}.ex, level_gen/store.ex; public-api-gateway/api/secrets.v1beta/
 * secrets.v1beta.pb.gw.go and api/project_secrets.v1/project_secrets.v1.pb.gw.go).
 *
 * Stored as the seed gives them (store.c): a secret's env_vars and files as
 * given, an org secret's access policy as secrethub keeps it (all_projects,
 * project_ids, job_debug, job_attach; absent is nil). Values are answered only
 * while the seed's secrets_exposed_content is true. The caller's permissions
 * come from the seed: secrets_manage (organization.secrets.manage),
 * secrets_policy_manage (organization.secrets_policy_settings.manage), and a
 * project's "member" (project.secrets.manage). Errors and JSON are the
 * gateway's (gateway.c sbx_fail_gw).
 */
#include "cmd/sandbox/secrets.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>


void sbx_sec_answer(sbx_resp *rs, cJSON *body)
{
	rs->content_type = "application/json";
	rs->body = body;
}

static bool flag_on(sbx *s, const char *name) /* features that default off */
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s->state, name));
}

/* helm-chart/templates/configmaps/features.yaml: both editions ship it off */
bool sbx_sec_exposed(sbx *s)
{
	return flag_on(s, "secrets_exposed_content");
}

/* String.trim(x) == "" / Ecto validate_required's blank */
bool sbx_sec_blank(const char *v)
{
	if (!v)
		return true;
	for (; *v; v++)
		if (!isspace((unsigned char)*v))
			return false;
	return true;
}

/* PCRE's $ without /D: the end, or before a final newline */
static bool at_end(const char *p)
{
	return !*p || (p[0] == '\n' && !p[1]);
}

/* secret.ex @valid_name_regex ~r/^[@: -._a-zA-Z0-9]+$/: " -." is a range (0x20..0x2e) */
static bool valid_secret_name(const char *n)
{
	const char *p = n;
	while (*p && (*p == '@' || *p == ':' || (*p >= ' ' && *p <= '.') || *p == '_' || isalnum((unsigned char)*p)))
		p++;
	return p > n && at_end(p);
}

/* model/env_var.ex ~r/^[a-zA-Z_][a-zA-Z0-9_]*$/ */
static bool valid_env_name(const char *n)
{
	if (!(isalpha((unsigned char)*n) || *n == '_'))
		return false;
	for (n++; isalnum((unsigned char)*n) || *n == '_'; n++)
		;
	return at_end(n);
}


/* Ecto.UUID.cast: a UUID in either case, or any 16 bytes (taken as a raw UUID) */
bool sbx_sec_ecto_uuid(const char *s)
{
	return sbx_is_uuid(s) || strlen(s) == 16;
}

/* ---- protojson decoding of a Secret (DiscardUnknown; proto or JSON names) ---- */


static const cJSON *field(const cJSON *o, const char *proto_name, const char *json_name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, proto_name);
	if (!v && json_name)
		v = cJSON_GetObjectItemCaseSensitive(o, json_name);
	return cJSON_IsNull(v) ? NULL : v;
}

static bool bad(dec *d, const char *what, const char *name)
{
	if (!*d->err)
		snprintf(d->err, sizeof(d->err), "proto: invalid value for %s field %s", what, name);
	return false;
}

static bool dec_str(dec *d, const cJSON *in, const char *name, const char *json_name, cJSON *out)
{
	const cJSON *v = field(in, name, json_name);
	if (v && !cJSON_IsString(v))
		return bad(d, "string", name);
	cJSON_AddStringToObject(out, name, v ? v->valuestring : "");
	return true;
}

/* an enum as its name; a number the enum knows is taken too */
static bool dec_enum(dec *d, const cJSON *in, const char *name, const char *json_name, const char *const *names,
		     const int *values, cJSON *out)
{
	const cJSON *v = field(in, name, json_name);
	for (int i = 0; names[i]; i++)
		if (!v || (cJSON_IsString(v) && !strcmp(v->valuestring, names[i])) ||
		    (cJSON_IsNumber(v) && v->valuedouble == values[i])) {
			cJSON_AddStringToObject(out, name, names[!v ? 0 : i]);
			return true;
		}
	return bad(d, "enum", name);
}

static const char *const projects_access[] = {"ALL", "ALLOWED", "NONE", NULL};
static const int projects_access_v[] = {0, 1, 2};
static const char *const debug_access[] = {"JOB_DEBUG_YES", "JOB_DEBUG_NO", NULL};
static const char *const attach_access[] = {"JOB_ATTACH_YES", "JOB_ATTACH_NO", NULL};
static const int access_v[] = {0, 2};

static bool dec_entries(dec *d, const cJSON *in, const char *name, const char *json_name, const char *k1,
			const char *k2, cJSON *out)
{
	const cJSON *v = field(in, name, json_name), *it;
	cJSON *arr = cJSON_AddArrayToObject(out, name);
	if (v && !cJSON_IsArray(v))
		return bad(d, "repeated message", name);
	cJSON_ArrayForEach(it, v) {
		if (!cJSON_IsObject(it))
			return bad(d, "message", name);
		cJSON *e = cJSON_CreateObject();
		cJSON_AddItemToArray(arr, e);
		if (!dec_str(d, it, k1, NULL, e) || !dec_str(d, it, k2, NULL, e))
			return false;
	}
	return true;
}

/* The body as a Secret message: {metadata, data, org_config}, each null when
 * not given (a message field the gateway leaves unset). NULL with d->err. */
cJSON *sbx_sec_decode_secret(const cJSON *b, dec *d)
{
	cJSON *out = cJSON_CreateObject();
	const cJSON *m = field(b, "metadata", NULL), *data = field(b, "data", NULL);
	const cJSON *oc = field(b, "org_config", "orgConfig");
	if (b && !cJSON_IsObject(b) && !cJSON_IsNull(b)) {
		snprintf(d->err, sizeof(d->err), "proto: syntax error: unexpected token, expected an object");
		goto fail;
	}
	if ((m && !cJSON_IsObject(m) && bad(d, "message", "metadata")) ||
	    (data && !cJSON_IsObject(data) && bad(d, "message", "data")) ||
	    (oc && !cJSON_IsObject(oc) && bad(d, "message", "org_config")))
		goto fail;
	if (m) {
		cJSON *x = cJSON_AddObjectToObject(out, "metadata");
		if (!dec_str(d, m, "name", NULL, x) || !dec_str(d, m, "id", NULL, x) ||
		    !dec_str(d, m, "project_id_or_name", "projectIdOrName", x))
			goto fail;
	} else {
		cJSON_AddNullToObject(out, "metadata");
	}
	if (data) {
		cJSON *x = cJSON_AddObjectToObject(out, "data");
		if (!dec_entries(d, data, "env_vars", "envVars", "name", "value", x) ||
		    !dec_entries(d, data, "files", NULL, "path", "content", x))
			goto fail;
	} else {
		cJSON_AddNullToObject(out, "data");
	}
	if (oc) {
		cJSON *x = cJSON_AddObjectToObject(out, "org_config");
		const cJSON *ids = field(oc, "project_ids", "projectIds"), *it;
		if (!dec_enum(d, oc, "projects_access", "projectsAccess", projects_access, projects_access_v, x))
			goto fail;
		if (ids && !cJSON_IsArray(ids) && bad(d, "repeated string", "project_ids"))
			goto fail;
		cJSON *arr = cJSON_AddArrayToObject(x, "project_ids");
		cJSON_ArrayForEach(it, ids) {
			if (!cJSON_IsString(it) && bad(d, "string", "project_ids"))
				goto fail;
			cJSON_AddItemToArray(arr, cJSON_CreateString(it->valuestring));
		}
		if (!dec_enum(d, oc, "debug_access", "debugAccess", debug_access, access_v, x) ||
		    !dec_enum(d, oc, "attach_access", "attachAccess", attach_access, access_v, x))
			goto fail;
	} else {
		cJSON_AddNullToObject(out, "org_config");
	}
	return out;
fail:
	cJSON_Delete(out);
	return NULL;
}

const cJSON *sbx_sec_msg(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsObject(v) ? v : NULL;
}

/* ---- model/content.ex changeset and consolidate_changeset_errors ---- */

/* One entry's errors: each key with errors as "key msg msg", keys in order,
 * run together (a list interpolated into a string); "" when none. */
static void entry_errors(const cJSON *e, const char *k1, const char *k2, bool env, char *out, size_t n)
{
	const char *a = sbx_str(e, k1), *b = sbx_str(e, k2);
	/* map keys print sorted: env vars name, value; files content, path */
	const char *first = env ? k1 : k2, *second = env ? k2 : k1;
	const char *fv = env ? a : b, *sv = env ? b : a;
	char f[160] = "", s2[160] = "";
	if (env) {
		bool req = sbx_sec_blank(fv), fmt = !valid_env_name(fv);
		if (req || fmt)
			snprintf(f, sizeof(f), "%s%s%s%s", first, req ? " can't be blank" : "",
				 fmt ? " of enviorment variable is invalid" : "", "");
	} else if (sbx_sec_blank(fv)) {
		snprintf(f, sizeof(f), "%s can't be blank", first);
	}
	if (sbx_sec_blank(sv))
		snprintf(s2, sizeof(s2), "%s can't be blank", second);
	snprintf(out, n, "%s%s", f, s2);
}

static void list_errors(const cJSON *list, const char *key, const char *k1, const char *k2, bool env,
			char *out, size_t n)
{
	const cJSON *e;
	bool any = false;
	cJSON_ArrayForEach(e, list) {
		char one[400];
		entry_errors(e, k1, k2, env, one, sizeof(one));
		any = any || *one;
	}
	out[0] = '\0';
	if (!any)
		return;
	size_t used = 0;
	cJSON_ArrayForEach(e, list) {
		char one[400];
		entry_errors(e, k1, k2, env, one, sizeof(one));
		used += (size_t)snprintf(out + used, used < n ? n - used : 0, "%s%s %s", used ? ", " : "", key, one);
	}
}

/* false with the message when data fails: env_vars, files, then size (6 MiB) */
bool sbx_sec_content_ok(const cJSON *data, char *out, size_t n)
{
	char env[1000], files[1000];
	list_errors(cJSON_GetObjectItem(data, "env_vars"), "env_vars", "name", "value", true, env, sizeof(env));
	list_errors(cJSON_GetObjectItem(data, "files"), "files", "path", "content", false, files, sizeof(files));
	size_t size = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(data, "env_vars"))
		size += strlen(sbx_str(e, "value"));
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(data, "files"))
		size += strlen(sbx_str(e, "content"));
	const char *big = size > 6u * 1024 * 1024 ? "size content is too big" : "";
	snprintf(out, n, "%s%s%s%s%s", env, *env && (*files || *big) ? ", " : "", files, *files && *big ? ", " : "", big);
	return !*out;
}

/* ---- answers ---- */

static void copy_entries(cJSON *to, const cJSON *from, const char *key, const char *k1, const char *k2, bool show)
{
	cJSON *arr = cJSON_AddArrayToObject(to, key);
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(from, key)) {
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, k1, sbx_str(e, k1));
		cJSON_AddStringToObject(x, k2, show ? sbx_str(e, k2) : ""); /* serialize_data */
		cJSON_AddItemToArray(arr, x);
	}
}

static const cJSON *present(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNull(v) ? NULL : v;
}

/* utils.ex to_org_config_params, then OrgConfig.new's defaults for what it leaves out */
static cJSON *org_config_json(const cJSON *x)
{
	cJSON *o = cJSON_CreateObject();
	const cJSON *all = present(x, "all_projects"), *ids = present(x, "project_ids");
	const char *pa = "ALL";
	if (all || ids)
		pa = cJSON_IsTrue(all) ? "ALL" : cJSON_GetArraySize(ids) == 0 ? "NONE" : "ALLOWED";
	cJSON_AddStringToObject(o, "projects_access", pa);
	cJSON_AddItemToObject(o, "project_ids", cJSON_IsArray(ids) ? cJSON_Duplicate(ids, 1) : cJSON_CreateArray());
	const cJSON *jd = present(x, "job_debug"), *ja = present(x, "job_attach");
	bool both = jd && ja;
	cJSON_AddStringToObject(o, "debug_access", both && jd->valuedouble == 2 ? "JOB_DEBUG_NO" : "JOB_DEBUG_YES");
	cJSON_AddStringToObject(o, "attach_access", both && ja->valuedouble == 2 ? "JOB_ATTACH_NO" : "JOB_ATTACH_YES");
	return o;
}

/* public_grpc_api.ex serialize, project_secrets/public_api_mapper.ex encode */
cJSON *sbx_sec_secret_json(sbx *s, const cJSON *x, bool project)
{
	bool show = sbx_sec_exposed(s);
	cJSON *o = cJSON_CreateObject(), *m = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(m, "name", sbx_str(x, "name"));
	cJSON_AddStringToObject(m, "id", sbx_str(x, "id"));
	sbx_gw_add_int64(m, "create_time", sbx_num(x, "create_time"));
	sbx_gw_add_int64(m, "update_time", sbx_num(x, "update_time"));
	sbx_gw_add_int64(m, "checkout_at", sbx_num(x, "checkout_at"));
	if (project)
		cJSON_AddStringToObject(m, "project_id_or_name", sbx_str(x, "project_id"));
	cJSON_AddBoolToObject(m, "content_included", show);
	cJSON *d = cJSON_AddObjectToObject(o, "data");
	copy_entries(d, x, "env_vars", "name", "value", show);
	copy_entries(d, x, "files", "path", "content", show);
	if (!project) { /* maybe_serialize_org_config */
		if (flag_on(s, "secrets_access_policy"))
			cJSON_AddItemToObject(o, "org_config", org_config_json(x));
		else
			cJSON_AddNullToObject(o, "org_config");
	}
	return o;
}

void sbx_sec_put(cJSON *o, const char *key, cJSON *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	cJSON_AddItemToObject(o, key, v);
}

void sbx_sec_set_data(cJSON *x, const cJSON *data)
{
	sbx_sec_put(x, "env_vars", cJSON_Duplicate(cJSON_GetObjectItem(data, "env_vars"), 1));
	sbx_sec_put(x, "files", cJSON_Duplicate(cJSON_GetObjectItem(data, "files"), 1));
}

static void entries_default(cJSON *x, const char *key, const char *k1, const char *k2)
{
	if (!cJSON_IsArray(cJSON_GetObjectItem(x, key)))
		sbx_sec_put(x, key, cJSON_CreateArray());
	cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(x, key))
		for (int i = 0; i < 2; i++)
			if (!cJSON_IsString(cJSON_GetObjectItem(e, i ? k2 : k1)))
				sbx_sec_put(e, i ? k2 : k1, cJSON_CreateString(""));
}

/* a seed's secret (either kind) filled in */
void sbx_sec_normalize(cJSON *x)
{
	char id[37];
	if (!cJSON_IsString(cJSON_GetObjectItem(x, "id"))) {
		sbx_uuid(id);
		sbx_sec_put(x, "id", cJSON_CreateString(id));
	}
	if (!cJSON_IsString(cJSON_GetObjectItem(x, "name")))
		sbx_sec_put(x, "name", cJSON_CreateString(""));
	entries_default(x, "env_vars", "name", "value");
	entries_default(x, "files", "path", "content");
	if (!cJSON_IsNumber(cJSON_GetObjectItem(x, "create_time")))
		sbx_sec_put(x, "create_time", cJSON_CreateNumber((double)time(NULL)));
	if (!cJSON_IsNumber(cJSON_GetObjectItem(x, "update_time")))
		sbx_sec_put(x, "update_time", cJSON_CreateNumber(sbx_num(x, "create_time")));
}

void sbx_normalize_secret(cJSON *x)
{
	sbx_sec_normalize(x);
}

void sbx_normalize_project_secret(cJSON *x)
{
	sbx_sec_normalize(x);
}

void sbx_sec_touch(cJSON *x)
{
	sbx_sec_put(x, "update_time", cJSON_CreateNumber((double)time(NULL)));
}

/* ---- listing: Paginator over (name, id) or (create time, id) ---- */

static int by_name(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	int c = strcmp(sbx_str(x, "name"), sbx_str(y, "name"));
	return c ? c : strcmp(sbx_str(x, "id"), sbx_str(y, "id"));
}

static int by_time(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	double tx = sbx_num(x, "create_time"), ty = sbx_num(y, "create_time");
	if (tx != ty)
		return tx < ty ? -1 : 1;
	return strcmp(sbx_str(x, "id"), sbx_str(y, "id"));
}

static cJSON *sort_key(const cJSON *x, bool time_order)
{
	return time_order ? cJSON_CreateNumber(sbx_num(x, "create_time")) : cJSON_CreateString(sbx_str(x, "name"));
}

/* rows after the token's keys; -1 for a token Paginator cannot decode (it raises) */
static int after_token(const cJSON **rows, int total, const char *token, bool time_order)
{
	if (!token || !*token)
		return 0;
	cJSON *keys = sbx_gw_untoken(token);
	const cJSON *k0 = cJSON_GetArrayItem(keys, 0);
	const char *ki = cJSON_GetStringValue(cJSON_GetArrayItem(keys, 1));
	if (!ki || (time_order ? !cJSON_IsNumber(k0) : !cJSON_IsString(k0))) {
		cJSON_Delete(keys);
		return -1;
	}
	cJSON *probe = cJSON_CreateObject();
	if (time_order)
		cJSON_AddNumberToObject(probe, "create_time", k0->valuedouble);
	else
		cJSON_AddStringToObject(probe, "name", k0->valuestring);
	cJSON_AddStringToObject(probe, "id", ki);
	int start = 0;
	while (start < total && (time_order ? by_time : by_name)(&rows[start], (const cJSON *const[]){probe}) <= 0)
		start++;
	cJSON_Delete(probe);
	cJSON_Delete(keys);
	return start;
}

/* One page of the secrets of a list (only those of project_id when given). */
void sbx_sec_list_page(sbx *s, sbx_resp *rs, const cJSON *list, const char *project_id, int size, bool time_order,
		      const char *token)
{
	int total = 0, i = 0;
	const cJSON *it;
	const cJSON **rows = calloc((size_t)cJSON_GetArraySize(list) + 1, sizeof(*rows));
	cJSON_ArrayForEach(it, list)
		if (!project_id || !strcmp(sbx_str(it, "project_id"), project_id))
			rows[total++] = it;
	qsort(rows, (size_t)total, sizeof(*rows), time_order ? by_time : by_name);
	int start = after_token(rows, total, token, time_order);
	if (start < 0) {
		free(rows);
		return sbx_fail_gw_crash(rs);
	}
	cJSON *body = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(body, "secrets");
	int end = start + size < total ? start + size : total;
	for (i = start; i < end; i++)
		cJSON_AddItemToArray(arr, sbx_sec_secret_json(s, rows[i], project_id != NULL));
	if (end < total) { /* list_secrets.ex: "" on the last page */
		cJSON *keys = cJSON_CreateArray();
		cJSON_AddItemToArray(keys, sort_key(rows[end - 1], time_order));
		cJSON_AddItemToArray(keys, cJSON_CreateString(sbx_str(rows[end - 1], "id")));
		char *next = sbx_gw_token(keys);
		cJSON_Delete(keys);
		cJSON_AddStringToObject(body, "next_page_token", next);
		free(next);
	} else {
		cJSON_AddStringToObject(body, "next_page_token", "");
	}
	free(rows);
	sbx_sec_answer(rs, body);
}

/* ---- organisation secrets: public_grpc_api.ex ---- */

/* Auth.can_manage?: organization.secrets.manage */
static bool can_manage(sbx *s)
{
	return sbx_feature(s, "secrets_manage");
}

/* secret.ex find_by_id_or_name: by id when the string holds a lowercase UUID
 * (one with more around it makes Ecto's cast raise: 500), else by name.
 * Returns false after answering 404 (also for a caller without permission). */
static bool find_secret(sbx *s, sbx_resp *rs, const char *id_or_name, cJSON **out)
{
	*out = NULL;
	if (sbx_gw_has_uuid(id_or_name) && !sbx_is_uuid(id_or_name))
		return sbx_fail_gw_crash(rs), false;
	*out = sbx_find(sbx_list(s, "secrets"), sbx_gw_has_uuid(id_or_name) ? "id" : "name", id_or_name);
	if (!*out || !can_manage(s))
		return sbx_fail_gw(rs, NOT_FOUND, "Secret %s not found", id_or_name), false;
	return true;
}

static bool list_order(const sbx_req *rq, sbx_resp *rs, bool *time_order)
{
	const cJSON *o = sbx_param(rq, "order");
	const char *v = cJSON_GetStringValue(o);
	*time_order = false;
	if (!o || (v && (!strcmp(v, "BY_NAME_ASC") || !strcmp(v, "0") || !*v)))
		return true;
	if (v && (!strcmp(v, "BY_CREATE_TIME_ASC") || !strcmp(v, "1")))
		return *time_order = true;
	sbx_fail_gw(rs, INVALID_ARGUMENT, "parsing field \"order\": %s is not valid", v ? v : "value");
	return false;
}

/* list_secrets: page size, then permission, then one page by name (or create time) */
void h_secrets_list(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	bool time_order;
	int size = sbx_gw_page_size(rq, rs, 100, 100);
	if (size < 0 || !list_order(rq, rs, &time_order))
		return;
	if (!can_manage(s))
		return sbx_fail_gw(rs, PERMISSION_DENIED, "Can't list secrets in organization");
	sbx_sec_list_page(s, rs, sbx_list(s, "secrets"), NULL, size, time_order, sbx_param_str(rq, "page_token"));
}

void h_secret_get(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	cJSON *x;
	if (find_secret(s, rs, rq->params[0], &x))
		sbx_sec_answer(rs, sbx_sec_secret_json(s, x, false));
}

/* create_secret / update_secret's org_config: filter_on_feature_flag, then
 * filter_on_user_permissions (Auth.can_manage_settings?); NULL: dropped */
static const cJSON *policy_given(sbx *s, const cJSON *secret)
{
	const cJSON *oc = sbx_sec_msg(secret, "org_config");
	if (!oc || !flag_on(s, "secrets_access_policy") || !sbx_feature(s, "secrets_policy_manage"))
		return NULL;
	return oc;
}

/* utils.ex permissions_from_org_config: NONE drops the ids, ALLOWED and ALL keep them */
static void store_policy(cJSON *x, const cJSON *oc)
{
	const char *pa = sbx_str(oc, "projects_access");
	sbx_sec_put(x, "all_projects", cJSON_CreateBool(!strcmp(pa, "ALL")));
	sbx_sec_put(x, "project_ids", strcmp(pa, "NONE") ? cJSON_Duplicate(cJSON_GetObjectItem(oc, "project_ids"), 1)
						 : cJSON_CreateArray());
	sbx_sec_put(x, "job_debug", cJSON_CreateNumber(strcmp(sbx_str(oc, "debug_access"), "JOB_DEBUG_NO") ? 0 : 2));
	sbx_sec_put(x, "job_attach", cJSON_CreateNumber(strcmp(sbx_str(oc, "attach_access"), "JOB_ATTACH_NO") ? 0 : 2));
}

/* secret.ex changeset for a create or an update (self): the content first (a bad
 * one answers its own message), then the name (blank: the catch-all of
 * process_save_errors, UNKNOWN "Unknown error"), its format (skipped on an update
 * of a secret whose old name already fails it), then the unique index. */
static bool secret_changeset_ok(sbx *s, sbx_resp *rs, const cJSON *data, const char *name, const cJSON *self)
{
	char m[2048];
	if (!data) /* Content.changeset(%Content{}, nil): cast raises */
		return sbx_fail_gw_crash(rs), false;
	if (!sbx_sec_content_ok(data, m, sizeof(m)))
		return sbx_fail_gw(rs, INVALID_ARGUMENT, "%s", m), false;
	if (sbx_sec_blank(name))
		return sbx_fail_gw(rs, UNKNOWN, "Unknown error"), false;
	if (!self || valid_secret_name(sbx_str(self, "name"))) {
		if (sbx_gw_has_uuid(name)) /* added last, reported first */
			return sbx_fail_gw(rs, INVALID_ARGUMENT, "name should not be in uuid format"), false;
		if (!valid_secret_name(name))
			return sbx_fail_gw(rs, INVALID_ARGUMENT,
					   "name can only include alpha-numeric characters, dashes, underscores and dots"),
			       false;
	}
	cJSON *other = sbx_find(sbx_list(s, "secrets"), "name", name);
	if (other && other != self)
		return sbx_fail_gw(rs, INVALID_ARGUMENT, "name has already been taken"), false;
	return true;
}

void h_secret_create(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	dec d = {""};
	cJSON *in = sbx_sec_decode_secret(rq->body, &d);
	if (!in)
		return sbx_fail_gw(rs, INVALID_ARGUMENT, "%s", d.err);
	const cJSON *meta = sbx_sec_msg(in, "metadata");
	if (!meta) { /* secret.metadata.name on nil raises */
		cJSON_Delete(in);
		return sbx_fail_gw_crash(rs);
	}
	const char *name = sbx_str(meta, "name");
	if (!can_manage(s)) {
		cJSON_Delete(in);
		return sbx_fail_gw(rs, PERMISSION_DENIED, "You are not authorized to create secrets");
	}
	if (!secret_changeset_ok(s, rs, sbx_sec_msg(in, "data"), name, NULL)) {
		cJSON_Delete(in);
		return;
	}
	cJSON *x = cJSON_CreateObject();
	char id[37];
	sbx_uuid(id);
	cJSON_AddStringToObject(x, "id", id);
	cJSON_AddStringToObject(x, "name", name);
	sbx_sec_set_data(x, sbx_sec_msg(in, "data"));
	const cJSON *oc = policy_given(s, in);
	if (oc) /* else all four stay nil: answered as the defaults */
		store_policy(x, oc);
	sbx_sec_normalize(x);
	cJSON_AddItemToArray(sbx_list(s, "secrets"), x);
	cJSON_Delete(in);
	sbx_sec_answer(rs, sbx_sec_secret_json(s, x, false));
}

/* update_secret: the body is read first (no metadata raises), then
 * secrets_exposed_content, the lookup, the permission; name and data are
 * replaced whole, org_config replaces all four fields or keeps them */
void h_secret_update(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	dec d = {""};
	cJSON *in = sbx_sec_decode_secret(rq->body, &d), *x;
	if (!in)
		return sbx_fail_gw(rs, INVALID_ARGUMENT, "%s", d.err);
	const cJSON *meta = sbx_sec_msg(in, "metadata");
	if (!meta)
		goto crash;
	if (!sbx_sec_exposed(s)) {
		cJSON_Delete(in);
		return sbx_fail_gw(rs, FAILED_PRECONDITION, "Secret can not be updated with API");
	}
	if (!find_secret(s, rs, rq->params[0], &x) ||
	    !secret_changeset_ok(s, rs, sbx_sec_msg(in, "data"), sbx_str(meta, "name"), x)) {
		cJSON_Delete(in);
		return;
	}
	sbx_sec_put(x, "name", cJSON_CreateString(sbx_str(meta, "name")));
	sbx_sec_set_data(x, sbx_sec_msg(in, "data"));
	const cJSON *oc = policy_given(s, in);
	if (oc) /* consolidate_org_configs */
		store_policy(x, oc);
	sbx_sec_touch(x);
	cJSON_Delete(in);
	sbx_sec_answer(rs, sbx_sec_secret_json(s, x, false));
	return;
crash:
	cJSON_Delete(in);
	sbx_fail_gw_crash(rs);
}

void h_secret_delete(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	cJSON *x;
	if (!find_secret(s, rs, rq->params[0], &x))
		return;
	cJSON_Delete(cJSON_DetachItemViaPointer(sbx_list(s, "secrets"), x));
	sbx_sec_answer(rs, cJSON_CreateObject());
}


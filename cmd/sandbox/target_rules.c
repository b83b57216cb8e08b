/*
 * target_rules: the parts of a deployment target body that are lists, as
 * public-api turns them into what gofer stores: subject rules (ROLE names
 * resolved to project-scope role ids, USER rules to project members), object
 * rules (gofer's changeset checks), and the two secret lists (an entry whose
 * value is the bare MD5 of the old value keeps the old value).
 */
#include "cmd/sandbox/sandbox.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The proto enums, in their wire order: a rule may give the name or the number. */
static const char *const subject_types[] = {"USER", "ROLE", "GROUP", "AUTO", "ANY", NULL};
static const char *const object_types[] = {"BRANCH", "TAG", "PR", NULL};
static const char *const match_modes[] = {"ALL", "EXACT", "REGEX", NULL};

/* secrethub's limit on a secret's content (semaphoreio/semaphore
 * secrethub/lib/secrethub/model/content.ex @max_size) */
#define MAX_SECRET_BYTES (6L * 1024 * 1024)

/* public-api's to_atom (pa/deployments_client/request_formatter.ex): a string
 * is upcased, a number is the enum's value; NULL when the server would crash. */
static const char *enum_name(const cJSON *v, const char *const *names)
{
	if (cJSON_IsNumber(v)) {
		for (int i = 0; names[i]; i++)
			if (i == (int)v->valuedouble)
				return names[i];
		return NULL;
	}
	const char *str = cJSON_GetStringValue(v);
	if (!str)
		return NULL;
	for (int i = 0; names[i]; i++)
		if (!strcasecmp(str, names[i]))
			return names[i];
	return NULL;
}

static cJSON *rule(const char *type, const char *k2, const char *v2, const char *k3, const char *v3)
{
	cJSON *r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "type", type);
	cJSON_AddStringToObject(r, k2, v2);
	if (k3)
		cJSON_AddStringToObject(r, k3, v3);
	return r;
}

/* semaphoreio/semaphore public-api/v1alpha/lib/pipelines_api/deployments_client/request_formatter.ex default_subject_rules */
cJSON *sbx_default_subject_rules(void)
{
	cJSON *a = cJSON_CreateArray();
	cJSON_AddItemToArray(a, rule("ANY", "subject_id", "", NULL, NULL));
	return a;
}

/* same file, default_object_rules */
cJSON *sbx_default_object_rules(void)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; object_types[i]; i++)
		cJSON_AddItemToArray(a, rule(object_types[i], "match_mode", "ALL", "pattern", ""));
	return a;
}

/* semaphoreio/semaphore public-api/v1alpha/lib/pipelines_api/deployments/common.ex is_list_of_subject_rules */
bool sbx_subject_rules_shaped(const cJSON *v)
{
	if (!v || cJSON_IsNull(v))
		return true;
	if (!cJSON_IsArray(v))
		return false;
	const cJSON *r;
	cJSON_ArrayForEach(r, v)
		if (!cJSON_IsObject(r) || !cJSON_HasObjectItem(r, "type"))
			return false;
	return true;
}

/* same file, is_map_of_object_rule: all three keys, whatever their values */
bool sbx_object_rules_shaped(const cJSON *v)
{
	if (!v || cJSON_IsNull(v))
		return true;
	if (!cJSON_IsArray(v))
		return false;
	const cJSON *r;
	cJSON_ArrayForEach(r, v)
		if (!cJSON_IsObject(r) || !cJSON_HasObjectItem(r, "type") ||
		    !cJSON_HasObjectItem(r, "match_mode") || !cJSON_HasObjectItem(r, "pattern"))
			return false;
	return true;
}

static bool in_list(const cJSON *list, const char *project, const char *project_name)
{
	const cJSON *p;
	cJSON_ArrayForEach(p, list) {
		const char *v = cJSON_GetStringValue(p);
		if (v && (!strcasecmp(v, project) || !strcmp(v, project_name)))
			return true;
	}
	return false;
}

/* A seed user who is a member of the project, by id (case-insensitive, as
 * member_id_to_member_map downcases) or, when login is set, by git_login. */
const cJSON *sbx_member(sbx *s, const char *project_id, const char *id, const char *login)
{
	const char *pname = sbx_str(sbx_project_by_id(s, project_id), "name");
	const cJSON *u;
	cJSON_ArrayForEach(u, sbx_list(s, "users")) {
		if (!in_list(cJSON_GetObjectItem(u, "projects"), project_id, pname))
			continue;
		if (id && !strcasecmp(sbx_str(u, "id"), id))
			return u;
		if (login && *sbx_str(u, "git_login") && !strcmp(sbx_str(u, "git_login"), login))
			return u;
	}
	return NULL;
}

static const cJSON *project_role(sbx *s, const char *name_or_id)
{
	const cJSON *r;
	cJSON_ArrayForEach(r, sbx_list(s, "roles")) {
		const char *scope = sbx_str(r, "scope");
		if (strcmp(scope, "project_scope") && strcmp(scope, "project"))
			continue;
		if (!strcasecmp(sbx_str(r, "name"), name_or_id) || !strcasecmp(sbx_str(r, "id"), name_or_id))
			return r;
	}
	return NULL;
}

static void lower(char *out, size_t n, const char *in)
{
	size_t i = 0;
	for (; in[i] && i + 1 < n; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[i] = '\0';
}

/* semaphoreio/semaphore public-api/v1alpha/lib/pipelines_api/deployments_client/request_formatter.ex
 * verify_subject_rule, check_subject_rules_roles, normalize_role_names, translate_user_handles,
 * normalize_subject_rules_users: given is a present, well-shaped list. Returns the stored list,
 * or NULL with rs filled in. The server checks every unknown role before any user, and among
 * several unknown names reports the first in byte order (it walks an Elixir map). */
cJSON *sbx_format_subject_rules(sbx *s, const cJSON *given, const char *project_id, sbx_resp *rs)
{
	const cJSON *r;
	char worst_role[256] = "", worst_login[256] = "";
	bool bad_role = false, bad_login = false;
	cJSON_ArrayForEach(r, given) {
		const char *type = enum_name(cJSON_GetObjectItem(r, "type"), subject_types);
		const cJSON *id = cJSON_GetObjectItem(r, "subject_id"), *login = cJSON_GetObjectItem(r, "git_login");
		bool no_id = !id || cJSON_IsNull(id), no_login = !login || cJSON_IsNull(login);
		/* a missing type, or a USER/ROLE/GROUP rule without its subject, raises inside
		 * the formatter: Plug.ErrorHandler answers 500 */
		if (!type || (!strcmp(type, "USER") && no_id && no_login) ||
		    ((!strcmp(type, "ROLE") || !strcmp(type, "GROUP")) && no_id) ||
		    (!no_id && !cJSON_IsString(id))) {
			sbx_fail_plain(rs, 500, "Something went wrong");
			return NULL;
		}
		if (!strcmp(type, "ROLE") && !project_role(s, id->valuestring)) {
			char low[256];
			lower(low, sizeof(low), id->valuestring);
			if (!bad_role || strcmp(low, worst_role) < 0)
				snprintf(worst_role, sizeof(worst_role), "%s", low);
			bad_role = true;
		}
		if (!strcmp(type, "USER") && no_id) {
			const char *l = cJSON_GetStringValue(login);
			if (!l || !sbx_member(s, project_id, NULL, l)) {
				if (!bad_login || strcmp(l ? l : "", worst_login) < 0)
					snprintf(worst_login, sizeof(worst_login), "%s", l ? l : "");
				bad_login = true;
			}
		}
	}
	if (bad_role) {
		sbx_fail(rs, 400, "role \"%s\" is not valid", worst_role);
		return NULL;
	}
	if (bad_login) {
		sbx_fail(rs, 400, "handle %s can't be used as subject id", worst_login);
		return NULL;
	}
	cJSON *out = cJSON_CreateArray();
	cJSON_ArrayForEach(r, given) {
		const char *type = enum_name(cJSON_GetObjectItem(r, "type"), subject_types);
		const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(r, "subject_id"));
		const char *login = cJSON_GetStringValue(cJSON_GetObjectItem(r, "git_login"));
		if (!strcmp(type, "ROLE")) {
			id = sbx_str(project_role(s, id), "id");
		} else if (!strcmp(type, "USER")) {
			const cJSON *m = sbx_member(s, project_id, id, id ? NULL : login);
			if (!m) {
				cJSON_Delete(out);
				sbx_fail(rs, 400, "user \"%s\" can't be added to subject rules for project \"%s\" and organization \"%s\"",
					 id, project_id, sbx_str(s->state, "org_id"));
				return NULL;
			}
			id = sbx_str(m, "id");
		}
		cJSON_AddItemToArray(out, rule(type, "subject_id", id ? id : "", NULL, NULL));
	}
	return out;
}

static bool regex_compiles(const char *pattern)
{
	/* gofer compiles with PCRE (Regex.compile); POSIX ERE is the nearest this
	 * binary links, so a few PCRE-only forms are not checked here */
	regex_t re;
	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
		return strstr(pattern, "\\d") || strstr(pattern, "(?") || strstr(pattern, "\\w") ||
		       strstr(pattern, "\\s");
	regfree(&re);
	return true;
}

/* request_formatter.ex format_object_rule, then gofer's changeset
 * (semaphoreio/semaphore ee/gofer/lib/gofer/deployment/model/deployment/object_rule.ex):
 * EXACT and REGEX need a pattern, REGEX one that compiles, else "Changeset error". */
cJSON *sbx_format_object_rules(const cJSON *given, sbx_resp *rs)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *r;
	cJSON_ArrayForEach(r, given) {
		const cJSON *t = cJSON_GetObjectItem(r, "type"), *m = cJSON_GetObjectItem(r, "match_mode");
		const char *type = cJSON_IsNull(t) ? "BRANCH" : enum_name(t, object_types);
		const char *mode = cJSON_IsNull(m) ? "ALL" : enum_name(m, match_modes);
		const char *pattern = cJSON_GetStringValue(cJSON_GetObjectItem(r, "pattern"));
		if (!type || !mode) {
			cJSON_Delete(out);
			sbx_fail_plain(rs, 500, "Something went wrong");
			return NULL;
		}
		bool blank = !pattern || strspn(pattern, " \t\r\n") == strlen(pattern);
		if ((strcmp(mode, "ALL") && blank) || (!strcmp(mode, "REGEX") && !regex_compiles(pattern))) {
			cJSON_Delete(out);
			sbx_fail(rs, 400, "Changeset error");
			return NULL;
		}
		cJSON_AddItemToArray(out, rule(type, "match_mode", mode, "pattern", pattern ? pattern : ""));
	}
	return out;
}

/* semaphoreio/semaphore public-api/v1alpha/lib/pipelines_api/deployments_client/response_formatter.ex
 * populate_git_logins: a USER rule gains git_login when its user is a project member with one. */
cJSON *sbx_rules_json(sbx *s, const cJSON *rules, const char *project_id)
{
	cJSON *out = cJSON_Duplicate(rules, 1);
	cJSON *r;
	cJSON_ArrayForEach(r, out) {
		if (strcmp(sbx_str(r, "type"), "USER"))
			continue;
		const cJSON *m = sbx_member(s, project_id, sbx_str(r, "subject_id"), NULL);
		if (m && *sbx_str(m, "git_login"))
			cJSON_AddStringToObject(r, "git_login", sbx_str(m, "git_login"));
	}
	return out;
}

/* create: the lists as given (create_secret); missing keys become "". */
cJSON *sbx_secret_create(const cJSON *given, const char *key, const char *valkey)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *e;
	cJSON_ArrayForEach(e, given) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, key, sbx_str(e, key));
		cJSON_AddStringToObject(o, valkey, sbx_str(e, valkey));
		cJSON_AddItemToArray(out, o);
	}
	return out;
}

static int by_key(const void *a, const void *b)
{
	return strcmp((*(cJSON *const *)a)->string, (*(cJSON *const *)b)->string);
}

/* semaphoreio/semaphore public-api/v1alpha/lib/pipelines_api/deployments_client/request_formatter.ex
 * update_secret, check_env_var, check_file: the list goes through Map.new (a repeated name keeps
 * its last value, and the entries come out in key order), and an entry keeps the old value only
 * when its value, lowercased, is the old value's MD5 exactly. */
cJSON *sbx_secret_update(const cJSON *given, const cJSON *old, const char *key, const char *valkey)
{
	cJSON *by_name = cJSON_CreateObject();
	const cJSON *e;
	cJSON_ArrayForEach(e, given) {
		cJSON_DeleteItemFromObjectCaseSensitive(by_name, sbx_str(e, key));
		cJSON_AddStringToObject(by_name, sbx_str(e, key), sbx_str(e, valkey));
	}
	int n = cJSON_GetArraySize(by_name), i = 0;
	cJSON **items = calloc((size_t)n + 1, sizeof(*items));
	for (cJSON *it = by_name->child; it; it = it->next)
		items[i++] = it;
	qsort(items, (size_t)n, sizeof(*items), by_key);
	cJSON *out = cJSON_CreateArray();
	for (i = 0; i < n; i++) {
		const char *value = items[i]->valuestring;
		const char *oldv = NULL;
		cJSON_ArrayForEach(e, old)
			if (!strcmp(sbx_str(e, key), items[i]->string))
				oldv = sbx_str(e, valkey);
		char md5[33], low[64];
		if (oldv && strlen(value) == 32) {
			sbx_md5_hex(oldv, strlen(oldv), md5);
			lower(low, sizeof(low), value);
			if (!strcmp(low, md5))
				value = oldv;
		}
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, key, items[i]->string);
		cJSON_AddStringToObject(o, valkey, value);
		cJSON_AddItemToArray(out, o);
	}
	free(items);
	cJSON_Delete(by_name);
	return out;
}

/* Why secrethub would refuse the secret (semaphoreio/semaphore
 * secrethub/lib/secrethub/model/content.ex validate_size, and its EnvVar and File
 * models, which require every field): NULL when it takes it. The server's
 * state_message is the inspected gRPC error; this text only names the cause. */
const char *sbx_secret_problem(const cJSON *env, const cJSON *files)
{
	long total = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, env) {
		if (!*sbx_str(e, "name") || !*sbx_str(e, "value"))
			return "secret sync failed: env_vars: name and value can't be blank";
		if (!strcmp(sbx_str(e, "name"), "SANDBOX_FAIL_SYNC"))
			return "secrets could not be synced (SANDBOX_FAIL_SYNC is set)";
		total += (long)strlen(sbx_str(e, "value"));
	}
	cJSON_ArrayForEach(e, files) {
		if (!*sbx_str(e, "path") || !*sbx_str(e, "content"))
			return "secret sync failed: files: path and content can't be blank";
		total += (long)strlen(sbx_str(e, "content"));
	}
	if (total > MAX_SECRET_BYTES)
		return "secret sync failed: size content is too big";
	return NULL;
}

/*
 * target_rules: the parts of a deployment target body that are lists:
 * subject and object rules (checked and stored in the API's shape, ROLE
 * rules by role UUID only) and the two secret lists (with the rule that an
 * entry carrying the MD5 of the old value keeps the old value).
 */
#include "cmd/sandbox/sandbox.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool one_of(const char *v, const char *const *words)
{
	for (; *words; words++)
		if (!strcmp(v, *words))
			return true;
	return false;
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

cJSON *sbx_default_subject_rules(void)
{
	cJSON *a = cJSON_CreateArray();
	cJSON_AddItemToArray(a, rule("ANY", "subject_id", "", NULL, NULL));
	return a;
}

cJSON *sbx_default_object_rules(void)
{
	cJSON *a = cJSON_CreateArray();
	static const char *const types[] = {"BRANCH", "TAG", "PR"};
	for (size_t i = 0; i < 3; i++)
		cJSON_AddItemToArray(a, rule(types[i], "match_mode", "ALL", "pattern", ""));
	return a;
}

static cJSON *subject_rule(sbx *s, const cJSON *r, sbx_resp *rs)
{
	static const char *const types[] = {"ANY", "USER", "ROLE", "GROUP", "AUTO", NULL};
	const char *type = sbx_str(r, "type"), *id = sbx_str(r, "subject_id"), *login = sbx_str(r, "git_login");
	if (!one_of(type, types))
		return sbx_error(rs, 400, "invalid subject rule type"), NULL;
	if (!strcmp(type, "ROLE") && !sbx_find(sbx_list(s, "roles"), "id", id))
		return sbx_error(rs, 400, "invalid subject rule: unknown role"), NULL;
	if (!strcmp(type, "USER") && !*id && !*login)
		return sbx_error(rs, 400, "invalid subject rule"), NULL;
	if (!strcmp(type, "GROUP") && !*id)
		return sbx_error(rs, 400, "invalid subject rule"), NULL;
	return rule(type, "subject_id", id, *login ? "git_login" : NULL, login);
}

static cJSON *object_rule(const cJSON *r, sbx_resp *rs)
{
	static const char *const types[] = {"BRANCH", "TAG", "PR", NULL};
	static const char *const modes[] = {"ALL", "EXACT", "REGEX", NULL};
	const char *type = sbx_str(r, "type"), *mode = sbx_str(r, "match_mode");
	if (!*mode)
		mode = "ALL";
	if (!one_of(type, types) || !one_of(mode, modes))
		return sbx_error(rs, 400, "invalid object rule"), NULL;
	return rule(type, "match_mode", mode, "pattern", sbx_str(r, "pattern"));
}

cJSON *sbx_validate_rules(sbx *s, const cJSON *rules, bool subject, sbx_resp *rs)
{
	if (!cJSON_IsArray(rules))
		return sbx_error(rs, 400, "rules must be a list"), NULL;
	cJSON *out = cJSON_CreateArray();
	const cJSON *r;
	cJSON_ArrayForEach(r, rules) {
		cJSON *ok = subject ? subject_rule(s, r, rs) : object_rule(r, rs);
		if (!ok) {
			cJSON_Delete(out);
			return NULL;
		}
		cJSON_AddItemToArray(out, ok);
	}
	if (cJSON_GetArraySize(out) == 0) { /* an empty list means the default */
		cJSON_Delete(out);
		out = subject ? sbx_default_subject_rules() : sbx_default_object_rules();
	}
	return out;
}

/* "<md5 of old>" or "<md5 of old> [md5]" keeps the old value. */
static const char *kept_value(const char *given, const char *old)
{
	if (!old)
		return NULL;
	char md5[33];
	sbx_md5_hex(old, strlen(old), md5);
	size_t n = strlen(given);
	if ((n == 32 || (n == 38 && !strcmp(given + 32, " [md5]"))) && !strncasecmp(given, md5, 32))
		return old;
	return NULL;
}

static bool base64ish(const char *v)
{
	size_t n = strlen(v);
	return n % 4 == 0 &&
	       strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") == n;
}

cJSON *sbx_secret_list(const cJSON *given, const cJSON *old, const char *key, const char *valkey,
		       sbx_resp *rs)
{
	cJSON *out = cJSON_CreateArray();
	if (given && !cJSON_IsArray(given)) {
		sbx_error(rs, 400, "%s must be a list", !strcmp(key, "name") ? "env_vars" : "files");
		cJSON_Delete(out);
		return NULL;
	}
	const cJSON *e;
	cJSON_ArrayForEach(e, given) {
		const char *k = sbx_str(e, key);
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, valkey);
		const char *value = cJSON_GetStringValue(v);
		const char *oldv = cJSON_GetStringValue(cJSON_GetObjectItem(sbx_find((cJSON *)old, key, k), valkey));
		const char *kept = value ? kept_value(value, oldv) : NULL;
		bool bad = !*k || !value || sbx_find(out, key, k) ||
			   (!kept && !strcmp(valkey, "content") && !base64ish(value));
		if (bad) {
			sbx_error(rs, 400, "invalid %s entry", !strcmp(key, "name") ? "env_vars" : "files");
			cJSON_Delete(out);
			return NULL;
		}
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, key, k);
		cJSON_AddStringToObject(o, valkey, kept ? kept : value);
		cJSON_AddItemToArray(out, o);
	}
	return out;
}

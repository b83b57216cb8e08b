/*
 * envvars: the write-only variables of a Context and of a ProjectEnvironment.
 *
 * The API never returns a value, only its tail: the last min(4, floor(len/2))
 * characters (CircleCI-Labs/terraform-provider-circleci
 * ic/environment_variable.go truncated_value; project variables add "xxxx"
 * in front: circleci/circleci-docs _environment_vars.md). So ciform computes
 * the same tail of the value the spec wants: a different tail is a changed
 * value (drift, rewritten by apply); an equal tail is no proof, so the value
 * is "unverified", never silently called equal. Values that are not ASCII
 * are not compared at all (whether the API counts characters or bytes is
 * not known). Comparison goes through the core's secret sets (diff.h): the
 * desired entry carries "cmp", the key the core hashes, and read_live gives
 * the live entry the MD5 of the same key when the tails agree.
 */
#include "reconciler/providers/circleci/kinds.h"
#include "reconciler/codec.h"
#include "reconciler/diff.h"
#include "reconciler/manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SECRET (64 * 1024)

static const cf_field value_from_fields[] = {
	{.key = "env", .type = CF_T_STR},
	{.key = "file", .type = CF_T_STR},
	CF_FIELDS_END,
};

/* MR client/context_environment.go's name rule (open question 10) */
const cf_field cf_cci_envvar_fields[] = {
	{.key = "name", .type = CF_T_STR, .flags = CF_F_REQUIRED, .match = "[A-Za-z][A-Za-z0-9_]*",
	 .match_words = "a letter, then letters, digits and underscores"},
	{.key = "value", .type = CF_T_STR},
	{.key = "valueFrom", .type = CF_T_MAP, .fields = value_from_fields},
	{.key = "keepLive", .type = CF_T_BOOL},
	CF_FIELDS_END,
};

char *cf_cci_tail(const char *v)
{
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p >= 0x80)
			return NULL;
	size_t n = strlen(v), t = n / 2 < 4 ? n / 2 : 4;
	return cf_xstrdup(v + n - t);
}

static const char *str(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* The value an entry names: written, from the environment, or from a file
 * beside the manifest. NULL when it cannot be had (reported). */
static char *entry_value(cf_kctx *kc, const cJSON *e, const char *at)
{
	const cJSON *from = cJSON_GetObjectItemCaseSensitive(e, "valueFrom");
	if (!from)
		return cf_xstrdup(str(e, "value"));
	char path[128];
	const char *var = str(from, "env"), *file = str(from, "file");
	if ((var != NULL) == (file != NULL)) {
		snprintf(path, sizeof(path), "%s.valueFrom", at);
		cf_kerr(kc, path, "%s: give exactly one of env and file", path);
		return NULL;
	}
	if (var) {
		const char *v = getenv(var);
		snprintf(path, sizeof(path), "%s.valueFrom.env", at);
		if (!v) {
			cf_kmissing_secret(kc, path, "%s: the environment variable %s is not set", path, var);
			return NULL;
		}
		return cf_xstrdup(v);
	}
	snprintf(path, sizeof(path), "%s.valueFrom.file", at);
	size_t len = 0;
	char *v = cf_kread(kc, path, file, MAX_SECRET, &len);
	if (v && strlen(v) != len) {
		cf_kerr(kc, path, "%s: %s holds a NUL byte, which a variable cannot", path, file);
		free(v);
		return NULL;
	}
	return v;
}

/* One entry: exactly one source; its value in place with its "cmp" key, or
 * {name, live: true} for keepLive (the core's "keep what live holds"). */
static void check_entry(cf_kctx *kc, cJSON *e, const char *at, bool absent)
{
	bool has_value = cJSON_HasObjectItem(e, "value"), has_from = cJSON_HasObjectItem(e, "valueFrom");
	bool keep = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "keepLive"));
	if (has_value + has_from + keep != 1) {
		cf_kerr(kc, at, "%s: give exactly one of value, valueFrom and keepLive: true", at);
		return;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(e, "keepLive");
	if (keep) {
		cJSON_AddTrueToObject(e, "live");
		return;
	}
	if (absent)
		return;
	char *v = entry_value(kc, e, at);
	if (!v)
		return; /* reported (or offline: the valueFrom stays, for checking only) */
	if (!*v) {
		char path[128];
		snprintf(path, sizeof(path), "%s.%s", at, has_from ? "valueFrom" : "value");
		cf_kerr(kc, path, "%s: the value is empty; CircleCI variables need one", path);
	}
	cJSON_DeleteItemFromObjectCaseSensitive(e, "valueFrom");
	cJSON_DeleteItemFromObjectCaseSensitive(e, "value");
	cJSON_AddStringToObject(e, "value", v);
	char *tail = cf_cci_tail(v);
	char *cmp = tail ? cf_xasprintf("t:%s", tail) : cf_xstrdup("u:");
	cJSON_AddStringToObject(e, "cmp", cmp);
	free(cmp);
	free(tail);
	memset(v, 0, strlen(v));
	free(v);
}

void cf_cci_check_envvars(cf_kctx *kc, cJSON *doc, bool absent, int max)
{
	cJSON *list = (cJSON *)cf_json_path(doc, "spec.envVars");
	if (max > 0 && cJSON_GetArraySize(list) > max)
		cf_kerr(kc, "spec.envVars", "spec.envVars: %d variables; CircleCI keeps at most %d here",
			cJSON_GetArraySize(list), max);
	int i = 0;
	cJSON *e;
	cJSON_ArrayForEach(e, list) {
		char at[64];
		snprintf(at, sizeof(at), "spec.envVars[%d]", i);
		const char *name = str(e, "name");
		int j = 0;
		const cJSON *o;
		cJSON_ArrayForEach(o, list) {
			if (j++ >= i)
				break;
			if (name && str(o, "name") && !strcmp(name, str(o, "name"))) {
				char np[80];
				snprintf(np, sizeof(np), "%s.name", at);
				cf_kerr(kc, np, "%s: %s is listed twice", np, name);
				break;
			}
		}
		check_entry(kc, e, at, absent);
		i++;
	}
}

static char *md5_of(const char *s)
{
	char out[33];
	cf_md5_hex(s, strlen(s), out);
	return cf_xstrdup(out);
}

char *cf_cci_live_cmp(const cJSON *desired_entry, const char *live_tail, bool rewrite, bool *unverified)
{
	*unverified = false;
	const char *want = str(desired_entry, "cmp");
	char *have = cf_xasprintf("t:%s", live_tail ? live_tail : "");
	char *out;
	if (rewrite && want) {
		out = md5_of("rewrite: never equal to a desired key");
	} else if (want && !strcmp(want, "u:")) {
		*unverified = true; /* not ASCII: not compared */
		out = md5_of(want);
	} else {
		*unverified = want && !strcmp(want, have);
		out = md5_of(have);
	}
	free(have);
	return out;
}

static char *joined(const cJSON *names)
{
	char *list = cf_xstrdup("");
	const cJSON *x;
	cJSON_ArrayForEach(x, names) {
		char *next = cf_xasprintf("%s%s%s", list, *list ? ", " : "", x->valuestring);
		free(list);
		list = next;
	}
	return list;
}

/* A context's list stops at 100 with a next_page_token that nothing reads
 * (LABS internal/circleci/environment_variable.go
 * ContextEnvVarsTruncatedError): what that means for this plan. */
static char *truncation_note(const cJSON *api)
{
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(api, "truncated")))
		return NULL;
	const cJSON *unseen = cJSON_GetObjectItemCaseSensitive(api, "unseen");
	char *list = joined(unseen);
	char *out = cf_xasprintf("the variable list is truncated (CircleCI shows only the first 100 and nothing "
				 "reads the rest): --prune deletes none of this context's variables%s%s", *list ?
				 "; not shown, so written (a PUT creates or replaces): " : "", list);
	free(list);
	return out;
}

char *cf_cci_vars_unverified(const cJSON *api)
{
	const cJSON *names = cJSON_GetObjectItemCaseSensitive(api, "unverified");
	int n = cJSON_GetArraySize(names);
	char *trunc = truncation_note(api);
	if (n == 0)
		return trunc;
	char *list = joined(names);
	char *out = cf_xasprintf("%d write-only value%s could not be compared (the API shows only the last "
				 "characters): %s%s%s", n, n == 1 ? "" : "s", list, trunc ? "; " : "", trunc ? trunc : "");
	free(list);
	free(trunc);
	return out;
}

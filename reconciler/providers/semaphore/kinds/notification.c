/*
 * spec_notification: the Notification manifest (apiVersion v1alpha).
 *
 * It reads what `sem get notification NAME -o yaml` prints (semaphoreci/cli
 * api/models/notification_v1_alpha.go) and refuses offline what the server
 * would refuse (semaphoreio/semaphore notifications/lib/notifications/
 * util/validator.ex), including what the server answers with a crash (500):
 * a UUID or empty name, two bad results (models/notification.ex, validator.ex
 * report_results). Slack and webhook endpoints carry credentials in the URL:
 * they may come from the environment or a file (endpointFrom), which is
 * resolved here, and no message ever quotes one. The resolved endpoints are
 * also gathered into the document's "endpoints" list, the secret set the
 * plan compares (notification_rules.c).
 *
 * The schema walker knows no list of strings, so the filter lists, channels,
 * cc and bcc are read from the YAML here, with their positions.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "reconciler/kind.h"
#include "reconciler/locs.h"
#include "reconciler/manifest.h"
#include "reconciler/providers/semaphore/kinds.h"
#include "reconciler/providers/semaphore/kinds/notification.h"

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An endpoint read from a file: a URL, never longer than this. */
#define ENDPOINT_MAX_BYTES (64u * 1024)

static const cf_field from_fields[] = {
	{.key = "env", .type = CF_T_STR},
	{.key = "file", .type = CF_T_STR},
	CF_FIELDS_END,
};

static const cf_field slack_fields[] = {
	{.key = "endpoint", .type = CF_T_STR},
	{.key = "endpointFrom", .type = CF_T_MAP, .fields = from_fields},
	{.key = "channels", .type = CF_T_IGNORE}, /* a list of strings: check() */
	{.key = "message", .type = CF_T_STR},
	CF_FIELDS_END,
};

static const cf_field email_fields[] = {
	{.key = "subject", .type = CF_T_STR},
	{.key = "cc", .type = CF_T_IGNORE},
	{.key = "bcc", .type = CF_T_IGNORE},
	{.key = "content", .type = CF_T_STR},
	CF_FIELDS_END,
};

static const cf_field webhook_fields[] = {
	{.key = "endpoint", .type = CF_T_STR},
	{.key = "endpointFrom", .type = CF_T_MAP, .fields = from_fields},
	{.key = "secret", .type = CF_T_STR},
	{.key = "action", .type = CF_T_STR},
	{.key = "timeout", .type = CF_T_INT},
	{.key = "retries", .type = CF_T_INT},
	CF_FIELDS_END,
};

static const cf_field notify_fields[] = {
	{.key = "slack", .type = CF_T_MAP, .fields = slack_fields},
	{.key = "email", .type = CF_T_MAP, .fields = email_fields},
	{.key = "webhook", .type = CF_T_MAP, .fields = webhook_fields},
	CF_FIELDS_END,
};

static const cf_field filter_fields[] = {
	{.key = "projects", .type = CF_T_IGNORE},
	{.key = "branches", .type = CF_T_IGNORE},
	{.key = "pipelines", .type = CF_T_IGNORE},
	{.key = "blocks", .type = CF_T_IGNORE},
	{.key = "states", .type = CF_T_IGNORE},
	{.key = "results", .type = CF_T_IGNORE},
	{.key = "tags", .type = CF_T_IGNORE},
	CF_FIELDS_END,
};

static const cf_field rule_fields[] = {
	{.key = "name", .type = CF_T_STR},
	{.key = "filter", .type = CF_T_MAP, .fields = filter_fields},
	{.key = "notify", .type = CF_T_MAP, .fields = notify_fields},
	CF_FIELDS_END,
};

static const cf_field spec_fields[] = {
	{.key = "rules", .type = CF_T_LIST, .fields = rule_fields},
	CF_FIELDS_END,
};

static const cf_field metadata_fields[] = {
	{.key = "name", .type = CF_T_STR, .flags = CF_F_REQUIRED, .match = "[^/]+", .match_words = "a name without '/'"},
	CF_ENSURE_FIELD,
	CF_METADATA_OUTPUT_ONLY,
	{.key = "creator_id", .type = CF_T_IGNORE},
	CF_FIELDS_END,
};

static const cf_field document_fields[] = {CF_DOCUMENT_FIELDS(metadata_fields, spec_fields)};

const char *const cf_sem_notification_lists[] = {"projects", "branches", "pipelines", "blocks",
						 "states", "results", "tags", NULL};
const char *const cf_sem_notification_targets[] = {"slack", "email", "webhook", NULL};

static const char *const results_words[] = {"passed", "failed", "stopped", "canceled", NULL};
static const char *const states_words[] = {"STARTED", "FINISHED", NULL};

/* The list of strings at path, as a new array; NULL when absent (reported
 * when it is something else). */
static cJSON *strlist(cf_kctx *kc, const char *path)
{
	yaml_node_t *n = cf_ypath(kc->y, kc->root, path);
	if (!n || cf_yis_null(n))
		return NULL;
	if (n->type != YAML_SEQUENCE_NODE) {
		cf_kerr(kc, path, "%s: must be a list of strings", path);
		return NULL;
	}
	cJSON *out = cJSON_CreateArray();
	int i = 0;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++, i++) {
		const char *s = cf_yscalar(yaml_document_get_node(kc->y->doc, *it));
		if (!s) {
			char *ip = cf_xasprintf("%s[%d]", path, i);
			cf_kerr(kc, ip, "%s: must be a string", ip);
			free(ip);
			continue;
		}
		cJSON_AddItemToArray(out, cJSON_CreateString(s));
	}
	return out;
}

/* models/pattern.ex regex?: ~r/^\/.*\/$/ */
static bool is_regex(const char *t)
{
	size_t n = strlen(t);
	return n >= 2 && t[0] == '/' && t[n - 1] == '/' && !memchr(t, '\n', n - 1);
}

/* validator.ex validate_regex_patterns: Regex.compile of what is between the
 * slashes, PCRE without options, as here. */
static void check_regex(cf_kctx *kc, const char *path, const char *term)
{
	int errcode;
	PCRE2_SIZE erroff;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)term + 1, strlen(term) - 2, 0, &errcode, &erroff, NULL);
	if (re) {
		pcre2_code_free(re);
		return;
	}
	PCRE2_UCHAR msg[256];
	pcre2_get_error_message(errcode, msg, sizeof(msg));
	cf_kerr(kc, path, "%s: %s is not a valid regular expression: %s at offset %zu", path, term,
		(const char *)msg, (size_t)erroff);
}

static bool in_words(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (!strcmp(s, *words))
			return true;
	return false;
}

/* One rule's filter: every list read, each /regex/ compiled, results and
 * states checked; an empty projects list is stored and never matches
 * (util/rule_factory.ex adds no default for it), so it warns. */
static void check_filter(cf_kctx *kc, cJSON *rule, const char *rpath)
{
	cJSON *filter = cJSON_GetObjectItemCaseSensitive(rule, "filter");
	if (!filter)
		filter = cJSON_AddObjectToObject(rule, "filter");
	for (const char *const *l = cf_sem_notification_lists; *l; l++) {
		char *path = cf_xasprintf("%s.filter.%s", rpath, *l);
		cJSON *list = strlist(kc, path);
		int i = 0;
		cJSON *e;
		cJSON_ArrayForEach(e, list) {
			char *ip = cf_xasprintf("%s[%d]", path, i++);
			bool regex = is_regex(e->valuestring);
			if (!strcmp(*l, "states") && !in_words(e->valuestring, states_words))
				cf_kerr(kc, ip, "%s: must be STARTED or FINISHED, not '%s'", ip, e->valuestring);
			else if (regex && strcmp(*l, "states") != 0)
				check_regex(kc, ip, e->valuestring);
			else if (!strcmp(*l, "results") && !in_words(e->valuestring, results_words))
				cf_kerr(kc, ip, "%s: must be passed, failed, stopped, canceled or a /regex/, not '%s'",
					ip, e->valuestring);
			free(ip);
		}
		if (!strcmp(*l, "projects") && cJSON_GetArraySize(list) == 0)
			cf_kwarn(kc, list ? path : rpath, "%s: no projects, so this rule never fires (the server "
				 "matches no project against an empty list)", path);
		cJSON_DeleteItemFromObjectCaseSensitive(filter, *l);
		cJSON_AddItemToObject(filter, *l, list ? list : cJSON_CreateArray());
		free(path);
	}
}

/* Replaces endpointFrom by the endpoint it names. A file's one trailing
 * newline is not part of the URL. */
static void resolve_endpoint(cf_kctx *kc, cJSON *target, const char *tpath, bool absent)
{
	cJSON *from = cJSON_GetObjectItemCaseSensitive(target, "endpointFrom");
	if (!from)
		return;
	char *fpath = cf_xasprintf("%s.endpointFrom", tpath);
	const char *env = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(from, "env"));
	const char *file = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(from, "file"));
	char *value = NULL;
	if (cJSON_HasObjectItem(target, "endpoint")) {
		cf_kerr(kc, fpath, "%s: give endpoint or endpointFrom, not both", tpath);
	} else if ((env != NULL) == (file != NULL)) {
		cf_kerr(kc, fpath, "%s: give exactly one of env and file", fpath);
	} else if (absent) {
		/* a notification being deleted needs no endpoint */
	} else if (env) {
		const char *v = getenv(env);
		char *epath = cf_xasprintf("%s.env", fpath);
		if (!v)
			cf_kmissing_secret(kc, epath, "%s: environment variable %s is not set", epath, env);
		else if (!*v)
			cf_kerr(kc, epath, "%s: environment variable %s is empty", epath, env);
		else
			value = cf_xstrdup(v);
		free(epath);
	} else {
		char *ppath = cf_xasprintf("%s.file", fpath);
		size_t len = 0;
		value = cf_kread(kc, ppath, file, ENDPOINT_MAX_BYTES, &len);
		if (value && len && value[len - 1] == '\n')
			value[--len] = '\0';
		if (value && len && value[len - 1] == '\r')
			value[--len] = '\0';
		if (value && (!len || strlen(value) != len || strchr(value, '\n'))) {
			cf_kerr(kc, ppath, "%s: '%s' must hold one line, the endpoint URL", ppath, file);
			free(value);
			value = NULL;
		}
		free(ppath);
	}
	if (value) {
		cJSON_DeleteItemFromObjectCaseSensitive(target, "endpointFrom");
		cJSON_AddItemToObject(target, "endpoint", cJSON_CreateString(value));
		free(value);
	}
	free(fpath);
}

/* The endpoint secret set: {"target": "rules[0].slack", "endpoint": URL},
 * the endpoint's place remembered for the plan's placeholder messages. */
static void add_endpoint(cf_kctx *kc, cJSON *doc, const char *tpath, const char *key, const char *endpoint)
{
	cJSON *set = cJSON_GetObjectItemCaseSensitive(doc, CF_SEM_NOTIFICATION_ENDPOINTS);
	if (!set)
		set = cJSON_AddArrayToObject(doc, CF_SEM_NOTIFICATION_ENDPOINTS);
	char *at = cf_xasprintf("%s[%d].endpoint", CF_SEM_NOTIFICATION_ENDPOINTS, cJSON_GetArraySize(set));
	char *epath = cf_xasprintf("%s.endpoint", tpath);
	yaml_node_t *n = cf_ypath(kc->y, kc->root, epath);
	if (n && kc->y->locs)
		cf_locs_add(kc->y->locs, at, (int)n->start_mark.line + 1, (int)n->start_mark.column + 1);
	cJSON *e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "target", key);
	cJSON_AddStringToObject(e, "endpoint", endpoint);
	cJSON_AddItemToArray(set, e);
	free(epath);
	free(at);
}

static void check_targets(cf_kctx *kc, cJSON *doc, cJSON *rule, int index, const char *rpath, bool absent)
{
	cJSON *notify = cJSON_GetObjectItemCaseSensitive(rule, "notify");
	bool any = false;
	for (const char *const *t = cf_sem_notification_targets; *t; t++) {
		cJSON *target = cJSON_GetObjectItemCaseSensitive(notify, *t);
		if (!target)
			continue;
		char *tpath = cf_xasprintf("%s.notify.%s", rpath, *t);
		static const char *const lists[] = {"channels", "cc", "bcc", NULL};
		for (const char *const *l = lists; *l; l++) {
			if (!strcmp(*t, "slack") != !strcmp(*l, "channels"))
				continue;
			char *lpath = cf_xasprintf("%s.%s", tpath, *l);
			cJSON *list = strlist(kc, lpath);
			cJSON_AddItemToObject(target, *l, list ? list : cJSON_CreateArray());
			free(lpath);
		}
		if (!strcmp(*t, "email")) {
			any = any || cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(target, "cc")) > 0;
		} else {
			resolve_endpoint(kc, target, tpath, absent);
			const char *ep = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(target, "endpoint"));
			bool from = cJSON_HasObjectItem(target, "endpointFrom"); /* unresolved: offline or absent */
			any = any || (ep && *ep) || from;
			char key[64];
			snprintf(key, sizeof(key), "rules[%d].%s", index, *t);
			if (ep && *ep)
				add_endpoint(kc, doc, tpath, key, ep);
		}
		static const char *const ints[] = {"timeout", "retries", NULL};
		for (const char *const *k = ints; !strcmp(*t, "webhook") && *k; k++) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(target, *k);
			if (cJSON_IsNumber(v) && (v->valuedouble < 0 || v->valuedouble > 2147483647.0)) {
				char *ip = cf_xasprintf("%s.%s", tpath, *k);
				cf_kerr(kc, ip, "%s: must be between 0 and 2147483647", ip);
				free(ip);
			}
		}
		free(tpath);
	}
	if (!any) {
		char *at = cf_xasprintf("%s%s", rpath, notify ? ".notify" : "");
		cf_kerr(kc, at, "%s: needs at least one target: a slack or webhook endpoint, or an email "
			"with cc (validator.ex validate_notification_targets)", rpath);
		free(at);
	}
}

static void check(cf_kctx *kc, cJSON *doc, bool absent)
{
	const char *name = cJSON_GetStringValue(cf_json_path(doc, "metadata.name"));
	if (name && cf_schema_matches(CF_UUID_PATTERN, name))
		cf_kerr(kc, "metadata.name", "metadata.name: must not be a UUID (the server refuses one, "
			"as it could not tell it from an id)");
	cJSON *rules = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "spec"), "rules");
	int i = 0;
	cJSON *rule;
	cJSON_ArrayForEach(rule, rules) {
		char rpath[48];
		snprintf(rpath, sizeof(rpath), "spec.rules[%d]", i);
		check_filter(kc, rule, rpath);
		check_targets(kc, doc, rule, i, rpath, absent);
		i++;
	}
}

const cf_kind cf_sem_notification_kind = {
	.name = "Notification",
	.api_version = "v1alpha",
	.noun = "notification",
	.fields = document_fields,
	.has_project = false,
	.has_name = true,
	.absent_refusal = NULL,
	.check = check,
	.check_set = NULL,
	.schema_rules = NULL,
	.diff = cf_sem_notification_diff,
	.has_active = false,
	.read_live = cf_sem_notification_read_live,
	.apply = cf_sem_notification_apply,
	.live_problem = NULL,
	.preflight = NULL,
	.values_hidden = NULL,
	.export = cf_sem_notification_export,
};

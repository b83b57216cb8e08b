/*
 * spec_target: the DeploymentTarget manifest.
 *
 * The largest kind: who may deploy (subject rules), what may be deployed
 * (object rules, REGEX patterns compiled with PCRE2 as the server does), and
 * the secrets the target hands to jobs. Secrets come from the spec, from the
 * environment or from files inside the spec tree; they are resolved here so
 * later stages see plain values, and no message ever quotes one (nor the MD5
 * of one).
 *
 * It reads the YAML `sem get dt NAME -o yaml` prints (semaphoreci/cli
 * api/models/deployment_target_v1_alpha.go): every file there carries
 * `source: ""` beside its content, which sem reads as "no source".
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "reconciler/kind.h"
#include "reconciler/schema_rules.h"
#include "reconciler/manifest.h"
#include "reconciler/providers/semaphore/kinds.h"
#include "reconciler/codec.h"

#include <pcre2.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* The limit on a target's env var values and file contents together, as
 * stored: files count as their base64 text (secrethub model/content.ex
 * total_size, over byte_size of each value and content). */
#define SECRETS_MAX_BYTES (6u * 1024 * 1024)

static const char *const subject_types[] = {"ANY", "USER", "ROLE", "GROUP", "AUTO", NULL};
static const char *const object_types[] = {"BRANCH", "TAG", "PR", NULL};
static const char *const match_modes[] = {"ALL", "EXACT", "REGEX", NULL};

static const cf_field subject_rule_fields[] = {
	{.key = "type", .type = CF_T_STR, .flags = CF_F_REQUIRED, .one_of = subject_types},
	{.key = "subject_id", .type = CF_T_STR},
	{.key = "git_login", .type = CF_T_STR},
	CF_FIELDS_END,
};

static const cf_field object_rule_fields[] = {
	{.key = "type", .type = CF_T_STR, .flags = CF_F_REQUIRED, .one_of = object_types},
	{.key = "match_mode", .type = CF_T_STR, .one_of = match_modes},
	{.key = "pattern", .type = CF_T_STR},
	CF_FIELDS_END,
};

static const cf_field value_from_fields[] = {
	{.key = "env", .type = CF_T_STR},
	{.key = "file", .type = CF_T_STR},
	CF_FIELDS_END,
};

static const cf_field env_var_fields[] = {
	{.key = "name", .type = CF_T_STR, .flags = CF_F_REQUIRED, .match = "[a-zA-Z_][a-zA-Z0-9_]*", .match_words = "a letter or _ followed by letters, digits or _"},
	{.key = "value", .type = CF_T_STR},
	{.key = "valueFrom", .type = CF_T_MAP, .fields = value_from_fields},
	CF_FIELDS_END,
};

static const cf_field file_fields[] = {
	{.key = "path", .type = CF_T_STR, .flags = CF_F_REQUIRED},
	{.key = "content", .type = CF_T_STR},
	{.key = "source", .type = CF_T_STR},
	CF_FIELDS_END,
};

static const cf_field spec_fields[] = {
	{.key = "active", .type = CF_T_BOOL},
	{.key = "bookmark_parameter1", .type = CF_T_STR},
	{.key = "bookmark_parameter2", .type = CF_T_STR},
	{.key = "bookmark_parameter3", .type = CF_T_STR},
	{.key = "subject_rules", .type = CF_T_LIST, .fields = subject_rule_fields},
	{.key = "object_rules", .type = CF_T_LIST, .fields = object_rule_fields},
	{.key = "env_vars", .type = CF_T_LIST, .fields = env_var_fields},
	{.key = "files", .type = CF_T_LIST, .fields = file_fields},
	CF_SPEC_OUTPUT_ONLY,
	/* output-only: the target's latest deployment, which the API answers
	 * with (public-api deployments_client/response_formatter.ex) and sem prints */
	{.key = "last_deployment", .type = CF_T_IGNORE},
	CF_FIELDS_END,
};

static const cf_field metadata_fields[] = {
	{.key = "name", .type = CF_T_STR, .flags = CF_F_REQUIRED, .match = "[A-Za-z0-9_.-]{1,255}", .match_words = "1 to 255 letters, digits, _, . or -"},
	CF_PROJECT_FIELDS,
	{.key = "description", .type = CF_T_STR},
	{.key = "url", .type = CF_T_STR},
	CF_ENSURE_FIELD,
	CF_METADATA_OUTPUT_ONLY,
	CF_FIELDS_END,
};

static const cf_field document_fields[] = {CF_DOCUMENT_FIELDS(metadata_fields, spec_fields)};

static const char *item_str(cJSON *item, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(item, key));
}

static bool nonempty(const char *s)
{
	return s && *s;
}

static void check_subject_rules(cf_kctx *kc, cJSON *rules)
{
	int i = 0;
	for (cJSON *r = rules ? rules->child : NULL; r; r = r->next, i++) {
		const char *type = item_str(r, "type");
		if (!type)
			continue;
		char path[64];
		snprintf(path, sizeof(path), "spec.subject_rules[%d]", i);
		bool id = nonempty(item_str(r, "subject_id")), login = nonempty(item_str(r, "git_login"));
		if ((!strcmp(type, "ROLE") || !strcmp(type, "GROUP")) && !id)
			cf_kerr(kc, path, "%s: a %s rule needs subject_id (the %s name or UUID)", path, type,
				!strcmp(type, "ROLE") ? "role" : "group");
		else if (!strcmp(type, "USER") && !id && !login)
			cf_kerr(kc, path, "%s: a USER rule needs git_login or subject_id", path);
		else if ((!strcmp(type, "ANY") || !strcmp(type, "AUTO")) && (id || login))
			cf_kerr(kc, path, "%s: an %s rule takes no subject_id or git_login", path, type);
	}
}

static void check_regex(cf_kctx *kc, const char *path, const char *pattern)
{
	int errcode;
	PCRE2_SIZE erroff;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0,
				       &errcode, &erroff, NULL);
	if (re) {
		pcre2_code_free(re);
		return;
	}
	PCRE2_UCHAR msg[256];
	pcre2_get_error_message(errcode, msg, sizeof(msg));
	cf_kerr(kc, path, "%s: not a valid regular expression: %s at offset %zu", path,
		(const char *)msg, (size_t)erroff);
}

static void check_object_rules(cf_kctx *kc, cJSON *rules)
{
	int i = 0;
	for (cJSON *r = rules ? rules->child : NULL; r; r = r->next, i++) {
		const char *type = item_str(r, "type"), *mode = item_str(r, "match_mode");
		const char *pattern = item_str(r, "pattern");
		if (!type)
			continue;
		char path[64];
		snprintf(path, sizeof(path), "spec.object_rules[%d]", i);
		/* PR rules too: the server checks and applies match_mode and
		 * pattern for every type (ee/gofer deployment/object_rule.ex
		 * changeset, deployment/guardian.ex object_rule_applies?) */
		bool exact_or_regex = mode && strcmp(mode, "ALL") != 0;
		if (exact_or_regex && !nonempty(pattern)) {
			cf_kerr(kc, path, "%s: match_mode %s needs a pattern", path, mode);
		} else if (mode && !strcmp(mode, "REGEX")) {
			char ppath[80];
			snprintf(ppath, sizeof(ppath), "%s.pattern", path);
			check_regex(kc, ppath, pattern);
		}
	}
}

/* Why an empty secret is refused before sending rather than by the API. */
#define EMPTY_SECRET_WHY "the API would take it and leave the target unusable"

/* Replaces valueFrom by the value it names; returns the value's size. */
static size_t resolve_env_var(cf_kctx *kc, cJSON *var, const char *path, bool absent)
{
	cJSON *from = cJSON_GetObjectItemCaseSensitive(var, "valueFrom");
	const char *value = item_str(var, "value");
	bool has_value = cJSON_HasObjectItem(var, "value");
	if (has_value == (from != NULL)) {
		cf_kerr(kc, path, "%s: give exactly one of value and valueFrom", path);
		return 0;
	}
	char fpath[96];
	if (!from) {
		if (!*value) {
			snprintf(fpath, sizeof(fpath), "%s.value", path);
			cf_kerr(kc, fpath, "%s: must not be empty (" EMPTY_SECRET_WHY ")", fpath);
		}
		return cf_is_md5_placeholder(value) ? 0 : strlen(value);
	}
	const char *env = item_str(from, "env"), *file = item_str(from, "file");
	snprintf(fpath, sizeof(fpath), "%s.valueFrom", path);
	if ((env != NULL) == (file != NULL)) {
		cf_kerr(kc, fpath, "%s: give exactly one of env and file", fpath);
		return 0;
	}
	if (absent)
		return 0; /* a resource being deleted needs no secrets */
	char *resolved = NULL;
	size_t len = 0;
	if (env) {
		const char *v = getenv(env);
		snprintf(fpath, sizeof(fpath), "%s.valueFrom.env", path);
		if (!v) {
			cf_kmissing_secret(kc, fpath, "%s: environment variable %s is not set", fpath, env);
			return 0;
		}
		if (!*v) {
			cf_kerr(kc, fpath, "%s: environment variable %s is empty (" EMPTY_SECRET_WHY ")",
				fpath, env);
			return 0;
		}
		resolved = cf_xstrdup(v);
		len = strlen(v);
	} else {
		snprintf(fpath, sizeof(fpath), "%s.valueFrom.file", path);
		resolved = cf_kread(kc, fpath, file, SECRETS_MAX_BYTES, &len);
		if (!resolved)
			return 0;
		const char *wrong = len == 0 ? "is empty (" EMPTY_SECRET_WHY ")"
			: strlen(resolved) != len ? "holds a NUL byte; an env var value must be text" : NULL;
		if (wrong) {
			cf_kerr(kc, fpath, "%s: '%s' %s", fpath, file, wrong);
			free(resolved);
			return 0;
		}
	}
	cJSON_DeleteItemFromObjectCaseSensitive(var, "valueFrom");
	cJSON_AddItemToObject(var, "value", cJSON_CreateString(resolved));
	free(resolved);
	return len;
}

static size_t base64_size(size_t len)
{
	return 4 * ((len + 2) / 3);
}

/* Checks content, or replaces source by the base64 of the file it names;
 * returns the stored size, the base64 text's. */
static size_t resolve_file(cf_kctx *kc, cJSON *file, const char *path, bool absent)
{
	const char *content = item_str(file, "content"), *source = item_str(file, "source");
	if (source && !*source) {
		/* sem prints source: "" beside every content */
		cJSON_DeleteItemFromObjectCaseSensitive(file, "source");
		source = NULL;
	}
	if ((content != NULL) == (source != NULL)) {
		cf_kerr(kc, path, "%s: give exactly one of content and source", path);
		return 0;
	}
	char fpath[80];
	if (content) {
		if (cf_is_md5_placeholder(content))
			return 0;
		snprintf(fpath, sizeof(fpath), "%s.content", path);
		if (!*content)
			cf_kerr(kc, fpath, "%s: must not be empty (" EMPTY_SECRET_WHY ")", fpath);
		else if (!cf_base64_valid(content))
			cf_kerr(kc, fpath, "%s: not valid base64 (one line, A-Z a-z 0-9 + /, = padding at the end)", fpath);
		return strlen(content);
	}
	if (absent)
		return 0;
	snprintf(fpath, sizeof(fpath), "%s.source", path);
	size_t len = 0;
	char *data = cf_kread(kc, fpath, source, SECRETS_MAX_BYTES, &len);
	if (!data)
		return 0;
	if (len == 0) {
		cf_kerr(kc, fpath, "%s: '%s' is empty (" EMPTY_SECRET_WHY ")", fpath, source);
		free(data);
		return 0;
	}
	char *b64 = cf_base64_encode((const unsigned char *)data, len);
	free(data);
	cJSON_DeleteItemFromObjectCaseSensitive(file, "source");
	cJSON_AddItemToObject(file, "content", cJSON_CreateString(b64));
	free(b64);
	return base64_size(len);
}

typedef size_t (*resolve_fn)(cf_kctx *kc, cJSON *item, const char *path, bool absent);

/* env_vars and files are sets keyed by name and path: each key once, and
 * each entry's secret resolved; returns the secrets' total size. */
static size_t check_keyed_list(cf_kctx *kc, cJSON *spec, const char *list, const char *key,
			       resolve_fn resolve, bool absent)
{
	cJSON *items = cJSON_GetObjectItemCaseSensitive(spec, list);
	size_t bytes = 0;
	int i = 0;
	for (cJSON *it = items ? items->child : NULL; it; it = it->next, i++) {
		char path[64];
		snprintf(path, sizeof(path), "spec.%s[%d]", list, i);
		const char *k = item_str(it, key);
		int j = 0;
		for (cJSON *prev = items->child; k && prev != it; prev = prev->next, j++) {
			const char *other = item_str(prev, key);
			if (other && !strcmp(other, k)) {
				cf_kerr(kc, path, "%s.%s: %s is already used by spec.%s[%d]", path, key, k, list, j);
				break;
			}
		}
		bytes += resolve(kc, it, path, absent);
	}
	return bytes;
}

/* A rule list given empty is stored empty, and then the server's guard
 * refuses every deployment (public-api deployments_client/request_formatter.ex
 * format_subject_rules and format_object_rules; ee/gofer deployment/guardian.ex).
 * Valid, and sometimes meant (a target frozen on purpose), so a warning. */
static void warn_empty_rules(cf_kctx *kc, cJSON *spec, bool absent)
{
	static const struct {
		const char *list, *what;
	} lists[] = {
		{"subject_rules", "no subject is allowed"},
		{"object_rules", "no branch, tag or pull request is allowed"},
	};
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]) && !absent; i++) {
		cJSON *rules = cJSON_GetObjectItemCaseSensitive(spec, lists[i].list);
		if (cJSON_IsArray(rules) && cJSON_GetArraySize(rules) == 0) {
			char path[32];
			snprintf(path, sizeof(path), "spec.%s", lists[i].list);
			cf_kwarn(kc, path, "%s: empty, so nobody can deploy to this target (%s)", path,
				 lists[i].what);
		}
	}
}

static void check(cf_kctx *kc, cJSON *doc, bool absent)
{
	cJSON *spec = cJSON_GetObjectItemCaseSensitive(doc, "spec");
	check_subject_rules(kc, cJSON_GetObjectItemCaseSensitive(spec, "subject_rules"));
	check_object_rules(kc, cJSON_GetObjectItemCaseSensitive(spec, "object_rules"));
	warn_empty_rules(kc, spec, absent);
	size_t secret_bytes = check_keyed_list(kc, spec, "env_vars", "name", resolve_env_var, absent) +
			      check_keyed_list(kc, spec, "files", "path", resolve_file, absent);
	if (secret_bytes > SECRETS_MAX_BYTES)
		cf_kerr(kc, "spec", "spec: env var values and file contents (as base64) add up to %zu "
			"bytes; a target holds at most %u", secret_bytes, SECRETS_MAX_BYTES);
}

/* A file's content: base64, or an MD5 placeholder that keeps the live file. */
#define BASE64_OR_MD5                                                                                  \
	"^(?:[0-9a-fA-F]{32} \\\\[md5\\\\]|(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?)$"

/* The rules of check() a field table cannot say, in JSON Schema for `ciform schema`
 * (schema_rules.h). */
static const cf_schema_rule schema_rules[] = {
	{.path = "metadata.project", .description = "The project's name (or give project_id)."},
	{.path = "spec.active", .description = "false: deactivated (cordoned). Default true."},
	{.path = "spec.subject_rules[]", .rule = "{\"allOf\": ["
		"{\"if\": {" CF_TYPE_IS("type", "{\"enum\": [\"ROLE\", \"GROUP\"]}") "}, \"then\": " CF_NONEMPTY("subject_id") "},"
		" {\"if\": {" CF_TYPE_IS("type", "{\"const\": \"USER\"}") "},"
		" \"then\": {\"anyOf\": [" CF_NONEMPTY("subject_id") ", " CF_NONEMPTY("git_login") "]}},"
		" {\"if\": {" CF_TYPE_IS("type", "{\"enum\": [\"ANY\", \"AUTO\"]}") "},"
		" \"then\": {\"not\": {\"anyOf\": [" CF_NONEMPTY("subject_id") ", " CF_NONEMPTY("git_login") "]}}}]}"},
	{.path = "spec.subject_rules[].subject_id",
	 .description = "ROLE and GROUP: the name or UUID; USER: the user's UUID (or give git_login)."},
	{.path = "spec.object_rules[]",
	 .rule = "{\"if\": {" CF_TYPE_IS("match_mode", "{\"enum\": [\"EXACT\", \"REGEX\"]}") "}, \"then\": " CF_NONEMPTY("pattern") "}"},
	{.path = "spec.object_rules[].pattern",
	 .description = "EXACT: the name; REGEX: a PCRE regular expression, which ciform compiles. Not needed with ALL."},
	{.path = "spec.env_vars[]",
	 .rule = "{\"oneOf\": [" CF_GIVEN("value") ", " CF_GIVEN("valueFrom") "]}"},
	{.path = "spec.env_vars[].value",
	 .description = "The value (not empty), or \"<md5> [md5]\" to keep the live value with that MD5.",
	 .rule = "{\"minLength\": 1}"},
	{.path = "spec.env_vars[].valueFrom",
	 .description = "env: read from this environment variable; file: read from this file, relative to the manifest.",
	 .rule = "{\"if\": {\"type\": \"object\"}, \"then\": {\"oneOf\": [" CF_GIVEN("env") ", " CF_GIVEN("file") "]}}"},
	{.path = "spec.files[]",
	 .rule = "{\"oneOf\": [" CF_GIVEN("content") ", " CF_NONEMPTY("source") "]}"},
	{.path = "spec.files[].content",
	 .description = "Base64 on one line (not empty), or \"<md5> [md5]\" to keep the live file with that MD5.",
	 .rule = "{\"minLength\": 1, \"pattern\": \"" BASE64_OR_MD5 "\"}"},
	{.path = "spec.files[].source",
	 .description = "A file relative to the manifest, read and base64-encoded; \"\" (as sem prints it beside content) is none."},
	{.path = NULL},
};

const cf_kind cf_sem_target_kind = {
	.name = "DeploymentTarget",
	.api_version = "v1alpha",
	.noun = "target",
	.fields = document_fields,
	.has_project = true,
	.has_name = true,
	.absent_refusal = NULL,
	.check = check,
	.check_set = NULL,
	.schema_rules = schema_rules,
	.diff = cf_sem_target_diff,
	.has_active = true,
	.read_live = cf_sem_target_read_live,
	.apply = cf_sem_target_apply,
	.live_problem = cf_sem_target_live_problem,
	.preflight = NULL,
	.values_hidden = NULL,
	.export = NULL,
};

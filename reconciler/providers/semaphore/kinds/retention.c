/*
 * spec_retention: the ArtifactRetentionPolicy manifest.
 *
 * One policy per project, three levels of rules, first match wins. The API
 * replaces the whole policy on every write and has no delete, so a policy can
 * be changed but never marked absent.
 */
#include "reconciler/kind.h"
#include "reconciler/schema_rules.h"
#include "reconciler/providers/semaphore/kinds.h"

#include <stdio.h>
#include <string.h>

#define AGE_PATTERN "([1-9]|1[0-2]) (day|days|week|weeks|month|months|year|years)"
#define MAX_RULES_PER_LEVEL 10
/* bytes, not characters: artifacthub checks len(rule.Selector) in Go
 * (artifacthub/pkg/models/retention_policy.go) */
#define MAX_SELECTOR_BYTES 100

static const cf_field rule_fields[] = {
	{.key = "selector", .type = CF_T_STR, .flags = CF_F_REQUIRED},
	{.key = "age", .type = CF_T_STR, .flags = CF_F_REQUIRED, .match = AGE_PATTERN, .match_words = "a number from 1 to 12 and day(s), week(s), month(s) or year(s), such as '2 weeks'"},
	CF_FIELDS_END,
};

static const char *const levels[] = {
	"project_level_retention_policies",
	"workflow_level_retention_policies",
	"job_level_retention_policies",
	NULL,
};

static const cf_field spec_fields[] = {
	{.key = "project_level_retention_policies", .type = CF_T_LIST, .fields = rule_fields},
	{.key = "workflow_level_retention_policies", .type = CF_T_LIST, .fields = rule_fields},
	{.key = "job_level_retention_policies", .type = CF_T_LIST, .fields = rule_fields},
	CF_SPEC_OUTPUT_ONLY,
	CF_FIELDS_END,
};

static const cf_field metadata_fields[] = {
	CF_PROJECT_FIELDS,
	CF_ENSURE_FIELD,
	CF_METADATA_OUTPUT_ONLY,
	CF_FIELDS_END,
};

static const cf_field document_fields[] = {CF_DOCUMENT_FIELDS(metadata_fields, spec_fields)};

static void check(cf_kctx *kc, cJSON *doc, bool absent)
{
	if (absent)
		return; /* refused already by absent_refusal */
	cJSON *spec = cJSON_GetObjectItemCaseSensitive(doc, "spec");
	int total = 0;
	for (size_t l = 0; levels[l]; l++) {
		cJSON *rules = cJSON_GetObjectItemCaseSensitive(spec, levels[l]);
		int n = cJSON_GetArraySize(rules);
		total += n;
		char path[96];
		if (n > MAX_RULES_PER_LEVEL) {
			snprintf(path, sizeof(path), "spec.%s[%d]", levels[l], MAX_RULES_PER_LEVEL);
			cf_kerr(kc, path, "spec.%s: at most %d rules, not %d", levels[l], MAX_RULES_PER_LEVEL, n);
		}
		for (int i = 0; i < n; i++) {
			const char *sel = cJSON_GetStringValue(
				cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(rules, i), "selector"));
			if (!sel)
				continue;
			size_t bytes = strlen(sel);
			snprintf(path, sizeof(path), "spec.%s[%d].selector", levels[l], i);
			if (bytes < 1 || bytes > MAX_SELECTOR_BYTES)
				cf_kerr(kc, path, "%s: must be 1 to %d bytes long, not %zu", path,
					MAX_SELECTOR_BYTES, bytes);
		}
	}
	if (total == 0)
		cf_kerr(kc, "spec", "spec: a retention policy needs at least one rule in "
			"project_level_retention_policies, workflow_level_retention_policies or "
			"job_level_retention_policies");
}

/* The same bound, for the schema. */
#define MAX_RULES "{\"maxItems\": 10}"

/* The rules of check() a field table cannot say, in JSON Schema for `ciform schema`
 * (schema_rules.h). */
static const cf_schema_rule schema_rules[] = {
	{.path = "",
	 .rule = "{\"required\": [\"spec\"], \"properties\": {\"spec\": {\"type\": \"object\", \"anyOf\": ["
		CF_HAS_ITEMS("project_level_retention_policies") ", " CF_HAS_ITEMS("workflow_level_retention_policies") ", "
		CF_HAS_ITEMS("job_level_retention_policies") "]}}}"},
	{.path = "spec.project_level_retention_policies",
	 .description = "At most 10 rules; the first match wins.",
	 .rule = MAX_RULES},
	{.path = "spec.workflow_level_retention_policies",
	 .description = "At most 10 rules; the first match wins.",
	 .rule = MAX_RULES},
	{.path = "spec.job_level_retention_policies",
	 .description = "At most 10 rules; the first match wins.",
	 .rule = MAX_RULES},
	{.path = "spec.project_level_retention_policies[].selector",
	 .description = "1 to 100 bytes.",
	 .rule = "{\"minLength\": 1, \"maxLength\": 100}"},
	{.path = "spec.workflow_level_retention_policies[].selector",
	 .description = "1 to 100 bytes.",
	 .rule = "{\"minLength\": 1, \"maxLength\": 100}"},
	{.path = "spec.job_level_retention_policies[].selector",
	 .description = "1 to 100 bytes.",
	 .rule = "{\"minLength\": 1, \"maxLength\": 100}"},
	{.path = NULL},
};

const cf_kind cf_sem_retention_kind = {
	.name = "ArtifactRetentionPolicy",
	.api_version = "v1alpha",
	.noun = "retention policy",
	.fields = document_fields,
	.has_project = true,
	.has_name = false,
	.absent_refusal = "absent is not possible for a retention policy: the API cannot delete one "
			  "(write the rules you want instead)",
	.check = check,
	.check_set = NULL,
	.schema_rules = schema_rules,
	.diff = cf_sem_retention_diff,
	.has_active = false,
	.read_live = cf_sem_retention_read_live,
	.apply = cf_sem_retention_apply,
	.live_problem = NULL,
	.preflight = NULL,
	.values_hidden = NULL,
	.export = NULL,
};

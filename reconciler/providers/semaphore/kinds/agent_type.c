/*
 * spec_agent_type: the SelfHostedAgentType manifest.
 *
 * release_after is seconds an agent's name stays reserved after it
 * disconnects; the API takes 0 (release at once) or at least 60. The aws
 * block exists only for names assigned through AWS STS, and is then required.
 * `aws: null`, as the API answers for other agent types, is no aws block; an
 * account_id written as a number is taken as the text it is written as (a
 * leading 0 kept), the API's type being a string.
 */
#include "reconciler/kind.h"
#include "reconciler/schema_rules.h"
#include "reconciler/providers/semaphore/kinds.h"

#include <string.h>

static const char *const origin_words[] = {
	"assignment_origin_agent", "assignment_origin_aws_sts", NULL};

static const cf_field aws_fields[] = {
	{.key = "account_id", .type = CF_T_STR, .flags = CF_F_REQUIRED},
	{.key = "role_name_patterns", .type = CF_T_STR, .flags = CF_F_REQUIRED},
	CF_FIELDS_END,
};

static const cf_field name_settings_fields[] = {
	{.key = "assignment_origin", .type = CF_T_STR, .one_of = origin_words},
	{.key = "release_after", .type = CF_T_INT},
	{.key = "aws", .type = CF_T_MAP, .fields = aws_fields},
	CF_FIELDS_END,
};

static const cf_field spec_fields[] = {
	{.key = "agent_name_settings", .type = CF_T_MAP, .fields = name_settings_fields},
	CF_SPEC_OUTPUT_ONLY,
	CF_FIELDS_END,
};

static const cf_field metadata_fields[] = {
	{.key = "name", .type = CF_T_STR, .flags = CF_F_REQUIRED, .match = "s1-[A-Za-z0-9_-]+", .match_words = "s1- followed by letters, digits, _ or -"},
	CF_ENSURE_FIELD,
	CF_METADATA_OUTPUT_ONLY,
	CF_FIELDS_END,
};

static const cf_field document_fields[] = {CF_DOCUMENT_FIELDS(metadata_fields, spec_fields)};

static void check(cf_kctx *kc, cJSON *doc, bool absent)
{
	(void)absent;
	cJSON *settings = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(doc, "spec"), "agent_name_settings");
	cJSON *release = cJSON_GetObjectItemCaseSensitive(settings, "release_after");
	if (cJSON_IsNumber(release) && (release->valuedouble < 0 ||
					(release->valuedouble > 0 && release->valuedouble < 60)))
		cf_kerr(kc, "spec.agent_name_settings.release_after",
			"spec.agent_name_settings.release_after: must be 0 or at least 60 (seconds), not %.0f",
			release->valuedouble);
	const char *origin = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(settings, "assignment_origin"));
	bool sts = origin && strcmp(origin, "assignment_origin_aws_sts") == 0;
	yaml_node_t *aws = cf_ypath(kc->y, kc->root, "spec.agent_name_settings.aws");
	bool has_aws = aws && !cf_yis_null(aws);
	if (sts && !has_aws)
		cf_kerr(kc, "spec.agent_name_settings.assignment_origin",
			"spec.agent_name_settings.aws: required with assignment_origin_aws_sts "
			"(account_id and role_name_patterns)");
	if (!sts && has_aws)
		cf_kerr(kc, "spec.agent_name_settings.aws",
			"spec.agent_name_settings.aws: only allowed with assignment_origin: assignment_origin_aws_sts");
}

/* The rules of check() a field table cannot say, in JSON Schema for `ciform schema`
 * (schema_rules.h). */
static const cf_schema_rule schema_rules[] = {
	{.path = "spec.agent_name_settings.release_after",
	 .description = "Seconds an agent's name stays reserved after it disconnects: 0, or at least 60.",
	 .rule = "{\"anyOf\": [{\"const\": 0}, {\"minimum\": 60}]}"},
	{.path = "spec.agent_name_settings",
	 .rule = "{\"if\": {" CF_TYPE_IS("assignment_origin", "{\"const\": \"assignment_origin_aws_sts\"}") "},"
		" \"then\": {" CF_TYPE_IS("aws", "{\"type\": \"object\"}") "},"
		" \"else\": {\"properties\": {\"aws\": {\"type\": \"null\"}}}}"},
	{.path = "spec.agent_name_settings.aws",
	 .description = "Required with assignment_origin_aws_sts, and only then; null (as the API answers) is no aws block."},
	{.path = "spec.agent_name_settings.aws.account_id",
	 .description = "The AWS account ID; a number is taken as the text it is written as."},
	{.path = NULL},
};

const cf_kind cf_sem_agent_type_kind = {
	.name = "SelfHostedAgentType",
	.api_version = "v1alpha",
	.noun = "agent type",
	.fields = document_fields,
	.has_project = false,
	.has_name = true,
	.absent_refusal = NULL,
	.check = check,
	.check_set = NULL,
	.schema_rules = schema_rules,
	.diff = cf_sem_agent_type_diff,
	.has_active = false,
	.read_live = cf_sem_agent_type_read_live,
	.apply = cf_sem_agent_type_apply,
	.live_problem = cf_sem_agent_type_live_problem,
	.preflight = cf_sem_agent_type_preflight,
	.values_hidden = NULL,
	.export = NULL,
};

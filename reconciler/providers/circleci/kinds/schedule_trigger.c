/*
 * kind ScheduleTrigger: a cron trigger of a CircleCI pipeline definition.
 *
 *   apiVersion: circleci/v1
 *   kind: ScheduleTrigger
 *   metadata: {project: gh/acme/web, name: nightly}   # name = event_name
 *   spec:
 *     pipelineDefinition: main      # name or UUID; must exist
 *     cron: "0 2 * * 1-5"
 *     attributionActor: system      # system | current; used at create only
 *     checkoutRef: main
 *     configRef: main
 *     parameters: {deploy: false, retries: 3}   # scalars, typed
 *     disabled: false
 *
 * Both CircleCI providers use the trigger API, not the legacy schedules
 * (PUB internal/circleci/trigger/trigger.go; LABS ic/trigger.go). The
 * address is ScheduleTrigger/PROJECT/NAME, the project normalised (gh/, bb/). No
 * idempotency key exists and event_name is not known to be unique, so ciform
 * enforces uniqueness per project and matches live triggers by it.
 * docs/circleci.md has the rest.
 */
#include "reconciler/providers/circleci/kinds/schedule_trigger.h"
#include "reconciler/diff.h"
#include "reconciler/manifest.h"
#include "reconciler/schema_rules.h"
#include "reconciler/yamltree.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const actors[] = {"system", "current", NULL};

static const cf_field spec_fields[] = {
	{.key = "pipelineDefinition", .type = CF_T_STR, .flags = CF_F_REQUIRED},
	{.key = "cron", .type = CF_T_STR, .flags = CF_F_REQUIRED},
	/* PUB trigger_resource.go: stringvalidator.OneOf("system", "current") */
	{.key = "attributionActor", .type = CF_T_STR, .one_of = actors},
	/* PUB trigger_resource.go: "Always required when event_source_provider is ... schedule" */
	{.key = "checkoutRef", .type = CF_T_STR, .flags = CF_F_REQUIRED},
	{.key = "configRef", .type = CF_T_STR, .flags = CF_F_REQUIRED},
	{.key = "parameters", .type = CF_T_IGNORE, .note = "Pipeline parameters: a map of scalars."}, /* check() */
	{.key = "disabled", .type = CF_T_BOOL},
	CF_FIELDS_END,
};

static const cf_field metadata_fields[] = {
	{.key = "project", .type = CF_T_STR, .flags = CF_F_REQUIRED},
	{.key = "name", .type = CF_T_STR, .flags = CF_F_REQUIRED},
	CF_ENSURE_FIELD,
	CF_METADATA_OUTPUT_ONLY,
	CF_FIELDS_END,
};

static const cf_field document_fields[] = {CF_DOCUMENT_FIELDS(metadata_fields, spec_fields)};

static const cf_schema_rule schema_rules[] = {
	{.path = "spec.parameters", .description = "pipeline parameters: names to strings, numbers or booleans",
	 .rule = "{\"type\": \"object\", \"additionalProperties\": {\"type\": [\"string\", \"number\", "
		 "\"boolean\"]}}"},
	{.path = "spec.cron", .description = "5 fields: minute 0-59, hour 0-23, day 1-31, month 1-12, weekday 0-7; "
	 "* , - / only", .rule = NULL},
	{.path = NULL},
};

/* ---- cron (PUB internal/provider/cron_expression_validator.go) ---- */

static bool number(const char *s, size_t n, int *out)
{
	if (n == 0 || n > 4)
		return false;
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* One comma-separated part: *, N, N-M, each with an optional /STEP. */
static char *part_problem(const char *p, size_t n, int lo, int hi, const char *name)
{
	const char *slash = memchr(p, '/', n);
	size_t base = slash ? (size_t)(slash - p) : n;
	int step = 0, a = 0, b = 0;
	if (slash && (!number(slash + 1, n - base - 1, &step) || step < 1))
		return cf_xasprintf("the step in the %s field '%.*s' must be a positive number", name, (int)n, p);
	if (base == 1 && p[0] == '*')
		return NULL;
	const char *dash = memchr(p, '-', base);
	size_t first = dash ? (size_t)(dash - p) : base;
	if (!number(p, first, &a) || (dash && !number(dash + 1, base - first - 1, &b)))
		return cf_xasprintf("'%.*s' in the %s field is not a number, a range or *", (int)n, p, name);
	if (!dash)
		b = a;
	if (a < lo || a > hi || b < lo || b > hi)
		return cf_xasprintf("'%.*s' in the %s field is out of range %d-%d", (int)n, p, name, lo, hi);
	if (a > b)
		return cf_xasprintf("the range '%.*s' in the %s field runs backwards", (int)n, p, name);
	return NULL;
}

char *cf_cci_cron_problem(const char *expr)
{
	static const struct {
		const char *name;
		int lo, hi;
	} fields[] = {{"minute", 0, 59}, {"hour", 0, 23}, {"day-of-month", 1, 31}, {"month", 1, 12},
		      {"day-of-week", 0, 7}};
	char *copy = cf_xstrdup(expr), *save = NULL, *problem = NULL;
	int n = 0;
	for (char *f = strtok_r(copy, " \t", &save); f && !problem; f = strtok_r(NULL, " \t", &save), n++) {
		if (n >= 5)
			continue;
		for (char *q = f, *end; !problem; q = end + 1) {
			end = strchr(q, ',');
			size_t len = end ? (size_t)(end - q) : strlen(q);
			problem = part_problem(q, len, fields[n].lo, fields[n].hi, fields[n].name);
			if (!end)
				break;
		}
	}
	if (!problem && n != 5)
		problem = cf_xasprintf("a cron expression has 5 fields (minute hour day-of-month month "
				       "day-of-week), this one %d", n);
	free(copy);
	return problem;
}

/* ---- checking ---- */

/* spec.parameters as typed JSON: plain true/false are booleans, plain
 * numbers numbers, the rest strings (the API keeps the types: PUB CHANGELOG
 * #122, trigger_resource.go triggerParameterValueFromNative). */
static void read_parameters(cf_kctx *kc, cJSON *doc)
{
	yaml_node_t *map = cf_ypath(kc->y, kc->root, "spec.parameters");
	if (!map || cf_yis_null(map))
		return;
	if (map->type != YAML_MAPPING_NODE) {
		cf_kerr(kc, "spec.parameters", "spec.parameters: must be a mapping of names to scalars");
		return;
	}
	cJSON *out = cJSON_AddObjectToObject(cJSON_GetObjectItemCaseSensitive(doc, "spec"), "parameters");
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(kc->y->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(kc->y->doc, p->value);
		const char *key = cf_yscalar(k), *s = cf_yscalar(v);
		if (!key || !*key || cJSON_HasObjectItem(out, key)) {
			cf_yerr(kc->y, k, "spec.parameters: a parameter needs a name, once");
			continue;
		}
		if (!s || cf_yis_null(v)) {
			cf_yerr(kc->y, v, "spec.parameters.%s: must be a string, number or boolean (scalars only)", key);
			continue;
		}
		bool plain = v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		char *end = NULL;
		double d = strtod(s, &end);
		if (plain && (!strcmp(s, "true") || !strcmp(s, "false")))
			cJSON_AddBoolToObject(out, key, !strcmp(s, "true"));
		else if (plain && *s && end && !*end && (isdigit((unsigned char)*s) || *s == '-'))
			cJSON_AddNumberToObject(out, key, d);
		else
			cJSON_AddStringToObject(out, key, s);
	}
}

static const char *str(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static void check(cf_kctx *kc, cJSON *doc, bool absent)
{
	(void)absent;
	const char *p = cJSON_GetStringValue(cf_json_path(doc, "metadata.project"));
	if (p && !cf_cci_slug_shaped(p, 3))
		cf_kerr(kc, "metadata.project", "metadata.project: '%s' is not a project slug (vcs/org/project, "
			"like gh/acme/web)", p);
	const char *name = cJSON_GetStringValue(cf_json_path(doc, "metadata.name"));
	if (name && !*name)
		cf_kerr(kc, "metadata.name", "metadata.name: empty (it is the trigger's event_name)");
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(doc, "spec");
	const char *cron = str(spec, "cron");
	char *why = cron ? cf_cci_cron_problem(cron) : NULL;
	if (why)
		cf_kerr(kc, "spec.cron", "spec.cron: %s", why);
	free(why);
	static const char *const refs[] = {"pipelineDefinition", "checkoutRef", "configRef"};
	for (size_t i = 0; i < 3; i++)
		if (str(spec, refs[i]) && !*str(spec, refs[i])) {
			char at[64];
			snprintf(at, sizeof(at), "spec.%s", refs[i]);
			cf_kerr(kc, at, "%s: empty", at);
		}
	read_parameters(kc, doc);
}

/* One name per project, the project compared after normalisation
 * (github/acme/web is gh/acme/web): the API does not say event names are
 * unique, and ciform matches triggers by them (open question 12). */
static void check_set(const cf_resource_set *set, cf_diags *diags)
{
	for (size_t i = 0; i < set->count; i++) {
		const cf_resource *a = &set->items[i];
		if (a->kind != &cf_cci_schedule_trigger_kind || !a->name)
			continue;
		char *pa = cf_cci_slug_normalize(cJSON_GetStringValue(cf_json_path(a->doc, "metadata.project")));
		for (size_t j = 0; j < i; j++) {
			const cf_resource *b = &set->items[j];
			if (b->kind != a->kind || !b->name || strcmp(a->name, b->name) != 0)
				continue;
			char *pb = cf_cci_slug_normalize(cJSON_GetStringValue(cf_json_path(b->doc, "metadata.project")));
			if (!strcasecmp(pa, pb) && strcmp(a->address, b->address) != 0)
				cf_resource_diag(diags, a, "metadata.name", "metadata.name: the project already has a "
						 "schedule trigger named %s (%s:%d); ciform matches triggers by name",
						 a->name, b->file, b->line);
			free(pb);
		}
		free(pa);
	}
}

/* ---- comparing ---- */

/* The definition as compared: the spec's word on the desired side; on the
 * live side read_live's {shown, replace}, where replace says why an update
 * must delete the trigger and create it again (a plan note). */
static cJSON *norm_definition(const cJSON *v, bool desired, cf_diff_ctx *ctx)
{
	if (desired || !cJSON_IsObject(v))
		return cJSON_Duplicate(v, 1);
	const char *why = str(v, "replace");
	if (why && *why) {
		char *n = cf_xasprintf("replaced: %s, so the trigger is deleted, then created (absent in between)", why);
		cJSON_AddItemToArray(ctx->notes, cJSON_CreateString(n));
		free(n);
	}
	return cJSON_CreateString(str(v, "shown") ? str(v, "shown") : "");
}

static const cf_diff_field diff[] = {
	{.name = "spec.pipelineDefinition", .desired = "spec.pipelineDefinition", .live = "pipelineDefinition",
	 .fallback = "\"\"", .type = CF_D_VALUE, .normalize = norm_definition},
	{.name = "spec.cron", .desired = "spec.cron", .live = "event_source.schedule.cron_expression",
	 .fallback = "\"\"", .type = CF_D_VALUE},
	{.name = "spec.checkoutRef", .desired = "spec.checkoutRef", .live = "checkout_ref", .fallback = "\"\"",
	 .type = CF_D_VALUE},
	{.name = "spec.configRef", .desired = "spec.configRef", .live = "config_ref", .fallback = "\"\"",
	 .type = CF_D_VALUE},
	{.name = "spec.parameters", .desired = "spec.parameters", .live = "parameters", .fallback = "{}",
	 .type = CF_D_VALUE},
	/* the API omits disabled when false (LABS ic/trigger.go Trigger.Disabled) */
	{.name = "spec.disabled", .desired = "spec.disabled", .live = "disabled", .fallback = "false",
	 .type = CF_D_VALUE},
	/* attributionActor: not compared: written as a word, read back as {id}
	 * (LABS ic/trigger.go TriggerScheduleInput; PUB common/models.go) */
	{.name = NULL},
};

/* ---- export ---- */

static bool file_safe(const char *s)
{
	if (!*s || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (const char *p = s; *p; p++)
		if (!(isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.'))
			return false;
	return true;
}

/* The definition as a manifest names it: its name when no other definition
 * of the project has it, else its id. */
static const char *definition_ref(const cJSON *defs, const char *id)
{
	const cJSON *d, *mine = NULL;
	cJSON_ArrayForEach(d, defs)
		if (str(d, "id") && !strcmp(str(d, "id"), id))
			mine = d;
	const char *name = str(mine, "name");
	int same = 0;
	cJSON_ArrayForEach(d, defs)
		same += name && str(d, "name") && !strcmp(str(d, "name"), name);
	return name && *name && same == 1 ? name : id;
}

static cJSON *trigger_doc(const char *slug, const cJSON *t, const cJSON *defs)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "apiVersion", CF_CCI_API_VERSION);
	cJSON_AddStringToObject(doc, "kind", "ScheduleTrigger");
	cJSON *m = cJSON_AddObjectToObject(doc, "metadata");
	cJSON_AddStringToObject(m, "project", slug);
	cJSON_AddStringToObject(m, "name", str(t, "event_name"));
	cJSON *spec = cJSON_AddObjectToObject(doc, "spec");
	cJSON_AddStringToObject(spec, "pipelineDefinition", definition_ref(defs, str(t, "definition_id")));
	const char *cron = cJSON_GetStringValue(cf_json_path(t, "event_source.schedule.cron_expression"));
	cJSON_AddStringToObject(spec, "cron", cron ? cron : "");
	/* attributionActor left out: the API shows an id, not system/current */
	cJSON_AddStringToObject(spec, "checkoutRef", str(t, "checkout_ref") ? str(t, "checkout_ref") : "");
	cJSON_AddStringToObject(spec, "configRef", str(t, "config_ref") ? str(t, "config_ref") : "");
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(t, "parameters");
	if (cJSON_IsObject(params) && params->child)
		cJSON_AddItemToObject(spec, "parameters", cJSON_Duplicate(params, 1));
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "disabled")))
		cJSON_AddTrueToObject(spec, "disabled");
	return doc;
}

static int export_project(cf_export *out, cf_conn *c, const char *slug, cf_error *err)
{
	const cJSON *p = NULL;
	cJSON *defs = NULL, *triggers = NULL;
	bool missing = false;
	int rc = cf_cci_project(&p, c, slug, err);
	if (rc == CF_OK)
		rc = cf_cci_definitions(&defs, &missing, c, str(p, "id"), err);
	if (rc == CF_OK && !missing)
		rc = cf_cci_schedule_triggers(&triggers, c, str(p, "id"), defs, err);
	char *folder = cf_cci_slug_normalize(slug);
	for (char *q = folder; *q; q++)
		*q = *q == '/' ? '-' : *q;
	const cJSON *t;
	cJSON_ArrayForEach(t, (rc == CF_OK ? triggers : (cJSON *)NULL)) {
		const char *name = str(t, "event_name");
		if (!name || !*name)
			continue;
		char *file = cf_xasprintf("trigger-%s.yaml", file_safe(name) ? name : str(t, "id"));
		cf_export_add(out, folder, file, trigger_doc(slug, t, defs));
		free(file);
	}
	free(folder);
	cJSON_Delete(defs);
	cJSON_Delete(triggers);
	return rc;
}

static int export_triggers(cf_export *out, const void *vctx, cf_error *err)
{
	return cf_cci_export_each(out, vctx, false, export_project, err);
}

const cf_kind cf_cci_schedule_trigger_kind = {
	.name = "ScheduleTrigger",
	.api_version = CF_CCI_API_VERSION,
	.noun = "schedule trigger",
	.fields = document_fields,
	.has_project = false, /* metadata.project is a slug: the address hook makes it */
	.has_name = true,     /* ch->name: the event_name */
	.name_key = NULL,
	.address = cf_cci_project_name_address,
	.absent_refusal = NULL,
	.check = check,
	.check_set = check_set,
	.schema_rules = schema_rules,
	.diff = diff,
	.has_active = false,
	.read_live = cf_cci_trigger_read_live,
	.apply = cf_cci_trigger_apply,
	.live_problem = NULL,
	.values_hidden = NULL,
	.unverified = NULL,
	.delete_note = NULL,
	.prune_note = NULL,
	.preflight = NULL,
	.export = export_triggers,
};

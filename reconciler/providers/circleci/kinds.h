/*
 * kinds: the CircleCI kinds, and what their export hooks get.
 */
#ifndef CF_CCI_KINDS_H
#define CF_CCI_KINDS_H

#include "reconciler/export.h"
#include "reconciler/kind.h"
#include "reconciler/providers/circleci/client.h"

#define CF_CCI_API_VERSION "circleci/v1"

extern const cf_kind cf_cci_context_kind;
extern const cf_kind cf_cci_project_env_kind;
extern const cf_kind cf_cci_project_settings_kind;
extern const cf_kind cf_cci_runner_class_kind;
extern const cf_kind cf_cci_runner_token_kind;
extern const cf_kind cf_cci_schedule_trigger_kind;
extern const cf_kind cf_cci_webhook_kind;

/* The export hooks' ctx. Until export has --org and --project for CircleCI,
 * scope->projects carries both: "gh/acme" (two segments, or a UUID) is an
 * organisation, "gh/acme/web" a project. */
typedef struct cf_cci_export_ctx {
	cf_conn *conn;
	const cf_export_scope *scope;
} cf_cci_export_ctx;

/* True when ref names an organisation (not a project) in an export scope. */
bool cf_cci_scope_is_org(const char *ref);
/* The address hook of a kind named per project: "PROJECT/NAME" from
 * metadata.project (a slug, normalised: github/acme/web is gh/acme/web, so
 * two spellings of one project make one address) and metadata.name, or
 * NULL. */
char *cf_cci_project_name_address(const cJSON *doc);
/* Calls one for each organisation (orgs) or each project (!orgs) of an
 * export hook's ctx (a cf_cci_export_ctx), until one fails. */
int cf_cci_export_each(cf_export *out, const void *ctx, bool orgs,
		       int (*one)(cf_export *out, cf_conn *c, const char *ref, cf_error *err), cf_error *err);

/* envvars.c: the write-only variables of Context and ProjectEnvironment. */
/* One spec.envVars entry: name, and one of value, valueFrom {env|file},
 * keepLive: true. */
extern const cf_field cf_cci_envvar_fields[];
/* The last min(4, floor(len/2)) characters of v, as the API shows them
 * (LABS ic/environment_variable.go truncated_value); NULL for a value that
 * is not ASCII (characters or bytes: not known, so not compared). */
char *cf_cci_tail(const char *v);
/* Checks spec.envVars (names, one source each, <= max entries when max > 0), puts each
 * value in place and adds the comparison key ("cmp") the diff hashes. */
void cf_cci_check_envvars(cf_kctx *kc, cJSON *doc, bool absent, int max);
/* The live side's comparison key for one variable: equal to the desired
 * one's when the tails agree (or cannot be compared), else different. *unverified
 * is set when they agree (a match of tails is no proof). Caller frees. */
char *cf_cci_live_cmp(const cJSON *desired_entry, const char *live_tail, bool rewrite, bool *unverified);
/* Names of variables whose values could not be compared, for the plan
 * ("2 write-only values could not be compared (tails only): A, B"), or NULL;
 * caller frees. The core's unverified hook would list it (core request). */
char *cf_cci_vars_unverified(const cJSON *api);

#endif

/*
 * kind_retention: plan and apply for artifact retention policies.
 *
 * The API keeps ages in seconds ("7 days" comes back "1 week"), so both sides
 * are normalised the same way before they are compared: durations, not text. A
 * project whose policy has no rule has, for a plan, no policy: writing one is
 * a create. There is no delete.
 */
#include "reconciler/apply.h"
#include "reconciler/providers/semaphore/api.h"
#include "reconciler/providers/semaphore/kinds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const levels[] = {"project_level_retention_policies",
				     "workflow_level_retention_policies",
				     "job_level_retention_policies", NULL};

/* The server stores an age in seconds and answers with the largest unit
 * that divides it exactly (public-api/v1alpha/lib/pipelines_api/
 * artifacthub_client.ex: @one_week, @one_month = 30 days, @one_year = 365
 * days, age_field_to_string). Both sides go through the same round trip, so
 * "7 days" equals "1 week" while "12 months" (360 days) differs from "1 year". */
static const struct { const char *unit; long long seconds; } age_units[] = {
	{.unit = "year", .seconds = 365LL * 86400},
	{.unit = "month", .seconds = 30LL * 86400},
	{.unit = "week", .seconds = 7LL * 86400},
	{.unit = "day", .seconds = 86400},
};

static char *normalize_age(const char *age)
{
	int n = 0, used = 0;
	char unit[16] = "";
	if (sscanf(age, "%d %15s%n", &n, unit, &used) != 2 || age[used] != '\0' || n <= 0)
		return cf_xstrdup(age);
	size_t ul = strlen(unit);
	if (ul > 1 && unit[ul - 1] == 's')
		unit[ul - 1] = '\0';
	long long secs = -1;
	for (size_t i = 0; i < sizeof(age_units) / sizeof(age_units[0]); i++)
		if (!strcmp(unit, age_units[i].unit))
			secs = n * age_units[i].seconds;
	if (secs < 0)
		return cf_xstrdup(age);
	for (size_t i = 0; i < sizeof(age_units) / sizeof(age_units[0]); i++)
		if (secs % age_units[i].seconds == 0) {
			long long k = secs / age_units[i].seconds;
			return cf_xasprintf("%lld %s%s", k, age_units[i].unit, k == 1 ? "" : "s");
		}
	return cf_xstrdup(age);
}

static cJSON *norm_rules(const cJSON *rules, bool desired, cf_diff_ctx *ctx)
{
	(void)desired;
	(void)ctx;
	cJSON *out = cJSON_CreateArray();
	const cJSON *r;
	cJSON_ArrayForEach(r, rules) {
		const char *sel = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "selector"));
		const char *age = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "age"));
		cJSON *n = cJSON_CreateObject();
		cJSON_AddStringToObject(n, "selector", sel ? sel : "");
		char *a = normalize_age(age ? age : "");
		cJSON_AddStringToObject(n, "age", a);
		free(a);
		cJSON_AddItemToArray(out, n);
	}
	return out;
}

#define LEVEL(level)                                                                      \
	{.name = "spec." level, .desired = "spec." level, .live = level, .fallback = "[]",     \
	 .type = CF_D_VALUE, .normalize = norm_rules, .list_items = true}

const cf_diff_field cf_sem_retention_diff[] = {
	LEVEL("project_level_retention_policies"),
	LEVEL("workflow_level_retention_policies"),
	LEVEL("job_level_retention_policies"),
	{.name = NULL},
};

static int rule_count(const cJSON *policy)
{
	int n = 0;
	for (size_t l = 0; levels[l]; l++)
		n += cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(policy, levels[l]));
	return n;
}

int cf_sem_retention_read_live(cf_live *live, const cf_resource_set *set, cf_conn *conn, cf_diags *diags,
			     cf_error *err)
{
	(void)diags;
	cf_http_client *c = cf_sem_of(conn);
	const cf_resource **want = cf_xcalloc(set->count + 1, sizeof(*want));
	char **paths = cf_xcalloc(set->count + 1, sizeof(char *));
	size_t n = 0;
	for (size_t i = 0; i < set->count; i++) {
		const cf_resource *r = &set->items[i];
		const char *pid = r->kind == &cf_sem_retention_kind ? cf_live_project_id(live, r->project) : NULL;
		if (!pid)
			continue;
		want[n] = r;
		paths[n++] = cf_xasprintf("/artifacts_retention_policies/%s", pid);
	}
	cJSON **out = cf_xcalloc(n + 1, sizeof(cJSON *));
	int rc = cf_http_get_many(out, c, paths, n, err);
	for (size_t i = 0; i < n && rc == CF_OK; i++) {
		bool ok = cJSON_IsObject(out[i]);
		for (size_t l = 0; levels[l] && ok; l++) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(out[i], levels[l]);
			ok = !v || cJSON_IsNull(v) || cJSON_IsArray(v);
		}
		if (!ok)
			rc = cf_error_set(err, CF_EAPI, "GET %s: the answer has an unexpected shape (not a "
					  "retention policy)", paths[i]);
	}
	for (size_t i = 0; i < n; i++) {
		if (rc == CF_OK && out[i] && rule_count(out[i]) > 0) {
			const char *pid = cf_live_project_id(live, want[i]->project);
			cf_live_add(live, set, &cf_sem_retention_kind, want[i]->address, pid, pid, NULL, out[i]);
		} else {
			cJSON_Delete(out[i]);
		}
		free(paths[i]);
	}
	free(out);
	free(paths);
	free(want);
	return rc;
}

int cf_sem_retention_apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	if (ch->action != CF_CREATE && ch->action != CF_UPDATE)
		return cf_error_set(err, CF_EUSAGE, "%s: a retention policy can only be written", ch->address);
	cJSON *body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "project_id", ch->project_id);
	for (size_t l = 0; levels[l]; l++) {
		const cJSON *rules = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(ch->res->doc, "spec"),
								      levels[l]);
		cJSON_AddItemToObject(body, levels[l], rules ? cJSON_Duplicate(rules, 1) : cJSON_CreateArray());
	}
	cJSON *out = NULL;
	int rc = cf_sem_retention_set(&out, cf_sem_of(ctx->conn), body, err);
	cJSON_Delete(out);
	cJSON_Delete(body);
	return rc;
}

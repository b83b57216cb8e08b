/*
 * token: the ClusterAgentToken kind (apiVersion buildkite/v1): an agent
 * token of a cluster, addressed ClusterAgentToken/CLUSTER/DESCRIPTION.
 * Checks, reading and comparing here; writing and export in token_api.c.
 *
 * Evidence (docs = buildkite/docs pages/apis/rest_api/clusters/
 * agent_tokens.md, gob = go-buildkite cluster_tokens.go):
 * - GET /clusters/ID/tokens lists them (paged): description,
 *   allowed_ip_addresses (one space-separated string of IPv4 CIDRs, gob
 *   ClusterToken), expires_at, created_at; the value ("token") only in the
 *   create's 201 ("Token visibility");
 * - an update takes description and allowed_ip_addresses (gob
 *   ClusterTokenUpdate; the docs table lists description only), never
 *   expires_at, so a changed expires_at is a plan error here;
 * - the value is kept in DIR/CLUSTER/DESCRIPTION.token (token_file.h): a
 *   live token with a pending marker older than its created_at and no file
 *   lost its value (revoked and created again); without a marker it is
 *   adopted and listed as unverifiable (its value is not here).
 */
#define _GNU_SOURCE /* strptime, timegm */
#include "reconciler/providers/buildkite/kinds/token.h"
#include "reconciler/apply.h"
#include "reconciler/live.h"
#include "reconciler/manifest.h"
#include "reconciler/token_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DESC_PATTERN "[^/]{1,255}"
#define CIDR_PATTERN "((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])/([0-9]|[12][0-9]|3[0-2])"

static const cf_field spec_fields[] = {
	{.key = "allowed_ip_addresses", .type = CF_T_IGNORE, .note = "A set of IPv4 CIDRs; empty: any."}, /* check() */
	{.key = "expires_at", .type = CF_T_STR},
	/* output-only fields of a GET answer (docs "Token data model") */
	{.key = "id", .type = CF_T_IGNORE},
	{.key = "graphql_id", .type = CF_T_IGNORE},
	{.key = "url", .type = CF_T_IGNORE},
	{.key = "cluster_url", .type = CF_T_IGNORE},
	{.key = "created_", .type = CF_T_IGNORE, .flags = CF_F_PREFIX},
	CF_FIELDS_END,
};

static const cf_field metadata_fields[] = {
	{.key = "cluster", .type = CF_T_STR, .flags = CF_F_REQUIRED, .match = "[^/]{1,255}",
	 .match_words = "a cluster name or UUID"},
	{.key = "description", .type = CF_T_STR, .flags = CF_F_REQUIRED, .match = DESC_PATTERN,
	 .match_words = "a description without '/'"},
	{.key = "renamed_from", .type = CF_T_IGNORE, /* read by check() */
	 .note = "The descriptions this resource had before: a list of strings."},
	{.key = "organization", .type = CF_T_STR},
	CF_ENSURE_FIELD,
	CF_FIELDS_END,
};

static const cf_field fields[] = {CF_DOCUMENT_FIELDS(metadata_fields, spec_fields)};

static const char *str(const cJSON *o, const char *key)
{
	return cf_bk_str(o, key);
}

char *cf_bk_token_name(const char *cluster, const char *description)
{
	char *name = cf_xasprintf("%s/%s", cluster, description);
	for (char *p = name; *p; p++)
		if (p != name + strlen(cluster) && !strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
							   "0123456789._-", *p))
			*p = '_';
	return name;
}

bool cf_bk_time(const char *text, time_t *out)
{
	struct tm tm = {0};
	const char *rest = text ? strptime(text, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
	if (!rest)
		return false;
	if (*rest == '.')
		for (rest++; *rest >= '0' && *rest <= '9'; rest++)
			;
	long off = 0;
	int hh = 0, mm = 0;
	if (*rest == 'Z' && !rest[1])
		off = 0;
	else if ((*rest == '+' || *rest == '-') && sscanf(rest + 1, "%2d:%2d", &hh, &mm) == 2 && strlen(rest) == 6)
		off = (*rest == '+' ? 1 : -1) * (hh * 3600L + mm * 60L);
	else
		return false;
	*out = timegm(&tm) - off;
	return true;
}

static void check(cf_kctx *kc, cJSON *doc, bool absent)
{
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(doc, "metadata");
	cJSON *spec = cJSON_GetObjectItemCaseSensitive(doc, "spec");
	if (!cJSON_IsObject(spec))
		spec = cJSON_AddObjectToObject(doc, "spec");
	const cJSON *o, *old = cf_bk_string_list(kc, "metadata.renamed_from", meta, "renamed_from");
	cJSON_ArrayForEach(o, old)
		if (!cf_schema_matches(DESC_PATTERN, o->valuestring) || !strcmp(o->valuestring, str(meta, "description")))
			cf_kerr(kc, "metadata.renamed_from", "metadata.renamed_from: '%s' is not another description",
				o->valuestring);
	const cJSON *ips = cf_bk_string_list(kc, "spec.allowed_ip_addresses", spec, "allowed_ip_addresses");
	int i = 0;
	cJSON_ArrayForEach(o, ips) {
		char path[64];
		snprintf(path, sizeof(path), "spec.allowed_ip_addresses[%d]", i++);
		if (!cf_schema_matches(CIDR_PATTERN, o->valuestring)) /* docs: CIDR-notation IPv4 addresses */
			cf_kerr(kc, path, "%s: must be an IPv4 CIDR such as 10.0.0.0/16, not '%s'", path, o->valuestring);
	}
	time_t t;
	const char *exp = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(spec, "expires_at"));
	if (exp && !cf_bk_time(exp, &t))
		cf_kerr(kc, "spec.expires_at", "spec.expires_at: must be an RFC 3339 time such as "
			"2027-01-01T00:00:00Z, not '%s'", exp);
	(void)absent;
}

/* Two manifests whose token files would be one file (docs/buildkite.md). */
static void check_set(const cf_resource_set *set, cf_diags *diags)
{
	for (size_t i = 0; i < set->count; i++) {
		const cf_resource *a = &set->items[i];
		if (a->kind != &cf_bk_token_kind)
			continue;
		char *na = cf_bk_token_name(cJSON_GetStringValue(cf_json_path(a->doc, "metadata.cluster")), a->name);
		for (size_t j = i + 1; j < set->count; j++) {
			const cf_resource *b = &set->items[j];
			char *nb = b->kind == &cf_bk_token_kind
					   ? cf_bk_token_name(cJSON_GetStringValue(cf_json_path(b->doc, "metadata.cluster")), b->name)
					   : NULL;
			if (nb && !strcmp(na, nb))
				cf_resource_diag(diags, b, "metadata.description", "metadata.description: its token file "
						 "%s.token is also %s's (characters outside [A-Za-z0-9._-] become '_')", nb,
						 a->address);
			free(nb);
		}
		free(na);
	}
}

static char *address(const cJSON *doc)
{
	const char *cl = cJSON_GetStringValue(cf_json_path(doc, "metadata.cluster"));
	const char *d = cJSON_GetStringValue(cf_json_path(doc, "metadata.description"));
	if (!cl || !d || strchr(cl, '/') || strchr(d, '/') || !*cl || !*d)
		return NULL; /* the field table reported it */
	return cf_xasprintf("%s/%s", cl, d);
}

/* ---- reading ---- */

static const cJSON *described(const cJSON *tokens, const char *d, int *n)
{
	const cJSON *t, *hit = NULL;
	*n = 0;
	cJSON_ArrayForEach(t, tokens)
		if (!strcmp(str(t, "description"), d) && ++*n == 1)
			hit = t;
	return hit;
}

/* The live token a manifest is about: by description, else by an old one. */
static const cJSON *match(const cf_resource *r, const cJSON *tokens, cf_diags *diags)
{
	int n = 0, m = 0;
	const cJSON *hit = described(tokens, r->name, &n), *old = NULL, *o;
	cJSON_ArrayForEach(o, cf_json_path(r->doc, "metadata.renamed_from")) {
		const cJSON *h = described(tokens, o->valuestring, &m);
		if (h && hit) {
			cf_resource_diag(diags, r, "metadata.renamed_from", "metadata.renamed_from: tokens '%s' and '%s' "
					 "are both live; revoke one first", r->name, o->valuestring);
			return NULL;
		}
		old = old ? old : h;
	}
	if (n > 1 || m > 1) {
		cf_resource_diag(diags, r, "metadata.description", "metadata.description: more than one live token "
				 "of the cluster is described '%s'; revoke or redescribe one first", r->name);
		return NULL;
	}
	return hit ? hit : old;
}

/* The live token as the diff reads it: the CIDRs as a list; and, for a
 * managed one, where its value is kept and whether it is there. */
static cJSON *live_api(const cJSON *t, const char *cluster_id, const cf_resource *r, const char *ref,
		       const char *dir)
{
	cJSON *api = cJSON_Duplicate(t, 1), *ips = cJSON_CreateArray();
	char *all = cf_xstrdup(str(t, "allowed_ip_addresses")), *save = NULL;
	for (char *w = strtok_r(all, " ", &save); w; w = strtok_r(NULL, " ", &save))
		cJSON_AddItemToArray(ips, cJSON_CreateString(w));
	free(all);
	cJSON_DeleteItemFromObjectCaseSensitive(api, "allowed_ip_addresses");
	cJSON_AddItemToObject(api, "allowed_ip_addresses", ips);
	cJSON_AddStringToObject(api, "cluster_id", cluster_id);
	if (r) { /* the file of the live description: a rename moves it at apply */
		char *name = cf_bk_token_name(ref, str(t, "description"));
		cJSON_AddStringToObject(api, "token_name", name);
		cJSON_AddStringToObject(api, "token_dir", dir);
		free(name);
	}
	return api;
}

static int read_cluster(cf_live *live, const cf_resource_set *set, cf_bk_conn *c, const cJSON *cl, cf_diags *diags,
			cf_error *err)
{
	cJSON *tokens = NULL;
	char *e = cf_http_escape(str(cl, "id")), *path = cf_bk_path(c, "/clusters/%s/tokens", e);
	int rc = cf_bk_list(&tokens, c, path, err);
	free(path);
	free(e);
	const cf_resource **owner = cf_xcalloc((size_t)cJSON_GetArraySize(tokens) + 1, sizeof(*owner));
	for (size_t i = 0; rc == CF_OK && i < set->count; i++) {
		const cf_resource *r = &set->items[i];
		const char *ref = r->kind == &cf_bk_token_kind ? cJSON_GetStringValue(cf_json_path(r->doc, "metadata.cluster")) : NULL;
		if (!ref || (strcmp(ref, str(cl, "id")) && strcmp(ref, str(cl, "name")) &&
			     strcmp(ref, cf_bk_cluster_alias(set, str(cl, "name")))))
			continue;
		const cJSON *hit = match(r, tokens, diags), *t;
		int k = 0;
		cJSON_ArrayForEach(t, tokens) {
			if (t == hit)
				owner[k] = r;
			k++;
		}
	}
	const cJSON *t;
	int k = 0;
	cJSON_ArrayForEach(t, (rc == CF_OK ? tokens : NULL)) {
		const cf_resource *r = owner[k++];
		const char *ref = r ? cJSON_GetStringValue(cf_json_path(r->doc, "metadata.cluster")) : NULL;
		char *addr = r ? cf_xstrdup(r->address)
			       : cf_xasprintf("ClusterAgentToken/%s/%s", cf_bk_cluster_alias(set, str(cl, "name")),
					      str(t, "description"));
		cf_live_add(live, set, &cf_bk_token_kind, addr, str(t, "id"), NULL, str(t, "description"),
			    live_api(t, str(cl, "id"), r, ref, c->token_dir));
		free(addr);
	}
	free(owner);
	cJSON_Delete(tokens);
	return rc;
}

/* Scope (docs/buildkite.md): the tokens of a cluster that has a
 * ClusterAgentToken manifest, present or absent. */
static bool in_scope(const cf_resource_set *set, const cJSON *cl)
{
	for (size_t i = 0; i < set->count; i++) {
		const cf_resource *r = &set->items[i];
		const char *ref = r->kind == &cf_bk_token_kind ? cJSON_GetStringValue(cf_json_path(r->doc, "metadata.cluster")) : NULL;
		if (ref && (!strcmp(ref, str(cl, "id")) || !strcmp(ref, str(cl, "name")) ||
			    !strcmp(ref, cf_bk_cluster_alias(set, str(cl, "name")))))
			return true;
	}
	return false;
}

static void manifest_checks(const cf_resource *r, const cJSON *clusters, const cf_resource_set *set, cf_bk_conn *c,
			    cf_diags *diags)
{
	const char *ref = cJSON_GetStringValue(cf_json_path(r->doc, "metadata.cluster"));
	const char *org = cJSON_GetStringValue(cf_json_path(r->doc, "metadata.organization"));
	if (org && strcmp(org, c->cfg.org) != 0)
		cf_resource_diag(diags, r, "metadata.organization", "metadata.organization: '%s', but this run "
				 "is connected to organization '%s'", org, c->cfg.org);
	bool live = cf_bk_cluster_id(clusters, ref) != NULL;
	for (size_t i = 0; !live && i < set->count; i++) {
		const cJSON *o;
		if (set->items[i].kind == &cf_bk_cluster_kind && !strcmp(set->items[i].name, ref))
			cJSON_ArrayForEach(o, cf_json_path(set->items[i].doc, "metadata.renamed_from"))
				live = live || cf_bk_cluster_id(clusters, o->valuestring);
	}
	if (!r->absent && !live && !cf_bk_cluster_declared(set, ref))
		cf_resource_diag(diags, r, "metadata.cluster", "metadata.cluster: the organization has no cluster "
				 "'%s' and no Cluster manifest names it", ref);
}

static bool same_time(const char *a, const char *b)
{
	time_t ta, tb;
	return cf_bk_time(a, &ta) && cf_bk_time(b, &tb) && ta == tb;
}

/* expires_at: future on create (docs "Create a token": agents cannot
 * connect after it); not in gob's ClusterTokenUpdate, so never changed. */
static void expiry_checks(const cf_live *live, const cf_resource *r, cf_diags *diags)
{
	const char *want = cJSON_GetStringValue(cf_json_path(r->doc, "spec.expires_at"));
	const cf_live_item *li = want && !r->absent ? cf_live_find(live, r->address) : NULL;
	cJSON *api = li ? cf_live_api(li) : NULL;
	time_t t;
	if (want && !r->absent && !li && cf_bk_time(want, &t) && t <= time(NULL))
		cf_resource_diag(diags, r, "spec.expires_at", "spec.expires_at: '%s' is not in the future", want);
	if (api && !same_time(want, str(api, "expires_at")))
		/* gob cluster_tokens.go ClusterTokenUpdate: description only */
		cf_resource_diag(diags, r, "spec.expires_at", "spec.expires_at: a live token's expiry cannot change; "
				 "it expires %s. Revoke it (ensure: absent) "
				 "and create one under another description", cf_bk_set(api, "expires_at") ?
				 str(api, "expires_at") : "never");
	cJSON_Delete(api);
}

static int read_live(cf_live *live, const cf_resource_set *set, cf_conn *conn, cf_diags *diags, cf_error *err)
{
	cf_bk_conn *c = cf_bk_of(conn);
	const cJSON *clusters = NULL, *cl;
	int rc = cf_bk_clusters(&clusters, c, err);
	size_t before = diags->count;
	for (size_t i = 0; rc == CF_OK && i < set->count; i++)
		if (set->items[i].kind == &cf_bk_token_kind)
			manifest_checks(&set->items[i], clusters, set, c, diags);
	cJSON_ArrayForEach(cl, (rc == CF_OK ? clusters : NULL))
		if (rc == CF_OK && in_scope(set, cl))
			rc = read_cluster(live, set, c, cl, diags, err);
	for (size_t i = 0; rc == CF_OK && i < set->count; i++)
		if (set->items[i].kind == &cf_bk_token_kind)
			expiry_checks(live, &set->items[i], diags);
	return rc == CF_OK && diags->count > before ? CF_EINVALID : rc;
}

/* ---- the value's file ---- */

static bool file_exists(const char *dir, const char *name, const char *ext, time_t *mtime)
{
	char *p = cf_xasprintf("%s/%s.%s", dir, name, ext);
	struct stat st;
	bool there = stat(p, &st) == 0;
	if (there && mtime)
		*mtime = st.st_mtime;
	free(p);
	return there;
}

/* Lost: a pending marker written at or before the live token's creation,
 * and no token file: the create landed, its answer never reached the file. */
static char *live_problem(const cJSON *api, const cf_plan_opts *opts, const char **field, const char **after)
{
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(api, "token_name"));
	const char *dir = opts && opts->token_dir ? opts->token_dir : str(api, "token_dir");
	time_t pending = 0, created = 0;
	*field = "token";
	*after = "a new one (the token is revoked and created again)";
	if (!name || file_exists(dir, name, "token", NULL) || !file_exists(dir, name, "token.pending", &pending) ||
	    !cf_bk_time(str(api, "created_at"), &created) || created + 1 < pending)
		return NULL;
	return cf_xasprintf("lost: an earlier apply created it, but its value never reached %s/%s.token", dir, name);
}

/* Adopted: live, no file, no marker of a create that made it. The hook
 * gets no plan opts: the connection's directory is used (see bk.h). */
static char *unverified(const cJSON *api)
{
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(api, "token_name"));
	const char *dir = str(api, "token_dir");
	if (!name || file_exists(dir, name, "token", NULL) || file_exists(dir, name, "token.pending", NULL))
		return NULL;
	return cf_xasprintf("adopted: its value is not available here (no %s/%s.token); the API shows it only "
			    "to the create", dir, name);
}

/* ---- comparing ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static cJSON *norm_set(const cJSON *v, bool desired, cf_diff_ctx *ctx)
{
	(void)desired;
	(void)ctx;
	int n = cJSON_GetArraySize(v), m = 0;
	const char **list = cf_xcalloc((size_t)n + 1, sizeof(*list));
	const cJSON *t;
	cJSON_ArrayForEach(t, v)
		if (cJSON_IsString(t))
			list[m++] = t->valuestring;
	qsort(list, (size_t)m, sizeof(*list), cmp_str);
	cJSON *out = cJSON_CreateArray();
	for (int i = 0; i < m; i++)
		if (!i || strcmp(list[i], list[i - 1]))
			cJSON_AddItemToArray(out, cJSON_CreateString(list[i]));
	free(list);
	return out;
}

/* One instant, one spelling: "2027-01-01T01:00:00+01:00" is
 * "2027-01-01T00:00:00Z". */
static cJSON *norm_time(const cJSON *v, bool desired, cf_diff_ctx *ctx)
{
	(void)desired;
	(void)ctx;
	time_t t;
	if (!cJSON_IsString(v) || !cf_bk_time(v->valuestring, &t))
		return v ? cJSON_Duplicate(v, 1) : cJSON_CreateNull();
	struct tm tm;
	char buf[32];
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return cJSON_CreateString(buf);
}

static const cf_diff_field diff[] = {
	{.name = "metadata.description", .desired = "metadata.description", .live = "description", .fallback = "\"\"",
	 .type = CF_D_VALUE},
	{.name = "spec.allowed_ip_addresses", .desired = "spec.allowed_ip_addresses", .live = "allowed_ip_addresses",
	 .fallback = "[]", .type = CF_D_VALUE, .normalize = norm_set, .omitted_keeps_live = true,
	 .omitted_note = "any address"},
	{.name = "spec.expires_at", .desired = "spec.expires_at", .live = "expires_at", .fallback = "null",
	 .type = CF_D_VALUE, .normalize = norm_time, .omitted_keeps_live = true, .omitted_note = "never"},
	{.name = NULL},
};

const cf_kind cf_bk_token_kind = {
	.name = "ClusterAgentToken",
	.api_version = "buildkite/v1",
	.noun = "agent token",
	.fields = fields,
	.has_project = false,
	.has_name = true,
	.name_key = "description",
	.address = address,
	.absent_refusal = NULL,
	.check = check,
	.schema_rules = NULL,
	.diff = diff,
	.has_active = false,
	.read_live = read_live,
	.check_set = check_set,
	.apply = cf_bk_token_apply,
	.live_problem = live_problem,
	.values_hidden = NULL,
	.unverified = unverified,
	.delete_note = "revoked: agents using it can no longer connect",
	.prune_note = NULL,
	.preflight = cf_bk_token_preflight,
	.export = cf_bk_token_export,
};

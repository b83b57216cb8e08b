/*
 * kind Webhook: an outbound webhook of a CircleCI project.
 *
 *   apiVersion: circleci/v1
 *   kind: Webhook
 *   metadata: {project: gh/acme/web, name: relay}   # unique per project; <= 5
 *   spec:
 *     url: https://hooks.example.com/ci
 *     events: [workflow-completed, job-completed]
 *     verifyTls: true                               # default true
 *     signingSecretFrom: {env: WEBHOOK_SECRET}      # or signingSecret / signingSecretKeepLive: true
 *
 * The signing secret is write-only: the API reads it back as "****" or ""
 * (LABS ic/webhook.go), so it is compared by presence only; an equal
 * presence is listed as unverifiable, never called equal. The address is
 * Webhook/PROJECT/NAME, the project normalised (gh/, bb/); names are not
 * known to be unique server-side, so ciform enforces it (open question
 * 12). docs/circleci.md has the rest.
 */
#include "reconciler/providers/circleci/kinds/webhook.h"
#include "reconciler/diff.h"
#include "reconciler/manifest.h"
#include "reconciler/schema_rules.h"
#include "reconciler/yamltree.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_SECRET (64 * 1024)

static const cf_field from_fields[] = {
	{.key = "env", .type = CF_T_STR},
	{.key = "file", .type = CF_T_STR},
	CF_FIELDS_END,
};

static const cf_field spec_fields[] = {
	{.key = "url", .type = CF_T_STR, .flags = CF_F_REQUIRED},
	{.key = "events", .type = CF_T_IGNORE, .note = "A list of workflow-completed and job-completed."}, /* check() */
	{.key = "verifyTls", .type = CF_T_BOOL},
	{.key = "signingSecret", .type = CF_T_STR},
	{.key = "signingSecretFrom", .type = CF_T_MAP, .fields = from_fields},
	{.key = "signingSecretKeepLive", .type = CF_T_BOOL},
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

/* The events the API accepts (LABS ic/webhook.go WebhookEvents; PUB
 * webhook_resource.go "Valid values are: workflow-completed, job-completed"). */
static const char *const events[] = {"workflow-completed", "job-completed", NULL};

static const cf_schema_rule schema_rules[] = {
	{.path = "spec.events", .description = "workflow-completed, job-completed; a set",
	 .rule = "{\"type\": \"array\", \"minItems\": 1, \"uniqueItems\": true, \"items\": {\"enum\": "
		 "[\"workflow-completed\", \"job-completed\"]}}"},
	{.path = "spec.url", .description = "https; no localhost, private or reserved IP, .local or .internal",
	 .rule = "{\"type\": \"string\", \"pattern\": \"^https://\"}"},
	{.path = NULL},
};

/* ---- the URL (PUB webhook_resource.go, webhook_url_validator.go) ---- */

static bool private_v4(const unsigned char *a)
{
	return a[0] == 127 || a[0] == 10 || a[0] == 0 || (a[0] == 172 && a[1] >= 16 && a[1] <= 31) ||
	       (a[0] == 192 && a[1] == 168) || (a[0] == 169 && a[1] == 254) ||
	       (a[0] == 100 && (a[1] & 0xC0) == 64) || (a[0] == 192 && a[1] == 0 && (a[2] == 0 || a[2] == 2)) ||
	       (a[0] == 198 && (a[1] == 18 || a[1] == 19)) || (a[0] == 198 && a[1] == 51 && a[2] == 100) ||
	       (a[0] == 203 && a[1] == 0 && a[2] == 113) || a[0] >= 224;
}

static bool private_v6(const unsigned char *a)
{
	static const unsigned char zero[16] = {0};
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (!memcmp(a, mapped, 12))
		return private_v4(a + 12);
	bool unspecified_or_loopback = !memcmp(a, zero, 15) && (a[15] == 0 || a[15] == 1);
	return unspecified_or_loopback || (a[0] & 0xFE) == 0xFC || a[0] == 0xFF || (a[0] == 0xFE && (a[1] & 0xC0) == 0x80);
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);
	return n >= t && !strcasecmp(s + n - t, tail);
}

static char *host_problem(char *host)
{
	size_t n = strlen(host);
	if (n && host[n - 1] == '.')
		host[n - 1] = '\0'; /* "example.local." is example.local */
	unsigned char a[16];
	if (!*host)
		return cf_xstrdup("the URL has no host name");
	if (!strcasecmp(host, "localhost") || !strcasecmp(host, "localhost.localdomain") || ends_with(host, ".localhost"))
		return cf_xasprintf("%s is this machine (loopback): CircleCI's servers cannot deliver there", host);
	if (inet_pton(AF_INET, host, a) == 1 ? private_v4(a) : inet_pton(AF_INET6, host, a) == 1 && private_v6(a))
		return cf_xasprintf("%s is a loopback, private, link-local or reserved address", host);
	if (ends_with(host, ".local") || ends_with(host, ".internal"))
		return cf_xasprintf("%s is a .local or .internal name, not reachable from CircleCI", host);
	return NULL;
}

char *cf_cci_webhook_url_problem(const char *url)
{
	if (strncmp(url, "https://", 8) != 0)
		return cf_xstrdup("must be an https:// URL");
	const char *auth = url + 8;
	size_t len = strcspn(auth, "/?#");
	char *host = cf_xasprintf("%.*s", (int)len, auth);
	char *at = strrchr(host, '@'), *h = at ? at + 1 : host;
	if (*h == '[') { /* [v6]:port */
		char *close = strchr(h, ']');
		if (close)
			*close = '\0';
		h++;
	} else if (strchr(h, ':')) {
		*strchr(h, ':') = '\0';
	}
	char *why = host_problem(h);
	free(host);
	return why;
}

/* ---- checking ---- */

static const char *str(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static void read_events(cf_kctx *kc, cJSON *spec)
{
	yaml_node_t *n = cf_ypath(kc->y, kc->root, "spec.events");
	if (!n || n->type != YAML_SEQUENCE_NODE || n->data.sequence.items.start == n->data.sequence.items.top) {
		cf_kerr(kc, n ? "spec.events" : "spec", "spec.events: give a list of at least one of "
			"workflow-completed and job-completed");
		return;
	}
	cJSON *list = cJSON_AddArrayToObject(spec, "events");
	int i = 0;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++, i++) {
		const char *v = cf_yscalar(yaml_document_get_node(kc->y->doc, *it));
		char at[64];
		snprintf(at, sizeof(at), "spec.events[%d]", i);
		bool known = false, dup = false;
		for (const char *const *e = events; v && *e; e++)
			known = known || !strcmp(*e, v);
		const cJSON *seen;
		cJSON_ArrayForEach(seen, list)
			dup = dup || (v && !strcmp(seen->valuestring, v));
		if (!known)
			cf_kerr(kc, at, "%s: must be workflow-completed or job-completed, not '%s'", at, v ? v : "?");
		else if (dup)
			cf_kerr(kc, at, "%s: '%s' is listed twice (the list is a set)", at, v);
		else
			cJSON_AddItemToArray(list, cJSON_CreateString(v));
	}
}

/* The secret from signingSecret or signingSecretFrom {env|file}; NULL when
 * it cannot be had (reported). */
static char *secret_value(cf_kctx *kc, const cJSON *spec)
{
	const cJSON *from = cJSON_GetObjectItemCaseSensitive(spec, "signingSecretFrom");
	if (!from)
		return cf_xstrdup(str(spec, "signingSecret"));
	const char *var = str(from, "env"), *file = str(from, "file");
	if ((var != NULL) == (file != NULL)) {
		cf_kerr(kc, "spec.signingSecretFrom", "spec.signingSecretFrom: give exactly one of env and file");
		return NULL;
	}
	if (var) {
		const char *v = getenv(var);
		if (!v)
			cf_kmissing_secret(kc, "spec.signingSecretFrom.env", "spec.signingSecretFrom.env: the "
					   "environment variable %s is not set", var);
		return v ? cf_xstrdup(v) : NULL;
	}
	size_t len = 0;
	char *v = cf_kread(kc, "spec.signingSecretFrom.file", file, MAX_SECRET, &len);
	while (v && len && (v[len - 1] == '\n' || v[len - 1] == '\r'))
		v[--len] = '\0'; /* a file's final newline is not part of the secret */
	return v;
}

/* Exactly one source; the secret goes into spec.signing, the set the diff
 * compares: [{name: signingSecret, cmp: "p:present", value}] or
 * [{name: signingSecret, live: true}] for signingSecretKeepLive. */
static void check_secret(cf_kctx *kc, cJSON *spec, bool absent)
{
	bool keep = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(spec, "signingSecretKeepLive"));
	int n = cJSON_HasObjectItem(spec, "signingSecret") + cJSON_HasObjectItem(spec, "signingSecretFrom") + keep;
	if (absent)
		return;
	if (n != 1) {
		cf_kerr(kc, "spec", "spec: give exactly one of signingSecret, signingSecretFrom and "
			"signingSecretKeepLive: true (a webhook without a secret cannot be told from a forgery)");
		return;
	}
	cJSON *e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "name", "signingSecret");
	if (keep) {
		cJSON_AddTrueToObject(e, "live");
	} else {
		char *v = secret_value(kc, spec);
		if (v && !*v)
			cf_kerr(kc, cJSON_HasObjectItem(spec, "signingSecret") ? "spec.signingSecret" : "spec.signingSecretFrom",
				"%s: the secret is empty", cJSON_HasObjectItem(spec, "signingSecret") ? "spec.signingSecret"
												: "spec.signingSecretFrom");
		if (v) {
			cJSON_AddStringToObject(e, "value", v);
			cJSON_AddStringToObject(e, "cmp", "p:present");
			memset(v, 0, strlen(v));
		}
		free(v);
	}
	cJSON_DeleteItemFromObjectCaseSensitive(spec, "signingSecret"); /* only spec.signing holds it */
	cJSON_AddItemToArray(cJSON_AddArrayToObject(spec, "signing"), e);
}

static void check(cf_kctx *kc, cJSON *doc, bool absent)
{
	const char *p = cJSON_GetStringValue(cf_json_path(doc, "metadata.project"));
	if (p && !cf_cci_slug_shaped(p, 3))
		cf_kerr(kc, "metadata.project", "metadata.project: '%s' is not a project slug (vcs/org/project, "
			"like gh/acme/web)", p);
	const char *name = cJSON_GetStringValue(cf_json_path(doc, "metadata.name"));
	if (name && !*name)
		cf_kerr(kc, "metadata.name", "metadata.name: empty");
	cJSON *spec = cJSON_GetObjectItemCaseSensitive(doc, "spec");
	if (!spec)
		spec = cJSON_AddObjectToObject(doc, "spec");
	const char *url = str(spec, "url");
	char *why = url ? cf_cci_webhook_url_problem(url) : NULL;
	if (why)
		cf_kerr(kc, "spec.url", "spec.url: %s", why);
	free(why);
	if (!absent)
		read_events(kc, spec);
	check_secret(kc, spec, absent);
}

/* Per project (compared after normalisation): one webhook per name (open
 * question 12), and at most 5 present (outbound-webhooks docs). */
static void check_set(const cf_resource_set *set, cf_diags *diags)
{
	for (size_t i = 0; i < set->count; i++) {
		const cf_resource *a = &set->items[i];
		if (a->kind != &cf_cci_webhook_kind || !a->name)
			continue;
		char *pa = cf_cci_slug_normalize(cJSON_GetStringValue(cf_json_path(a->doc, "metadata.project")));
		int before = 0;
		for (size_t j = 0; j < i; j++) {
			const cf_resource *b = &set->items[j];
			if (b->kind != a->kind || !b->name)
				continue;
			char *pb = cf_cci_slug_normalize(cJSON_GetStringValue(cf_json_path(b->doc, "metadata.project")));
			bool same = !strcasecmp(pa, pb);
			free(pb);
			before += same && !b->absent;
			if (same && !strcmp(a->name, b->name) && strcmp(a->address, b->address) != 0)
				cf_resource_diag(diags, a, "metadata.name", "metadata.name: the project already has a "
						 "webhook named %s (%s:%d); ciform matches webhooks by name", a->name,
						 b->file, b->line);
		}
		if (!a->absent && before == CF_CCI_MAX_WEBHOOKS)
			cf_resource_diag(diags, a, "metadata.name", "metadata.name: a 6th webhook for %s: CircleCI "
					 "allows %d per project", pa, CF_CCI_MAX_WEBHOOKS);
		free(pa);
	}
}

/* ---- comparing ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp((*(cJSON *const *)a)->valuestring, (*(cJSON *const *)b)->valuestring);
}

/* Events compare as a set. */
static cJSON *norm_events(const cJSON *v, bool desired, cf_diff_ctx *ctx)
{
	(void)desired;
	(void)ctx;
	int n = cJSON_GetArraySize(v), k = 0;
	cJSON **items = cf_xcalloc((size_t)n + 1, sizeof(*items));
	const cJSON *x;
	cJSON_ArrayForEach(x, v)
		if (cJSON_IsString(x))
			items[k++] = cJSON_CreateString(x->valuestring);
	qsort(items, (size_t)k, sizeof(*items), cmp_str);
	cJSON *out = cJSON_CreateArray();
	for (int i = 0; i < k; i++)
		cJSON_AddItemToArray(out, items[i]);
	free(items);
	return out;
}

static const cf_diff_field diff[] = {
	{.name = "spec.url", .desired = "spec.url", .live = "url", .fallback = "\"\"", .type = CF_D_VALUE},
	{.name = "spec.events", .desired = "spec.events", .live = "events", .fallback = "[]", .type = CF_D_VALUE,
	 .normalize = norm_events, .list_items = true},
	{.name = "spec.verifyTls", .desired = "spec.verifyTls", .live = "verifyTls", .fallback = "true",
	 .type = CF_D_VALUE},
	/* presence only: the API reads a secret back as "****" or "" (LABS ic/webhook.go) */
	{.name = "spec", .desired = "spec.signing", .live = "signing", .fallback = "[]", .type = CF_D_SECRETS,
	 .key = "name", .value = "cmp", .comparison = "presence"},
	{.name = NULL},
};

static char *unverified(const cJSON *api)
{
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(api, "unverified")))
		return NULL;
	return cf_xstrdup("1 write-only value could not be compared (the API shows only whether a signing secret "
			  "is set): signingSecret");
}

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

static cJSON *webhook_doc(const char *slug, const cJSON *w)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "apiVersion", CF_CCI_API_VERSION);
	cJSON_AddStringToObject(doc, "kind", "Webhook");
	cJSON *m = cJSON_AddObjectToObject(doc, "metadata");
	cJSON_AddStringToObject(m, "project", slug);
	cJSON_AddStringToObject(m, "name", str(w, "name"));
	cJSON *spec = cJSON_AddObjectToObject(doc, "spec");
	cJSON_AddStringToObject(spec, "url", str(w, "url") ? str(w, "url") : "");
	cJSON *ev = cJSON_AddArrayToObject(spec, "events");
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(w, "events"))
		if (cJSON_IsString(e))
			cJSON_AddItemToArray(ev, cJSON_CreateString(e->valuestring));
	cJSON_AddBoolToObject(spec, "verifyTls", cf_cci_webhook_verify_tls(w));
	cJSON_AddTrueToObject(spec, "signingSecretKeepLive"); /* write-only: never readable */
	return doc;
}

static int export_project(cf_export *out, cf_conn *c, const char *slug, cf_error *err)
{
	const cJSON *p = NULL;
	cJSON *list = NULL;
	int rc = cf_cci_project(&p, c, slug, err);
	if (rc == CF_OK)
		rc = cf_cci_webhook_list(&list, c, str(p, "id"), err);
	char *folder = cf_cci_slug_normalize(slug);
	for (char *q = folder; *q; q++)
		*q = *q == '/' ? '-' : *q;
	const cJSON *w;
	cJSON_ArrayForEach(w, (rc == CF_OK ? list : (cJSON *)NULL)) {
		const char *name = str(w, "name");
		if (!name || !*name)
			continue;
		char *file = cf_xasprintf("webhook-%s.yaml", file_safe(name) ? name : str(w, "id"));
		cf_export_add(out, folder, file, webhook_doc(slug, w));
		free(file);
	}
	free(folder);
	cJSON_Delete(list);
	return rc;
}

static int export_webhooks(cf_export *out, const void *vctx, cf_error *err)
{
	return cf_cci_export_each(out, vctx, false, export_project, err);
}

const cf_kind cf_cci_webhook_kind = {
	.name = "Webhook",
	.api_version = CF_CCI_API_VERSION,
	.noun = "webhook",
	.fields = document_fields,
	.has_project = false, /* metadata.project is a slug: the address hook makes it */
	.has_name = true,
	.name_key = NULL,
	.address = cf_cci_project_name_address,
	.absent_refusal = NULL,
	.check = check,
	.check_set = check_set,
	.schema_rules = schema_rules,
	.diff = diff,
	.has_active = false,
	.read_live = cf_cci_webhook_read_live,
	.apply = cf_cci_webhook_apply,
	.live_problem = NULL,
	.values_hidden = NULL, /* presence is compared instead (unverified) */
	.unverified = unverified,
	.delete_note = NULL,
	.prune_note = NULL,
	.preflight = NULL,
	.export = export_webhooks,
};

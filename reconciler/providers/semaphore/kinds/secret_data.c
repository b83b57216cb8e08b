/*
 * secret_data: the data of organisation and project secrets (secret_data.h).
 *
 * The server's content rules (semaphoreio/semaphore secrethub/lib/secrethub/
 * model/content.ex, env_var.ex, file.ex): env var names
 * ^[a-zA-Z_][a-zA-Z0-9_]*$, names, values, paths and contents required, where
 * Ecto's validate_required counts a whitespace-only string as missing; 6 MiB
 * of values and contents together. Duplicates are not checked there, but a
 * set keyed by name cannot hold two, so they are refused here. Values are
 * never quoted in a message, nor their MD5s.
 */
#include "reconciler/providers/semaphore/kinds/secret_data.h"
#include "reconciler/codec.h"
#include "reconciler/manifest.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* content.ex: the values and contents of one secret, together */
#define SECRET_MAX_BYTES (6u * 1024 * 1024)

static const cf_field value_from_fields[] = {
	{.key = "env", .type = CF_T_STR},
	{.key = "file", .type = CF_T_STR},
	{.key = "live", .type = CF_T_BOOL},
	CF_FIELDS_END,
};

static const cf_field env_var_fields[] = {
	{.key = "name", .type = CF_T_STR, .flags = CF_F_REQUIRED, .match = "[a-zA-Z_][a-zA-Z0-9_]*",
	 .match_words = "a letter or _ followed by letters, digits or _"},
	{.key = "value", .type = CF_T_STR},
	{.key = "valueFrom", .type = CF_T_MAP, .fields = value_from_fields},
	CF_FIELDS_END,
};

static const cf_field file_fields[] = {
	{.key = "path", .type = CF_T_STR, .flags = CF_F_REQUIRED},
	{.key = "content", .type = CF_T_STR},
	{.key = "source", .type = CF_T_STR},
	{.key = "valueFrom", .type = CF_T_MAP, .fields = value_from_fields},
	CF_FIELDS_END,
};

const cf_field cf_sem_secret_data_fields[] = {
	{.key = "env_vars", .type = CF_T_LIST, .fields = env_var_fields},
	{.key = "files", .type = CF_T_LIST, .fields = file_fields},
	CF_FIELDS_END,
};

static const char *item_str(const cJSON *item, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(item, key));
}

/* Ecto validate_required: nil, "" and whitespace only are all missing. */
static bool blank(const char *s)
{
	for (; s && *s; s++)
		if (!isspace((unsigned char)*s))
			return false;
	return true;
}

static void set_value(cJSON *item, const char *key, const char *value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(item, "valueFrom");
	cJSON_DeleteItemFromObjectCaseSensitive(item, "source");
	cJSON_DeleteItemFromObjectCaseSensitive(item, key);
	cJSON_AddItemToObject(item, key, cJSON_CreateString(value));
}

/* valueFrom: {live: true} keeps the live value: the entry {KEY, live: true}
 * the diff knows (diff.h). */
static bool take_live(cf_kctx *kc, cJSON *item, const cJSON *from, const char *fpath)
{
	const cJSON *live = cJSON_GetObjectItemCaseSensitive(from, "live");
	if (!live)
		return false;
	if (!cJSON_IsTrue(live))
		cf_kerr(kc, fpath, "%s.live: only true is meaningful (it keeps the live value)", fpath);
	cJSON_DeleteItemFromObjectCaseSensitive(item, "valueFrom");
	cJSON_AddTrueToObject(item, "live");
	return true;
}

/* A value written in the manifest: not blank; a placeholder counts nothing
 * (it keeps a live value). */
static size_t written(cf_kctx *kc, const char *v, const char *vpath, bool b64)
{
	if (cf_is_md5_placeholder(v))
		return 0;
	if (blank(v))
		cf_kerr(kc, vpath, "%s: must not be empty or blank (the server refuses it: \"can't be blank\")", vpath);
	else if (b64 && !cf_base64_valid(v))
		cf_kerr(kc, vpath, "%s: not valid base64 (one line, A-Z a-z 0-9 + /, = padding at the end)", vpath);
	return strlen(v);
}

/* Reads the environment variable or file a valueFrom names; NULL (reported)
 * when it cannot. */
static char *read_from(cf_kctx *kc, const cJSON *from, const char *fpath, size_t *len, bool text)
{
	const char *env = item_str(from, "env"), *file = item_str(from, "file");
	char p[128];
	if (env) {
		snprintf(p, sizeof(p), "%s.env", fpath);
		const char *v = getenv(env);
		if (!v)
			cf_kmissing_secret(kc, p, "%s: environment variable %s is not set", p, env);
		else if (blank(v))
			cf_kerr(kc, p, "%s: environment variable %s is empty or blank (the server refuses it)", p, env);
		*len = v ? strlen(v) : 0;
		return v && !blank(v) ? cf_xstrdup(v) : NULL;
	}
	snprintf(p, sizeof(p), "%s.file", fpath);
	char *data = cf_kread(kc, p, file, SECRET_MAX_BYTES, len);
	const char *wrong = !data ? NULL : *len == 0 ? "is empty (the server refuses it)"
				 : text && strlen(data) != *len ? "holds a NUL byte; an env var value must be text" : NULL;
	if (wrong) {
		cf_kerr(kc, p, "%s: '%s' %s", p, file, wrong);
		free(data);
		return NULL;
	}
	return data;
}

static size_t resolve_env_var(cf_kctx *kc, cJSON *var, const char *path, bool absent)
{
	cJSON *from = cJSON_GetObjectItemCaseSensitive(var, "valueFrom");
	char fpath[96];
	if (cJSON_HasObjectItem(var, "value") == (from != NULL)) {
		cf_kerr(kc, path, "%s: give exactly one of value and valueFrom", path);
		return 0;
	}
	if (!from) {
		snprintf(fpath, sizeof(fpath), "%s.value", path);
		return written(kc, item_str(var, "value"), fpath, false);
	}
	snprintf(fpath, sizeof(fpath), "%s.valueFrom", path);
	int given = (item_str(from, "env") != NULL) + (item_str(from, "file") != NULL) +
		    cJSON_HasObjectItem(from, "live");
	if (given != 1) {
		cf_kerr(kc, fpath, "%s: give exactly one of env, file and live", fpath);
		return 0;
	}
	if (take_live(kc, var, from, fpath) || absent)
		return 0;
	size_t len = 0;
	char *v = read_from(kc, from, fpath, &len, true);
	if (v)
		set_value(var, "value", v);
	free(v);
	return v ? len : 0;
}

static size_t resolve_file(cf_kctx *kc, cJSON *file, const char *path, bool absent)
{
	cJSON *from = cJSON_GetObjectItemCaseSensitive(file, "valueFrom");
	const char *source = item_str(file, "source");
	char fpath[96];
	int given = cJSON_HasObjectItem(file, "content") + (source != NULL) + (from != NULL);
	if (given != 1) {
		cf_kerr(kc, path, "%s: give exactly one of content, source and valueFrom: {live: true}", path);
		return 0;
	}
	if (from) {
		snprintf(fpath, sizeof(fpath), "%s.valueFrom", path);
		if (!cJSON_HasObjectItem(from, "live") || cJSON_GetArraySize(from) != 1)
			cf_kerr(kc, fpath, "%s: a file takes only valueFrom: {live: true} (read a file with source)", fpath);
		else
			take_live(kc, file, from, fpath);
		return 0;
	}
	if (!source) {
		snprintf(fpath, sizeof(fpath), "%s.content", path);
		return written(kc, item_str(file, "content"), fpath, true);
	}
	if (absent)
		return 0;
	snprintf(fpath, sizeof(fpath), "%s.source", path);
	size_t len = 0;
	char *data = cf_kread(kc, fpath, source, SECRET_MAX_BYTES, &len);
	if (data && len == 0)
		cf_kerr(kc, fpath, "%s: '%s' is empty (the server refuses it)", fpath, source);
	if (!data || len == 0) {
		free(data);
		return 0;
	}
	char *b64 = cf_base64_encode((const unsigned char *)data, len);
	free(data);
	set_value(file, "content", b64);
	size_t stored = strlen(b64);
	free(b64);
	return stored;
}

typedef size_t (*resolve_fn)(cf_kctx *kc, cJSON *item, const char *path, bool absent);

/* A list keyed by name or path: each key once and not blank, each value
 * resolved; returns the values' total size. */
static size_t check_list(cf_kctx *kc, cJSON *data, const char *list, const char *key, resolve_fn resolve,
			 bool absent)
{
	cJSON *items = cJSON_GetObjectItemCaseSensitive(data, list);
	size_t bytes = 0;
	int i = 0;
	for (cJSON *it = items ? items->child : NULL; it; it = it->next, i++) {
		char path[64], kpath[80];
		snprintf(path, sizeof(path), "data.%s[%d]", list, i);
		snprintf(kpath, sizeof(kpath), "%s.%s", path, key);
		const char *k = item_str(it, key);
		if (k && blank(k))
			cf_kerr(kc, kpath, "%s: must not be empty or blank", kpath);
		int j = 0;
		for (cJSON *prev = items->child; k && prev != it; prev = prev->next, j++) {
			const char *other = item_str(prev, key);
			if (other && !strcmp(other, k)) {
				cf_kerr(kc, kpath, "%s: %s is already used by data.%s[%d]", kpath, k, list, j);
				break;
			}
		}
		bytes += resolve(kc, it, path, absent);
	}
	return bytes;
}

void cf_sem_secret_check_data(cf_kctx *kc, cJSON *doc, bool absent)
{
	cJSON *data = cJSON_GetObjectItemCaseSensitive(doc, "data");
	size_t bytes = check_list(kc, data, "env_vars", "name", resolve_env_var, absent) +
		       check_list(kc, data, "files", "path", resolve_file, absent);
	if (bytes > SECRET_MAX_BYTES)
		cf_kerr(kc, "data", "data: values and file contents (as base64) add up to %zu bytes; a secret "
			"holds at most %u", bytes, SECRET_MAX_BYTES);
}

const char *cf_sem_secret_values_hidden(const cJSON *api)
{
	if (cJSON_IsTrue(cf_json_path(api, "metadata.content_included")))
		return NULL;
	return "the server answers its values empty (content_included: false: the organisation feature "
	       "secrets_exposed_content is off), so only names, paths and org_config are compared";
}

static void hash_list(cJSON *list, const char *valkey)
{
	cJSON *e;
	cJSON_ArrayForEach(e, list) {
		const char *v = item_str(e, valkey);
		char md5[33] = "";
		if (v && *v)
			cf_md5_hex(v, strlen(v), md5);
		cJSON_DeleteItemFromObjectCaseSensitive(e, valkey);
		cJSON_AddStringToObject(e, valkey, md5);
	}
}

void cf_sem_secret_fingerprint(cJSON *api)
{
	cJSON *data = cJSON_GetObjectItemCaseSensitive(api, "data");
	hash_list(cJSON_GetObjectItemCaseSensitive(data, "env_vars"), "value");
	hash_list(cJSON_GetObjectItemCaseSensitive(data, "files"), "content");
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(api, "metadata");
	static const char *const drop[] = {"create_time", "update_time", "checkout_at"};
	for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++)
		cJSON_DeleteItemFromObjectCaseSensitive(meta, drop[i]);
}

/* Each page's secrets are fingerprinted as they arrive: a page's plaintext
 * is never kept. */
static void fingerprint_page(cJSON *json, void *ud)
{
	(void)ud;
	cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(json, "secrets"))
		cf_sem_secret_fingerprint(e);
}

/* secrethub list_secrets.ex: page_size at most 100, next_page_token "" on
 * the last page (sem reads one page only: ciform reads them all). */
int cf_sem_secret_lists(cJSON **outs, cf_http_client *c, const char *const *paths, size_t n, cf_error *err)
{
	const cf_sem_pager pg = {.by_number = false, .page_size = 100, .max_pages = 100000, .key = "secrets",
				 .shape = fingerprint_page};
	return cf_sem_list_many(outs, c, &pg, paths, n, err);
}

int cf_sem_secret_list(cJSON **out, cf_http_client *c, const char *path, cf_error *err)
{
	return cf_sem_secret_lists(out, c, &path, 1, err);
}

bool cf_sem_secret_keeps_live(const cJSON *doc)
{
	static const char *const lists[][2] = {{"data.env_vars", "value"}, {"data.files", "content"}};
	for (size_t i = 0; i < 2; i++) {
		const cJSON *e;
		cJSON_ArrayForEach(e, cf_json_path(doc, lists[i][0]))
			if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "live")) ||
			    cf_is_md5_placeholder(item_str(e, lists[i][1])))
				return true;
	}
	return false;
}

/* One list of the body: written values as they are, kept ones from plain
 * (checked against the placeholder's MD5: live may have changed since the
 * plan). */
static cJSON *body_list(const cJSON *entries, const cJSON *plain, const char *key, const char *valkey,
			const char *address, cf_error *err)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *e;
	cJSON_ArrayForEach(e, entries) {
		const char *k = item_str(e, key), *v = item_str(e, valkey);
		bool keep = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "live"));
		if (keep || cf_is_md5_placeholder(v)) {
			const cJSON *l, *hit = NULL;
			cJSON_ArrayForEach(l, plain)
				if (k && !strcmp(item_str(l, key) ? item_str(l, key) : "", k))
					hit = l;
			const char *lv = item_str(hit, valkey);
			char md5[33] = "", want[33] = "";
			if (lv && *lv)
				cf_md5_hex(lv, strlen(lv), md5);
			if (!keep)
				cf_md5_placeholder_hash(v, want);
			if (!*md5 || (!keep && strcmp(md5, want))) {
				cf_error_set(err, CF_ESTALE, "%s: %s %s: the live value it keeps is %s since the plan; "
					     "plan again", address, key, k ? k : "?", *md5 ? "different" : "gone");
				cJSON_Delete(out);
				return NULL;
			}
			v = lv;
		}
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, key, k ? k : "");
		cJSON_AddStringToObject(o, valkey, v ? v : "");
		cJSON_AddItemToArray(out, o);
	}
	return out;
}

cJSON *cf_sem_secret_body_data(const cJSON *doc, const cJSON *plain, const char *address, cf_error *err)
{
	cJSON *env = body_list(cf_json_path(doc, "data.env_vars"), cf_json_path(plain, "data.env_vars"), "name",
			       "value", address, err);
	cJSON *files = env ? body_list(cf_json_path(doc, "data.files"), cf_json_path(plain, "data.files"), "path",
				       "content", address, err) : NULL;
	if (!files) {
		cJSON_Delete(env);
		return NULL;
	}
	cJSON *data = cJSON_CreateObject();
	cJSON_AddItemToObject(data, "env_vars", env);
	cJSON_AddItemToObject(data, "files", files);
	return data;
}

static cJSON *export_list(const cJSON *list, const char *key, const char *valkey, bool readable)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *e;
	cJSON_ArrayForEach(e, list) {
		cJSON *o = cJSON_CreateObject();
		const char *md5 = item_str(e, valkey);
		cJSON_AddStringToObject(o, key, item_str(e, key) ? item_str(e, key) : "");
		if (readable && md5 && *md5) {
			char *ph = cf_xasprintf("%s [md5]", md5);
			cJSON_AddStringToObject(o, valkey, ph);
			free(ph);
		} else {
			cJSON_AddTrueToObject(cJSON_AddObjectToObject(o, "valueFrom"), "live");
		}
		cJSON_AddItemToArray(out, o);
	}
	return out;
}

cJSON *cf_sem_secret_export_data(const cJSON *api)
{
	bool readable = cf_sem_secret_values_hidden(api) == NULL;
	cJSON *data = cJSON_CreateObject();
	cJSON_AddItemToObject(data, "env_vars", export_list(cf_json_path(api, "data.env_vars"), "name", "value",
							    readable));
	cJSON_AddItemToObject(data, "files", export_list(cf_json_path(api, "data.files"), "path", "content",
							 readable));
	return data;
}

int cf_sem_secret_send(cJSON **out, cf_http_client *c, const char *method, unsigned flags, const char *path,
		       const cJSON *body, cf_error *err)
{
	char *text = body ? cJSON_PrintUnformatted(body) : NULL;
	const char *name = cJSON_GetStringValue(cf_json_path(body, "metadata.name"));
	int rc;
	if (!strcmp(method, "POST") && name) { /* looked up by name before it is sent again */
		char *e = cf_http_escape(name), *lookup = cf_xasprintf("%s/%s", path, e);
		rc = cf_sem_create(out, c, path, text, lookup, err);
		free(lookup);
		free(e);
	} else {
		rc = cf_http_request(out, c, method, flags, text, path, err);
	}
	if (text) /* it held the secret values */
		memset(text, 0, strlen(text));
	free(text);
	return rc;
}

static char *item_path(const char *collection, const char *id)
{
	char *e = cf_http_escape(id);
	char *p = cf_xasprintf("%s/%s", collection, e);
	free(e);
	return p;
}

/* The live plaintext the manifest's kept entries need, read just before the
 * write; NULL in *plain when none is needed. */
static int read_plain(cJSON **plain, cf_http_client *c, const cf_change *ch, const char *path, cf_error *err)
{
	*plain = NULL;
	if (ch->action != CF_UPDATE || !cf_sem_secret_keeps_live(ch->res->doc))
		return CF_OK;
	int rc = cf_http_request(plain, c, "GET", CF_HTTP_IDEMPOTENT, NULL, path, err);
	if (rc == CF_OK && cf_sem_secret_values_hidden(*plain))
		rc = cf_error_set(err, CF_ESTALE, "%s: its values are hidden now (content_included: false), so the "
				  "entries that keep a live value cannot be sent; plan again", ch->address);
	return rc;
}

static int write_secret(cf_apply_ctx *ctx, const cf_change *ch, const char *collection, cJSON *meta, cJSON *extra,
			cJSON **after, cf_error *err)
{
	cf_http_client *c = cf_sem_of(ctx->conn);
	bool create = ch->action == CF_CREATE;
	char *path = create ? cf_xstrdup(collection) : item_path(collection, ch->id);
	cJSON *plain = NULL, *out = NULL, *body = cJSON_CreateObject();
	cJSON_AddItemToObject(body, "metadata", meta);
	int rc = read_plain(&plain, c, ch, path, err);
	cJSON *data = rc == CF_OK ? cf_sem_secret_body_data(ch->res->doc, plain, ch->address, err) : NULL;
	cJSON_Delete(plain);
	if (rc == CF_OK && !data)
		rc = err->code;
	if (data)
		cJSON_AddItemToObject(body, "data", data);
	if (extra)
		cJSON_AddItemToObject(body, "org_config", extra);
	/* a PATCH carries the whole secret: the same twice is that once; a
	 * POST is looked up by name before it is sent again (create.c) */
	if (rc == CF_OK)
		rc = cf_sem_secret_send(&out, c, create ? "POST" : "PATCH", create ? 0 : CF_HTTP_IDEMPOTENT, path,
					body, err);
	const char *id = create ? cJSON_GetStringValue(cf_json_path(out, "metadata.id")) : ch->id;
	if (rc == CF_OK && (!id || !*id))
		rc = cf_error_set(err, CF_EAPI, "POST %s: the answer has no metadata.id", path);
	if (rc == CF_OK && create)
		cf_apply_created(ctx, ch->address, id);
	char *again = rc == CF_OK && after ? item_path(collection, id) : NULL;
	if (again) /* read back: what the server kept */
		rc = cf_http_request(after, c, "GET", CF_HTTP_IDEMPOTENT, NULL, again, err);
	free(again);
	cJSON_Delete(out);
	cJSON_Delete(body);
	free(path);
	return rc;
}

int cf_sem_secret_apply(cf_apply_ctx *ctx, const cf_change *ch, const char *collection, cJSON *meta,
			cJSON *extra, cJSON **after, cf_error *err)
{
	if (after)
		*after = NULL;
	if (ch->action == CF_CREATE || ch->action == CF_UPDATE)
		return write_secret(ctx, ch, collection, meta, extra, after, err);
	cJSON_Delete(meta);
	cJSON_Delete(extra);
	if (ch->action != CF_DELETE)
		return CF_OK;
	char *path = item_path(collection, ch->id);
	int rc = cf_http_delete(cf_sem_of(ctx->conn), path, err);
	free(path);
	return rc;
}

/*
 * diff: the generic half of the comparison; the kinds' tables say the rest.
 */
#include "reconciler/diff.h"
#include "reconciler/codec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const cJSON *cf_json_path(const cJSON *doc, const char *path)
{
	char *copy = cf_xstrdup(path);
	const cJSON *n = doc;
	for (char *save = NULL, *k = strtok_r(copy, ".", &save); k && n; k = strtok_r(NULL, ".", &save))
		n = cJSON_GetObjectItemCaseSensitive(n, k);
	free(copy);
	return n;
}

/* The live MD5 an entry written {KEY, live: true} keeps, or "" when there is
 * none (then the plan reports it: plan.c check_placeholders). */
static const char *live_md5(const cf_diff_field *f, const char *k, const cf_diff_ctx *ctx)
{
	const char *have = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(ctx->live_norm, f->name), k));
	return have ? have : "";
}

/* [{key, value}] -> {key: md5}; desired values are hashed, live ones are
 * MD5s already (include_secrets=true), a "<md5> [md5]" placeholder stands
 * for its hash, and {key, live: true} for whatever live holds. With values
 * hidden, every value is "" on both sides: only the keys compare. */
static cJSON *secret_set(const cJSON *list, const cf_diff_field *f, bool desired, const cf_diff_ctx *ctx)
{
	cJSON *out = cJSON_CreateObject();
	const cJSON *e;
	cJSON_ArrayForEach(e, list) {
		const char *k = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, f->key));
		const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, f->value));
		bool keep = desired && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "live"));
		if (!k || (!v && !keep && !ctx->values_hidden))
			continue; /* hidden values may come as "", null or not at all */
		char md5[33];
		if (ctx->values_hidden || keep) {
			snprintf(md5, sizeof(md5), "%s", ctx->values_hidden ? "" : live_md5(f, k, ctx));
		} else if (!desired || cf_is_md5_placeholder(v)) {
			snprintf(md5, sizeof(md5), "%.32s", v);
			for (char *p = md5; *p; p++)
				if (*p >= 'A' && *p <= 'F')
					*p = (char)(*p - 'A' + 'a');
		} else {
			cf_md5_hex(v, strlen(v), md5);
		}
		cJSON_DeleteItemFromObjectCaseSensitive(out, k);
		cJSON_AddStringToObject(out, k, md5);
	}
	return out;
}

cJSON *cf_diff_normalize(const cf_diff_field *fields, const cJSON *doc, bool desired, cf_diff_ctx *ctx)
{
	cJSON *out = cJSON_CreateObject();
	for (const cf_diff_field *f = fields; f->name; f++) {
		const cJSON *v = doc ? cf_json_path(doc, desired ? f->desired : f->live) : NULL;
		const cJSON *kept = desired && !v && f->omitted_keeps_live && ctx->live_norm
					    ? cJSON_GetObjectItemCaseSensitive(ctx->live_norm, f->name) : NULL;
		if (kept) {
			cJSON_AddItemToObject(out, f->name, cJSON_Duplicate(kept, 1));
			continue;
		}
		cJSON *fallback = NULL;
		if (!v || cJSON_IsNull(v))
			v = fallback = cJSON_Parse(f->fallback);
		cJSON *n;
		if (f->type == CF_D_SECRETS)
			n = secret_set(v, f, desired, ctx);
		else if (f->normalize)
			n = f->normalize(v, desired, ctx);
		else
			n = cJSON_Duplicate(v, 1);
		cJSON_Delete(fallback);
		if (!n) {
			cJSON_Delete(out);
			return NULL;
		}
		cJSON_AddItemToObject(out, f->name, n);
	}
	return out;
}

static cf_field_change *add(cf_field_changes *out, char *path, const cJSON *before, const cJSON *after,
			    const char *change)
{
	out->items = cf_xrealloc(out->items, (out->count + 1) * sizeof(*out->items));
	cf_field_change *c = &out->items[out->count++];
	memset(c, 0, sizeof(*c));
	c->path = path;
	c->sensitive = change != NULL;
	c->change = change;
	c->before = change || !before ? NULL : cJSON_Duplicate(before, 1);
	c->after = change || !after ? NULL : cJSON_Duplicate(after, 1);
	return c;
}

static void add_secret(cf_field_changes *out, const cf_diff_field *f, const char *name, const char *change)
{
	add(out, cf_xasprintf("%s.%s", f->name, name), NULL, NULL, change)->comparison = f->comparison;
}

static void compare_secrets(cf_field_changes *out, const cf_diff_field *f, const cJSON *before,
			    const cJSON *after)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, after) {
		const cJSON *old = before ? cJSON_GetObjectItemCaseSensitive(before, e->string) : NULL;
		if (!old)
			add_secret(out, f, e->string, "added");
		else if (strcmp(old->valuestring, e->valuestring) != 0)
			add_secret(out, f, e->string, "changed");
	}
	cJSON_ArrayForEach(e, before)
		if (!after || !cJSON_GetObjectItemCaseSensitive(after, e->string))
			add_secret(out, f, e->string, "removed");
}

void cf_diff_compare(cf_field_changes *out, const cf_diff_field *fields, const cJSON *before,
		     const cJSON *after)
{
	memset(out, 0, sizeof(*out));
	for (const cf_diff_field *f = fields; f->name; f++) {
		const cJSON *b = before ? cJSON_GetObjectItemCaseSensitive(before, f->name) : NULL;
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(after, f->name);
		if (f->note_only)
			continue;
		if (f->type == CF_D_SECRETS)
			compare_secrets(out, f, b, a);
		else if (!b || !cJSON_Compare(b, a, 1))
			add(out, cf_xstrdup(f->name), b, a, NULL)->list_items = f->list_items;
	}
}

void cf_field_changes_free(cf_field_changes *c)
{
	for (size_t i = 0; i < c->count; i++) {
		free(c->items[i].path);
		free(c->items[i].plain);
		cJSON_Delete(c->items[i].before);
		cJSON_Delete(c->items[i].after);
	}
	free(c->items);
	memset(c, 0, sizeof(*c));
}

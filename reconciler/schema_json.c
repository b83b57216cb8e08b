/*
 * schema_json: a JSON Schema walked out of the loader's cf_field tables, plus
 * each kind's schema_rules: fragments for the rules its check() enforces in code.
 *
 * How the loader reads YAML decides the mapping: a key whose value is null is
 * as good as absent, unless it is required; a string key takes any scalar
 * (YAML's 123 and true are read as the text written) unless it has allowed
 * values or a pattern; every mapping refuses unknown keys.
 */
#include "reconciler/schema_json.h"
#include "reconciler/schema_rules.h"
#include "reconciler/kind.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const any_scalar[] = {"string", "number", "boolean", NULL};
static const char *const json_type[] = {
	[CF_T_STR] = "string", [CF_T_INT] = "integer", [CF_T_BOOL] = "boolean",
	[CF_T_MAP] = "object", [CF_T_LIST] = "array",
};

/* The kind being walked, and the first fragment that failed to parse. */
typedef struct gen {
	const cf_kind *kind;
	const char *bad;
} gen;

static cJSON *parsed(gen *g, const char *json)
{
	cJSON *v = cJSON_Parse(json);
	if (!v && !g->bad)
		g->bad = json;
	return v;
}

static cJSON *type_of(const char *const *names, bool nullable)
{
	if (!names[1] && !nullable)
		return cJSON_CreateString(names[0]);
	cJSON *a = cJSON_CreateArray();
	for (; *names; names++)
		cJSON_AddItemToArray(a, cJSON_CreateString(*names));
	if (nullable)
		cJSON_AddItemToArray(a, cJSON_CreateString("null"));
	return a;
}

static cJSON *typed(cf_ftype t, bool nullable)
{
	cJSON *s = cJSON_CreateObject();
	cJSON_AddItemToObject(s, "type", type_of((const char *const[]){json_type[t], NULL}, nullable));
	return s;
}

static void apply_extras(gen *g, cJSON *node, const char *path)
{
	for (const cf_schema_rule *x = g->kind->schema_rules; x && x->path; x++) {
		if (strcmp(x->path, path) != 0)
			continue;
		if (x->description) {
			cJSON_DeleteItemFromObjectCaseSensitive(node, "description");
			cJSON_AddStringToObject(node, "description", x->description);
		}
		cJSON *rule = x->rule ? parsed(g, x->rule) : NULL;
		for (cJSON *k = rule ? rule->child : NULL, *next; k; k = next) {
			next = k->next;
			cJSON *item = cJSON_DetachItemViaPointer(rule, k);
			if (!cJSON_HasObjectItem(node, item->string)) {
				cJSON_AddItemToObject(node, item->string, item);
				continue;
			}
			cJSON *all = cJSON_GetObjectItemCaseSensitive(node, "allOf");
			if (!all)
				all = cJSON_AddArrayToObject(node, "allOf");
			cJSON *one = cJSON_CreateObject();
			cJSON_AddItemToObject(one, item->string, item);
			cJSON_AddItemToArray(all, one);
		}
		cJSON_Delete(rule);
	}
}

static cJSON *object_schema(gen *g, const cf_field *fields, const char *path, bool nullable);

/* manifest.c: ensure: absent is refused for a kind that cannot be deleted. */
static bool refused_word(const cf_kind *kind, const char *path, const char *word)
{
	return kind->absent_refusal && !strcmp(path, "metadata.ensure") && !strcmp(word, "absent");
}

static cJSON *string_schema(const gen *g, const cf_field *f, const char *path, bool nullable)
{
	cJSON *s = cJSON_CreateObject();
	if (f->one_of) {
		cJSON *words = cJSON_AddArrayToObject(s, "enum");
		for (const char *const *w = f->one_of; *w; w++)
			if (!refused_word(g->kind, path, *w))
				cJSON_AddItemToArray(words, cJSON_CreateString(*w));
		if (nullable)
			cJSON_AddItemToArray(words, cJSON_CreateNull());
		if (refused_word(g->kind, path, "absent"))
			cJSON_AddStringToObject(s, "description", g->kind->absent_refusal);
	} else if (f->match) {
		cJSON_AddItemToObject(s, "type", type_of((const char *const[]){"string", NULL}, nullable));
		char *anchored = cf_xasprintf("^(?:%s)$", f->match);
		cJSON_AddStringToObject(s, "pattern", anchored);
		free(anchored);
		if (f->match_words)
			cJSON_AddStringToObject(s, "description", f->match_words);
	} else {
		cJSON_AddItemToObject(s, "type", type_of(any_scalar, nullable));
	}
	return s;
}

static cJSON *field_schema(gen *g, const cf_field *f, const char *path)
{
	bool nullable = !(f->flags & CF_F_REQUIRED);
	cJSON *s;
	char *items;
	switch (f->type) {
	case CF_T_STR: s = string_schema(g, f, path, nullable); break;
	case CF_T_INT:
	case CF_T_BOOL: s = typed(f->type, nullable); break;
	case CF_T_MAP: s = object_schema(g, f->fields, path, nullable); break;
	case CF_T_LIST:
		s = typed(f->type, nullable);
		items = cf_xasprintf("%s[]", path);
		cJSON_AddItemToObject(s, "items", object_schema(g, f->fields, items, false));
		free(items);
		break;
	default:
		s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "description", f->note ? f->note : "Output-only (the API returns it): "
					"accepted and ignored.");
		break;
	}
	apply_extras(g, s, path);
	return s;
}

static void add_unique(cJSON *arr, const char *v)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, arr)
		if (!strcmp(e->valuestring, v))
			return;
	cJSON_AddItemToArray(arr, cJSON_CreateString(v));
}

static cJSON *object_schema(gen *g, const cf_field *fields, const char *path, bool nullable)
{
	cJSON *s = typed(CF_T_MAP, nullable);
	cJSON *props = cJSON_AddObjectToObject(s, "properties");
	cJSON *prefixed = cJSON_CreateObject(), *required = cJSON_CreateArray();
	for (const cf_field *f = fields; f->key; f++) {
		char *child = *path ? cf_xasprintf("%s.%s", path, f->key) : cf_xstrdup(f->key);
		if (f->flags & CF_F_PREFIX) {
			char *re = cf_xasprintf("^%s", f->key);
			cJSON_AddItemToObject(prefixed, re, field_schema(g, f, child));
			free(re);
		} else {
			cJSON_AddItemToObject(props, f->key, field_schema(g, f, child));
		}
		if (f->flags & CF_F_REQUIRED)
			cJSON_AddItemToArray(required, cJSON_CreateString(f->key));
		free(child);
	}
	if (prefixed->child)
		cJSON_AddItemToObject(s, "patternProperties", prefixed);
	else
		cJSON_Delete(prefixed);
	if (required->child)
		cJSON_AddItemToObject(s, "required", required);
	else
		cJSON_Delete(required);
	cJSON_AddFalseToObject(s, "additionalProperties");
	/* manifest.c project_of: exactly one of project, project_id and (where
	 * the kind's table has it) project_id_or_name */
	if (g->kind->has_project && !strcmp(path, "metadata"))
		cJSON_AddItemToObject(s, "oneOf", parsed(g, "[" CF_GIVEN("project") ", " CF_GIVEN("project_id") ", "
						       CF_GIVEN("project_id_or_name") "]"));
	apply_extras(g, s, path);
	return s;
}

static cJSON *schema_tree(gen *g)
{
	cJSON *s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "$schema", "http://json-schema.org/draft-07/schema#");
	cJSON_AddStringToObject(s, "title", "ciform manifest");
	cJSON_AddStringToObject(s, "description",
				"One YAML document of a ciform spec. Generated by 'ciform schema' from the tables "
				"'ciform validate' checks with. A document with neither apiVersion nor kind is not a "
				"manifest: map this schema to spec files only.");
	cJSON_AddStringToObject(s, "type", "object");
	cJSON_AddItemToObject(s, "required", cJSON_Parse("[\"apiVersion\", \"kind\"]"));
	cJSON *props = cJSON_AddObjectToObject(s, "properties");
	cJSON *apis = cJSON_AddArrayToObject(cJSON_AddObjectToObject(props, "apiVersion"), "enum");
	cJSON *kinds = cJSON_AddArrayToObject(cJSON_AddObjectToObject(props, "kind"), "enum");
	cJSON *all = cJSON_AddArrayToObject(s, "allOf");
	const cf_kind *kind;
	for (size_t k = 0; (kind = cf_kind_nth(k)); k++) {
		add_unique(apis, kind->api_version);
		add_unique(kinds, kind->name);
		cJSON *when = cJSON_CreateObject();
		char *cond = cf_xasprintf("{" CF_TYPE_IS("kind", "{\"const\": \"%s\"}") "}", kind->name);
		cJSON_AddItemToObject(when, "if", cJSON_Parse(cond));
		free(cond);
		g->kind = kind;
		cJSON *then = object_schema(g, kind->fields, "", false);
		cJSON *api = cJSON_CreateObject();
		cJSON_AddStringToObject(api, "const", kind->api_version);
		cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(then, "properties"), "apiVersion",
						      api);
		cJSON_AddItemToObject(when, "then", then);
		cJSON_AddItemToArray(all, when);
	}
	return s;
}

/* ---- printing: two-space indent, and a node on one line when it fits ---- */

#define LINE_WIDTH 100

typedef struct buf {
	char *s;
	size_t len;
} buf;

static void put(buf *b, const char *s)
{
	size_t n = strlen(s);
	b->s = cf_xrealloc(b->s, b->len + n + 1);
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

static void put_key(buf *b, const char *key)
{
	cJSON *k = cJSON_CreateString(key);
	char *text = cJSON_PrintUnformatted(k);
	put(b, text);
	put(b, ": ");
	free(text);
	cJSON_Delete(k);
}

static void put_inline(buf *b, const cJSON *v)
{
	if (!cJSON_IsObject(v) && !cJSON_IsArray(v)) {
		char *text = cJSON_PrintUnformatted(v);
		put(b, text);
		free(text);
		return;
	}
	put(b, cJSON_IsObject(v) ? "{" : "[");
	for (const cJSON *c = v->child; c; c = c->next) {
		if (cJSON_IsObject(v))
			put_key(b, c->string);
		put_inline(b, c);
		if (c->next)
			put(b, ", ");
	}
	put(b, cJSON_IsObject(v) ? "}" : "]");
}

static void put_pretty(buf *b, const cJSON *v, int indent, size_t column)
{
	buf one = {0};
	put_inline(&one, v);
	bool fits = column + one.len <= LINE_WIDTH || !v->child;
	if (fits || (!cJSON_IsObject(v) && !cJSON_IsArray(v))) {
		put(b, one.s);
		free(one.s);
		return;
	}
	free(one.s);
	char pad[128];
	put(b, cJSON_IsObject(v) ? "{\n" : "[\n");
	for (const cJSON *c = v->child; c; c = c->next) {
		snprintf(pad, sizeof(pad), "%*s", 2 * (indent + 1), "");
		put(b, pad);
		size_t at = b->len;
		if (cJSON_IsObject(v))
			put_key(b, c->string);
		put_pretty(b, c, indent + 1, (size_t)(2 * (indent + 1)) + (b->len - at));
		put(b, c->next ? ",\n" : "\n");
	}
	snprintf(pad, sizeof(pad), "%*s", 2 * indent, "");
	put(b, pad);
	put(b, cJSON_IsObject(v) ? "}" : "]");
}

int cf_schema_json(char **out, cf_error *err)
{
	*out = NULL;
	gen g = {0};
	cJSON *tree = schema_tree(&g);
	if (g.bad) {
		cJSON_Delete(tree);
		return cf_error_set(err, CF_EINVALID, "schema_json.c: a schema fragment is not JSON: %s", g.bad);
	}
	buf b = {0};
	put_pretty(&b, tree, 0, 0);
	put(&b, "\n");
	cJSON_Delete(tree);
	*out = b.s;
	return CF_OK;
}

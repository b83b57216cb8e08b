/*
 * schema: one walker for every kind's cf_field table.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "reconciler/schema.h"
#include "reconciler/locs.h"
#include "reconciler/suggest.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

static const char *type_words(cf_ftype t)
{
	switch (t) {
	case CF_T_STR: return "a string";
	case CF_T_INT: return "an integer";
	case CF_T_BOOL: return "true or false";
	case CF_T_MAP: return "a mapping";
	case CF_T_LIST: return "a list";
	default: return "a value";
	}
}

char *cf_schema_list_words(const char *const *words)
{
	size_t n = 0, len = 1;
	for (; words[n]; n++)
		len += strlen(words[n]) + 4;
	char *s = cf_xcalloc(len, 1);
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(s, i + 1 == n ? " or " : ", ");
		strcat(s, words[i]);
	}
	return s;
}

bool cf_schema_matches(const char *pattern, const char *value)
{
	int errcode;
	PCRE2_SIZE erroff;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
				       PCRE2_ANCHORED | PCRE2_ENDANCHORED, &errcode, &erroff, NULL);
	if (!re)
		return false;
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	int rc = pcre2_match(re, (PCRE2_SPTR)value, strlen(value), 0, 0, md, NULL);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	return rc >= 0;
}

static const cf_field *find_field(const cf_field *fields, const char *key)
{
	for (const cf_field *f = fields; f->key; f++) {
		if (f->flags & CF_F_PREFIX ? strncmp(key, f->key, strlen(f->key)) == 0
					   : strcmp(key, f->key) == 0)
			return f;
	}
	return NULL;
}

/* The table key closest to a mistyped one (output-only keys are no fix). */
static const char *closest_key(const cf_field *fields, const char *key)
{
	size_t n = 0;
	for (const cf_field *f = fields; f->key; f++)
		n++;
	const char **keys = cf_xcalloc(n + 1, sizeof(char *));
	n = 0;
	for (const cf_field *f = fields; f->key; f++)
		if (f->type != CF_T_IGNORE && !(f->flags & CF_F_PREFIX))
			keys[n++] = f->key;
	const char *best = cf_suggest(key, keys);
	free(keys);
	return best;
}

static char *child_path(const char *path, const char *key)
{
	return *path ? cf_xasprintf("%s.%s", path, key) : cf_xstrdup(key);
}

static bool plain_integer(const yaml_node_t *n, long long *out)
{
	const char *s = cf_yscalar(n);
	if (!s || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || !*s)
		return false;
	char *end;
	*out = strtoll(s, &end, 10);
	return *end == '\0' && strlen(s) < 19;
}

static cJSON *convert_scalar(cf_yctx *ctx, yaml_node_t *v, const cf_field *f, const char *path)
{
	const char *s = cf_yscalar(v);
	long long num;
	switch (f->type) {
	case CF_T_INT:
		if (plain_integer(v, &num))
			return cJSON_CreateNumber((double)num);
		break;
	case CF_T_BOOL:
		if (s && v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		    (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE")))
			return cJSON_CreateTrue();
		if (s && v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		    (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE")))
			return cJSON_CreateFalse();
		break;
	default:
		if (!s)
			break;
		if (f->one_of) {
			bool ok = false;
			for (const char *const *w = f->one_of; *w && !ok; w++)
				ok = strcmp(*w, s) == 0;
			if (!ok) {
				char *words = cf_schema_list_words(f->one_of);
				cf_yerr(ctx, v, "%s: must be %s, not '%s'", path, words, s);
				free(words);
				return NULL;
			}
		}
		if (f->match && !cf_schema_matches(f->match, s)) {
			if (f->match_words)
				cf_yerr(ctx, v, "%s: must be %s, not '%s'", path, f->match_words, s);
			else
				cf_yerr(ctx, v, "%s: must match %s, not '%s'", path, f->match, s);
			return NULL;
		}
		return cJSON_CreateString(s);
	}
	cf_yerr(ctx, v, "%s: must be %s", path, type_words(f->type));
	return NULL;
}

/* Paths are unique (list indices are in them, duplicate keys are refused
 * before), so no lookup: appending is constant time (locs.h). */
static void remember(cf_yctx *ctx, const yaml_node_t *n, const char *path)
{
	if (!ctx->locs)
		return;
	cf_locs_add(ctx->locs, path, (int)n->start_mark.line + 1, (int)n->start_mark.column + 1);
}

static cJSON *convert_value(cf_yctx *ctx, yaml_node_t *v, const cf_field *f, const char *path)
{
	remember(ctx, v, path);
	if (f->type == CF_T_MAP) {
		if (v->type == YAML_MAPPING_NODE)
			return cf_schema_convert(ctx, v, f->fields, path);
	} else if (f->type == CF_T_LIST) {
		if (v->type == YAML_SEQUENCE_NODE) {
			cJSON *arr = cJSON_CreateArray();
			int i = 0;
			for (yaml_node_item_t *it = v->data.sequence.items.start;
			     it < v->data.sequence.items.top; it++, i++) {
				yaml_node_t *item = yaml_document_get_node(ctx->doc, *it);
				char *ip = cf_xasprintf("%s[%d]", path, i);
				remember(ctx, item, ip);
				if (item->type == YAML_MAPPING_NODE) {
					cJSON_AddItemToArray(arr, cf_schema_convert(ctx, item, f->fields, ip));
				} else {
					cf_yerr(ctx, item, "%s: must be a mapping", ip);
					cJSON_AddItemToArray(arr, cJSON_CreateObject());
				}
				free(ip);
			}
			return arr;
		}
	} else if (v->type == YAML_SCALAR_NODE) {
		return convert_scalar(ctx, v, f, path);
	}
	cf_yerr(ctx, v, "%s: must be %s", path, type_words(f->type));
	return NULL;
}

cJSON *cf_schema_convert(cf_yctx *ctx, yaml_node_t *node, const cf_field *fields,
			 const char *path)
{
	cJSON *obj = cJSON_CreateObject();
	if (!cf_yvisit(ctx, node))
		return obj;
	for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(ctx->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(ctx->doc, p->value);
		const char *key = cf_yscalar(k);
		if (!key) {
			cf_yerr(ctx, k, "%s: keys must be plain strings", *path ? path : "document");
			continue;
		}
		for (yaml_node_pair_t *q = node->data.mapping.pairs.start; q < p; q++) {
			const char *prev = cf_yscalar(yaml_document_get_node(ctx->doc, q->key));
			if (prev && strcmp(prev, key) == 0) {
				cf_yerr(ctx, k, "duplicate key '%s'%s%s", key, *path ? " in " : "", path);
				key = NULL;
				break;
			}
		}
		if (!key)
			continue;
		const cf_field *f = find_field(fields, key);
		if (!f) {
			const char *best = closest_key(fields, key);
			cf_yerr(ctx, k, "unknown key '%s'%s%s%s%s%s", key, *path ? " in " : " at the top level", path,
				best ? " (did you mean '" : "", best ? best : "", best ? "'?)" : "");
			continue;
		}
		if (f->type == CF_T_IGNORE || cf_yis_null(v))
			continue;
		char *cp = child_path(path, key);
		cJSON *val = convert_value(ctx, v, f, cp);
		free(cp);
		if (val)
			cJSON_AddItemToObject(obj, key, val);
	}
	for (const cf_field *f = fields; f->key; f++) {
		if ((f->flags & CF_F_REQUIRED) && !cJSON_HasObjectItem(obj, f->key)) {
			yaml_node_t *present = cf_ymap_get(ctx, node, f->key);
			if (!present || cf_yis_null(present))
				cf_yerr(ctx, node, "%s%smissing required key '%s'", path, *path ? ": " : "", f->key);
		}
	}
	return obj;
}

/*
 * yaml: a pipeline's steps YAML (spec.configuration) as a tree, so validate
 * can check its shape and plan can compare it by meaning: the server may
 * reformat the text (docs pipelines.md echoes `steps` quoted), so two texts
 * that parse alike are the same configuration. Scalars stay strings: both
 * sides are parsed the same way. Depth and node visits are bounded, so an
 * alias bomb in a manifest is an error, not a hang. Also: a manifest's list
 * of strings (tags, renamed_from), which the schema walker cannot read.
 */
#include "reconciler/providers/buildkite/bk.h"
#include "reconciler/manifest.h"

#include <stdio.h>

#include <string.h>
#include <yaml.h>

#define MAX_DEPTH 64
#define MAX_VISITS 200000

typedef struct walk {
	yaml_document_t *d;
	size_t visits;
	const char *why;
} walk;

static cJSON *node(walk *w, yaml_node_t *n, int depth)
{
	if (!n || depth > MAX_DEPTH || ++w->visits > MAX_VISITS) {
		w->why = "too deeply nested, or too many aliases";
		return NULL;
	}
	if (n->type == YAML_SCALAR_NODE)
		return cJSON_CreateString((const char *)n->data.scalar.value);
	cJSON *out = n->type == YAML_SEQUENCE_NODE ? cJSON_CreateArray() : cJSON_CreateObject();
	if (n->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
			cJSON *v = node(w, yaml_document_get_node(w->d, *i), depth + 1);
			if (!v)
				return cJSON_Delete(out), NULL;
			cJSON_AddItemToArray(out, v);
		}
		return out;
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(w->d, p->key);
		if (!k || k->type != YAML_SCALAR_NODE) {
			w->why = "a mapping key is not a plain value";
			return cJSON_Delete(out), NULL;
		}
		cJSON *v = node(w, yaml_document_get_node(w->d, p->value), depth + 1);
		if (!v)
			return cJSON_Delete(out), NULL;
		cJSON_DeleteItemFromObjectCaseSensitive(out, (const char *)k->data.scalar.value);
		cJSON_AddItemToObject(out, (const char *)k->data.scalar.value, v);
	}
	return out;
}

cJSON *cf_bk_yaml_tree(const char *text, const char **why, size_t *line)
{
	*why = NULL;
	*line = 0;
	yaml_parser_t p;
	yaml_document_t d;
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
	cJSON *out = NULL;
	if (!yaml_parser_load(&p, &d)) {
		*why = p.problem ? p.problem : "not YAML";
		*line = p.problem_mark.line + 1;
	} else {
		yaml_node_t *root = yaml_document_get_root_node(&d);
		walk w = {.d = &d};
		if (!root)
			*why = "empty";
		else if (!(out = node(&w, root, 0)))
			*why = w.why;
		yaml_document_delete(&d);
	}
	yaml_parser_delete(&p);
	return out;
}

cJSON *cf_bk_string_list(cf_kctx *kc, const char *path, cJSON *obj, const char *key)
{
	yaml_node_t *n = cf_ypath(kc->y, kc->root, path);
	if (!n || cf_yis_null(n))
		return NULL;
	if (n->type != YAML_SEQUENCE_NODE) {
		cf_kerr(kc, path, "%s: must be a list of strings", path);
		return NULL;
	}
	cJSON *list = cJSON_AddArrayToObject(obj, key);
	int i = 0;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++, i++) {
		const char *v = cf_yscalar(yaml_document_get_node(kc->y->doc, *it));
		char at[160];
		snprintf(at, sizeof(at), "%s[%d]", path, i);
		if (!v)
			cf_kerr(kc, at, "%s: must be a string", at);
		else
			cJSON_AddItemToArray(list, cJSON_CreateString(v));
	}
	return list;
}

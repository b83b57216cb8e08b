/*
 * yamltree: document iteration, positions and lookups over libyaml.
 */
#include "reconciler/yamltree.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Far beyond any real manifest, small enough to stop a billion laughs. */
#define NODE_BUDGET 200000

static void line_col_at(const char *buf, size_t len, size_t offset, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < offset && i < len; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static void report_parse_error(const yaml_parser_t *p, const char *file,
			       const char *buf, size_t len, cf_diags *diags)
{
	int line, col;
	if (p->error == YAML_READER_ERROR) {
		line_col_at(buf, len, p->problem_offset, &line, &col);
		cf_diags_add(diags, file, line, col, "invalid YAML: %s (the file must be UTF-8 text)",
			     p->problem ? p->problem : "unreadable input");
		return;
	}
	line = (int)p->problem_mark.line + 1;
	col = (int)p->problem_mark.column + 1;
	if (p->problem_mark.index < len && buf[p->problem_mark.index] == '\t')
		cf_diags_add(diags, file, line, col, "invalid YAML: a tab character; YAML is indented with spaces only");
	else if (p->context)
		cf_diags_add(diags, file, line, col, "invalid YAML: %s %s that starts at line %d, column %d",
			     p->problem, p->context, (int)p->context_mark.line + 1,
			     (int)p->context_mark.column + 1);
	else
		cf_diags_add(diags, file, line, col, "invalid YAML: %s",
			     p->problem ? p->problem : "syntax error");
}

int cf_yaml_each_document(const char *file, const char *buf, size_t len,
			  cf_diags *diags, cf_ydoc_fn fn, void *ud)
{
	yaml_parser_t parser;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	int index = 0;
	for (;;) {
		yaml_document_t doc;
		if (!yaml_parser_load(&parser, &doc)) {
			report_parse_error(&parser, file, buf, len, diags);
			break;
		}
		yaml_node_t *root = yaml_document_get_root_node(&doc);
		if (!root) {
			yaml_document_delete(&doc);
			break; /* end of stream */
		}
		cf_yctx ctx = {.doc = &doc, .file = file, .diags = diags, .budget = NODE_BUDGET};
		fn(ud, &ctx, root, index++);
		yaml_document_delete(&doc);
	}
	bool failed = parser.error != YAML_NO_ERROR;
	yaml_parser_delete(&parser);
	if (index == 0 && !failed)
		cf_diags_add(diags, file, 1, 1, "the file holds no YAML document (it is empty)");
	return index;
}

void cf_yerr(cf_yctx *ctx, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *msg = cf_xmalloc((size_t)(k < 0 ? 0 : k) + 1);
	va_start(ap, fmt);
	vsnprintf(msg, (size_t)(k < 0 ? 0 : k) + 1, fmt, ap);
	va_end(ap);
	int line = n ? (int)n->start_mark.line + 1 : 0;
	int col = n ? (int)n->start_mark.column + 1 : 0;
	cf_diags_add(ctx->diags, ctx->file, line, col, "%s", msg);
	free(msg);
}

bool cf_yvisit(cf_yctx *ctx, const yaml_node_t *n)
{
	if (ctx->budget > 0) {
		ctx->budget--;
		return true;
	}
	if (!ctx->exhausted)
		cf_yerr(ctx, n, "document is too large or its aliases expand too far (over %d nodes)",
			NODE_BUDGET);
	ctx->exhausted = true;
	return false;
}

const char *cf_yscalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

bool cf_yis_null(const yaml_node_t *n)
{
	if (!n || n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	const char *v = (const char *)n->data.scalar.value;
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") || !strcmp(v, "NULL");
}

yaml_node_t *cf_ymap_get(cf_yctx *ctx, const yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const char *k = cf_yscalar(yaml_document_get_node(ctx->doc, p->key));
		if (k && strcmp(k, key) == 0)
			return yaml_document_get_node(ctx->doc, p->value);
	}
	return NULL;
}

yaml_node_t *cf_ypath(cf_yctx *ctx, yaml_node_t *root, const char *path)
{
	yaml_node_t *n = root;
	char *copy = cf_xstrdup(path);
	for (char *save = NULL, *seg = strtok_r(copy, ".", &save); seg && n; seg = strtok_r(NULL, ".", &save)) {
		char *br = strchr(seg, '[');
		if (br)
			*br = '\0';
		if (*seg)
			n = cf_ymap_get(ctx, n, seg);
		while (br && n) {
			long i = strtol(br + 1, &br, 10);
			if (n->type != YAML_SEQUENCE_NODE || i < 0 ||
			    i >= n->data.sequence.items.top - n->data.sequence.items.start) {
				n = NULL;
				break;
			}
			n = yaml_document_get_node(ctx->doc, n->data.sequence.items.start[i]);
			br = strchr(br, '[');
		}
	}
	free(copy);
	return n;
}

/*
 * yamltree: document iteration, positions and lookups over libyaml.
 *
 * Documents are built here from libyaml's events rather than by
 * yaml_parser_load, because the loader gives no say while it builds: a
 * document nested 100,000 levels deep costs libyaml's scanner time that grows
 * with the square of the depth, and the loader would take every tag and every
 * NUL escape without a word. From events, the depth is refused at the level
 * that crosses the bound (the scanner then never sees the rest), and each
 * scalar's tag and length are checked where they are written.
 */
#include "reconciler/yamltree.h"

#include <stdarg.h>
#include <stdint.h>
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

/* ---- anchors: hashed, so many anchors and aliases stay linear ---- */

typedef struct anchor {
	char *name; /* NULL: free slot */
	int id;
	yaml_mark_t mark;
} anchor;

typedef struct anchors {
	anchor *slots;
	size_t cap, count; /* cap: 0 or a power of two */
} anchors;

static size_t hash(const char *s)
{
	size_t h = 1469598103934665603u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static anchor *anchor_slot(anchors *a, const char *name)
{
	if (a->cap == 0)
		return NULL;
	for (size_t i = hash(name) & (a->cap - 1);; i = (i + 1) & (a->cap - 1))
		if (!a->slots[i].name || strcmp(a->slots[i].name, name) == 0)
			return &a->slots[i];
}

static void anchor_put(anchors *a, const char *name, int id, yaml_mark_t mark)
{
	if (2 * (a->count + 1) > a->cap) {
		anchors bigger = {.cap = a->cap ? 2 * a->cap : 16};
		bigger.slots = cf_xcalloc(bigger.cap, sizeof(anchor));
		for (size_t i = 0; i < a->cap; i++)
			if (a->slots[i].name)
				*anchor_slot(&bigger, a->slots[i].name) = a->slots[i];
		bigger.count = a->count;
		free(a->slots);
		*a = bigger;
	}
	anchor *s = anchor_slot(a, name);
	*s = (anchor){.name = cf_xstrdup(name), .id = id, .mark = mark};
	a->count++;
}

static void anchors_clear(anchors *a)
{
	for (size_t i = 0; i < a->cap; i++)
		free(a->slots[i].name);
	free(a->slots);
	memset(a, 0, sizeof(*a));
}

/* ---- building a document from events ---- */

typedef struct frame {
	int id;
	int key; /* a mapping's key waiting for its value, else 0 */
} frame;

typedef struct loader {
	yaml_parser_t parser;
	const char *file, *buf;
	size_t len;
	cf_diags *diags;
	yaml_document_t *doc;
	anchors anchors;
	frame stack[CF_YAML_MAX_DEPTH];
	int depth;
} loader;

static void lerr(loader *l, yaml_mark_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void lerr(loader *l, yaml_mark_t at, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cf_diags_add(l->diags, l->file, (int)at.line + 1, (int)at.column + 1, "%s", msg);
}

/* The tags a plain document implies, one per kind of node; "!" (the
 * non-specific tag) means the same. */
static const char *const implied_tag[] = {
	[YAML_SCALAR_NODE] = YAML_STR_TAG,
	[YAML_SEQUENCE_NODE] = YAML_SEQ_TAG,
	[YAML_MAPPING_NODE] = YAML_MAP_TAG,
};

/* False (and a diagnostic) for any other tag: ciform would otherwise take
 * `!vault x` or `!!binary ...` as the plain text after the tag. */
static bool tag_ok(loader *l, yaml_node_type_t type, const yaml_char_t *tag, yaml_mark_t at)
{
	const char *t = (const char *)tag;
	if (!t || !strcmp(t, "!") || !strcmp(t, implied_tag[type]))
		return true;
	static const char core[] = "tag:yaml.org,2002:";
	if (!strncmp(t, core, sizeof(core) - 1))
		lerr(l, at, "unsupported YAML tag !!%s", t + sizeof(core) - 1);
	else
		lerr(l, at, "unsupported YAML tag %s", t);
	return false;
}

/* Puts node id in its place: the root, a sequence's next item, a mapping's
 * key or the value of the key before it. */
static bool attach(loader *l, int id)
{
	if (l->depth == 0)
		return true; /* the first node added is the root */
	frame *f = &l->stack[l->depth - 1];
	yaml_node_t *parent = yaml_document_get_node(l->doc, f->id);
	if (parent->type == YAML_SEQUENCE_NODE)
		return yaml_document_append_sequence_item(l->doc, f->id, id);
	if (!f->key) {
		f->key = id;
		return true;
	}
	int key = f->key;
	f->key = 0;
	return yaml_document_append_mapping_pair(l->doc, f->id, key, id);
}

static bool add_anchor(loader *l, const yaml_char_t *name, int id, yaml_mark_t at)
{
	if (!name)
		return true;
	const anchor *prev = anchor_slot(&l->anchors, (const char *)name);
	if (prev && prev->name) {
		lerr(l, at, "invalid YAML: duplicate anchor &%s (first at line %d, column %d)", (const char *)name,
		     (int)prev->mark.line + 1, (int)prev->mark.column + 1);
		return false;
	}
	anchor_put(&l->anchors, (const char *)name, id, at);
	return true;
}

/* One node event; false stops the file (the rest would be read in vain or
 * cannot be built). A wrong tag or a NUL is reported and the node kept, so
 * the document's other problems are still found. */
static bool on_node(loader *l, const yaml_event_t *ev)
{
	int id = 0;
	yaml_mark_t at = ev->start_mark;
	switch (ev->type) {
	case YAML_ALIAS_EVENT: {
		const anchor *a = anchor_slot(&l->anchors, (const char *)ev->data.alias.anchor);
		if (!a || !a->name) {
			lerr(l, at, "invalid YAML: alias *%s names no anchor before it", (const char *)ev->data.alias.anchor);
			return false;
		}
		return attach(l, a->id);
	}
	case YAML_SCALAR_EVENT: {
		const yaml_char_t *tag = ev->data.scalar.tag;
		yaml_scalar_style_t style = ev->data.scalar.style;
		tag_ok(l, YAML_SCALAR_NODE, tag, at);
		/* an explicit !!str makes the text a string, as quotes do */
		if (tag && !strcmp((const char *)tag, YAML_STR_TAG) && style == YAML_PLAIN_SCALAR_STYLE)
			style = YAML_SINGLE_QUOTED_SCALAR_STYLE;
		if (memchr(ev->data.scalar.value, '\0', ev->data.scalar.length))
			lerr(l, at, "a NUL character (\\0) in a value is not allowed");
		if (ev->data.scalar.length > INT32_MAX)
			return false; /* cannot happen: files are far smaller */
		id = yaml_document_add_scalar(l->doc, NULL, ev->data.scalar.value, (int)ev->data.scalar.length, style);
		break;
	}
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		bool seq = ev->type == YAML_SEQUENCE_START_EVENT;
		if (l->depth == CF_YAML_MAX_DEPTH) {
			lerr(l, at, "nesting deeper than %d levels", CF_YAML_MAX_DEPTH);
			return false;
		}
		tag_ok(l, seq ? YAML_SEQUENCE_NODE : YAML_MAPPING_NODE,
		       seq ? ev->data.sequence_start.tag : ev->data.mapping_start.tag, at);
		id = seq ? yaml_document_add_sequence(l->doc, NULL, ev->data.sequence_start.style)
			 : yaml_document_add_mapping(l->doc, NULL, ev->data.mapping_start.style);
		break;
	}
	default:
		return false;
	}
	if (!id)
		return false; /* libyaml could not allocate */
	yaml_node_t *n = yaml_document_get_node(l->doc, id);
	n->start_mark = at;
	n->end_mark = ev->end_mark;
	const yaml_char_t *anchor_name = ev->type == YAML_SCALAR_EVENT ? ev->data.scalar.anchor
				       : ev->type == YAML_SEQUENCE_START_EVENT ? ev->data.sequence_start.anchor
				       : ev->data.mapping_start.anchor;
	if (!add_anchor(l, anchor_name, id, at) || !attach(l, id))
		return false;
	if (ev->type != YAML_SCALAR_EVENT)
		l->stack[l->depth++] = (frame){.id = id, .key = 0};
	return true;
}

static bool next_event(loader *l, yaml_event_t *ev)
{
	if (yaml_parser_parse(&l->parser, ev))
		return true;
	report_parse_error(&l->parser, l->file, l->buf, l->len, l->diags);
	return false;
}

/* 1: a document is in *doc; 0: the stream ended; -1: an error, reported,
 * ends the file. */
static int load_document(loader *l, yaml_document_t *doc)
{
	yaml_event_t ev;
	if (!next_event(l, &ev))
		return -1;
	if (ev.type == YAML_STREAM_START_EVENT) {
		yaml_event_delete(&ev);
		if (!next_event(l, &ev))
			return -1;
	}
	if (ev.type != YAML_DOCUMENT_START_EVENT) {
		yaml_event_delete(&ev); /* the stream's end */
		return 0;
	}
	if (!yaml_document_initialize(doc, NULL, NULL, NULL, ev.data.document_start.implicit, 1)) {
		yaml_event_delete(&ev);
		return -1;
	}
	doc->start_mark = ev.start_mark;
	yaml_event_delete(&ev);
	l->doc = doc;
	l->depth = 0;
	anchors_clear(&l->anchors); /* anchors belong to one document */
	for (;;) {
		if (!next_event(l, &ev))
			break;
		bool ok = true;
		if (ev.type == YAML_DOCUMENT_END_EVENT) {
			doc->end_mark = ev.end_mark;
			doc->end_implicit = ev.data.document_end.implicit;
			yaml_event_delete(&ev);
			return 1;
		} else if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) {
			l->depth--;
			yaml_document_get_node(doc, l->stack[l->depth].id)->end_mark = ev.end_mark;
		} else {
			ok = on_node(l, &ev);
		}
		yaml_event_delete(&ev);
		if (!ok)
			break;
	}
	yaml_document_delete(doc);
	return -1;
}

int cf_yaml_each_document(const char *file, const char *buf, size_t len,
			  cf_diags *diags, cf_ydoc_fn fn, void *ud)
{
	loader l = {.file = file, .buf = buf, .len = len, .diags = diags};
	yaml_parser_initialize(&l.parser);
	yaml_parser_set_input_string(&l.parser, (const unsigned char *)buf, len);
	int index = 0, got;
	yaml_document_t doc;
	while ((got = load_document(&l, &doc)) == 1) {
		yaml_node_t *root = yaml_document_get_root_node(&doc);
		cf_yctx ctx = {.doc = &doc, .file = file, .diags = diags, .budget = NODE_BUDGET};
		fn(ud, &ctx, root, index++);
		yaml_document_delete(&doc);
	}
	anchors_clear(&l.anchors);
	yaml_parser_delete(&l.parser);
	if (index == 0 && got == 0)
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

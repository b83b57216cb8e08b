/*
 * yamltree: libyaml's document graph, with the positions users need.
 *
 * libyaml's loader already builds nodes with their start marks; this module
 * adds what the loader needs on top: per-document iteration with parse errors
 * turned into FILE:LINE:COLUMN diagnostics, key lookup, dotted-path lookup
 * ("spec.env_vars[2].name") to point at a value, and a budget on node visits
 * so an alias bomb or an alias cycle is an error, not a hang.
 *
 * Input a manifest never needs is refused where it is written, before anything
 * reads it: nesting deeper than CF_YAML_MAX_DEPTH (the rest of the file is
 * not parsed, so reading stays linear), a tag other than those plain YAML
 * implies (`!vault`, `!!binary`), a NUL character in a scalar (it would cut
 * the value short), and a top-level list of manifests.
 */
#ifndef CF_YAMLTREE_H
#define CF_YAMLTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>
#include "reconciler/error.h"

/* Manifests nest about six levels; 64 leaves room for any other YAML beside
 * them and keeps libyaml's scanner, whose cost grows with the depth, fast. */
#define CF_YAML_MAX_DEPTH 64

struct cf_locs;

typedef struct cf_yctx {
	yaml_document_t *doc;
	const char *file;
	cf_diags *diags;
	size_t budget; /* node visits left in this document */
	bool exhausted;
	struct cf_locs *locs; /* optional: value positions by path, filled by the schema walker (locs.h) */
} cf_yctx;

typedef void (*cf_ydoc_fn)(void *ud, cf_yctx *ctx, yaml_node_t *root, int index);

/* Parses every document of buf; a file with no document at all, a syntax
 * error and the refusals above are reported as diagnostics. A syntax error,
 * too deep a nesting or a bad alias ends the file; a bad tag or a NUL does
 * not (the document is still given to fn, its other problems still found).
 * Returns the number of documents seen. */
int cf_yaml_each_document(const char *file, const char *buf, size_t len,
			  cf_diags *diags, cf_ydoc_fn fn, void *ud);

/* Reports a diagnostic at the start of node n (or line 0 when n is NULL). */
void cf_yerr(cf_yctx *ctx, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Charges one visit; false (and one diagnostic) once the budget is spent. */
bool cf_yvisit(cf_yctx *ctx, const yaml_node_t *n);

/* The scalar's text, or NULL for any other node. */
const char *cf_yscalar(const yaml_node_t *n);
/* True for an empty plain scalar, ~, null, Null or NULL. */
bool cf_yis_null(const yaml_node_t *n);
/* The value under key in mapping map, or NULL. */
yaml_node_t *cf_ymap_get(cf_yctx *ctx, const yaml_node_t *map, const char *key);
/* The node at a path such as "spec.env_vars[2].name", or NULL. */
yaml_node_t *cf_ypath(cf_yctx *ctx, yaml_node_t *root, const char *path);

#endif

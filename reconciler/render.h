/*
 * render: a plan as people and tools read it.
 *
 * Text for terminals and logs (colour only when the caller asks: the library
 * does not know what a terminal is), JSON exactly as docs/plan-json.md shows, and
 * Markdown for a pull-request comment, never over 60,000 characters. None of
 * them can show a secret: the plan holds only MD5s, and secret fields are
 * rendered as (sensitive) with what happens to them.
 */
#ifndef CF_RENDER_H
#define CF_RENDER_H

#include <stdbool.h>
#include "reconciler/plan.h"

#define CF_MARKDOWN_MAX 60000

typedef struct cf_render_opts {
	bool color;
	const char *const *paths; /* source.paths in JSON */
	size_t npaths;
	const char *git_commit;   /* NULL: null */
} cf_render_opts;

/* Each returns a NUL-terminated string the caller frees. */
char *cf_render_text(const cf_plan *plan, const cf_render_opts *o);
char *cf_render_json(const cf_plan *plan, const cf_render_opts *o);
char *cf_render_markdown(const cf_plan *plan, const cf_render_opts *o);

/* The plan's last line: "Plan: A to create, ..." or "No changes. ...". */
char *cf_render_summary_line(const cf_plan *plan);

/* The JSON plan as a cJSON object (for saved plans). */
cJSON *cf_render_json_object(const cf_plan *plan, const cf_render_opts *o);

#endif

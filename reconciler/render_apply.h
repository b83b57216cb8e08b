/*
 * render_apply: what an apply did, as data for scripts (apply --format json),
 * and a saved plan read back so that `ciform show` prints it in any format.
 *
 * The apply result, versioned like the plan (docs/commands.md):
 *   {"format_version": "1", "result": "applied|failed|interrupted|nothing",
 *    "error": "..." | null,
 *    "changes": [{"address", "action", "outcome": "applied|failed|not_applied",
 *                 "id": "..." | null, "error": "..." | null}],
 *    "summary": {"applied": N, "failed": N, "not_applied": N}}
 * Error texts are the ones apply prints: they name addresses and the API's
 * words, never a secret value.
 */
#ifndef CF_RENDER_APPLY_H
#define CF_RENDER_APPLY_H

#include "reconciler/apply.h"
#include "reconciler/render.h"

/* res NULL: nothing was attempted (a plan with no changes). error: the run's
 * failure message, or NULL. Returns a string ending in a newline; caller frees. */
char *cf_render_apply_json(const cf_plan *plan, const cf_apply_result *res, const char *error);

/* Reads a plan saved by `plan --out` and renders it: format is "text",
 * "json" (the JSON plan exactly as saved) or "markdown". */
int cf_render_saved_plan(char **out, const char *path, const char *format, bool color, cf_error *err);

#endif

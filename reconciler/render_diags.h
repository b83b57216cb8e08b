/*
 * render_diags: spec problems as users and tools read them.
 *
 * Text is one "FILE:LINE:COLUMN: message" per error and
 * "FILE:LINE:COLUMN: warning: message" per warning, the forms editors and CI
 * annotators already parse (as from a compiler); JSON is
 * [{"file","line","column","severity","message"}], severity "error" or
 * "warning".
 */
#ifndef CF_RENDER_DIAGS_H
#define CF_RENDER_DIAGS_H

#include "reconciler/error.h"

/* Both return a NUL-terminated string the caller frees. */
char *cf_render_diags_text(const cf_diags *d);
char *cf_render_diags_json(const cf_diags *d);

#endif

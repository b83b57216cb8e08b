/*
 * plan_file: a plan saved by `plan --out` for `apply --plan`.
 *
 * The file holds the JSON plan (for people and review tools), the options
 * and PATHs it was made with, and fingerprints of the specs and of the live
 * state it saw: SHA-256s over normalised state, where secrets are already
 * MD5s. No secret value is in it. Applying it means planning again with the
 * same options and refusing when either fingerprint differs, when the
 * organisation is another, or when the plan's own fingerprint (over both
 * fingerprints, the options, the organisation and every change) or its list
 * of changes no longer matches: an edited file (prune switched on, a target
 * dropped) cannot widen what the reviewer saw.
 */
#ifndef CF_PLAN_FILE_H
#define CF_PLAN_FILE_H

#include "reconciler/render.h"

typedef struct cf_saved_plan {
	char **paths;
	size_t npaths;
	bool prune;
	char **targets; /* NULL-terminated, or NULL */
	char *git_commit; /* the commit the specs were read from, or NULL */
	char *repo;       /* --repo it was read with, or NULL */
	char *org;        /* the organisation's API URL it was planned against */
	char **changes;   /* "action address" of each change shown, NULL-terminated */
	char specs_fingerprint[65];
	char live_fingerprint[65];
	char fingerprint[65]; /* over all of the above */
} cf_saved_plan;

int cf_plan_file_write(const char *path, const cf_plan *plan, const cf_render_opts *ro,
		       const cf_plan_opts *po, const char *repo, const char *org, cf_error *err);
int cf_plan_file_read(cf_saved_plan *out, const char *path, cf_error *err);
void cf_saved_plan_clear(cf_saved_plan *s);

/* CF_ESTALE with the reason when plan, made again with the saved options
 * against org, is not the plan that was saved. */
int cf_plan_file_check(const cf_saved_plan *saved, const cf_plan *plan, const char *org, cf_error *err);

#endif

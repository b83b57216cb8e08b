/*
 * plan_file: writing, reading and checking saved plans.
 */
#include "reconciler/plan_file.h"
#include "reconciler/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FORMAT "ciform-saved-plan/2"

/* The plan's own fingerprint: both state fingerprints, the options, the
 * organisation, and every change ("action address", in order). Computed from
 * the plan when saving, and from the file's own fields when reading, so any
 * edit of those fields shows. */
static void fingerprint_of(char out[65], const char *specs_fp, const char *live_fp, bool prune,
			   const char *const *targets, const char *org, char *const *changes)
{
	size_t n = 0, cap = 8;
	for (const char *const *t = targets; t && *t; t++)
		cap++;
	for (char *const *c = changes; c && *c; c++)
		cap++;
	char **parts = cf_xcalloc(cap, sizeof(char *));
	parts[n++] = cf_xstrdup(specs_fp);
	parts[n++] = cf_xstrdup(live_fp);
	parts[n++] = cf_xasprintf("prune=%d", prune);
	parts[n++] = cf_xasprintf("org=%s", org ? org : "");
	for (const char *const *t = targets; t && *t; t++)
		parts[n++] = cf_xasprintf("target=%s", *t);
	for (char *const *c = changes; c && *c; c++)
		parts[n++] = cf_xasprintf("change=%s", *c);
	cf_sha256_hex(out, (const char *const *)parts, n);
	for (size_t i = 0; i < n; i++)
		free(parts[i]);
	free(parts);
}

static char **change_lines(const cf_plan *plan)
{
	char **out = cf_xcalloc(plan->count + 1, sizeof(char *));
	for (size_t i = 0; i < plan->count; i++)
		out[i] = cf_xasprintf("%s %s", cf_action_names[plan->changes[i].action], plan->changes[i].address);
	return out;
}

static void lines_free(char **l)
{
	for (size_t i = 0; l && l[i]; i++)
		free(l[i]);
	free(l);
}

int cf_plan_file_write(const char *path, const cf_plan *plan, const cf_render_opts *ro,
		       const cf_plan_opts *po, const char *repo, const char *org, cf_error *err)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "format", FORMAT);
	cJSON_AddStringToObject(root, "specs_fingerprint", plan->specs_fingerprint);
	cJSON_AddStringToObject(root, "live_fingerprint", plan->live_fingerprint);
	char fp[65];
	char **changes = change_lines(plan);
	fingerprint_of(fp, plan->specs_fingerprint, plan->live_fingerprint, po && po->prune,
		       po ? po->targets : NULL, org, changes);
	lines_free(changes);
	cJSON_AddStringToObject(root, "fingerprint", fp);
	cJSON *opts = cJSON_AddObjectToObject(root, "options");
	cJSON_AddBoolToObject(opts, "prune", po && po->prune);
	cJSON_AddStringToObject(opts, "org", org ? org : "");
	if (repo)
		cJSON_AddStringToObject(opts, "repo", repo);
	cJSON *targets = cJSON_AddArrayToObject(opts, "targets");
	for (const char *const *t = po && po->targets ? po->targets : NULL; t && *t; t++)
		cJSON_AddItemToArray(targets, cJSON_CreateString(*t));
	cJSON_AddItemToObject(root, "plan", cf_render_json_object(plan, ro));
	char *text = cJSON_Print(root);
	cJSON_Delete(root);
	char *line = cf_xasprintf("%s\n", text);
	int rc = cf_file_write_atomic(path, line, strlen(line), CF_WRITE_PRIVATE, err);
	free(line);
	free(text);
	return rc;
}

static char **strings_of(const cJSON *arr, size_t *n)
{
	size_t count = (size_t)cJSON_GetArraySize(arr);
	char **out = cf_xcalloc(count + 1, sizeof(char *));
	size_t k = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, arr)
		if (cJSON_IsString(e))
			out[k++] = cf_xstrdup(e->valuestring);
	if (n)
		*n = k;
	return out;
}

static bool copy_fingerprint(char out[65], const cJSON *root, const char *key)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, key));
	if (!v || strlen(v) != 64)
		return false;
	memcpy(out, v, 65);
	return true;
}

int cf_plan_file_read(cf_saved_plan *out, const char *path, cf_error *err)
{
	memset(out, 0, sizeof(*out));
	FILE *f = fopen(path, "rb");
	if (!f)
		return cf_error_set(err, CF_EIO, "%s: %s", path, strerror(errno));
	char *text = NULL;
	size_t len = 0, cap = 0;
	for (int c; (c = fgetc(f)) != EOF;) {
		if (len + 2 > cap)
			text = cf_xrealloc(text, cap = cap ? cap * 2 : 65536);
		text[len++] = (char)c;
	}
	fclose(f);
	cJSON *root = text ? cJSON_ParseWithLength(text, len) : NULL;
	free(text);
	const char *format = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "format"));
	const cJSON *opts = cJSON_GetObjectItemCaseSensitive(root, "options");
	const cJSON *paths = cf_json_path(root, "plan.source.paths");
	int rc = CF_OK;
	const char *org = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(opts, "org"));
	if (!format || strcmp(format, FORMAT) || !cJSON_IsArray(paths) || !org ||
	    !copy_fingerprint(out->specs_fingerprint, root, "specs_fingerprint") ||
	    !copy_fingerprint(out->live_fingerprint, root, "live_fingerprint") ||
	    !copy_fingerprint(out->fingerprint, root, "fingerprint")) {
		rc = cf_error_set(err, CF_EUSAGE, "%s: not a plan saved by ciform plan --out", path);
	} else {
		out->paths = strings_of(paths, &out->npaths);
		out->prune = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(opts, "prune"));
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(opts, "targets");
		out->targets = cJSON_GetArraySize(t) > 0 ? strings_of(t, NULL) : NULL;
		const char *commit = cJSON_GetStringValue(cf_json_path(root, "plan.source.git_commit"));
		const char *repo = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(opts, "repo"));
		out->git_commit = commit ? cf_xstrdup(commit) : NULL;
		out->repo = repo ? cf_xstrdup(repo) : NULL;
		out->org = cf_xstrdup(org);
		const cJSON *ch, *changes = cf_json_path(root, "plan.changes");
		size_t n = 0;
		out->changes = cf_xcalloc((size_t)cJSON_GetArraySize(changes) + 1, sizeof(char *));
		cJSON_ArrayForEach(ch, changes) {
			const char *action = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ch, "action"));
			const char *address = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ch, "address"));
			out->changes[n++] = cf_xasprintf("%s %s", action ? action : "?", address ? address : "?");
		}
	}
	cJSON_Delete(root);
	return rc;
}

void cf_saved_plan_clear(cf_saved_plan *s)
{
	for (size_t i = 0; s->paths && s->paths[i]; i++)
		free(s->paths[i]);
	for (size_t i = 0; s->targets && s->targets[i]; i++)
		free(s->targets[i]);
	free(s->paths);
	free(s->targets);
	for (size_t i = 0; s->changes && s->changes[i]; i++)
		free(s->changes[i]);
	free(s->changes);
	free(s->org);
	free(s->git_commit);
	free(s->repo);
	memset(s, 0, sizeof(*s));
}

int cf_plan_file_check(const cf_saved_plan *saved, const cf_plan *plan, const char *org, cf_error *err)
{
	char fp[65];
	fingerprint_of(fp, saved->specs_fingerprint, saved->live_fingerprint, saved->prune,
		       (const char *const *)saved->targets, saved->org, saved->changes);
	if (strcmp(fp, saved->fingerprint) != 0)
		return cf_error_set(err, CF_ESTALE, "the saved plan was edited: its options or changes no "
				    "longer match its fingerprint (run ciform plan --out again)");
	if (strcmp(saved->org, org) != 0)
		return cf_error_set(err, CF_ESTALE, "the saved plan was made for %s, not %s", saved->org, org);
	if (strcmp(saved->specs_fingerprint, plan->specs_fingerprint) != 0)
		return cf_error_set(err, CF_ESTALE, "the saved plan is stale: the specs changed since it was "
				    "made (run ciform plan --out again)");
	if (strcmp(saved->live_fingerprint, plan->live_fingerprint) != 0)
		return cf_error_set(err, CF_ESTALE, "the saved plan is stale: the live state changed since "
				    "it was made (run ciform plan --out again)");
	char **mine = change_lines(plan);
	size_t n = 0;
	bool same = true;
	for (; saved->changes && saved->changes[n] && same; n++)
		same = n < plan->count && !strcmp(mine[n], saved->changes[n]);
	same = same && n == plan->count;
	lines_free(mine);
	if (!same)
		return cf_error_set(err, CF_ESTALE, "the saved plan differs from the plan made again from the "
				    "same state (run ciform plan --out again)");
	return CF_OK;
}

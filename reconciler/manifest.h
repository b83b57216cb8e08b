/*
 * manifest: YAML specs -> the desired resources.
 *
 * cf_manifest_load reads every file of a cf_source, keeps the documents that
 * are manifests (a document with neither apiVersion nor kind is some other
 * YAML, such as a pipeline, and is skipped), and checks every rule of the
 * manifest format. It reports all problems as FILE:LINE:COLUMN diagnostics,
 * never echoing a secret value. Secrets named by valueFrom and source are
 * read and put in place, so the result is self-contained.
 *
 * validate loads offline (cf_load_opts.offline): a pull request from a fork
 * is checked without the secrets, so a variable missing from the environment
 * is a warning there, while plan, apply and drift, which would send the
 * value, refuse it.
 */
#ifndef CF_MANIFEST_H
#define CF_MANIFEST_H

#include <stdbool.h>
#include <cjson/cJSON.h>
#include "reconciler/error.h"
#include "reconciler/kind.h"
#include "reconciler/source.h"

/* A manifest file larger than this is refused before it is parsed. */
#define CF_MANIFEST_MAX_BYTES (8u * 1024 * 1024)

typedef struct cf_resource {
	const cf_kind *kind;
	char *address;      /* KIND/NAME, KIND/PROJECT/NAME or KIND/PROJECT */
	char *name;         /* NULL for kinds without a name */
	char *project;      /* as written, name or UUID; NULL for kinds without one */
	bool project_is_id; /* project was given as metadata.project_id */
	bool absent;        /* metadata.ensure: absent */
	cJSON *doc;         /* metadata and spec, secrets in place: never print it */
	char *file;
	int line, column;   /* where the document starts */
	struct cf_locs *locs; /* where each value stood, by path ("spec.env_vars[1].value"): locs.h */
} cf_resource;

typedef struct cf_resource_set {
	cf_resource *items; /* in file order, then document order */
	size_t count;
} cf_resource_set;

typedef struct cf_load_opts {
	/* No secret is needed: a valueFrom.env variable that is not set is a
	 * warning, and that env var keeps its valueFrom instead of a value (so
	 * such a set is for checking only, never for a plan). */
	bool offline;
	/* Also report what is valid but almost surely not meant, as warnings
	 * (an empty rule list: nobody can deploy). */
	bool warnings;
} cf_load_opts;

/* Loads every manifest of src, for a plan: every secret must be there, and
 * no warnings. Returns 0 with *out set when the specs are valid; CF_EINVALID
 * with the problems in diags (sorted) otherwise. */
int cf_manifest_load(cf_resource_set **out, const cf_source *src, cf_diags *diags,
		     cf_error *err);
/* The same with opts (NULL: as cf_manifest_load). Warnings do not make the
 * specs invalid: 0 with *out set and the warnings in diags (sorted). */
int cf_manifest_load_opts(cf_resource_set **out, const cf_source *src, const cf_load_opts *opts,
			  cf_diags *diags, cf_error *err);
void cf_resource_set_free(cf_resource_set *set);

/* Reports a problem found after loading at the value at path in r's
 * manifest (or, when the path is not there, at the document). */
void cf_resource_diag(cf_diags *d, const cf_resource *r, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* For the kinds' checks, beside cf_kerr (kind.h). A warning at the value at
 * path, reported only when the load asks for warnings. */
void cf_kwarn(cf_kctx *kc, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A secret this run cannot get (an unset environment variable): an error,
 * or a warning when the load is offline. */
void cf_kmissing_secret(cf_kctx *kc, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The kind called name, or NULL. */

#endif

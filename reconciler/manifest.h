/*
 * manifest: YAML specs -> the desired resources.
 *
 * cf_manifest_load reads every file of a cf_source, keeps the documents that
 * are manifests (a document with neither apiVersion nor kind is some other
 * YAML, such as a pipeline, and is skipped), and checks every rule of the
 * manifest format. It reports all problems as FILE:LINE:COLUMN diagnostics,
 * never echoing a secret value. Secrets named by valueFrom and source are
 * read and put in place, so the result is self-contained.
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
	cJSON *locs;        /* value path ("spec.env_vars[1].value") -> [line, column] */
} cf_resource;

typedef struct cf_resource_set {
	cf_resource *items; /* in file order, then document order */
	size_t count;
} cf_resource_set;

/* Loads every manifest of src. Returns 0 with *out set when the specs are
 * valid; CF_EINVALID with the problems in diags (sorted) otherwise. */
int cf_manifest_load(cf_resource_set **out, const cf_source *src, cf_diags *diags,
		     cf_error *err);
void cf_resource_set_free(cf_resource_set *set);

/* Reports a problem found after loading at the value at path in r's
 * manifest (or, when the path is not there, at the document). */
void cf_resource_diag(cf_diags *d, const cf_resource *r, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The kind called name, or NULL. */
const cf_kind *cf_kind_find(const char *name);

#endif

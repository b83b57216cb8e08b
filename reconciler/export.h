/*
 * export: live resources as manifests, to adopt what already exists.
 *
 * A provider fills a cf_export (provider.h export) with documents that
 * `ciform validate` accepts and `ciform plan` then finds unchanged: defaults
 * left out, secrets as placeholders that keep the live values, never a secret
 * value. This module writes them: as one YAML stream, or one file per document
 * in a folder per project, and nothing that exists is overwritten unless asked.
 */
#ifndef CF_EXPORT_H
#define CF_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>
#include "reconciler/error.h"

typedef struct cf_export_doc {
	char *folder; /* under --dir: the project's name (its UUID if the name is no file name), or the kind's */
	char *file;   /* "target-production.yaml", "secret-aws-creds.yaml" */
	cJSON *doc;
} cf_export_doc;

typedef struct cf_export {
	cf_export_doc *docs;
	size_t count;
} cf_export;

typedef struct cf_export_scope {
	const char *const *projects; /* names or UUIDs; each is written in manifests as given */
	size_t nprojects;
	bool all;                 /* everything the provider can export */
	const char *const *kinds; /* organisation-wide kinds asked for by name, NULL-terminated (or NULL) */
	/* What only one vendor's export knows, as "name=value", NULL-terminated
	 * (or NULL): "runner-namespace=NS", "cluster=NAME", "org-settings=1". */
	const char *const *extra;
} cf_export_scope;

/* Whether scope asks for every resource of the organisation-wide kind. */
bool cf_export_wants(const cf_export_scope *scope, const char *kind);

/* Appends a document (taken over); folder and file are copied. */
void cf_export_add(cf_export *e, const char *folder, const char *file, cJSON *doc);
void cf_export_clear(cf_export *e);

/* Without dir: the documents as one YAML stream in *stream. With dir: one
 * file per document at DIR/FOLDER/FILE, *stream NULL. A file that exists is
 * an error naming it (before anything is written) unless force; each file is
 * written atomically (fileio.h), so none is ever half written. */
int cf_export_write(char **stream, const cf_export *e, const char *dir, bool force, cf_error *err);

#endif

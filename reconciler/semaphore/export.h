/*
 * export: live resources as manifests, to adopt what already exists.
 *
 * The documents are what `ciform validate` accepts and what `ciform plan`
 * then finds unchanged: ROLE rules by role name, defaults left out, secrets
 * as "<md5> [md5]" placeholders that keep the live values.
 */
#ifndef CF_SEM_EXPORT_H
#define CF_SEM_EXPORT_H

#include "reconciler/semaphore/client.h"

typedef struct cf_export_doc {
	char *file; /* a file name for --dir: "target-production.yaml" */
	cJSON *doc;
} cf_export_doc;

typedef struct cf_export {
	cf_export_doc *docs;
	size_t count;
} cf_export;

/* The deployment targets and retention policy of a project (name or UUID). */
int cf_sem_export_project(cf_export *out, cf_sem_client *c, const char *project, cf_error *err);
/* Every self-hosted agent type. */
int cf_sem_export_agent_types(cf_export *out, cf_sem_client *c, cf_error *err);
void cf_export_clear(cf_export *e);

/* Without dir: the documents as one YAML stream in *stream. With dir: one
 * file per document there (the directory is created), *stream NULL. */
int cf_export_write(char **stream, const cf_export *e, const char *dir, cf_error *err);

#endif

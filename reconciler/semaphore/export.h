/*
 * export: live resources as manifests, to adopt what already exists.
 *
 * The documents are what `ciform validate` accepts and what `ciform plan`
 * then finds unchanged: ROLE rules by role name, defaults left out, secrets
 * as "<md5> [md5]" placeholders that keep the live values.
 *
 * However many projects are asked for, the reads come in a few parallel
 * batches (target lists, retention policies and agent types together; then
 * every target's secrets; then role names), never one request at a time.
 * Written to a directory, each project has its own folder and the agent
 * types theirs, and nothing that exists is overwritten unless asked.
 */
#ifndef CF_SEM_EXPORT_H
#define CF_SEM_EXPORT_H

#include <stdbool.h>
#include "reconciler/semaphore/client.h"

typedef struct cf_export_doc {
	char *folder; /* under --dir: the project's name (its UUID if the name is no file name), or "agent-types" */
	char *file;   /* "target-production.yaml", "retention-policy.yaml", "agent-type-s1-a.yaml" */
	cJSON *doc;
} cf_export_doc;

typedef struct cf_export {
	cf_export_doc *docs;
	size_t count;
} cf_export;

typedef struct cf_export_scope {
	const char *const *projects; /* names or UUIDs; each is written in manifests as given */
	size_t nprojects;
	bool all;         /* every project that has targets or a policy (by name), and the agent types */
	bool agent_types; /* every self-hosted agent type */
} cf_export_scope;

/* A project asked for that the organisation lacks is CF_ENOTFOUND. */
int cf_sem_export(cf_export *out, cf_sem_client *c, const cf_export_scope *scope, cf_error *err);
void cf_export_clear(cf_export *e);

/* Without dir: the documents as one YAML stream in *stream. With dir: one
 * file per document at DIR/FOLDER/FILE, *stream NULL. A file that exists is
 * an error naming it (before anything is written) unless force; each file is
 * written to a temporary name and then renamed, so none is ever half written. */
int cf_export_write(char **stream, const cf_export *e, const char *dir, bool force, cf_error *err);

#endif

/*
 * export: Semaphore's live resources as manifests (the provider's export;
 * reconciler/export.h says what the documents promise).
 *
 * However many projects are asked for, the reads come in a few parallel
 * batches (target lists, retention policies and agent types together; then
 * every target's secrets; then role names), never one request at a time.
 * Each kind with an export hook (kind.h) then adds its own documents, given
 * the projects already resolved.
 */
#ifndef CF_SEM_EXPORT_H
#define CF_SEM_EXPORT_H

#include "reconciler/export.h"
#include "reconciler/providers/semaphore/client.h"

/* A project the export covers; the strings point into the project listing. */
typedef struct cf_sem_export_project {
	const char *id, *name;
	const char *ref;    /* as the manifests write it: what was asked for, or the name */
	const char *folder; /* the name, or the UUID when the name is no file name */
	const cJSON *api;   /* the project as GET /projects listed it (settings included) */
} cf_sem_export_project;

/* What a Semaphore kind's export hook gets (its const void *ctx). */
typedef struct cf_sem_export_ctx {
	cf_http_client *c;
	const cf_export_scope *scope;
	const cf_sem_export_project *projects;
	size_t nprojects;
} cf_sem_export_ctx;

/* A project asked for that the organisation lacks is CF_ENOTFOUND. */
int cf_sem_export(cf_export *out, cf_conn *c, const cf_export_scope *scope, cf_error *err);

/* A live name used as (part of) a file name: one path segment, or NULL. */
const char *cf_sem_export_segment(const char *name);

#endif

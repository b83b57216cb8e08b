/*
 * runner_class: what the RunnerResourceClass kind's two files share
 * (runner_class.c: the manifest, reading, comparing, export;
 * runner_class_apply.c: create, and delete with its waits and refusals).
 */
#ifndef CF_CCI_RUNNER_CLASS_H
#define CF_CCI_RUNNER_CLASS_H

#include "reconciler/apply.h"
#include "reconciler/providers/circleci/kinds.h"

int cf_cci_runner_class_apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err);
/* The resource class manifest in set named cls, or NULL. */
const cf_resource *cf_cci_runner_class_manifest(const cf_resource_set *set, const char *cls);
/* The namespaces an export asks for (scope->extra "runner-namespace=NS"),
 * NULL-terminated; caller frees the array only. */
const char **cf_cci_runner_export_namespaces(const cf_export_scope *scope);
/* A name fit for a file: characters outside [A-Za-z0-9._-] become '_';
 * caller frees. */
char *cf_cci_runner_file_safe(const char *s);

#endif

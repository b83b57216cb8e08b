/*
 * kind: what a resource kind tells the generic machinery about itself.
 *
 * Adding a kind is adding one cf_kind table (and, later, its client file):
 * the loader, and the diff, plan and render that follow, read only this table.
 * The loader handles what every kind shares (apiVersion, kind, the project
 * reference, ensure, the address, duplicates); a kind's check does the rest.
 */
#ifndef CF_KIND_H
#define CF_KIND_H

#include <stdbool.h>
#include <cjson/cJSON.h>
#include "reconciler/schema.h"
#include "reconciler/source.h"

/* What a kind's check may use: the document's YAML for positions, and the
 * source to read files named by the spec. */
struct cf_load_opts;

typedef struct cf_kctx {
	cf_yctx *y;
	yaml_node_t *root;
	const cf_source *src;
	size_t file_index;
	const struct cf_load_opts *opts; /* manifest.h: offline, warnings */
} cf_kctx;

struct cf_diff_field;
struct cf_live;
struct cf_change;
struct cf_apply_ctx;
struct cf_resource_set;
struct cf_sem_client;
struct cf_plan_opts;

typedef struct cf_kind {
	const char *name;      /* the manifest's kind: */
	const cf_field *fields; /* the whole document's keys */
	bool has_project;      /* metadata.project or metadata.project_id is part of the address */
	bool has_name;         /* metadata.name is part of the address */
	const char *absent_refusal; /* non-NULL: ensure: absent is refused with this reason */
	/* Rules a table cannot say; also replaces valueFrom/source by the values
	 * they name (skipped for absent resources, which need no secrets). */
	void (*check)(cf_kctx *kc, cJSON *doc, bool absent);

	/* What a plan compares, and in which order changes run. */
	const struct cf_diff_field *diff;
	int order;        /* creates and updates: agent types 0, targets 1, retention 3 (activations are 2) */
	int delete_order; /* deletes: deployment targets 0, agent types 1 */
	bool has_active;  /* spec.active (default true) plans activate and deactivate */
	/* Reads the live resources of this kind that the specs are about, and
	 * the others in scope (unmanaged), into live. */
	int (*read_live)(struct cf_live *live, const struct cf_resource_set *set,
			 struct cf_sem_client *c, cf_error *err);
	/* Carries out one change of this kind. */
	int (*apply)(struct cf_apply_ctx *ctx, const struct cf_change *ch, cf_error *err);
	/* Optional: why a live resource needs a repair though its fields match
	 * (a target whose secrets failed to sync, an agent type whose token was
	 * lost), or NULL; caller frees. *field and *after say what the plan shows. */
	char *(*live_problem)(const cJSON *api, const struct cf_plan_opts *opts, const char **field,
			      const char **after);
	/* Optional: checks, before any change of the plan is made, that this one
	 * can be carried out to the end (a token directory that can be written). */
	int (*preflight)(struct cf_apply_ctx *ctx, const struct cf_change *ch, cf_error *err);
} cf_kind;

/* Reports a diagnostic at the node at path in the document (or the document
 * itself when the path is not there). */
void cf_kerr(cf_kctx *kc, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Reads the file rel, written at path in the manifest, relative to the
 * manifest; problems are reported at path and NULL returned. */
char *cf_kread(cf_kctx *kc, const char *path, const char *rel, size_t max, size_t *len);

/* The keys the sem CLI prints but nobody writes: accepted and ignored. */
#define CF_METADATA_OUTPUT_ONLY                                   \
	{"id", CF_T_IGNORE, 0, NULL, NULL, NULL, NULL},               \
	{"organization_id", CF_T_IGNORE, 0, NULL, NULL, NULL, NULL},  \
	{"created_", CF_T_IGNORE, CF_F_PREFIX, NULL, NULL, NULL, NULL}, \
	{"updated_", CF_T_IGNORE, CF_F_PREFIX, NULL, NULL, NULL, NULL}, \
	{"create_time", CF_T_IGNORE, 0, NULL, NULL, NULL, NULL},      \
	{"update_time", CF_T_IGNORE, 0, NULL, NULL, NULL, NULL}
#define CF_SPEC_OUTPUT_ONLY                                      \
	{"state", CF_T_IGNORE, 0, NULL, NULL, NULL, NULL},            \
	{"state_message", CF_T_IGNORE, 0, NULL, NULL, NULL, NULL}
#define CF_ENSURE_FIELD {"ensure", CF_T_STR, 0, NULL, cf_ensure_words, NULL, NULL}
#define CF_DOCUMENT_FIELDS(meta, spec)                                  \
	{"apiVersion", CF_T_STR, CF_F_REQUIRED, NULL, NULL, NULL, NULL},      \
	{"kind", CF_T_STR, CF_F_REQUIRED, NULL, NULL, NULL, NULL},            \
	{"metadata", CF_T_MAP, CF_F_REQUIRED, meta, NULL, NULL, NULL},        \
	{"spec", CF_T_MAP, 0, spec, NULL, NULL, NULL},                        \
	{"status", CF_T_IGNORE, 0, NULL, NULL, NULL, NULL},                   \
	CF_FIELDS_END

#define CF_UUID_PATTERN "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
#define CF_PROJECT_FIELDS                                                 \
	{"project", CF_T_STR, 0, NULL, NULL, NULL, NULL},                     \
	{"project_id", CF_T_STR, 0, NULL, NULL, CF_UUID_PATTERN, "a UUID"}

extern const char *const cf_ensure_words[];

/* Every kind, NULL-terminated, in the loader's order. */
extern const cf_kind *const cf_kinds[];

extern const cf_kind cf_sem_agent_type_kind;
extern const cf_kind cf_sem_target_kind;
extern const cf_kind cf_sem_retention_kind;

#endif

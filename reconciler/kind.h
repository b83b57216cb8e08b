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
struct cf_conn;
struct cf_plan_opts;
struct cf_export;
struct cf_schema_rule;

typedef struct cf_kind {
	const char *name;      /* the manifest's kind: */
	const char *api_version; /* the manifest's apiVersion: (its provider owns it) */
	const char *noun;        /* what a person calls one, in messages: "target", "secret" */
	const cf_field *fields; /* the whole document's keys */
	bool has_project;      /* metadata.project or metadata.project_id is part of the address */
	bool has_name;         /* metadata.name (or name_key) is part of the address */
	const char *name_key;  /* the metadata key that names the resource; NULL: "name" */
	/* Optional: the address after "KIND/" when project and name do not make
	 * it ("gh/acme/deploy-prod"), or NULL when the document has none (check
	 * reported why); caller frees. */
	char *(*address)(const cJSON *doc);
	const char *absent_refusal; /* non-NULL: ensure: absent is refused with this reason */
	/* Rules a table cannot say; also replaces valueFrom/source by the values
	 * they name (skipped for absent resources, which need no secrets). */
	void (*check)(cf_kctx *kc, cJSON *doc, bool absent);

	/* The rules check() enforces that the field table cannot say, for
	 * `ciform schema` (schema_rules.h); {.path = NULL}-terminated, or NULL. */
	const struct cf_schema_rule *schema_rules;
	/* What a plan compares, and in which order changes run. */
	const struct cf_diff_field *diff; /* the order is the provider's phase list */
	bool has_active;  /* spec.active (default true) plans activate and deactivate */
	/* Reads the live resources of this kind that the specs are about, and
	 * the others in scope (unmanaged), into live. Spec problems only the live
	 * state shows (a Project manifest for a project that does not exist) go
	 * to diags, at the manifest (cf_resource_diag), and make it CF_EINVALID. */
	int (*read_live)(struct cf_live *live, const struct cf_resource_set *set,
			 struct cf_conn *c, cf_diags *diags, cf_error *err);
	/* Optional: rules between manifests, checked once every file is loaded
	 * (a Task for a project whose Project manifest lists its tasks). */
	void (*check_set)(const struct cf_resource_set *set, cf_diags *diags);
	/* Carries out one change of this kind. */
	int (*apply)(struct cf_apply_ctx *ctx, const struct cf_change *ch, cf_error *err);
	/* Optional: why a live resource needs a repair though its fields match
	 * (a target whose secrets failed to sync, an agent type whose token was
	 * lost), or NULL; caller frees. *field and *after say what the plan shows. */
	char *(*live_problem)(const cJSON *api, const struct cf_plan_opts *opts, const char **field,
			      const char **after);
	/* Optional: why the live resource's secret values cannot be read, or
	 * NULL when they can. Then its secret sets compare by key only, the plan
	 * lists it as unverifiable with this reason, and any change to it is a
	 * replacement: a delete, then a create, of the same address (the
	 * server cannot update it in place), which apply carries out only when
	 * allowed (cf_apply_opts.allow_replace). */
	const char *(*values_hidden)(const cJSON *api);
	/* Optional: why some write-only values of the live resource could be
	 * compared only partly (by a tail the API returns) or not at all, or
	 * NULL. Not drift: the plan lists the resource as unverifiable with this
	 * reason (caller frees), and compares the rest as usual. */
	char *(*unverified)(const cJSON *api);
	/* Optional: what a delete of this kind really does, when it is not a
	 * deletion ("archived: the API keeps archived pipelines"); a plan note
	 * on every delete of the kind. */
	const char *delete_note;
	/* Optional: the same for the delete of an unmanaged resource that
	 * --prune plans, when it differs ("archived, not deleted"). */
	const char *prune_note;
	/* Optional: what the API calls an activation, a deactivation, and the
	 * delete of a pruned resource, when it names them ("unarchive",
	 * "archive", "resume", "pause"): the JSON plan's "operation". */
	const char *activate_op, *deactivate_op, *prune_op;
	/* Optional, with has_active: a resource inactive in the spec and live is
	 * frozen: its field differences are not applied and are no change, only a
	 * plan note ("is archived; 2 field(s) differ"). The word is the state's
	 * ("archived"). */
	const char *frozen_while_inactive;
	/* Optional: checks, before any change of the plan is made, that this one
	 * can be carried out to the end (a token directory that can be written). */
	int (*preflight)(struct cf_apply_ctx *ctx, const struct cf_change *ch, cf_error *err);
	/* Optional: appends to out this kind's live resources that the export
	 * asks for, as manifests the loader accepts and a plan finds unchanged;
	 * ctx is the provider's export context (its export.h says what it holds). */
	int (*export)(struct cf_export *out, const void *ctx, cf_error *err);
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
	{.key = "id", .type = CF_T_IGNORE},               \
	{.key = "organization_id", .type = CF_T_IGNORE},  \
	{.key = "created_", .type = CF_T_IGNORE, .flags = CF_F_PREFIX}, \
	{.key = "updated_", .type = CF_T_IGNORE, .flags = CF_F_PREFIX}, \
	{.key = "create_time", .type = CF_T_IGNORE},      \
	{.key = "update_time", .type = CF_T_IGNORE}
#define CF_SPEC_OUTPUT_ONLY                                      \
	{.key = "state", .type = CF_T_IGNORE},            \
	{.key = "state_message", .type = CF_T_IGNORE}
#define CF_ENSURE_FIELD {.key = "ensure", .type = CF_T_STR, .one_of = cf_ensure_words}
#define CF_DOCUMENT_FIELDS(meta, spec)                                  \
	{.key = "apiVersion", .type = CF_T_STR, .flags = CF_F_REQUIRED},      \
	{.key = "kind", .type = CF_T_STR, .flags = CF_F_REQUIRED},            \
	{.key = "metadata", .type = CF_T_MAP, .flags = CF_F_REQUIRED, .fields = meta},        \
	{.key = "spec", .type = CF_T_MAP, .fields = spec},                        \
	{.key = "status", .type = CF_T_IGNORE},                   \
	CF_FIELDS_END

#define CF_UUID_PATTERN "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
#define CF_PROJECT_FIELDS                                                 \
	{.key = "project", .type = CF_T_STR},                     \
	{.key = "project_id", .type = CF_T_STR, .match = CF_UUID_PATTERN, .match_words = "a UUID"}

extern const char *const cf_ensure_words[];

/* The kind of that name, of any provider, or NULL; every kind, provider by
 * provider, in the loader's order: i from 0 until NULL (provider.c). */
const cf_kind *cf_kind_find(const char *name);
const cf_kind *cf_kind_nth(size_t i);

#endif

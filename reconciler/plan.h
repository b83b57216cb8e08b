/*
 * plan: the ordered changes that make the live organisation match the specs.
 *
 * Order (docs/plan-json.md): the provider's named phase list (provider.h):
 * creates, updates and replacements kind by kind, activations and
 * deactivations where the list puts them, then deletes in the list's order. Each create, update
 * and delete carries a unique_token derived from its address, the live state
 * it was planned against and the desired state, so an interrupted apply run
 * again against the same state sends the same tokens. Fingerprints of the
 * specs and of the live state let a saved plan be refused once stale.
 */
#ifndef CF_PLAN_H
#define CF_PLAN_H

#include "reconciler/diff.h"
#include "reconciler/live.h"

typedef enum { CF_CREATE, CF_UPDATE, CF_DELETE, CF_ACTIVATE, CF_DEACTIVATE, CF_NACTIONS } cf_action;

extern const char *const cf_action_names[CF_NACTIONS]; /* "create", ... */

typedef struct cf_change {
	cf_action action;
	const cf_kind *kind;
	char *address;
	char *id;         /* NULL for creates */
	char *project_id; /* NULL for kinds without a project */
	char *name;
	cf_field_changes fields;
	const cf_resource *res;   /* NULL for the delete of an unmanaged resource */
	const cf_live_item *live; /* NULL for creates */
	bool secrets;             /* an update that must send env_vars and files */
	bool repair;              /* an update that repairs a live problem (kind.h live_problem) */
	bool replace;             /* half of a replacement: the delete, then the create, of one address */
	char **notes;             /* what the reviewer should know beyond the fields */
	size_t nnotes;
	char token[37];           /* unique_token for create, update, delete */
} cf_change;

typedef struct cf_unmanaged {
	const cf_kind *kind;
	char *address;
	char *id;
} cf_unmanaged;

/* A live resource whose secret values cannot be compared (kind.h
 * values_hidden): not drift, but the reviewer should know. */
typedef struct cf_unverifiable {
	const cf_kind *kind;
	char *address;
	char *reason;
} cf_unverifiable;

typedef struct cf_plan_opts {
	bool prune;
	const char *const *targets; /* --target ADDRESS, NULL-terminated; NULL: all */
	const char *token_dir;      /* where one-time tokens are kept (token_file.h); NULL: default */
} cf_plan_opts;

typedef struct cf_plan {
	cf_change *changes;
	size_t count;
	cf_unmanaged *unmanaged;
	size_t nunmanaged;
	cf_unverifiable *unverifiable;
	size_t nunverifiable;
	/* What the reviewer should know of resources that need no change ("Pipeline/web
	 * is archived; 2 field(s) differ"). */
	char **notes;
	size_t nnotes;
	size_t replacements;  /* resources replaced (each a delete and a create) */
	size_t counts[CF_NACTIONS];
	size_t unchanged;
	char specs_fingerprint[65];
	char live_fingerprint[65];
} cf_plan;

/* Builds the plan; spec problems only visible against live state (an
 * unknown role, an MD5 placeholder with no live value) go to diags. */
int cf_plan_build(cf_plan **out, const cf_resource_set *set, const cf_live *live,
		  const cf_plan_opts *opts, cf_diags *diags, cf_error *err);
void cf_plan_free(cf_plan *plan);
bool cf_plan_has_changes(const cf_plan *plan);

/* The phase a change runs in: changes of one phase do not depend on each
 * other (apply may run them at once); a later phase waits for the earlier. */
int cf_plan_phase(const cf_change *c);
/* 64 hex digits of a SHA-256 over the parts, each followed by its NUL. */
void cf_sha256_hex(char out[65], const char *const *parts, size_t n);
/* A UUID from a SHA-256 of the parts (each followed by a NUL). */
void cf_uuid_from(char out[37], const char *const *parts, size_t n);

#endif

/*
 * diff: desired against live, field by field, as each kind's table says.
 *
 * Both sides are first normalised into the same flat shape, keyed by the
 * field's name in plans ("metadata.url", "spec.env_vars"): missing values
 * take the server's default, lists go through the field's normaliser (rule
 * order kept, ages as durations), and secret sets become {key: md5}. Desired
 * secrets are hashed here, so nothing after this point holds a secret value.
 */
#ifndef CF_DIFF_H
#define CF_DIFF_H

#include <stdbool.h>
#include <cjson/cJSON.h>
#include "reconciler/error.h"

typedef struct cf_diff_ctx {
	const cJSON *roles;       /* {"role id": "name"}: ROLE rules compare by name */
	const cJSON *desired_doc; /* the manifest being planned (live normalisers may look) */
	const cJSON *live_norm;   /* the live side, normalised first: fields a spec omits keep it */
	cJSON *notes;             /* ["..."]: what a normaliser wants the plan to say */
	/* The live secret values cannot be read (kind.h values_hidden): secret
	 * sets compare by key only. */
	bool values_hidden;
	char *error;        /* set by a normaliser that cannot go on (an unknown role) */
	char *error_path;   /* and where, in the manifest ("spec.subject_rules[1].subject_id") */
} cf_diff_ctx;

typedef enum {
	CF_D_VALUE,   /* compared whole; shown before -> after */
	CF_D_SECRETS, /* a set of secrets keyed by .key; shown as (sensitive) per entry. A
		       * desired entry {key, "live": true} (no value) keeps the live one. */
} cf_dtype;

typedef struct cf_diff_field {
	const char *name;     /* in plans; also the key in the normalised shape */
	const char *desired;  /* dotted path in the manifest document */
	const char *live;     /* dotted path in the API object */
	const char *fallback; /* JSON for a side that lacks the value */
	cf_dtype type;
	const char *key, *value; /* CF_D_SECRETS: "name"/"value" or "path"/"content" */
	/* Optional, for CF_D_VALUE: returns a new normalised value of v. */
	cJSON *(*normalize)(const cJSON *v, bool desired, cf_diff_ctx *ctx);
	/* A spec that leaves the field out leaves the live value alone (the
	 * server's update keeps what the body omits); a create gets the server's
	 * default, which omitted_note describes for the plan. */
	bool omitted_keeps_live;
	const char *omitted_note;
	/* What the plan says when the spec gives an empty list. */
	const char *empty_note;
	/* A list shown item by item (added, removed), not as two blobs. */
	bool list_items;
	/* CF_D_SECRETS: a value written plainly in the spec (already in git) is
	 * shown beside "(sensitive)"; values from valueFrom never are. */
	bool show_plain;
	/* ... found under this key of the entry when .value is a comparison key
	 * of the kind's own (NULL: under .value) */
	const char *plain_value;
	/* CF_D_SECRETS whose live values the server shows only in part: how
	 * far they were compared ("tail", "presence", "none"), for the JSON
	 * plan; NULL: compared in full (or by a digest). */
	const char *comparison;
	/* Never a field change: the field is there for its normalize hook's
	 * ctx->notes only (a note the plan shows, e.g. why an update replaces). */
	bool note_only;
} cf_diff_field;

typedef struct cf_field_change {
	char *path;     /* "metadata.url", or "spec.env_vars.TOKEN" for a secret */
	cJSON *before;  /* NULL for secrets */
	cJSON *after;
	bool sensitive;
	const char *change; /* secrets: "added", "changed" or "removed" */
	bool list_items;    /* before and after are lists shown item by item */
	char *plain;        /* secrets: the spec's plain value, when it may be shown */
	const char *comparison; /* secrets: cf_diff_field.comparison */
} cf_field_change;

typedef struct cf_field_changes {
	cf_field_change *items;
	size_t count;
} cf_field_changes;

/* The normalised shape of a desired document or a live API object (NULL
 * live: every field at its fallback). Normalise the live side first: a
 * desired field the spec omits takes ctx->live_norm's value when the field
 * says so. NULL with ctx->error on failure. */
cJSON *cf_diff_normalize(const cf_diff_field *fields, const cJSON *doc, bool desired, cf_diff_ctx *ctx);

/* What differs between two normalised shapes, in table order. */
void cf_diff_compare(cf_field_changes *out, const cf_diff_field *fields, const cJSON *before,
		     const cJSON *after);
void cf_field_changes_free(cf_field_changes *c);

/* The value at a dotted path ("spec.agent_name_settings.release_after"). */
const cJSON *cf_json_path(const cJSON *doc, const char *path);

#endif

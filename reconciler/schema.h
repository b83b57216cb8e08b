/*
 * schema: the shape of a manifest, as data.
 *
 * Each kind describes its keys in a cf_field table: type, required, allowed
 * values, a pattern. One walker turns a YAML mapping into a cJSON object by
 * that table and reports, at their positions, unknown and duplicate keys,
 * missing required ones and values of the wrong type. What a table cannot say
 * (one field depending on another) is left to the kind's own check.
 */
#ifndef CF_SCHEMA_H
#define CF_SCHEMA_H

#include <cjson/cJSON.h>
#include "reconciler/yamltree.h"

typedef enum {
	CF_T_END = 0,
	CF_T_STR,
	CF_T_INT,
	CF_T_BOOL,
	CF_T_MAP,
	CF_T_LIST,   /* a list of mappings, each described by .fields */
	CF_T_IGNORE, /* output-only: accepted with any value and dropped */
} cf_ftype;

enum {
	CF_F_REQUIRED = 1u,
	CF_F_PREFIX = 2u, /* the key matches every key that starts with it */
};

typedef struct cf_field {
	const char *key;
	cf_ftype type;
	unsigned flags;
	const struct cf_field *fields; /* MAP and LIST: the nested keys */
	const char *const *one_of;     /* STR: the allowed values, NULL-terminated */
	const char *match;             /* STR: a PCRE2 pattern the whole value must match */
	const char *match_words;       /* STR: what match means, for the message */
	/* IGNORE: what the key is when the kind's check() reads it (a list of
	 * strings, an open map), for the JSON schema; NULL: output-only */
	const char *note;
} cf_field;

#define CF_FIELDS_END {.type = CF_T_END}

/* Converts the mapping node by fields; path names it in messages ("spec"),
 * "" for the document itself. Returns a new object (never NULL). */
cJSON *cf_schema_convert(cf_yctx *ctx, yaml_node_t *node, const cf_field *fields,
			 const char *path);

/* "a, b or c" for a NULL-terminated list; caller frees. */
char *cf_schema_list_words(const char *const *words);

/* True when value matches pattern (anchored, PCRE2). */
bool cf_schema_matches(const char *pattern, const char *value);

#endif

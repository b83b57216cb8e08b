/*
 * schema_json: the JSON Schema (draft-07) of every manifest kind, for
 * editors and other tools.
 *
 * It is generated from the very tables the loader checks with (the providers' kinds
 * in kind.h, each kind's cf_field table): keys, types, required keys,
 * allowed values, patterns, nested mappings and lists. The few rules a
 * table cannot say (one key depending on another, ranges, base64) are a
 * small table of schema fragments here, one row per rule. What no JSON
 * Schema can say (that a file or an environment variable exists, that a
 * regular expression compiles, that names in a list are unique) stays
 * ciform's alone.
 */
#ifndef CF_SCHEMA_JSON_H
#define CF_SCHEMA_JSON_H

#include "reconciler/error.h"

/* The schema as JSON text, two-space indented, ending in a newline. */
int cf_schema_json(char **out, cf_error *err);

#endif

/*
 * schema_rules: how a kind says, in JSON Schema, the rules its check()
 * enforces in code (one key depending on another, ranges, base64), so that
 * `ciform schema` carries them too (schema_json.c lays each fragment over the
 * node its path names: "" the document, "a.b" a key, "a.b[]" a list's items).
 * The macros build the fragments that recur.
 */
#ifndef CF_SCHEMA_RULES_H
#define CF_SCHEMA_RULES_H

typedef struct cf_schema_rule {
	const char *path;
	const char *description; /* for editors; may be NULL */
	const char *rule;        /* a JSON object of schema keywords; may be NULL */
} cf_schema_rule;

/* "Given" as the loader sees it: present and not null. */
#define CF_GIVEN(k) "{\"required\": [\"" k "\"], \"properties\": {\"" k "\": {\"not\": {\"type\": \"null\"}}}}"
/* A text that is given and not empty. */
#define CF_NONEMPTY(k) "{\"required\": [\"" k "\"], \"properties\": {\"" k "\": {\"not\": {\"enum\": [\"\", null]}}}}"
/* Key k is given and matches schema v (members of an object, without braces). */
#define CF_TYPE_IS(k, v) "\"required\": [\"" k "\"], \"properties\": {\"" k "\": " v "}"
/* List l is given and holds at least one item. */
#define CF_HAS_ITEMS(l) "{\"required\": [\"" l "\"], \"properties\": {\"" l "\": {\"type\": \"array\", \"minItems\": 1}}}"

#endif

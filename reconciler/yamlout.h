/*
 * yamlout: cJSON documents -> YAML text, through libyaml's emitter.
 *
 * Strings that YAML would read back as something else (numbers, booleans,
 * null, the empty string) are double-quoted, so what is written reads back
 * as the same values.
 */
#ifndef CF_YAMLOUT_H
#define CF_YAMLOUT_H

#include <cjson/cJSON.h>
#include "reconciler/error.h"

/* One YAML document per element of docs (a JSON array), as one stream. */
int cf_yaml_emit(char **out, const cJSON *docs, cf_error *err);

#endif

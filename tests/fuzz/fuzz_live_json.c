/*
 * fuzz_live_json: what ciform does with the API's answers, on arbitrary JSON.
 * Each kind's table normalises it as a live object and as a desired one, the
 * two are compared, and the JSON is written as YAML (export's writer) and read
 * back: the YAML must parse, whatever the strings in it.
 */
#include "tests/fuzz/fuzz.h"
#include "reconciler/diff.h"
#include "reconciler/kind.h"
#include "reconciler/yamlout.h"

#include <stdint.h>
#include <stdlib.h>
#include <yaml.h>

static void yaml_round_trip(const cJSON *doc)
{
	cJSON *docs = cJSON_CreateArray();
	cJSON_AddItemReferenceToArray(docs, (cJSON *)doc);
	char *text = NULL;
	cf_error err = {0};
	if (cf_yaml_emit(&text, docs, &err) == CF_OK) {
		yaml_parser_t p;
		yaml_document_t d;
		yaml_parser_initialize(&p);
		yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
		if (!yaml_parser_load(&p, &d))
			abort(); /* what we write must read back */
		yaml_document_delete(&d);
		yaml_parser_delete(&p);
	}
	free(text);
	cf_error_clear(&err);
	cJSON_Delete(docs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *j = cJSON_ParseWithLength((const char *)data, size);
	if (!j)
		return 0;
	cf_diff_ctx ctx = {.roles = cJSON_GetObjectItemCaseSensitive(j, "roles")};
	const cf_kind *kind;
	for (size_t k = 0; (kind = cf_kind_nth(k)); k++) {
		cJSON *live = cf_diff_normalize(kind->diff, j, false, &ctx);
		cJSON *want = cf_diff_normalize(kind->diff, j, true, &ctx);
		cf_field_changes changes = {0};
		if (want)
			cf_diff_compare(&changes, kind->diff, live, want);
		cf_field_changes_free(&changes);
		cJSON_Delete(live);
		cJSON_Delete(want);
	}
	free(ctx.error);
	if (cJSON_IsObject(j))
		yaml_round_trip(j);
	cJSON_Delete(j);
	return 0;
}

/*
 * yamlout: a cJSON tree as a libyaml document, then the emitter.
 */
#include "reconciler/yamlout.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct sink {
	char *s;
	size_t len;
} sink;

static int write_out(void *ud, unsigned char *buf, size_t size)
{
	sink *k = ud;
	k->s = cf_xrealloc(k->s, k->len + size + 1);
	memcpy(k->s + k->len, buf, size);
	k->len += size;
	k->s[k->len] = '\0';
	return 1;
}

/* Would a plain scalar with this text read back as something other than a string? */
static bool needs_quotes(const char *s)
{
	static const char *const words[] = {"true", "false", "yes", "no", "on", "off", "null", "~",
					    "True", "False", "Yes", "No", "On", "Off", "Null", "TRUE",
					    "FALSE", "YES", "NO", "ON", "OFF", "NULL", NULL};
	if (!*s)
		return true;
	for (const char *const *w = words; *w; w++)
		if (!strcmp(s, *w))
			return true;
	char *end;
	strtod(s, &end);
	return *end == '\0' || isspace((unsigned char)s[0]);
}

/* Returns the node's id, or 0 when libyaml refuses a value (text that is not
 * UTF-8): every id is checked, since libyaml asserts on a 0 given back to it. */
static int add_node(yaml_document_t *d, const cJSON *v)
{
	if (cJSON_IsObject(v)) {
		int m = yaml_document_add_mapping(d, NULL, YAML_BLOCK_MAPPING_STYLE);
		const cJSON *c;
		cJSON_ArrayForEach(c, v) {
			int k = m ? yaml_document_add_scalar(d, NULL, (yaml_char_t *)c->string, -1, YAML_PLAIN_SCALAR_STYLE) : 0;
			int val = k ? add_node(d, c) : 0;
			if (!val || !yaml_document_append_mapping_pair(d, m, k, val))
				return 0;
		}
		return m;
	}
	if (cJSON_IsArray(v)) {
		int q = yaml_document_add_sequence(d, NULL, YAML_BLOCK_SEQUENCE_STYLE);
		const cJSON *c;
		cJSON_ArrayForEach(c, v) {
			int item = q ? add_node(d, c) : 0;
			if (!item || !yaml_document_append_sequence_item(d, q, item))
				return 0;
		}
		return q;
	}
	if (cJSON_IsString(v))
		return yaml_document_add_scalar(d, NULL, (yaml_char_t *)v->valuestring, -1,
						needs_quotes(v->valuestring) ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
									     : YAML_ANY_SCALAR_STYLE);
	char text[64];
	if (cJSON_IsNumber(v))
		snprintf(text, sizeof(text), "%.17g", v->valuedouble);
	else
		snprintf(text, sizeof(text), "%s", cJSON_IsTrue(v) ? "true" : cJSON_IsFalse(v) ? "false" : "null");
	return yaml_document_add_scalar(d, NULL, (yaml_char_t *)text, -1, YAML_PLAIN_SCALAR_STYLE);
}

int cf_yaml_emit(char **out, const cJSON *docs, cf_error *err)
{
	*out = NULL;
	sink k = {0};
	yaml_emitter_t e;
	yaml_emitter_initialize(&e);
	yaml_emitter_set_output(&e, write_out, &k);
	yaml_emitter_set_unicode(&e, 1);
	yaml_emitter_set_width(&e, 120);
	int ok = yaml_emitter_open(&e);
	bool text_ok = true;
	const cJSON *doc;
	cJSON_ArrayForEach(doc, docs) {
		yaml_document_t d;
		yaml_document_initialize(&d, NULL, NULL, NULL, 0, 1);
		if (!add_node(&d, doc))
			ok = text_ok = false;
		if (ok)
			ok = yaml_emitter_dump(&e, &d); /* dump deletes the document */
		else
			yaml_document_delete(&d);
	}
	ok = ok && yaml_emitter_close(&e) && yaml_emitter_flush(&e);
	int rc = CF_OK;
	if (!text_ok)
		rc = cf_error_set(err, CF_EIO, "YAML could not be written: a value is not valid UTF-8 text");
	else if (!ok)
		rc = cf_error_set(err, CF_EIO, "YAML could not be written: %s", e.problem ? e.problem : "?");
	yaml_emitter_delete(&e);
	if (rc == CF_OK)
		*out = k.s ? k.s : cf_xstrdup("");
	else
		free(k.s);
	return rc;
}

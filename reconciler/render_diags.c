/*
 * render_diags: text and JSON forms of a cf_diags.
 */
#include "reconciler/render_diags.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Indexed by cf_severity. Errors carry no word in text: that is the form
 * every run printed before warnings existed, and scripts parse it. */
static const char *const text_prefix[] = {[CF_SEV_ERROR] = "", [CF_SEV_WARNING] = "warning: "};
static const char *const json_word[] = {[CF_SEV_ERROR] = "error", [CF_SEV_WARNING] = "warning"};

char *cf_render_diags_text(const cf_diags *d)
{
	size_t cap = 1;
	for (size_t i = 0; i < d->count; i++)
		cap += strlen(d->items[i].file) + strlen(d->items[i].message) + 48;
	char *out = cf_xcalloc(cap, 1);
	size_t len = 0;
	for (size_t i = 0; i < d->count; i++) {
		const cf_diag *g = &d->items[i];
		len += (size_t)snprintf(out + len, cap - len, "%s:%d:%d: %s%s\n", g->file, g->line,
					g->column, text_prefix[g->severity], g->message);
	}
	return out;
}

char *cf_render_diags_json(const cf_diags *d)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < d->count; i++) {
		const cf_diag *g = &d->items[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "file", g->file);
		cJSON_AddNumberToObject(o, "line", g->line);
		cJSON_AddNumberToObject(o, "column", g->column);
		cJSON_AddStringToObject(o, "severity", json_word[g->severity]);
		cJSON_AddStringToObject(o, "message", g->message);
		cJSON_AddItemToArray(arr, o);
	}
	char *s = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	char *out = cf_xasprintf("%s\n", s ? s : "[]");
	free(s);
	return out;
}

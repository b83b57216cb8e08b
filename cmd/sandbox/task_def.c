/*
 * task_def: what the periodic scheduler checks in a task's definition before
 * it stores anything: the YAML read as the server reads it, the header and
 * v1.2 schema as ExJsonSchema words its errors, and the cron expression of
 * `at` (semaphoreio/semaphore periodic_scheduler/spec/priv/header-v1.0.yml,
 * v1.2.yml; scheduler/lib/scheduler/actions/apply_impl.ex validate_cron_expression).
 */
#include "cmd/sandbox/sandbox.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

static void set_item(cJSON *o, const char *key, cJSON *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	cJSON_AddItemToObject(o, key, v);
}

/* ---- YAML to JSON (YamlElixir.read_from_string! as the server reads definitions) ---- */

static bool plain_int(const char *v)
{
	const char *p = v + (*v == '-' || *v == '+');
	if (!*p)
		return false;
	for (; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	return true;
}

static cJSON *node_json(yaml_document_t *doc, yaml_node_t *n, int depth)
{
	if (!n || depth > 64)
		return cJSON_CreateNull();
	switch (n->type) {
	case YAML_SCALAR_NODE: {
		const char *v = (const char *)n->data.scalar.value;
		if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
			return cJSON_CreateString(v);
		if (!strcmp(v, "true") || !strcmp(v, "True") || !strcmp(v, "TRUE"))
			return cJSON_CreateTrue();
		if (!strcmp(v, "false") || !strcmp(v, "False") || !strcmp(v, "FALSE"))
			return cJSON_CreateFalse();
		if (!*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") || !strcmp(v, "NULL"))
			return cJSON_CreateNull();
		if (plain_int(v))
			return cJSON_CreateNumber(strtod(v, NULL));
		return cJSON_CreateString(v);
	}
	case YAML_SEQUENCE_NODE: {
		cJSON *a = cJSON_CreateArray();
		for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++)
			cJSON_AddItemToArray(a, node_json(doc, yaml_document_get_node(doc, *i), depth + 1));
		return a;
	}
	case YAML_MAPPING_NODE: {
		cJSON *o = cJSON_CreateObject();
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(doc, p->key);
			const char *key = k && k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "?";
			set_item(o, key, node_json(doc, yaml_document_get_node(doc, p->value), depth + 1));
		}
		return o;
	}
	default:
		return cJSON_CreateNull();
	}
}

/* NULL when the text is not YAML; an empty document is an empty map. */
cJSON *sbx_yaml_to_json(const char *text)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	if (!yaml_parser_initialize(&parser))
		return NULL;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
	cJSON *out = NULL;
	if (yaml_parser_load(&parser, &doc)) {
		yaml_node_t *root = yaml_document_get_root_node(&doc);
		out = root ? node_json(&doc, root, 0) : cJSON_CreateObject();
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	return out;
}

/* ---- the definition's schema (periodic_scheduler/spec/priv/header-v1.0.yml, v1.2.yml),
 * errors as ExJsonSchema words them, the list shown by inspect ---- */

static void err_add(sbx_errs *e, const char *msg, const char *path)
{
	char esc[512];
	size_t j = 0;
	for (const char *c = msg; *c && j + 3 < sizeof(esc); c++) {
		if (*c == '"' || *c == '\\')
			esc[j++] = '\\';
		esc[j++] = *c;
	}
	esc[j] = '\0';
	int w = snprintf(e->buf + e->len, sizeof(e->buf) - e->len, "%s{\"%s\", \"%s\"}", e->n ? ", " : "", esc, path);
	if (w > 0 && e->len + (size_t)w < sizeof(e->buf))
		e->len += (size_t)w;
	e->n++;
}

static const char *type_name(const cJSON *v)
{
	if (cJSON_IsString(v))
		return "String";
	if (cJSON_IsBool(v))
		return "Boolean";
	if (cJSON_IsNull(v))
		return "Null";
	if (cJSON_IsArray(v))
		return "Array";
	if (cJSON_IsObject(v))
		return "Object";
	if (cJSON_IsNumber(v))
		return v->valuedouble == (double)(long long)v->valuedouble ? "Integer" : "Number";
	return "Null";
}

/* want: "string", "boolean", "object", "array" */
static bool type_ok(sbx_errs *e, const cJSON *v, const char *want, const char *path)
{
	bool ok = !strcmp(want, "string")    ? cJSON_IsString(v)
		  : !strcmp(want, "boolean") ? cJSON_IsBool(v)
		  : !strcmp(want, "object")  ? cJSON_IsObject(v)
					     : cJSON_IsArray(v);
	if (!ok) {
		char msg[128];
		snprintf(msg, sizeof(msg), "Type mismatch. Expected %c%s but got %s.", toupper((unsigned char)want[0]),
			 want + 1, type_name(v));
		err_add(e, msg, path);
	}
	return ok;
}

typedef struct prop {
	const char *name, *type;
} prop;

/* properties (typed), additionalProperties: false, required */
static void check_object(sbx_errs *e, const cJSON *o, const char *path, const prop *props, const char *const *required)
{
	if (!type_ok(e, o, "object", path))
		return;
	for (size_t i = 0; required && required[i]; i++)
		if (!cJSON_GetObjectItemCaseSensitive(o, required[i])) {
			char msg[128];
			snprintf(msg, sizeof(msg), "Required property %s was not present.", required[i]);
			err_add(e, msg, path);
		}
	const cJSON *it;
	cJSON_ArrayForEach(it, o) {
		char sub[256];
		snprintf(sub, sizeof(sub), "%s/%s", path, it->string);
		const prop *p = props;
		while (p->name && strcmp(p->name, it->string))
			p++;
		if (!p->name)
			err_add(e, "Schema does not allow additional properties.", sub);
		else if (p->type)
			type_ok(e, it, p->type, sub);
	}
}

void sbx_check_schedule_header(sbx_errs *e, const cJSON *def)
{
	static const prop top[] = {{"apiVersion", "string"}, {"kind", "string"}, {"metadata", NULL}, {"spec", "object"}, {NULL, NULL}};
	static const char *const top_req[] = {"apiVersion", "kind", "metadata", "spec", NULL};
	static const prop meta[] = {{"name", "string"}, {"id", "string"}, {"description", "string"}, {NULL, NULL}};
	static const char *const meta_req[] = {"name", NULL};
	check_object(e, def, "#", top, top_req);
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(def, "metadata");
	if (m)
		check_object(e, m, "#/metadata", meta, meta_req);
}

void sbx_check_schedule_v12(sbx_errs *e, const cJSON *spec)
{
	static const prop props[] = {{"project", "string"}, {"reference", NULL}, {"at", "string"},
				     {"pipeline_file", "string"}, {"paused", "boolean"}, {"recurring", "boolean"},
				     {"parameters", NULL}, {NULL, NULL}};
	static const char *const req[] = {"project", "recurring", NULL};
	check_object(e, spec, "#", props, req);
	if (!cJSON_IsObject(spec))
		return;
	/* anyOf: [required: [reference], required: [branch]] */
	if (!cJSON_GetObjectItemCaseSensitive(spec, "reference") && !cJSON_GetObjectItemCaseSensitive(spec, "branch"))
		err_add(e, "Expected any of the schemata to match but none did.", "#");
	const cJSON *ref = cJSON_GetObjectItemCaseSensitive(spec, "reference");
	if (ref) {
		static const prop rp[] = {{"type", "string"}, {"name", "string"}, {NULL, NULL}};
		static const char *const rr[] = {"type", "name", NULL};
		check_object(e, ref, "#/reference", rp, rr);
		const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ref, "type"));
		if (type && strcmp(type, "BRANCH") && strcmp(type, "TAG") && strcmp(type, "PR")) {
			char msg[256];
			snprintf(msg, sizeof(msg), "Value \"%.200s\" is not allowed in enum.", type);
			err_add(e, msg, "#/reference/type");
		}
	}
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(spec, "parameters");
	if (params && type_ok(e, params, "array", "#/parameters")) {
		static const prop pp[] = {{"name", "string"}, {"options", "array"}, {"required", "boolean"},
					  {"default_value", "string"}, {"description", "string"},
					  {"regex_pattern", "string"}, {"validate_input_format", "boolean"}, {NULL, NULL}};
		static const char *const pr[] = {"name", "required", NULL};
		int i = 0;
		const cJSON *p;
		cJSON_ArrayForEach(p, params) {
			char path[64];
			snprintf(path, sizeof(path), "#/parameters/%d", i++);
			check_object(e, p, path, pp, pr);
		}
	}
}

/* ---- cron (Crontab.CronExpression.Parser, as CronValidator.parse calls it) ---- */

static const char *const months[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC", NULL};
static const char *const days[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", NULL};

static bool cron_value(const char *v, size_t len, int lo, int hi, const char *const *names, int name_base)
{
	if (!len)
		return false;
	if (names && len == 3)
		for (int i = 0; names[i]; i++)
			if (!strncasecmp(v, names[i], 3))
				return true;
	long n = 0;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)v[i]) || i > 5)
			return false;
		n = n * 10 + (v[i] - '0');
	}
	(void)name_base;
	return n >= lo && n <= hi;
}

static bool cron_field(const char *f, int lo, int hi, const char *const *names, int name_base)
{
	char *copy = strdup(f), *save = NULL;
	bool ok = *f != '\0' && f[strlen(f) - 1] != ',';
	for (char *part = strtok_r(copy, ",", &save); ok && part; part = strtok_r(NULL, ",", &save)) {
		char *slash = strchr(part, '/');
		if (slash) {
			*slash++ = '\0';
			ok = cron_value(slash, strlen(slash), 1, 100000, NULL, 0);
		}
		if (!ok)
			break;
		if (!strcmp(part, "*"))
			continue;
		char *dash = strchr(part, '-');
		if (dash)
			ok = cron_value(part, (size_t)(dash - part), lo, hi, names, name_base) &&
			     cron_value(dash + 1, strlen(dash + 1), lo, hi, names, name_base);
		else
			ok = cron_value(part, strlen(part), lo, hi, names, name_base);
	}
	free(copy);
	return ok;
}

/* true when expr parses; else detail says why */
bool sbx_cron_ok(const char *expr, char *detail, size_t n)
{
	static const char *const special[] = {"@yearly", "@annually", "@monthly", "@weekly", "@daily",
					      "@midnight", "@hourly", "@reboot", NULL};
	char *copy = strdup(expr), *save = NULL, *fields[8];
	int nf = 0;
	for (char *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save))
		if (nf < 8)
			fields[nf++] = t;
		else
			nf++;
	bool ok = false;
	if (nf == 1 && fields[0][0] == '@') {
		for (int i = 0; special[i]; i++)
			ok = ok || !strcasecmp(fields[0], special[i]);
		if (!ok)
			snprintf(detail, n, "Can't parse %s as special expression.", fields[0]);
	} else if (nf < 5) {
		snprintf(detail, n, "The Cron Format String contains too few values.");
	} else if (nf > 6) {
		snprintf(detail, n, "The Cron Format String contains too many values.");
	} else {
		static const struct { const char *name; int lo, hi; const char *const *names; } iv[] = {
			{"minute", 0, 59, NULL}, {"hour", 0, 23, NULL}, {"day", 1, 31, NULL},
			{"month", 1, 12, months}, {"weekday", 0, 7, days}, {"year", 0, 9999, NULL}};
		ok = true;
		for (int i = 0; i < nf && ok; i++)
			if (!cron_field(fields[i], iv[i].lo, iv[i].hi, iv[i].names, 0)) {
				ok = false;
				snprintf(detail, n, "Can't parse %s as %s.", fields[i], iv[i].name);
			}
	}
	free(copy);
	return ok;
}


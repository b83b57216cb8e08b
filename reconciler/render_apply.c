/*
 * render_apply: the apply result as JSON, and a saved plan made back into a
 * cf_plan so the same renderers print it as they print a fresh one.
 */
#include "reconciler/render_apply.h"
#include "reconciler/plan_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const outcomes[] = {
	[CF_NOT_STARTED] = "not_applied",
	[CF_APPLIED] = "applied",
	[CF_FAILED] = "failed",
};

static void add_str_or_null(cJSON *o, const char *key, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

static const char *result_word(const cf_plan *plan, const cf_apply_result *res)
{
	if (!plan->count || !res)
		return "nothing";
	if (res->interrupted)
		return "interrupted";
	return res->applied == plan->count ? "applied" : "failed";
}

char *cf_render_apply_json(const cf_plan *plan, const cf_apply_result *res, const char *error)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "format_version", "1");
	cJSON_AddStringToObject(root, "result", result_word(plan, res));
	add_str_or_null(root, "error", error);
	cJSON *changes = cJSON_AddArrayToObject(root, "changes");
	size_t n[3] = {0};
	for (size_t i = 0; i < plan->count; i++) {
		const cf_change *c = &plan->changes[i];
		cf_change_state st = res && i < res->count ? res->states[i] : CF_NOT_STARTED;
		n[st]++;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "address", c->address);
		cJSON_AddStringToObject(o, "action", cf_action_names[c->action]);
		cJSON_AddStringToObject(o, "outcome", outcomes[st]);
		add_str_or_null(o, "id", res && i < res->count && res->ids[i] ? res->ids[i] : c->id);
		add_str_or_null(o, "error", res && i < res->count ? res->errors[i] : NULL);
		cJSON_AddItemToArray(changes, o);
	}
	cJSON *summary = cJSON_AddObjectToObject(root, "summary");
	cJSON_AddNumberToObject(summary, "applied", (double)n[CF_APPLIED]);
	cJSON_AddNumberToObject(summary, "failed", (double)n[CF_FAILED]);
	cJSON_AddNumberToObject(summary, "not_applied", (double)n[CF_NOT_STARTED]);
	char *s = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	char *out = cf_xasprintf("%s\n", s);
	free(s);
	return out;
}

/* The JSON plan keeps no pointer into static tables: these map its words back. */
static int action_of(const char *name)
{
	for (int a = 0; name && a < CF_NACTIONS; a++)
		if (!strcmp(cf_action_names[a], name))
			return a;
	return -1;
}

static const char *change_word(const char *w)
{
	static const char *const words[] = {"added", "changed", "removed", NULL};
	for (size_t i = 0; w && words[i]; i++)
		if (!strcmp(words[i], w))
			return words[i];
	return "changed";
}

static char *dup_or_null(const cJSON *o, const char *key)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
	return v ? cf_xstrdup(v) : NULL;
}

static cJSON *dup_value(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return v && !cJSON_IsNull(v) ? cJSON_Duplicate(v, 1) : NULL;
}

static void field_from_json(cf_field_change *f, const cJSON *j)
{
	memset(f, 0, sizeof(*f));
	const char *path = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "path"));
	f->path = cf_xstrdup(path ? path : "?");
	f->sensitive = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "sensitive"));
	if (f->sensitive) {
		f->change = change_word(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "change")));
		f->plain = dup_or_null(j, "after");
		return;
	}
	f->before = dup_value(j, "before");
	f->after = dup_value(j, "after");
	/* the JSON does not say how a list was shown: rule lists, the only
	 * lists of mappings a plan has, are shown item by item */
	const cJSON *l = f->after ? f->after : f->before;
	f->list_items = cJSON_IsArray(l) && (!l->child || cJSON_IsObject(l->child));
}

static int change_from_json(cf_change *c, const cJSON *j, cf_error *err)
{
	memset(c, 0, sizeof(*c));
	const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "kind"));
	int action = action_of(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "action")));
	c->address = dup_or_null(j, "address");
	c->kind = kind ? cf_kind_find(kind) : NULL;
	if (!c->kind || action < 0 || !c->address)
		return cf_error_set(err, CF_EUSAGE, "a change in the saved plan has no known kind, action or address");
	c->action = (cf_action)action;
	c->id = dup_or_null(j, "id");
	c->project_id = dup_or_null(j, "project_id");
	c->name = dup_or_null(j, "name");
	const cJSON *fields = cJSON_GetObjectItemCaseSensitive(j, "fields"), *f;
	c->fields.items = cf_xcalloc((size_t)cJSON_GetArraySize(fields) + 1, sizeof(cf_field_change));
	cJSON_ArrayForEach(f, fields)
		field_from_json(&c->fields.items[c->fields.count++], f);
	const cJSON *notes = cJSON_GetObjectItemCaseSensitive(j, "notes"), *n;
	c->notes = cf_xcalloc((size_t)cJSON_GetArraySize(notes) + 1, sizeof(char *));
	cJSON_ArrayForEach(n, notes)
		if (cJSON_IsString(n))
			c->notes[c->nnotes++] = cf_xstrdup(n->valuestring);
	return CF_OK;
}

static int plan_from_json(cf_plan **out, const cJSON *j, cf_error *err)
{
	cf_plan *p = cf_xcalloc(1, sizeof(*p));
	const cJSON *changes = cJSON_GetObjectItemCaseSensitive(j, "changes"), *c;
	p->changes = cf_xcalloc((size_t)cJSON_GetArraySize(changes) + 1, sizeof(cf_change));
	int rc = CF_OK;
	cJSON_ArrayForEach(c, changes) {
		rc = change_from_json(&p->changes[p->count++], c, err);
		if (rc != CF_OK)
			break;
		p->counts[p->changes[p->count - 1].action]++;
	}
	const cJSON *unmanaged = cJSON_GetObjectItemCaseSensitive(j, "unmanaged"), *u;
	p->unmanaged = cf_xcalloc((size_t)cJSON_GetArraySize(unmanaged) + 1, sizeof(cf_unmanaged));
	cJSON_ArrayForEach(u, unmanaged) {
		if (rc != CF_OK)
			break;
		const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(u, "kind"));
		cf_unmanaged *m = &p->unmanaged[p->nunmanaged++];
		m->kind = kind ? cf_kind_find(kind) : NULL;
		m->address = dup_or_null(u, "address");
		m->id = dup_or_null(u, "id");
		if (!m->kind || !m->address)
			rc = cf_error_set(err, CF_EUSAGE, "an unmanaged resource in the saved plan has no known kind or address");
	}
	const cJSON *unchanged = cf_json_path(j, "summary.unchanged");
	p->unchanged = cJSON_IsNumber(unchanged) && unchanged->valuedouble >= 0 ? (size_t)unchanged->valuedouble : 0;
	if (rc != CF_OK) {
		cf_plan_free(p);
		p = NULL;
	}
	*out = p;
	return rc;
}

static char *read_all(const char *path, cf_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		cf_error_set(err, CF_EIO, "%s: cannot be read", path);
		return NULL;
	}
	size_t len = 0, cap = 65536;
	char *text = cf_xmalloc(cap);
	for (size_t n; (n = fread(text + len, 1, cap - len - 1, f)) > 0;) {
		len += n;
		if (cap - len < 2)
			text = cf_xrealloc(text, cap *= 2);
	}
	fclose(f);
	text[len] = '\0';
	return text;
}

int cf_render_saved_plan(char **out, const char *path, const char *format, bool color, cf_error *err)
{
	*out = NULL;
	cf_saved_plan saved;
	int rc = cf_plan_file_read(&saved, path, err); /* the one judge of what a saved plan is */
	cf_saved_plan_clear(&saved);
	if (rc != CF_OK)
		return rc;
	char *text = read_all(path, err);
	if (!text)
		return CF_EIO;
	cJSON *root = cJSON_Parse(text);
	free(text);
	const cJSON *pj = cJSON_GetObjectItemCaseSensitive(root, "plan");
	if (!strcmp(format, "json")) {
		char *s = cJSON_PrintUnformatted(pj);
		*out = cf_xasprintf("%s\n", s);
		free(s);
		cJSON_Delete(root);
		return CF_OK;
	}
	cf_plan *plan = NULL;
	rc = plan_from_json(&plan, pj, err);
	if (rc == CF_OK) {
		cf_render_opts ro = {.color = color,
				     .git_commit = cJSON_GetStringValue(cf_json_path(pj, "source.git_commit"))};
		*out = !strcmp(format, "markdown") ? cf_render_markdown(plan, &ro) : cf_render_text(plan, &ro);
	} else {
		char *m = cf_xasprintf("%s: %s", path, err->message);
		cf_error_clear(err);
		rc = cf_error_set(err, rc, "%s", m);
		free(m);
	}
	cf_plan_free(plan);
	cJSON_Delete(root);
	return rc;
}

/*
 * render_json: the JSON plan (docs/plan-json.md), field for field. Other
 * tools parse it: change nothing here without changing that document and
 * format_version.
 */
#include "reconciler/render.h"

#include <stdlib.h>

static void add_str_or_null(cJSON *o, const char *key, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

static cJSON *field_json(const cf_field_change *f)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "path", f->path);
	if (f->sensitive) {
		cJSON_AddStringToObject(o, "change", f->change);
		if (f->plain) /* written plainly in the spec, so already in git */
			cJSON_AddStringToObject(o, "after", f->plain);
		if (f->comparison) /* the server shows the value only in part */
			cJSON_AddStringToObject(o, "comparison", f->comparison);
	} else {
		cJSON_AddItemToObject(o, "before", f->before ? cJSON_Duplicate(f->before, 1) : cJSON_CreateNull());
		cJSON_AddItemToObject(o, "after", f->after ? cJSON_Duplicate(f->after, 1) : cJSON_CreateNull());
	}
	cJSON_AddBoolToObject(o, "sensitive", f->sensitive);
	return o;
}

/* The API's own word for an activation, deactivation or prune (kind.h). */
static const char *operation(const cf_change *c)
{
	const cf_kind *k = c->kind;
	return c->action == CF_ACTIVATE ? k->activate_op : c->action == CF_DEACTIVATE ? k->deactivate_op
	       : c->action == CF_DELETE && !c->res ? k->prune_op : NULL;
}

cJSON *cf_render_json_object(const cf_plan *p, const cf_render_opts *o)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "format_version", "1");
	cJSON *src = cJSON_AddObjectToObject(root, "source");
	cJSON *paths = cJSON_AddArrayToObject(src, "paths");
	for (size_t i = 0; o && i < o->npaths; i++)
		cJSON_AddItemToArray(paths, cJSON_CreateString(o->paths[i]));
	if (o && o->npaths == 0)
		cJSON_AddItemToArray(paths, cJSON_CreateString("."));
	add_str_or_null(src, "git_commit", o ? o->git_commit : NULL);
	cJSON *changes = cJSON_AddArrayToObject(root, "changes");
	for (size_t i = 0; i < p->count; i++) {
		const cf_change *c = &p->changes[i];
		cJSON *ch = cJSON_CreateObject();
		cJSON_AddStringToObject(ch, "action", cf_action_names[c->action]);
		cJSON_AddStringToObject(ch, "kind", c->kind->name);
		cJSON_AddStringToObject(ch, "address", c->address);
		add_str_or_null(ch, "id", c->id);
		add_str_or_null(ch, "project_id", c->project_id);
		add_str_or_null(ch, "name", c->name);
		if (c->replace)
			cJSON_AddBoolToObject(ch, "replace", true);
		const char *op = operation(c);
		if (op)
			cJSON_AddStringToObject(ch, "operation", op);
		cJSON *fields = cJSON_AddArrayToObject(ch, "fields");
		for (size_t j = 0; j < c->fields.count; j++)
			cJSON_AddItemToArray(fields, field_json(&c->fields.items[j]));
		cJSON *notes = c->nnotes ? cJSON_AddArrayToObject(ch, "notes") : NULL;
		for (size_t j = 0; j < c->nnotes; j++)
			cJSON_AddItemToArray(notes, cJSON_CreateString(c->notes[j]));
		cJSON_AddItemToArray(changes, ch);
	}
	cJSON *unmanaged = cJSON_AddArrayToObject(root, "unmanaged");
	for (size_t i = 0; i < p->nunmanaged; i++) {
		cJSON *u = cJSON_CreateObject();
		cJSON_AddStringToObject(u, "kind", p->unmanaged[i].kind->name);
		cJSON_AddStringToObject(u, "address", p->unmanaged[i].address);
		add_str_or_null(u, "id", p->unmanaged[i].id);
		cJSON_AddItemToArray(unmanaged, u);
	}
	cJSON *notes = p->nnotes ? cJSON_AddArrayToObject(root, "notes") : NULL; /* only when some */
	for (size_t i = 0; i < p->nnotes; i++)
		cJSON_AddItemToArray(notes, cJSON_CreateString(p->notes[i]));
	cJSON *unverifiable = cJSON_AddArrayToObject(root, "unverifiable");
	for (size_t i = 0; i < p->nunverifiable; i++) {
		cJSON *u = cJSON_CreateObject();
		cJSON_AddStringToObject(u, "kind", p->unverifiable[i].kind->name);
		cJSON_AddStringToObject(u, "address", p->unverifiable[i].address);
		cJSON_AddStringToObject(u, "reason", p->unverifiable[i].reason);
		cJSON_AddItemToArray(unverifiable, u);
	}
	cJSON *summary = cJSON_AddObjectToObject(root, "summary");
	for (int a = 0; a < CF_NACTIONS; a++)
		cJSON_AddNumberToObject(summary, cf_action_names[a], (double)p->counts[a]);
	cJSON_AddNumberToObject(summary, "unchanged", (double)p->unchanged);
	return root;
}

char *cf_render_json(const cf_plan *p, const cf_render_opts *o)
{
	cJSON *root = cf_render_json_object(p, o);
	char *s = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	char *out = cf_xasprintf("%s\n", s);
	free(s);
	return out;
}

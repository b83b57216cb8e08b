/* In-memory fixtures for the core's diff, plan and render tests: test-only
 * kinds with a small diff table, resources built directly (no loader, no
 * kind checks) and live state built with cf_live_add (no server, no vendor). */
#ifndef CF_TEST_INMEM_H
#define CF_TEST_INMEM_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include "reconciler/codec.h"
#include "reconciler/diff.h"
#include "reconciler/live.h"
#include "reconciler/locs.h"
#include "reconciler/manifest.h"
#include "reconciler/plan.h"
#include "reconciler/provider.h"
#include "reconciler/render.h"

/* The widget table: a plain value, a value an omitting spec leaves alone, a
 * list shown item by item, and a secret set keyed by name. */
static const cf_diff_field widget_diff[] = {
	{.name = "metadata.url", .desired = "metadata.url", .live = "url", .fallback = "\"\"", .type = CF_D_VALUE},
	{
		.name = "spec.mode", .desired = "spec.mode", .live = "mode", .fallback = "\"auto\"",
		.type = CF_D_VALUE, .omitted_keeps_live = true,
		.omitted_note = "spec.mode: not in the spec: the server's default, auto",
	},
	{
		.name = "spec.rules", .desired = "spec.rules", .live = "rules", .fallback = "[]",
		.type = CF_D_VALUE, .list_items = true, .empty_note = "spec.rules is empty: nothing matches",
	},
	{
		.name = "spec.env_vars", .desired = "spec.env_vars", .live = "env_vars", .fallback = "[]",
		.type = CF_D_SECRETS, .key = "name", .value = "value", .show_plain = true,
	},
	{.name = NULL},
};

#define HIDDEN_REASON "the server never shows this vault's values"

static inline const char *vault_values_hidden(const cJSON *api)
{
	(void)api;
	return HIDDEN_REASON;
}

/* A kind of no provider, with spec.active. */
static const cf_kind widget_kind = {
	.name = "Widget", .api_version = "test/v1", .noun = "widget", .has_name = true,
	.diff = widget_diff, .has_active = true,
};

/* The same table, but the live secret values cannot be read. */
static const cf_kind vault_kind = {
	.name = "Vault", .api_version = "test/v1", .noun = "vault", .has_name = true,
	.diff = widget_diff, .values_hidden = vault_values_hidden,
};

static inline cJSON *im_json(const char *text)
{
	cJSON *j = cJSON_Parse(text);
	if (!j)
		fail_msg("fixture JSON does not parse: %s", text);
	return j;
}

static inline cf_resource_set *im_set(void)
{
	return cf_xcalloc(1, sizeof(cf_resource_set));
}

/* Adds a resource at address (the pointer is good until the next add). */
static inline cf_resource *im_res_at(cf_resource_set *s, const cf_kind *k, const char *address,
				     const char *project, const char *name, const char *doc)
{
	s->items = cf_xrealloc(s->items, (s->count + 1) * sizeof(*s->items));
	cf_resource *r = &s->items[s->count++];
	memset(r, 0, sizeof(*r));
	r->kind = k;
	r->address = cf_xstrdup(address);
	r->project = project ? cf_xstrdup(project) : NULL;
	r->name = name ? cf_xstrdup(name) : NULL;
	r->doc = im_json(doc);
	r->file = cf_xstrdup("t.yaml");
	r->line = 1;
	r->column = 1;
	return r;
}

/* A resource of a named kind: address KIND/NAME. */
static inline cf_resource *im_res(cf_resource_set *s, const cf_kind *k, const char *name, const char *doc)
{
	char *address = cf_xasprintf("%s/%s", k->name, name);
	cf_resource *r = im_res_at(s, k, address, NULL, name, doc);
	free(address);
	return r;
}

static inline cf_resource *im_absent(cf_resource_set *s, const cf_kind *k, const char *name)
{
	cf_resource *r = im_res(s, k, name, "{\"metadata\": {\"ensure\": \"absent\"}}");
	r->absent = true;
	return r;
}

static inline cf_live *im_live(void)
{
	return cf_xcalloc(1, sizeof(cf_live));
}

/* A live KIND/NAME with id "id-NAME"; add it once the set is complete (the
 * live indexes point into the set's items). */
static inline cf_live_item *im_live_add(cf_live *live, const cf_resource_set *set, const cf_kind *k,
					const char *name, const char *api)
{
	char *address = cf_xasprintf("%s/%s", k->name, name);
	char *id = cf_xasprintf("id-%s", name);
	cf_live_item *it = cf_live_add(live, set, k, address, id, NULL, name, im_json(api));
	free(address);
	free(id);
	return it;
}

/* The plan of set against live, which must build without problems. */
static inline cf_plan *im_plan(const cf_resource_set *set, const cf_live *live, const cf_plan_opts *opts)
{
	cf_plan *plan = NULL;
	cf_diags d = {0};
	cf_error err = {0};
	int rc = cf_plan_build(&plan, set, live, opts, &d, &err);
	if (rc != CF_OK)
		fail_msg("cf_plan_build: %d (%zu problems, first: %s)", rc, d.count,
			 d.count ? d.items[0].message : err.message ? err.message : "none");
	assert_non_null(plan);
	cf_diags_free(&d);
	cf_error_clear(&err);
	return plan;
}

/* The problems a plan that must fail reports, one message a line. */
static inline char *im_plan_problems(const cf_resource_set *set, const cf_live *live, const cf_plan_opts *opts)
{
	cf_plan *plan = NULL;
	cf_diags d = {0};
	cf_error err = {0};
	int rc = cf_plan_build(&plan, set, live, opts, &d, &err);
	assert_int_equal(rc, CF_EINVALID);
	assert_null(plan);
	char *out = cf_xstrdup("");
	for (size_t i = 0; i < d.count; i++) {
		char *next = cf_xasprintf("%s%s\n", out, d.items[i].message);
		free(out);
		out = next;
	}
	cf_diags_free(&d);
	cf_error_clear(&err);
	return out;
}

/* The change at address with that action, or NULL. */
static inline const cf_change *im_find(const cf_plan *p, cf_action a, const char *address)
{
	for (size_t i = 0; i < p->count; i++)
		if (p->changes[i].action == a && !strcmp(p->changes[i].address, address))
			return &p->changes[i];
	return NULL;
}

/* The field change at path, or NULL. */
static inline const cf_field_change *im_field(const cf_field_changes *fc, const char *path)
{
	for (size_t i = 0; i < fc->count; i++)
		if (!strcmp(fc->items[i].path, path))
			return &fc->items[i];
	return NULL;
}

static inline void im_md5(const char *s, char out[33])
{
	cf_md5_hex(s, strlen(s), out);
}

#endif

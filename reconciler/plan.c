/*
 * plan: desired and live, resource by resource, into ordered changes.
 * Everything kind-specific comes from the kind's table; this file knows the
 * actions, their order, tokens and fingerprints.
 */
#include "reconciler/plan.h"
#include "reconciler/provider.h"
#include "reconciler/locs.h"
#include "reconciler/codec.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const cf_action_names[CF_NACTIONS] = {"create", "update", "delete", "activate", "deactivate"};

/* SHA-256 over the parts, each followed by its NUL, so ("ab","c") != ("a","bc"). */
static void sha256_parts(unsigned char md[32], const char *const *parts, size_t n)
{
	unsigned int len = 0;
	EVP_MD_CTX *x = EVP_MD_CTX_new();
	EVP_DigestInit_ex(x, EVP_sha256(), NULL);
	for (size_t i = 0; i < n; i++)
		EVP_DigestUpdate(x, parts[i], strlen(parts[i]) + 1);
	EVP_DigestFinal_ex(x, md, &len);
	EVP_MD_CTX_free(x);
}

void cf_uuid_from(char out[37], const char *const *parts, size_t n)
{
	unsigned char md[32];
	sha256_parts(md, parts, n);
	md[6] = (unsigned char)((md[6] & 0x0f) | 0x50); /* name-based, SHA: version 5's layout */
	md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 md[0], md[1], md[2], md[3], md[4], md[5], md[6], md[7], md[8], md[9], md[10], md[11],
		 md[12], md[13], md[14], md[15]);
}

void cf_sha256_hex(char out[65], const char *const *lines, size_t n)
{
	unsigned char md[32];
	sha256_parts(md, lines, n);
	for (unsigned int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

typedef struct lines {
	char **v;
	size_t n;
} lines;

/* Keeps the line's own SHA-256, not the line: a fingerprint over 30,000
 * resources then holds 30,000 digests, not 30,000 normalised documents. */
static void line_add(lines *l, char *s)
{
	l->v = cf_xrealloc(l->v, (l->n + 1) * sizeof(char *));
	l->v[l->n] = cf_xmalloc(65);
	cf_sha256_hex(l->v[l->n++], (const char *const[]){s}, 1);
	free(s);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Over the lines' digests, sorted, so the fingerprint does not depend on the
 * order things were read. */
static void fingerprint(char out[65], lines *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(char *), str_cmp);
	cf_sha256_hex(out, (const char *const *)l->v, l->n);
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

typedef struct builder {
	cf_plan *plan;
	const cf_live *live;
	const cf_plan_opts *opts;
	cf_diff_ctx ctx;
	cf_diags *diags;
	lines specs, seen;
} builder;

static bool targeted(const cf_plan_opts *o, const char *address)
{
	if (!o || !o->targets)
		return true;
	for (const char *const *t = o->targets; *t; t++)
		if (!strcmp(*t, address))
			return true;
	return false;
}

static cf_change *add_change(builder *b, cf_action a, const cf_kind *k, const cf_resource *res,
			     const cf_live_item *li, const char *address)
{
	cf_plan *p = b->plan;
	p->changes = cf_xrealloc(p->changes, (p->count + 1) * sizeof(*p->changes));
	cf_change *c = &p->changes[p->count++];
	memset(c, 0, sizeof(*c));
	c->action = a;
	c->kind = k;
	c->res = res;
	c->live = li;
	c->address = cf_xstrdup(address);
	const char *id = li ? li->id : NULL;
	const char *pid = li ? li->project_id : res && res->project ? cf_live_project_id(b->live, res->project) : NULL;
	const char *name = li ? li->name : res ? res->name : NULL;
	c->id = id ? cf_xstrdup(id) : NULL;
	c->project_id = pid ? cf_xstrdup(pid) : NULL;
	c->name = name ? cf_xstrdup(name) : NULL;
	if (a == CF_DELETE && k->delete_note) { /* what a delete of this kind really does */
		c->notes = cf_xcalloc(1, sizeof(char *));
		c->notes[c->nnotes++] = cf_xstrdup(k->delete_note);
	}
	p->counts[a]++;
	return c;
}

static void set_token(cf_change *c, const cJSON *lnorm, const cJSON *desired)
{
	char *l = lnorm ? cJSON_PrintUnformatted(lnorm) : cf_xstrdup("");
	char *d = desired ? cJSON_PrintUnformatted(desired) : cf_xstrdup("");
	const char *parts[] = {c->address, cf_action_names[c->action], l, d};
	cf_uuid_from(c->token, parts, 4);
	free(l);
	free(d);
}

static bool is_active(const cJSON *obj, const char *path)
{
	return !cJSON_IsFalse(cf_json_path(obj, path));
}

/* "<md5> [md5]" keeps a live value: there must be one, with that MD5. The
 * message names the entry, never the MD5 (a short secret's MD5 is a
 * dictionary look-up away). */
static void check_placeholders(builder *b, const cf_resource *r, const cJSON *lnorm)
{
	for (const cf_diff_field *f = r->kind->diff; f->name; f++) {
		if (f->type != CF_D_SECRETS)
			continue;
		const cJSON *e;
		int i = -1;
		cJSON_ArrayForEach(e, cf_json_path(r->doc, f->desired)) {
			i++;
			const char *k = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, f->key));
			const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, f->value));
			const char *have = k ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
						       cJSON_GetObjectItemCaseSensitive(lnorm, f->name), k)) : NULL;
			if (k && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "live")) && !have) {
				char *at = cf_xasprintf("%s[%d]", f->desired, i);
				/* worded for every vendor's spelling (valueFrom: {live: true}, keepLive: true) */
				cf_resource_diag(b->diags, r, at, "%s.%s: the entry keeps the live value, "
						 "but %s has no such entry live", f->name, k, r->address);
				free(at);
			}
			if (!k || !v || !cf_is_md5_placeholder(v))
				continue;
			if (!have || strncasecmp(have, v, 32) != 0) {
				char *at = cf_xasprintf("%s[%d].%s", f->desired, i, f->value);
				cf_resource_diag(b->diags, r, at, "%s.%s: the [md5] placeholder keeps a live value, but "
						 "the live %s has %s", f->name, k, r->kind->noun ? r->kind->noun : "resource",
						 have ? "a value with a different MD5" : "no such entry");
				free(at);
			}
		}
	}
}

static void note_add(cf_change *c, char *note)
{
	c->notes = cf_xrealloc(c->notes, (c->nnotes + 1) * sizeof(char *));
	c->notes[c->nnotes++] = note;
}

/* Takes the field called name out of c's list (only when its value is null,
 * if only_null). */
static void drop_field(cf_change *c, const char *name, bool only_null)
{
	for (size_t i = 0; i < c->fields.count; i++) {
		cf_field_change *gone = &c->fields.items[i];
		if (strcmp(gone->path, name) != 0)
			continue;
		if (only_null && !(gone->after && cJSON_IsNull(gone->after)))
			return;
		free(gone->path);
		cJSON_Delete(gone->before);
		cJSON_Delete(gone->after);
		free(gone->plain);
		memmove(&c->fields.items[i], &c->fields.items[i + 1], (c->fields.count - i - 1) * sizeof(cf_field_change));
		c->fields.count--;
		return;
	}
}

/* What a reviewer should read beside the fields: the normalisers' notes, a
 * create's defaults for what the spec omits (instead of the default's value),
 * a create's field the spec omits and the server defaults (null: left out),
 * and empty lists. */
static void annotate(builder *b, cf_change *c, const cf_resource *r)
{
	const cJSON *n;
	cJSON_ArrayForEach(n, b->ctx.notes)
		note_add(c, cf_xstrdup(n->valuestring));
	for (const cf_diff_field *f = r->kind->diff; f->name; f++) {
		const cJSON *v = cf_json_path(r->doc, f->desired);
		if (!v && f->omitted_note && c->action == CF_CREATE) {
			drop_field(c, f->name, false);
			note_add(c, cf_xstrdup(f->omitted_note));
		} else if (!v && f->omitted_keeps_live && c->action == CF_CREATE) {
			drop_field(c, f->name, true); /* not sent: "null" would say what the server does not */
		}
		if (cJSON_IsArray(v) && !v->child && f->empty_note)
			note_add(c, cf_xstrdup(f->empty_note));
	}
}

/* A secret written plainly in the spec is in git already: show it. Its place
 * in the manifest tells (the loader keeps where each value stood); values
 * read through valueFrom or source have no such place. */
static void show_plain_values(cf_change *c, const cf_resource *r)
{
	for (size_t i = 0; i < c->fields.count; i++) {
		cf_field_change *fc = &c->fields.items[i];
		for (const cf_diff_field *f = r->kind->diff; f->name && fc->sensitive; f++) {
			size_t nl = strlen(f->name);
			if (!f->show_plain || strncmp(fc->path, f->name, nl) != 0 || fc->path[nl] != '.')
				continue;
			const cJSON *e;
			int idx = -1;
			cJSON_ArrayForEach(e, cf_json_path(r->doc, f->desired)) {
				idx++;
				const char *k = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, f->key));
				const char *vk = f->plain_value ? f->plain_value : f->value;
				const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, vk));
				if (!k || !v || strcmp(k, fc->path + nl + 1) != 0 || cf_is_md5_placeholder(v))
					continue;
				char *at = cf_xasprintf("%s[%d].%s", f->desired, idx, vk);
				int line, col;
				if (cf_locs_find(r->locs, at, &line, &col))
					fc->plain = cf_xstrdup(v);
				free(at);
			}
		}
	}
}

static void unverifiable(builder *b, const cf_resource *r, const char *reason)
{
	cf_plan *p = b->plan;
	p->unverifiable = cf_xrealloc(p->unverifiable, (p->nunverifiable + 1) * sizeof(*p->unverifiable));
	p->unverifiable[p->nunverifiable++] = (cf_unverifiable){.kind = r->kind, .address = cf_xstrdup(r->address),
								.reason = cf_xstrdup(reason)};
}

/* A change to a resource the server cannot update in place: delete it, then
 * create it anew. The create sends every value, so none may be one that only
 * keeps what live holds ("[md5]" or live: true): live cannot be read. */
static cf_change *replacement(builder *b, const cf_resource *r, const cf_live_item *li, const cJSON *lnorm)
{
	for (const cf_diff_field *f = r->kind->diff; f->name; f++) {
		const cJSON *e, *list = f->type == CF_D_SECRETS ? cf_json_path(r->doc, f->desired) : NULL;
		int i = -1;
		cJSON_ArrayForEach(e, list) {
			i++;
			const char *k = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, f->key));
			const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, f->value));
			bool keep = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "live"));
			if (!keep && !(v && cf_is_md5_placeholder(v)))
				continue;
			char *at = cf_xasprintf("%s[%d]", f->desired, i);
			cf_resource_diag(b->diags, r, at, "%s.%s: %s must be replaced (the server cannot update it while its "
					 "values are hidden), which sends every value, but this entry only keeps the live "
					 "one (%s): write its value", f->name, k ? k : "?", r->address,
					 keep ? "valueFrom: {live: true}" : "an [md5] placeholder");
			free(at);
		}
	}
	cf_change *del = add_change(b, CF_DELETE, r->kind, r, li, r->address);
	del->replace = true;
	set_token(del, lnorm, NULL);
	note_add(del, cf_xstrdup("replaced: deleted, then created anew (a new id; jobs that start in between "
				 "do not find it)"));
	cf_change *c = add_change(b, CF_CREATE, r->kind, r, NULL, r->address);
	c->replace = true;
	b->plan->replacements++;
	return c;
}

/* A live resource that needs a write though its fields match. */
static cf_change *live_problem(builder *b, const cf_resource *r, const cf_live_item *li, const cJSON *api,
			       cf_change *c)
{
	const char *field = NULL, *after = NULL;
	char *why = api && r->kind->live_problem ? r->kind->live_problem(api, b->opts, &field, &after) : NULL;
	if (!why)
		return c;
	if (!c)
		c = add_change(b, CF_UPDATE, r->kind, r, li, r->address);
	c->fields.items = cf_xrealloc(c->fields.items, (c->fields.count + 1) * sizeof(cf_field_change));
	cf_field_change *f = &c->fields.items[c->fields.count++];
	memset(f, 0, sizeof(*f));
	f->path = cf_xstrdup(field);
	f->before = cJSON_CreateString(why);
	f->after = cJSON_CreateString(after);
	c->secrets = true;
	c->repair = true;
	free(why);
	return c;
}

static void clear_error(cf_diff_ctx *ctx)
{
	free(ctx->error);
	free(ctx->error_path);
	ctx->error = ctx->error_path = NULL;
}

/* The specs fingerprint's line for a resource: what the spec says, on its
 * own. The desired shape the plan compared may hold live values (fields the
 * spec omits keep live; entries that keep a live secret) and, for a kind
 * whose values are hidden, no values at all: normalised again without live,
 * values hashed, so a saved plan goes stale when a value in the spec changes
 * and not when only live moved. */
static void spec_line(builder *b, const cf_resource *r, const cJSON *desired, bool want)
{
	cf_diff_ctx solo = {.roles = b->ctx.roles, .desired_doc = r->doc, .notes = cJSON_CreateArray()};
	cJSON *own = cf_diff_normalize(r->kind->diff, r->doc, true, &solo);
	char *d = cJSON_PrintUnformatted(own ? own : desired);
	line_add(&b->specs, cf_xasprintf("%s %s %d", r->address, d, want));
	free(d);
	cJSON_Delete(own);
	cJSON_Delete(solo.notes);
	free(solo.error);
	free(solo.error_path);
}

static void plan_note(builder *b, char *note)
{
	cf_plan *p = b->plan;
	p->notes = cf_xrealloc(p->notes, (p->nnotes + 1) * sizeof(*p->notes));
	p->notes[p->nnotes++] = note;
}

static void plan_resource(builder *b, const cf_resource *r)
{
	const cf_kind *k = r->kind;
	const cf_live_item *li = cf_live_find(b->live, r->address);
	cJSON_Delete(b->ctx.notes);
	b->ctx.notes = cJSON_CreateArray();
	b->ctx.desired_doc = r->doc;
	cJSON *api = cf_live_api(li); /* parsed for this resource only */
	const char *hidden = api && k->values_hidden ? k->values_hidden(api) : NULL;
	b->ctx.values_hidden = hidden != NULL;
	cJSON *lnorm = li ? cf_diff_normalize(k->diff, api, false, &b->ctx) : NULL;
	b->ctx.live_norm = lnorm;
	size_t before = b->plan->count;
	if (r->absent) {
		if (li)
			set_token(add_change(b, CF_DELETE, k, r, li, r->address), lnorm, NULL);
		line_add(&b->specs, cf_xasprintf("%s absent", r->address));
	} else {
		cJSON *desired = cf_diff_normalize(k->diff, r->doc, true, &b->ctx);
		if (!desired) {
			cf_resource_diag(b->diags, r, b->ctx.error_path, "%s", b->ctx.error);
			clear_error(&b->ctx);
			b->ctx.live_norm = NULL; /* freed next: the next resource must not see it */
			cJSON_Delete(lnorm);
			cJSON_Delete(api);
			return;
		}
		if (!hidden)
			check_placeholders(b, r, lnorm); /* hidden: nothing to check them against */
		cf_field_changes fields;
		cf_diff_compare(&fields, k->diff, lnorm, desired);
		cf_change *c = NULL;
		bool want = is_active(r->doc, "spec.active");
		if (k->has_active && k->frozen_while_inactive && li && !hidden && fields.count && !want &&
		    !is_active(api, "active")) {
			plan_note(b, cf_xasprintf("%s is %s; %zu field(s) differ (not applied while it stays %s)",
						  r->address, k->frozen_while_inactive, fields.count, k->frozen_while_inactive));
			cf_field_changes_free(&fields);
		}
		char *partly = !hidden && api && k->unverified ? k->unverified(api) : NULL;
		if (hidden || partly)
			unverifiable(b, r, hidden ? hidden : partly);
		free(partly);
		if (hidden && fields.count) {
			c = replacement(b, r, li, lnorm);
			c->fields = fields;
		} else if (!li || fields.count) {
			c = add_change(b, li ? CF_UPDATE : CF_CREATE, k, r, li, r->address);
			c->fields = fields;
			for (size_t i = 0; i < fields.count; i++)
				c->secrets = c->secrets || fields.items[i].sensitive;
		} else {
			cf_field_changes_free(&fields);
		}
		c = live_problem(b, r, li, api, c);
		if (c) {
			set_token(c, lnorm, desired);
			annotate(b, c, r);
			show_plain_values(c, r);
		}
		if (k->has_active && want != (li ? is_active(api, "active") : true))
			add_change(b, want ? CF_ACTIVATE : CF_DEACTIVATE, k, r, li, r->address);
		spec_line(b, r, desired, want);
		cJSON_Delete(desired);
	}
	if (li) {
		char *l = lnorm ? cJSON_PrintUnformatted(lnorm) : cf_xstrdup("");
		const char *state = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(api, "state"));
		line_add(&b->seen, cf_xasprintf("%s %s %s %d %s", li->address, li->id ? li->id : "", l,
						is_active(api, "active"), state ? state : ""));
		free(l);
	}
	if (b->plan->count == before)
		b->plan->unchanged++;
	b->ctx.live_norm = NULL;
	cJSON_Delete(lnorm);
	cJSON_Delete(api);
}

static void plan_unmanaged(builder *b, const cf_live_item *li)
{
	line_add(&b->seen, cf_xasprintf("%s %s unmanaged", li->address, li->id ? li->id : ""));
	if (b->opts && b->opts->prune) {
		cJSON *api = cf_live_api(li); /* the token covers what is deleted, as for any change */
		b->ctx.live_norm = NULL;
		cJSON *lnorm = cf_diff_normalize(li->kind->diff, api, false, &b->ctx);
		cf_change *c = add_change(b, CF_DELETE, li->kind, NULL, li, li->address);
		set_token(c, lnorm, NULL);
		if (li->kind->prune_note) /* what a prune of this kind really does */
			note_add(c, cf_xstrdup(li->kind->prune_note));
		clear_error(&b->ctx); /* a live object a normaliser refuses still gets its delete */
		cJSON_Delete(lnorm);
		cJSON_Delete(api);
		return;
	}
	cf_plan *p = b->plan;
	p->unmanaged = cf_xrealloc(p->unmanaged, (p->nunmanaged + 1) * sizeof(*p->unmanaged));
	cf_unmanaged *u = &p->unmanaged[p->nunmanaged++];
	u->kind = li->kind;
	u->address = cf_xstrdup(li->address);
	u->id = li->id ? cf_xstrdup(li->id) : NULL;
}

static int index_in(const char *const *list, const char *name)
{
	int i = 0;
	for (; list && list[i]; i++)
		if (!strcmp(list[i], name))
			return i;
	return i; /* a kind the list forgets runs last of its group */
}

/* The provider's named phase lists (provider.h): writes kind by kind, each
 * kind's replacements (delete, then create) just before its other writes,
 * then the deletes. */
int cf_plan_phase(const cf_change *c)
{
	const cf_provider *p = cf_provider_of(c->kind);
	const char *const *writes = p ? p->write_phases : NULL;
	if (c->action == CF_DELETE && !c->replace)
		return 1000 + index_in(p ? p->delete_phases : NULL, c->kind->name);
	if (c->action == CF_ACTIVATE || c->action == CF_DEACTIVATE)
		return 2 * index_in(writes, CF_PHASE_ACTIVATIONS) + 1;
	return 2 * index_in(writes, c->kind->name) + (c->action == CF_DELETE ? 0 : 1);
}

static int change_cmp(const void *a, const void *b)
{
	const cf_change *x = a, *y = b;
	int px = cf_plan_phase(x), py = cf_plan_phase(y);
	if (px != py)
		return px < py ? -1 : 1;
	return strcmp(x->address, y->address);
}

int cf_plan_build(cf_plan **out, const cf_resource_set *set, const cf_live *live,
		  const cf_plan_opts *opts, cf_diags *diags, cf_error *err)
{
	(void)err;
	size_t before = diags->count;
	builder b = {.plan = cf_xcalloc(1, sizeof(cf_plan)), .live = live, .opts = opts,
		     .ctx = {.roles = live->roles}, .diags = diags};
	for (size_t i = 0; i < set->count; i++)
		if (targeted(opts, set->items[i].address))
			plan_resource(&b, &set->items[i]);
	for (size_t i = 0; i < live->count; i++)
		if (!live->items[i].res && targeted(opts, live->items[i].address))
			plan_unmanaged(&b, &live->items[i]);
	if (b.plan->count > 1)
		qsort(b.plan->changes, b.plan->count, sizeof(cf_change), change_cmp);
	fingerprint(b.plan->specs_fingerprint, &b.specs);
	fingerprint(b.plan->live_fingerprint, &b.seen);
	free(b.ctx.error);
	free(b.ctx.error_path);
	cJSON_Delete(b.ctx.notes);
	if (diags->count > before) {
		cf_diags_sort(diags);
		cf_plan_free(b.plan);
		*out = NULL;
		return CF_EINVALID;
	}
	*out = b.plan;
	return CF_OK;
}

bool cf_plan_has_changes(const cf_plan *plan)
{
	return plan->count > 0;
}

void cf_plan_free(cf_plan *plan)
{
	if (!plan)
		return;
	for (size_t i = 0; i < plan->count; i++) {
		cf_change *c = &plan->changes[i];
		free(c->address);
		free(c->id);
		free(c->project_id);
		free(c->name);
		cf_field_changes_free(&c->fields);
		for (size_t j = 0; j < c->nnotes; j++)
			free(c->notes[j]);
		free(c->notes);
	}
	for (size_t i = 0; i < plan->nunmanaged; i++) {
		free(plan->unmanaged[i].address);
		free(plan->unmanaged[i].id);
	}
	free(plan->changes);
	free(plan->unmanaged);
	for (size_t i = 0; i < plan->nunverifiable; i++) {
		free(plan->unverifiable[i].address);
		free(plan->unverifiable[i].reason);
	}
	free(plan->unverifiable);
	for (size_t i = 0; i < plan->nnotes; i++)
		free(plan->notes[i]);
	free(plan->notes);
	free(plan);
}

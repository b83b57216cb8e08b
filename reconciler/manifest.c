/*
 * manifest: the loader. Files -> YAML documents -> checked resources.
 *
 * Everything kind-specific comes from the cf_kind tables; this file knows
 * only what all kinds share: apiVersion and kind, the project reference,
 * ensure, how an address is made, and that an address is defined once.
 */
#include "reconciler/manifest.h"
#include "reconciler/codec.h"
#include "reconciler/provider.h"
#include "reconciler/locs.h"
#include "reconciler/suggest.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const cf_ensure_words[] = {"present", "absent", NULL};

static const cf_load_opts *opts_of(cf_kctx *kc)
{
	return kc->opts;
}

static void kreport(cf_kctx *kc, cf_severity sev, const char *path, const char *fmt, va_list ap)
{
	yaml_node_t *at = cf_ypath(kc->y, kc->root, path);
	/* fall back to the nearest parent that is there */
	char *p = cf_xstrdup(path);
	while (!at && *p) {
		char *cut = strrchr(p, '.');
		char *br = strrchr(p, '[');
		if (br && (!cut || br > cut))
			cut = br;
		if (!cut)
			break;
		*cut = '\0';
		at = cf_ypath(kc->y, kc->root, p);
	}
	free(p);
	char buf[1024];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (!at)
		at = kc->root;
	cf_diags_add_sev(kc->y->diags, sev, kc->y->file, (int)at->start_mark.line + 1,
			 (int)at->start_mark.column + 1, "%s", buf);
}

void cf_kerr(cf_kctx *kc, const char *path, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kreport(kc, CF_SEV_ERROR, path, fmt, ap);
	va_end(ap);
}

void cf_kwarn(cf_kctx *kc, const char *path, const char *fmt, ...)
{
	if (!opts_of(kc)->warnings)
		return;
	va_list ap;
	va_start(ap, fmt);
	kreport(kc, CF_SEV_WARNING, path, fmt, ap);
	va_end(ap);
}

void cf_kmissing_secret(cf_kctx *kc, const char *path, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kreport(kc, opts_of(kc)->offline ? CF_SEV_WARNING : CF_SEV_ERROR, path, fmt, ap);
	va_end(ap);
}

char *cf_kread(cf_kctx *kc, const char *path, const char *rel, size_t max, size_t *len)
{
	cf_error err = {0};
	char *full = NULL, *buf = NULL;
	if (cf_source_resolve(&full, kc->src, kc->file_index, rel, &err) != CF_OK) {
		cf_kerr(kc, path, "%s: '%s' %s", path, rel, err.message);
	} else if (cf_source_read(kc->src, full, max, &buf, len, &err) != CF_OK) {
		/* err names the file, never its content */
		cf_kerr(kc, path, "%s: cannot read %s", path, err.message);
	}
	cf_error_clear(&err);
	free(full);
	return buf;
}

typedef struct load_state {
	const cf_source *src;
	size_t file_index;
	cf_resource_set *set;
	const cf_load_opts *opts;
} load_state;

static const char *str_at(cJSON *doc, const char *section, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(doc, section), key));
}

/* The project reference: exactly one of metadata.project and project_id. */
/* A key written with a null value (`project: null`, `project: ~`, or
 * nothing after the colon) counts as absent, as the schema walker reads it. */
static bool given(cf_kctx *kc, const char *path)
{
	yaml_node_t *n = cf_ypath(kc->y, kc->root, path);
	if (!n)
		return false;
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return true;
	const char *v = (const char *)n->data.scalar.value;
	return strcmp(v, "") && strcmp(v, "~") && strcmp(v, "null") && strcmp(v, "Null") && strcmp(v, "NULL");
}

static const char *project_of(cf_kctx *kc, cJSON *doc, bool *is_id)
{
	const char *name = str_at(doc, "metadata", "project");
	const char *id = str_at(doc, "metadata", "project_id");
	/* some kinds name their project in one key, by UUID or by name (the
	 * provider's docs say which): a UUID there is an id */
	const char *either = str_at(doc, "metadata", "project_id_or_name");
	if (either && (name || id)) {
		cf_kerr(kc, "metadata.project_id_or_name", "metadata: give one of project, project_id and "
			"project_id_or_name");
		return NULL;
	}
	if (either) {
		*is_id = cf_is_uuid(either);
		return either;
	}
	*is_id = id != NULL;
	if (name && id) {
		cf_kerr(kc, "metadata.project_id", "metadata: give project or project_id, not both");
		return NULL;
	}
	if (!name && !id) {
		if (!given(kc, "metadata.project") && !given(kc, "metadata.project_id"))
			cf_kerr(kc, "metadata", "metadata: missing project (a project name) or project_id (its UUID)");
		return NULL;
	}
	return id ? id : name;
}

static void add_resource(load_state *st, cf_kctx *kc, const cf_kind *kind, cJSON *doc)
{
	bool is_id = false;
	const char *project = kind->has_project ? project_of(kc, doc, &is_id) : NULL;
	const char *name = kind->has_name ? str_at(doc, "metadata", kind->name_key ? kind->name_key : "name") : NULL;
	const char *ensure = str_at(doc, "metadata", "ensure");
	bool absent = ensure && strcmp(ensure, "absent") == 0;
	if (absent && kind->absent_refusal)
		cf_kerr(kc, "metadata.ensure", "metadata.ensure: %s", kind->absent_refusal);
	kind->check(kc, doc, absent);
	char *own = kind->address ? kind->address(doc) : NULL; /* NULL: problems reported by check */
	if ((kind->address && !own) || (kind->has_project && !project) || (kind->has_name && !name)) {
		cJSON_Delete(doc);
		return; /* already reported; no address to register */
	}
	cf_resource_set *set = st->set;
	set->items = cf_xrealloc(set->items, (set->count + 1) * sizeof(*set->items));
	cf_resource *r = &set->items[set->count++];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->name = name ? cf_xstrdup(name) : NULL;
	r->project = project ? cf_xstrdup(project) : NULL;
	r->project_is_id = is_id;
	r->absent = absent;
	r->doc = doc;
	r->file = cf_xstrdup(kc->y->file);
	r->line = (int)kc->root->start_mark.line + 1;
	r->column = (int)kc->root->start_mark.column + 1;
	r->locs = kc->y->locs;
	kc->y->locs = NULL;
	if (own)
		r->address = cf_xasprintf("%s/%s", kind->name, own);
	else
		r->address = cf_xasprintf("%s%s%s%s%s", kind->name, project ? "/" : "", project ? project : "",
					  name ? "/" : "", name ? name : "");
	free(own);
}

/* A top-level list whose items look like manifests is a mistake, not some
 * other YAML: say so rather than skip it without a word. */
static void refuse_list_of_manifests(cf_yctx *y, yaml_node_t *root)
{
	if (root->type != YAML_SEQUENCE_NODE)
		return;
	for (yaml_node_item_t *it = root->data.sequence.items.start; it < root->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(y->doc, *it);
		if (cf_ymap_get(y, item, "apiVersion") || cf_ymap_get(y, item, "kind")) {
			cf_yerr(y, item, "a list of manifests: each manifest must be its own YAML document "
				"(start each one with ---, not -)");
			return;
		}
	}
}

/* The apiVersion picks the provider, the kind is one of that provider's,
 * written with its own apiVersion (a Secret is v1beta, a ProjectSecret v1). */
static const cf_kind *pick_kind(cf_yctx *y, yaml_node_t *api, const char *aname, yaml_node_t *kindn,
				const char *kname)
{
	const cf_provider *p = cf_provider_for_api(aname);
	if (!p) {
		char *known = cf_provider_api_words();
		cf_yerr(y, api, "apiVersion: unsupported '%s' (ciform knows %s)", aname ? aname : "(not a string)", known);
		free(known);
		return NULL;
	}
	const char *names[64] = {0};
	size_t n = 0;
	for (const cf_kind *const *k = p->kinds; *k && n < 63; k++) {
		names[n++] = (*k)->name;
		if (kname && !strcmp((*k)->name, kname)) {
			if (strcmp((*k)->api_version, aname) != 0)
				cf_yerr(y, api, "apiVersion: kind %s is written with apiVersion %s, not '%s'", kname,
					(*k)->api_version, aname);
			return strcmp((*k)->api_version, aname) ? NULL : *k;
		}
	}
	const char *best = kname ? cf_suggest(kname, names) : NULL;
	if (best) {
		cf_yerr(y, kindn, "kind: unknown '%s' (did you mean %s?)", kname, best);
	} else {
		char *all = cf_schema_list_words(names);
		cf_yerr(y, kindn, "kind: unknown '%s' (one of %s)", kname ? kname : "(not a string)", all);
		free(all);
	}
	return NULL;
}

static void on_document(void *ud, cf_yctx *y, yaml_node_t *root, int index)
{
	(void)index;
	load_state *st = ud;
	refuse_list_of_manifests(y, root);
	if (root->type != YAML_MAPPING_NODE)
		return; /* not a manifest: some other YAML beside the specs */
	yaml_node_t *api = cf_ymap_get(y, root, "apiVersion");
	yaml_node_t *kindn = cf_ymap_get(y, root, "kind");
	if (!api && !kindn)
		return;
	const char *kname = cf_yscalar(kindn);
	const char *aname = cf_yscalar(api);
	if (!kindn || !api) {
		cf_yerr(y, root, "missing %s (a manifest needs both apiVersion and kind)", api ? "kind" : "apiVersion");
		return;
	}
	const cf_kind *kind = pick_kind(y, api, aname, kindn, kname);
	if (!kind)
		return;
	y->locs = cf_locs_new();
	cJSON *doc = cf_schema_convert(y, root, kind->fields, "");
	cJSON_DeleteItemFromObjectCaseSensitive(doc, "apiVersion");
	cJSON_DeleteItemFromObjectCaseSensitive(doc, "kind");
	if (!cJSON_GetObjectItemCaseSensitive(doc, "metadata"))
		cJSON_AddObjectToObject(doc, "metadata");
	if (!cJSON_GetObjectItemCaseSensitive(doc, "spec"))
		cJSON_AddObjectToObject(doc, "spec");
	cf_kctx kc = {.y = y, .root = root, .src = st->src, .file_index = st->file_index, .opts = st->opts};
	add_resource(st, &kc, kind, doc);
	cf_locs_free(y->locs); /* still here when no resource took it */
	y->locs = NULL;
}

void cf_resource_diag(cf_diags *d, const cf_resource *r, const char *path, const char *fmt, ...)
{
	int line = r->line, col = r->column;
	cf_locs_find(r->locs, path, &line, &col);
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cf_diags_add(d, r->file, line, col, "%s", msg);
}

static int addr_cmp(const void *a, const void *b)
{
	const cf_resource *x = *(cf_resource *const *)a, *y = *(cf_resource *const *)b;
	int c = strcmp(x->address, y->address);
	return c ? c : (x < y ? -1 : x > y);
}

static void check_duplicates(cf_resource_set *set, cf_diags *diags)
{
	cf_resource **v = cf_xcalloc(set->count, sizeof(*v));
	for (size_t i = 0; i < set->count; i++)
		v[i] = &set->items[i];
	if (set->count > 1) /* ties keep file order: the pointers compare */
		qsort(v, set->count, sizeof(*v), addr_cmp);
	for (size_t i = 1; i < set->count; i++) {
		size_t first = i - 1;
		while (first > 0 && strcmp(v[first - 1]->address, v[i]->address) == 0)
			first--;
		if (strcmp(v[first]->address, v[i]->address) != 0)
			continue;
		cf_diags_add(diags, v[i]->file, v[i]->line, v[i]->column,
			     "duplicate address %s: also defined at %s:%d:%d", v[i]->address,
			     v[first]->file, v[first]->line, v[first]->column);
	}
	free(v);
}

int cf_manifest_load(cf_resource_set **out, const cf_source *src, cf_diags *diags,
		     cf_error *err)
{
	return cf_manifest_load_opts(out, src, NULL, diags, err);
}

int cf_manifest_load_opts(cf_resource_set **out, const cf_source *src, const cf_load_opts *opts,
			  cf_diags *diags, cf_error *err)
{
	(void)err;
	static const cf_load_opts for_plan = {.offline = false, .warnings = false};
	*out = NULL;
	size_t errors_before = cf_diags_count(diags, CF_SEV_ERROR);
	cf_resource_set *set = cf_xcalloc(1, sizeof(*set));
	for (size_t i = 0; i < src->nfiles; i++) {
		const char *path = src->files[i].path;
		char *buf = NULL;
		size_t len = 0;
		cf_error rerr = {0};
		if (cf_source_read(src, path, CF_MANIFEST_MAX_BYTES, &buf, &len, &rerr) != CF_OK) {
			const char *msg = rerr.message;
			size_t n = strlen(path);
			if (strncmp(msg, path, n) == 0 && msg[n] == ':')
				msg += n + 2; /* the position already names the file */
			cf_diags_add(diags, path, 1, 1, "%s", msg);
			cf_error_clear(&rerr);
			continue;
		}
		load_state st = {.src = src, .file_index = i, .set = set, .opts = opts ? opts : &for_plan};
		cf_yaml_each_document(path, buf, len, diags, on_document, &st);
		free(buf);
	}
	check_duplicates(set, diags);
	const cf_kind *k;
	for (size_t i = 0; (k = cf_kind_nth(i)); i++)
		if (k->check_set)
			k->check_set(set, diags);
	bool invalid = cf_diags_count(diags, CF_SEV_ERROR) > errors_before;
	cf_diags_sort(diags);
	if (invalid) {
		cf_resource_set_free(set);
		return CF_EINVALID;
	}
	*out = set;
	return CF_OK;
}

void cf_resource_set_free(cf_resource_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->count; i++) {
		cf_resource *r = &set->items[i];
		free(r->address);
		free(r->name);
		free(r->project);
		free(r->file);
		cJSON_Delete(r->doc);
		cf_locs_free(r->locs);
	}
	free(set->items);
	free(set);
}

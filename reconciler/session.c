/*
 * session: load, connect, refresh, plan; and the checks that keep a run
 * from passing silently: a PATH with no manifest, a --target that names
 * nothing. Both would otherwise print "No changes" and exit 0, and a drift
 * job set up that way would never alert.
 */
#include "reconciler/session.h"
#include "reconciler/diff.h"
#include "reconciler/locs.h"
#include "reconciler/gitsrc.h"
#include "reconciler/strmap.h"
#include "reconciler/suggest.h"

#include <stdlib.h>
#include <string.h>

int cf_session_open_source(cf_source **out, const cf_session_opts *o, cf_error *err)
{
	if (o->git_ref)
		return cf_source_open_git(out, o->repo, o->git_ref, o->paths, o->npaths, err);
	if (o->repo)
		return cf_error_set(err, CF_EUSAGE, "--repo goes with --git-ref");
	return cf_source_open_fs(out, o->paths, o->npaths, err);
}

/* Each PATH (a source root) must hold at least one manifest. */
/* A connection that failed: in a run with several vendors' manifests, say
 * which vendor and which files need it ("...: needed by the NAME
 * manifests of agent.yaml"), so the user knows what to set or leave out. */
static void say_who_needs_it(const cf_provider *p, const cf_resource_set *set, cf_error *err)
{
	bool mixed = false;
	for (size_t i = 0; set && i < set->count && !mixed; i++)
		mixed = cf_provider_of(set->items[i].kind) != p;
	if (!mixed || !err->message)
		return;
	char *files = cf_xstrdup(""), *why = err->message;
	size_t shown = 0, more = 0;
	for (size_t i = 0; i < set->count; i++) {
		const cf_resource *r = &set->items[i];
		if (cf_provider_of(r->kind) != p || (i && set->items[i - 1].file && r->file &&
						    !strcmp(set->items[i - 1].file, r->file) &&
						    cf_provider_of(set->items[i - 1].kind) == p))
			continue;
		if (shown == 3) {
			more++;
			continue;
		}
		char *next = cf_xasprintf("%s%s%s", files, *files ? ", " : "", r->file ? r->file : "?");
		free(files);
		files = next;
		shown++;
	}
	err->message = more ? cf_xasprintf("%s (needed by the %s manifests of %s and %zu more file%s)", why, p->name,
					   files, more, more == 1 ? "" : "s")
			    : cf_xasprintf("%s (needed by the %s manifests of %s)", why, p->name, files);
	free(why);
	free(files);
}

static int check_not_empty(const cf_session *s, const cf_session_opts *o, cf_error *err)
{
	size_t *found = cf_xcalloc(s->src->nroots + 1, sizeof(size_t));
	cf_strmap *root_of = cf_strmap_new();
	for (size_t i = 0; i < s->src->nfiles; i++)
		cf_strmap_put(root_of, s->src->files[i].path, &s->src->files[i]);
	for (size_t i = 0; i < s->set->count; i++) {
		const cf_source_file *f = cf_strmap_get(root_of, s->set->items[i].file);
		if (f && f->root < s->src->nroots)
			found[f->root]++;
	}
	char *empty = NULL;
	size_t nempty = 0;
	for (size_t r = 0; r < s->src->nroots; r++) {
		if (found[r])
			continue;
		const char *name = r < o->npaths && !o->src ? o->paths[r] : s->src->roots[r];
		char *next = cf_xasprintf("%s%s%s", empty ? empty : "", empty ? ", " : "", name);
		free(empty);
		empty = next;
		nempty++;
	}
	int rc = CF_OK;
	if (nempty)
		rc = cf_error_set(err, CF_EUSAGE, "no manifest under %s%s (a YAML file with apiVersion and kind; "
				  "--allow-empty accepts %s)", empty, s->src->git_commit ? " in that commit" : "",
				  nempty == 1 ? "it" : "them");
	free(empty);
	free(found);
	cf_strmap_free(root_of);
	return rc;
}

typedef struct near {
	const char *address;
	size_t distance;
} near;

static int near_cmp(const void *a, const void *b)
{
	const near *x = a, *y = b;
	return x->distance != y->distance ? (x->distance < y->distance ? -1 : 1) : strcmp(x->address, y->address);
}

/* "did you mean A?" when an address is close enough to be a typo; else the
 * three closest, so the user sees what the addresses look like. */
static char *closest_addresses(const char *target, const cf_resource_set *set, const cf_live *live)
{
	size_t n = 0;
	near *all = cf_xcalloc(set->count + live->count + 1, sizeof(near));
	for (size_t i = 0; i < set->count; i++)
		all[n++] = (near){set->items[i].address, cf_edit_distance(target, set->items[i].address)};
	for (size_t i = 0; i < live->count; i++)
		if (!live->items[i].res)
			all[n++] = (near){live->items[i].address, cf_edit_distance(target, live->items[i].address)};
	qsort(all, n, sizeof(near), near_cmp);
	const char *close[4] = {0};
	const char **names = cf_xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		names[i] = all[i].address;
	size_t nclose = cf_suggest_many(close, 3, target, names);
	char *out;
	if (nclose)
		out = cf_xasprintf(" (did you mean %s%s%s%s%s?)", close[0], nclose > 1 ? nclose > 2 ? ", " : " or " : "",
				   nclose > 1 ? close[1] : "", nclose > 2 ? " or " : "", nclose > 2 ? close[2] : "");
	else if (n)
		out = cf_xasprintf(" (the closest addresses: %s%s%s%s%s)", all[0].address, n > 1 ? ", " : "",
				   n > 1 ? all[1].address : "", n > 2 ? ", " : "", n > 2 ? all[2].address : "");
	else
		out = cf_xstrdup(" (the specs and the live state in scope name nothing)");
	free(names);
	free(all);
	return out;
}

/* Every --target must name a spec or a live resource in scope. */
static int check_targets(const cf_session *s, const cf_session_opts *o, cf_error *err)
{
	for (const char *const *t = o->plan.targets; t && *t; t++) {
		bool found = cf_live_find(s->live, *t) != NULL;
		for (size_t i = 0; i < s->set->count && !found; i++)
			found = !strcmp(s->set->items[i].address, *t);
		if (found)
			continue;
		char *hint = closest_addresses(*t, s->set, s->live);
		int rc = cf_error_set(err, CF_EUSAGE, "--target %s matches no spec and no live resource%s", *t, hint);
		free(hint);
		return rc;
	}
	return CF_OK;
}

/* Where cf_resource_diag reports a problem with r's project reference. */
static bool diag_at_project(const cf_diags *d, size_t from, const cf_resource *r)
{
	const char *key = cf_json_path(r->doc, "metadata.project_id_or_name") ? "metadata.project_id_or_name"
			  : r->project_is_id ? "metadata.project_id" : "metadata.project";
	int line = r->line, col = r->column;
	cf_locs_find(r->locs, key, &line, &col);
	for (size_t i = from; i < d->count; i++)
		if (d->items[i].line == line && d->items[i].column == col && !strcmp(d->items[i].file, r->file))
			return true;
	return false;
}

/* A refresh that found unknown projects stops before the other manifests
 * are checked against the live state (roles, [md5] placeholders): three
 * mistakes would take three runs to see. When every problem it reported is
 * such a project, read again without those manifests and plan the rest, so
 * their problems are reported in the same run. The set made here shares
 * the resources of s->set (it is freed with free(), not as a set). */
/* Every connected provider reads its part of the live state into one live. */
static int read_live(cf_live **out, const cf_session *s, const cf_resource_set *set, cf_diags *diags, cf_error *err)
{
	cf_live *live = cf_xcalloc(1, sizeof(*live));
	int rc = CF_OK;
	for (size_t i = 0; cf_providers[i] && rc == CF_OK; i++)
		if (s->conns[i])
			rc = cf_providers[i]->read_live(live, set, s->conns[i], diags, err);
	if (rc != CF_OK) {
		cf_live_free(live);
		live = NULL;
	}
	*out = live;
	return rc;
}

static int refresh_all_problems(cf_session *s, cf_resource_set *rest, const cf_session_opts *o,
				cf_diags *diags, cf_error *err)
{
	size_t before = diags->count;
	int rc = read_live(&s->live, s, s->set, diags, err);
	if (rc != CF_EINVALID)
		return rc;
	size_t matched = 0;
	rest->items = cf_xcalloc(s->set->count + 1, sizeof(cf_resource));
	for (size_t i = 0; i < s->set->count; i++) {
		const cf_resource *r = &s->set->items[i];
		if (r->project && diag_at_project(diags, before, r))
			matched++;
		else
			rest->items[rest->count++] = *r;
	}
	if (!matched || matched < diags->count - before || !rest->count)
		return CF_EINVALID; /* something else went wrong too: report what we have */
	cf_live *live = NULL;
	int again = read_live(&live, s, rest, diags, err);
	if (again == CF_OK) {
		cf_plan *plan = NULL;
		cf_plan_build(&plan, rest, live, &o->plan, diags, err);
		cf_plan_free(plan);
	}
	cf_live_free(live);
	cf_error_clear(err);
	cf_diags_sort(diags);
	return CF_EINVALID;
}

int cf_session_plan(cf_session **out, const cf_session_opts *o, cf_diags *diags, cf_error *err)
{
	*out = NULL;
	cf_session *s = cf_xcalloc(1, sizeof(*s));
	cf_resource_set rest = {0};
	int rc = CF_OK;
	if (o->src)
		s->src = o->src;
	else
		rc = cf_session_open_source(&s->src, o, err);
	if (rc == CF_OK)
		rc = cf_manifest_load(&s->set, s->src, diags, err);
	if (rc == CF_OK && !o->allow_empty)
		rc = check_not_empty(s, o, err);
	s->parallelism = o->limits.parallelism > 0 ? o->limits.parallelism : 8;
	s->conns = cf_xcalloc(cf_provider_count() + 1, sizeof(*s->conns));
	bool first = true;
	for (size_t i = 0; cf_providers[i] && rc == CF_OK; i++) {
		const cf_provider *p = cf_providers[i];
		if (!cf_provider_in_set(p, s->set)) /* its manifests are not here: its credentials are not needed */
			continue;
		/* one --token-file cannot hold several vendors' tokens: it is the
		 * first vendor's (registry order); the others take their own flag or
		 * environment (docs/commands.md) */
		cf_conn_settings settings = o->conn;
		if (!first)
			settings.token_file = NULL;
		first = false;
		rc = p->connect(&s->conns[i], &settings, &o->limits, err);
		if (rc != CF_OK) {
			say_who_needs_it(p, s->set, err);
			break;
		}
		p->on_trace(s->conns[i], o->trace, o->trace_ud);
		if (o->progress)
			p->on_progress(s->conns[i], o->progress, o->ud);
	}
	if (rc == CF_OK)
		rc = refresh_all_problems(s, &rest, o, diags, err);
	for (size_t i = 0; cf_providers[i]; i++)
		if (s->conns[i])
			cf_providers[i]->on_progress(s->conns[i], NULL, NULL); /* applying reports itself */
	free(rest.items);
	if (rc == CF_OK)
		rc = cf_plan_build(&s->plan, s->set, s->live, &o->plan, diags, err);
	if (rc == CF_OK)
		rc = check_targets(s, o, err);
	if (rc != CF_OK) {
		cf_session_free(s);
		return rc;
	}
	*out = s;
	return CF_OK;
}

void cf_session_free(cf_session *s)
{
	if (!s)
		return;
	cf_plan_free(s->plan);
	cf_live_free(s->live);
	for (size_t i = 0; s->conns && cf_providers[i]; i++)
		cf_conn_close(s->conns[i]);
	free(s->conns);
	cf_resource_set_free(s->set);
	cf_source_free(s->src);
	free(s);
}

static char *joined(const cf_session *s, const char *(*of)(const cf_provider *p, const cf_conn *c))
{
	char *out = cf_xstrdup("");
	for (size_t i = 0; s->conns && cf_providers[i]; i++) {
		if (!s->conns[i])
			continue;
		char *next = cf_xasprintf("%s%s%s", out, *out ? " and " : "", of(cf_providers[i], s->conns[i]));
		free(out);
		out = next;
	}
	return out;
}

static const char *where_of(const cf_provider *p, const cf_conn *c)
{
	return p->where(c);
}

static const char *org_of(const cf_provider *p, const cf_conn *c)
{
	return p->org(c);
}

char *cf_session_where(const cf_session *s)
{
	return joined(s, where_of);
}

char *cf_session_orgs(const cf_session *s)
{
	return joined(s, org_of);
}

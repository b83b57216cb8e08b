/*
 * target_index: deployment targets by id and by project, so that a sandbox
 * seeded with 30,000 targets answers in constant time, not a walk over all of
 * them per request (benchmarks measure ciform, not the sandbox).
 *
 * Built on first use after any change to the list (sbx_targets_changed), from
 * the state document itself, so it can never disagree with it for longer
 * than one mutation.
 */
#include "cmd/sandbox/sandbox.h"
#include "reconciler/strmap.h"

#include <stdlib.h>
#include <string.h>

typedef struct tlist {
	cJSON **v;
	size_t n;
} tlist;

struct sbx_target_index {
	cf_strmap *by_id;
	cf_strmap *by_project; /* project id -> tlist, in list order */
	tlist *lists;          /* every tlist, for freeing */
	size_t nlists;
};

void sbx_targets_changed(sbx *s)
{
	sbx_target_index *x = s->target_index;
	if (!x)
		return;
	cf_strmap_free(x->by_id);
	cf_strmap_free(x->by_project);
	for (size_t i = 0; i < x->nlists; i++)
		free(x->lists[i].v);
	free(x->lists);
	free(x);
	s->target_index = NULL;
}

static sbx_target_index *index_of(sbx *s)
{
	if (s->target_index)
		return s->target_index;
	sbx_target_index *x = calloc(1, sizeof(*x));
	x->by_id = cf_strmap_new();
	x->by_project = cf_strmap_new();
	cJSON *t, *list = sbx_list(s, "deployment_targets");
	size_t n = (size_t)cJSON_GetArraySize(list);
	x->lists = calloc(n + 1, sizeof(tlist)); /* at most one per target */
	cJSON_ArrayForEach(t, list) {
		cf_strmap_put(x->by_id, sbx_str(t, "id"), t);
		tlist *l = cf_strmap_get(x->by_project, sbx_str(t, "project_id"));
		if (!l) {
			l = &x->lists[x->nlists++];
			cf_strmap_put(x->by_project, sbx_str(t, "project_id"), l);
		}
		l->v = realloc(l->v, (l->n + 1) * sizeof(cJSON *));
		l->v[l->n++] = t;
	}
	s->target_index = x;
	return x;
}

cJSON *sbx_target_by_id(sbx *s, const char *id)
{
	return id ? cf_strmap_get(index_of(s)->by_id, id) : NULL;
}

cJSON **sbx_targets_of_project(sbx *s, const char *project_id, size_t *n)
{
	tlist *l = project_id ? cf_strmap_get(index_of(s)->by_project, project_id) : NULL;
	*n = l ? l->n : 0;
	return l ? l->v : NULL;
}

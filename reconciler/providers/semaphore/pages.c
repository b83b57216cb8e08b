/*
 * pages: many paged lists read side by side. Reading the secrets or tasks of
 * 500 projects one project after another is 500 round trips in a row; here
 * every list's first page goes in one batch, then every second page of the
 * lists that have one, and so on, so the wall time is that of the longest
 * list, not the sum. Two ways of paging exist in the API: a page token
 * (gateway APIs: secrets) and a page number (public-api's GET /tasks).
 */
#include "reconciler/providers/semaphore/api.h"

#include <stdlib.h>
#include <string.h>

typedef struct list_state {
	cJSON *items;  /* what came so far */
	char *cursor;  /* the next page's token or number; NULL: done */
	int pages;
} list_state;

static char *page_path(const cf_sem_pager *pg, const char *base, const char *cursor)
{
	const char *sep = strchr(base, '?') ? "&" : "?";
	if (pg->by_number)
		return cf_xasprintf("%s%spage=%s&page_size=%d", base, sep, cursor, pg->page_size);
	char *tok = cf_http_escape(cursor);
	char *p = cf_xasprintf("%s%spage_size=%d%s%s", base, sep, pg->page_size, *cursor ? "&page_token=" : "", tok);
	free(tok);
	return p;
}

/* Moves one answer's items into st and sets st->cursor to the next page. */
static int take(const cf_sem_pager *pg, list_state *st, cf_http_call *call, cf_error *err)
{
	cJSON *list = pg->key ? cJSON_GetObjectItemCaseSensitive(call->json, pg->key) : call->json;
	/* the gateway emits every field (next_page_token "" on the last page); an
	 * answer without the key is taken as the last page, a key of another
	 * type as a wrong shape */
	const cJSON *tok = cJSON_GetObjectItemCaseSensitive(call->json, "next_page_token");
	const char *next = pg->by_number || !tok ? "" : cJSON_GetStringValue(tok);
	if (!cJSON_IsArray(list) || !next)
		return cf_error_set(err, CF_EAPI, "GET %s: the answer has an unexpected shape (no %s list%s)",
				    call->path, pg->key ? pg->key : "", pg->by_number ? "" : " or next_page_token");
	int n = cJSON_GetArraySize(list);
	for (cJSON *e = list->child, *following; e; e = following) {
		following = e->next;
		cJSON_AddItemToArray(st->items, cJSON_DetachItemViaPointer(list, e));
	}
	char *cursor = NULL;
	if (pg->by_number && n >= pg->page_size)
		cursor = cf_xasprintf("%d", st->pages + 1);
	else if (!pg->by_number && *next)
		cursor = cf_xstrdup(next);
	if (cursor && st->cursor && !strcmp(cursor, st->cursor))
		return cf_error_set(err, CF_EAPI, "GET %s: the server answers the same page token again", call->path);
	free(st->cursor);
	st->cursor = cursor;
	if (st->cursor && st->pages >= pg->max_pages)
		return cf_error_set(err, CF_EAPI, "GET %s: more than %d pages; giving up", call->path, pg->max_pages);
	return CF_OK;
}

/* One round: the next page of every list not done yet, in one batch. */
static int round_of(cf_http_client *c, const cf_sem_pager *pg, const char *const *bases, list_state *st,
		    size_t n, bool *more, cf_error *err)
{
	cf_http_call *calls = cf_xcalloc(n + 1, sizeof(*calls));
	size_t *which = cf_xcalloc(n + 1, sizeof(*which));
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (!st[i].cursor)
			continue;
		char *path = page_path(pg, bases[i], st[i].cursor);
		cf_http_call_init(&calls[m], "GET", CF_HTTP_IDEMPOTENT, NULL, "%s", path);
		calls[m].shape = pg->shape;
		free(path);
		st[i].pages++;
		which[m++] = i;
	}
	int rc = cf_http_run(c, calls, m, err);
	for (size_t k = 0; k < m && rc == CF_OK; k++)
		rc = take(pg, &st[which[k]], &calls[k], err);
	*more = false;
	for (size_t i = 0; i < n; i++)
		*more = *more || st[i].cursor;
	for (size_t k = 0; k < m; k++)
		cf_http_call_clear(&calls[k]);
	free(calls);
	free(which);
	return rc;
}

int cf_sem_list_many(cJSON **outs, cf_http_client *c, const cf_sem_pager *pg, const char *const *bases, size_t n,
		     cf_error *err)
{
	list_state *st = cf_xcalloc(n + 1, sizeof(*st));
	for (size_t i = 0; i < n; i++)
		st[i] = (list_state){.items = cJSON_CreateArray(), .cursor = cf_xstrdup(pg->by_number ? "1" : "")};
	int rc = CF_OK;
	bool more = n > 0;
	while (rc == CF_OK && more)
		rc = round_of(c, pg, bases, st, n, &more, err);
	for (size_t i = 0; i < n; i++) {
		free(st[i].cursor);
		outs[i] = rc == CF_OK ? st[i].items : NULL;
		if (rc != CF_OK)
			cJSON_Delete(st[i].items);
	}
	free(st);
	return rc;
}

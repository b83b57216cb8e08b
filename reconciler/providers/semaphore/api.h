/*
 * api: one function per Semaphore endpoint the reconciler uses.
 *
 * Answers are the API's own JSON (cJSON, caller frees): the diff compares
 * them with the specs through each kind's table, so nothing here reshapes
 * them. Retries: reads always; target create/update/delete (they carry a
 * unique_token), retention POST (it replaces the whole policy), agent type
 * PATCH (it sets every setting), activate, deactivate and disable_all (the
 * same state twice is that state once). A DELETE retried into a 404 is done.
 * An agent type create is never sent twice blindly: after a failure it is
 * looked up first.
 */
#ifndef CF_SEM_API_H
#define CF_SEM_API_H

#include <stdbool.h>
#include "reconciler/providers/semaphore/client.h"

/* The API client of a connection the Semaphore provider opened. */
static inline cf_http_client *cf_sem_of(cf_conn *c)
{
	return c->impl;
}

/* projects.c: projects and roles */
int cf_sem_project_get(cJSON **out, cf_http_client *c, const char *name, cf_error *err); /* cached */
int cf_sem_project_list(cJSON **out, cf_http_client *c, cf_error *err); /* every page */
/* Role names by id: GET /roles/:id for each id not asked before (in
 * parallel, cached for the client's life). *out maps id -> name for the ids
 * that exist; an id the server does not know is left out. GET /roles itself
 * lists organisation roles only, which deployment targets never use. */
int cf_sem_role_names(cJSON **out, cf_http_client *c, const char *const *ids, size_t n, cf_error *err);
/* projects.c: tasks and the project update. The list reads every page; apply
 * POSTs a yml_definition (no retry: it inserts) and gives the task's id; a
 * delete of an id the server does not know counts as done; the PATCH
 * replaces the whole project, tasks included. */
int cf_sem_task_list(cJSON **out, cf_http_client *c, const char *project_id, cf_error *err);
/* The same for n projects at once (pages.c). */
int cf_sem_task_lists(cJSON **outs, cf_http_client *c, const char *const *project_ids, size_t n, cf_error *err);
int cf_sem_task_apply(char **id, cf_http_client *c, const char *yml, cf_error *err);
int cf_sem_task_delete(cf_http_client *c, const char *id, cf_error *err);
int cf_sem_project_update(cJSON **out, cf_http_client *c, const char *id, const cJSON *body, cf_error *err);

/* agent_types.c */
int cf_sem_agent_type_list(cJSON **out, cf_http_client *c, cf_error *err); /* the "agent_types" array */
int cf_sem_agent_type_get(cJSON **out, cf_http_client *c, const char *name, cf_error *err);
/* *token gets the registration token, or NULL when the create succeeded but
 * its answer was lost (the agent type exists; its token must be reset). */
int cf_sem_agent_type_create(cJSON **out, char **token, cf_http_client *c, const cJSON *body,
			     cf_error *err);
int cf_sem_agent_type_update(cJSON **out, cf_http_client *c, const cJSON *body, cf_error *err);
int cf_sem_agent_type_delete(cf_http_client *c, const char *name, cf_error *err);
int cf_sem_agent_type_disable_all(cf_http_client *c, const char *name, bool only_idle, cf_error *err);

/* targets.c */
int cf_sem_target_list(cJSON **out, cf_http_client *c, const char *project_id, cf_error *err);
int cf_sem_target_describe(cJSON **out, cf_http_client *c, const char *id, bool include_secrets,
			   cf_error *err);
int cf_sem_target_create(cJSON **out, cf_http_client *c, const char *project_id, const cJSON *body,
			 cf_error *err);
int cf_sem_target_update(cJSON **out, cf_http_client *c, const char *id, const cJSON *body, cf_error *err);
int cf_sem_target_delete(cf_http_client *c, const char *id, const char *unique_token, cf_error *err);
int cf_sem_target_activate(cf_http_client *c, const char *id, cf_error *err);
int cf_sem_target_deactivate(cf_http_client *c, const char *id, cf_error *err);

/* retention.c */
int cf_sem_retention_get(cJSON **out, cf_http_client *c, const char *project_id, cf_error *err);
int cf_sem_retention_set(cJSON **out, cf_http_client *c, const cJSON *body, cf_error *err);

/* pages.c: paged lists, many at once (a batch per page round). */
typedef struct cf_sem_pager {
	bool by_number;  /* page=N (public-api) rather than page_token (the gateway) */
	int page_size;
	int max_pages;   /* a list longer than this is an error (a server that never ends) */
	const char *key; /* the answer's list member; NULL: the answer is the list */
	/* Optional: applied to each page as it arrives (see cf_http_call.shape). */
	void (*shape)(cJSON *json, void *ud);
} cf_sem_pager;

/* outs[i] gets every item of the list at bases[i] (a path, query allowed). */
int cf_sem_list_many(cJSON **outs, cf_http_client *c, const cf_sem_pager *pg, const char *const *bases, size_t n,
		     cf_error *err);

/* create.c: POST body to collection; after a failure an identical request
 * might not meet, GET lookup (the resource by name) first: found, it is the
 * answer; absent, the POST is sent again (at most 5 times in all). */
int cf_sem_create(cJSON **out, cf_http_client *c, const char *collection, const char *body, const char *lookup,
		  cf_error *err);

#endif

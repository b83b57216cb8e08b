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
static inline cf_sem_client *cf_sem_of(cf_conn *c)
{
	return c->impl;
}

/* projects.c: projects and roles */
int cf_sem_project_get(cJSON **out, cf_sem_client *c, const char *name, cf_error *err); /* cached */
int cf_sem_project_list(cJSON **out, cf_sem_client *c, cf_error *err); /* every page */
/* Role names by id: GET /roles/:id for each id not asked before (in
 * parallel, cached for the client's life). *out maps id -> name for the ids
 * that exist; an id the server does not know is left out. GET /roles itself
 * lists organisation roles only, which deployment targets never use. */
int cf_sem_role_names(cJSON **out, cf_sem_client *c, const char *const *ids, size_t n, cf_error *err);

/* agent_types.c */
int cf_sem_agent_type_list(cJSON **out, cf_sem_client *c, cf_error *err); /* the "agent_types" array */
int cf_sem_agent_type_get(cJSON **out, cf_sem_client *c, const char *name, cf_error *err);
/* *token gets the registration token, or NULL when the create succeeded but
 * its answer was lost (the agent type exists; its token must be reset). */
int cf_sem_agent_type_create(cJSON **out, char **token, cf_sem_client *c, const cJSON *body,
			     cf_error *err);
int cf_sem_agent_type_update(cJSON **out, cf_sem_client *c, const cJSON *body, cf_error *err);
int cf_sem_agent_type_delete(cf_sem_client *c, const char *name, cf_error *err);
int cf_sem_agent_type_disable_all(cf_sem_client *c, const char *name, bool only_idle, cf_error *err);

/* targets.c */
int cf_sem_target_list(cJSON **out, cf_sem_client *c, const char *project_id, cf_error *err);
int cf_sem_target_describe(cJSON **out, cf_sem_client *c, const char *id, bool include_secrets,
			   cf_error *err);
int cf_sem_target_create(cJSON **out, cf_sem_client *c, const char *project_id, const cJSON *body,
			 cf_error *err);
int cf_sem_target_update(cJSON **out, cf_sem_client *c, const char *id, const cJSON *body, cf_error *err);
int cf_sem_target_delete(cf_sem_client *c, const char *id, const char *unique_token, cf_error *err);
int cf_sem_target_activate(cf_sem_client *c, const char *id, cf_error *err);
int cf_sem_target_deactivate(cf_sem_client *c, const char *id, cf_error *err);

/* retention.c */
int cf_sem_retention_get(cJSON **out, cf_sem_client *c, const char *project_id, cf_error *err);
int cf_sem_retention_set(cJSON **out, cf_sem_client *c, const cJSON *body, cf_error *err);

#endif

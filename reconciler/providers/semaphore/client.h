/*
 * client: the Semaphore API client is the core's transfer engine (http.h)
 * set up the way the API wants it: its org URL (/api/v1alpha), a token sent
 * as "Authorization: Token", the User-Agent the sem CLI sends, and hints that
 * name Semaphore's own settings when a token is refused.
 */
#ifndef CF_SEM_CLIENT_H
#define CF_SEM_CLIENT_H

#include "reconciler/http.h"

/* The connection settings (provider.h cf_conn_settings): explicit values
 * win; then SEMAPHORE_ORG_URL and SEMAPHORE_API_TOKEN; when neither a URL nor
 * a token is given, the sem CLI's ~/.sem.yaml (its active context, or context). */
typedef cf_http_config cf_sem_config;

/* Sets what every request to the API needs: the auth header, the
 * User-Agent, and the hints for a refused token. */
void cf_sem_config_api(cf_sem_config *cfg);

/* Fills cfg (defaults, and cf_sem_config_api); cf_sem_config_clear frees it. */
int cf_sem_config_resolve(cf_sem_config *cfg, const cf_conn_settings *in, cf_error *err);
void cf_sem_config_clear(cf_sem_config *cfg);

/* "acme.semaphoreci.com" -> "https://acme.semaphoreci.com/api/v1alpha".
 * https is required; http only for loopback hosts. */
int cf_sem_url_normalize(char **out, const char *org_url, cf_error *err);

#endif

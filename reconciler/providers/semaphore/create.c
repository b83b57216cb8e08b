/*
 * create: a POST that has no idempotency token (secrets, notifications,
 * dashboards). Sent again blindly after a lost answer, it would meet its own
 * name ("name has already been taken": secrethub secret.ex, notifications
 * validator.ex, dashboardhub repo.ex) or, worse, succeed twice. So after a
 * failure that an identical request might not meet (a 5xx, a timeout, a
 * dropped connection) the resource is looked up by name first: found, it was
 * created and only the answer was lost; absent, the POST goes again. The
 * agent type create does the same with its registration token (agent_type_api.c).
 */
#include "reconciler/providers/semaphore/api.h"

#include <stdlib.h>
#include <time.h>

#define CREATE_ATTEMPTS 5

int cf_sem_create(cJSON **out, cf_http_client *c, const char *collection, const char *body, const char *lookup,
		  cf_error *err)
{
	*out = NULL;
	int rc = CF_OK;
	for (int attempt = 1;; attempt++) {
		cf_http_call call;
		cf_http_call_init(&call, "POST", 0, body, "%s", collection);
		rc = cf_http_run(c, &call, 1, err);
		bool retryable = call.retryable;
		if (rc == CF_OK) {
			*out = call.json;
			call.json = NULL;
		}
		cf_http_call_clear(&call);
		if (rc == CF_OK || !retryable || attempt >= CREATE_ATTEMPTS)
			return rc;
		cf_error miss = {0};
		int found = cf_http_request(out, c, "GET", CF_HTTP_IDEMPOTENT, NULL, lookup, &miss);
		cf_error_clear(&miss);
		if (found == CF_OK) { /* created; only the answer was lost */
			cf_error_clear(err);
			return CF_OK;
		}
		*out = NULL;
		if (found != CF_ENOTFOUND)
			return rc; /* cannot tell whether it exists: do not risk a second one */
		cf_error_clear(err);
		nanosleep(&(struct timespec){0, 200000000L * attempt}, NULL);
	}
}

/*
 * runner: the client of CircleCI's runner API (/api/v3/runner/...), which
 * the RunnerResourceClass and RunnerToken kinds share.
 *
 * The runner API lives on its own origin on CircleCI cloud
 * (https://runner.circleci.com: CircleCI-Public/terraform-provider-circleci
 * internal/circleci/runner/runner.go NewService; CircleCI-Labs/
 * terraform-provider-circleci internal/circleci/runner.go DefaultRunnerHost)
 * and on the installation itself on CircleCI Server (LABS, same file), with
 * the same Circle-Token. So it is a second HTTP client of the core's engine,
 * made at the first runner request of a connection: a run without runner
 * manifests never builds it.
 */
#ifndef CF_CCI_RUNNER_H
#define CF_CCI_RUNNER_H

#include <stdbool.h>
#include "reconciler/providers/circleci/client.h"

/* What the connection keeps for the runner API (client.h cf_cci_conn.runner). */
typedef struct cf_cci_runner {
	cf_http_config cfg;   /* base_url: RUNNER_HOST/api/v3 */
	cf_http_client *http; /* made at first use */
	char *host;           /* the runner origin, as messages show it */
	char *token_dir;      /* where runner tokens' values are kept (token_file.h) */
} cf_cci_runner;

/* The runner origin: flag (--circleci-runner-host) when not NULL, else
 * CIRCLECI_RUNNER_HOST, else CIRCLE_RUNNER_HOST (the Terraform provider's
 * name: PUB internal/provider/provider.go), else https://runner.circleci.com
 * for https://circleci.com and the host itself for any other (CircleCI
 * Server). Caller frees *out. */
int cf_cci_runner_origin(char **out, const char *host, const char *flag, cf_error *err);
/* The connection's runner client, made on first use. */
int cf_cci_runner_of(cf_cci_runner **out, cf_conn *c, cf_error *err);
/* The connection's token directory (token_file.h's default), without
 * making the HTTP client; caller frees. */
char *cf_cci_runner_token_dir(cf_conn *c);
void cf_cci_runner_free(cf_cci_runner *r);

/* "acme/linux-large": a namespace and a name, both non-empty, without
 * whitespace, control characters or a second '/'. */
bool cf_cci_runner_class_shaped(const char *s);
/* The namespace of a class name, copied; caller frees. */
char *cf_cci_runner_namespace(const char *cls);

/* GET /api/v3/runner/resource?namespace=NS: the namespace's classes,
 * [{id, resource_class, description}]. */
int cf_cci_runner_classes(cJSON **out, cf_conn *c, const char *ns, cf_error *err);
/* GET /api/v3/runner/token?resource-class=CLS: [{id, nickname,
 * resource_class, created_at}], never a value. A class the token cannot see
 * (404) is CF_ENOTFOUND. */
int cf_cci_runner_tokens(cJSON **out, cf_conn *c, const char *cls, cf_error *err);
/* GET /api/v3/runner/tasks/running?resource-class=CLS. */
int cf_cci_runner_running(long *n, cf_conn *c, const char *cls, cf_error *err);
/* One runner request. A POST is sent again only after a 429 (the server did
 * nothing); *lost says no answer came (transport failure, 5xx), so the
 * caller re-reads before anything else. *status is the HTTP status (0 when
 * none came); a non-2xx answer is an error naming the path. */
int cf_cci_runner_send(cJSON **out, long *status, bool *lost, cf_conn *c, const char *method, const char *path,
		       const cJSON *body, cf_error *err);
/* DELETE, retried like a read; 404 (already gone) is done. */
int cf_cci_runner_delete(cf_conn *c, const char *path, cf_error *err);

#endif

/*
 * webhook: what the Webhook kind's files share (webhook.c: the manifest,
 * the URL rules, comparing, export; webhook_live.c: reading and writing).
 */
#ifndef CF_CCI_WEBHOOK_H
#define CF_CCI_WEBHOOK_H

#include "reconciler/apply.h"
#include "reconciler/live.h"
#include "reconciler/providers/circleci/kinds.h"

/* CircleCI allows 5 outbound webhooks per project
 * (circleci.com/docs/guides/integration/outbound-webhooks). */
#define CF_CCI_MAX_WEBHOOKS 5

/* NULL when url is https to a public host, else why not (caller frees):
 * PUB internal/provider/webhook_resource.go (https only) and
 * webhook_url_validator.go (no loopback, private or reserved IP, no .local
 * or .internal name). */
char *cf_cci_webhook_url_problem(const char *url);

int cf_cci_webhook_read_live(cf_live *live, const cf_resource_set *set, cf_conn *c, cf_diags *diags,
			     cf_error *err);
int cf_cci_webhook_apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err);
/* GET /webhook?scope-id=PROJECT&scope-type=project, every page. */
int cf_cci_webhook_list(cJSON **out, cf_conn *c, const char *project_id, cf_error *err);
/* The live webhook's verify_tls, read under either spelling (LABS DESIGN.md:
 * PUB sent verify-tls), and whether it has a signing secret ("****"). */
bool cf_cci_webhook_verify_tls(const cJSON *w);
bool cf_cci_webhook_has_secret(const cJSON *w);

#endif

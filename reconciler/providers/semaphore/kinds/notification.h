/*
 * notification: what the Notification kind's two files share (notification.c
 * reads the manifest, notification_rules.c plans, applies and exports), and
 * the paged listing the Dashboard kind reads with too.
 */
#ifndef CF_SEM_KIND_NOTIFICATION_H
#define CF_SEM_KIND_NOTIFICATION_H

#include "reconciler/apply.h"
#include "reconciler/diff.h"
#include "reconciler/export.h"
#include "reconciler/live.h"
#include "reconciler/providers/semaphore/client.h"

/* The document key of the endpoint secret set: [{target: "rules[0].slack",
 * endpoint}], built by the check, compared by MD5 (never shown). */
#define CF_SEM_NOTIFICATION_ENDPOINTS "endpoints"

/* A rule's filter lists, and its targets, in the API's order. */
extern const char *const cf_sem_notification_lists[];
extern const char *const cf_sem_notification_targets[];

extern const cf_diff_field cf_sem_notification_diff[];
int cf_sem_notification_read_live(cf_live *live, const cf_resource_set *set, struct cf_conn *c,
				  cf_diags *diags, cf_error *err);
int cf_sem_notification_apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err);
int cf_sem_notification_export(cf_export *out, const void *ctx, cf_error *err);

/* Every item of a gateway list (GET path?page_size=N&page_token=T, answered
 * {key: [...], next_page_token}), page after page until the token is "". */
int cf_sem_list_pages(cJSON **out, cf_http_client *c, const char *path, const char *key, int page_size,
		      cf_error *err);

#endif

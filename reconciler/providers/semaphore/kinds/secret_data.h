/*
 * secret_data: what the Secret (organisation, /api/v1beta) and ProjectSecret
 * (/api/v1) kinds share, both being secrethub secrets (semaphoreio/semaphore
 * secrethub/lib/secrethub/model/content.ex): the data.env_vars and data.files
 * tables, the values they name (resolved by the kinds' checks), the diff of
 * data, the live answer turned into MD5s, the body of a write, listing every
 * page, and data exported as placeholders.
 */
#ifndef CF_SEM_SECRET_DATA_H
#define CF_SEM_SECRET_DATA_H

#include "reconciler/kind.h"
#include "reconciler/apply.h"
#include "reconciler/diff.h"
#include "reconciler/providers/semaphore/api.h"

/* The data: key of both kinds' documents. */
extern const cf_field cf_sem_secret_data_fields[];

/* The two data rows of a diff table (env vars by name, files by path). */
#define CF_SEM_SECRET_DATA_DIFF                                                               \
	{.name = "data.env_vars", .desired = "data.env_vars", .live = "data.env_vars",          \
	 .fallback = "[]", .type = CF_D_SECRETS, .key = "name", .value = "value",             \
	 .show_plain = true},                                                                   \
	{.name = "data.files", .desired = "data.files", .live = "data.files", .fallback = "[]", \
	 .type = CF_D_SECRETS, .key = "path", .value = "content"}

/* Checks data (names, paths, values) and puts every value in place:
 * valueFrom env/file and source are read, valueFrom {live: true} becomes
 * the entry {KEY, "live": true}. */
void cf_sem_secret_check_data(cf_kctx *kc, cJSON *doc, bool absent);

/* The reason the live secret's values cannot be read (content_included is
 * not true), or NULL. */
const char *cf_sem_secret_values_hidden(const cJSON *api);

/* A live answer as the plan keeps it: each value replaced by its MD5 (""
 * stays "" when hidden), the timestamps dropped. */
void cf_sem_secret_fingerprint(cJSON *api);

/* Every page of a list (page_size 100, page_token/next_page_token,
 * secrethub public_grpc_api/list_secrets.ex): *out is one array of the
 * answers' "secrets", each fingerprinted. */
int cf_sem_secret_list(cJSON **out, cf_http_client *c, const char *path, cf_error *err);
/* The same for n collections at once (a batch per page round: pages.c). */
int cf_sem_secret_lists(cJSON **outs, cf_http_client *c, const char *const *paths, size_t n, cf_error *err);

/* The data of a write: every value of the manifest, "<md5> [md5]" and
 * {live: true} entries taken from plain (the live secret's data as just
 * read, values readable; NULL when none are needed). NULL with err set when
 * an entry cannot be resolved. */
cJSON *cf_sem_secret_body_data(const cJSON *doc, const cJSON *plain, const char *address, cf_error *err);

/* Whether the manifest keeps a live value somewhere (then a write needs
 * the live plaintext). */
bool cf_sem_secret_keeps_live(const cJSON *doc);

/* The data of an export: values as "<md5> [md5]" when readable, else
 * valueFrom: {live: true}. */
cJSON *cf_sem_secret_export_data(const cJSON *plain_api);

/* One request with a JSON body; the answer in *out (may be NULL). */
int cf_sem_secret_send(cJSON **out, cf_http_client *c, const char *method, unsigned flags, const char *path,
		       const cJSON *body, cf_error *err);

/* Carries out a change of either kind. collection is the list's path
 * ("/api/v1beta/secrets", "/api/v1/projects/UUID/secrets"); meta is the
 * body's metadata and extra is added to the body as "org_config" (both taken
 * over; extra may be NULL). With after, a create or update is read back
 * afterwards into *after (NULL for a delete), for the kind's own checks. */
int cf_sem_secret_apply(cf_apply_ctx *ctx, const cf_change *ch, const char *collection, cJSON *meta,
			cJSON *extra, cJSON **after, cf_error *err);

#endif

/*
 * bk: what the Buildkite provider's files share: its connection (one REST v2
 * client bound to one organisation slug), the paths under
 * /v2/organizations/ORG, paged lists, creates that are looked up by their
 * natural key before they are sent again, the token's scopes, and the kinds.
 */
#ifndef CF_BK_H
#define CF_BK_H

#include <stdbool.h>
#include <cjson/cJSON.h>
#include "reconciler/http.h"
#include "reconciler/kind.h"
#include "reconciler/provider.h"

typedef struct cf_bk_config {
	cf_http_config http; /* base_url ends in /v2 */
	char *org;           /* the organisation slug */
	char *source;        /* where the settings came from, for messages ("bk.yaml"), or NULL */
} cf_bk_config;

typedef struct cf_bk_conn {
	cf_conn base; /* first: a cf_conn * is a cf_bk_conn * */
	cf_bk_config cfg;
	char *where;
	cJSON *scopes;   /* GET /access-token's scopes, read once; NULL until then */
	cJSON *clusters; /* GET /clusters, read once when a name must become a UUID */
	/* where agent tokens' values are kept (token_file.h), as far as the
	 * connection knows: the option "registration-token-dir", else the
	 * default; plan's and apply's own opts win where they reach */
	char *token_dir;
	/* first pages read ahead (cf_bk_prefetch): path -> {"json": [...], "next": path|null} */
	cJSON *prefetched;
} cf_bk_conn;

extern const cf_provider cf_buildkite_provider;
extern const cf_kind cf_bk_pipeline_kind;
extern const cf_kind cf_bk_cluster_kind;
extern const cf_kind cf_bk_queue_kind;
extern const cf_kind cf_bk_token_kind;
extern const cf_kind cf_bk_secret_kind;
extern const cf_kind cf_bk_schedule_kind;
extern const cf_kind cf_bk_settings_kind;

/* config.c: the organisation, the token and the URL (docs/buildkite.md). */
int cf_bk_config_resolve(cf_bk_config *cfg, const cf_conn_settings *in, cf_error *err);
void cf_bk_config_clear(cf_bk_config *cfg);
int cf_bk_url_normalize(char **out, const char *url, cf_error *err);

static inline cf_bk_conn *cf_bk_of(cf_conn *c)
{
	return (cf_bk_conn *)c;
}

/* client.c */
/* "/organizations/ORG" + the printf-formatted rest; caller frees. */
char *cf_bk_path(const cf_bk_conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Every item of a paged list at path (per_page=100, page 1, 2, ...). */
int cf_bk_list(cJSON **out, cf_bk_conn *c, const char *path, cf_error *err);
/* Sends the first page of each list at paths (as cf_bk_list would ask for it)
 * at once, and keeps each 2xx answer (and each 404, with its message) for the
 * first cf_bk_list of that path; any other failure is kept for nobody (the
 * list's own read meets it and reports it).
 * Why: a kind that reads pipeline by pipeline then waits for one round trip,
 * not one per pipeline. cf_bk_prefetch_clear drops what was not taken. */
void cf_bk_prefetch(cf_bk_conn *c, char *const *paths, size_t n);
void cf_bk_prefetch_clear(cf_bk_conn *c);
/* A POST without an idempotency key: after a failure an identical request
 * might not meet, lookup (a GET by natural key, NULL answer: not there) says
 * whether it landed before it is sent again. */
int cf_bk_create(cJSON **out, cf_bk_conn *c, const char *path, const char *body,
		 int (*lookup)(cJSON **found, cf_bk_conn *c, const void *key, cf_error *err), const void *key,
		 cf_error *err);
/* Refuses when the token lacks one of the scopes (NULL-terminated). */
int cf_bk_require_scopes(cf_bk_conn *c, const char *const *scopes, const char *why, cf_error *err);
/* The clusters of the organisation (cached); the UUID of the cluster whose
 * name or UUID is ref, or NULL. */
int cf_bk_clusters(const cJSON **out, cf_bk_conn *c, cf_error *err);
const char *cf_bk_cluster_id(const cJSON *clusters, const char *ref);
const char *cf_bk_cluster_name(const cJSON *clusters, const char *id);
/* Drops the cached clusters: after a cluster was created or renamed. */
void cf_bk_clusters_forget(cf_bk_conn *c);
/* The name the manifests give the live cluster called live_name: a Cluster
 * manifest's metadata.name when it lists live_name in renamed_from, else
 * live_name itself. */
const char *cf_bk_cluster_alias(const struct cf_resource_set *set, const char *live_name);
/* Whether a present Cluster manifest of set is named name. */
bool cf_bk_cluster_declared(const struct cf_resource_set *set, const char *name);
/* Whether a present ClusterQueue manifest names the queue key of the
 * cluster written cluster (kinds/queue.c). */
bool cf_bk_queue_declared(const struct cf_resource_set *set, const char *cluster, const char *key);

/* The metadata.renamed_from slugs of the present Pipeline manifest whose
 * slug is slug, or NULL (kinds/pipeline_live.c): a pipeline renamed in this
 * run keeps its schedules under an old slug until apply renames it. */
const cJSON *cf_bk_pipeline_renamed_from(const struct cf_resource_set *set, const char *slug);

/* A list of strings at path in the manifest's YAML (the schema walker has
 * lists of mappings only), added to obj as key; problems go to kc. NULL:
 * not given. */
cJSON *cf_bk_string_list(cf_kctx *kc, const char *path, cJSON *obj, const char *key);

/* yaml.c: a YAML text as a cJSON tree (scalars as strings), or NULL with
 * *why set (static text) and *line the 1-based line of the problem. */
cJSON *cf_bk_yaml_tree(const char *text, const char **why, size_t *line);

/* Small helpers. */
const char *cf_bk_str(const cJSON *o, const char *key); /* "" when missing or not a string */
bool cf_bk_set(const cJSON *o, const char *key);        /* present and not null */

#endif

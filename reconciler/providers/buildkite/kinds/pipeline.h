/*
 * pipeline: what the Pipeline kind's files share: the manifest side
 * (pipeline.c: schema and offline checks), the API side (pipeline_api.c:
 * diff, read, apply), the team associations (pipeline_teams.c) and export
 * (pipeline_export.c).
 */
#ifndef CF_BK_PIPELINE_H
#define CF_BK_PIPELINE_H

#include "reconciler/diff.h"
#include "reconciler/export.h"
#include "reconciler/manifest.h"
#include "reconciler/providers/buildkite/bk.h"

struct cf_change;
struct cf_live;

/* docs pipelines.md Update: alphanumerics and dashes, not starting with a
 * dash; at most 100 (platform/_deriving_a_pipeline_slug...md) */
#define CF_BK_PIPELINE_SLUG "[a-z0-9][a-z0-9-]{0,99}"
/* team slugs: no rule is documented (docs teams.md shows
 * "fearless-frontenders"); no '/' nor '.', which addresses and document
 * paths use */
#define CF_BK_TEAM_SLUG "[A-Za-z0-9][A-Za-z0-9_-]{0,254}"

extern const cf_field cf_bk_pipeline_fields[];
extern const char *const cf_bk_pipeline_nullable[];
extern const char *const cf_bk_team_levels[];
void cf_bk_pipeline_check(cf_kctx *kc, cJSON *doc, bool absent);

/* pipeline_live.c: the kind's read_live. */
int cf_bk_pipeline_read_live(struct cf_live *live, const struct cf_resource_set *set, cf_conn *conn, cf_diags *diags,
			     cf_error *err);

/* pipeline_api.c: GET /pipelines/SLUG; *found NULL when there is none. */
int cf_bk_pipeline_get(cJSON **found, cf_bk_conn *c, const void *slug, cf_error *err);

/* pipeline_teams.c */
/* Whether a present Pipeline manifest of set gives spec.teams. */
bool cf_bk_pipeline_wants_teams(const struct cf_resource_set *set);
/* The organisation's teams (GET /teams, read once per connection). */
int cf_bk_teams(const cJSON **out, cf_bk_conn *c, cf_error *err);
/* {pipeline UUID: {team slug: level}} for every team's pipelines. */
int cf_bk_pipeline_team_map(cJSON **out, cf_bk_conn *c, cf_error *err);
/* Plan errors for the team slugs of the manifests the organisation lacks. */
void cf_bk_pipeline_check_teams(const struct cf_resource_set *set, const cJSON *teams, cf_diags *diags);
/* The create body's teams {UUID: level} (docs pipelines.md Create). */
int cf_bk_pipeline_teams_body(cJSON *body, cf_bk_conn *c, const cf_resource *r, cf_error *err);
/* Brings the live associations of the pipeline (UUID pipeline_id) to the
 * manifest's: POST, PATCH, DELETE /teams/TEAM/pipelines[/UUID]. */
int cf_bk_pipeline_teams_apply(cf_bk_conn *c, const struct cf_change *ch, const char *pipeline_id, cf_error *err);
/* The plan's normal form of a teams map: keys sorted, the docs' "read"
 * spelling as read_only. */
cJSON *cf_bk_pipeline_norm_teams(const cJSON *v, bool desired, cf_diff_ctx *ctx);

/* pipeline_export.c: the kind's export hook. */
int cf_bk_pipeline_export(cf_export *out, const void *vctx, cf_error *err);

#endif

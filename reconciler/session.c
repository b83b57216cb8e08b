/*
 * session: load, connect, refresh, plan.
 */
#include "reconciler/session.h"
#include "reconciler/gitsrc.h"
#include "reconciler/semaphore/refresh.h"

#include <stdlib.h>

int cf_session_open_source(cf_source **out, const cf_session_opts *o, cf_error *err)
{
	if (o->git_ref)
		return cf_source_open_git(out, o->repo, o->git_ref, o->paths, o->npaths, err);
	if (o->repo)
		return cf_error_set(err, CF_EUSAGE, "--repo goes with --git-ref");
	return cf_source_open_fs(out, o->paths, o->npaths, err);
}

int cf_session_plan(cf_session **out, const cf_session_opts *o, cf_diags *diags, cf_error *err)
{
	*out = NULL;
	cf_session *s = cf_xcalloc(1, sizeof(*s));
	int rc = CF_OK;
	if (o->src)
		s->src = o->src;
	else
		rc = cf_session_open_source(&s->src, o, err);
	if (rc == CF_OK)
		rc = cf_manifest_load(&s->set, s->src, diags, err);
	if (rc == CF_OK)
		rc = cf_sem_config_resolve(&s->cfg, &o->conn, err);
	if (rc == CF_OK && o->parallelism > 0)
		s->cfg.parallelism = o->parallelism;
	if (rc == CF_OK && o->limits.timeout_ms > 0)
		s->cfg.timeout_ms = o->limits.timeout_ms;
	if (rc == CF_OK && o->limits.max_answer_bytes > 0)
		s->cfg.max_answer_bytes = o->limits.max_answer_bytes;
	if (rc == CF_OK && o->limits.max_requests > 0)
		s->cfg.max_requests = o->limits.max_requests;
	if (rc == CF_OK)
		rc = cf_sem_client_new(&s->client, &s->cfg, err);
	if (rc == CF_OK) {
		if (o->progress)
			cf_sem_client_on_progress(s->client, o->progress, o->ud);
		rc = cf_sem_refresh(&s->live, s->set, s->client, diags, err);
		cf_sem_client_on_progress(s->client, NULL, NULL); /* applying reports itself */
	}
	if (rc == CF_OK)
		rc = cf_plan_build(&s->plan, s->set, s->live, &o->plan, diags, err);
	if (rc != CF_OK) {
		cf_session_free(s);
		return rc;
	}
	*out = s;
	return CF_OK;
}

void cf_session_free(cf_session *s)
{
	if (!s)
		return;
	cf_plan_free(s->plan);
	cf_live_free(s->live);
	cf_sem_client_free(s->client);
	cf_sem_config_clear(&s->cfg);
	cf_resource_set_free(s->set);
	cf_source_free(s->src);
	free(s);
}

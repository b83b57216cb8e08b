/*
 * provider: Semaphore behind the core's provider table (provider.h): its
 * apiVersions, its kinds (one row each), the order their changes run in, and
 * a connection that is one API client.
 *
 * The order follows what names what (docs/plan-json.md): secrets before
 * the projects, notifications and targets that name them; tasks after the
 * project update that could rewrite them; dashboards last, as they name
 * projects. Deletes run the other way round.
 */
#include "reconciler/providers/semaphore/api.h"
#include "reconciler/providers/semaphore/export.h"
#include "reconciler/providers/semaphore/kinds.h"
#include "reconciler/providers/semaphore/refresh.h"

#include <stdlib.h>
#include <string.h>

static const char *const api_versions[] = {"v1alpha", "v1beta", "v1", NULL};

static const cf_kind *const kinds[] = {
	&cf_sem_agent_type_kind,
	&cf_sem_target_kind,
	&cf_sem_retention_kind,
	&cf_sem_secret_kind,
	&cf_sem_project_secret_kind,
	&cf_sem_project_kind,
	&cf_sem_task_kind,
	&cf_sem_notification_kind,
	&cf_sem_dashboard_kind,
	NULL,
};

static const char *const write_phases[] = {
	"Secret", "ProjectSecret", "SelfHostedAgentType", "DeploymentTarget", CF_PHASE_ACTIVATIONS,
	"ArtifactRetentionPolicy", "Project", "Task", "Notification", "Dashboard", NULL,
};

static const char *const delete_phases[] = {
	"Dashboard", "Notification", "Task", "DeploymentTarget", "SelfHostedAgentType", "ProjectSecret",
	"Secret", NULL,
};

typedef struct sem_conn {
	cf_conn base; /* first: a cf_conn * is a sem_conn * */
	cf_sem_config cfg;
	char *where;
} sem_conn;

static void sem_close(cf_conn *c)
{
	sem_conn *s = (sem_conn *)c;
	cf_http_client_free(c->impl);
	cf_sem_config_clear(&s->cfg);
	free(s->where);
	free(s);
}

/* The organisation as a person writes it: the API URL without /api/v1alpha. */
static char *org_text(const cf_sem_config *cfg)
{
	const char *u = cfg->base_url ? cfg->base_url : "";
	const char *api = strstr(u, "/api/v1alpha");
	char *org = api && !api[strlen("/api/v1alpha")] ? cf_xstrndup(u, (size_t)(api - u)) : cf_xstrdup(u);
	char *out = cfg->context ? cf_xasprintf("%s (sem context %s)", org, cfg->context) : cf_xstrdup(org);
	free(org);
	return out;
}

static int open_client(cf_conn **out, sem_conn *s, cf_error *err)
{
	s->base.provider = &cf_semaphore_provider;
	int rc = cf_http_client_new((cf_http_client **)&s->base.impl, &s->cfg, err);
	if (rc != CF_OK) {
		sem_close(&s->base);
		return rc;
	}
	s->where = org_text(&s->cfg);
	*out = &s->base;
	return CF_OK;
}

static int sem_connect(cf_conn **out, const cf_conn_settings *in, const cf_limits *l, cf_error *err)
{
	*out = NULL;
	sem_conn *s = cf_xcalloc(1, sizeof(*s));
	int rc = cf_sem_config_resolve(&s->cfg, in, err);
	if (rc != CF_OK) {
		cf_sem_config_clear(&s->cfg);
		free(s);
		return rc;
	}
	if (l && l->parallelism > 0)
		s->cfg.parallelism = l->parallelism;
	if (l && l->timeout_ms > 0)
		s->cfg.timeout_ms = l->timeout_ms;
	if (l && l->max_answer_bytes > 0)
		s->cfg.max_answer_bytes = l->max_answer_bytes;
	if (l && l->max_requests > 0)
		s->cfg.max_requests = l->max_requests;
	return open_client(out, s, err);
}

static char *dup_or_null(const char *v)
{
	return v ? cf_xstrdup(v) : NULL;
}

static int sem_clone(cf_conn **out, const cf_conn *c, cf_error *err)
{
	const sem_conn *from = (const sem_conn *)c;
	sem_conn *s = cf_xcalloc(1, sizeof(*s));
	s->cfg = from->cfg;
	s->cfg.base_url = dup_or_null(from->cfg.base_url);
	s->cfg.token = dup_or_null(from->cfg.token);
	s->cfg.context = dup_or_null(from->cfg.context);
	return open_client(out, s, err);
}

static const char *sem_where(const cf_conn *c)
{
	return ((const sem_conn *)c)->where;
}

static const char *sem_org(const cf_conn *c)
{
	return ((const sem_conn *)c)->cfg.base_url;
}

static unsigned long sem_requests(const cf_conn *c)
{
	return cf_http_client_requests(c->impl);
}

static void sem_on_progress(cf_conn *c, void (*fn)(void *ud, unsigned long done), void *ud)
{
	cf_http_client_on_progress(c->impl, fn, ud);
}

static void sem_on_trace(cf_conn *c, void (*fn)(void *ud, const cf_trace *t), void *ud)
{
	cf_http_client_on_trace(c->impl, fn, ud);
}

static int sem_read_live(cf_live *live, const cf_resource_set *set, cf_conn *c, cf_diags *diags, cf_error *err)
{
	return cf_sem_refresh(live, set, c, diags, err);
}

const cf_provider cf_semaphore_provider = {
	.name = "semaphore",
	.api_versions = api_versions,
	.kinds = kinds,
	.write_phases = write_phases,
	.delete_phases = delete_phases,
	.connect = sem_connect,
	.clone = sem_clone,
	.close = sem_close,
	.where = sem_where,
	.org = sem_org,
	.requests = sem_requests,
	.on_progress = sem_on_progress,
	.on_trace = sem_on_trace,
	.read_live = sem_read_live,
	.export = cf_sem_export,
};

/*
 * ciform export: live resources -> manifests, to adopt what already exists.
 */
#include "cmd/cli.h"
#include "cmd/options.h"
#include "reconciler/export.h"
#include "reconciler/provider.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The organisation-wide kinds, one flag each. */
static const struct {
	const char *flag, *kind;
} org_kinds[] = {
	{"agent-types", "SelfHostedAgentType"},
	{"secrets", "Secret"},
	{"notifications", "Notification"},
	{"dashboards", "Dashboard"},
};
#define NORG_KINDS (sizeof(org_kinds) / sizeof(org_kinds[0]))

static const char help[] =
	"usage: ciform export (--project NAME|UUID|SLUG ... | --agent-types | --secrets |\n"
	"                      --notifications | --dashboards | --all | --org ORG ... |\n"
	"                      --runner-namespace NS ... | --pipeline SLUG ... |\n"
	"                      --cluster NAME ... | --org-settings)\n"
	"                     [--dir DIR [--force]] [--parallelism N]\n\n"
	"Writes manifests for live resources: projects (settings, deployment targets,\n"
	"retention policies, secrets, tasks), self-hosted agent types, organisation\n"
	"secrets, notifications and dashboards. Secrets are written as\n"
	"\"<md5> [md5]\" (or valueFrom: {live: true} where the server hides them),\n"
	"which keeps the live values. 'ciform plan' on the result shows no changes.\n\n"
	"  --project NAME|UUID  a project's settings, deployment targets, retention policy,\n"
	"                       secrets and tasks (repeatable; manifests name it as given)\n"
	"  --agent-types        all self-hosted agent types\n"
	"  --secrets            all organisation secrets\n"
	"  --notifications      all notifications\n"
	"  --dashboards         all dashboards\n"
	"  --all                every Semaphore project and every kind above\n"
	"CircleCI (docs/circleci.md):\n"
	"  --project SLUG       a project slug with '/' (gh/acme/web): its environment,\n"
	"                       settings, webhooks and triggers\n"
	"  --org ORG            an organisation's contexts (gh/acme)\n"
	"  --runner-namespace NS  its runner resource classes and tokens\n"
	"Buildkite (docs/buildkite.md; the organisation is --org or BUILDKITE_ORGANIZATION_SLUG):\n"
	"  --pipeline SLUG      a pipeline and its schedules\n"
	"  --cluster NAME|UUID  a cluster with its queues, tokens and secrets (no values)\n"
	"  --org-settings       the organisation's pipeline settings\n"
	"Each vendor named connects with its own settings (docs/commands.md).\n"
	"  --dir DIR            one file per resource (default: one stream on stdout):\n"
	"                       DIR/PROJECT/target-NAME.yaml, DIR/PROJECT/retention-policy.yaml\n"
	"                       and DIR/agent-types/agent-type-NAME.yaml\n"
	"  --force              with --dir: replace files that exist (else: an error)\n"
	"  --parallelism N      requests in flight (1-64, default 8)\n"
	"  --org-url URL, --token-file FILE, --context NAME, --circleci-host URL,\n"
	"  --circleci-runner-host URL, --circleci-token-file FILE, --buildkite-token-file FILE,\n"
	"  --api-url URL: as for plan\n";

typedef struct export_args {
	opt_list projects, orgs, namespaces, pipelines, clusters;
	const char *kinds[NORG_KINDS + 1]; /* the org-wide kinds asked for */
	bool flags[NORG_KINDS];
	bool all, force, org_settings;
	const char *dir;
	long parallelism;
	cf_conn_settings conn;
	conn_flags vendor;
} export_args;

static int parse(export_args *a, int argc, char **argv)
{
	opt opts[NORG_KINDS + CONN_FLAGS_OPTS + 16] = {
		{.name = "project", .type = OPT_LIST, .to = &a->projects},
		{.name = "all", .type = OPT_FLAG, .to = &a->all},
		{.name = "dir", .type = OPT_STRING, .to = &a->dir},
		{.name = "force", .type = OPT_FLAG, .to = &a->force},
		{.name = "parallelism", .type = OPT_NUMBER, .to = &a->parallelism, .min = 1, .max = 64,
		 .unit = "a number"},
		{.name = "org-url", .type = OPT_STRING, .to = &a->conn.org_url},
		{.name = "token-file", .type = OPT_STRING, .to = &a->conn.token_file},
		{.name = "context", .type = OPT_STRING, .to = &a->conn.context},
		{.name = "runner-namespace", .type = OPT_LIST, .to = &a->namespaces},
		{.name = "pipeline", .type = OPT_LIST, .to = &a->pipelines},
		{.name = "cluster", .type = OPT_LIST, .to = &a->clusters},
		{.name = "org-settings", .type = OPT_FLAG, .to = &a->org_settings},
	};
	size_t n = 12;
	for (size_t k = 0; k < NORG_KINDS; k++)
		opts[n++] = (opt){.name = org_kinds[k].flag, .type = OPT_FLAG, .to = &a->flags[k]};
	conn_flags_opts(&a->vendor, opts + n); /* --org is also CircleCI's export scope */
	int rest;
	int rc = opt_parse("export", help, opts, argc, argv, &rest);
	if (rc >= 0)
		return rc;
	a->conn.options = conn_flags_list(&a->vendor);
	/* --org names CircleCI's organisation to export (gh/acme: a slash, or a
	 * UUID) unless the export is Buildkite's, whose organisation it then is */
	bool buildkite = a->pipelines.count || a->clusters.count || a->org_settings;
	if (a->vendor.org && (strchr(a->vendor.org, '/') || !buildkite))
		opt_list_add(&a->orgs, a->vendor.org);
	for (size_t i = 0; i < a->projects.count; i++) {
		const char *p = a->projects.items[i], *slash = strchr(p, '/');
		if (slash && !strchr(slash + 1, '/'))
			return cli_usage_error("export", "--project %s: a CircleCI project is vcs/org/repo (gh/acme/web); "
					       "for an organisation's contexts give --org %s", p, p);
	}
	size_t nkinds = 0;
	for (size_t k = 0; k < NORG_KINDS; k++)
		if (a->flags[k])
			a->kinds[nkinds++] = org_kinds[k].kind;
	bool vendors = a->orgs.count || a->namespaces.count || a->pipelines.count || a->clusters.count ||
		       a->org_settings;
	if (rest < argc)
		return cli_usage_error("export", "unexpected argument '%s'", argv[rest]);
	if (!a->all && !nkinds && a->projects.count == 0 && !vendors)
		return cli_usage_error("export", "give --project NAME|UUID (repeatable), --agent-types, --secrets, "
				       "--notifications, --dashboards or --all");
	if (a->all && (nkinds || a->projects.count))
		return cli_usage_error("export", "--all already exports every project and every kind");
	if (a->force && !a->dir)
		return cli_usage_error("export", "--force only applies with --dir");
	return -1;
}

/* One vendor's share of what was asked for; empty: that vendor is not asked. */
typedef struct share {
	const char *vendor;
	opt_list projects, extra;
	char *store[64];
	size_t nstore;
	cf_export_scope scope;
} share;

static void extra_add(share *s, const char *name, const char *value)
{
	if (s->nstore < 64) {
		s->store[s->nstore] = cf_xasprintf("%s=%s", name, value);
		opt_list_add(&s->extra, s->store[s->nstore++]);
	}
}

/* A project written with '/' is a CircleCI slug (gh/acme/web); --org and
 * --runner-namespace are CircleCI's, --pipeline, --cluster and
 * --org-settings Buildkite's; the rest is Semaphore's. */
static void split(share sh[3], const export_args *a)
{
	sh[0].vendor = "semaphore";
	sh[1].vendor = "circleci";
	sh[2].vendor = "buildkite";
	for (size_t i = 0; i < a->projects.count; i++)
		opt_list_add(&sh[strchr(a->projects.items[i], '/') ? 1 : 0].projects, a->projects.items[i]);
	for (size_t i = 0; i < a->orgs.count; i++)
		opt_list_add(&sh[1].projects, a->orgs.items[i]);
	for (size_t i = 0; i < a->namespaces.count; i++)
		extra_add(&sh[1], "runner-namespace", a->namespaces.items[i]);
	for (size_t i = 0; i < a->pipelines.count; i++)
		opt_list_add(&sh[2].projects, a->pipelines.items[i]);
	for (size_t i = 0; i < a->clusters.count; i++)
		extra_add(&sh[2], "cluster", a->clusters.items[i]);
	if (a->org_settings)
		extra_add(&sh[2], "org-settings", "1");
	for (int v = 0; v < 3; v++)
		sh[v].scope = (cf_export_scope){.projects = sh[v].projects.items, .nprojects = sh[v].projects.count,
						.extra = sh[v].extra.items};
	sh[0].scope.all = a->all;
	sh[0].scope.kinds = a->kinds;
}

static bool asked(const share *s)
{
	return s->scope.nprojects || s->scope.extra || s->scope.all || (s->scope.kinds && *s->scope.kinds);
}

static void share_free(share *s)
{
	opt_list_free(&s->projects);
	opt_list_free(&s->extra);
	for (size_t i = 0; i < s->nstore; i++)
		free(s->store[i]);
}

/* Each vendor asked for exports into ex, over a connection of its own. */
static int export_all(cf_export *ex, const export_args *a, cf_error *err)
{
	share sh[3] = {0};
	split(sh, a);
	const cf_limits limits = {.parallelism = (int)a->parallelism};
	int rc = CF_OK;
	for (int v = 0; v < 3 && rc == CF_OK; v++) {
		const cf_provider *p = asked(&sh[v]) ? cf_provider_named(sh[v].vendor) : NULL;
		if (!p)
			continue;
		cf_conn *conn = NULL;
		cf_export one = {0};
		rc = p->connect(&conn, &a->conn, &limits, err);
		if (rc == CF_OK)
			rc = p->export(&one, conn, &sh[v].scope, err);
		for (size_t i = 0; i < one.count && rc == CF_OK; i++) {
			cf_export_add(ex, one.docs[i].folder, one.docs[i].file, one.docs[i].doc);
			one.docs[i].doc = NULL; /* taken over */
		}
		cf_export_clear(&one);
		cf_conn_close(conn);
	}
	for (int v = 0; v < 3; v++)
		share_free(&sh[v]);
	return rc;
}

static void args_free(export_args *a)
{
	opt_list_free(&a->projects);
	opt_list_free(&a->orgs);
	opt_list_free(&a->namespaces);
	opt_list_free(&a->pipelines);
	opt_list_free(&a->clusters);
	conn_flags_free(&a->vendor);
}

int cmd_export(int argc, char **argv)
{
	export_args a = {0};
	int parsed = parse(&a, argc, argv);
	if (parsed >= 0) {
		args_free(&a);
		return parsed;
	}
	cf_error err = {0};
	cf_export ex = {0};
	char *stream = NULL;
	int rc = export_all(&ex, &a, &err);
	if (rc == CF_OK)
		rc = cf_export_write(&stream, &ex, a.dir, a.force, &err);
	if (rc == CF_OK && stream)
		fputs(stream, stdout);
	else if (rc == CF_OK)
		fprintf(stderr, "ciform: wrote %zu manifest%s to %s\n", ex.count, ex.count == 1 ? "" : "s", a.dir);
	else
		cli_error("%s", err.message);
	free(stream);
	args_free(&a);
	cf_export_clear(&ex);
	cf_error_clear(&err);
	return rc == CF_OK ? EXIT_OK : EXIT_ERROR;
}

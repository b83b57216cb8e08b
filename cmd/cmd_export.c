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
	"usage: ciform export (--project NAME|UUID ... | --agent-types | --secrets |\n"
	"                      --notifications | --dashboards | --all)\n"
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
	"  --all                every project and every kind above\n"
	"  --dir DIR            one file per resource (default: one stream on stdout):\n"
	"                       DIR/PROJECT/target-NAME.yaml, DIR/PROJECT/retention-policy.yaml\n"
	"                       and DIR/agent-types/agent-type-NAME.yaml\n"
	"  --force              with --dir: replace files that exist (else: an error)\n"
	"  --parallelism N      requests in flight (1-64, default 8)\n"
	"  --org-url URL, --token-file FILE, --context NAME: as for plan\n";

typedef struct export_args {
	opt_list projects;
	const char *kinds[NORG_KINDS + 1]; /* the org-wide kinds asked for */
	bool flags[NORG_KINDS];
	bool all, force;
	const char *dir;
	long parallelism;
	cf_conn_settings conn;
} export_args;

static int parse(export_args *a, int argc, char **argv)
{
	opt opts[NORG_KINDS + 10] = {
		{.name = "project", .type = OPT_LIST, .to = &a->projects},
		{.name = "all", .type = OPT_FLAG, .to = &a->all},
		{.name = "dir", .type = OPT_STRING, .to = &a->dir},
		{.name = "force", .type = OPT_FLAG, .to = &a->force},
		{.name = "parallelism", .type = OPT_NUMBER, .to = &a->parallelism, .min = 1, .max = 64,
		 .unit = "a number"},
		{.name = "org-url", .type = OPT_STRING, .to = &a->conn.org_url},
		{.name = "token-file", .type = OPT_STRING, .to = &a->conn.token_file},
		{.name = "context", .type = OPT_STRING, .to = &a->conn.context},
	};
	for (size_t k = 0; k < NORG_KINDS; k++)
		opts[8 + k] = (opt){.name = org_kinds[k].flag, .type = OPT_FLAG, .to = &a->flags[k]};
	int rest;
	int rc = opt_parse("export", help, opts, argc, argv, &rest);
	if (rc >= 0)
		return rc;
	size_t nkinds = 0;
	for (size_t k = 0; k < NORG_KINDS; k++)
		if (a->flags[k])
			a->kinds[nkinds++] = org_kinds[k].kind;
	if (rest < argc)
		return cli_usage_error("export", "unexpected argument '%s'", argv[rest]);
	if (!a->all && !nkinds && a->projects.count == 0)
		return cli_usage_error("export", "give --project NAME|UUID (repeatable), --agent-types, --secrets, "
				       "--notifications, --dashboards or --all");
	if (a->all && (nkinds || a->projects.count))
		return cli_usage_error("export", "--all already exports every project and every kind");
	if (a->force && !a->dir)
		return cli_usage_error("export", "--force only applies with --dir");
	return -1;
}

int cmd_export(int argc, char **argv)
{
	export_args a = {0};
	int parsed = parse(&a, argc, argv);
	if (parsed >= 0) {
		opt_list_free(&a.projects);
		return parsed;
	}
	cf_error err = {0};
	const cf_provider *p = cf_providers[0];
	cf_conn *conn = NULL;
	cf_export ex = {0};
	char *stream = NULL;
	const cf_export_scope scope = {.projects = a.projects.items, .nprojects = a.projects.count, .all = a.all,
				       .kinds = a.kinds};
	const cf_limits limits = {.parallelism = (int)a.parallelism};
	int rc = p->connect(&conn, &a.conn, &limits, &err);
	if (rc == CF_OK)
		rc = p->export(&ex, conn, &scope, &err);
	if (rc == CF_OK)
		rc = cf_export_write(&stream, &ex, a.dir, a.force, &err);
	if (rc == CF_OK && stream)
		fputs(stream, stdout);
	else if (rc == CF_OK)
		fprintf(stderr, "ciform: wrote %zu manifest%s to %s\n", ex.count, ex.count == 1 ? "" : "s", a.dir);
	else
		cli_error("%s", err.message);
	free(stream);
	opt_list_free(&a.projects);
	cf_export_clear(&ex);
	cf_conn_close(conn);
	cf_error_clear(&err);
	return rc == CF_OK ? EXIT_OK : EXIT_ERROR;
}

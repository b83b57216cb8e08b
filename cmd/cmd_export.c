/*
 * ciform export: live resources -> manifests, to adopt what already exists.
 */
#include "cmd/cli.h"
#include "reconciler/export.h"
#include "reconciler/provider.h"

#include <getopt.h>
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
	const char **projects;
	size_t nprojects;
	const char *kinds[NORG_KINDS + 1]; /* the org-wide kinds asked for */
	size_t nkinds;
	bool all, force;
	const char *dir;
	int parallelism;
	cf_conn_settings conn;
} export_args;

static int parse(export_args *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{"project", required_argument, NULL, 'p'},   {"agent-types", no_argument, NULL, 'k'},
		{"secrets", no_argument, NULL, 'k'},         {"notifications", no_argument, NULL, 'k'},
		{"dashboards", no_argument, NULL, 'k'},      {"all", no_argument, NULL, 'A'},             {"dir", required_argument, NULL, 'd'},
		{"force", no_argument, NULL, 'f'},           {"parallelism", required_argument, NULL, 'j'},
		{"org-url", required_argument, NULL, 'u'},   {"token-file", required_argument, NULL, 't'},
		{"context", required_argument, NULL, 'c'},   {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, at = 0;
	char *end;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, &at)) != -1) {
		switch (c) {
		case 'p':
			a->projects = cf_xrealloc(a->projects, (a->nprojects + 1) * sizeof(*a->projects));
			a->projects[a->nprojects++] = optarg;
			break;
		case 'k':
			for (size_t k = 0; k < NORG_KINDS; k++)
				if (!strcmp(opts[at].name, org_kinds[k].flag) && a->nkinds < NORG_KINDS)
					a->kinds[a->nkinds++] = org_kinds[k].kind;
			break;
		case 'A': a->all = true; break;
		case 'd': a->dir = optarg; break;
		case 'f': a->force = true; break;
		case 'j':
			a->parallelism = (int)strtol(optarg, &end, 10);
			if (*end || end == optarg || a->parallelism < 1 || a->parallelism > 64)
				return cli_usage_error("export", "--parallelism takes a number from 1 to 64, not '%s'", optarg);
			break;
		case 'u': a->conn.org_url = optarg; break;
		case 't': a->conn.token_file = optarg; break;
		case 'c': a->conn.context = optarg; break;
		case 'h': fputs(help, stdout); return -1;
		default: return cli_bad_option("export", argc, argv, c);
		}
	}
	if (optind < argc)
		return cli_usage_error("export", "unexpected argument '%s'", argv[optind]);
	if (!a->all && !a->nkinds && a->nprojects == 0)
		return cli_usage_error("export", "give --project NAME|UUID (repeatable), --agent-types, --secrets, "
				       "--notifications, --dashboards or --all");
	if (a->all && (a->nkinds || a->nprojects))
		return cli_usage_error("export", "--all already exports every project and every kind");
	if (a->force && !a->dir)
		return cli_usage_error("export", "--force only applies with --dir");
	return EXIT_OK;
}

int cmd_export(int argc, char **argv)
{
	export_args a = {0};
	int parsed = parse(&a, argc, argv);
	if (parsed != EXIT_OK) {
		free(a.projects);
		return parsed < 0 ? EXIT_OK : parsed;
	}
	cf_error err = {0};
	const cf_provider *p = cf_providers[0];
	cf_conn *conn = NULL;
	cf_export ex = {0};
	char *stream = NULL;
	const cf_export_scope scope = {.projects = a.projects, .nprojects = a.nprojects, .all = a.all,
				       .kinds = a.kinds};
	const cf_limits limits = {.parallelism = a.parallelism};
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
	free(a.projects);
	cf_export_clear(&ex);
	cf_conn_close(conn);
	cf_error_clear(&err);
	return rc == CF_OK ? EXIT_OK : EXIT_ERROR;
}

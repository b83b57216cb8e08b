/*
 * ciform export: live resources -> manifests, to adopt what already exists.
 */
#include "cmd/cli.h"
#include "reconciler/semaphore/export.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
	"usage: ciform export (--project NAME|UUID ... | --agent-types | --all)\n"
	"                     [--dir DIR [--force]] [--parallelism N]\n\n"
	"Writes manifests for live resources: projects' deployment targets and\n"
	"retention policies, and self-hosted agent types. Secrets are written as\n"
	"\"<md5> [md5]\", which keeps the live values. 'ciform plan' on the result shows\n"
	"no changes.\n\n"
	"  --project NAME|UUID  a project's deployment targets and retention policy\n"
	"                       (repeatable; manifests name the project as given)\n"
	"  --agent-types        all self-hosted agent types\n"
	"  --all                every project with targets or a policy, and the agent types\n"
	"  --dir DIR            one file per resource (default: one stream on stdout):\n"
	"                       DIR/PROJECT/target-NAME.yaml, DIR/PROJECT/retention-policy.yaml\n"
	"                       and DIR/agent-types/agent-type-NAME.yaml\n"
	"  --force              with --dir: replace files that exist (else: an error)\n"
	"  --parallelism N      requests in flight (1-64, default 8)\n"
	"  --org-url URL, --token-file FILE, --context NAME: as for plan\n";

typedef struct export_args {
	const char **projects;
	size_t nprojects;
	bool agents, all, force;
	const char *dir;
	int parallelism;
	cf_sem_settings conn;
} export_args;

static int parse(export_args *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{"project", required_argument, NULL, 'p'},   {"agent-types", no_argument, NULL, 'a'},
		{"all", no_argument, NULL, 'A'},             {"dir", required_argument, NULL, 'd'},
		{"force", no_argument, NULL, 'f'},           {"parallelism", required_argument, NULL, 'j'},
		{"org-url", required_argument, NULL, 'u'},   {"token-file", required_argument, NULL, 't'},
		{"context", required_argument, NULL, 'c'},   {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	char *end;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			a->projects = cf_xrealloc(a->projects, (a->nprojects + 1) * sizeof(*a->projects));
			a->projects[a->nprojects++] = optarg;
			break;
		case 'a': a->agents = true; break;
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
	if (!a->all && !a->agents && a->nprojects == 0)
		return cli_usage_error("export", "give --project NAME|UUID (repeatable), --agent-types or --all");
	if (a->all && (a->agents || a->nprojects))
		return cli_usage_error("export", "--all already exports every project and the agent types");
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
	cf_sem_config cfg = {0};
	cf_sem_client *client = NULL;
	cf_export ex = {0};
	char *stream = NULL;
	const cf_export_scope scope = {.projects = a.projects, .nprojects = a.nprojects, .all = a.all,
				       .agent_types = a.agents};
	int rc = cf_sem_config_resolve(&cfg, &a.conn, &err);
	if (rc == CF_OK && a.parallelism)
		cfg.parallelism = a.parallelism;
	if (rc == CF_OK)
		rc = cf_sem_client_new(&client, &cfg, &err);
	if (rc == CF_OK)
		rc = cf_sem_export(&ex, client, &scope, &err);
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
	cf_sem_client_free(client);
	cf_sem_config_clear(&cfg);
	cf_error_clear(&err);
	return rc == CF_OK ? EXIT_OK : EXIT_ERROR;
}

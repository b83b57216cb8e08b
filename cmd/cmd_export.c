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
	"usage: ciform export --project NAME|UUID | --agent-types [--dir DIR]\n\n"
	"Writes manifests for live resources: a project's deployment targets and\n"
	"retention policy, or every self-hosted agent type. Secrets are written as\n"
	"\"<md5> [md5]\", which keeps the live values. 'ciform plan' on the result shows\n"
	"no changes.\n\n"
	"  --project NAME|UUID  a project's deployment targets and retention policy\n"
	"  --agent-types        all self-hosted agent types\n"
	"  --dir DIR            one file per resource in DIR (default: one stream on stdout)\n"
	"  --org-url URL, --token-file FILE, --context NAME: as for plan\n";

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{"project", required_argument, NULL, 'p'}, {"agent-types", no_argument, NULL, 'a'},
		{"dir", required_argument, NULL, 'd'},     {"org-url", required_argument, NULL, 'u'},
		{"token-file", required_argument, NULL, 't'}, {"context", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
	};
	const char *project = NULL, *dir = NULL;
	bool agents = false;
	cf_sem_settings conn = {0};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': project = optarg; break;
		case 'a': agents = true; break;
		case 'd': dir = optarg; break;
		case 'u': conn.org_url = optarg; break;
		case 't': conn.token_file = optarg; break;
		case 'c': conn.context = optarg; break;
		case 'h': fputs(help, stdout); return EXIT_OK;
		default: return cli_usage_error("export", "invalid option");
		}
	}
	if ((project != NULL) == agents || optind < argc)
		return cli_usage_error("export", "give exactly one of --project NAME|UUID and --agent-types");
	cf_error err = {0};
	cf_sem_config cfg = {0};
	cf_sem_client *client = NULL;
	cf_export ex = {0};
	char *stream = NULL;
	int rc = cf_sem_config_resolve(&cfg, &conn, &err);
	if (rc == CF_OK)
		rc = cf_sem_client_new(&client, &cfg, &err);
	if (rc == CF_OK)
		rc = project ? cf_sem_export_project(&ex, client, project, &err)
			     : cf_sem_export_agent_types(&ex, client, &err);
	if (rc == CF_OK)
		rc = cf_export_write(&stream, &ex, dir, &err);
	if (rc == CF_OK && stream)
		fputs(stream, stdout);
	else if (rc == CF_OK)
		fprintf(stderr, "ciform: wrote %zu manifest%s to %s\n", ex.count, ex.count == 1 ? "" : "s", dir);
	else
		cli_error("%s", err.message);
	free(stream);
	cf_export_clear(&ex);
	cf_sem_client_free(client);
	cf_sem_config_clear(&cfg);
	cf_error_clear(&err);
	return rc == CF_OK ? EXIT_OK : EXIT_ERROR;
}

/*
 * ciform validate: check specs offline. Exit 0 when every manifest is valid,
 * 1 when any is invalid or unreadable; every problem is listed, not the first.
 */
#include "cmd/cli.h"
#include "reconciler/manifest.h"
#include "reconciler/render_diags.h"
#include "reconciler/session.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
	"usage: ciform validate [PATH...] [--format text|json] [--git-ref REF [--repo DIR]]\n\n"
	"Parses and checks the specs under each PATH (files, or directories walked for\n"
	"*.yaml and *.yml; default .). Makes no network request.\n\n"
	"  --format text|json  text: FILE:LINE:COLUMN: message lines on stderr;\n"
	"                      json: [{\"file\",\"line\",\"column\",\"message\"}] on stdout\n"
	"  --git-ref REF       read the specs from this commit, not from the work tree\n"
	"  --repo DIR          the repository for --git-ref (PATHs then relative to it)\n"
	"  -h, --help          show this help\n";

static void print_summary(const cf_resource_set *set, size_t nfiles)
{
	size_t n[3] = {0};
	const cf_kind *k[3] = {&cf_sem_agent_type_kind, &cf_sem_target_kind, &cf_sem_retention_kind};
	for (size_t i = 0; i < set->count; i++)
		for (size_t j = 0; j < 3; j++)
			n[j] += set->items[i].kind == k[j];
	printf("Valid: %zu resources in %zu files (%zu SelfHostedAgentType, %zu DeploymentTarget, "
	       "%zu ArtifactRetentionPolicy).\n", set->count, nfiles, n[0], n[1], n[2]);
}

int cmd_validate(int argc, char **argv)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'},
		{"git-ref", required_argument, NULL, 'g'},
		{"repo", required_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *format = "text";
	cf_session_opts so = {0};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': format = optarg; break;
		case 'g': so.git_ref = optarg; break;
		case 'r': so.repo = optarg; break;
		case 'h': fputs(help, stdout); return EXIT_OK;
		default: return cli_usage_error("validate", "invalid option");
		}
	}
	bool json = !strcmp(format, "json");
	if (!json && strcmp(format, "text") != 0)
		return cli_usage_error("validate", "--format must be text or json, not '%s'", format);

	cf_error err = {0};
	cf_source *src = NULL;
	so.paths = (const char *const *)argv + optind;
	so.npaths = (size_t)(argc - optind);
	if (cf_session_open_source(&src, &so, &err) != CF_OK) {
		int rc = cli_error("%s", err.message);
		cf_error_clear(&err);
		return rc;
	}
	cf_diags diags = {0};
	cf_resource_set *set = NULL;
	int rc = cf_manifest_load(&set, src, &diags, &err);
	if (json) {
		char *out = cf_render_diags_json(&diags);
		fputs(out, stdout);
		free(out);
	} else if (rc == CF_OK) {
		print_summary(set, src->nfiles);
	} else {
		char *out = cf_render_diags_text(&diags);
		fputs(out, stderr);
		free(out);
	}
	if (rc != CF_OK && !json)
		cli_error("%zu problem%s in the specs", diags.count, diags.count == 1 ? "" : "s");
	cf_diags_free(&diags);
	cf_resource_set_free(set);
	cf_source_free(src);
	cf_error_clear(&err);
	return rc == CF_OK ? EXIT_OK : EXIT_ERROR;
}

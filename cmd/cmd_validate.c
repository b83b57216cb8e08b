/*
 * ciform validate: check specs offline. Exit 0 when every manifest is valid,
 * 1 when any is invalid or unreadable; every problem is listed, not the first.
 *
 * Offline means without secrets too: a pre-merge check of a pull request from
 * a fork has none, so an environment variable a spec reads is a warning when
 * it is not set. Warnings never fail the run, unless --strict, for a job that
 * has the secrets and wants everything a plan would need.
 */
#include "cmd/cli.h"
#include "cmd/options.h"
#include "reconciler/manifest.h"
#include "reconciler/render_diags.h"
#include "reconciler/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
	"usage: ciform validate [PATH...] [--format text|json] [--strict] [--git-ref REF [--repo DIR]]\n\n"
	"Parses and checks the specs under each PATH (files, or directories walked for\n"
	"*.yaml and *.yml; default .). Makes no network request and needs no secret:\n"
	"an environment variable named by valueFrom.env that is not set is a warning.\n"
	"Warnings (also: an empty subject_rules or object_rules list, which lets nobody\n"
	"deploy) are listed but leave the exit status 0.\n\n"
	"  --format text|json  text: FILE:LINE:COLUMN: message lines on stderr, warnings as\n"
	"                      FILE:LINE:COLUMN: warning: message;\n"
	"                      json: [{\"file\",\"line\",\"column\",\"severity\",\"message\"}] on\n"
	"                      stdout, severity \"error\" or \"warning\"\n"
	"  --strict            every valueFrom.env variable must be set (as for plan), and\n"
	"                      any warning fails the run (exit 1)\n"
	"  --git-ref REF       read the specs from this commit, not from the work tree\n"
	"  --repo DIR          the repository for --git-ref (PATHs then relative to it)\n"
	"  -h, --help          show this help\n";

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

/* Counts by kind, in the registry's order, for the kinds present. */
static void print_summary(const cf_resource_set *set, size_t nfiles, size_t warnings)
{
	printf("Valid: %zu resource%s in %zu file%s", set->count, plural(set->count), nfiles, plural(nfiles));
	const cf_kind *k;
	size_t shown = 0;
	for (size_t j = 0; (k = cf_kind_nth(j)); j++) {
		size_t n = 0;
		for (size_t i = 0; i < set->count; i++)
			n += set->items[i].kind == k;
		if (n)
			printf("%s%zu %s", shown++ ? ", " : " (", n, k->name);
	}
	if (shown)
		fputs(")", stdout);
	if (warnings)
		printf("; %zu warning%s", warnings, plural(warnings));
	fputs(".\n", stdout);
}

int cmd_validate(int argc, char **argv)
{
	const char *format = "text";
	bool strict = false;
	cf_session_opts so = {0};
	const opt opts[] = {
		{.name = "format", .type = OPT_STRING, .to = &format},
		{.name = "strict", .type = OPT_FLAG, .to = &strict},
		{.name = "git-ref", .type = OPT_STRING, .to = &so.git_ref},
		{.name = "repo", .type = OPT_STRING, .to = &so.repo},
		OPT_END,
	};
	int rest;
	int parsed = opt_parse("validate", help, opts, argc, argv, &rest);
	if (parsed >= 0)
		return parsed;
	bool json = !strcmp(format, "json");
	if (!json && strcmp(format, "text") != 0)
		return cli_usage_error("validate", "--format must be text or json, not '%s'", format);

	cf_error err = {0};
	cf_source *src = NULL;
	so.paths = (const char *const *)argv + rest;
	so.npaths = (size_t)(argc - rest);
	if (cf_session_open_source(&src, &so, &err) != CF_OK) {
		int rc = cli_error("%s", err.message);
		cf_error_clear(&err);
		return rc;
	}
	cf_diags diags = {0};
	cf_resource_set *set = NULL;
	const cf_load_opts lo = {.offline = !strict, .warnings = true};
	int rc = cf_manifest_load_opts(&set, src, &lo, &diags, &err);
	size_t errors = cf_diags_count(&diags, CF_SEV_ERROR);
	size_t warnings = cf_diags_count(&diags, CF_SEV_WARNING);
	bool ok = rc == CF_OK && !(strict && warnings);
	if (json) {
		char *out = cf_render_diags_json(&diags);
		fputs(out, stdout);
		free(out);
	} else {
		char *out = cf_render_diags_text(&diags);
		fputs(out, stderr);
		free(out);
		if (ok)
			print_summary(set, src->nfiles, warnings);
		else if (errors && warnings)
			cli_error("%zu problem%s in the specs (and %zu warning%s)", errors, plural(errors),
				  warnings, plural(warnings));
		else if (errors)
			cli_error("%zu problem%s in the specs", errors, plural(errors));
		else
			cli_error("%zu warning%s in the specs (--strict)", warnings, plural(warnings));
	}
	cf_diags_free(&diags);
	cf_resource_set_free(set);
	cf_source_free(src);
	cf_error_clear(&err);
	return ok ? EXIT_OK : EXIT_ERROR;
}

/*
 * ciform show: a plan saved by `plan --out`, printed again, in any format.
 * A reviewer can read in a terminal, or post as Markdown, the very plan
 * that `apply --plan` will carry out, without connecting to anything.
 */
#include "cmd/cli.h"
#include "cmd/options.h"
#include "reconciler/render_apply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
	"usage: ciform show PLANFILE [--format text|json|markdown] [--no-color]\n\n"
	"Prints a plan saved by 'ciform plan --out PLANFILE'. Makes no network request.\n\n"
	"  --format text|json|markdown   text (default), the JSON plan as saved, or Markdown\n"
	"  --no-color                    no colour (also NO_COLOR=1, TERM=dumb)\n"
	"  -h, --help                    show this help\n";

int cmd_show(int argc, char **argv)
{
	const char *format = "text";
	bool no_color = false;
	const opt opts[] = {
		{.name = "format", .type = OPT_STRING, .to = &format},
		{.name = "no-color", .type = OPT_FLAG, .to = &no_color},
		OPT_END,
	};
	int rest;
	int parsed = opt_parse("show", help, opts, argc, argv, &rest);
	if (parsed >= 0)
		return parsed;
	if (strcmp(format, "text") && strcmp(format, "json") && strcmp(format, "markdown"))
		return cli_usage_error("show", "--format must be text, json or markdown, not '%s'", format);
	if (argc - rest != 1)
		return cli_usage_error("show", "give one PLANFILE");
	char *out = NULL;
	cf_error err = {0};
	int rc = cf_render_saved_plan(&out, argv[rest], format, cli_color(no_color), &err);
	if (rc == CF_OK)
		fputs(out, stdout);
	else
		cli_error("%s", err.message);
	free(out);
	cf_error_clear(&err);
	return rc == CF_OK ? EXIT_OK : EXIT_ERROR;
}

/*
 * ciform schema: the JSON Schema of every manifest kind, for editors. It is
 * generated from the tables validate checks with, so the two cannot drift.
 */
#include "cmd/cli.h"
#include "reconciler/schema_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
	"usage: ciform schema\n\n"
	"Prints the JSON Schema (draft-07) of ciform's manifests: every kind, key,\n"
	"type, allowed value and pattern that 'ciform validate' checks, generated from\n"
	"the same tables. Point an editor's YAML support at it, for example:\n\n"
	"  ciform schema > ciform.schema.json\n"
	"  # yaml-language-server: $schema=./ciform.schema.json   (first line of a spec)\n\n"
	"What no JSON Schema can check (files and environment variables that a spec\n"
	"names, regular expressions that must compile, names unique in a list) is\n"
	"checked by 'ciform validate' only.\n";

int cmd_schema(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(help, stdout);
		return EXIT_OK;
	}
	if (argc > 1)
		return cli_usage_error("schema", "unexpected argument '%s'", argv[1]);
	cf_error err = {0};
	char *text = NULL;
	int rc = cf_schema_json(&text, &err);
	if (rc == CF_OK)
		fputs(text, stdout);
	else
		cli_error("%s", err.message);
	free(text);
	cf_error_clear(&err);
	return rc == CF_OK ? EXIT_OK : EXIT_ERROR;
}

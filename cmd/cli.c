/*
 * cli: shared helpers of the ciform command's verbs.
 */
#include "cmd/cli.h"

#include "reconciler/plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("ciform: error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return EXIT_ERROR;
}

int cli_usage_error(const char *verb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("ciform: error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, " (see 'ciform %s --help')\n", verb);
	va_end(ap);
	return EXIT_ERROR;
}

void cli_apply_progress(void *ud, const cf_change *ch, const char *what)
{
	(void)ud;
	if (!strcmp(what, "start"))
		printf("%s: %s...\n", ch->address, cf_action_names[ch->action]);
	else if (!strcmp(what, "done"))
		printf("%s: %s done\n", ch->address, cf_action_names[ch->action]);
	else
		printf("%s: %s\n", ch->address, what);
	fflush(stdout);
}

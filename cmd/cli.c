/*
 * cli: shared helpers of the ciform command's verbs.
 */
#include "cmd/cli.h"

#include "reconciler/plan.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

bool cli_color(bool no_color)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
	return !no_color && !(nc && *nc) && !(term && !strcmp(term, "dumb")) && isatty(1);
}

int cli_bad_option(const char *verb, int argc, char **argv, int c)
{
	/* getopt leaves the word it stopped at just before optind; for an
	 * unknown short option (-x inside -vx) only optopt knows which */
	const char *word = optind > 0 && optind <= argc ? argv[optind - 1] : "?";
	size_t len = strcspn(word, "=");
	if (c == ':')
		return cli_usage_error(verb, "option '%.*s' needs a value", (int)len, word);
	if (optopt && strncmp(word, "--", 2) != 0)
		return cli_usage_error(verb, "unknown option '-%c'", optopt);
	return cli_usage_error(verb, "unknown option '%.*s'", (int)len, word);
}

void cli_apply_progress(void *ud, const cf_change *ch, const char *what)
{
	FILE *to = ud ? ud : stdout;
	if (!strcmp(what, "start"))
		fprintf(to, "%s: %s...\n", ch->address, cf_action_names[ch->action]);
	else if (!strcmp(what, "done"))
		fprintf(to, "%s: %s done\n", ch->address, cf_action_names[ch->action]);
	else
		fprintf(to, "%s: %s\n", ch->address, what);
	fflush(to);
}

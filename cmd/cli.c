/*
 * cli: shared helpers of the ciform command's verbs.
 */
#include "cmd/cli.h"

#include <stdarg.h>
#include <stdio.h>

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

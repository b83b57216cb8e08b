/*
 * options: one getopt_long loop for every verb's option table (options.h).
 */
#include "cmd/options.h"
#include "cmd/cli.h"
#include "reconciler/error.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int take(const char *verb, const opt *o, const char *value)
{
	char *end;
	long n;
	switch (o->type) {
	case OPT_FLAG: *(bool *)o->to = true; break;
	case OPT_STRING: *(const char **)o->to = value; break;
	case OPT_LIST: {
		opt_list *l = o->to;
		l->items = cf_xrealloc(l->items, (l->count + 2) * sizeof(*l->items));
		l->items[l->count++] = value;
		l->items[l->count] = NULL;
		break;
	}
	case OPT_NUMBER:
		n = strtol(value, &end, 10);
		if (!*value || *end || n < o->min || n > o->max)
			return cli_usage_error(verb, "--%s takes %s from %ld to %ld, not '%s'", o->name, o->unit, o->min,
					       o->max, value);
		*(long *)o->to = n;
		break;
	}
	return -1;
}

int opt_parse(const char *verb, const char *help, const opt *opts, int argc, char **argv, int *rest)
{
	size_t n = 0;
	while (opts[n].name)
		n++;
	struct option *lo = cf_xcalloc(n + 2, sizeof(*lo));
	for (size_t i = 0; i < n; i++)
		lo[i] = (struct option){opts[i].name, opts[i].type == OPT_FLAG ? no_argument : required_argument,
					NULL, 256 + (int)i};
	lo[n] = (struct option){"help", no_argument, NULL, 'h'};
	int c, rc = -1;
	optind = 1;
	opterr = 0; /* one error, ours, naming the option */
	while (rc < 0 && (c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		if (c == 'h') {
			fputs(help, stdout);
			rc = EXIT_OK;
		} else if (c >= 256 && c < 256 + (int)n) {
			rc = take(verb, &opts[c - 256], optarg);
		} else {
			rc = cli_bad_option(verb, argc, argv, c);
		}
	}
	free(lo);
	*rest = optind;
	return rc;
}

void opt_list_free(opt_list *l)
{
	free(l->items);
	l->items = NULL;
	l->count = 0;
}

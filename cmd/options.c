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
	case OPT_LIST: opt_list_add(o->to, value); break;
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

void opt_list_add(opt_list *l, const char *item)
{
	l->items = cf_xrealloc(l->items, (l->count + 2) * sizeof(*l->items));
	l->items[l->count++] = item;
	l->items[l->count] = NULL;
}

void opt_list_free(opt_list *l)
{
	free(l->items);
	l->items = NULL;
	l->count = 0;
}

void conn_flags_opts(conn_flags *f, opt *out)
{
	out[0] = (opt){.name = "circleci-host", .type = OPT_STRING, .to = &f->circleci_host};
	out[1] = (opt){.name = "rewrite-write-only", .type = OPT_FLAG, .to = &f->rewrite_write_only};
	out[2] = (opt){.name = "org", .type = OPT_STRING, .to = &f->org};
	out[3] = (opt){.name = "api-url", .type = OPT_STRING, .to = &f->api_url};
	out[4] = (opt){.name = "circleci-runner-host", .type = OPT_STRING, .to = &f->circleci_runner_host};
	out[5] = (opt){.name = "circleci-token-file", .type = OPT_STRING, .to = &f->circleci_token_file};
	out[6] = (opt){.name = "buildkite-token-file", .type = OPT_STRING, .to = &f->buildkite_token_file};
}

const char *const *conn_flags_list(conn_flags *f)
{
	conn_flags_free(f);
	size_t n = 0;
	if (f->circleci_host)
		f->store[n++] = cf_xasprintf("circleci-host=%s", f->circleci_host);
	if (f->circleci_token_file)
		f->store[n++] = cf_xasprintf("circleci-token-file=%s", f->circleci_token_file);
	if (f->buildkite_token_file)
		f->store[n++] = cf_xasprintf("buildkite-token-file=%s", f->buildkite_token_file);
	if (f->circleci_runner_host)
		f->store[n++] = cf_xasprintf("circleci-runner-host=%s", f->circleci_runner_host);
	if (f->rewrite_write_only)
		f->store[n++] = cf_xstrdup("rewrite-write-only=1");
	if (f->org)
		f->store[n++] = cf_xasprintf("org=%s", f->org);
	if (f->api_url)
		f->store[n++] = cf_xasprintf("api-url=%s", f->api_url);
	if (f->token_dir)
		f->store[n++] = cf_xasprintf("registration-token-dir=%s", f->token_dir);
	for (size_t i = 0; i < 10; i++)
		f->list[i] = i < n ? f->store[i] : NULL;
	return f->list;
}

void conn_flags_free(conn_flags *f)
{
	for (size_t i = 0; i < 9; i++) {
		free(f->store[i]);
		f->store[i] = NULL;
	}
}

/*
 * options: the one option parser of every verb. A verb describes its options
 * as a table (name, type, where the value goes, bounds); opt_parse runs
 * getopt_long over it, so every verb takes --name VALUE and --name=VALUE,
 * reports an unknown option or a missing value the same way, and checks
 * numbers with the same words ("--parallelism takes a number from 1 to 64,
 * not 'x'").
 */
#ifndef CF_OPTIONS_H
#define CF_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
	OPT_FLAG,   /* to: bool *, set true */
	OPT_STRING, /* to: const char **, the last one given wins */
	OPT_LIST,   /* to: opt_list *, every one given, in order */
	OPT_NUMBER, /* to: long *, a whole number from min to max */
} opt_type;

typedef struct opt_list {
	const char **items; /* NULL-terminated; opt_list_free frees the array */
	size_t count;
} opt_list;

typedef struct opt {
	const char *name; /* without the leading -- */
	opt_type type;
	void *to;
	long min, max;    /* OPT_NUMBER */
	const char *unit; /* OPT_NUMBER, for the message: "a number", "seconds" */
} opt;

#define OPT_END {.name = NULL, .type = OPT_FLAG, .to = NULL, .min = 0, .max = 0, .unit = NULL}

/* Parses argv (argv[0] is the verb) by opts; --help and -h print help.
 * Returns -1 to go on, with *rest the index of the first operand; or the
 * exit code to return: EXIT_OK after --help, EXIT_ERROR after a usage error
 * (already reported, naming the option). */
int opt_parse(const char *verb, const char *help, const opt *opts, int argc, char **argv, int *rest);

/* The connection settings one vendor has (provider.h cf_conn_settings
 * options): --circleci-host URL, --rewrite-write-only (CircleCI), --org SLUG
 * and --api-url URL (Buildkite). Every verb that connects takes them. */
typedef struct conn_flags {
	const char *circleci_host, *circleci_runner_host, *org, *api_url;
	const char *circleci_token_file, *buildkite_token_file;
	bool rewrite_write_only;
	/* --registration-token-dir, set by the verb that parsed it: providers
	 * read it at plan time too (a token whose file is missing) */
	const char *token_dir;
	char *store[9];
	const char *list[10];
} conn_flags;
#define CONN_FLAGS_OPTS 7
/* Writes the CONN_FLAGS_OPTS options into out. */
void conn_flags_opts(conn_flags *f, opt *out);
/* After parsing: the "name=value" list for cf_conn_settings.options. */
const char *const *conn_flags_list(conn_flags *f);
void conn_flags_free(conn_flags *f);
void opt_list_add(opt_list *l, const char *item);
void opt_list_free(opt_list *l);

#endif

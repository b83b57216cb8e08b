/*
 * cli: what every verb of the ciform command shares: error printing, exit
 * codes and the verb table. The command knows nothing of HTTP or YAML; it
 * parses options, calls the library, and maps results to exit codes.
 */
#ifndef CF_CLI_H
#define CF_CLI_H

#include <stdbool.h>

enum {
	EXIT_OK = 0,
	EXIT_ERROR = 1,   /* invalid spec, API error, refused, stale plan, partial apply */
	EXIT_CHANGES = 2, /* plan --detailed-exitcode and drift: success, and there are changes */
};

typedef struct cli_verb {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} cli_verb;

/* Prints "ciform: error: ..." to stderr and returns EXIT_ERROR. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* For an option parse failure: names the verb's --help and returns EXIT_ERROR. */
int cli_usage_error(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Whether stdout may get colour: a terminal, not TERM=dumb, no NO_COLOR,
 * and not no_color (--no-color). */
bool cli_color(bool no_color);

/* For getopt's '?' or ':' (optstring starting with ':', opterr = 0): one
 * error naming the unknown option, or the option that lacks its value. */
int cli_bad_option(const char *verb, int argc, char **argv, int c);

struct cf_change;
/* Prints apply's progress to ud (a FILE *; NULL: stdout): "ADDRESS: create...",
 * "... done", notes. */
void cli_apply_progress(void *ud, const struct cf_change *ch, const char *what);

int cmd_validate(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_drift(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_reconcile(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_schema(int argc, char **argv);
int cmd_comment(int argc, char **argv);

#endif

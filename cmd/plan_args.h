/*
 * plan_args: the options plan, apply and drift share, parsed once.
 */
#ifndef CF_PLAN_ARGS_H
#define CF_PLAN_ARGS_H

#include <stdbool.h>
#include "cmd/options.h"
#include "reconciler/session.h"

typedef struct plan_args {
	const char *format; /* text, json, markdown */
	const char *out;    /* plan --out */
	const char *plan_file; /* apply --plan */
	const char *token_dir;
	bool detailed_exitcode, yes, no_color, debug;
	bool replace_secrets; /* apply: carry out replacements */
	long wait_timeout_ms;
	opt_list targets;     /* --target, in order */
	conn_flags vendor;    /* settings only one vendor has */
	cf_session_opts session;
} plan_args;

/* Parses argv for verb; returns -1 to go on, or the exit code to return
 * (0 after --help, 1 after a usage error, already reported). */
int plan_args_parse(plan_args *a, int argc, char **argv, const char *verb, const char *help);
/* The same, with the verb's own options (more, OPT_END-terminated) beside
 * plan's, in the one table the option parser reads. */
int plan_args_parse_with(plan_args *a, int argc, char **argv, const char *verb, const char *help, const opt *more);
void plan_args_free(plan_args *a);

/* Whether text output may use colour: stdout is a terminal, no --no-color,
 * no NO_COLOR, and TERM is not dumb. */
bool plan_args_color(const plan_args *a);

/* Loads, connects, reads and plans; reports problems itself. NULL on failure.
 * With --debug, every request's method, path and status go to stderr, during
 * the apply that follows too (the trace stays set on the session's client). */
cf_session *plan_args_session(plan_args *a);

#endif

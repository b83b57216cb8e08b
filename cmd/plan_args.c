/*
 * plan_args: option parsing for plan, apply and drift, and the one place
 * that turns a failed session into what the user reads.
 */
#include "cmd/plan_args.h"
#include "cmd/cli.h"
#include "cmd/options.h"
#include "reconciler/render_diags.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Numbers as given, before they become the session's limits. */
typedef struct numbers {
	long parallelism, wait_s, request_timeout_s, max_answer_mb, max_requests;
} numbers;

int plan_args_parse(plan_args *a, int argc, char **argv, const char *verb, const char *help)
{
	return plan_args_parse_with(a, argc, argv, verb, help, NULL);
}

int plan_args_parse_with(plan_args *a, int argc, char **argv, const char *verb, const char *help, const opt *more)
{
	memset(a, 0, sizeof(*a));
	a->format = "text";
	numbers n = {0};
	cf_session_opts *so = &a->session;
	const opt opts[] = {
		{.name = "format", .type = OPT_STRING, .to = &a->format},
		{.name = "out", .type = OPT_STRING, .to = &a->out},
		{.name = "plan", .type = OPT_STRING, .to = &a->plan_file},
		{.name = "detailed-exitcode", .type = OPT_FLAG, .to = &a->detailed_exitcode},
		{.name = "prune", .type = OPT_FLAG, .to = &so->plan.prune},
		{.name = "target", .type = OPT_LIST, .to = &a->targets},
		{.name = "parallelism", .type = OPT_NUMBER, .to = &n.parallelism, .min = 1, .max = 64,
		 .unit = "a number"},
		{.name = "no-color", .type = OPT_FLAG, .to = &a->no_color},
		{.name = "registration-token-dir", .type = OPT_STRING, .to = &a->token_dir},
		{.name = "org-url", .type = OPT_STRING, .to = &so->conn.org_url},
		{.name = "token-file", .type = OPT_STRING, .to = &so->conn.token_file},
		{.name = "context", .type = OPT_STRING, .to = &so->conn.context},
		{.name = "wait-timeout", .type = OPT_NUMBER, .to = &n.wait_s, .min = 1, .max = 86400, .unit = "seconds"},
		{.name = "yes", .type = OPT_FLAG, .to = &a->yes},
		{.name = "git-ref", .type = OPT_STRING, .to = &so->git_ref},
		{.name = "repo", .type = OPT_STRING, .to = &so->repo},
		{.name = "request-timeout", .type = OPT_NUMBER, .to = &n.request_timeout_s, .min = 1, .max = 3600,
		 .unit = "seconds"},
		{.name = "max-answer-mb", .type = OPT_NUMBER, .to = &n.max_answer_mb, .min = 1, .max = 4096,
		 .unit = "a number"},
		{.name = "max-requests", .type = OPT_NUMBER, .to = &n.max_requests, .min = 1, .max = 100000000,
		 .unit = "a number"},
		{.name = "allow-empty", .type = OPT_FLAG, .to = &so->allow_empty},
		{.name = "debug", .type = OPT_FLAG, .to = &a->debug},
		{.name = "replace-secrets", .type = OPT_FLAG, .to = &a->replace_secrets},
		OPT_END,
	};
	size_t nopts = sizeof(opts) / sizeof(opts[0]) - 1, nmore = 0;
	while (more && more[nmore].name)
		nmore++;
	opt *all = cf_xcalloc(nopts + CONN_FLAGS_OPTS + nmore + 1, sizeof(*all));
	memcpy(all, opts, nopts * sizeof(*all));
	conn_flags_opts(&a->vendor, all + nopts);
	if (nmore)
		memcpy(all + nopts + CONN_FLAGS_OPTS, more, nmore * sizeof(*all));
	int rest;
	int rc = opt_parse(verb, help, all, argc, argv, &rest);
	free(all);
	if (rc >= 0)
		return rc;
	if (a->replace_secrets && strcmp(verb, "apply") != 0)
		return cli_usage_error(verb, "--replace-secrets only applies to apply");
	if (strcmp(a->format, "text") && strcmp(a->format, "json") && strcmp(a->format, "markdown"))
		return cli_usage_error(verb, "--format must be text, json or markdown, not '%s'", a->format);
	so->plan.token_dir = a->token_dir;
	a->vendor.token_dir = a->token_dir;
	so->conn.options = conn_flags_list(&a->vendor);
	so->limits.parallelism = (int)n.parallelism;
	so->limits.timeout_ms = n.request_timeout_s * 1000;
	so->limits.max_answer_bytes = (size_t)n.max_answer_mb << 20;
	so->limits.max_requests = (unsigned long)n.max_requests;
	a->wait_timeout_ms = n.wait_s * 1000;
	if (a->targets.count)
		so->plan.targets = a->targets.items;
	so->paths = (const char *const *)argv + rest;
	so->npaths = (size_t)(argc - rest);
	return -1;
}

void plan_args_free(plan_args *a)
{
	opt_list_free(&a->targets);
	conn_flags_free(&a->vendor);
}

bool plan_args_color(const plan_args *a)
{
	return cli_color(a->no_color);
}

/* On a terminal, one line that counts the answers as they come. */
static void progress(void *ud, unsigned long answers)
{
	*(bool *)ud = true;
	fprintf(stderr, "\rciform: reading the live state: %lu answer%s", answers, answers == 1 ? "" : "s");
	fflush(stderr);
}

/* --debug: one line per attempt of each request. Method, path and status
 * only: headers carry the token, bodies the secrets. Apply's workers trace
 * from their threads: each line goes out in one write. */
static void trace(void *ud, const cf_trace *t)
{
	bool *shown = ud;
	char line[2560], what[160];
	if (t->status)
		snprintf(what, sizeof(what), "%ld", t->status);
	else
		snprintf(what, sizeof(what), "no answer (%s)", t->failure ? t->failure : "failed");
	char attempt[32] = "";
	if (t->attempt > 1)
		snprintf(attempt, sizeof(attempt), " (attempt %d)", t->attempt);
	snprintf(line, sizeof(line), "%sciform: debug: %s %s -> %s in %ld ms%s%s\n",
		 shown && *shown ? "\n" : "", t->method, t->path, what, t->ms, attempt,
		 t->retrying ? ", will retry" : "");
	if (shown) /* the progress line is open: the line above ended it */
		*shown = false;
	fputs(line, stderr);
	fflush(stderr);
}

cf_session *plan_args_session(plan_args *a)
{
	static bool shown;
	shown = false;
	if (isatty(2)) {
		a->session.progress = progress;
		a->session.ud = &shown;
	}
	if (a->debug) {
		a->session.trace = trace;
		a->session.trace_ud = &shown;
	}
	cf_diags diags = {0};
	cf_error err = {0};
	cf_session *s = NULL;
	int rc = cf_session_plan(&s, &a->session, &diags, &err);
	if (shown)
		fputc('\n', stderr);
	shown = false;
	if (rc == CF_EINVALID) {
		char *text = cf_render_diags_text(&diags);
		fputs(text, stderr);
		free(text);
		cli_error("%zu problem%s in the specs", diags.count, diags.count == 1 ? "" : "s");
	} else if (rc != CF_OK) {
		cli_error("%s", err.message ? err.message : "failed");
	}
	cf_diags_free(&diags);
	cf_error_clear(&err);
	return s;
}

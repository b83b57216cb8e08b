/*
 * plan_args: option parsing for plan, apply and drift, and the one place
 * that turns a failed session into what the user reads.
 */
#include "cmd/plan_args.h"
#include "cmd/cli.h"
#include "reconciler/render_diags.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { O_FORMAT = 256, O_OUT, O_PLAN, O_DETAILED, O_PRUNE, O_TARGET, O_PARALLELISM, O_NO_COLOR,
       O_TOKEN_DIR, O_ORG_URL, O_TOKEN_FILE, O_CONTEXT, O_WAIT, O_YES, O_HELP, O_GIT_REF, O_REPO,
       O_REQUEST_TIMEOUT, O_MAX_ANSWER, O_MAX_REQUESTS, O_ALLOW_EMPTY, O_DEBUG, O_REPLACE_SECRETS };

static const struct option opts[] = {
	{"format", required_argument, NULL, O_FORMAT},
	{"out", required_argument, NULL, O_OUT},
	{"plan", required_argument, NULL, O_PLAN},
	{"detailed-exitcode", no_argument, NULL, O_DETAILED},
	{"prune", no_argument, NULL, O_PRUNE},
	{"target", required_argument, NULL, O_TARGET},
	{"parallelism", required_argument, NULL, O_PARALLELISM},
	{"no-color", no_argument, NULL, O_NO_COLOR},
	{"registration-token-dir", required_argument, NULL, O_TOKEN_DIR},
	{"org-url", required_argument, NULL, O_ORG_URL},
	{"token-file", required_argument, NULL, O_TOKEN_FILE},
	{"context", required_argument, NULL, O_CONTEXT},
	{"wait-timeout", required_argument, NULL, O_WAIT},
	{"yes", no_argument, NULL, O_YES},
	{"git-ref", required_argument, NULL, O_GIT_REF},
	{"repo", required_argument, NULL, O_REPO},
	{"request-timeout", required_argument, NULL, O_REQUEST_TIMEOUT},
	{"max-answer-mb", required_argument, NULL, O_MAX_ANSWER},
	{"max-requests", required_argument, NULL, O_MAX_REQUESTS},
	{"allow-empty", no_argument, NULL, O_ALLOW_EMPTY},
	{"debug", no_argument, NULL, O_DEBUG},
	{"replace-secrets", no_argument, NULL, O_REPLACE_SECRETS},
	{"help", no_argument, NULL, O_HELP},
	{NULL, 0, NULL, 0},
};

static long number(const char *v, long min, long max)
{
	char *end;
	long n = strtol(v, &end, 10);
	return *end || n < min || n > max ? -1 : n;
}

int plan_args_parse(plan_args *a, int argc, char **argv, const char *verb, const char *help)
{
	memset(a, 0, sizeof(*a));
	a->format = "text";
	a->targets = calloc((size_t)argc + 1, sizeof(char *));
	int c;
	long n;
	optind = 1;
	opterr = 0; /* one error, ours, naming the option */
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case O_FORMAT: a->format = optarg; break;
		case O_OUT: a->out = optarg; break;
		case O_PLAN: a->plan_file = optarg; break;
		case O_DETAILED: a->detailed_exitcode = true; break;
		case O_PRUNE: a->session.plan.prune = true; break;
		case O_TARGET: a->targets[a->ntargets++] = optarg; break;
		case O_NO_COLOR: a->no_color = true; break;
		case O_TOKEN_DIR: a->token_dir = a->session.plan.token_dir = optarg; break;
		case O_ORG_URL: a->session.conn.org_url = optarg; break;
		case O_TOKEN_FILE: a->session.conn.token_file = optarg; break;
		case O_CONTEXT: a->session.conn.context = optarg; break;
		case O_YES: a->yes = true; break;
		case O_ALLOW_EMPTY: a->session.allow_empty = true; break;
		case O_DEBUG: a->debug = true; break;
		case O_REPLACE_SECRETS:
			if (strcmp(verb, "apply") != 0)
				return cli_usage_error(verb, "--replace-secrets only applies to apply");
			a->replace_secrets = true;
			break;
		case O_GIT_REF: a->session.git_ref = optarg; break;
		case O_REPO: a->session.repo = optarg; break;
		case O_PARALLELISM:
			if ((n = number(optarg, 1, 64)) < 0)
				return cli_usage_error(verb, "--parallelism takes a number from 1 to 64, not '%s'", optarg);
			a->session.limits.parallelism = (int)n;
			break;
		case O_WAIT:
			if ((n = number(optarg, 1, 86400)) < 0)
				return cli_usage_error(verb, "--wait-timeout takes seconds from 1 to 86400, not '%s'", optarg);
			a->wait_timeout_ms = n * 1000;
			break;
		case O_REQUEST_TIMEOUT:
			if ((n = number(optarg, 1, 3600)) < 0)
				return cli_usage_error(verb, "--request-timeout takes seconds from 1 to 3600, not '%s'", optarg);
			a->session.limits.timeout_ms = n * 1000;
			break;
		case O_MAX_ANSWER:
			if ((n = number(optarg, 1, 4096)) < 0)
				return cli_usage_error(verb, "--max-answer-mb takes a number from 1 to 4096, not '%s'", optarg);
			a->session.limits.max_answer_bytes = (size_t)n << 20;
			break;
		case O_MAX_REQUESTS:
			if ((n = number(optarg, 1, 100000000)) < 0)
				return cli_usage_error(verb, "--max-requests takes a number from 1 to 100000000, not '%s'",
						       optarg);
			a->session.limits.max_requests = (unsigned long)n;
			break;
		case 'h':
		case O_HELP: fputs(help, stdout); return EXIT_OK;
		default: return cli_bad_option(verb, argc, argv, c);
		}
	}
	if (strcmp(a->format, "text") && strcmp(a->format, "json") && strcmp(a->format, "markdown"))
		return cli_usage_error(verb, "--format must be text, json or markdown, not '%s'", a->format);
	if (a->ntargets)
		a->session.plan.targets = a->targets;
	a->session.paths = (const char *const *)argv + optind;
	a->session.npaths = (size_t)(argc - optind);
	return -1;
}

void plan_args_free(plan_args *a)
{
	free(a->targets);
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
 * only: headers carry the token, bodies the secrets. */
static void trace(void *ud, const cf_trace *t)
{
	bool *shown = ud;
	if (shown && *shown) { /* the progress line is open: end it first */
		fputc('\n', stderr);
		*shown = false;
	}
	fprintf(stderr, "ciform: debug: %s %s -> ", t->method, t->path);
	if (t->status)
		fprintf(stderr, "%ld", t->status);
	else
		fprintf(stderr, "no answer (%s)", t->failure ? t->failure : "failed");
	fprintf(stderr, " in %ld ms", t->ms);
	if (t->attempt > 1)
		fprintf(stderr, " (attempt %d)", t->attempt);
	if (t->retrying)
		fputs(", will retry", stderr);
	fputc('\n', stderr);
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
